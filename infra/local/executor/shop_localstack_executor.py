"""LocalStack Lambda runtime executor that runs a custom runtime's `bootstrap` as a host process.

LocalStack's own executor needs Docker; this one serves the Lambda Runtime API itself on 127.0.0.1
and hands invocations straight to the process, so there is no runtime-init and no executor endpoint.
One `_Sandbox` = one bootstrap process + its Runtime API server. A timeout or a crash throws the
sandbox away; the next invoke of the same environment starts a fresh one (as AWS re-inits).
"""
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from ctypes import CDLL
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor

LOG = logging.getLogger(__name__)


class _SnapshotDict(dict):
    """A function's environments, whose `values()` is a snapshot. LocalStack 4.9.2's
    `AssignmentService.get_environment` walks `environments[id].values()` lazily while other
    threads add environments to the same dict (concurrent cold starts of one function, e.g. a
    flash sale's orders), which fails the invoke with `RuntimeError: dictionary changed size during
    iteration` (a 500 from Lambda's Invoke, seen on the local stack on 2026-12-07). `list()` of a
    dict's values is taken in one step under the GIL."""

    def values(self):
        return list(dict.values(self))


def _snapshot_environments():
    from collections import defaultdict

    from localstack.services.lambda_.invocation import assignment

    def get(service):
        envs = service.__dict__.get("_shop_environments")
        if envs is None:
            envs = defaultdict(_SnapshotDict)
            for key, value in service.__dict__.pop("environments", {}).items():
                envs[key] = _SnapshotDict(value)
            service.__dict__["_shop_environments"] = envs
        return envs

    def set_(service, value):
        envs = defaultdict(_SnapshotDict)
        for key, inner in value.items():
            envs[key] = _SnapshotDict(inner)
        service.__dict__["_shop_environments"] = envs

    # A data descriptor on the class wins over the instance's own attribute, so services made
    # before this module was imported get it too.
    assignment.AssignmentService.environments = property(get, set_)


_snapshot_environments()
API = "/2018-06-01/runtime"
_libc = CDLL(None, use_errno=True)


def _die_with_localstack():
    # PR_SET_PDEATHSIG: if LocalStack is SIGKILLed (stop scripts escalate), the bootstrap dies too;
    # it runs in its own session, so killing LocalStack's process group would not reach it.
    _libc.prctl(1, int(signal.SIGKILL))


# PDEATHSIG fires when the *thread* that forked exits, so every fork happens on this one
# long-lived worker thread, never on LocalStack's short-lived invocation threads.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="host-lambda-spawn")


def _error(request_id, error_type, message):
    # the shape AWS returns for runtime failures; init failures happen before any request id is known
    prefix = f"RequestId: {request_id} " if request_id else ""
    return json.dumps({"errorType": error_type, "errorMessage": f"{prefix}Error: {message}"}).encode()


