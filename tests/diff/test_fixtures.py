"""The real-Zod fixture releases: expected bump per pair and the changes ``fixtures/README.md`` lists."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tc_contracts_py.diff import Bump, DiffPolicy, DiffReport, GateStatus, diff_schema_sets
from tc_contracts_py.schemaset import load_directory
from tests.conftest import FIXTURES, FLAVOURS, SCHEMAS
from tests.diff.helpers import check_witnesses

EXPECTED = json.loads((FIXTURES / "expected-changes.json").read_text())
PAIRS = [(p["from"], p["to"], p) for p in EXPECTED["pairs"]]

# fixture change kind -> rule ids that describe it
KINDS: dict[str, set[str]] = {
    "property_added_optional": {"optional-property-added"},
    "enum_values_added": {"enum-value-added"},
    "enum_values_removed": {"enum-value-removed"},
    "schema_added": {"schema-added"},
    "description_changed": {"description-changed"},
    "description_added": {"description-changed"},
    "property_made_required": {"property-made-required"},
    "property_removed": {"required-property-removed"},
    "property_added_required": {"required-property-added"},
    "maximum_lowered": {"number-maximum-decreased"},
    "type_changed": {"type-changed"},
}


def diff_pair(flavour: str, old: str, new: str) -> DiffReport:
    old_set = load_directory(SCHEMAS / flavour / old)
    new_set = load_directory(SCHEMAS / flavour / new)
    return diff_schema_sets(
        old_set, new_set, DiffPolicy(), old_source=f"{flavour}/{old}", new_source=f"{flavour}/{new}"
    )


def _places(change: Any) -> set[str]:
    """Payload paths a change speaks about: its own, and its own plus each quoted key."""
    places = {change.path}
    for key in re.findall(r"'([^']+)'", change.message):
        places.add(f"{change.path}.{key}" if change.path else key)
    return places


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("old", "new", "pair"), PAIRS, ids=[f"{a}-{b}" for a, b, _ in PAIRS])
def test_fixture_pair(flavour: str, old: str, new: str, pair: dict[str, Any]) -> None:
    report = diff_pair(flavour, old, new)
    assert report.old.version == old
    assert report.new.version == new
    assert report.required_bump is Bump.from_label(pair["bump"])
    assert report.declared_bump is Bump.from_label(pair["bump"])
    assert report.gate is GateStatus.PASS
    for expected in pair["changes"]:
        candidates = [
            c
            for c in report.changes
            if c.schema == expected["schema"] and c.rule in KINDS[expected["kind"]]
        ]
        matching = [c for c in candidates if expected["path"] in _places(c)]
        assert matching, (
            f"{flavour} {old}->{new}: {expected} not in {[(c.rule, c.path, c.message) for c in candidates]}"
        )
        if expected["breaking"]:
            assert any(c.bump is Bump.MAJOR for c in matching), expected
            assert all(c.witness is not None for c in matching if c.bump is Bump.MAJOR)
        else:
            assert all(c.bump is not Bump.MAJOR for c in matching), expected
    changed = {c.schema for c in report.changes}
    assert changed == {c["schema"] for c in pair["changes"]}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_fixture_witnesses_verify(flavour: str) -> None:
    checked = 0
    for old, new, _ in PAIRS:
        report = diff_pair(flavour, old, new)
        checked += check_witnesses(
            report, load_directory(SCHEMAS / flavour / old), load_directory(SCHEMAS / flavour / new)
        )
    assert checked >= 10


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_major_release_without_a_major_bump_fails(flavour: str) -> None:
    old_set = load_directory(SCHEMAS / flavour / "1.1.1")
    new_set = load_directory(SCHEMAS / flavour / "2.0.0")
    report = diff_schema_sets(
        old_set, new_set, DiffPolicy(from_version="1.1.1", to_version="1.2.0")
    )
    assert report.gate is GateStatus.FAIL
    assert [f.rule for f in report.gate_findings] == ["gate-bump-too-small"]
    assert not any(c.rule.startswith("gate-") for c in report.changes)


def test_both_emitters_give_the_same_verdicts() -> None:
    for old, new, _ in PAIRS:
        reports = [diff_pair(flavour, old, new) for flavour in FLAVOURS]
        verdicts = [
            sorted(
                (c.schema, c.rule, c.path, c.bump.label)
                for c in r.changes
                # zod-to-json-schema emits intersections as open objects, zod 4 merges them
                if c.rule
                not in ("property-added-to-open-object", "property-removed-from-open-object")
            )
            for r in reports
        ]
        assert verdicts[0] == verdicts[1], (old, new)
