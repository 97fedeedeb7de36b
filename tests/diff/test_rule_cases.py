"""One case folder per rule: ``cases/<rule-id>/{old.json,new.json,expected.json}``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.diff import RULES
from tc_contracts_py.diff.model import Change, GateFinding
from tests.diff.helpers import CASES, check_witnesses, diff_documents, policy_from, schema_set

CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())


def test_every_rule_has_a_case_folder() -> None:
    assert {p.name for p in CASE_DIRS} == set(RULES)


def finding_of(change: Change | GateFinding) -> dict[str, Any]:
    """What a case folder's expected.json pins of each finding: rule, place, directions."""
    if isinstance(change, GateFinding):
        shown = change.to_json()
        return {key: shown[key] for key in ("rule", "path", "old_pointer", "new_pointer")} | {
            "breaks_new_readers": False,
            "breaks_old_readers": False,
            "certainty": shown["certainty"],
        }
    return {
        "rule": change.rule,
        "path": change.path,
        "old_pointer": change.old_pointer,
        "new_pointer": change.new_pointer,
        "breaks_new_readers": change.breaks_new_readers,
        "breaks_old_readers": change.breaks_old_readers,
        "certainty": change.certainty.value,
    }


@pytest.mark.parametrize("folder", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_rule_case(folder: Path) -> None:
    old = json.loads((folder / "old.json").read_text())
    new = json.loads((folder / "new.json").read_text())
    expected = json.loads((folder / "expected.json").read_text())
    report = diff_documents(old, new, expected["options"])
    # Exactly these findings: an extra one (a rule firing where it should not) fails too.
    findings = [*report.changes, *report.gate_findings]
    assert [finding_of(c) for c in findings] == expected["changes"], folder.name
    assert report.gate.value == expected["gate"]
    assert report.required_bump.label == expected["required_bump"]
    # The case's own rule fires, and a change it reports as proven carries a witness.
    own = [c for c in findings if c.rule == folder.name]
    assert own
    for change in own:
        if isinstance(change, Change) and change.breaks and change.certainty.value == "proven":
            assert change.witness is not None


@pytest.mark.parametrize("folder", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_rule_case_witnesses_verify_independently(folder: Path) -> None:
    old = json.loads((folder / "old.json").read_text())
    new = json.loads((folder / "new.json").read_text())
    options = json.loads((folder / "expected.json").read_text())["options"]
    report = diff_documents(old, new, options)
    old_docs = {"Bystander": {"type": "boolean"}, **({"Subject": old} if old is not None else {})}
    new_docs = {"Bystander": {"type": "boolean"}, **({"Subject": new} if new is not None else {})}
    check_witnesses(report, schema_set(old_docs), schema_set(new_docs))
    assert policy_from(options).today.year == 2025


def test_the_same_schema_has_no_changes_in_any_case() -> None:
    for folder in CASE_DIRS:
        old = json.loads((folder / "old.json").read_text())
        if old is None:
            continue
        report = diff_documents(old, old)
        assert report.changes == [], folder.name
