#!/usr/bin/env bash
# README command 2: runs every test on a fresh machine, installing what it needs.
#   1. static checks: cargo fmt, cfn-lint and `sam validate --lint` on template.yaml, clippy
#   2. unit tests (pure domain) and event-parsing tests: cargo test
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

log "unit tests (cargo test)"
cargo test --workspace >"$LOG_DIR/cargo-test.log" 2>&1 \
  || { grep -E "^(error|failures:|---- |test result)" -A 12 "$LOG_DIR/cargo-test.log" | tail -n 80 >&2; die "cargo test failed (log: $LOG_DIR/cargo-test.log)"; }
grep -E "^test result: ok\. [1-9]" "$LOG_DIR/cargo-test.log"
unit=$(awk '/^test result:/ {s += $4} END {print s+0}' "$LOG_DIR/cargo-test.log")

if [[ ${SHOP_KEEP_UP:-0} != 1 ]]; then
  trap '"$REPO_ROOT/infra/local/down.sh" >/dev/null 2>&1 || true' EXIT
fi
log "bringing up the local shop"
"$REPO_ROOT/infra/local/up.sh"

log "integration tests (pytest tests/)"
python -m pytest tests -q -p no:cacheprovider
log "all tests passed in $((SECONDS - t0))s ($unit Rust tests, then the integration suite)"
