"""The jsonschema-rs fast path gives the same verdicts as the reference validator."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tc_contracts_py.schemaset import schema_set_from_files
from tc_contracts_py.testing.contracts import Contracts, ContractViolation
from tc_contracts_py.testing.fast import FastPathUnavailable

from .conftest import EXAMPLES, SCHEMAS, fixture_payloads, fixture_sets, load_fixture_set


@pytest.mark.parametrize(("flavour", "version"), fixture_sets())
def test_same_verdicts_on_every_fixture_payload(flavour: str, version: str) -> None:
    schema_set = load_fixture_set(flavour, version)
    reference = Contracts(schema_set, engine="jsonschema")
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
    reference = Contracts(schema_set, engine="jsonschema")
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


def test_the_default_engine_is_the_fast_path_for_every_fixture_schema() -> None:
    contracts = Contracts(load_fixture_set("zod4", "2.0.0"))
    assert contracts.engine == "auto"
    assert {contracts.engine_of(name) for name in contracts.names} == {"jsonschema-rs"}


def test_auto_falls_back_to_the_reference_engine_for_a_schema_jsonschema_rs_refuses() -> None:
    """``a{,3}`` is a quantifier to Python's re and not a regex to jsonschema-rs."""
    schema_set = schema_set_from_files(
        {
            "Capped.json": b'{"type": "string", "pattern": "^a{,3}$"}',
            "Plain.json": b'{"type": "string", "maxLength": 2}',
        },
        origin="test",
    )
    auto = Contracts(schema_set)
    reference = Contracts(schema_set, engine="jsonschema")
    assert auto.engine_of("Capped") == "jsonschema"
    assert auto.engine_of("Plain") == "jsonschema-rs"
    for payload in ["", "aa", "aaaa", "a{,3}", 3]:
        assert auto.is_valid("Capped", payload) is reference.is_valid("Capped", payload), payload
    with pytest.raises(ContractViolation):
        auto.validate("Capped", "aaaa")
    with pytest.raises(FastPathUnavailable, match=r"Capped\.json: jsonschema-rs cannot compile"):
        Contracts(schema_set, engine="jsonschema-rs").validate("Capped", "aa")


def test_load_passes_the_engine_on() -> None:
    """Before the fix, ``Contracts.load`` dropped its ``engine`` argument."""
    loaded = Contracts.load(SCHEMAS / "zod4" / "2.0.0", engine="jsonschema")
    assert loaded.engine == "jsonschema"
    assert {loaded.engine_of(name) for name in loaded.names} == {"jsonschema"}
