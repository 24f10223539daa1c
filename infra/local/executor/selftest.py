#!/usr/bin/env python3
"""Self-test of the `host` Lambda executor against a running LocalStack (LAMBDA_RUNTIME_EXECUTOR=host).

  AWS_ENDPOINT_URL=http://127.0.0.1:4566 python selftest.py      # run the checks (LocalStack's venv has boto3)
  python selftest.py --after-stop                                # once LocalStack is stopped: no bootstrap left

The test function is a bash `bootstrap` speaking the Runtime API with curl + jq (no cargo needed).
Exits non-zero on the first failed check.
"""
import io, json, os, shutil, statistics, subprocess, sys, tempfile, time, uuid, zipfile
from concurrent.futures import ThreadPoolExecutor

PREFIX = "selftest-host-exec"
BOOTSTRAP = r"""#!/bin/bash
# Runtime API loop. Event {"mode": fail|sleep|crash|env}; SQS batches: bodies containing "fail" are reported failed.
# The echo path forks only the two curls, so warm timings show the executor, not bash.
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
BODY=$(mktemp) || exit 1                        # needs a writable TMPDIR
echo "init: $AWS_LAMBDA_FUNCTION_NAME pid $$"
while true; do
  RID=$(curl -sSf -o "$BODY" -w '%header{lambda-runtime-aws-request-id}' "$API/invocation/next") || exit 1  # LocalStack gone
  EVENT=$(<"$BODY")
  echo "got $RID: $EVENT"
  [[ -n "${OUT_DIR:-}" ]] && printf '%s\n' "$EVENT" > "$OUT_DIR/$RID.json"
  if [[ $EVENT == *'"mode"'* ]]; then
    case "$(jq -r '.mode' <<<"$EVENT")" in
      fail) echo "failing on demand" >&2
            curl -sS -H 'Lambda-Runtime-Function-Error-Type: Unhandled' --data-binary \
              '{"errorType":"TestError","errorMessage":"failed on demand"}' "$API/invocation/$RID/error" >/dev/null; continue;;
      sleep) sleep "$(jq -r .seconds <<<"$EVENT")";;
      crash) exit 3;;
      env) EVENT=$(jq -n --arg pid $$ --arg cwd "$PWD" '{pid: $pid, cwd: $cwd, env: env}');;
    esac
  elif [[ $EVENT == *'"aws:sqs"'* ]]; then
    EVENT=$(jq -c '{batchItemFailures: [.Records[] | select(.body | contains("fail")) | {itemIdentifier: .messageId}]}' <<<"$EVENT")
  fi
  curl -sS --data-binary "$EVENT" "$API/invocation/$RID/response" >/dev/null
done
"""


def ok(msg):
    print(f"  ok  {msg}", flush=True)


def check(cond, msg):
    if not cond:
        print(f"FAIL  {msg}", flush=True)
        sys.exit(1)
    ok(msg)


def bootstrap_pids(only_bootstrap=False):
    """Host processes started for a self-test function (found by their Lambda environment; curl children too)."""
    pids = []
    for p in os.listdir("/proc"):
        try:
            if (p.isdigit() and f"AWS_LAMBDA_FUNCTION_NAME={PREFIX}".encode() in open(f"/proc/{p}/environ", "rb").read()
                    and (not only_bootstrap or b"/bootstrap" in open(f"/proc/{p}/cmdline", "rb").read())):
                pids.append(int(p))
        except OSError:
            pass
    return pids


if "--after-stop" in sys.argv:
    left = bootstrap_pids()
    check(not left, f"no bootstrap process left after LocalStack stopped (found {left})")
    sys.exit(0)

import boto3  # noqa: E402  (only needed for the main checks)

endpoint = os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566"
kw = dict(endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"),
          aws_access_key_id="test", aws_secret_access_key="test")
