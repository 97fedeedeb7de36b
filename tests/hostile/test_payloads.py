"""Hostile payloads through ``Contracts``: deep nesting never crashes the process.

jsonschema-rs recurses on the native stack and dies with SIGSEGV on a payload some
20,000 levels deep; the pure-Python engine raises RecursionError at a few hundred.
``Contracts`` caps nesting (1000 levels by default, as ``json.loads`` does) and reports
the cap, or the reference engine's recursion limit, as a violation at the root.
The deepest cases run in a subprocess so that a regression fails one test, not the run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tc_contracts_py.schemaset import schema_set_from_files
from tc_contracts_py.testing.contracts import Contracts, ContractViolation

RECURSIVE = b'{"type": "object", "properties": {"k": {"$ref": "#"}}}'
NESTED_ARRAYS = b'{"type": "array", "items": {"anyOf": [{"type": "integer"}, {"$ref": "#"}]}}'


def _contracts(engine: str, **options: int) -> Contracts:
    schema_set = schema_set_from_files(
        {"Tree.json": RECURSIVE, "Arrays.json": NESTED_ARRAYS}, origin="hostile"
    )
    return Contracts(schema_set, engine=engine, **options)  # type: ignore[arg-type]


def _objects(depth: int) -> dict[str, object]:
    payload: dict[str, object] = {}
    for _ in range(depth - 1):
        payload = {"k": payload}
    return payload


def _arrays(depth: int) -> object:
    payload: object = [1]
    for _ in range(depth - 1):
        payload = [payload]
    return payload


@pytest.mark.parametrize("engine", ["auto", "jsonschema"])
def test_payloads_at_the_cap_are_checked_and_one_level_more_is_refused(engine):
    contracts = _contracts(engine, max_payload_depth=150)
    for name, build in (("Tree", _objects), ("Arrays", _arrays)):
        assert contracts.is_valid(name, build(150)), name
        assert not contracts.is_valid(name, build(151)), name
        with pytest.raises(ContractViolation) as caught:
            contracts.validate(name, build(151))
        (violation,) = caught.value.violations
        assert (violation.pointer, violation.keyword) == ("", "maxPayloadDepth")
        assert "150 levels" in violation.message


def test_the_reference_engine_reports_its_recursion_limit_as_a_violation():
    contracts = _contracts("jsonschema")
    deep = _objects(900)  # under the cap, over what the pure-Python validator can recurse
    assert not contracts.is_valid("Tree", deep)
    with pytest.raises(ContractViolation) as caught:
        contracts.validate("Tree", deep)
    assert [v.keyword for v in caught.value.violations] == ["maxPayloadDepth"]
    assert [v.keyword for v in contracts.violations("Tree", deep)] == ["maxPayloadDepth"]


def test_the_default_engine_takes_payloads_up_to_the_default_cap():
    contracts = _contracts("auto")
    assert contracts.engine_of("Tree") == "jsonschema-rs"
    assert contracts.is_valid("Tree", _objects(1000))
    assert contracts.is_valid("Arrays", _arrays(1000))


@pytest.mark.parametrize("engine", ["auto", "jsonschema"])
def test_a_payload_deep_enough_to_crash_jsonschema_rs_is_refused_in_process(engine):
    script = textwrap.dedent(
        f"""
        from tests.hostile.test_payloads import _arrays, _contracts, _objects
        from tc_contracts_py.testing.contracts import ContractViolation

        contracts = _contracts({engine!r})
        for name, build in (("Tree", _objects), ("Arrays", _arrays)):
            payload = build(200_000)
            assert not contracts.is_valid(name, payload)
            try:
                contracts.validate(name, payload)
            except ContractViolation as exc:
                assert [v.keyword for v in exc.violations] == ["maxPayloadDepth"]
            else:
                raise AssertionError("accepted")
        print("refused")
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, (completed.returncode, completed.stderr[-2000:])
    assert completed.stdout.strip() == "refused"
