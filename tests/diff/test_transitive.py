"""Transitive compatibility over a git release line: ``tc-schema diff --transitive``.

The bypass it closes: remove field ``x`` in 1.1.0, re-add it with another type in 1.2.0.
Each step is checked pairwise and passes (under strip an optional property's removal and
addition break nobody); NEW
breaks every consumer still on 1.0.0. The OCI line is in tests/oci/test_transitive_line.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tc_contracts_py.cli import cli
from tc_contracts_py.diff import Bump, DiffPolicy, ZeroMajor
from tc_contracts_py.diff.transitive import owed_versions, plan_line
from tc_contracts_py.schemaset import SchemaSet
from tc_contracts_py.source_spec import releases_among
from tests.gitrepo import git

LINE = "git:contracts-v*:schemas"


def order(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"id": {"type": "string"}, **properties},
        "required": ["id"],
        "additionalProperties": False,  # a Zod object, read under strip
    }


# The bypass: x is a string in 1.0.0, gone in 1.1.0, an integer in 1.2.0 and in NEW.
BYPASS = {
    "1.0.0": {"Order": order(x={"type": "string"})},
    "1.1.0": {"Order": order()},
    "1.2.0": {"Order": order(x={"type": "integer"})},
}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["diff", *args], catch_exceptions=False)


class Contracts:
    """A contracts repository with one ``contracts-vX.Y.Z`` tag per release."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.git("init", "-q")

    def git(self, *args: str) -> None:
        git(self.root, *args)

    def write(self, documents: dict[str, Any]) -> None:
        folder = self.root / "schemas"
        folder.mkdir(exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for name, document in documents.items():
            (folder / f"{name}.json").write_text(json.dumps(document))

    def release(self, version: str, documents: dict[str, Any]) -> None:
        self.write(documents)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", version)
        self.git("tag", f"contracts-v{version}")


@pytest.fixture
def contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Contracts]:
    def make(releases: dict[str, dict[str, Any]], working: dict[str, Any]) -> Contracts:
        repo = Contracts(tmp_path / "contracts")
        for version, documents in releases.items():
            repo.release(version, documents)
        repo.write(working)
        monkeypatch.chdir(repo.root)
        return repo

    return make


def as_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--format", "json")
    return result.exit_code, json.loads(result.output)


def test_the_bypass_passes_pairwise_and_fails_transitive(contracts: Any) -> None:
    contracts(BYPASS, BYPASS["1.2.0"])
    pairwise = run(LINE, "schemas", "--declared-bump", "minor")
    assert pairwise.exit_code == 0, pairwise.output
    for step in (("1.0.0", "1.1.0"), ("1.1.0", "1.2.0")):
        old, new = (f"git:contracts-v{v}:schemas" for v in step)
        assert run(old, new).exit_code == 0  # each release passed its own gate

    code, report = as_json("--transitive", LINE, "schemas", "--declared-bump", "minor")

    assert code == 1
    assert report["gate"] == "fail"
    assert report["new"]["version"] == "1.3.0"  # minor on the newest release
    assert [(r["version"], r["gate"]) for r in report["compatibility"]["releases"]] == [
        ("1.0.0", "fail"), ("1.1.0", "pass"), ("1.2.0", "pass"),
    ]  # fmt: skip
    type_change = [c for c in report["changes"] if c["rule"] == "type-changed"]
    assert len(type_change) == 1
    assert type_change[0]["against"] == ["1.0.0"]
    assert type_change[0]["blocking"] is True
    assert type_change[0]["witness"]["payload"]["x"] == ""  # a 1.0.0 payload NEW rejects
    gate = [c for c in report["changes"] if c["rule"] == "gate-bump-too-small"]
    assert [g["message"].split(":")[0] for g in gate] == ["against 1.0.0"]


