"""Credentials go only where they belong (issue #15).

Each credential belongs to one registry host. Servers that are not that host, or that
the host did not name as its token realm, record every ``Authorization`` header they
receive, and must receive none. Each case also shows that the credentials *were* sent
where they belong, so a client that sends nothing at all cannot pass.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tc_contracts_py.errors import OperationalError
from tc_contracts_py.oci.fetch import pull
from tc_contracts_py.sources import SourceOptions
from tests.hostile.faultproxy import Fault, FaultProxy
from tests.hostile.helpers import OPERATIONAL, SECRET, assert_no_secret, assert_refused, invoke
from tests.hostile.loopback import Answer, LoopbackServer, Seen
from tests.oci.token_service import TokenService
from tests.registry import LocalRegistry, start_registry

REPO = "hostile/contracts"
BLOB = r"^GET /v2/hostile/contracts/blobs/sha256:"
USERNAME = "TC_CONTRACTS_REGISTRY_USERNAME"
PASSWORD = "TC_CONTRACTS_REGISTRY_PASSWORD"  # noqa: S105 - a variable name
TOKEN = "TC_CONTRACTS_REGISTRY_TOKEN"  # noqa: S105 - a variable name
HOST = "TC_CONTRACTS_REGISTRY_HOST"
SOURCES = ["env-password", "env-token", "docker-config"]
ZERO_DIGEST = "sha256:" + "0" * 64


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Only what a test gives: no developer Docker config, CA bundle or credential scope."""
    for name in (USERNAME, PASSWORD, TOKEN, HOST, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    docker = tmp_path / "docker-config"
    docker.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "cache"))
    return docker


def give_credentials(source: str, host: str, monkeypatch: pytest.MonkeyPatch, docker: Path) -> None:
    if source == "env-password":
        monkeypatch.setenv(USERNAME, "alice")
        monkeypatch.setenv(PASSWORD, SECRET)
    elif source == "env-token":
        monkeypatch.setenv(TOKEN, SECRET)
    else:
        auth = base64.b64encode(f"alice:{SECRET}".encode()).decode()
        (docker / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))


def carries_secret(authorization: str | None) -> bool:
    if not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        value = base64.b64decode(value).decode("utf-8", "replace")
    return SECRET in value


@pytest.fixture
def proxy(fault_proxy: FaultProxy) -> Iterator[FaultProxy]:
    fault_proxy.reset()
    yield fault_proxy
    fault_proxy.reset()


@pytest.fixture
def other() -> Iterator[LoopbackServer]:
    """Another host: it asks for credentials every way it can and records what it gets."""
    server = LoopbackServer()

    def route(seen: Seen) -> Answer:
        if seen.path.startswith("/token"):
            return Answer(200, {"Content-Type": "application/json"}, b'{"token": "t0ken-other"}')
        return Answer(401, {"WWW-Authenticate": f'Bearer realm="{server.url}/token",service="o"'})

    server.route = route
    yield server
    server.close()


OWN_TOKEN = "Bearer t0ken-other"


def not_its_own(server: LoopbackServer) -> list[str]:
    """The Authorization headers a host received, but for the anonymous token it issued."""
    return [header for header in server.authorizations() if header != OWN_TOKEN]


def basic_challenger(server: LoopbackServer) -> None:
    server.route = lambda seen: Answer(401, {"WWW-Authenticate": 'Basic realm="elsewhere"'})


def _pinned(host: str, digest: str) -> str:
    return f"{host}/{REPO}:1.0.0@{digest}"


# --- (a) a redirect to another host ---------------------------------------------------------


@pytest.mark.registry
@pytest.mark.parametrize("challenge", ["bearer", "basic"])
@pytest.mark.parametrize("source", SOURCES)
def test_blob_redirected_to_a_challenging_host_gets_no_credentials(
    source, challenge, proxy, other, hostile_registry, no_ambient_credentials, monkeypatch, tmp_path
):
    _, pushed = hostile_registry
    if challenge == "basic":
        basic_challenger(other)
    give_credentials(source, proxy.host, monkeypatch, no_ambient_credentials)
    proxy.reset(
        Fault(BLOB, "redirect", None, {"location": f"{other.url}/blob"}), require_basic=True
    )
    result = invoke(
        ["pull", _pinned(proxy.host, pushed["1.0.0"]), "--insecure", "--out", str(tmp_path / "o")]
    )
    assert not_its_own(other) == []
    assert [seen.path for seen in other.seen] == ["/blob"], other.seen
    assert_refused(result, OPERATIONAL, "is not the registry and asks for credentials")
    assert any(carries_secret(hit.headers.get("Authorization")) for hit in proxy.hits)
    assert not (tmp_path / "o").exists()


# --- (b) environment credentials and the host they belong to ------------------------------


