#!/usr/bin/env bash
# Stop LocalStack and its DynamoDB Local; idempotent. Afterwards no process of ours remains and the
# unzipped Lambda code under $LOCAL_DIR/tmp/lambda is gone.
# Usage: infra/local/localstack/stop.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

LS_ROOT=$LOCAL_DIR/localstack

# cmdline_of PID: the process's command line, read with builtins only (no fork per process).
cmdline_of() {
  local -a parts=()
  mapfile -d '' -t parts 2>/dev/null <"/proc/$1/cmdline" || return 1
  echo "${parts[*]}"
}

# find_ddb_local: PIDs of java processes running DynamoDB Local from our FILESYSTEM_ROOT
# (matched on the full command line, so nobody else's java is touched).
find_ddb_local() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(cmdline_of "${p#/proc/}") || continue
    [[ $cmd == *java* && $cmd == *"$LS_ROOT/var/lib/localstack/lib/dynamodb-local/"* && $cmd == *DynamoDBLocal* ]] && echo "${p#/proc/}"
  done
  return 0
}

# 1. LocalStack: SIGTERM to its process group (it once hung on SIGTERM: stop_pid escalates to SIGKILL).
if is_running localstack; then
  log "stopping localstack (pid $(cat "$PID_DIR/localstack.pid"))"
fi
stop_pid localstack

# 2. DynamoDB Local runs in its own session (LocalStack starts it with start_new_session), so the
#    process-group signal above may not reach it. LocalStack's shutdown normally stops it; if not, we do.
#    The recorded PID is only trusted if it still runs DynamoDB Local from our folder (a stale PID
#    may belong to someone else by now), which is what find_ddb_local checks.
rm -f "$PID_DIR/dynamodb-local.pid"
for pid in $(find_ddb_local); do
  log "stopping leftover DynamoDB Local (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
done

# 3. Function processes the Lambda runtime executor started from the unzipped code (each in its own
#    session, so they too outlive a killed LocalStack): matched by command line or working directory.
find_functions() {
  local p cmd code=$LOCAL_DIR/tmp/lambda/
  {
    for p in /proc/[0-9]*; do
      cmd=$(cmdline_of "${p#/proc/}") || continue
      [[ $cmd == *"$code"* ]] && echo "${p#/proc/}"
    done
    find /proc/[0-9]* -maxdepth 1 -name cwd -lname "$code*" 2>/dev/null | cut -d/ -f3
  } | sort -u
  return 0
}
pids=$(find_functions)
if [[ -n $pids ]]; then
  log "stopping leftover function processes: $(echo $pids)"
  kill -TERM $pids 2>/dev/null || true
  sleep 0.5
  pids=$(find_functions); [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
fi

# 4. Lambda function code LocalStack unzipped (it never deletes it).
rm -rf "$LOCAL_DIR/tmp/lambda"

left=$(find_ddb_local; find_functions)
[[ -z $left ]] || die "still running after SIGKILL: pid(s) $(echo $left)"
exit 0