def test_a_break_against_several_releases_is_reported_once(contracts: Any) -> None:
    name = {"type": "string", "maxLength": 9}
    releases = {v: {"Order": order(name=name)} for v in ("1.0.0", "1.1.0", "1.2.0")}
    contracts(releases, {"Order": order(name={"type": "string", "maxLength": 3})})

    code, report = as_json("--transitive", LINE, "schemas", "--to-version", "1.3.0")

    assert code == 1
    narrowed = [c for c in report["changes"] if c["rule"] == "string-max-length-decreased"]
    assert [c["against"] for c in narrowed] == [["1.0.0", "1.1.0", "1.2.0"]]
    text = run("--transitive", LINE, "schemas", "--to-version", "1.3.0").output
    assert text.count("string-max-length-decreased") == 1
    assert "against 1.0.0, 1.1.0, 1.2.0" in text


def test_a_major_owes_nothing_and_passes(contracts: Any) -> None:
    contracts(BYPASS, BYPASS["1.2.0"])
    code, report = as_json("--transitive", LINE, "schemas", "--to-version", "2.0.0")
    assert code == 0
    assert report["gate"] == "pass"
    assert report["compatibility"]["owed"] is False
    assert [r["version"] for r in report["compatibility"]["releases"]] == ["1.2.0"]
    text = run("--transitive", LINE, "schemas", "--declared-bump", "major").output
    assert "owes no release" in text
    assert "gate: PASS" in text


def test_prereleases_and_older_majors_are_not_owed(contracts: Any) -> None:
    repo = contracts({"0.9.0": {"Order": {"type": "string"}}, **BYPASS}, BYPASS["1.2.0"])
    repo.release("1.3.0-rc.1", {"Order": {"type": "boolean"}})
    repo.write(BYPASS["1.2.0"])
    code, report = as_json("--transitive", LINE, "schemas", "--to-version", "1.3.0")
    assert code == 1
    assert [r["version"] for r in report["compatibility"]["releases"]] == [
        "1.0.0", "1.1.0", "1.2.0",
    ]  # fmt: skip
    assert all("1.3.0-rc.1" not in c.get("against", []) for c in report["changes"])


def test_a_change_blocks_only_against_a_release_whose_gate_it_fails(contracts: Any) -> None:
    """NEW 1.2.1 (patch) against 1.1.0 may add (minor); against 1.2.0 it may not."""
    narrow = {"type": "string", "maxLength": 3}
    releases = {
        "1.1.0": {"Order": order(name={"type": "string"})},
        "1.2.0": {"Order": order(name={"type": "string"}), "Extra": {"type": "string"}},
    }
    contracts(releases, {"Order": order(name=narrow), "Extra": {"type": "string"}})
    code, report = as_json("--transitive", LINE, "schemas", "--to-version", "1.2.1")
    assert code == 1
    by_rule = {c["rule"]: c for c in report["changes"]}
    assert by_rule["schema-added"]["against"] == ["1.1.0"]
    assert by_rule["schema-added"]["blocking"] is False
    assert by_rule["string-max-length-decreased"]["blocking"] is True
    junit = ET.fromstring(
        run("--transitive", LINE, "schemas", "--to-version", "1.2.1", "--format", "junit").output
    )
    extra = next(c for c in junit.iter("testcase") if c.get("name") == "Extra")
    assert extra.find("failure") is None


def test_every_format_says_which_release_a_break_is_against(contracts: Any) -> None:
    contracts(BYPASS, BYPASS["1.2.0"])
    args = ("--transitive", LINE, "schemas", "--declared-bump", "minor", "--format")
    outputs = {fmt: run(*args, fmt).output for fmt in ("text", "markdown", "github", "junit")}
    for fmt, output in outputs.items():
        assert "against 1.0.0" in output, fmt
    assert "| against |" in outputs["markdown"]
    assert "::error " in outputs["github"]
    sarif = json.loads(run(*args, "sarif").output)
    results = sarif["runs"][0]["results"]
    type_change = next(r for r in results if r["ruleId"] == "type-changed")
    assert type_change["properties"]["against"] == ["1.0.0"]
    assert "(against 1.0.0)" in type_change["message"]["text"]
    assert sarif["runs"][0]["properties"]["compatibility"]["mode"] == "transitive"