class _Sandbox:
    def __init__(self, argv, env, cwd, log_path):
        self.ready: Future = Future()  # set at the runtime's first /next (= init done), like AWS
        self.next_q: queue.Queue = queue.Queue()
        self.current: tuple[str, Future] | None = None
        self.lock = threading.Lock()
        self.exit_reason = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())  # port 0: free port, no race
        self.server.daemon_threads, self.server.block_on_close = True, False
        threading.Thread(target=self.server.serve_forever, daemon=True, name="host-lambda-api").start()
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{self.server.server_address[1]}"
        with open(log_path, "ab") as log:
            try:
                self.proc = _SPAWNER.submit(
                    subprocess.Popen, argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=log, start_new_session=True, preexec_fn=_die_with_localstack).result()
            except OSError as e:  # e.g. "[Errno 8] Exec format error" for an arm64 binary
                self.server.server_close()
                raise StatusErrorException(str(e), _error(None, "Runtime.InvalidEntrypoint", str(e)))
        threading.Thread(target=self._watch, daemon=True, name="host-lambda-watch").start()

    def _watch(self):
        code = self.proc.wait()
        with self.lock:
            self.exit_reason = f"signal: {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            payload = _error(None, "Runtime.ExitError", f"Runtime exited with error: {self.exit_reason}")
            if not self.ready.done():
                self.ready.set_exception(StatusErrorException("Runtime exited during init", payload))
            if self.current and not self.current[1].done():
                rid = self.current[0]
                self.current[1].set_result(_error(rid, "Runtime.ExitError", f"Runtime exited with error: {self.exit_reason}"))

    def _handler(self):
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as runtime clients expect
            # headers and body in one buffered write, sent at once: otherwise Nagle + delayed ACK
            # add ~40 ms to every invocation of a keep-alive client (measured warm p50: 93 ms -> 12 ms)
            wbufsize, disable_nagle_algorithm = -1, True

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b'{"status":"OK"}', headers=None):
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != f"{API}/invocation/next":
                    return self._reply(404, b'{"errorType":"NotFound"}')
                if not sandbox.ready.done():
                    sandbox.ready.set_result(True)
                inv = sandbox.next_q.get()
                if inv is None:  # sandbox shutting down: drop the connection
                    self.close_connection = True
                    return
                self._reply(200, inv["payload"].encode(), {
                    "Lambda-Runtime-Aws-Request-Id": inv["invoke-id"],
                    "Lambda-Runtime-Deadline-Ms": str(inv["deadline-ms"]),
                    "Lambda-Runtime-Invoked-Function-Arn": inv["invoked-function-arn"],
                    "Lambda-Runtime-Trace-Id": inv["trace-id"]})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path[len(API) + 1:].split("/")  # invocation/<id>/response|error, init/error
                if parts == ["init", "error"]:
                    if not sandbox.ready.done():
                        sandbox.ready.set_exception(StatusErrorException("Runtime init error", body))
                    return self._reply(202)
                if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
                    return self._reply(404, b'{"errorType":"NotFound"}')
                with sandbox.lock:
                    cur = sandbox.current
                    if not cur or cur[0] != parts[1] or cur[1].done():
                        return self._reply(400, b'{"errorType":"InvalidRequestID"}')
                    if parts[2] == "error" and not body:
                        body = json.dumps({"errorType": self.headers.get("Lambda-Runtime-Function-Error-Type", "Unhandled"), "errorMessage": ""}).encode()
                    cur[1].set_result((parts[2] == "error", body))
                self._reply(202)

        return Handler

    def invoke(self, payload, timeout_s):
        fut: Future = Future()
        with self.lock:
            if self.exit_reason:
                return True, _error(payload["invoke-id"], "Runtime.ExitError", f"Runtime exited with error: {self.exit_reason}")
            self.current = (payload["invoke-id"], fut)
        self.next_q.put({**payload, "deadline-ms": int((time.time() + timeout_s) * 1000)})
        result = fut.result(timeout=timeout_s)  # raises FutureTimeout
        return result if isinstance(result, tuple) else (True, result)

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the whole group: shell scripts' children too
        except (ProcessLookupError, AttributeError):
            pass
        self.next_q.put(None)
        if not self.ready.done():
            self.ready.cancel()
        # shutdown() waits for the 0.5 s poll of serve_forever: do it aside so stopping 50 environments is instant
        threading.Thread(target=lambda: (self.server.shutdown(), self.server.server_close()), daemon=True).start()


class HostRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id, function_version):
        super().__init__(id, function_version)
        self.sandbox: _Sandbox | None = None
        self.stopped = False
        self.lock = threading.Lock()
        self.dir = Path(tempfile.gettempdir()) / "lambda" / "host-executor" / f"{function_version.id.function_name}-{id}"
        self.log_path = self.dir / "output.log"  # bootstrap stdout+stderr of this environment
        self.log_pos = 0  # logs before this offset were already handed to LocalStack (-> CloudWatch)

    def _new_sandbox(self) -> _Sandbox:
        code_dir = str(self.function_version.config.code.get_unzipped_code_location())
        env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": str(self.dir), "TMPDIR": str(self.dir / "tmp")}  # LocalStack passes neither
        env.update({k: str(v) for k, v in self.env_vars.items()})
        env["LAMBDA_TASK_ROOT"] = code_dir  # LocalStack says /var/task, which exists only in a container
        bootstrap = os.path.join(code_dir, "bootstrap")
        if not os.path.isfile(bootstrap):
            raise StatusErrorException("no bootstrap", _error(None, "Runtime.InvalidEntrypoint", f"Couldn't find valid bootstrap(s): [{bootstrap}]"))
        sandbox = _Sandbox([bootstrap], env, code_dir, self.log_path)
        with self.lock:
            self.sandbox = sandbox  # visible to stop() during init (LocalStack's startup timer calls it)
            if self.stopped:
                sandbox.kill()
        try:
            sandbox.ready.result(timeout=config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT)
        except BaseException as e:  # init error, exit during init, startup timeout, stop() during init
            self._discard(sandbox)
            payload = e.payload if isinstance(e, StatusErrorException) else _error(None, "Runtime.Unknown", f"init did not finish: {e!r}")
            tail = " | ".join(self.get_logs().splitlines()[-5:])  # LocalStack logs this message as a warning
            raise StatusErrorException(f"{e or 'init failed'}; {self.log_path} ends: {tail}", payload) from e
        return sandbox

    def _discard(self, sandbox):
        with self.lock:
            if self.sandbox is sandbox:
                self.sandbox = None
        sandbox.kill()

    def start(self, env_vars):
        self.env_vars = env_vars
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        self._new_sandbox()

    def stop(self):
        with self.lock:
            self.stopped, sandbox, self.sandbox = True, self.sandbox, None
        if sandbox:
            sandbox.kill()
        shutil.rmtree(self.dir / "tmp", ignore_errors=True)

    def invoke(self, payload):
        rid, timeout = payload["invoke-id"], self.function_version.config.timeout
        self._log(f"START RequestId: {rid} Version: {self.function_version.id.qualifier}\n")
        started = time.perf_counter()
        try:
            sandbox = self.sandbox or self._new_sandbox()  # re-init after a timeout or crash
            is_error, body = sandbox.invoke(payload, timeout)
            if sandbox.exit_reason:  # crashed mid-invocation: next invoke re-inits
                self._discard(sandbox)
        except StatusErrorException as e:  # (re-)init failed; the invoke reports it as a function error
            is_error, body = True, e.payload
        except FutureTimeout:  # kill the hung process group; the next invoke re-inits
            self._discard(sandbox)
            is_error, body = True, _error(rid, "Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds")
        ms = (time.perf_counter() - started) * 1000
        self._log(f"END RequestId: {rid}\nREPORT RequestId: {rid}\tDuration: {ms:.2f} ms\tBilled Duration: {int(ms) + 1} ms\n")
        return InvocationResult(rid, body, is_error=is_error, logs=self._take_logs())

    def _log(self, line):
        with open(self.log_path, "a") as f:
            f.write(line)

    def _take_logs(self) -> str:
        # stdout/stderr go straight to the file (no pipe), so everything the function wrote before
        # answering is already there: read what is new since the last invocation (incl. init output).
        with open(self.log_path, "rb") as f:
            f.seek(self.log_pos)
            data = f.read()
        self.log_pos += len(data)
        return data.decode(errors="replace")

    def get_logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        # becomes AWS_ENDPOINT_URL / LOCALSTACK_HOSTNAME of the function: LocalStack as seen from the host
        host = config.GATEWAY_LISTEN[0].host
        return "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host

    def get_runtime_endpoint(self) -> str:
        return f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}/_localstack_lambda/{self.id}"

    @classmethod
    def prepare_version(cls, function_version) -> None:
        cfg = function_version.config
        if not cfg.runtime or not cfg.runtime.startswith("provided"):
            raise ValueError(f"host executor runs custom runtimes (provided.al2023/provided.al2) only, not {cfg.runtime or 'container images'}")
        if cfg.layers:
            LOG.warning("host executor ignores layers of %s", function_version.qualified_arn)
        if cfg.architectures and cfg.architectures[0] != "x86_64":
            LOG.warning("%s is %s; this host runs x86_64 binaries only", function_version.qualified_arn, cfg.architectures[0])
        cfg.code.prepare_for_execution()  # unzip to $TMPDIR/lambda/... (keeps the executable bit)

    @classmethod
    def cleanup_version(cls, function_version) -> None:
        pass


class HostRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "host"

    def load(self, *args, **kwargs):
        return HostRuntimeExecutor