def _project(workdir: Path, artifact: str) -> None:
    (workdir / "pyproject.toml").write_text(f'[tool.tc-contracts]\nartifact = "{artifact}"\n')


@pytest.mark.parametrize("challenge", ["bearer", "basic"])
@pytest.mark.parametrize("source", ["env-password", "env-token"])
@pytest.mark.parametrize("command", ["pull", "gen", "lock"])
def test_env_credentials_do_not_follow_a_config_artifact_to_its_host(
    command, source, challenge, other, workdir, no_ambient_credentials, monkeypatch
):
    """A pull request that points ``artifact`` at its own host collects nothing."""
    if challenge == "basic":
        basic_challenger(other)
    give_credentials(source, "unused", monkeypatch, no_ambient_credentials)
    _project(workdir, _pinned(other.host, ZERO_DIGEST))
    args = {"pull": ["pull"], "gen": ["gen", "--out", "models"], "lock": ["lock"]}[command]
    result = invoke([*args, "--insecure"])
    assert_refused(result, OPERATIONAL)
    assert other.seen, "the artifact host was never asked"
    assert not_its_own(other) == []


@pytest.mark.parametrize("source", ["env-password", "env-token"])
def test_env_credentials_bound_by_host_variable_stay_there_whatever_the_command_line_says(
    source, other, no_ambient_credentials, monkeypatch
):
    give_credentials(source, "unused", monkeypatch, no_ambient_credentials)
    monkeypatch.setenv(HOST, "registry.example")
    result = invoke(["pull", _pinned(other.host, ZERO_DIGEST), "--insecure"])
    assert_refused(result, OPERATIONAL)
    assert other.seen
    assert not_its_own(other) == []


@pytest.mark.registry
@pytest.mark.parametrize("source", ["env-password", "env-token"])
def test_env_credentials_reach_the_host_the_variable_names(
    source, proxy, hostile_registry, workdir, no_ambient_credentials, monkeypatch
):
    """The safe way for CI: the scope comes from the environment, the pin from the config."""
    _, pushed = hostile_registry
    give_credentials(source, "unused", monkeypatch, no_ambient_credentials)
    monkeypatch.setenv(HOST, proxy.host)
    _project(workdir, _pinned(proxy.host, pushed["1.0.0"]))
    proxy.reset(require_basic=True)
    result = invoke(["pull", "--insecure"])
    assert result.exit_code == 0, result.stderr
    assert_no_secret(result.stdout, result.stderr)
    assert any(carries_secret(hit.headers.get("Authorization")) for hit in proxy.hits)


@pytest.mark.registry
def test_empty_env_password_falls_back_to_the_docker_config(
    proxy, hostile_registry, no_ambient_credentials, monkeypatch
):
    _, pushed = hostile_registry
    monkeypatch.setenv(USERNAME, "alice")
    monkeypatch.setenv(PASSWORD, "")  # a CI secret that did not resolve
    auth = base64.b64encode(f"docker-user:{SECRET}".encode()).decode()
    (no_ambient_credentials / "config.json").write_text(
        json.dumps({"auths": {proxy.host: {"auth": auth}}})
    )
    proxy.reset(require_basic=True)
    result = invoke(["pull", _pinned(proxy.host, pushed["1.0.0"]), "--insecure"])
    assert result.exit_code == 0, result.stderr
    sent = {hit.headers["Authorization"] for hit in proxy.hits if "Authorization" in hit.headers}
    assert sent == {f"Basic {auth}"}


# --- (c) push: an upload Location on another host --------------------------------------------


@pytest.mark.registry
@pytest.mark.parametrize("source", SOURCES)
def test_push_upload_location_on_another_host_gets_no_credentials(
    source, proxy, other, schema_dir, no_ambient_credentials, monkeypatch
):
    basic_challenger(other)
    give_credentials(source, proxy.host, monkeypatch, no_ambient_credentials)
    folder = schema_dir({"Pushed": {"type": "object", "title": f"location-{source}"}})
    repository = f"hostile/location-{source}"
    proxy.reset(
        Fault(
            rf"^POST /v2/{repository}/blobs/uploads/",
            "header",
            None,
            {"headers": {"Location": f"{other.url}/upload/session?_state=abc"}},
        ),
        require_basic=True,
    )
    result = invoke(["push", str(folder), f"{proxy.host}/{repository}:1.0.0", "--insecure"])
    assert not_its_own(other) == []
    assert [seen.method for seen in other.seen] == ["PUT"], other.seen
    assert_refused(result, OPERATIONAL, "is not the registry")
    assert any(carries_secret(hit.headers.get("Authorization")) for hit in proxy.hits)


# --- (d) and (e): TLS, a plain-http token realm, and --ca-file ---------------------------------


