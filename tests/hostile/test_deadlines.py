"""One deadline per HTTP exchange, covering connect, headers and body (issue #16).

A per-read timeout never fires on a server that drips one byte at a time, so each part of
each exchange a pull or push makes is dripped here by a loopback server: the client must
hang up on its own (the server records that it did, long before its drip would end) and
fail with exit-3 errors that name the deadline. Timeouts are small (0.5 s connect, 1 s read:
twice the drip interval) so the deadline is 1.5 s; the drips last up to 60 s.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tc_contracts_py.errors import IntegrityError, OperationalError
from tc_contracts_py.oci import OCI_MANIFEST
from tc_contracts_py.oci.fetch import pull
from tc_contracts_py.oci.push import build_artifact, push
from tc_contracts_py.oci.transport import MAX_TOKEN_RESPONSE_BYTES
from tc_contracts_py.sources import SourceOptions
from tests.hostile.helpers import assert_no_secret
from tests.hostile.loopback import Answer, LoopbackServer, Seen

REPO = "hostile/drip"
ARTIFACT = build_artifact({"Dripped.json": b'{"type": "object"}'}, version="1.0.0")
FAST = {"connect_timeout": 0.5, "read_timeout": 1.0, "retries": 0, "progress": False}
TOKEN_JSON = {"Content-Type": "application/json"}


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    started = LoopbackServer()
    yield started
    started.close()


def registry_route(server: LoopbackServer, drip: dict[str, str], *, bearer: bool) -> None:
    """A registry serving ``ARTIFACT``; ``drip`` maps a part (manifest, blob, token, upload,
    ping) to ``head`` or ``body``."""

    def answer(part: str, status: int, headers: dict[str, str], body: bytes = b"") -> Answer:
        return Answer(status, headers, body, drip=drip.get(part))

    def route(seen: Seen) -> Answer:
        if seen.path.startswith("/token"):
            return answer("token", 200, TOKEN_JSON, json.dumps({"token": "drip-" * 40}).encode())
        if bearer and not seen.authorization:
            challenge = (
                f'Bearer realm="{server.url}/token",service="drip",scope="repository:x:pull"'
            )
            return Answer(401, {"WWW-Authenticate": challenge})
        if seen.path == "/v2/":
            return answer("ping", 200, {}, b"{}")
        if "/manifests/" in seen.path:
            return answer("manifest", 200, {"Content-Type": OCI_MANIFEST}, ARTIFACT.manifest)
        if seen.method == "HEAD" and "/blobs/" in seen.path:
            return Answer(404)
        if "/blobs/uploads/" in seen.path:
            return answer("upload", 202, {"Location": f"/v2/{REPO}/blobs/uploads/session"})
        if "/blobs/" in seen.path:
            return answer("blob", 200, {}, ARTIFACT.layer)
        return Answer(404)

    server.route = route


def _pull(server: LoopbackServer, tmp_path: Path) -> None:
    reference = f"{server.host}/{REPO}:1.0.0@{ARTIFACT.digest}"
    options = SourceOptions(insecure=True, cache_dir=tmp_path / "cache", **FAST)  # type: ignore[arg-type]
    pull(reference, options, tmp_path / "out")


def _push(server: LoopbackServer, tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "Dripped.json").write_text('{"type": "object"}')
    options = SourceOptions(insecure=True, **FAST)  # type: ignore[arg-type]
    push(folder, f"{server.host}/{REPO}:1.0.0", options)


CASES: dict[str, tuple[dict[str, str], bool, Callable[[LoopbackServer, Path], None]]] = {
    "manifest-head": ({"manifest": "head"}, False, _pull),
    "manifest-body": ({"manifest": "body"}, False, _pull),
    "blob-head": ({"blob": "head"}, False, _pull),
    "blob-body": ({"blob": "body"}, False, _pull),
    "challenge-head": ({}, True, _pull),  # replaced below: the 401 itself drips
    "token-head": ({"token": "head"}, True, _pull),
    "token-body": ({"token": "body"}, True, _pull),
    "ping-head": ({"ping": "head"}, False, _push),
    "upload-head": ({"upload": "head"}, False, _push),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_dripping_server_is_abandoned_at_the_exchange_deadline(case, server, tmp_path):
    drip, bearer, operation = CASES[case]
    registry_route(server, drip, bearer=bearer)
    if case == "challenge-head":
        inner = server.route

        def dripped_challenge(seen: Seen) -> Answer:
            answer = inner(seen)
            if answer.status != 401:
                return answer
            return Answer(answer.status, answer.headers, answer.body, drip="head")

        server.route = dripped_challenge
    with pytest.raises(OperationalError) as caught:
        operation(server, tmp_path)
    message = str(caught.value)
    assert "deadline" in message, message
    assert_no_secret(message)
    assert server.wait_for_hang_up(), "no overall deadline: the client sat through the drip"
    assert not (tmp_path / "out").exists()


def test_a_token_answer_larger_than_the_cap_is_refused(server, tmp_path):
    registry_route(server, {}, bearer=True)
    inner = server.route
    huge = json.dumps({"token": "x" * (MAX_TOKEN_RESPONSE_BYTES + 1)}).encode()

    def route(seen: Seen) -> Answer:
        if seen.path.startswith("/token"):
            return Answer(200, TOKEN_JSON, huge)
        return inner(seen)

    server.route = route
    with pytest.raises(IntegrityError) as caught:
        _pull(server, tmp_path)
    assert f"larger than {MAX_TOKEN_RESPONSE_BYTES} bytes" in str(caught.value)


def test_the_same_registry_answering_promptly_is_pulled(server, tmp_path):
    """The control: the fake registry itself works, so each drip above is what failed."""
    registry_route(server, {}, bearer=True)
    _pull(server, tmp_path)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        ".tc-schema-pull",
        "Dripped.json",
    ]


class HandshakeDripper:
    """A TCP server that answers a TLS ClientHello with a record header, then one byte at a time."""

    def __init__(self) -> None:
        import socket
        import threading

        self.hung_up = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host = f"127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import time

        with contextlib.suppress(OSError):
            connection, _ = self._listener.accept()
            with connection:
                # A handshake record announcing 16 KiB, then a byte every 0.3 s (faster
                # than the 0.5 s connect timeout that urllib3 applies to each handshake read).
                connection.sendall(b"\x16\x03\x03\x40\x00")
                for _ in range(200):
                    time.sleep(0.3)
                    try:
                        connection.sendall(b"\x00")
                    except OSError:
                        self.hung_up = True
                        return

    def close(self) -> None:
        self._listener.close()


def test_a_dripped_tls_handshake_is_abandoned(tmp_path):
    """CPython bounds a whole TLS handshake by the socket timeout (the deadline's sockets are
    only known after it), so this drip ends on that timeout, well before the server stops."""
    server = HandshakeDripper()
    try:
        reference = f"{server.host}/{REPO}:1.0.0@{ARTIFACT.digest}"
        options = SourceOptions(cache_dir=tmp_path / "cache", **FAST)  # type: ignore[arg-type]
        with pytest.raises(OperationalError) as caught:
            pull(reference, options, tmp_path / "out")
        assert "within" in str(caught.value), str(caught.value)
        for _ in range(30):
            if server.hung_up:
                break
            time.sleep(0.1)
        assert server.hung_up, "no overall deadline: the client sat through the handshake"
    finally:
        server.close()
