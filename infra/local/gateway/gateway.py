"""The local HTTP API: plays API Gateway's HttpApi for the shop on 127.0.0.1.

Community LocalStack has no API Gateway v2, so this small server does its job:
it reads the routes from template.yaml (never a hand-kept list), verifies the JWT
as the HttpApi JWT authorizer would (RS256 signature against the JWKS, issuer,
audience or client_id, expiry), and invokes the route's function through
LocalStack's Lambda Invoke with a real payload-2.0 event.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import boto3
import botocore.exceptions
import jwt
import yaml
from botocore.config import Config


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !If ...) as plain values."""


def _any_tag(loader, _suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_CfnLoader.add_multi_constructor("!", _any_tag)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str  # logical id in template.yaml
    authorized: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def pattern(self) -> re.Pattern:
        regex = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(f"^{regex}$")


def load_routes(template_path: str) -> list[Route]:
    """Every HttpApi event of every function in the template."""
    with open(template_path, encoding="utf-8") as f:
        template = yaml.load(f, Loader=_CfnLoader)
    default_auth = bool(
        template["Resources"].get("ShopApi", {}).get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
    )
    routes = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties", {})
            authorizer = (props.get("Auth") or {}).get("Authorizer")
            authorized = default_auth if authorizer is None else authorizer != "NONE"
            routes.append(Route(props["Method"].upper(), props["Path"], logical_id, authorized))
    return routes


def flatten_claim(value) -> str:
    """API Gateway passes claims as strings; arrays become `[a b]`."""
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Authorizer:
    def __init__(self, issuer: str, audiences: list[str], jwks_url: str):
        self.issuer = issuer
        self.audiences = audiences
        self.jwks = jwt.PyJWKClient(jwks_url, cache_keys=True)

    def claims(self, header: str | None) -> dict | None:
        """The verified claims, or None when the token is missing or invalid."""
        if not header:
            return None
        token = header[7:] if header.lower().startswith("bearer ") else header
        try:
            key = self.jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
                leeway=0,
            )
        except jwt.PyJWTError:
            return None
        # Like the HttpApi authorizer: `aud` must match, else `client_id` (access tokens).
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud] if aud else []
        if auds:
            if not set(auds) & set(self.audiences):
                return None
        elif claims.get("client_id") not in self.audiences:
            return None
        return claims


class Gateway:
    def __init__(self, routes, physical_names, authorizer, lambda_client, function_concurrency=32):
        self.routes = [(r, r.pattern()) for r in routes]
        self.physical_names = physical_names
        self.authorizer = authorizer
        self.lambda_client = lambda_client
        # At most this many invocations of one function at once; the rest wait their turn.
        # Lambda would start an environment per concurrent request within its burst limit;
        # LocalStack's host mode on two cores cannot: a 200-request burst on a cold function
        # started 200 processes at once, and under that storm it timed environments out and
        # killed some mid-invocation (answered 500). The queue bounds the storm; the requests
        # that reach the function still race each other (32 at once on one SKU).
        self.slots = {name: threading.BoundedSemaphore(function_concurrency) for name in set(physical_names.values())}

    def match(self, method: str, path: str):
        for route, pattern in self.routes:
            m = pattern.match(path)
            if m and route.method == method:
                return route, m.groupdict()
        return None, None

    def event(self, route, params, method, raw_path, query, headers, body: bytes, claims):
        now = time.time()
        request_id = str(uuid.uuid4())
        query_params: dict[str, str] = {}
        for k, v in parse_qsl(query, keep_blank_values=True):
            query_params[k] = f"{query_params[k]},{v}" if k in query_params else v
        is_text = True
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            is_text = False
        event = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": raw_path,
            "rawQueryString": query,
            "headers": headers,
            "requestContext": {
                "accountId": "000000000000",
                "apiId": "local",
                "domainName": headers.get("host", "localhost"),
                "domainPrefix": headers.get("host", "localhost").split(".")[0],
                "http": {
                    "method": method,
                    "path": raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": request_id,
                "routeKey": route.route_key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "isBase64Encoded": not is_text,
        }
        if "cookie" in headers:
            event["cookies"] = [c.strip() for c in headers["cookie"].split(";")]
        if query_params:
            event["queryStringParameters"] = query_params
        if params:
            event["pathParameters"] = params
        if body:
            event["body"] = text if is_text else base64.b64encode(body).decode()
        if claims is not None:
            event["requestContext"]["authorizer"] = {
                "jwt": {"claims": {k: flatten_claim(v) for k, v in claims.items()}, "scopes": None}
            }
        return event

    def invoke(self, route, event):
        """Returns (status, headers, body bytes) as API Gateway would shape them."""
        out = self._invoke(self.physical_names[route.function], json.dumps(event).encode())
        payload = out["Payload"].read()
        if out.get("FunctionError"):
            sys.stderr.write(f"function {route.function} failed: {payload[:500]!r}\n")
            return 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}'
        result = json.loads(payload or b"null")
        if not isinstance(result, dict) or "statusCode" not in result:
            # Payload 2.0 lets a function return a bare JSON value: a 200 with that body.
            return 200, {"content-type": "application/json"}, json.dumps(result).encode()
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        return int(result["statusCode"]), headers, data


    def _invoke(self, function_name, payload, attempts=3):
        """One invocation of the function. Nothing is re-sent once the function may have
        seen the event (API Gateway never re-invokes); only an execution environment that
        LocalStack could not start in time is asked for again, since the event never left
        for it. (In AWS an invoke waits for its cold start; here 200 processes starting at
        once on two cores can outlast LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT.)"""
        for attempt in range(1, attempts + 1):
            try:
                with self.slots[function_name]:
                    return self.lambda_client.invoke(FunctionName=function_name, Payload=payload)
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                never_started = (error.get("Code") == "ServiceException"
                                 and "Timeout while starting up lambda environment" in error.get("Message", ""))
                if not never_started or attempt == attempts:
                    raise
                sys.stderr.write(f"gateway: {function_name}'s environment did not start in time; "
                                 f"asking again ({attempt}/{attempts - 1})\n")


