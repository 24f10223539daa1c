#!/usr/bin/env bash
# README command 2: runs every test on a fresh machine, installing what it needs.
#   1. static checks: cargo fmt, cfn-lint and `sam validate --lint` on template.yaml, clippy
#   2. cargo test: unit tests (pure domain), the service tier (use cases against a DynamoDB Local
#      the tests start themselves on 127.0.0.1) and the template/event inventory tests
#   3. brings the local shop up (infra/local/up.sh), runs the integration suite
#      (tests/, pytest) against it, and tears it down again (unless SHOP_KEEP_UP=1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
t0=$SECONDS
TOOLS=$("$REPO_ROOT/infra/local/tools/install.sh")
export PATH=$TOOLS:$HOME/.cargo/bin:$PATH
cd "$REPO_ROOT"

log "static checks"
cargo fmt --all -- --check
cfn-lint template.yaml
sam validate --lint --template template.yaml >/dev/null

cargo clippy --workspace --all-targets --quiet -- -D warnings

log "unit and service tests (cargo test)"
# The service tier starts its own DynamoDB Local from the folder LocalStack uses (installed, not started).
SHOP_DYNAMODB_LOCAL_DIR=$("$REPO_ROOT/infra/local/localstack/start.sh" --install-only) \
  || die "installing DynamoDB Local for the service tests failed"
export SHOP_DYNAMODB_LOCAL_DIR
cargo test --workspace >"$LOG_DIR/cargo-test.log" 2>&1 \
  || { grep -E "^(error|failures:|---- |test result)" -A 12 "$LOG_DIR/cargo-test.log" | tail -n 80 >&2; die "cargo test failed (log: $LOG_DIR/cargo-test.log)"; }
# One line per test binary: which suite, how many passed, how long it took.
awk '/ Running / {suite = $2 == "unittests" ? $3 : $2; if (match($0, /deps\/[^ )]+/)) {bin = substr($0, RSTART + 5, RLENGTH - 5); sub(/-[0-9a-f]+$/, "", bin); suite = bin " (" suite ")"}}
     /^test result:/ {print "  " suite ": " $4 " passed in " $NF}' \
  "$LOG_DIR/cargo-test.log" | grep -v ": 0 passed" >&2
unit=$(awk '/^test result:/ {s += $4} END {print s+0}' "$LOG_DIR/cargo-test.log")

if [[ ${SHOP_KEEP_UP:-0} != 1 ]]; then
  trap '"$REPO_ROOT/infra/local/down.sh" >/dev/null 2>&1 || true' EXIT
fi
log "bringing up the local shop"
"$REPO_ROOT/infra/local/up.sh"

log "integration tests (pytest tests/)"
python -m pytest tests -q -p no:cacheprovider
log "all tests passed in $((SECONDS - t0))s ($unit Rust tests, then the integration suite)"
