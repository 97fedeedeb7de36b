"""A programmable HTTP server on 127.0.0.1 that records every request it receives.

Each server is its own "host" (``127.0.0.1:PORT``). A route function decides each answer;
an answer may drip its head (status line and headers) or its body one byte at a time, so
a client without an overall deadline would sit through it. ``hung_up`` records that the
client closed the connection while a drip was still going.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]

    @property
    def authorization(self) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == "authorization":
                return value
        return None


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drip: str | None = None  # None, "head" or "body"
    interval: float = 0.5  # a status line and headers then take longer than any test
    drip_seconds: float = 60.0


Route = Callable[[Seen], Answer]


class LoopbackServer:
    def __init__(self, route: Route | None = None) -> None:
        self.route: Route = route or (lambda seen: Answer(404))
        self.seen: list[Seen] = []
        self.hung_up = False
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                if length:
                    self.rfile.read(length)
                seen = Seen(self.command, self.path, dict(self.headers.items()))
                server.seen.append(seen)
                server._respond(self, server.route(seen))
                self.close_connection = True

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = _handle  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self.url = f"http://{self.host}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def authorizations(self) -> list[str]:
        return [seen.authorization for seen in self.seen if seen.authorization]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for_hang_up(self, polls: int = 30) -> bool:
        """The server learns of a hang-up on its next write or two (``interval`` apart)."""
        for _ in range(polls):
            if self.hung_up:
                return True
            time.sleep(0.1)
        return self.hung_up

    def _respond(self, handler: http.server.BaseHTTPRequestHandler, answer: Answer) -> None:
        headers = {"Content-Length": str(len(answer.body)), "Connection": "close", **answer.headers}
        if answer.drip == "head":
            # Long enough that the head never completes within drip_seconds: a client
            # that only has per-read timeouts can only fail when the server gives up.
            headers["X-Drip"] = "a" * int(answer.drip_seconds / answer.interval + 1)
        head = f"HTTP/1.1 {answer.status} Answer\r\n" + "".join(
            f"{key}: {value}\r\n" for key, value in headers.items()
        )
        data = (head + "\r\n").encode() + (b"" if handler.command == "HEAD" else answer.body)
        start = {None: len(data), "head": 0, "body": len(head) + 2}[answer.drip]
        with contextlib.suppress(OSError):
            handler.wfile.write(data[:start])
        deadline = time.monotonic() + answer.drip_seconds
        for index in range(start, len(data)):
            if time.monotonic() > deadline:
                return
            try:
                handler.wfile.write(data[index : index + 1])
                handler.wfile.flush()
            except OSError:
                self.hung_up = True
                return
            time.sleep(answer.interval)
