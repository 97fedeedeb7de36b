"""The pieces on their own: retries, challenges, titles, pins, progress, the local source path."""

from __future__ import annotations

import http.server
import io
import os
import pty
from collections.abc import Iterator
from pathlib import Path

import pytest

from tc_contracts_py.cli import ExitCode
from tc_contracts_py.errors import ConfigError, IntegrityError, RegistryError
from tc_contracts_py.oci.digest import check_digest
from tc_contracts_py.oci.lock import write_pin
from tc_contracts_py.oci.manifest import sanitize_title
from tc_contracts_py.oci.progress import Progress
from tc_contracts_py.oci.transport import Transport, parse_challenge, requests_sent
from tc_contracts_py.sources import SourceOptions
from tests.oci.helpers import file_hashes, serving


class FlakyHandler(http.server.BaseHTTPRequestHandler):
    """Answers 503 ``failures`` times, then 200 with a small body."""

    failures = 0
    seen = 0

    def do_GET(self) -> None:
        type(self).seen += 1
        status = 503 if type(self).seen <= type(self).failures else 200
        body = b"ok" if status == 200 else b"busy"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def flaky_server() -> Iterator[tuple[str, type[FlakyHandler]]]:
    handler = type("Handler", (FlakyHandler,), {"failures": 0, "seen": 0})
    with serving(handler) as url:
        yield f"{url}/x", handler


def test_5xx_is_retried_a_bounded_number_of_times(flaky_server):
    url, handler = flaky_server
    handler.failures = 2
    with Transport(SourceOptions(retries=2)) as transport:
        response = transport.request("GET", url)
    assert response.status_code == 200
    assert handler.seen == 3

    handler.failures, handler.seen = 100, 0
    before = requests_sent()
    with Transport(SourceOptions(retries=2)) as transport:
        response = transport.request("GET", url)
    assert response.status_code == 503
    assert handler.seen == 3
    assert requests_sent() - before == 3


def test_refused_connection_is_retried_then_reported():
    # A port nothing listens on: bind, read the number, close.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = requests_sent()
    with Transport(SourceOptions(retries=1)) as transport, pytest.raises(RegistryError) as caught:
        transport.request("GET", f"http://127.0.0.1:{port}/v2/")
    assert requests_sent() - before == 2
    assert "cannot connect" in str(caught.value)
    assert "2 attempts" in str(caught.value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/x:pull"',
            (
                "bearer",
                {
                    "realm": "https://ghcr.io/token",
                    "service": "ghcr.io",
                    "scope": "repository:org/x:pull",
                },
            ),
        ),
        ('Basic realm="test-realm"', ("basic", {"realm": "test-realm"})),
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"',
            (
                "bearer",
                {
                    "realm": "https://auth.docker.io/token",
                    "service": "registry.docker.io",
                    "scope": "repository:a/b:pull,push",
                },
            ),
        ),
    ],
)
def test_parse_challenge(header, expected):
    assert parse_challenge(header) == expected


@pytest.mark.parametrize(
    ("title", "name"),
    [("A.json", "A.json"), ("schemas/A.json", "A.json"), ("./x/./B.json", "B.json")],
)
def test_layer_titles_become_base_names(title, name):
    assert sanitize_title(title, "here") == name


@pytest.mark.parametrize(
    "title", ["../A.json", "/A.json", "C:/A.json", "a\\b.json", "x/../A.json", ""]
)
def test_layer_titles_that_escape_are_refused(title):
    with pytest.raises(IntegrityError):
        sanitize_title(title, "here")


@pytest.mark.parametrize(
    "value",
    [
        "sha256:" + "A" * 64,
        "sha256:" + "a" * 63,
        "sha512:" + "a" * 64,
        "sha256:../../etc/passwd",
        None,
        64,
    ],
)
def test_only_well_formed_sha256_digests_pass(value):
    with pytest.raises(IntegrityError):
        check_digest(value, "here")


def test_write_pin_keeps_comments_spacing_and_other_tables(tmp_path):
    path = tmp_path / "pyproject.toml"
    text = (
        '[project]\nname = "x"\n\n'
        "[tool.tc-contracts]\n# the pin\n"
        'artifact   =   "ghcr.io/org/c:1.0.0"   # renovate\n'
        'out = "models"\n\n[tool.other]\na = 1\n'
    )
    path.write_text(text)
    path.chmod(0o640)
    write_pin(path, "ghcr.io/org/c:1.0.0@sha256:" + "a" * 64)
    assert path.read_text() == text.replace(
        '"ghcr.io/org/c:1.0.0"', '"ghcr.io/org/c:1.0.0@sha256:' + "a" * 64 + '"'
    )
    assert path.stat().st_mode & 0o777 == 0o640


