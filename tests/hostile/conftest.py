from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.helpers import SECRET_ENV


@pytest.fixture(autouse=True)
def registry_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hostile test runs with registry credentials set, so any leak is visible."""
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def schema_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write ``{name: document-or-text}`` as ``name.json`` into a fresh folder."""
    counter = {"n": 0}

    def write(schemas: dict[str, Any], name: str | None = None) -> Path:
        counter["n"] += 1
        folder = tmp_path / (name or f"src{counter['n']}")
        folder.mkdir(parents=True, exist_ok=True)
        for stem, document in schemas.items():
            if isinstance(document, bytes):
                data = document
            elif isinstance(document, str):
                data = document.encode()
            else:
                data = json.dumps(document).encode()
            (folder / f"{stem}.json").write_bytes(data)
        return folder

    return write


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory, so a stray relative read or write would land here."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder
    os.chdir(tmp_path)


class RecordingServer:
    """A loopback HTTP server that answers everything with a schema and records each hit."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits: list[str] = []
        requests: list[tuple[str, dict[str, str]]] = []
        self.hits = hits
        self.requests = requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                hits.append(self.path)
                requests.append((self.path, dict(self.headers.items())))
                body = b'{"type": "object", "properties": {"FETCHED_MARKER": {"type": "string"}}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def recording_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def gen_versions(tmp_path_factory):
    """Two schema versions and their complete reference packages (package name ``models``).

    Returns ``(sources, references, durations)``: folder, files and cold-run seconds per version.
    """
    import time

    from tests.hostile.helpers import package_files, run_module, small_schema_set, write_files

    root = tmp_path_factory.mktemp("versions")
    sources = {v: write_files(root / f"v{v}", small_schema_set(v)) for v in (1, 2)}
    references = {}
    durations = {}
    for version, source in sources.items():
        out = root / f"ref{version}" / "models"
        started = time.monotonic()
        completed = run_module(["gen", str(source), "--out", str(out), "--package", "models"])
        durations[version] = time.monotonic() - started
        assert completed.returncode == 0, completed.stderr
        references[version] = package_files(out)
    assert references[1] != references[2]
    return sources, references, durations


@pytest.fixture(scope="session")
def hostile_registry(tmp_path_factory):
    """A real docker-registry holding one pushed artifact (v1 of the small schema set)."""
    import shutil

    from tests.hostile.helpers import invoke, small_schema_set, write_files
    from tests.registry import start_registry

    if shutil.which("docker-registry") is None:
        message = "docker-registry is not installed (apt-get install -y docker-registry)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("hostile-registry")
    registry = start_registry(root / "registry")
    try:
        source = write_files(root / "schemas", small_schema_set(1))
        pushed = {}
        with pytest.MonkeyPatch.context() as patch:
            for name in ("TC_CONTRACTS_REGISTRY_PASSWORD", "TC_CONTRACTS_REGISTRY_TOKEN"):
                patch.delenv(name, raising=False)
            for tag in ("1.0.0", "2.0.0"):
                if tag == "2.0.0":
                    source = write_files(root / "schemas2", small_schema_set(2))
                result = invoke(
                    ["push", str(source), f"{registry.host}/hostile/contracts:{tag}", "--insecure"]
                )
                assert result.exit_code == 0, result.stderr
                pushed[tag] = result.stdout.strip()
        yield registry, pushed
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def fault_proxy(hostile_registry):
    from tests.hostile.faultproxy import FaultProxy

    registry, _ = hostile_registry
    proxy = FaultProxy(registry.host)
    yield proxy
    proxy.close()
