"""The JSON Schema of ``[tool.tc-contracts]``: valid, printed, enforced and in step with the readers."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tc_contracts_py.cli import ExitCode, cli
from tc_contracts_py.config import config_schema_text, read_config_file
from tc_contracts_py.errors import ConfigError

PACKAGE = Path(__file__).resolve().parents[2] / "tc_contracts_py"
SCHEMA = json.loads(config_schema_text())


def _keys_read_by_the_tool() -> set[tuple[str, str]]:
    """(table, key) of every literal key read: get_str/get_path/get_bool/get_number/.get("…")/section("…")."""
    found: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        table = {"policy.py": "diff", "plugin.py": "testing"}.get(path.name, "")
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            key = node.args[0].value
            method, receiver = node.func.attr, node.func.value
            if method in ("get_str", "get_path", "get_bool", "get_number", "section"):
                found.add(("", key))
            elif method == "get" and table and _is_table(receiver):
                found.add((table, key))
    return found


def _is_table(receiver: ast.expr) -> bool:
    """``section.get``, ``testing.get``, ``….section("diff").get`` or ``self._testing_table().get``."""
    if isinstance(receiver, ast.Name):
        return receiver.id in ("section", "testing")
    return (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr in ("_testing_table", "section")
    )


def _schema_keys() -> set[tuple[str, str]]:
    keys = {("", key) for key in SCHEMA["properties"]}
    for table in ("diff", "testing"):
        keys |= {(table, key) for key in SCHEMA["properties"][table]["properties"]}
    return keys


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_key_the_tool_reads_is_in_the_schema() -> None:
    read = _keys_read_by_the_tool()
    assert ("", "artifact") in read
    assert ("diff", "zero-major") in read
    assert ("testing", "examples") in read
    assert read - _schema_keys() == set()


def test_every_key_in_the_schema_is_read_by_the_tool() -> None:
    assert _schema_keys() - _keys_read_by_the_tool() == set()


def test_config_schema_prints_it() -> None:
    result = CliRunner().invoke(cli, ["config-schema"])
    assert result.exit_code == ExitCode.OK
    assert json.loads(result.stdout) == SCHEMA


def test_a_full_config_validates_and_loads(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.tc-contracts]\n"
        'artifact = "ghcr.io/org/contracts-schemas:1.0.0"\nout = "m"\npackage = "m"\n'
        'unknown-properties = "strip"\ncache-dir = ".cache"\n'
        "[tool.tc-contracts.diff]\n"
        'zero-major = "cargo"\nlikely-is-breaking = false\nwaivers = "w.toml"\n'
        'roles.request = ["*Request"]\n'
        "[tool.tc-contracts.testing]\n"
        'models = "m"\nexamples = 5\nschemas = ["User"]\nallow = "User:looser:*"\n'
    )
    loaded = read_config_file(config)
    jsonschema.validate(dict(loaded.table), SCHEMA)


@pytest.mark.parametrize(
    ("toml", "dotted"),
    [
        ('[tool.tc-contracts]\nartifcat = "x"\n', "tool.tc-contracts.artifcat"),
        ("[tool.tc-contracts.diff]\nzero-majr = 'cargo'\n", "tool.tc-contracts.diff.zero-majr"),
        ("[tool.tc-contracts.diff.roles]\nreqest = ['*']\n", "tool.tc-contracts.diff.roles.reqest"),
        ("[tool.tc-contracts.testing]\nexample = 5\n", "tool.tc-contracts.testing.example"),
    ],
)
def test_an_unknown_key_is_refused_by_name(tmp_path: Path, toml: str, dotted: str) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        read_config_file(config)
    assert f"{config}: {dotted}: unknown key" in str(caught.value)


def test_an_unknown_key_in_a_standalone_file_is_refused_at_top_level(tmp_path: Path) -> None:
    config = tmp_path / "tc-contracts.toml"
    config.write_text('artifact = "x"\nouts = "m"\n')
    result = CliRunner().invoke(cli, ["gen", "--config", str(config)])
    assert result.exit_code == ExitCode.INPUT
    assert f"{config}: outs: unknown key" in result.stderr
