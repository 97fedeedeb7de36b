"""A stand-in for GitHub's issue-comments API on 127.0.0.1: it keeps comments and records requests."""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeGitHub:
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, auth
    url: str = ""

    def start(self) -> str:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length", "0") or 0)
                return json.loads(self.rfile.read(length)) if length else None

            def _answer(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> None:
                fake.requests.append((self.command, self.path, self.headers.get("Authorization")))

            def do_GET(self) -> None:  # noqa: N802
                self._record()
                self._answer(200, list(fake.comments.values()))

            def do_POST(self) -> None:  # noqa: N802
                self._record()
                number = len(fake.comments) + 1000
                fake.comments[number] = {"id": number, "body": self._body()["body"]}
                self._answer(201, fake.comments[number])

            def do_PATCH(self) -> None:  # noqa: N802
                self._record()
                number = int(self.path.rsplit("/", 1)[-1])
                fake.comments[number]["body"] = self._body()["body"]
                self._answer(200, fake.comments[number])

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
