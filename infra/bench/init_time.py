"""Init time of one function binary under a minimal Lambda Runtime API emulator.

Starts the `bootstrap` N times as Lambda would (AWS_LAMBDA_RUNTIME_API and the
function's environment set), and measures:
  init   - process start until the runtime's first GET /invocation/next (Lambda's Init phase)
  first  - that first invocation: event handed over until the response is posted
It serves the function one event (default events/get-product.json). Point it at the
local stack (source .local/env) so the first invocation reaches DynamoDB.
Usage: python infra/bench/init_time.py BOOTSTRAP [N] [EVENT]

Instructions instead of time (repeatable whatever else the machine does): with
INIT_TIME_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p" each run is
wrapped, stopped with SIGTERM once it asks for its first event (so the profile holds the
Init phase only), and callgrind's totals are read with `callgrind_annotate`.
"""

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Emulator:
    def __init__(self, event: bytes, init_only=False):
        self.event = event
        self.init_only = init_only
        self.first_next = threading.Event()
        self.responded = threading.Event()
        self.t_next = self.t_response = 0.0
        self.served = False
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_):
                pass

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    self.send_error(404)
                    return
                if emulator.served or emulator.init_only:
                    if not emulator.first_next.is_set():
                        emulator.t_next = time.perf_counter()
                        emulator.first_next.set()
                    # Only one invocation per run (none when measuring Init alone):
                    # park the runtime until we stop it.
                    time.sleep(30)
                    return
                emulator.served = True
                emulator.t_next = time.perf_counter()
                emulator.first_next.set()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", "bench-request")
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(emulator.event)))
                self.end_headers()
                self.wfile.write(emulator.event)

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                emulator.t_response = time.perf_counter()
                emulator.response = body
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                emulator.responded.set()

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # the parked /next connection is cut when the run kills the process

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"


WRAPPER = os.environ.get("INIT_TIME_WRAPPER", "").split()


def function_env(runtime_api):
    """The environment Lambda gives a function, its Runtime API at `runtime_api` and its AWS
    calls at the local stack's endpoints when they are set."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "TABLE_NAME": os.environ.get("TABLE_NAME", "bench-table"),
        "RUST_LOG": "warn",
    }
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run_once(bootstrap, event):
    emu = Emulator(event, init_only=bool(WRAPPER))
    env = function_env(emu.address)
    t0 = time.perf_counter()
    proc = subprocess.Popen([*WRAPPER, bootstrap], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if WRAPPER:
        # Init only: stop the process, politely (the profiler writes its data), at its first /next.
        try:
            if not emu.first_next.wait(120):
                raise RuntimeError("the function did not reach the Runtime API in time")
            return emu.t_next - t0, 0.0, None
        finally:
            proc.terminate()
            proc.wait()
            emu.server.shutdown()
    try:
        if not emu.first_next.wait(10) or not emu.responded.wait(30):
            raise RuntimeError("the function did not reach the Runtime API in time")
        status = json.loads(emu.response).get("statusCode")
        return emu.t_next - t0, emu.t_response - emu.t_next, status
    finally:
        proc.kill()
        proc.wait()
        emu.server.shutdown()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bootstrap = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    event = Path(sys.argv[3] if len(sys.argv) > 3 else ROOT / "events" / "get-product.json").read_bytes()
    inits, firsts, statuses = [], [], set()
    for _ in range(n):
        init, first, status = run_once(bootstrap, event)
        inits.append(init * 1000)
        firsts.append(first * 1000)
        statuses.add(status)
    q = lambda xs, p: round(sorted(xs)[min(len(xs) - 1, int(len(xs) * p / 100))], 1)
    print(json.dumps({
        "bootstrap": bootstrap, "bytes": os.path.getsize(bootstrap), "runs": n,
        "init_ms": {"p50": q(inits, 50), "p99": q(inits, 99), "min": round(min(inits), 1)},
        "first_invocation_ms": {"p50": q(firsts, 50), "p99": q(firsts, 99)},
        "statuses": sorted(s for s in statuses if s is not None),
    }, indent=2))


if __name__ == "__main__":
    main()