def test_write_pin_in_an_inline_table_and_a_standalone_file(tmp_path):
    inline = tmp_path / "pyproject.toml"
    inline.write_text('[tool]\ntc-contracts = { artifact = "h.io/r:1", out = "m" }\n')
    write_pin(inline, "h.io/r:1@sha256:" + "b" * 64)
    assert inline.read_text() == (
        '[tool]\ntc-contracts = { artifact = "h.io/r:1@sha256:' + "b" * 64 + '", out = "m" }\n'
    )
    standalone = tmp_path / "tc-contracts.toml"
    standalone.write_text('artifact = "h.io/r:1"  # pin\n')
    write_pin(standalone, "h.io/r:1@sha256:" + "c" * 64)
    assert standalone.read_text() == 'artifact = "h.io/r:1@sha256:' + "c" * 64 + '"  # pin\n'


def test_write_pin_without_an_artifact_key_is_a_config_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.tc-contracts]\nout = "m"\n')
    with pytest.raises(ConfigError, match="no artifact key"):
        write_pin(path, "h.io/r:1@sha256:" + "c" * 64)
    assert path.read_text() == '[tool.tc-contracts]\nout = "m"\n'


def test_lock_without_a_pin_or_with_a_local_source(tmp_path, run):
    empty = tmp_path / "tc-contracts.toml"
    empty.write_text('out = "m"\n')
    result = run("lock", "--config", empty)
    assert result.exit_code == ExitCode.INPUT
    assert "no `artifact` to lock" in result.stderr
    local = tmp_path / "local.toml"
    local.write_text(f'artifact = "{tmp_path}"\n')
    result = run("lock", "--config", local)
    assert result.exit_code == ExitCode.INPUT
    assert "only OCI references are locked" in result.stderr


def test_progress_draws_only_on_a_terminal_and_only_for_big_blobs():
    quiet = io.StringIO()
    progress = Progress("blob", 5 * 1024 * 1024, stream=quiet)
    progress.advance(5 * 1024 * 1024)
    progress.finish()
    assert quiet.getvalue() == ""

    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as terminal:
            small = Progress("small", 1024 * 1024, stream=terminal)
            small.advance(1024 * 1024)
            small.finish()
            big = Progress("big", 2 * 1024 * 1024, stream=terminal)
            big.advance(2 * 1024 * 1024)
            big.finish()
        drawn = os.read(leader, 4096).decode()
    finally:
        os.close(leader)
        os.close(follower)
    assert "small" not in drawn
    assert "big" in drawn
    assert "2.0 / 2.0 MiB" in drawn
    assert "100%" in drawn


def test_pull_of_a_local_folder_writes_the_same_files(run, schemas, tmp_path):
    result = run("pull", schemas, "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)


def test_pull_without_source_or_pin_is_an_input_error(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("pull")
    assert result.exit_code == ExitCode.INPUT
    assert "no schema source" in result.stderr


def test_cache_dir_precedence_flag_env_config(tmp_path, monkeypatch):
    from tc_contracts_py.cli.common import source_options_from as _options
    from tc_contracts_py.config import ProjectConfig

    config = ProjectConfig(path=tmp_path / "tc-contracts.toml", table={"cache-dir": "from-config"})
    monkeypatch.delenv("TC_CONTRACTS_CACHE_DIR")
    assert _options(config).cache_dir == tmp_path / "from-config"
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "from-env"))
    assert _options(config).cache_dir == tmp_path / "from-env"
    assert _options(config, cache_dir=Path("flag")).cache_dir == Path("flag")


def test_fetch_flags_reach_the_source_options(tmp_path, monkeypatch):
    from tc_contracts_py.cli.common import FetchFlags
    from tc_contracts_py.config import ProjectConfig

    monkeypatch.delenv("TC_CONTRACTS_CACHE_DIR", raising=False)
    monkeypatch.delenv("TC_CONTRACTS_INSECURE", raising=False)
    config = ProjectConfig(path=tmp_path / "tc-contracts.toml", table={"cache-dir": "cfg"})
    assert FetchFlags().source_options(config).cache_dir == tmp_path / "cfg"
    flags = FetchFlags(offline=True, cache_dir=Path("flag"), insecure=True, timeout=7.0)
    options = flags.source_options(
        config, frozen=True, command_line_source="registry.example:5000/c/s:1.0.0"
    )
    assert (options.offline, options.frozen, options.insecure) == (True, True, True)
    assert (options.cache_dir, options.connect_timeout) == (Path("flag"), 7.0)
    assert options.command_line_host == "registry.example:5000"
