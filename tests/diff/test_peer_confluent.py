"""Confluent Schema Registry's JSON Schema compatibility cases as an oracle.

Confluent's ``compatible`` (BACKWARD, STRICT) means: a consumer on the update can read
everything written with the original, i.e. not ``breaks_new_readers`` under the
``reject`` policy. Every disagreement must be listed with its reason in
``peer_disagreements.json``; a new one fails the test.

The cases are third-party data under the Confluent Community License (not OSI open
source), so the repository does not carry them: they are read from
``$TC_PEER_SUITES/confluent-jsonschema`` (``.ci/run`` sets it), else from
``../shared/peer-suites/confluent-jsonschema`` beside the checkout. Provenance, licence
and how to get them: docs/diff.md ("Agreement with Confluent Schema Registry").
A clone without the data skips these two tests with that reason; where
``TC_PEER_SUITES`` is set (always in CI) a missing suite fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.diff import DiffPolicy, diff_schema_sets
from tests.diff.helpers import schema_set

REPO = Path(__file__).resolve().parents[2]
SUITE_NAME = "confluent-jsonschema"
DISAGREEMENTS = Path(__file__).parent / "peer_disagreements.json"
EXPECTED_CASES = 263


def suite_folder() -> Path:
    configured = os.environ.get("TC_PEER_SUITES")
    root = Path(configured) if configured else REPO.parent / "shared" / "peer-suites"
    return root / SUITE_NAME


@pytest.fixture(scope="module")
def suite() -> Path:
    folder = suite_folder()
    if folder.is_dir():
        return folder
    reason = (
        f"the Confluent peer suite is not at {folder}: it is third-party data under the "
        "Confluent Community License, not carried by this repository; set TC_PEER_SUITES "
        "(see docs/diff.md)"
    )
    if os.environ.get("TC_PEER_SUITES"):  # set by .ci/run: there the suite always runs
        pytest.fail(reason)
    pytest.skip(reason)


def load_cases(suite: Path) -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(suite.glob("diff-*.json")):
        raw = path.read_text()
        try:
            loaded = json.loads(raw)
        except ValueError:  # one file has trailing commas (accepted by org.json upstream)
            loaded = json.loads(re.sub(r",(\s*[}\]])", r"\1", raw))
        cases.extend((f"{path.stem}#{index}", case) for index, case in enumerate(loaded))
    return cases


def our_verdict(case: dict[str, Any]) -> bool:
    report = diff_schema_sets(
        schema_set({"S": case["original_schema"]}, "original"),
        schema_set({"S": case["update_schema"]}, "update"),
        DiffPolicy(unknown_properties=UnknownProperties.REJECT),
    )
    return not any(c.breaks_new_readers for c in report.changes)


def test_confluent_agreement(suite: Path) -> None:
    cases = load_cases(suite)
    assert len(cases) == EXPECTED_CASES
    disagreements = {
        case_id: case["description"]
        for case_id, case in cases
        if our_verdict(case) != case["compatible"]
    }
    agreed = len(cases) - len(disagreements)
    print(f"\nConfluent agreement: {agreed}/{len(cases)} ({100 * agreed / len(cases):.1f}%)")
    assert agreed / len(cases) >= 0.95
    documented = json.loads(DISAGREEMENTS.read_text())
    assert set(disagreements) == set(documented), (
        f"new: {sorted(set(disagreements) - set(documented))}, "
        f"fixed (remove from {DISAGREEMENTS.name}): {sorted(set(documented) - set(disagreements))}"
    )
    assert all(reason.strip() for reason in documented.values())


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def test_recursive_schema_diffed_with_itself_has_no_changes(suite: Path) -> None:
    document = json.loads((suite / "recursive-schema.json").read_text())
    # Reordered keys give other bytes, so the walker really compares the two.
    report = diff_schema_sets(
        schema_set({"S": document}), schema_set({"S": _reversed_keys(document)}), DiffPolicy()
    )
    assert report.changes == []
