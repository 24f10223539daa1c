#!/usr/bin/env bash
# Stop the localstripe server started by start.sh (by its PID file; idempotent). Its state is lost.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
stop_service localstripe
