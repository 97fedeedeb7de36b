"""TLS and credentials against a real registry with htpasswd (bcrypt) basic auth."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from tc_contracts_py.cli import ExitCode
from tc_contracts_py.errors import RegistryError
from tc_contracts_py.oci.fetch import pull
from tc_contracts_py.oci.transport import Credentials, credentials_for
from tc_contracts_py.sources import SourceOptions
from tests.oci.helpers import file_hashes

WRONG_PASSWORD = "Wr0ng-Pa55-xyzzy-4711"


@pytest.fixture
def env_credentials(monkeypatch, tls_registry):
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_USERNAME", tls_registry.username)
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_PASSWORD", tls_registry.password)


@pytest.fixture
def pushed(tls_registry, env_credentials, run, schemas, repo):
    ref = f"{tls_registry.host}/{repo}:1.0.0"
    result = run("push", "--ca-file", tls_registry.ca_file, schemas, ref)
    assert result.exit_code == ExitCode.OK, result.output
    return f"{ref}@{result.stdout.strip()}"


def _without_env_credentials(monkeypatch) -> None:
    monkeypatch.delenv("TC_CONTRACTS_REGISTRY_USERNAME", raising=False)
    monkeypatch.delenv("TC_CONTRACTS_REGISTRY_PASSWORD", raising=False)


def test_push_and_pull_over_tls_with_basic_auth(tls_registry, pushed, run, schemas, tmp_path):
    result = run("pull", "--ca-file", tls_registry.ca_file, pushed, "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.OK, result.output
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)
    assert tls_registry.password not in result.output


def test_untrusted_certificate_names_the_fix(pushed, run):
    result = run("pull", pushed)
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "TLS verification failed" in result.stderr
    # Settings every command and the pytest plugin honour, not one command's flag.
    assert "ca-file in [tool.tc-contracts] or TC_CONTRACTS_CA_FILE" in result.stderr
    assert "--ca-file" not in result.stderr


def test_the_ca_file_variable_and_config_key_are_honoured(
    tls_registry, pushed, run, monkeypatch, tmp_path
):
    monkeypatch.setenv("TC_CONTRACTS_CA_FILE", str(tls_registry.ca_file))
    assert run("pull", pushed).exit_code == ExitCode.OK
    monkeypatch.delenv("TC_CONTRACTS_CA_FILE")
    # A fresh cache, so the config's pull reaches the registry; its host gets the credentials.
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "other-cache"))
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_HOST", tls_registry.host)
    config = tmp_path / "tc-contracts.toml"
    config.write_text(f'artifact = "{pushed}"\nca-file = "{tls_registry.ca_file}"\n')
    result = run("pull", "--config", config)
    assert result.exit_code == ExitCode.OK, result.output


def test_requests_ca_bundle_is_honoured(tls_registry, pushed, run, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_registry.ca_file))
    result = run("pull", pushed)
    assert result.exit_code == ExitCode.OK, result.output


def test_no_credentials_says_how_to_give_them(tls_registry, pushed, run, monkeypatch):
    _without_env_credentials(monkeypatch)
    result = run("pull", "--ca-file", tls_registry.ca_file, pushed)
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "authentication required" in result.stderr
    assert "TC_CONTRACTS_REGISTRY_USERNAME" in result.stderr


def test_wrong_password_never_appears_in_output_logs_or_exceptions(
    tls_registry, pushed, run, monkeypatch, caplog, tmp_path
):
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_PASSWORD", WRONG_PASSWORD)
    # Bound to the registry by the environment, so the library call below sends it too.
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_HOST", tls_registry.host)
    encoded = base64.b64encode(f"{tls_registry.username}:{WRONG_PASSWORD}".encode()).decode()
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TC_SCHEMA_DEBUG", "1")

    result = run("pull", "--ca-file", tls_registry.ca_file, pushed)
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "authentication failed" in result.stderr
    assert "TC_CONTRACTS_REGISTRY_PASSWORD" in result.stderr  # where it came from, not what
    with pytest.raises(RegistryError) as caught:
        pull(pushed, SourceOptions(ca_file=tls_registry.ca_file, cache_dir=tmp_path / "c"))
    for text in (result.output, caplog.text, str(caught.value), repr(caught.value)):
        assert WRONG_PASSWORD not in text
        assert encoded not in text
    credentials = credentials_for(tls_registry.host)
    assert credentials is not None
    assert WRONG_PASSWORD not in repr(credentials)


def test_push_with_wrong_password_sends_no_blob_and_prints_no_secret(
    tls_registry, run, schemas, repo, monkeypatch
):
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_USERNAME", tls_registry.username)
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_PASSWORD", WRONG_PASSWORD)
    result = run(
        "push", "--ca-file", tls_registry.ca_file, schemas, f"{tls_registry.host}/{repo}:1.0.0"
    )
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "authentication failed" in result.stderr
    assert WRONG_PASSWORD not in result.output


def _docker_config(monkeypatch, tmp_path: Path, config: dict) -> Path:
    folder = tmp_path / "docker-config-custom"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    return folder


@pytest.mark.parametrize("key_style", ["host", "https-url"])
def test_credentials_from_docker_config_auths(
    tls_registry, pushed, run, monkeypatch, tmp_path, key_style
):
    _without_env_credentials(monkeypatch)
    auth = base64.b64encode(f"{tls_registry.username}:{tls_registry.password}".encode()).decode()
    key = tls_registry.host if key_style == "host" else f"https://{tls_registry.host}/v2/"
    _docker_config(monkeypatch, tmp_path, {"auths": {key: {"auth": auth}}})
    result = run("pull", "--ca-file", tls_registry.ca_file, pushed)
    assert result.exit_code == ExitCode.OK, result.output


def _credential_helper(tmp_path: Path, name: str, username: str, secret: str) -> Path:
    """A real docker-credential-<name> program, as docker would run it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    program = bin_dir / f"docker-credential-{name}"
    answer = json.dumps({"ServerURL": "", "Username": username, "Secret": secret})
    program.write_text(
        "#!/bin/sh\n"
        '[ "$1" = get ] || exit 1\n'
        "read server\n"
        f'echo "$server" > {tmp_path / (name + ".asked")}\n'
        f"echo '{answer}'\n"
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return bin_dir


@pytest.mark.parametrize("style", ["credHelpers", "credsStore"])
def test_credentials_from_a_credential_helper(
    tls_registry, pushed, run, monkeypatch, tmp_path, style
):
    _without_env_credentials(monkeypatch)
    bin_dir = _credential_helper(tmp_path, "tctest", tls_registry.username, tls_registry.password)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    config = (
        {"credHelpers": {tls_registry.host: "tctest"}}
        if style == "credHelpers"
        else {"credsStore": "tctest"}
    )
    _docker_config(monkeypatch, tmp_path, config)
    result = run("pull", "--ca-file", tls_registry.ca_file, pushed)
    assert result.exit_code == ExitCode.OK, result.output
    assert (tmp_path / "tctest.asked").read_text().strip() == tls_registry.host


def test_token_variable_is_used_as_the_password_for_basic(tls_registry, pushed, run, monkeypatch):
    monkeypatch.delenv("TC_CONTRACTS_REGISTRY_PASSWORD")
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_TOKEN", tls_registry.password)
    result = run("pull", "--ca-file", tls_registry.ca_file, pushed)
    assert result.exit_code == ExitCode.OK, result.output


def test_environment_beats_docker_config(monkeypatch, tmp_path):
    _docker_config(
        monkeypatch,
        tmp_path,
        {"auths": {"reg.example": {"auth": base64.b64encode(b"docker:pw-from-docker").decode()}}},
    )
    assert credentials_for("reg.example") == Credentials(
        username="docker", password="pw-from-docker", origin=credentials_for("reg.example").origin
    )
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_USERNAME", "env-user")
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_PASSWORD", "pw-from-env")
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_HOST", "reg.example")
    found = credentials_for("reg.example")
    assert (found.username, found.password) == ("env-user", "pw-from-env")


def test_unreadable_docker_config_is_reported_without_its_content(monkeypatch, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.json").write_text('{"auths": {"x": {"auth": "c2VjcmV0LXZhbHVl"')
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    with pytest.raises(RegistryError) as caught:
        credentials_for("x")
    assert "c2VjcmV0LXZhbHVl" not in str(caught.value)
    assert "config.json" in str(caught.value)


def test_bearer_token_flow_push_with_credentials_pull_anonymously(
    bearer_registry, run, schemas, repo, monkeypatch, tmp_path
):
    registry, service = bearer_registry
    ref = f"{registry.host}/{repo}:1.0.0"
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_USERNAME", service.username)
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_PASSWORD", service.password)
    pushed = run("push", "--insecure", schemas, ref)
    assert pushed.exit_code == ExitCode.OK, pushed.output
    assert any("push" in path for path in service.requests)

    _without_env_credentials(monkeypatch)
    pulled = run("pull", "--insecure", f"{ref}@{pushed.stdout.strip()}", "--out", tmp_path / "o")
    assert pulled.exit_code == ExitCode.OK, pulled.output
    assert file_hashes(tmp_path / "o") == file_hashes(schemas)


def test_bearer_token_service_refusing_credentials(
    bearer_registry, run, schemas, repo, monkeypatch
):
    registry, service = bearer_registry
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_USERNAME", service.username)
    monkeypatch.setenv("TC_CONTRACTS_REGISTRY_PASSWORD", WRONG_PASSWORD)
    result = run("push", "--insecure", schemas, f"{registry.host}/{repo}:1.0.0")
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "token service refused the credentials" in result.stderr
    assert WRONG_PASSWORD not in result.output


def test_anonymous_push_to_a_bearer_registry_is_denied(bearer_registry, run, schemas, repo):
    registry, _ = bearer_registry
    result = run("push", "--insecure", schemas, f"{registry.host}/{repo}:1.0.0")
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "HTTP 401" in result.stderr or "HTTP 403" in result.stderr
