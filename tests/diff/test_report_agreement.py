"""Every format agrees with the gate: a passing gate has no failure anywhere; a failing one
fails exactly the changes that force the bump (and the gate's own findings)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from tc_contracts_py.diff import Bump, DiffPolicy, DiffReport, GateStatus, Waiver, diff_schema_sets
from tc_contracts_py.diff.model import ChangesetRelease
from tc_contracts_py.diff.report import render
from tests.diff.helpers import schema_set

OLD = {
    "SimRequest": {"type": "integer", "maximum": 52},
    "ProfileResponse": {"type": "object", "properties": {"a": {"type": "string"}}},
    "Note": {"type": "string", "description": "a"},
    "Same": {"type": "boolean"},
}
NEW = {
    "SimRequest": {"type": "integer", "maximum": 26},  # major: a request narrows
    "ProfileResponse": {  # minor: a response gains a property
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
    },
    "Note": {"type": "string", "description": "b"},  # patch
    "Same": {"type": "boolean"},
}
WAIVER = Waiver(reason="nobody sends 52", rule="number-maximum-decreased", schema="SimRequest")
CHANGESETS = ChangesetRelease(".changeset", "@tc/contracts", Bump.MINOR, (".changeset/a.md",))

SCENARIOS: dict[str, tuple[dict[str, Any], GateStatus, set[str]]] = {
    # name: (policy, verdict, schemas whose changes fail the gate)
    "declared-major": ({"from_version": "1.0.0", "to_version": "2.0.0"}, GateStatus.PASS, set()),
    "declared-minor": (
        {"from_version": "1.0.0", "to_version": "1.1.0"},
        GateStatus.FAIL,
        {"SimRequest"},
    ),
    "unchanged": (
        {"from_version": "1.0.0", "to_version": "1.0.0"},
        GateStatus.FAIL,
        {"SimRequest", "ProfileResponse", "Note"},
    ),
    "declared-patch-flag": (
        {"from_version": "1.0.0", "declared_bump": Bump.PATCH},
        GateStatus.FAIL,
        {"SimRequest", "ProfileResponse"},
    ),
    "changeset-minor": ({"changesets": CHANGESETS}, GateStatus.FAIL, {"SimRequest"}),
    "undeclared": ({}, GateStatus.FAIL, {"SimRequest"}),
    "waived-undeclared": ({"waivers": (WAIVER,)}, GateStatus.PASS, set()),
    "no-gate": ({"gate": False}, GateStatus.OFF, set()),
    "expired-waiver": (
        {
            "declared_bump": Bump.MAJOR,
            "waivers": (Waiver(reason="old", rule="x", schema="y", expires=date(2000, 1, 1)),),
        },
        GateStatus.FAIL,
        set(),
    ),
}


def _report(options: dict[str, Any]) -> DiffReport:
    policy = DiffPolicy(today=date(2025, 6, 1), package="@tc/contracts", **options)
    return diff_schema_sets(schema_set(OLD), schema_set(NEW), policy)


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_format_agrees_with_the_gate(name: str) -> None:
    options, verdict, failing = SCENARIOS[name]
    report = _report(options)
    assert report.gate is verdict
    assert {c.schema for c in report.blocking_changes()} == failing
    failed = report.gate is GateStatus.FAIL
    blocking = report.blocking_changes()

    # JSON: "blocking" exactly on the forcing changes and on the gate's findings
    shown = json.loads(render(report, "json"))
    flagged = [(c["schema"], c["rule"]) for c in shown["changes"] if c["blocking"]]
    assert flagged == [(c.schema, c.rule) for c in blocking] + [
        ("", f.rule) for f in report.gate_findings
    ]

    # junit: failed cases are the failing schemas, plus the gate case when it fails
    junit = ET.fromstring(render(report, "junit"))
    failed_cases = {c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None}
    assert failed_cases == failing | ({"semver gate"} if failed else set())
    assert junit.get("failures") == str(len(failed_cases))
    for case in junit.iter("testcase"):
        if case.get("name") in failing or case.get("name") == "semver gate":
            continue
        # an allowed break is a passing case that carries it in its output
        mine = [c for c in report.changes if c.schema == case.get("name")]
        if mine:
            out = case.find("system-out")
            assert out is not None
            assert all(c.message in (out.text or "") for c in mine)

    # github: ::error exactly for the forcing changes and the gate's findings
    github = render(report, "github").splitlines()
    errors = [line for line in github if line.startswith("::error")]
    assert len(errors) == len(blocking) + len(report.gate_findings)
    for change in blocking:
        assert any(f"title={change.schema}%3A {change.rule}" in e for e in errors)
    if not failed:
        assert errors == []

    # text and markdown: the verdict, the declaration's source, each schema's role
    text = render(report, "text")
    markdown = render(report, "markdown")
    assert report.declared_by.detail in text
    assert report.declared_by.detail in markdown
    assert "SimRequest (request)" in text
    assert "| `SimRequest` | request |" in markdown
    assert "| `ProfileResponse` | response |" in markdown


def test_a_declared_major_turns_breaks_into_notices() -> None:
    report = _report(SCENARIOS["declared-major"][0])
    (line,) = [
        line
        for line in render(report, "github").splitlines()
        if "SimRequest%3A number-maximum-decreased" in line
    ]
    assert line.startswith("::notice ")


def test_the_fixing_changeset_is_in_every_format_when_a_changeset_is_too_low() -> None:
    report = _report(SCENARIOS["changeset-minor"][0])
    assert report.suggested_changeset == (
        '---\n"@tc/contracts": major\n---\n\nBreaking schema changes: SimRequest (request).\n'
    )
    for fmt in ("text", "markdown", "junit"):
        assert '"@tc/contracts": major' in render(report, fmt), fmt
    assert '"@tc/contracts": major' in render(report, "github")
    assert json.loads(render(report, "json"))["suggested_changeset"] == report.suggested_changeset
