"""``tc-schema diff`` and ``tc-schema rules`` through click's CliRunner."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tc_contracts_py.cli import cli
from tc_contracts_py.diff import RULES
from tests.conftest import ROOT
from tests.gitrepo import git

GOLDEN = Path(__file__).parent / "golden"
FIXTURE = "fixtures/schemas/zod-to-json-schema"


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


def test_a_minor_release_passes(at_root: Path) -> None:
    result = run("diff", f"{FIXTURE}/1.0.0", f"{FIXTURE}/1.1.0")
    assert result.exit_code == 0, result.output
    assert (
        "required bump: minor; declared: minor (from NEW's source name); gate: PASS"
        in result.output
    )


def test_a_break_without_a_major_bump_exits_1_after_the_report(at_root: Path) -> None:
    result = run("diff", f"{FIXTURE}/1.1.1", f"{FIXTURE}/2.0.0", "--to-version", "1.2.0")
    assert result.exit_code == 1
    assert "gate-bump-too-small" in result.output
    assert "gate: FAIL" in result.output


def test_json_contract(at_root: Path) -> None:
    result = run(
        "diff", f"{FIXTURE}/1.1.1", f"{FIXTURE}/2.0.0", "--format", "json", "--to-version", "1.2.0"
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["format_version"] == 1
    assert set(report) == {
        "format_version", "old", "new", "policy", "required_bump", "declared_bump", "declared_by",
        "gate", "suggested_changeset", "schemas", "changes",
    }  # fmt: skip
    assert report["declared_by"] == {"source": "to-version", "detail": "--to-version"}
    assert report["old"] == {"source": f"{FIXTURE}/1.1.1", "version": "1.1.1"}
    assert report["new"] == {"source": f"{FIXTURE}/2.0.0", "version": "1.2.0"}
    assert report["policy"] == {"unknown_properties": "strip", "zero_major": "strict"}
    assert (report["required_bump"], report["declared_bump"], report["gate"]) == (
        "major",
        "minor",
        "fail",
    )
    for schema in report["schemas"]:
        assert set(schema) == {
            "name", "status", "role", "breaks_old_readers", "breaks_new_readers", "bump",
        }  # fmt: skip
        assert schema["status"] in ("added", "removed", "changed", "unchanged")
        assert schema["role"] in ("request", "response", "model", "event")
    keys = {
        "rule", "schema", "old_pointer", "new_pointer", "path", "breaks_old_readers",
        "breaks_new_readers", "certainty", "bump", "message", "fingerprint", "witness", "waived",
        "blocking",
    }  # fmt: skip
    for change in report["changes"]:
        assert set(change) == keys
        assert change["certainty"] in ("proven", "likely")
        assert change["bump"] in ("major", "minor", "patch", "none")
        if change["witness"] is not None:
            assert set(change["witness"]) == {"payload", "valid_under", "rejected_by"}
            assert {change["witness"]["valid_under"], change["witness"]["rejected_by"]} == {
                "old",
                "new",
            }
    user = next(s for s in report["schemas"] if s["name"] == "User")
    assert user == {
        "name": "User",
        "status": "changed",
        "role": "model",
        "breaks_old_readers": False,
        "breaks_new_readers": True,
        "bump": "major",
    }
    made_required = next(c for c in report["changes"] if c["rule"] == "property-made-required")
    assert made_required["witness"]["valid_under"] == "old"
    assert "displayName" not in made_required["witness"]["payload"]


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("json", "json"), ("markdown", "md"), ("github", "github"), ("junit", "junit.xml")])  # fmt: skip
def test_golden_reports(at_root: Path, fmt: str, suffix: str) -> None:
    result = run("diff", f"{FIXTURE}/1.1.1", f"{FIXTURE}/2.0.0", "--format", fmt)
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"1.1.1-2.0.0.{suffix}"
    if os.environ.get("TC_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.output)
    assert result.output == golden.read_text()


def test_formats_are_well_formed(at_root: Path) -> None:
    args = ("diff", f"{FIXTURE}/1.1.1", f"{FIXTURE}/2.0.0", "--to-version", "1.2.0")
    junit = ET.fromstring(run(*args, "--format", "junit").output)
    assert junit.tag == "testsuite"
    assert int(junit.get("failures", "0")) >= 2
    names = {case.get("name") for case in junit.iter("testcase")}
    assert {"User", "semver gate"} <= names
    github = run(*args, "--format", "github").output.splitlines()
    assert all(line.startswith("::") for line in github)
    errors = [line for line in github if line.startswith("::error")]
    assert any("file=fixtures/schemas/zod-to-json-schema/2.0.0/User.json" in e for e in errors)
    assert any("semver gate" in e for e in errors)
    markdown = run(*args, "--format", "markdown").output
    assert markdown.startswith("## ❌ tc-schema diff: gate fail")
    assert "| **major** | `User` |" in markdown


def test_output_file_and_stdout(at_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    result = run(
        "diff", f"{FIXTURE}/1.0.0", f"{FIXTURE}/1.1.0", "--format", "json", "-o", str(target)
    )
    assert result.exit_code == 0
    assert result.output == ""
    assert json.loads(target.read_text())["gate"] == "pass"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_colour_on_a_tty_unless_no_color(at_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tc_contracts_py.cli.diff as diff_cli

    monkeypatch.setattr(diff_cli, "_stdout_is_tty", lambda: True)
    args = ("diff", f"{FIXTURE}/1.1.1", f"{FIXTURE}/2.0.0")
    coloured = CliRunner().invoke(cli, list(args), color=True, env={"NO_COLOR": ""})
    assert "\x1b[" in coloured.output
    plain = CliRunner().invoke(cli, list(args), color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.output
    monkeypatch.setattr(diff_cli, "_stdout_is_tty", lambda: False)
    piped = CliRunner().invoke(cli, list(args), color=True, env={"NO_COLOR": ""})
    assert "\x1b[" not in piped.output


def test_bad_inputs_exit_2_with_one_line(tmp_path: Path, write_schemas: Any) -> None:
    good = write_schemas({"A": {"type": "string"}})
    missing = run("diff", str(tmp_path / "nope"), str(good))
    assert missing.exit_code == 2
    assert "nope" in missing.output
    broken = write_schemas({"A": '{"type": "object", "properties": {"a": {"type": 5}}}'})
    invalid = run("diff", str(good), str(broken))
    assert invalid.exit_code == 2
    assert "A.json#/properties/a/type" in invalid.output
    version = run("diff", str(good), str(good), "--from-version", "one")
    assert version.exit_code == 2
    assert "--from-version" in version.output
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nfingerprint = "abc"\n')
    no_reason = run("diff", str(good), str(good), "--waivers", str(waivers))
    assert no_reason.exit_code == 2
    assert "reason" in no_reason.output


def test_waivers_file_and_expiry(tmp_path: Path, write_schemas: Any) -> None:
    old = write_schemas({"A": {"type": "string"}}, "1.0.0")
    new = write_schemas({"A": {"type": "integer"}}, "1.1.0")
    assert run("diff", str(old), str(new)).exit_code == 1
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nrule = "type-changed"\nschema = "A"\nreason = "nobody sends it"\n'
        "expires = 2999-12-31\n"
    )
    result = run("diff", str(old), str(new), "--waivers", str(waivers))
    assert result.exit_code == 0, result.output
    assert "[waived]" in result.output
    waivers.write_text(
        '[[waiver]]\nrule = "type-changed"\nschema = "A"\nreason = "nobody sends it"\n'
        "expires = 2001-01-01\n"
    )
    expired = run("diff", str(old), str(new), "--waivers", str(waivers))
    assert expired.exit_code == 1
    assert "waiver-expired" in expired.output


def test_config_file_sets_roles_policy_and_zero_major(tmp_path: Path, write_schemas: Any) -> None:
    closed = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "additionalProperties": False,
    }
    wider = {**closed, "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    old = write_schemas({"Out": closed}, "0.3.0")
    new = write_schemas({"Out": wider}, "0.4.0")
    config = tmp_path / "tc-contracts.toml"
    config.write_text('unknown-properties = "reject"\n[diff.roles]\nresponse = ["Out*"]\n')
    strict = run("diff", str(old), str(new), "--config", str(config), "--format", "json")
    report = json.loads(strict.output)
    assert report["policy"]["unknown_properties"] == "reject"
    assert report["schemas"][0]["role"] == "response"
    assert report["required_bump"] == "major"
    assert strict.exit_code == 1
    config.write_text(
        'unknown-properties = "reject"\n[diff]\nzero-major = "cargo"\n[diff.roles]\nresponse = ["Out*"]\n'
    )
    cargo = run("diff", str(old), str(new), "--config", str(config))
    assert cargo.exit_code == 0, cargo.output
    flag = run("diff", str(old), str(new), "--config", str(config), "--unknown-properties", "strip")
    assert flag.exit_code == 0
    assert "required bump: minor" in flag.output


def test_git_sources_and_versions_from_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "contracts"
    (repo / "schemas").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "schemas" / "A.json").write_text('{"type": "string", "maxLength": 9}')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    git(repo, "tag", "contracts-v1.0.0")
    (repo / "schemas" / "A.json").write_text('{"type": "string", "maxLength": 3}')
    git(repo, "commit", "-q", "-am", "two")
    git(repo, "tag", "contracts-v1.1.0")
    monkeypatch.chdir(repo)
    result = run(
        "diff", "git:contracts-v1.0.0:schemas", "git:contracts-v1.1.0:schemas", "--format", "json"
    )
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert (report["old"]["version"], report["new"]["version"]) == ("1.0.0", "1.1.0")
    assert [c["rule"] for c in report["changes"]] == [
        "string-max-length-decreased",
        "gate-bump-too-small",
    ]
    head = run("diff", "git:contracts-v1.0.0:schemas", "schemas", "--to-version", "2.0.0")
    assert head.exit_code == 0, head.output


def test_rules_command() -> None:
    listed = json.loads(run("rules", "--format", "json").output)
    assert {r["id"] for r in listed} == set(RULES)
    assert all(set(r) == {"id", "family", "breaks", "severity", "description"} for r in listed)
    text = run("rules").output
    assert "enum-value-removed" in text
    assert "new-readers" in text
