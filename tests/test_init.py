"""A function that lacks a setting it needs fails at init, naming it — never at request
time. The deployed `get-product` bootstrap is started as Lambda would start it, under a
minimal Runtime API on 127.0.0.1, without TABLE_NAME: it must report an init error that
names the variable, and never ask for an event."""

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT

BOOTSTRAP = ROOT / ".local" / "functions" / "get-product" / "bootstrap"


class RuntimeApi:
    def __init__(self):
        self.init_error = None
        self.asked_for_event = False
        self.done = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_GET(self):  # /runtime/invocation/next: a function that got this far passed init
                api.asked_for_event = True
                api.done.set()
                self.send_error(500)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.endswith("/runtime/init/error"):
                    api.init_error = json.loads(body or b"{}")
                self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()
                api.done.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"


def test_a_missing_setting_is_an_init_error_that_names_it():
    if not BOOTSTRAP.exists():
        pytest.fail(f"{BOOTSTRAP} missing: infra/local/up.sh builds it")
    api = RuntimeApi()
    env = {"AWS_LAMBDA_RUNTIME_API": api.address, "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_LAMBDA_FUNCTION_NAME": "init-check", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
           "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "RUST_LOG": "error"}
    proc = subprocess.Popen([str(BOOTSTRAP)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert api.done.wait(20), "the function neither failed its init nor asked for an event"
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        api.server.shutdown()
    output = proc.stdout.read().decode(errors="replace")
    assert not api.asked_for_event, "it passed init without TABLE_NAME"
    assert api.init_error is not None, output
    assert "TABLE_NAME" in json.dumps(api.init_error), api.init_error
    assert proc.returncode != 0
