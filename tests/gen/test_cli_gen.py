from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tc_contracts_py.cli import ExitCode, cli

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_gen_then_check_round_trip(runner, write_schemas, tmp_path):
    folder = write_schemas({"Athlete": SCHEMA})
    out = tmp_path / "models"
    result = runner.invoke(cli, ["gen", str(folder), "--out", str(out)])
    assert result.exit_code == ExitCode.OK, result.output
    assert "generated package 'models' from 1 schemas" in result.output
    result = runner.invoke(cli, ["gen", str(folder), "--out", str(out), "--check"])
    assert result.exit_code == ExitCode.OK
    assert "up to date" in result.output


def test_check_on_stale_output_exits_1_and_lists_files(runner, write_schemas, tmp_path):
    folder = write_schemas({"Athlete": SCHEMA})
    out = tmp_path / "models"
    runner.invoke(cli, ["gen", str(folder), "--out", str(out)])
    (folder / "Athlete.json").write_text(json.dumps({**SCHEMA, "required": []}))
    result = runner.invoke(cli, ["gen", str(folder), "--out", str(out), "--check"])
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert str(out / "athlete.py") in result.output
    assert str(out / "_manifest.json") in result.output


def test_invalid_json_is_exit_2_with_one_line(runner, write_schemas, tmp_path):
    folder = write_schemas({"Broken": "{nope"})
    result = runner.invoke(cli, ["gen", str(folder), "--out", str(tmp_path / "m")])
    assert result.exit_code == ExitCode.INPUT
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "Broken.json" in lines[0]
    assert "Traceback" not in result.output


def test_escaping_ref_is_exit_2_naming_file_and_pointer(runner, write_schemas, tmp_path):
    folder = write_schemas(
        {"Leak": {"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}}}
    )
    result = runner.invoke(cli, ["gen", str(folder), "--out", str(tmp_path / "m")])
    assert result.exit_code == ExitCode.INPUT
    assert "Leak.json#/properties/a/$ref" in result.output


def test_missing_source_and_no_pin(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["gen", "--out", "m"])
    assert result.exit_code == ExitCode.INPUT
    assert "no schema source given" in result.output
    result = runner.invoke(cli, ["gen", "does-not-exist", "--out", "m"])
    assert result.exit_code == ExitCode.INPUT
    assert "no such directory or file" in result.output


def test_unknown_flag_is_usage_error(runner):
    result = runner.invoke(cli, ["gen", "--no-such-flag"])
    assert result.exit_code == ExitCode.INPUT
    assert "No such option" in result.output


def test_gen_reads_source_out_and_policy_from_pyproject(
    runner, write_schemas, tmp_path, monkeypatch
):
    folder = write_schemas(
        {"Athlete": {**SCHEMA, "additionalProperties": False}}, folder="contracts"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\n\n[tool.tc-contracts]\n'
        f'artifact = "{folder.name}"\nout = "src/consumer_models"\nunknown-properties = "reject"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["gen"])
    assert result.exit_code == ExitCode.OK, result.output
    generated = (tmp_path / "src" / "consumer_models" / "athlete.py").read_text()
    assert 'extra="forbid"' in generated
    manifest = json.loads((tmp_path / "src" / "consumer_models" / "_manifest.json").read_text())
    assert manifest["options"] == {"unknown_properties": "reject"}


def test_bad_config_value_is_exit_2(runner, write_schemas, tmp_path, monkeypatch):
    (tmp_path / "tc-contracts.toml").write_text('unknown-properties = "keep"\nout = "m"\n')
    folder = write_schemas({"Athlete": SCHEMA})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["gen", str(folder)])
    assert result.exit_code == ExitCode.INPUT
    assert "unknown-properties" in result.output
    assert "'keep' is not one of strip, reject" in result.output


def test_python_dash_m_entry_point(write_schemas, tmp_path):
    import subprocess
    import sys

    folder = write_schemas({"Athlete": SCHEMA})
    done = subprocess.run(
        [sys.executable, "-m", "tc_contracts_py", "gen", str(folder), "--out", str(tmp_path / "m")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m" / "athlete.py").exists()
