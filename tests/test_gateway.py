"""The local gateway behaves as API Gateway does: it takes a burst of connections, every one answered,
none reset, refused or left waiting on a full accept queue (see GatewayServer in gateway.py); it
answers a method no route has with API Gateway's 404; it never invokes a function twice for one request."""

import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
import pytest
import requests

from conftest import API, ROOT

GATEWAY = urlsplit(API)
CLIENTS = 300


def _get(path, timeout):
    """One GET on a connection of its own; the status, or the error's name."""
    try:
        with socket.create_connection((GATEWAY.hostname, GATEWAY.port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {GATEWAY.netloc}\r\nConnection: close\r\n\r\n".encode())
            response = b""
            while chunk := s.recv(65536):
                response += chunk
        return int(response.split(b" ", 2)[1])
    except (OSError, IndexError, ValueError) as exc:
        return type(exc).__name__


def test_a_burst_of_concurrent_connections_is_all_answered():
    # Both are answered by the gateway itself, with no function behind them. With socketserver's
    # default backlog of 5, about half of such a burst was still unanswered after 5 s.
    paths, expected = ["/_local/routes", "/no/such/route"], [200, 404]
    start = threading.Barrier(CLIENTS)

    def one(i):
        start.wait(timeout=60)
        return _get(paths[i % 2], timeout=5)

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(one, range(CLIENTS)))
    failed = [r for i, r in enumerate(results) if r != expected[i % 2]]
    assert not failed, f"{len(failed)} of {CLIENTS} concurrent requests failed: {sorted(set(map(str, failed)))}"


@pytest.mark.skipif(not shutil.which("ss"), reason="needs ss (iproute2)")
def test_the_gateway_listens_with_a_deep_backlog():
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{GATEWAY.port}"], capture_output=True, text=True,
                               check=True).stdout
    # For a listening socket ss shows the backlog as Send-Q, the third column; the kernel
    # caps what a server asks for at net.core.somaxconn.
    backlogs = [int(line.split()[2]) for line in listening.splitlines()]
    with open("/proc/sys/net/core/somaxconn") as f:
        somaxconn = int(f.read())
    assert backlogs and min(backlogs) >= min(1024, somaxconn), listening


def test_a_method_the_api_does_not_route_is_api_gateways_404():
    """TRACE (or any method no route has) is a route the API lacks: 404 {"message":"Not Found"}."""
    for method in ("TRACE", "PROPFIND"):
        r = requests.request(method, f"{API}/products", timeout=10)
        assert (r.status_code, r.text) == (404, '{"message":"Not Found"}'), (method, r.status_code, r.text)


def test_the_gateway_never_sends_an_invoke_twice():
    """An Invoke that outlives the client's read timeout is not sent again (API Gateway never
    re-invokes). A slow endpoint on loopback plays Lambda and counts the requests it gets."""
    sys.path.insert(0, str(ROOT / "infra/local/gateway"))
    import gateway

    requests_seen = []

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):
            requests_seen.append(self.path)
            time.sleep(2)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
                              region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                              config=gateway.client_config(read_timeout=0.5))
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            client.invoke(FunctionName="slow", Payload=b"{}")
        time.sleep(2.5)  # a retry would have arrived by now
        assert len(requests_seen) == 1, requests_seen
    finally:
        server.shutdown()
        server.server_close()
