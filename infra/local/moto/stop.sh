#!/usr/bin/env bash
# Stop the moto server started by start.sh (by its PID file; idempotent). Its state is lost.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
NAME=moto
if is_running "$NAME"; then
  pid=$(cat "$PID_DIR/$NAME.pid")
  log "stopping moto (pid $pid)"
  stop_pid "$NAME"
  ! kill -0 "$pid" 2>/dev/null || die "moto (pid $pid) still alive"
else
  rm -f "$PID_DIR/$NAME.pid"
  log "moto not running"
fi
