#!/usr/bin/env bash
# Start localstripe (a stateful fake of Stripe's HTTP API, with signed webhooks) on 127.0.0.1:$LOCALSTRIPE_PORT,
# so payments work without the internet. Idempotent: already running -> exit 0. First run builds
# $LOCAL_DIR/venv-localstripe from requirements.txt pinned by constraints.txt (rebuilt when either file
# changes). State is in memory: a restart forgets every object and the webhook registration. Stop with stop.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$REPO_ROOT/infra/local/localstripe
NAME=localstripe
VENV=$LOCAL_DIR/venv-localstripe
# Served without an API key: answers as soon as the server does.
READY_URL="http://127.0.0.1:$LOCALSTRIPE_PORT/js.stripe.com/v3/"

if curl -fsS -o /dev/null --max-time 2 "$READY_URL" 2>/dev/null; then
  if is_running "$NAME"; then log "localstripe already running (pid $(cat "$PID_DIR/$NAME.pid"))"; exit 0; fi
  die "something not started by this script answers on 127.0.0.1:$LOCALSTRIPE_PORT: $(ss -ltnpH "sport = :$LOCALSTRIPE_PORT" | head -1)"
fi
stop_pid "$NAME"   # stale PID file

PY=${PYTHON:-python3.11}
stamp_want=$(cat "$HERE/requirements.txt" "$HERE/constraints.txt" | sha1sum | cut -c1-40)
stamp_file=$VENV/.shop-installed
if [[ ! -f $stamp_file || $(cat "$stamp_file") != "$stamp_want" ]]; then
  log "creating $VENV (localstripe, pinned by constraints.txt)"
  t0=$SECONDS
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "$PY -m venv failed"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
      -r "$HERE/requirements.txt" -c "$HERE/constraints.txt" >"$LOG_DIR/localstripe-install.log" 2>&1 \
    || { tail -n 40 "$LOG_DIR/localstripe-install.log" >&2; die "pip install of localstripe failed"; }
  echo "$stamp_want" >"$stamp_file"
  log "venv ready in $((SECONDS - t0)) s"
fi

log "starting localstripe on 127.0.0.1:$LOCALSTRIPE_PORT"
# setsid -> python exec, so the recorded PID is the server and leads its own process group.
# serve.py, not localstripe's CLI: the CLI binds every interface.
start_bg "$NAME" "$LOG_DIR/$NAME.log" "$VENV/bin/python" -u "$HERE/serve.py" --port "$LOCALSTRIPE_PORT"
t0=$SECONDS
wait_http "$NAME" "$READY_URL" "${LOCALSTRIPE_START_TIMEOUT:-30}"
log "localstripe ready in $((SECONDS - t0)) s (pid $(cat "$PID_DIR/$NAME.pid"))"