def test_config_chooses_transitive_and_pairwise_overrides(contracts: Any) -> None:
    repo = contracts(BYPASS, BYPASS["1.2.0"])
    (repo.root / "tc-contracts.toml").write_text('[diff]\ncompatibility = "transitive"\n')
    assert run(LINE, "schemas", "--declared-bump", "minor").exit_code == 1
    assert run("--pairwise", LINE, "schemas", "--declared-bump", "minor").exit_code == 0
    (repo.root / "tc-contracts.toml").write_text('[diff]\ncompatibility = "sideways"\n')
    bad = run(LINE, "schemas", "--declared-bump", "minor")
    assert bad.exit_code == 2
    assert "compatibility" in bad.output


def test_transitive_needs_a_line(contracts: Any) -> None:
    contracts(BYPASS, BYPASS["1.2.0"])
    one = run("--transitive", "git:contracts-v1.0.0:schemas", "schemas")
    assert one.exit_code == 2
    assert "--pairwise" in one.output
    assert len(one.output.strip().splitlines()) == 1
    versioned = run("--transitive", LINE, "schemas", "--from-version", "1.0.0")
    assert versioned.exit_code == 2
    assert "--from-version" in versioned.output
    none = run("--transitive", "git:nothing-v*:schemas", "schemas")
    assert none.exit_code == 2
    assert "--from-empty" in none.output


def test_changesets_declare_the_version_on_the_newest_release(contracts: Any) -> None:
    repo = contracts(BYPASS, BYPASS["1.2.0"])
    (repo.root / "package.json").write_text('{"name": "@tc/contracts"}\n')
    (repo.root / ".changeset").mkdir()
    (repo.root / ".changeset" / "next.md").write_text('---\n"@tc/contracts": minor\n---\n\nx\n')
    code, report = as_json("--transitive", LINE, "schemas")
    assert code == 1
    assert report["new"]["version"] == "1.3.0"
    assert report["declared_by"]["source"] == "changesets"
    assert report["suggested_changeset"].startswith('---\n"@tc/contracts": major\n')


def test_owed_versions_follow_the_zero_major_policy() -> None:
    line = ["0.3.0", "0.4.0", "0.4.2", "1.0.0"]
    assert owed_versions(line, "0.4.3", ZeroMajor.STRICT) == ["0.3.0", "0.4.0", "0.4.2"]
    assert owed_versions(line, "0.4.3", ZeroMajor.CARGO) == ["0.4.0", "0.4.2"]
    assert owed_versions(line, "1.0.0", ZeroMajor.STRICT) == ["1.0.0"]
    assert owed_versions(line, "not-a-version", ZeroMajor.STRICT) == []
    # a backport patch owes nothing to the releases after it
    assert owed_versions(["1.0.0", "1.1.0", "1.2.0"], "1.1.5", ZeroMajor.STRICT) == [
        "1.0.0", "1.1.0",
    ]  # fmt: skip


def test_undeclared_new_keeps_the_newest_major() -> None:
    plan = plan_line(["0.9.0", "1.0.0", "1.1.0"], SchemaSet({}, origin="new"), DiffPolicy(), "dir")
    assert (plan.new_version, plan.compare, plan.owed) == ("1.1.0", ("1.0.0", "1.1.0"), True)
    bumped = plan_line(
        ["1.0.0", "1.1.0"], SchemaSet({}, origin="n"), DiffPolicy(declared_bump=Bump.PATCH), "d"
    )
    assert (bumped.new_version, bumped.compare) == ("1.1.1", ("1.0.0", "1.1.0"))


def test_release_tags_are_semver_without_prereleases() -> None:
    tags = ["latest", "v1.2.0", "1.2.0", "1.10.0", "1.9.0", "2.0.0-rc.1", "contracts-v0.1.0", "1.2"]
    assert [(str(r.version), r.tag) for r in releases_among(tags)] == [
        ("0.1.0", "contracts-v0.1.0"), ("1.2.0", "1.2.0"), ("1.9.0", "1.9.0"), ("1.10.0", "1.10.0"),
    ]  # fmt: skip
