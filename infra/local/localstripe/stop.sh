#!/usr/bin/env bash
# Stop the localstripe server started by start.sh (by its PID file; idempotent). Its state is lost.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
NAME=localstripe
if is_running "$NAME"; then
  pid=$(cat "$PID_DIR/$NAME.pid")
  log "stopping localstripe (pid $pid)"
  stop_pid "$NAME"
  ! kill -0 "$pid" 2>/dev/null || die "localstripe (pid $pid) still alive"
else
  rm -f "$PID_DIR/$NAME.pid"
  log "localstripe not running"
fi
