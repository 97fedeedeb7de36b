"""The jsonschema-rs fast path gives the same verdicts as the reference validator."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tc_contracts_py.testing.contracts import Contracts, ContractViolation

from .conftest import EXAMPLES, fixture_payloads, fixture_sets, load_fixture_set

# The fast path is the optional `fast` extra; the dev extra installs it, so CI runs these.


@pytest.mark.parametrize(("flavour", "version"), fixture_sets())
def test_same_verdicts_on_every_fixture_payload(flavour: str, version: str) -> None:
    schema_set = load_fixture_set(flavour, version)
    reference = Contracts(schema_set)
    fast = Contracts(schema_set, engine="jsonschema-rs")
    compared = 0
    for name in reference.names:
        cases = fixture_payloads(version, name)
        for payload in [*cases["valid"], *(case["payload"] for case in cases["invalid"])]:
            compared += 1
            assert fast.is_valid(name, payload) is reference.is_valid(name, payload), (
                name,
                payload,
            )
            fast_pointers = {v.pointer for v in fast.violations(name, payload)}
            reference_pointers = {v.pointer for v in reference.violations(name, payload)}
            assert bool(fast_pointers) is bool(reference_pointers)
    assert compared > 100


@pytest.mark.parametrize("flavour", ["zod-to-json-schema", "zod4"])
def test_same_verdicts_on_generated_payloads_and_near_misses(flavour: str) -> None:
    schema_set = load_fixture_set(flavour, "2.0.0")
    reference = Contracts(schema_set)
    fast = Contracts(schema_set, engine="jsonschema-rs")
    run = settings(
        max_examples=max(3, EXAMPLES // 6),
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    for name in reference.names:

        @run
        @given(reference.payloads(name))
        def valid(payload: Any) -> None:
            assert fast.is_valid(name, payload)

        @run
        @given(reference.invalid_payloads(name))
        def invalid(miss: Any) -> None:
            assert not fast.is_valid(name, miss.payload), str(miss)

        valid()
        invalid()


def test_fast_validate_raises_with_pointers() -> None:
    fast = Contracts(load_fixture_set("zod-to-json-schema", "2.0.0"), engine="jsonschema-rs")
    with pytest.raises(ContractViolation) as caught:
        fast.validate("User", {"id": "nope"})
    assert "/id" in caught.value.pointers
    assert any(v.keyword == "required" for v in caught.value.violations)


def test_auto_engine_uses_the_fast_path_when_installed() -> None:
    auto = Contracts(load_fixture_set("zod4", "2.0.0"), engine="auto")
    assert auto.engine == "jsonschema-rs"
