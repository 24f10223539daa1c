"""Instructions per warm request of one function binary, counted by callgrind.

Runs the `bootstrap` under `valgrind --tool=callgrind` and a minimal Lambda Runtime API
emulator twice: once serving 1 event, once serving 1 + N; each run is stopped (SIGTERM, so
callgrind writes its profile) when the function asks for the event after its last. The
difference of the two totals over N is what one warm request costs, Init and the first
(cold) request cancelling out. Instructions, not time: repeatable whatever else the machine
does. With the local stack up (`source .local/env`) the requests reach DynamoDB.

Usage: python infra/bench/request_cost.py BOOTSTRAP [N] [EVENT]   (N = 20, EVENT =
events/get-product.json). `--annotate` also prints callgrind_annotate's top functions of the
1 + N run (build with line tables for names: CARGO_PROFILE_RELEASE_STRIP=false
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from init_time import function_env  # noqa: E402  (the same function environment)


class Emulator:
    """Serves `count` invocations of `event`, then parks the runtime's next `/next`."""

    def __init__(self, event: bytes, count: int):
        self.done = threading.Event()
        self.statuses = []
        served = [0]
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_):
                pass

            def do_GET(self):
                if served[0] >= count:
                    emulator.done.set()
                    time.sleep(60)  # parked until the run stops the process
                    return
                served[0] += 1
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", f"bench-{served[0]}")
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60_000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:000000000000:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(event)))
                self.end_headers()
                self.wfile.write(event)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    emulator.statuses.append(json.loads(body).get("statusCode"))
                except ValueError:
                    emulator.statuses.append(None)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # the parked /next connection is cut when the run stops the process

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"


def run(bootstrap, event, count, out_file):
    """Total instructions of a run serving `count` invocations, and their statuses."""
    emu = Emulator(event, count)
    env = function_env(emu.address)
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", bootstrap],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not emu.done.wait(600):
            raise RuntimeError(f"the function did not take {count} event(s) in time")
    finally:
        proc.terminate()
        proc.wait()
        emu.server.shutdown()
    totals = re.search(r"^summary: (\d+)", Path(out_file).read_text(errors="replace"), re.M)
    if not totals:
        raise RuntimeError(f"no summary in {out_file}")
    return int(totals.group(1)), emu.statuses


def main():
    args = [a for a in sys.argv[1:] if a != "--annotate"]
    if not args:
        sys.exit(__doc__)
    bootstrap = args[0]
    n = int(args[1]) if len(args) > 1 else 20
    event = Path(args[2] if len(args) > 2 else ROOT / "events" / "get-product.json").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        one, first_status = run(bootstrap, event, 1, f"{tmp}/one.out")
        many, statuses = run(bootstrap, event, 1 + n, f"{tmp}/many.out")
        print(json.dumps({
            "bootstrap": bootstrap, "bytes": os.path.getsize(bootstrap), "warm_requests": n,
            "instructions": {"init_and_first_request": one, "per_warm_request": round((many - one) / n)},
            "statuses": sorted({s for s in first_status + statuses if s is not None}),
        }, indent=2))
        if "--annotate" in sys.argv:
            out = subprocess.run(["callgrind_annotate", "--inclusive=no", f"{tmp}/many.out"],
                                 capture_output=True, text=True).stdout
            print("\n".join(out.splitlines()[:60]))


if __name__ == "__main__":
    main()
