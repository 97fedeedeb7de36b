"""The semver gate in a Changesets repository: the contracts PR flow, end to end.

A PR carries its bump in ``.changeset/*.md`` until the "Version Packages" PR, so
``tc-schema diff git:contracts-v1.4.0:schemas schemas`` must read it there, and fail
closed on a major break that nothing declares.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import semver
from click.testing import CliRunner

from tc_contracts_py.cli import cli
from tc_contracts_py.diff import Bump
from tc_contracts_py.diff.gate import next_version
from tests.gitrepo import git

LAST_RELEASE = "git:contracts-v1.4.0:schemas"
OLD = {
    "SessionRequest": {
        "type": "object",
        "properties": {"weeks": {"type": "integer", "maximum": 52}},
    },
    "ProfileResponse": {"type": "object", "properties": {"name": {"type": "string"}}},
    "User": {"type": "object", "properties": {"id": {"type": "string"}}},
}
# SessionRequest narrows (major for a request); ProfileResponse gains a property (minor).
BREAKING = {
    **OLD,
    "SessionRequest": {
        "type": "object",
        "properties": {"weeks": {"type": "integer", "maximum": 26}},
    },
    "ProfileResponse": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "bio": {"type": "string"}},
    },
}
ADDITIVE = {**OLD, "ProfileResponse": BREAKING["ProfileResponse"]}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["diff", *args], catch_exceptions=False)


def _write_schemas(repo: Path, documents: dict[str, Any]) -> None:
    folder = repo / "schemas"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for name, document in documents.items():
        (folder / f"{name}.json").write_text(json.dumps(document))


@pytest.fixture
def contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tc-contracts after release 1.4.0: package.json, .changeset/ (config + README), a tag."""
    repo = tmp_path / "tc-contracts"
    repo.mkdir()
    (repo / "package.json").write_text('{"name": "@tc/contracts", "version": "1.4.0"}\n')
    (repo / ".changeset").mkdir()
    (repo / ".changeset" / "config.json").write_text('{"baseBranch": "main"}\n')
    (repo / ".changeset" / "README.md").write_text("# Changesets\n\n---\nnot: a changeset\n")
    _write_schemas(repo, OLD)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "release 1.4.0")
    git(repo, "tag", "contracts-v1.4.0")
    monkeypatch.chdir(repo)
    return repo


def changeset(repo: Path, name: str, text: str) -> Path:
    path = repo / ".changeset" / name
    path.write_text(text)
    return path


