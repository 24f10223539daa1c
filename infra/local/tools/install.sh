#!/usr/bin/env bash
# Installs the developer/CI tools (SAM CLI, cfn-lint, AWS CLI, cargo-lambda + zig, pytest, ...)
# into $LOCAL_DIR/venv-tools, pinned by constraints.txt; skipped when already installed.
# Prints the venv's bin folder. Also makes sure cargo and the x86_64 Rust target exist.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$REPO_ROOT/infra/local/tools
VENV=$LOCAL_DIR/venv-tools
stamp=$(cat "$HERE/requirements.txt" "$HERE/constraints.txt" | sha256sum | cut -d' ' -f1)
if [[ "$(cat "$VENV/.shop-installed" 2>/dev/null)" != "$stamp" ]]; then
  log "installing tools into $VENV (SAM CLI, cfn-lint, cargo-lambda, zig, pytest)"
  rm -rf "$VENV"
  python3.11 -m venv "$VENV" || die "python3.11 -m venv failed"
  venv_install "$VENV" "$LOG_DIR/tools-install.log" -r "$HERE/requirements.txt" -c "$HERE/constraints.txt" \
    || { tail -n 40 "$LOG_DIR/tools-install.log" >&2; die "tool install failed (log: $LOG_DIR/tools-install.log)"; }
  echo "$stamp" >"$VENV/.shop-installed"
fi
if ! command -v cargo >/dev/null; then
  [[ -x $HOME/.cargo/bin/cargo ]] || die "cargo not found: install Rust with rustup (https://rustup.rs)"
fi
echo "$VENV/bin"
