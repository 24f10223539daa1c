# Shared by the local-stack scripts: where things live, how parts start, wait and stop.
# Sourced, never run. Every server binds 127.0.0.1; every process we start has a PID file.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL_DIR=${SHOP_LOCAL_DIR:-$REPO_ROOT/.local}   # git-ignored: venvs, downloads, data, logs, pids
PID_DIR=$LOCAL_DIR/pids
LOG_DIR=$LOCAL_DIR/logs
mkdir -p "$PID_DIR" "$LOG_DIR"

# Ports of the local stack (all on 127.0.0.1).
LOCALSTACK_PORT=${LOCALSTACK_PORT:-4566}
DYNAMODB_LOCAL_PORT=${DYNAMODB_LOCAL_PORT:-4570}   # LocalStack's DynamoDB Local child, which the functions call directly
MOTO_PORT=${MOTO_PORT:-5055}
OPENSEARCH_PORT=${OPENSEARCH_PORT:-9200}
OPENSEARCH_TRANSPORT_PORT=${OPENSEARCH_TRANSPORT_PORT:-9300}
GATEWAY_PORT=${GATEWAY_PORT:-8080}
LOCALSTRIPE_PORT=${LOCALSTRIPE_PORT:-8420}   # localstripe, the fake Stripe API

export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export SAM_CLI_TELEMETRY=0 LOCALSTACK_TELEMETRY_DISABLED=1

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# start_bg NAME LOGFILE CMD... : start CMD in its own process group, record its PID.
start_bg() {
  local name=$1 logfile=$2; shift 2
  setsid "$@" >"$logfile" 2>&1 < /dev/null &
  echo $! >"$PID_DIR/$name.pid"
}

# is_running NAME : the recorded process is alive.
is_running() {
  local f=$PID_DIR/$1.pid
  [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# stop_pid NAME : SIGTERM the process group, then SIGKILL after a grace period.
stop_pid() {
  local name=$1 f=$PID_DIR/$1.pid pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# wait_http NAME URL SECONDS : poll until URL answers 2xx, else show the log tail and fail.
wait_http() {
  local name=$1 url=$2 secs=$3 logfile=${4:-$LOG_DIR/$1.log}
  local deadline=$((SECONDS + secs))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if ! is_running "$name"; then
      log "$name exited before it was ready; last lines of $logfile:"; tail -n 40 "$logfile" >&2 || true
      die "$name failed to start (log: $logfile)"
    fi
    if ((SECONDS > deadline)); then
      log "$name not ready after ${secs}s; last lines of $logfile:"; tail -n 40 "$logfile" >&2 || true
      die "$name did not become ready at $url (log: $logfile)"
    fi
    sleep 0.5
  done
}

# Listening sockets beyond loopback owned by our processes (should print nothing).
non_loopback_listeners() {
  ss -ltnpH 2>/dev/null | awk '$4 !~ /^(127\.|\[::1\]|\[::ffff:127\.)/' | grep -E 'java|python|moto|opensearch|bootstrap|node' || true
}

# stop_service NAME : stop the server recorded as NAME (idempotent); fail if it survives.
stop_service() {
  local name=$1 pid
  if is_running "$name"; then
    pid=$(cat "$PID_DIR/$name.pid")
    log "stopping $name (pid $pid)"
    stop_pid "$name"
    ! kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) still alive"
  else
    rm -f "$PID_DIR/$name.pid"
    log "$name not running"
  fi
}

# uv (PyPI, pinned) installs a venv's packages for a fraction of pip's CPU (byte-compiled at install, as
# pip does: where PYTHONDONTWRITEBYTECODE is set, nothing would ever cache them): pip's resolver, unpacking
# and byte-compiling took 40 s of CPU for moto alone, CPU that a cold bring-up's cargo build, running
# beside the installs, wants. It is installed once into its own venv; pip remains the fallback
# wherever uv cannot be installed or fails, so a machine without it still comes up.
UV_VERSION=0.13.9
uv_bin() {
  local venv=$LOCAL_DIR/venv-uv
  if [[ ! -x $venv/bin/uv ]]; then
    { python3.11 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"; } \
      >"$LOG_DIR/uv-install.log" 2>&1 || { rm -rf "$venv"; return 1; }
  fi
  echo "$venv/bin/uv"
}

# venv_install VENV LOG PIP-ARGS... : pip install PIP-ARGS into VENV (made with python -m venv), through
# uv when it can, with pip's own settings (certificate bundle, extra wheel folders); output to LOG.
venv_install() {
  local venv=$1 out=$2 uv; shift 2
  if uv=$(uv_bin) \
      && SSL_CERT_FILE=${PIP_CERT:-${SSL_CERT_FILE:-}} UV_NATIVE_TLS=1 UV_FIND_LINKS=${PIP_FIND_LINKS:-} UV_COMPILE_BYTECODE=1 \
         "$uv" pip install --python "$venv/bin/python" "$@" >"$out" 2>&1; then
    return 0
  fi
  echo "uv could not install (above); pip instead" >>"$out"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >>"$out" 2>&1 \
    && "$venv/bin/python" -m pip install --disable-pip-version-check "$@" >>"$out" 2>&1
}

# pinned_venv VENV DIR LABEL : make sure VENV holds DIR/requirements.txt pinned by DIR/constraints.txt,
# rebuilding it when either file changed (a stamp of both is kept in the venv).
pinned_venv() {
  local venv=$1 dir=$2 label=$3 py=${PYTHON:-python3.11} want t0
  want=$(cat "$dir/requirements.txt" "$dir/constraints.txt" | sha1sum | cut -c1-40)
  [[ -f $venv/.shop-installed && $(cat "$venv/.shop-installed") == "$want" ]] && return 0
  log "creating $venv ($label, pinned by constraints.txt)"
  t0=$SECONDS
  rm -rf "$venv"
  "$py" -m venv "$venv" || die "$py -m venv failed"
  venv_install "$venv" "$LOG_DIR/$label-install.log" -r "$dir/requirements.txt" -c "$dir/constraints.txt" \
    || { tail -n 40 "$LOG_DIR/$label-install.log" >&2; die "pip install of $label failed"; }
  echo "$want" >"$venv/.shop-installed"
  log "venv ready in $((SECONDS - t0)) s"
}

# already_serving NAME URL PORT : true when our NAME answers at URL (the caller exits 0); dies when
# something else answers on PORT; otherwise clears a stale PID file and returns false.
already_serving() {
  local name=$1 url=$2 port=$3
  if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
    if is_running "$name"; then log "$name already running (pid $(cat "$PID_DIR/$name.pid"))"; return 0; fi
    die "something not started by this script answers on 127.0.0.1:$port: $(ss -ltnpH "sport = :$port" | head -1)"
  fi
  stop_pid "$name"   # a stale PID file, or a server that never got ready
  return 1
}
