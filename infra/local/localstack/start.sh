#!/usr/bin/env bash
# Start LocalStack 4.9.2 in host mode (no Docker) with AWS's own DynamoDB Local behind it.
# Every listener binds 127.0.0.1. Idempotent: returns at once when it is already up and healthy.
#
# Installs, once, into git-ignored folders under $LOCAL_DIR (.local/):
#   venv-localstack/                 Python 3.11 venv, localstack-core[runtime]==4.9.2 pinned by constraints.txt
#                                    (+ infra/local/executor/ if that package exists)
#   localstack/var/lib/localstack/lib/dynamodb-local/2/   DynamoDB Local 2.6.1 from Maven Central (pom.xml),
#                                    laid out where LocalStack looks before downloading anything
#   localstack/var/lib/localstack/lib/java/21 -> system JDK 17 (else LocalStack downloads Java 21)
#
# Env knobs: LOCALSTACK_PORT (4566), LAMBDA_KEEPALIVE_MS (60000), LOCALSTACK_SERVICES (the service list),
#            LOCALSTACK_START_TIMEOUT (s, 90), LOCALSTACK_DEBUG=1 (LocalStack DEBUG=1), LOCALSTACK_JDK;
#            passed through if set: LAMBDA_RUNTIME_EXECUTOR, DYNAMODB_HEAP_SIZE, DYNAMODB_REMOVE_EXPIRED_ITEMS, LS_LOG.
# Settings only apply at start: after changing one, run stop.sh first (a running instance is left as is).
# Usage: infra/local/localstack/start.sh          Stop: infra/local/localstack/stop.sh
#        infra/local/localstack/start.sh --install-only   installs, starts nothing, prints DynamoDB Local's folder
#        (the Rust service tests start their own DynamoDB Local from it)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$REPO_ROOT/infra/local/localstack
CONSTRAINTS=$HERE/constraints.txt
EXECUTOR_SRC=$REPO_ROOT/infra/local/executor
VENV=$LOCAL_DIR/venv-localstack
PY=$VENV/bin/python
LS_ROOT=$LOCAL_DIR/localstack                        # LocalStack's FILESYSTEM_ROOT
LS_LIB=$LS_ROOT/var/lib/localstack/lib               # where LocalStack installs/finds its packages
DDB_DIR=$LS_LIB/dynamodb-local/2
JDK=${LOCALSTACK_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
BUILD_DIR=$LOCAL_DIR/build/localstack                # maven output + agent classes (scratch)
LOGFILE=$LOG_DIR/localstack.log
ENDPOINT=http://127.0.0.1:$LOCALSTACK_PORT
TIMEOUT=${LOCALSTACK_START_TIMEOUT:-90}
SERVICES_DEFAULT=dynamodb,dynamodbstreams,s3,sqs,stepfunctions,lambda,cloudformation,sts,iam,logs,ssm,events,ses,secretsmanager,cloudwatch,sns

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# aws_call SERVICE TARGET [JSON-VERSION] : one AWS JSON-protocol call to LocalStack with curl (no 1 s
# Python start per poll). LocalStack does not check signatures; the Authorization header only names
# region and service.
aws_call() {
  curl -fsS -o /dev/null --max-time 30 -X POST "$ENDPOINT/" \
    -H "Content-Type: application/x-amz-json-${3:-1.0}" -H "X-Amz-Target: $2" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/$1/aws4_request, SignedHeaders=host, Signature=0" \
    -d '{}' 2>/dev/null
}
# ddb_ready: a DynamoDB call through LocalStack succeeds (DynamoDB Local is started on demand by the
# first one, which blocks until it is up).
ddb_ready() { aws_call dynamodb DynamoDB_20120810.ListTables; }

healthy() { curl -fsS -o /dev/null --max-time 2 "$ENDPOINT/_localstack/health"; }

INSTALL_ONLY=0
[[ ${1:-} == --install-only ]] && INSTALL_ONLY=1

# ---------------------------------------------------------------- already up?
if ((INSTALL_ONLY == 0)) && is_running localstack; then
  # Give an instance that is still starting (another start.sh) up to 30 s before calling it wedged.
  deadline=$((SECONDS + 30))
  until healthy && ddb_ready; do
    if ((SECONDS > deadline)) || ! is_running localstack; then break; fi
    sleep 0.5
  done
  if healthy && ddb_ready; then
    log "localstack already running and healthy on $ENDPOINT (pid $(cat "$PID_DIR/localstack.pid"))"
    exit 0
  fi
  log "localstack is running but not healthy: restarting it"
  "$HERE/stop.sh"
fi
# Something else on the port would make our health checks lie.
if ss -ltnH "sport = :$LOCALSTACK_PORT" | grep -q .; then
  die "port $LOCALSTACK_PORT is already in use by another process: $(ss -ltnpH "sport = :$LOCALSTACK_PORT")"
fi

# ---------------------------------------------------------------- 1. Python venv
install_venv() {
  local stamp=$VENV/.installed want
  want="localstack-core[runtime]==4.9.2 $(hash_of "$CONSTRAINTS")"
  if [[ -x $PY && -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "installing LocalStack into $VENV (fresh venv: under a minute)"
  command -v python3.11 >/dev/null || die "venv: python3.11 not found on PATH"
  rm -rf "$VENV"
  python3.11 -m venv "$VENV" || die "venv: python3.11 -m venv $VENV failed"
  # The constraints pin every transitive dependency: unpinned ones break 4.9.2 on Python 3.11.
  venv_install "$VENV" "$LOG_DIR/localstack-pip.log" 'localstack-core[runtime]==4.9.2' -c "$CONSTRAINTS" \
    || { tail -n 20 "$LOG_DIR/localstack-pip.log" >&2; die "venv: pip install localstack-core failed (log: $LOG_DIR/localstack-pip.log)"; }
  echo "$want" >"$stamp"
  rm -f "$VENV/.executor-installed"   # a fresh venv needs the executor again
}

# The project's Lambda runtime executor (written elsewhere). Re-installed whenever its files change.
install_executor() {
  local stamp=$VENV/.executor-installed want files
  [[ -d $EXECUTOR_SRC ]] || return 0
  [[ -f $EXECUTOR_SRC/pyproject.toml || -f $EXECUTOR_SRC/setup.py ]] \
    || { log "warning: $EXECUTOR_SRC has no pyproject.toml/setup.py: executor not installed"; return 0; }
  files=$(cd "$EXECUTOR_SRC" && find . -type f ! -path '*/__pycache__/*' ! -path '*.egg-info/*' ! -path './build/*' \
          ! -path './dist/*' ! -name '*.pyc' | LC_ALL=C sort)
  want=$( (cd "$EXECUTOR_SRC" && echo "$files" && echo "$files" | xargs -d '\n' cat) | sha256sum | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "installing the Lambda runtime executor from $EXECUTOR_SRC"
  # Built from a copy so pip/setuptools leave no build/ or egg-info in the executor's folder.
  # Non-editable so the installed entry points always match the sources; --force-reinstall because
  # the version number usually stays the same; --no-deps so no pin in the venv moves.
  local copy=$LOCAL_DIR/build/executor-src
  rm -rf "$copy"; mkdir -p "$copy"
  (cd "$EXECUTOR_SRC" && echo "$files" | xargs -d '\n' cp --parents -t "$copy")
  "$PY" -m pip install -q --force-reinstall --no-deps "$copy" >"$LOG_DIR/localstack-executor-pip.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/localstack-executor-pip.log" >&2; die "executor: pip install $EXECUTOR_SRC failed (log: $LOG_DIR/localstack-executor-pip.log)"; }
  rm -rf "$copy"
  echo "$want" >"$stamp"
}

# ---------------------------------------------------------------- 2. DynamoDB Local + loopback agent
install_dynamodb_local() {
  local stamp=$DDB_DIR/.installed want staging lib
  want=$(hash_of "$HERE/pom.xml" "$HERE/loopback-agent/LoopbackAgent.java" "$HERE/loopback-agent/MANIFEST.MF")
  if [[ -f $stamp && $(cat "$stamp") == "$want" && -f $DDB_DIR/DynamoDBLocal.jar ]]; then return 0; fi
  log "installing DynamoDB Local 2.6.1 from Maven Central into $DDB_DIR"
  command -v mvn >/dev/null || die "dynamodb-local: mvn not found (apt-get install maven)"
  [[ -x $JDK/bin/javac ]] || die "dynamodb-local: no JDK at $JDK (set LOCALSTACK_JDK)"
  rm -rf "$BUILD_DIR"; mkdir -p "$BUILD_DIR"
  staging=$BUILD_DIR/dynamodb-local; lib=$staging/DynamoDBLocal_lib
  local mlog=$LOG_DIR/localstack-maven.log
  # -Dmaven.repo.local is left at ~/.m2 so other parts of the stack share the download cache.
  (cd "$HERE" && JAVA_HOME=$JDK mvn -B -q -f pom.xml generate-resources \
      -Dddb.lib.dir="$lib" -Dagent.lib.dir="$BUILD_DIR/agent-lib") >"$mlog" 2>&1 \
    || { tail -n 30 "$mlog" >&2; die "dynamodb-local: maven could not fetch DynamoDB Local (log: $mlog)"; }
  [[ -f $lib/libsqlite4java-linux-amd64.so ]] || die "dynamodb-local: sqlite4java native library missing in $lib"

  # DynamoDBLocal.jar holds only a manifest: main class + every jar of DynamoDBLocal_lib/ on the class path.
  # (Manifest lines may not exceed 512 bytes: one jar per continuation line, two spaces = continuation + separator.)
  {
    echo "Main-Class: com.amazonaws.services.dynamodbv2.local.main.ServerRunner"
    local first=1
    for j in "$lib"/*.jar; do
      if ((first)); then echo "Class-Path: DynamoDBLocal_lib/${j##*/}"; first=0; else echo "  DynamoDBLocal_lib/${j##*/}"; fi
    done
  } >"$BUILD_DIR/ddb-manifest.txt"
  "$JDK/bin/jar" cfm "$staging/DynamoDBLocal.jar" "$BUILD_DIR/ddb-manifest.txt" \
    || die "dynamodb-local: could not write DynamoDBLocal.jar"

  # Our loopback agent, in the slot LocalStack passes as -javaagent. javassist is bundled into the
  # agent jar so the agent does not depend on the DynamoDB Local class path.
  local classes=$BUILD_DIR/agent-classes
  mkdir -p "$classes"
  "$JDK/bin/javac" --release 17 -nowarn -d "$classes" -cp "$BUILD_DIR/agent-lib/javassist.jar" \
      "$HERE/loopback-agent/LoopbackAgent.java" >"$LOG_DIR/localstack-agent-build.log" 2>&1 \
    || { cat "$LOG_DIR/localstack-agent-build.log" >&2; die "loopback agent: javac failed (log: $LOG_DIR/localstack-agent-build.log)"; }
  (cd "$classes" && "$JDK/bin/jar" xf "$BUILD_DIR/agent-lib/javassist.jar" javassist) \
    || die "loopback agent: could not unpack javassist"
  "$JDK/bin/jar" cfm "$staging/ddb-local-loader-0.1.jar" "$HERE/loopback-agent/MANIFEST.MF" -C "$classes" . \
    || die "loopback agent: could not write the agent jar"

  # Swap the finished folder in whole, so a failed install never leaves a half folder LocalStack would trust.
  mkdir -p "${DDB_DIR%/*}"
  rm -rf "$DDB_DIR"
  mv "$staging" "$DDB_DIR"
  echo "$want" >"$stamp"
  rm -rf "$BUILD_DIR"
}

# LocalStack's DynamoDB package wants Java 21 under lib/java/21 and downloads it when missing;
# DynamoDB Local 2.x runs on the system JDK 17.
link_java() {
  [[ -x $JDK/bin/java ]] || die "java: no JDK at $JDK (set LOCALSTACK_JDK)"
  mkdir -p "$LS_LIB/java"
  if [[ "$(readlink "$LS_LIB/java/21" 2>/dev/null)" != "$JDK" ]]; then
    rm -rf "$LS_LIB/java/21"
    ln -s "$JDK" "$LS_LIB/java/21"
  fi
}

t0=$SECONDS
install_venv
install_executor
install_dynamodb_local
link_java
((SECONDS - t0 > 1)) && log "install/check took $((SECONDS - t0)) s"
if ((INSTALL_ONLY)); then echo "$DDB_DIR"; exit 0; fi

# ---------------------------------------------------------------- 3. start
mkdir -p "$LOCAL_DIR/tmp" "$LS_ROOT"
env_args=(
  OVERRIDE_IN_DOCKER=0                 # the machine has /.dockerenv: else LocalStack writes /var/lib, /usr/lib
  FILESYSTEM_ROOT="$LS_ROOT"
  GATEWAY_LISTEN="127.0.0.1:$LOCALSTACK_PORT"
  GATEWAY_SERVER=hypercorn             # the default server binds 0.0.0.0 whatever GATEWAY_LISTEN says
  DNS_ADDRESS=0                        # else a DNS server on 0.0.0.0:53
  PROVIDER_OVERRIDE_DYNAMODB=v2        # streams straight from DynamoDB Local (v1 starts kinesis-mock on 0.0.0.0)
  PROVIDER_OVERRIDE_DYNAMODBSTREAMS=v2
  DYNAMODB_IN_MEMORY=1
  # DynamoDB Local on a fixed port and with one database for every credential: the functions call it
  # directly (AWS_ENDPOINT_URL_DYNAMODB) with the temporary keys LocalStack gives them, and see the
  # tables LocalStack made. Without -sharedDb it keeps one namespace per access key and region.
  DYNAMODB_LOCAL_PORT="$DYNAMODB_LOCAL_PORT"
  DYNAMODB_SHARE_DB=1
  SKIP_SSL_CERT_DOWNLOAD=1
  DISABLE_EVENTS=1
  LOCALSTACK_TELEMETRY_DISABLED=1
  # Queue URLs are built from LOCALSTACK_HOST (default localhost.localstack.cloud, which does not resolve
  # offline); with both: http://127.0.0.1:4566/queue/<region>/<account>/<name>, also in CloudFormation outputs.
  SQS_ENDPOINT_STRATEGY=path
  LOCALSTACK_HOST="127.0.0.1:$LOCALSTACK_PORT"
  TMPDIR="$LOCAL_DIR/tmp"              # LocalStack unzips function code under $TMPDIR/lambda
  LAMBDA_KEEPALIVE_MS="${LAMBDA_KEEPALIVE_MS:-60000}"
  # In AWS, queue and stream pollers hand a new record to its function within about a second.
  # LocalStack backs off up to 10 s after empty polls, which a saga step waiting on the payment
  # queue (inside a reservation window of seconds) would feel: poll every second at most.
  LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC=1
  # A flash sale starts ~200 function processes at once on two cores: give each a minute to come
  # up (LocalStack's default, 20 s, fails the slowest with "timed out during startup").
  LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT=60
  # Check presigned S3 URLs as AWS does (signature incl. key, size and type; expiry): LocalStack skips
  # both by default, and an import's upload URL is its one grant to write.
  S3_SKIP_SIGNATURE_VALIDATION=0
  # SQS reports its queues' depth to CloudWatch, where the dead-letter alarms read it (every
  # 60 s by default; tests/test_monitoring.py waits for an alarm, so report every 10 s).
  SQS_CLOUDWATCH_METRICS_REPORT_INTERVAL=10
  SERVICES="${LOCALSTACK_SERVICES:-$SERVICES_DEFAULT}"
  DEBUG="${LOCALSTACK_DEBUG:-0}"
)
# Passed through when the caller sets them: the Lambda executor plugin (infra/local/executor/, e.g. `host`),
# DynamoDB Local's heap (LocalStack default 256m) and TTL sweeping, LocalStack's log level.
for v in LAMBDA_RUNTIME_EXECUTOR DYNAMODB_HEAP_SIZE DYNAMODB_REMOVE_EXPIRED_ITEMS LS_LOG; do
  [[ -n ${!v:-} ]] && env_args+=("$v=${!v}")
done

log "starting localstack on $ENDPOINT (log: $LOGFILE)"
t_start=$(date +%s.%N)
start_bg localstack "$LOGFILE" env "${env_args[@]}" "$PY" -m localstack.runtime.main
# From here on, a failure stops what we started: no half-started stack is left behind.
trap 'rc=$?; if ((rc != 0)); then log "start failed: stopping localstack"; "$HERE/stop.sh" || true; fi' EXIT
wait_http localstack "$ENDPOINT/_localstack/health" "$TIMEOUT" "$LOGFILE"
t_health=$(date +%s.%N)

# Load the CloudWatch Logs service now, in parallel with DynamoDB Local's start. LocalStack loads services
# on first use, and the first user of `logs` is usually Lambda shipping a function's output: if that
# happens while LocalStack shuts down, the request never completes and the process hangs until SIGKILL
# (seen: stop 11-13 s instead of 2-3 s, "Could not stop log subscriber in time" in the log).
warm_pid=""
if [[ ",${LOCALSTACK_SERVICES:-$SERVICES_DEFAULT}," == *,logs,* ]]; then
  aws_call logs Logs_20140328.DescribeLogGroups 1.1 & warm_pid=$!
fi

# DynamoDB Local starts on the first DynamoDB call: wait for one to succeed.
deadline=$((SECONDS + TIMEOUT))
until ddb_ready; do
  is_running localstack || { tail -n 40 "$LOGFILE" >&2; die "dynamodb: localstack exited while DynamoDB Local was starting (log: $LOGFILE)"; }
  if ((SECONDS > deadline)); then
    tail -n 40 "$LOGFILE" >&2
    die "dynamodb: no DynamoDB call succeeded within ${TIMEOUT}s (DynamoDB Local under $DDB_DIR; log: $LOGFILE)"
  fi
  sleep 0.3
done
t_ddb=$(date +%s.%N)
if [[ -n $warm_pid ]] && ! wait "$warm_pid"; then
  log "warning: warming up the logs service failed (log: $LOGFILE)"
fi

# DynamoDB Local runs in its own session and survives a kill of LocalStack: record its PID for stop.sh.
ddb_pid=""
for p in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
  if [[ $cmd == *java* && $cmd == *"$LS_ROOT/var/lib/localstack/lib/dynamodb-local/"* && $cmd == *DynamoDBLocal* ]]; then ddb_pid=${p#/proc/}; break; fi
done
[[ -n $ddb_pid ]] || die "dynamodb: DynamoDB calls work but no DynamoDB Local process under $LS_ROOT was found (log: $LOGFILE)"
echo "$ddb_pid" >"$PID_DIR/dynamodb-local.pid"

# Refuse to leave anything of ours listening beyond loopback: any listener of LocalStack's session
# (LocalStack and its children) or of DynamoDB Local's.
ls_pid=$(cat "$PID_DIR/localstack.pid")
bad=""
while read -r line; do
  for p in $(grep -o 'pid=[0-9]*' <<<"$line" | cut -d= -f2); do
    sid=$(ps -o sid= -p "$p" 2>/dev/null | tr -d ' ')
    if [[ $sid == "$ls_pid" || $p == "$ddb_pid" || $sid == "$ddb_pid" ]]; then bad+="$line"$'\n'; break; fi
  done
done < <(ss -ltnpH | awk '$4 !~ /^(127\.|\[::1\]|\[::ffff:127\.)/')
if [[ -n $bad ]]; then
  log "listeners beyond loopback:"; echo "$bad" >&2
  "$HERE/stop.sh"
  die "localstack or DynamoDB Local listens beyond 127.0.0.1: stopped (log: $LOGFILE)"
fi

log "$(awk -v a="$t_start" -v b="$t_health" -v c="$t_ddb" \
  'BEGIN{printf "localstack ready on %s: health %.1f s, first DynamoDB call %.1f s after start", "'"$ENDPOINT"'", b-a, c-a}') \
(pid $(cat "$PID_DIR/localstack.pid"), DynamoDB Local pid $ddb_pid)"
