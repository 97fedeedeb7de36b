"""A fault-injecting HTTP proxy on 127.0.0.1 in front of a real registry.

Each request is matched against the fault rules in order; the first rule that matches and
still has uses left decides what the client gets. Without a match the request is forwarded
unchanged. Faults act on the registry's real answer, so a "truncated blob" is a prefix of
the real blob, and so on.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import http.server
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """``action`` on requests whose ``METHOD path`` matches ``pattern``, ``times`` times.

    Actions: ``status`` (params code, message), ``echo_auth``, ``redirect`` (location),
    ``replace`` (body, content_type), ``corrupt`` (last byte flipped), ``header`` (headers),
    ``reset_after`` / ``truncate_after`` / ``stall_after`` (after bytes; seconds),
    ``reset_now``, ``drip`` (interval, for_seconds), ``slow`` (chunk, interval). Any action may carry
    ``length_delta``: the Content-Length announced differs from the bytes sent by that much.
    """

    pattern: str
    action: str
    times: int | None = 1  # None: every time
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return self.times != 0 and re.search(self.pattern, f"{method} {path}") is not None


@dataclass
class Hit:
    method: str
    path: str
    action: str
    headers: dict[str, str]


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream  # "127.0.0.1:PORT"
        self.faults: list[Fault] = []
        self.hits: list[Hit] = []
        self.require_basic = False
        self.client_hung_up_during_drip = False
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                proxy._handle(self)

            do_HEAD = do_GET  # noqa: N815
            do_PUT = do_GET  # noqa: N815
            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self, *faults: Fault, require_basic: bool = False) -> None:
        with self._lock:
            self.faults = list(faults)
            self.hits = []
            self.require_basic = require_basic
            self.client_hung_up_during_drip = False

    def actions(self) -> list[str]:
        return [hit.action for hit in self.hits]

    # -- request handling ------------------------------------------------------------------

    def _choose(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        headers = {k: v for k, v in handler.headers.items()}
        length = int(headers.get("Content-Length", "0") or 0)
        body_in = handler.rfile.read(length) if length else b""
        if self.require_basic and "Authorization" not in headers:
            self._record(method, path, "challenge", headers)
            _send(handler, 401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {
                "WWW-Authenticate": 'Basic realm="fault-proxy"',
                "Content-Type": "application/json",
            })  # fmt: skip
            return
        fault = self._choose(method, path)
        action = fault.action if fault else "pass"
        self._record(method, path, action, headers)
        params = fault.params if fault else {}
        if action == "status":
            body = json.dumps(
                {"errors": [{"code": "UNAVAILABLE", "message": params.get("message", "fault")}]}
            ).encode()
            _send(handler, params["code"], body, {"Content-Type": "application/json"})
            return
        if action == "echo_auth":
            echoed = headers.get("Authorization", "")
            decoded = ""
            if echoed.lower().startswith("basic "):
                decoded = base64.b64decode(echoed.split(" ", 1)[1]).decode("utf-8", "replace")
            message = f"denied: you sent Authorization: {echoed} i.e. {decoded}"
            body = json.dumps({"errors": [{"code": "DENIED", "message": message}]}).encode()
            _send(handler, params.get("code", 403), body, {"Content-Type": "application/json"})
            return
        if action == "reset_now":
            # RST before any byte of an answer: a connection error the client may retry.
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.connection.close()
            handler.close_connection = True
            return
        if action == "redirect":
            _send(handler, 307, b"", {"Location": params["location"]})
            return
        status, upstream_headers, body = self._forward(method, path, headers, body_in)
        if action == "replace":
            body = params["body"]
            upstream_headers["Content-Type"] = params.get(
                "content_type", upstream_headers.get("Content-Type", "")
            )
            upstream_headers.pop("Docker-Content-Digest", None)
        elif action == "corrupt":
            body = body[:-1] + bytes([body[-1] ^ 0xFF]) if body else body
        elif action == "header":
            upstream_headers.update(params.get("headers", {}))
        length_header = len(body) + params.get("length_delta", 0)
        upstream_headers["Content-Length"] = str(length_header)
        if action in ("reset_after", "truncate_after", "stall_after", "drip", "slow"):
            _send_head(handler, status, upstream_headers)
            self._stream(handler, action, params, body)
            return
        _send_head(handler, status, upstream_headers)
        if method != "HEAD":
            with contextlib.suppress(OSError):
                handler.wfile.write(body)

    def _record(self, method: str, path: str, action: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.hits.append(Hit(method, path, action, headers))

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.upstream, timeout=30)
        forwarded = {
            k: v
            for k, v in headers.items()
            if k.lower() not in ("host", "authorization", "connection")
        }
        connection.request(method, path, body=body or None, headers=forwarded)
        response = connection.getresponse()
        data = response.read()
        kept = {
            k: v
            for k, v in response.getheaders()
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date")
        }
        connection.close()
        return response.status, kept, data

    def _stream(
        self,
        handler: http.server.BaseHTTPRequestHandler,
        action: str,
        params: dict[str, Any],
        body: bytes,
    ) -> None:
        sock = handler.connection
        try:
            if action == "slow":
                chunk, interval = params.get("chunk", 64), params.get("interval", 0.01)
                for start in range(0, len(body), chunk):
                    handler.wfile.write(body[start : start + chunk])
                    time.sleep(interval)
                return
            if action == "drip":
                interval = params.get("interval", 0.5)
                deadline = time.monotonic() + params.get("for_seconds", 60)
                for byte in body:
                    if time.monotonic() > deadline:
                        break
                    try:
                        handler.wfile.write(bytes([byte]))
                    except OSError:
                        self.client_hung_up_during_drip = True
                        return
                    time.sleep(interval)
                return
            cut = params.get("after", len(body) // 2)
            handler.wfile.write(body[:cut])
            if action == "stall_after":
                time.sleep(params.get("seconds", 5))
                return
            if action == "reset_after":
                # SO_LINGER 0: close() sends RST, not FIN: a real "connection reset by peer".
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
                return
            sock.shutdown(socket.SHUT_RDWR)  # truncate_after: a clean early end of stream
        except OSError:
            pass
        finally:
            handler.close_connection = True


def _send_head(
    handler: http.server.BaseHTTPRequestHandler, status: int, headers: dict[str, str]
) -> None:
    handler.send_response_only(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True


def _send(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str],
) -> None:
    _send_head(handler, status, {**headers, "Content-Length": str(len(body))})
    with contextlib.suppress(OSError):
        handler.wfile.write(body)


Matcher = Callable[[str, str], bool]