def test_an_undeclared_major_break_fails_closed_with_one_line_saying_how(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    result = run(LAST_RELEASE, "schemas")
    assert result.exit_code == 1, result.output
    gate_lines = [line for line in result.output.splitlines() if "gate-bump-undeclared" in line]
    assert len(gate_lines) == 1
    (line,) = gate_lines
    assert "SessionRequest" in line
    assert "ProfileResponse" not in line  # a minor change does not force the major
    assert "add a changeset" in line
    assert "--to-version/--declared-bump" in line
    assert "no changeset in .changeset names @tc/contracts" in line
    assert "skipped" not in result.output.lower()
    assert result.output.rstrip().endswith("gate: FAIL")


def test_without_any_changesets_folder_the_major_still_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_schemas: Any
) -> None:
    old = write_schemas(OLD, "old")
    new = write_schemas(BREAKING, "new")
    monkeypatch.chdir(tmp_path)
    result = run(str(old), str(new), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["gate"] == "fail"
    assert report["declared_by"]["source"] == "none"
    assert [c["rule"] for c in report["changes"] if c["blocking"]] == [
        "number-maximum-decreased",
        "gate-bump-undeclared",
    ]


def test_an_undeclared_minor_change_passes(contracts: Path) -> None:
    _write_schemas(contracts, ADDITIVE)
    result = run(LAST_RELEASE, "schemas")
    assert result.exit_code == 0, result.output
    assert "required bump: minor; declared: unknown" in result.output
    assert "gate: PASS" in result.output


def test_a_too_low_changeset_names_the_schemas_and_the_fix_and_writes_it(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    changeset(contracts, "brave-cats-fly.md", '---\n"@tc/contracts": minor\n---\n\nAdd bio.\n')
    # another package's major does not count for ours
    changeset(contracts, "odd-dogs-run.md", '---\n"@tc/web-ui": major\n---\n\nUI.\n')
    result = run(LAST_RELEASE, "schemas", "--write-changeset", ".changeset/tc-schema-major.md")
    assert result.exit_code == 1, result.output
    assert (
        "a major bump is required (1 breaking change(s) in SessionRequest), but the changesets "
        "(.changeset/brave-cats-fly.md) declare minor (gate-bump-too-small)"
    ) in result.output
    assert "declared: minor (from changesets .changeset/brave-cats-fly.md)" in result.output
    written = (contracts / ".changeset" / "tc-schema-major.md").read_text()
    assert written == (
        '---\n"@tc/contracts": major\n---\n\nBreaking schema changes: SessionRequest (request).\n'
    )
    assert "\n".join(f"  {line}" if line else "" for line in written.splitlines()) in result.output
    # the written changeset is what fixes it: the next run passes, at the real next version
    target = contracts / ".changeset" / "second.md"
    assert run(LAST_RELEASE, "schemas", "--write-changeset", str(target)).exit_code == 0
    assert not target.exists()  # nothing to fix, nothing written
    again = run(LAST_RELEASE, "schemas", "--format", "json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert (report["old"]["version"], report["new"]["version"]) == ("1.4.0", "2.0.0")
    assert report["declared_by"] == {
        "source": "changesets",
        "detail": "changesets .changeset/tc-schema-major.md",
    }
    assert report["gate"] == "pass"
    assert not any(c["blocking"] for c in report["changes"])


def test_the_highest_bump_across_files_counts_and_every_format_names_the_source(
    contracts: Path,
) -> None:
    _write_schemas(contracts, BREAKING)
    changeset(contracts, "a.md", '---\n"@tc/contracts": patch\n---\n\nfix\n')
    changeset(
        contracts, "b.md", "---\r\n'@tc/contracts': major\r\nother: minor\r\n---\r\n\r\nx\r\n"
    )
    changeset(contracts, "c.md", '---\n"@tc/contracts": minor\n---\n\nsummary\n---\nwith a rule\n')
    source = "changesets .changeset/b.md"
    outputs = {}
    for fmt in ("text", "json", "markdown", "github", "junit"):
        result = run(LAST_RELEASE, "schemas", "--format", fmt)
        assert result.exit_code == 0, (fmt, result.output)
        assert source in result.output, fmt
        outputs[fmt] = result.output
    assert "(1.4.0) -> schemas (2.0.0)" in outputs["text"]
    assert "::error" not in outputs["github"]
    assert "::notice file=schemas/SessionRequest.json" in outputs["github"]
    junit = ET.fromstring(outputs["junit"])
    assert junit.get("failures") == "0"
    assert not list(junit.iter("failure"))


def test_the_package_comes_from_config_before_package_json(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    (contracts / "pyproject.toml").write_text('[tool.tc-contracts.diff]\npackage = "@tc/schemas"\n')
    changeset(contracts, "a.md", '---\n"@tc/contracts": major\n"@tc/schemas": minor\n---\n')
    result = run(LAST_RELEASE, "schemas")
    assert result.exit_code == 1
    assert "declared: minor (from changesets .changeset/a.md)" in result.output
    assert '"@tc/schemas": major' in result.output


def test_the_nearest_changesets_folder_above_the_working_directory(
    contracts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_schemas(contracts, BREAKING)
    changeset(contracts, "a.md", '---\n"@tc/contracts": major\n---\n')
    monkeypatch.chdir(contracts / "schemas")
    assert run("git:contracts-v1.4.0:schemas", ".").exit_code == 0
    elsewhere = contracts.parent / "elsewhere"
    (elsewhere / ".changeset").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    old, new = str(contracts / "schemas"), str(contracts / "schemas")
    explicit = run(old, new, "--changesets", str(contracts / ".changeset"), "--format", "json")
    assert json.loads(explicit.output)["declared_by"]["source"] == "changesets"


def test_flags_win_over_changesets(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    changeset(contracts, "a.md", '---\n"@tc/contracts": major\n---\n')
    low = run(LAST_RELEASE, "schemas", "--declared-bump", "minor", "--format", "json")
    assert low.exit_code == 1
    report = json.loads(low.output)
    assert report["declared_by"]["source"] == "declared-bump"
    assert report["new"]["version"] == "1.5.0"
    assert report["suggested_changeset"] is None  # a flag is fixed by the flag
    versions = run(LAST_RELEASE, "schemas", "--to-version", "2.0.0", "--format", "json")
    assert versions.exit_code == 0
    assert json.loads(versions.output)["declared_by"]["source"] == "to-version"
    both = run(LAST_RELEASE, "schemas", "--to-version", "2.0.0", "--declared-bump", "major")
    assert both.exit_code == 2
    assert "pass one" in both.output


def test_no_gate_reports_and_exits_0(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    result = run(LAST_RELEASE, "schemas", "--no-gate")
    assert result.exit_code == 0
    assert "gate: OFF (--no-gate)" in result.output
    github = run(LAST_RELEASE, "schemas", "--no-gate", "--format", "github").output
    assert "::error" not in github
    assert "::warning file=schemas/SessionRequest.json" in github


def test_a_broken_changeset_is_bad_input_naming_the_file(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    changeset(contracts, "bad.md", '---\n"@tc/contracts": huge\n---\n')
    result = run(LAST_RELEASE, "schemas")
    assert result.exit_code == 2
    assert ".changeset/bad.md" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("how", ["from-empty", "empty-folder"])
def test_a_first_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_schemas: Any, how: str
) -> None:
    new = write_schemas(OLD, "schemas")
    monkeypatch.chdir(tmp_path)
    if how == "from-empty":
        args = ["--from-empty", str(new)]
    else:
        (tmp_path / "empty").mkdir()
        args = [str(tmp_path / "empty"), str(new)]
    result = run(*args, "--to-version", "1.0.0", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["gate"] == "pass"
    assert report["declared_by"]["source"] == "first-release"
    assert report["new"]["version"] == "1.0.0"
    assert {s["status"] for s in report["schemas"]} == {"added"}
    assert report["required_bump"] == "minor"
    assert run("--from-empty", str(new), str(new)).exit_code == 2


# npm semver 7's inc(version, type), measured: the next version Changesets gives a release.
NPM_INC = {
    "1.4.0": ("2.0.0", "1.5.0", "1.4.1"),
    "0.3.0": ("1.0.0", "0.4.0", "0.3.1"),
    "1.0.0-beta.1": ("1.0.0", "1.0.0", "1.0.0"),
    "1.2.0-rc.1": ("2.0.0", "1.2.0", "1.2.0"),
    "1.2.3-rc.1": ("2.0.0", "1.3.0", "1.2.3"),
    "2.0.0-0": ("2.0.0", "2.0.0", "2.0.0"),
}


@pytest.mark.parametrize("old", NPM_INC)
def test_the_next_version_is_npm_semver_inc(old: str) -> None:
    bumps = (Bump.MAJOR, Bump.MINOR, Bump.PATCH)
    got = tuple(str(next_version(semver.Version.parse(old), b)) for b in bumps)
    assert got == NPM_INC[old]


def test_a_major_changeset_after_a_prerelease_is_a_major(contracts: Path) -> None:
    _write_schemas(contracts, BREAKING)
    changeset(contracts, "a.md", '---\n"@tc/contracts": major\n---\n')
    result = run(LAST_RELEASE, "schemas", "--from-version", "2.0.0-rc.1", "--format", "json")
    report = json.loads(result.output)
    assert (report["new"]["version"], report["declared_bump"]) == ("2.0.0", "major")
    assert result.exit_code == 0
