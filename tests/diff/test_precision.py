"""The directions the diff reports are proven, on the real-Zod fixtures (issue 10's target).

``benchmarks/bench_diff_precision.py`` measures it on the case folders too and prints the
numbers; here the fixture releases of both emitters must keep precision >= 0.95 per
direction (a witness for that direction, rejected at the change's place, checked with
plain jsonschema) and find every breaking change ``expected-changes.json`` lists.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tc_contracts_py.diff.model import Direction

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_diff_precision.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_diff_precision", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("flavour", ["zod-to-json-schema", "zod4"])
def test_fixture_directions_are_proven_and_every_break_is_found(flavour: str) -> None:
    bench = _bench()
    tally = bench.Tally()
    found, breaking = bench.fixtures(flavour, tally)
    assert breaking > 0
    assert found == breaking, tally.missed
    for direction in Direction:
        assert tally.reported[direction] > 0
        assert tally.proven[direction] / tally.reported[direction] >= 0.95, tally.unproven
