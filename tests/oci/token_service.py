"""A small Docker-style token service, so the bearer challenge flow runs against a real registry.

The registry (distribution 2.8, ``auth: token``) answers 401 with
``Bearer realm=…,service=…,scope=…``; a client then asks this service for a JWT. Tokens
are RS256, signed with ``openssl dgst`` by a key whose self-signed certificate travels in
the ``x5c`` header and is the registry's ``rootcertbundle``. Anonymous callers get pull
access; the one known user gets what it asks for; a wrong password gets 401.
"""

from __future__ import annotations

import base64
import http.server
import json
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.registry import TokenAuth


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenService:
    folder: Path
    username: str = "tokenuser"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    service: str = "tc-test-registry"
    issuer: str = "tc-test-issuer"
    requests: list[str] = field(default_factory=list)
    _server: http.server.ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> TokenAuth:
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", str(self.key), "-out", str(self.certificate),
                "-days", "2", "-subj", "/CN=tc-test-token-issuer",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        der = subprocess.run(
            ["openssl", "x509", "-in", str(self.certificate), "-outform", "DER"],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout
        self._x5c = base64.b64encode(der).decode()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service._answer(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        port = self._server.server_address[1]
        return TokenAuth(
            realm=f"http://127.0.0.1:{port}/token",
            service=self.service,
            issuer=self.issuer,
            root_certificate=self.certificate,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    @property
    def key(self) -> Path:
        return self.folder / "token-key.pem"

    @property
    def certificate(self) -> Path:
        return self.folder / "token-cert.pem"

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        self.requests.append(handler.path)
        header = handler.headers.get("Authorization", "")
        subject = ""
        if header:
            expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            if header != f"Basic {expected}":
                handler.send_response(401)
                handler.end_headers()
                return
            subject = self.username
        access = []
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = actions.split(",")
            allowed = wanted if subject else [a for a in wanted if a == "pull"]
            access.append({"type": kind, "name": name, "actions": allowed})
        token = self._sign(subject, access)
        body = json.dumps({"token": token, "expires_in": 300}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _sign(self, subject: str, access: list[dict[str, object]]) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input.encode(),
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout
        return f"{signing_input}.{_b64url(signature)}"
