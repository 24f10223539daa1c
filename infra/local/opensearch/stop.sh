#!/usr/bin/env bash
# Stop the OpenSearch node started by start.sh (by its PID file; idempotent).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
NAME=opensearch
if is_running "$NAME"; then
  pid=$(cat "$PID_DIR/$NAME.pid")
  log "stopping opensearch (pid $pid)"
  stop_pid "$NAME"
  ! kill -0 "$pid" 2>/dev/null || die "opensearch (pid $pid) still alive"
else
  rm -f "$PID_DIR/$NAME.pid"
  log "opensearch not running"
fi
