"""One case folder per rule: ``cases/<rule-id>/{old.json,new.json,expected.json}``.

A rule's folder may also hold named sub-cases, ``cases/<rule-id>/<case>/``, for the
variations of one rule (a narrowed pattern, a widened one, an equivalent rewrite);
those are asserted exactly in the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.diff import RULES
from tc_contracts_py.diff.model import Change, GateFinding
from tests.diff.helpers import CASES, check_witnesses, diff_documents, policy_from, schema_set

RULE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
CASE_DIRS = sorted(
    [p for p in RULE_DIRS if (p / "expected.json").is_file()]
    + [p for r in RULE_DIRS for p in r.iterdir() if (p / "expected.json").is_file()]
)
CASE_IDS = [str(p.relative_to(CASES)) for p in CASE_DIRS]


def test_every_rule_has_a_case_folder() -> None:
    assert {p.name for p in RULE_DIRS} == set(RULES)
    assert all((p / "expected.json").is_file() for p in RULE_DIRS)


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


@pytest.mark.parametrize("folder", CASE_DIRS, ids=CASE_IDS)
def test_rule_case(folder: Path) -> None:
    old = json.loads((folder / "old.json").read_text())
    new = json.loads((folder / "new.json").read_text())
    expected = json.loads((folder / "expected.json").read_text())
    report = diff_documents(old, new, expected["options"])
    # Exactly these findings: an extra one (a rule firing where it should not) fails too.
    findings = [*report.changes, *report.gate_findings]
    assert [finding_of(c) for c in findings] == expected["changes"], str(folder)
    assert report.gate.value == expected["gate"]
    assert report.required_bump.label == expected["required_bump"]
    # The case's own rule fires, and a change it reports as proven carries a witness.
    rule = folder.name if folder.parent == CASES else folder.parent.name
    own = [c for c in findings if c.rule == rule]
    # A sub-case may show that its rule keeps quiet (an equivalent rewrite).
    assert own or (folder.parent != CASES and not expected["changes"])
    for change in own:
        if isinstance(change, Change) and change.breaks and change.certainty.value == "proven":
            assert change.witness is not None


@pytest.mark.parametrize("folder", CASE_DIRS, ids=CASE_IDS)
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