lam, sqs, iam, logs = (boto3.client(s, **kw) for s in ("lambda", "sqs", "iam", "logs"))
run = uuid.uuid4().hex[:6]
fn = f"{PREFIX}-{run}"
out_dir = tempfile.mkdtemp(prefix=f"{fn}-")
print(f"endpoint {endpoint}, function {fn}, events in {out_dir}")


def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable, as `zip` of a chmod +x file would store it
            z.writestr(info, data)
    return buf.getvalue()


def invoke(name, event):
    t = time.perf_counter()
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return r, json.loads(r["Payload"].read() or b"null"), (time.perf_counter() - t) * 1000


def create(name, code, arch="x86_64"):
    t = time.perf_counter()
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="bootstrap", Role=role,
                        Architectures=[arch], Timeout=2, Code={"ZipFile": code},
                        Environment={"Variables": {"OUT_DIR": out_dir}})
    while lam.get_function(FunctionName=name)["Configuration"]["State"] == "Pending":
        time.sleep(0.05)
    return lam.get_function(FunctionName=name)["Configuration"], (time.perf_counter() - t) * 1000


role = iam.create_role(RoleName=fn, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
cleanup = []
try:
    print("1. create-function")
    conf, ms = create(fn, zipped({"bootstrap": BOOTSTRAP}))
    cleanup.append(lambda: lam.delete_function(FunctionName=fn))
    check(conf["State"] == "Active", f"state {conf['State']} after {ms:.0f} ms ({conf.get('StateReason', '')})")

    print("2. invoke RequestResponse")
    event = {"hello": "world", "n": [1, 2, 3]}
    r, body, cold = invoke(fn, event)
    check(body == event and "FunctionError" not in r, f"echoed the event (cold {cold:.0f} ms)")
    warm = [invoke(fn, {"i": i})[2] for i in range(30)]
    ok(f"warm p50 {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms (30 sequential: {' '.join(f'{w:.0f}' for w in warm)})")
    _, body, _ = invoke(fn, {"mode": "env"})
    env = body["env"]
    check(env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:") and env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
          and env["AWS_REGION"] and env["AWS_ACCESS_KEY_ID"] and os.path.isdir(env["HOME"]) and os.path.isdir(env["TMPDIR"])
          and body["cwd"] == env["LAMBDA_TASK_ROOT"],
          f"env: AWS_ENDPOINT_URL={env['AWS_ENDPOINT_URL']} RUNTIME_API={env['AWS_LAMBDA_RUNTIME_API']} "
          f"HOME={env['HOME']} TMPDIR={env['TMPDIR']} cwd=LAMBDA_TASK_ROOT")

    lam.update_function_configuration(FunctionName=fn, Environment={"Variables": {"OUT_DIR": out_dir, "MARK": run}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=fn, WaiterConfig={"Delay": 1})
    check(invoke(fn, {"mode": "env"})[1]["env"].get("MARK") == run, "update-function-configuration reaches new environments")

    print("3. function error")
    r, body, _ = invoke(fn, {"mode": "fail"})
    check(r.get("FunctionError") == "Unhandled" and body["errorType"] == "TestError", f"FunctionError {r.get('FunctionError')}: {body}")

    print("4. timeout and crash")
    r, body, ms = invoke(fn, {"mode": "sleep", "seconds": 30})
    check(r.get("FunctionError") and body["errorType"] == "Sandbox.Timedout" and ms < 5000, f"{body['errorMessage']} ({ms:.0f} ms)")
    r, body, ms = invoke(fn, {"after": "timeout"})
    check(body == {"after": "timeout"}, f"next invoke works (re-init, {ms:.0f} ms)")
    r, body, _ = invoke(fn, {"mode": "crash"})
    check(r.get("FunctionError") and body["errorType"] == "Runtime.ExitError", f"crash: {body['errorMessage']}")
    check(invoke(fn, {"after": "crash"})[1] == {"after": "crash"}, "next invoke after the crash works")

    print("5. SQS event-source mapping with ReportBatchItemFailures")
    dlq = sqs.create_queue(QueueName=f"{fn}-dlq")["QueueUrl"]
    cleanup.append(lambda: sqs.delete_queue(QueueUrl=dlq))
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    q = sqs.create_queue(QueueName=fn, Attributes={"VisibilityTimeout": "1", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    cleanup.append(lambda: sqs.delete_queue(QueueUrl=q))
    q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    esm = lam.create_event_source_mapping(EventSourceArn=q_arn, FunctionName=fn, BatchSize=10,
                                          MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    cleanup.insert(0, lambda: lam.delete_event_source_mapping(UUID=esm["UUID"]))
    sqs.send_message_batch(QueueUrl=q, Entries=[{"Id": b, "MessageBody": b} for b in ("ok-1", "ok-2", "fail-1")])
    t, deadline, moved = time.time(), time.time() + 60, []
    while time.time() < deadline and not moved:
        moved = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
    seen = {}
    for f in os.listdir(out_dir):
        ev = json.load(open(os.path.join(out_dir, f)))
        for rec in ev.get("Records", []) if isinstance(ev, dict) else []:
            seen[rec["body"]] = seen.get(rec["body"], 0) + 1
    check([m["Body"] for m in moved] == ["fail-1"], f"failed item reached the DLQ after {time.time() - t:.1f} s; deliveries {seen}")
    check(seen.get("ok-1") == 1 and seen.get("ok-2") == 1 and seen.get("fail-1", 0) >= 2,
          "ok items delivered once (deleted), the failed one redelivered until maxReceiveCount")

    print("6. 20 concurrent invokes")
    t = time.perf_counter()
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda i: invoke(fn, {"c": i}), range(20)))
    good = sum(1 for r, body, _ in results if "FunctionError" not in r and body in ({"c": i} for i in range(20)))
    check(good == 20, f"{good}/20 succeeded in {(time.perf_counter() - t) * 1000:.0f} ms; bootstrap processes now: {len(bootstrap_pids(True))}")

    print("7. listeners")
    port = invoke(fn, {"mode": "env"})[1]["env"]["AWS_LAMBDA_RUNTIME_API"].split(":")[1]
    ss = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout.splitlines()
    api = [line.split()[3] for line in ss if line.split()[3].endswith(":" + port)]
    check(api == [f"127.0.0.1:{port}"], f"a live Runtime API server listens on {api}")
    py = [line.split()[3] for line in ss if "python" in line]
    wide = [a for a in py if not a.startswith(("127.", "[::1]", "[::ffff:127."))]
    check(not wide, f"{len(py)} python listeners, none beyond loopback {wide or ''}")

    print("8. logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{fn}")["logStreams"]
    text = "".join(e["message"] for s in streams for e in logs.get_log_events(
        logGroupName=f"/aws/lambda/{fn}", logStreamName=s["logStreamName"])["events"])
    check("START RequestId" in text and "got " in text and "failing on demand" in text,
          f"CloudWatch Logs has function output ({len(streams)} streams)")

    print("9. arm64 binary on this host")
    elf = bytearray(open("/bin/true", "rb").read())
    elf[18:20] = (183).to_bytes(2, "little")  # e_machine = EM_AARCH64
    conf, ms = create(fn + "-arm", zipped({"bootstrap": bytes(elf)}), arch="arm64")
    cleanup.append(lambda: lam.delete_function(FunctionName=fn + "-arm"))
    ok(f"second function Active after {ms:.0f} ms")
    r, body, _ = invoke(fn + "-arm", {})
    check(r.get("FunctionError") and "Exec format error" in body["errorMessage"], f"arm64 fails clearly: {body}")
    print(f"all checks passed; bootstrap processes still alive (until LAMBDA_KEEPALIVE_MS): {len(bootstrap_pids(True))}")
finally:
    for c in cleanup:
        try:
            c()
        except Exception as e:  # keep cleaning
            print("cleanup:", e)
    iam.delete_role(RoleName=fn)
    shutil.rmtree(out_dir, ignore_errors=True)
