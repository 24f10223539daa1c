#!/usr/bin/env bash
# Builds every function of template.yaml for the local stack in ONE cargo invocation and hands
# each to LocalStack as a folder holding its `bootstrap`, with no zip, upload or unzip:
#   .local/functions/<binary>/bootstrap       a hard link to target/<profile>/<binary>
#   .local/template.local.yaml                template.yaml with every `CodeUri: .` replaced by
#                                             {Bucket: hot-reload, Key: <that folder>}
# LocalStack's Lambda runs code from a host folder when the code's bucket is its hot-reload marker
# (BUCKET_MARKER_LOCAL, "hot-reload"); the project's host executor starts `bootstrap` from there.
# AWS deploys keep template.yaml's `BuildMethod: rust-cargolambda` (sam build, arm64): see README.
#
# Why: `sam build` ran cargo-lambda once per function (42 cargo invocations, each resolving the
# workspace and linking alone) and `sam deploy` zipped, uploaded and LocalStack unzipped ~40 MB
# per function. One `cargo build --bins` shares everything but the final link, and after
# `cargo test` (which builds the same bins) it has nothing left to do.
#
# Usage: infra/local/functions.sh [template|build]   (SHOP_BUILD_MODE=debug|release, debug by default)
#   template  writes the local template (no build) and prints its path: a stack can be deployed from
#             it before the binaries exist, since LocalStack reads a hot-reload folder only when the
#             function first runs (up.sh deploys while the build runs)
#   build     builds and lays the binaries out in the folders the template names
#   (none)    both, then prints the template's path
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
MODE=${SHOP_BUILD_MODE:-debug}
FUNCTIONS_DIR=$LOCAL_DIR/functions
TEMPLATE_OUT=$LOCAL_DIR/template.local.yaml

profile_args=()
target=$REPO_ROOT/target/debug
if [[ $MODE == release ]]; then profile_args=(--release); target=$REPO_ROOT/target/release; fi

STEP=${1:-all}
[[ $STEP == template || $STEP == build || $STEP == all ]] || die "usage: $0 [template|build]"

if [[ $STEP != build ]]; then
  # The template's functions: each names its binary in Metadata.BuildProperties.Binary, just above
  # its `CodeUri: .`. Rewrite those lines (and make DefinitionUri paths absolute, since the local
  # template lives in .local/); everything else stays byte for byte.
  python3 - "$REPO_ROOT/template.yaml" "$TEMPLATE_OUT" "$FUNCTIONS_DIR" >"$LOG_DIR/functions-binaries.txt" <<'PY' \
    || die "could not write the local template"
import os, re, sys
src, out, folder = sys.argv[1:]
lines, binary, seen = open(src).read().split("\n"), None, []
functions = sum(1 for l in lines if re.match(r"\s+Type: AWS::Serverless::Function\s*$", l))
for i, line in enumerate(lines):
    if m := re.match(r"\s+Binary: ([\w-]+)\s*$", line):
        binary = m.group(1)
    elif m := re.match(r"(\s+(?:DefinitionUri|Location): )([\w./-]+)\s*$", line):
        # The local template lives in .local/: its other relative paths are made absolute.
        lines[i] = f"{m.group(1)}{os.path.join(os.path.dirname(os.path.abspath(src)), m.group(2))}"
    elif m := re.match(r"(\s+)CodeUri: \.\s*$", line):
        if binary is None:
            sys.exit(f"template.yaml line {i + 1}: CodeUri without a Binary above it")
        lines[i] = f"{m.group(1)}CodeUri: {{Bucket: hot-reload, Key: {folder}/{binary}}}"
        seen.append(binary)
        binary = None
if len(seen) != functions:
    sys.exit(f"{functions} functions in template.yaml but {len(seen)} `CodeUri: .` with a Binary")
open(out, "w").write("\n".join(lines))
print("\n".join(seen))
PY
fi

if [[ $STEP != template ]]; then
  [[ -f $LOG_DIR/functions-binaries.txt && -f $TEMPLATE_OUT ]] || "$0" template >/dev/null
  log "building every function (cargo build --bins, $MODE, x86_64)"
  t0=$SECONDS
  cargo build -q -p shop-functions --bins --locked "${profile_args[@]}" >"$LOG_DIR/functions-build.log" 2>&1 \
    || { tail -n 40 "$LOG_DIR/functions-build.log" >&2; die "cargo build failed (log: $LOG_DIR/functions-build.log)"; }
  build_s=$((SECONDS - t0))

  rm -rf "$FUNCTIONS_DIR"
  while read -r bin; do
    [[ -x $target/$bin ]] || die "the build made no $target/$bin (is it a [[bin]] of functions/?)"
    mkdir -p "$FUNCTIONS_DIR/$bin"
    # A hard link: no copy, and a later cargo build (which replaces the file) leaves the running
    # stack's binary as it was until the next up.sh links the new one.
    ln "$target/$bin" "$FUNCTIONS_DIR/$bin/bootstrap" 2>/dev/null || cp "$target/$bin" "$FUNCTIONS_DIR/$bin/bootstrap"
  done <"$LOG_DIR/functions-binaries.txt"
  log "$(wc -l <"$LOG_DIR/functions-binaries.txt") functions built in ${build_s}s, laid out under $FUNCTIONS_DIR"
fi
[[ $STEP == build ]] || echo "$TEMPLATE_OUT"
