#!/usr/bin/env bash
# Stop the OpenSearch node started by start.sh (by its PID file; idempotent).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
stop_service opensearch
