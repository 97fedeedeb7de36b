"""Audits of the rule registry: every rule is declared the way docs/diff.md promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tc_contracts_py.diff import rules as rules_package
from tc_contracts_py.diff.catalogue import DOCS_BEGIN, DOCS_END, render_rules
from tc_contracts_py.diff.model import BOTH, NONE
from tc_contracts_py.diff.rules import NR, OR, RULES, Family, Level

DOCS = Path(__file__).resolve().parents[2] / "docs" / "diff.md"
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_is_well_formed(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.id == rule_id
    assert KEBAB.fullmatch(rule_id), f"{rule_id} is not kebab-case"
    assert isinstance(rule.family, Family)
    assert isinstance(rule.level, Level)
    description = rule.description
    assert description, f"{rule_id}: empty description"
    assert description.strip() == description, f"{rule_id}: stray whitespace"
    assert "\n" not in description, f"{rule_id}: the description is one line"
    # Rules the walker calls have a check; rules emitted elsewhere have none.
    assert (rule.check is None) == (rule.level is Level.LISTED), rule_id


def test_single_direction_rules_come_in_symmetric_pairs() -> None:
    """Each narrowing rule of a family and type has a widening twin, and the reverse."""
    one_way = [r for r in RULES.values() if r.level is Level.SIMPLE and len(r.breaks) == 1]
    by_shape: dict[tuple[str, str | None], dict[str, int]] = {}
    for rule in one_way:
        counts = by_shape.setdefault((rule.family.value, rule.applies_to), {"nr": 0, "or": 0})
        counts["nr" if NR in rule.breaks else "or"] += 1
    for shape, counts in by_shape.items():
        assert counts["nr"] == counts["or"], f"{shape}: {counts}"
    assert len(one_way) >= 40


def test_every_emitted_id_is_a_registered_constant() -> None:
    emitted = [
        name
        for name in rules_package.__all__
        if name.isupper() and name not in ("NR", "OR", "RULES")
    ]
    assert len(emitted) == 12
    for name in emitted:
        assert getattr(rules_package, name) in RULES, name


def test_directions_are_drawn_from_the_two_readers() -> None:
    for rule in RULES.values():
        assert rule.breaks in (NONE, BOTH, frozenset({NR}), frozenset({OR})), rule.id


def test_the_docs_rules_table_is_the_registry() -> None:
    """docs/diff.md's table is `tc-schema rules --format markdown` between its markers."""
    text = DOCS.read_text()
    table = text[text.index(DOCS_BEGIN) + len(DOCS_BEGIN) : text.index(DOCS_END)]
    assert table.strip() == render_rules("markdown").strip(), (
        "docs/diff.md is out of date: paste `tc-schema rules --format markdown` between its markers"
    )
