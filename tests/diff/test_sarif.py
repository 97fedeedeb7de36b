"""``tc-schema diff --format sarif``: SARIF 2.1.0 that validates, with rules, levels and places."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic_sarif.model import StaticAnalysisResultsFormatSarifVersion210JsonSchema as SarifLog

from tc_contracts_py.cli import cli
from tc_contracts_py.diff import RULES
from tests.conftest import ROOT

FIXTURE = ROOT / "fixtures" / "schemas" / "zod-to-json-schema"


def sarif(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["diff", *map(str, args), "--format", "sarif"])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def releases(tmp_path: Path) -> tuple[Path, Path]:
    """1.1.1 and 2.0.0 under names that carry no version, so only flags declare the bump."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURE / "1.1.1", old)
    shutil.copytree(FIXTURE / "2.0.0", new)
    return old, new


def test_the_log_validates_against_sarif_2_1_0(releases: tuple[Path, Path]) -> None:
    _, log = sarif(*releases, "--declared-bump", "major")
    SarifLog.model_validate(log)
    assert log["version"] == "2.1.0"


def test_every_change_is_a_result_of_a_listed_rule(releases: tuple[Path, Path]) -> None:
    code, log = sarif(*releases, "--declared-bump", "major")
    json_code = CliRunner().invoke(
        cli, ["diff", *map(str, releases), "--format", "json", "--declared-bump", "major"]
    )
    changes = json.loads(json_code.stdout)["changes"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    assert code == 0
    assert [
        (r["ruleId"], r["partialFingerprints"]["tcSchemaChange/v1"]) for r in run["results"]
    ] == [(c["rule"], c["fingerprint"]) for c in changes]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_follow_the_gate(releases: tuple[Path, Path]) -> None:
    allowed_code, allowed = sarif(*releases, "--declared-bump", "major")
    blocked_code, blocked = sarif(*releases, "--declared-bump", "minor")
    assert allowed_code == 0
    assert blocked_code == 1
    allowed_levels = {r["level"] for r in allowed["runs"][0]["results"]}
    assert "error" not in allowed_levels
    assert "warning" in allowed_levels
    blocked_results = blocked["runs"][0]["results"]
    errors = [r for r in blocked_results if r["level"] == "error"]
    assert any(r["ruleId"].startswith("gate-") for r in errors)
    assert all(r["properties"]["bump"] == "major" for r in errors if "properties" in r)
    assert blocked["runs"][0]["properties"]["gate"] == "fail"


def test_locations_name_the_file_and_the_line_of_the_pointer(releases: tuple[Path, Path]) -> None:
    _, new = releases
    _, log = sarif(*releases, "--declared-bump", "major")
    located = 0
    for result in log["runs"][0]["results"]:
        if "locations" not in result:
            continue
        physical = result["locations"][0]["physicalLocation"]
        pointer = result["properties"]["new_pointer"]
        if pointer is None or "region" not in physical:
            continue
        path = Path(physical["artifactLocation"]["uri"])
        assert path.parent == new
        line = path.read_text().splitlines()[physical["region"]["startLine"] - 1]
        last = pointer.rsplit("/", 1)[-1]
        assert last == "" or f'"{last}"' in line or last.isdigit(), (pointer, line)
        located += 1
    assert located > 0


def test_a_pointer_with_escaped_tokens_is_located(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}},
    }
    (old / "Thing.json").write_text(json.dumps(schema, indent=2))
    schema["properties"]["a/b"]["maxLength"] = 3
    schema["properties"]["c~d"]["maxLength"] = 3
    (new / "Thing.json").write_text(json.dumps(schema, indent=2))
    _, log = sarif(old, new, "--declared-bump", "major")
    lines = (new / "Thing.json").read_text().splitlines()
    results = log["runs"][0]["results"]
    keys = {"/properties/a~1b": '"a/b": {', "/properties/c~0d": '"c~d": {'}
    assert {r["properties"]["new_pointer"] for r in results} == set(keys)
    for result in results:
        line = lines[result["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        assert line.strip() == keys[result["properties"]["new_pointer"]]
    SarifLog.model_validate(log)