def _require(binary: str) -> None:
    if shutil.which(binary) is None:
        pytest.fail(f"{binary} is not installed (apt-get install -y {binary})")


@dataclasses.dataclass
class TokenRegistries:
    tls: LocalRegistry  # https, its token realm is plain http
    plain: LocalRegistry  # http, the same realm
    realm: LoopbackServer
    other_ca: Path  # a CA that did not sign the TLS registry's certificate


@pytest.fixture(scope="module")
def token_registries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenRegistries]:
    _require("docker-registry")
    _require("openssl")
    root = tmp_path_factory.mktemp("token-registries")
    realm = LoopbackServer(
        lambda seen: Answer(200, {"Content-Type": "application/json"}, b'{"token": "anon"}')
    )
    token_auth = TokenService(root / "issuer").start()  # only its certificate is used
    token_auth = dataclasses.replace(token_auth, realm=f"{realm.url}/token")
    tls = start_registry(root / "tls", tls=True, token_auth=token_auth)
    plain = start_registry(root / "plain", token_auth=token_auth)
    yield TokenRegistries(tls, plain, realm, token_auth.root_certificate)
    tls.stop()
    plain.stop()
    realm.close()


@pytest.mark.registry
@pytest.mark.parametrize("source", SOURCES)
def test_https_registry_with_a_plain_http_realm_gets_no_credentials_sent_in_cleartext(
    source, token_registries, no_ambient_credentials, monkeypatch
):
    registry = token_registries.tls
    give_credentials(source, registry.host, monkeypatch, no_ambient_credentials)
    token_registries.realm.seen.clear()
    result = invoke(
        ["pull", "--ca-file", str(registry.ca_file), _pinned(registry.host, ZERO_DIGEST)]
    )
    assert token_registries.realm.authorizations() == []
    assert_refused(result, OPERATIONAL, "plain http", "not sent in cleartext")


@pytest.mark.registry
def test_plain_http_registry_sends_its_credentials_to_its_plain_http_realm(
    token_registries, no_ambient_credentials, monkeypatch
):
    """The control: with --insecure the registry itself is plain http, so nothing is downgraded."""
    registry = token_registries.plain
    give_credentials("env-password", registry.host, monkeypatch, no_ambient_credentials)
    token_registries.realm.seen.clear()
    result = invoke(["pull", "--insecure", _pinned(registry.host, ZERO_DIGEST)])
    assert_refused(result, OPERATIONAL)
    assert [carries_secret(a) for a in token_registries.realm.authorizations()] == [True]


@pytest.mark.registry
@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_ca_file_wins_over_the_ca_bundle_variables(
    variable, token_registries, no_ambient_credentials, monkeypatch
):
    registry = token_registries.tls
    give_credentials("env-password", registry.host, monkeypatch, no_ambient_credentials)
    monkeypatch.setenv(variable, str(token_registries.other_ca))
    reference = _pinned(registry.host, ZERO_DIGEST)
    # The variable is honoured without --ca-file (and names a CA that does not fit) ...
    assert_refused(invoke(["pull", reference]), OPERATIONAL, "TLS verification failed")
    # ... and --ca-file overrides it: TLS succeeds and the registry's challenge is reached.
    result = invoke(["pull", "--ca-file", str(registry.ca_file), reference])
    assert_refused(result, OPERATIONAL, "plain http")


# --- (f) secrets in URLs ---------------------------------------------------------------------

SIGNATURE = "X-Amz-Signature=5ecret5ignature0123456789abcdef"


@pytest.mark.registry
@pytest.mark.parametrize("style", ["presigned-query", "token-userinfo"])
def test_secrets_in_release_asset_urls_are_redacted_everywhere(
    style, token_registries, tmp_path, caplog
):
    registry = token_registries.tls
    secret_part = SIGNATURE.split("=", 1)[1]
    if style == "presigned-query":
        url = f"https://{registry.host}/asset.tar.gz?X-Amz-Date=20260101T000000Z&{SIGNATURE}"
    else:
        url = f"https://ghp_{secret_part}@{registry.host}/asset.tar.gz"
    url += "#sha256=" + "0" * 64
    result = invoke(["pull", "--ca-file", str(registry.ca_file), url])
    line = assert_refused(result, OPERATIONAL, "not found")
    assert secret_part not in result.stdout + result.stderr, line
    assert ("X-Amz-Signature=***" if style == "presigned-query" else "https://***@") in line

    caplog.set_level(logging.DEBUG)
    with pytest.raises(OperationalError) as caught:
        pull(url, SourceOptions(ca_file=registry.ca_file, cache_dir=tmp_path / "c"))
    assert caplog.text, "nothing was logged, so nothing was tested"
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert secret_part not in text, text
