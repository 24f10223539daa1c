#!/usr/bin/env bash
# Start moto server on 127.0.0.1:$MOTO_PORT for the AWS APIs community LocalStack lacks: SESv2 and Cognito IdP.
# Idempotent: already running -> exit 0. First run builds $LOCAL_DIR/venv-moto from requirements.txt
# pinned by constraints.txt (rebuilt when either file changes). State is in memory: a restart forgets
# everything, including Cognito pools and their signing key. Stop with stop.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$REPO_ROOT/infra/local/moto
NAME=moto
VENV=$LOCAL_DIR/venv-moto
READY_URL="http://127.0.0.1:$MOTO_PORT/moto-api/"

already_serving "$NAME" "$READY_URL" "$MOTO_PORT" && exit 0

pinned_venv "$VENV" "$HERE" moto

# Reproducible Cognito ids: a pool (client) created with the same name and settings gets the same id
# after a restart, so a seed script can re-create them and the gateway's JWKS URL / audience stay valid.
export MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY=${MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY-HASH}
export MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY=${MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY-HASH}
log "starting moto on 127.0.0.1:$MOTO_PORT"
# setsid -> moto_server exec, so the recorded PID is the server and leads its own process group.
start_bg "$NAME" "$LOG_DIR/$NAME.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
t0=$SECONDS
wait_http "$NAME" "$READY_URL" "${MOTO_START_TIMEOUT:-60}"
log "moto ready in $((SECONDS - t0)) s (pid $(cat "$PID_DIR/$NAME.pid"))"
