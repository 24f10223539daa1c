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

already_serving "$NAME" "$READY_URL" "$LOCALSTRIPE_PORT" && exit 0

pinned_venv "$VENV" "$HERE" localstripe

log "starting localstripe on 127.0.0.1:$LOCALSTRIPE_PORT"
# setsid -> python exec, so the recorded PID is the server and leads its own process group.
# serve.py, not localstripe's CLI: the CLI binds every interface.
start_bg "$NAME" "$LOG_DIR/$NAME.log" "$VENV/bin/python" -u "$HERE/serve.py" --port "$LOCALSTRIPE_PORT"
t0=$SECONDS
wait_http "$NAME" "$READY_URL" "${LOCALSTRIPE_START_TIMEOUT:-30}"
log "localstripe ready in $((SECONDS - t0)) s (pid $(cat "$PID_DIR/$NAME.pid"))"