class GatewayServer(ThreadingHTTPServer):
    """A thread per connection, like before, and a listen backlog that takes a burst.

    socketserver listens with a backlog of 5: with ~100 clients connecting at once the
    kernel's accept queue overflows and connections stall for seconds or fail, where
    API Gateway takes them all. The kernel caps the backlog at net.core.somaxconn."""

    request_queue_size = 1024
    daemon_threads = True


def make_handler(gateway: Gateway, route_listing: list[dict]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body leave in separate writes, and clients send POST bodies
            # after their headers: without these, Nagle's algorithm meets delayed ACKs
            # and adds ~40 ms to requests (measured with infra/bench/latency.py).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _quick_ack(self):
            if hasattr(socket, "TCP_QUICKACK"):
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

        def _send(self, status, headers, body: bytes):
            self.send_response(status)
            for k, v in headers.items():
                if k not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(k, v)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _message(self, status, message, extra=None):
            # API Gateway's own error body, byte for byte: {"message":"Not Found"}
            body = json.dumps({"message": message}, separators=(",", ":")).encode()
            self._send(status, {"content-type": "application/json", **(extra or {})}, body)

        def _dispatch(self):
            url = urlsplit(self.path)
            self._quick_ack()
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/_local/routes" and self.command == "GET":
                return self._send(200, {"content-type": "application/json"}, json.dumps(route_listing).encode())
            route, params = gateway.match(self.command, url.path)
            if route is None:
                return self._message(404, "Not Found")
            headers = {}
            for k, v in self.headers.items():
                k = k.lower()
                headers[k] = f"{headers[k]},{v}" if k in headers else v
            claims = None
            if route.authorized:
                claims = gateway.authorizer.claims(headers.get("authorization"))
                if claims is None:
                    return self._message(401, "Unauthorized", {"www-authenticate": 'Bearer error="invalid_token"'})
            event = gateway.event(route, params, self.command, url.path, url.query, headers, body, claims)
            try:
                status, out_headers, data = gateway.invoke(route, event)
            except Exception as exc:  # the engine itself failed: API Gateway answers 500 too
                sys.stderr.write(f"invoke {route.function} failed: {exc}\n")
                return self._message(500, "Internal Server Error")
            self._send(status, out_headers, data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

        def __getattr__(self, name):
            # Any other method (TRACE, PROPFIND, ...) is a route the API lacks: API Gateway's
            # 404 {"message":"Not Found"}, not http.server's 501 HTML page.
            if name.startswith("do_"):
                return self._dispatch
            raise AttributeError(name)

        def log_message(self, fmt, *args):
            sys.stderr.write("gateway: " + (fmt % args) + "\n")

    return Handler


def client_config(read_timeout=120):
    """The gateway's AWS clients. API Gateway never re-invokes a function: no retries at all
    (botocore's `max_attempts` counts retries, so `max_attempts: 1` sent an Invoke that outlived
    the read timeout twice, and a buyer told 409 could find an order placed by the second)."""
    return Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout, max_pool_connections=50)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--template", required=True)
    p.add_argument("--stack", required=True, help="CloudFormation stack the template was deployed as")
    p.add_argument("--endpoint", default="http://127.0.0.1:4566", help="LocalStack (Lambda, CloudFormation)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--issuer", required=True)
    p.add_argument("--audience", required=True, action="append")
    p.add_argument("--jwks-url", required=True)
    p.add_argument("--function-concurrency", type=int, default=32,
                   help="invocations of one function at once (the rest queue): see Gateway")
    args = p.parse_args(argv)

    routes = load_routes(args.template)
    cfg = client_config()
    cfn = boto3.client("cloudformation", endpoint_url=args.endpoint, config=cfg)
    resources = cfn.describe_stack_resources(StackName=args.stack)["StackResources"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    missing = sorted({r.function for r in routes} - physical.keys())
    if missing:
        sys.exit(f"gateway: stack {args.stack} lacks functions of the template: {missing}")
    gateway = Gateway(
        routes, physical, Authorizer(args.issuer, args.audience, args.jwks_url),
        boto3.client("lambda", endpoint_url=args.endpoint, config=cfg), args.function_concurrency,
    )
    listing = [{"method": r.method, "path": r.path, "function": r.function, "authorized": r.authorized} for r in routes]
    server = GatewayServer(("127.0.0.1", args.port), make_handler(gateway, listing))
    sys.stderr.write(f"gateway: {len(routes)} routes of {args.template} on http://127.0.0.1:{args.port}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
