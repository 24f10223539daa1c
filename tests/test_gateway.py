"""The local gateway takes a burst of connections as API Gateway does: every one answered,
none reset, refused or left waiting on a full accept queue (see GatewayServer in gateway.py)."""

import shutil
import socket
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from conftest import API

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
