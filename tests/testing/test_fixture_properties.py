"""Property test over every fixture schema: generated payloads validate, near misses do not.

Schemas that are identical across versions once descriptions are dropped are tested
once. Counts of what was tried are printed at the end of the run.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tc_contracts_py.testing.contracts import Contracts

from .conftest import COUNTS, EXAMPLES, fixture_sets, load_fixture_set

RUN = settings(
    max_examples=EXAMPLES,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_without_descriptions(item) for item in node]
    return node


def _local_refs_only(node: Any) -> bool:
    text = json.dumps(node)
    return '"$ref": "#' in text or '"$ref"' not in text


def unique_fixture_schemas() -> list[Any]:
    seen: dict[str, str] = {}
    cases = []
    for flavour, version in fixture_sets():
        for schema in load_fixture_set(flavour, version):
            key = json.dumps(_without_descriptions(schema.document), sort_keys=True)
            if _local_refs_only(schema.document) and key in seen:
                continue
            seen[key] = f"{flavour}/{version}/{schema.name}"
            cases.append(pytest.param(flavour, version, schema.name, id=seen[key]))
    return cases


CASES = unique_fixture_schemas()
_CONTRACTS: dict[tuple[str, str], Contracts] = {}


def contracts_for(flavour: str, version: str) -> Contracts:
    key = (flavour, version)
    if key not in _CONTRACTS:
        _CONTRACTS[key] = Contracts(load_fixture_set(flavour, version))
    return _CONTRACTS[key]


def test_fixtures_are_present() -> None:
    assert len(fixture_sets()) == 10
    assert len(CASES) >= 50


@pytest.mark.parametrize(("flavour", "version", "name"), CASES)
def test_generated_payloads_validate_and_near_misses_do_not(
    flavour: str, version: str, name: str
) -> None:
    contracts = contracts_for(flavour, version)
    COUNTS["fixture schemas"] += 1

    @RUN
    @given(contracts.payloads(name))
    def valid(payload: Any) -> None:
        COUNTS["valid payloads checked"] += 1
        assert contracts.violations(name, payload) == []

    @RUN
    @given(contracts.invalid_payloads(name))
    def near_miss(miss: Any) -> None:
        COUNTS["near misses checked"] += 1
        assert not contracts.is_valid(name, miss.payload), str(miss)

    valid()
    near_miss()
