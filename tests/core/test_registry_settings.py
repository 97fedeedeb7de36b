"""insecure, ca-file, timeout: flag > TC_CONTRACTS_* > [tool.tc-contracts] > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tc_contracts_py.config import ProjectConfig, read_config_file, registry_settings
from tc_contracts_py.errors import ConfigError


def _config(tmp_path: Path, text: str) -> ProjectConfig:
    path = tmp_path / "tc-contracts.toml"
    path.write_text(text)
    return read_config_file(path)


def test_defaults() -> None:
    settings = registry_settings(None, environ={})
    assert (settings.insecure, settings.ca_file, settings.timeout) == (False, None, 3.0)


def test_config_then_environment_then_flag(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x")
    (tmp_path / "env-ca.pem").write_text("x")
    config = _config(tmp_path, 'insecure = true\nca-file = "ca.pem"\ntimeout = 7\n')
    settings = registry_settings(config, environ={})
    assert (settings.insecure, settings.ca_file, settings.timeout) == (
        True,
        tmp_path / "ca.pem",
        7.0,
    )
    env = {
        "TC_CONTRACTS_INSECURE": "0",
        "TC_CONTRACTS_CA_FILE": str(tmp_path / "env-ca.pem"),
        "TC_CONTRACTS_TIMEOUT": "1.5",
    }
    settings = registry_settings(config, environ=env)
    assert (settings.insecure, settings.ca_file, settings.timeout) == (
        False,
        tmp_path / "env-ca.pem",
        1.5,
    )
    settings = registry_settings(
        config, insecure=True, ca_file=tmp_path / "ca.pem", timeout=9.0, environ=env
    )
    assert (settings.insecure, settings.ca_file, settings.timeout) == (
        True,
        tmp_path / "ca.pem",
        9.0,
    )


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"TC_CONTRACTS_INSECURE": "maybe"}, "TC_CONTRACTS_INSECURE"),
        ({"TC_CONTRACTS_TIMEOUT": "soon"}, "TC_CONTRACTS_TIMEOUT"),
        ({"TC_CONTRACTS_TIMEOUT": "nan"}, "TC_CONTRACTS_TIMEOUT"),
        ({"TC_CONTRACTS_TIMEOUT": "0"}, "TC_CONTRACTS_TIMEOUT"),
        ({"TC_CONTRACTS_CA_FILE": "/no/such/ca.pem"}, "TC_CONTRACTS_CA_FILE"),
    ],
)
def test_a_bad_variable_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        registry_settings(None, environ=environ)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('insecure = "yes"\n', "insecure"),
        ("timeout = 0.01\n", "timeout"),
        ('timeout = "3"\n', "timeout"),
        ('ca-file = "missing.pem"\n', "ca-file"),
    ],
)
def test_a_bad_key_is_named(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        registry_settings(_config(tmp_path, text), environ={})
