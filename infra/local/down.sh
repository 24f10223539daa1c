#!/usr/bin/env bash
# Stops everything up.sh started; idempotent. Nothing of ours keeps running.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$REPO_ROOT/infra/local
stop_pid gateway
"$HERE/opensearch/stop.sh" || true
"$HERE/moto/stop.sh" || true
"$HERE/localstripe/stop.sh" || true
"$HERE/localstack/stop.sh" || true
log "local shop stopped"
