"""Real registries for the OCI tests: Debian's docker-registry on 127.0.0.1, port 0.

Two session-scoped registries: plain HTTP without auth, and TLS (self-signed) with
htpasswd (bcrypt) basic auth. A test that must stop its registry starts its own.
Under ``CI=true`` a missing binary fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tc_contracts_py.cli import cli
from tests.oci.token_service import TokenService
from tests.registry import LocalRegistry, start_registry

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SCHEMAS = ROOT / "fixtures" / "schemas" / "zod-to-json-schema"
SECRET_ENV = (
    "TC_CONTRACTS_REGISTRY_USERNAME",
    "TC_CONTRACTS_REGISTRY_PASSWORD",
    "TC_CONTRACTS_REGISTRY_TOKEN",
    "TC_CONTRACTS_REGISTRY_HOST",
    "TC_CONTRACTS_CACHE_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "DOCKER_CONFIG",
)


def _require(binary: str) -> None:
    if shutil.which(binary) is None:
        message = f"{binary} is not installed (apt-get install -y {binary})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    _require("docker-registry")
    started = start_registry(tmp_path_factory.mktemp("registry"))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def tls_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    _require("docker-registry")
    _require("openssl")
    started = start_registry(tmp_path_factory.mktemp("registry-tls"), tls=True, auth=True)
    yield started
    started.stop()


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[LocalRegistry]:
    """A registry only this test uses, so it may stop it."""
    _require("docker-registry")
    started = start_registry(tmp_path / "own-registry")
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No developer credentials, CA bundles or caches leak in; the cache is per test."""
    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    docker = tmp_path / "docker-config"
    docker.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    cache = tmp_path / "cache"
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def repo(request: pytest.FixtureRequest) -> str:
    """A repository name unique to the test (tags and blobs live for the whole session)."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    return f"tests/{name}"


@pytest.fixture
def schemas() -> Path:
    folder = FIXTURE_SCHEMAS / "1.0.0"
    if not folder.is_dir():
        pytest.fail(f"fixture schemas missing at {folder}")
    return folder


@pytest.fixture
def run() -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def bearer_registry(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalRegistry, TokenService]]:
    """A registry that only accepts bearer tokens from a token service, GHCR-style."""
    _require("docker-registry")
    _require("openssl")
    root = tmp_path_factory.mktemp("registry-bearer")
    service = TokenService(root / "token-service")
    token_auth = service.start()
    try:
        started = start_registry(root / "registry", token_auth=token_auth)
    except BaseException:
        service.stop()
        raise
    yield started, service
    started.stop()
    service.stop()
