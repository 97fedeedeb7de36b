"""Consumer test kit benchmarks (issue 5), each ratio against a baseline in the same run.

1. Runtime validation per payload on the real-Zod fixture set (zod-to-json-schema 2.0.0):
   ``Contracts.validate`` (default engine "auto": jsonschema-rs) vs the naive
   ``jsonschema.validate(payload, schema)`` (target >= 20x faster) and vs a hand-built
   validator reused across calls (target within 1.5x); beside them the pure-Python
   reference engine, ``Contracts(engine="jsonschema")``.
2. Strategy throughput: generated valid payloads per second, per fixture schema.

Payloads: the Zod-checked fixture payloads plus generated ones, valid and near misses.
Env: TC_BENCH_REPEAT (default 5) repeats of each timing; the best is kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings

from tc_contracts_py.schemaset import load_directory
from tc_contracts_py.testing.contracts import Contracts, ContractViolation

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "fixtures" / "schemas" / "zod-to-json-schema" / "2.0.0"
PAYLOADS = ROOT / "fixtures" / "payloads" / "2.0.0"
REPEAT = int(os.environ.get("TC_BENCH_REPEAT", "5"))
GENERATED_PER_SCHEMA = 20


def _best(function: Callable[[], None], repeat: int = REPEAT) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _collect(strategy: Any, count: int) -> list[Any]:
    found: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(value: Any) -> None:
        found.append(value)

    draw()
    return found


def _workload(contracts: Contracts) -> list[tuple[str, Any]]:
    work: list[tuple[str, Any]] = []
    for name in contracts.names:
        path = PAYLOADS / f"{name}.json"
        if path.is_file():
            data = json.loads(path.read_text())
            work.extend((name, payload) for payload in data["valid"])
            work.extend((name, case["payload"]) for case in data["invalid"])
        work.extend((name, p) for p in _collect(contracts.payloads(name), GENERATED_PER_SCHEMA))
        misses = _collect(contracts.invalid_payloads(name), GENERATED_PER_SCHEMA // 2)
        work.extend((name, miss.payload) for miss in misses)
    return work


def bench_validation(contracts: Contracts) -> list[str]:
    work = _workload(contracts)
    valid = [(name, payload) for name, payload in work if contracts.is_valid(name, payload)]
    documents = {name: contracts.schema(name) for name in contracts.names}
    checker = jsonschema.FormatChecker()
    hand_built = {
        name: jsonschema.Draft7Validator(document, format_checker=checker)
        for name, document in documents.items()
    }
    reference = Contracts(contracts.schema_set, engine="jsonschema")
    for name in contracts.names:  # compile outside the timed loops (done once in real use)
        assert contracts.engine_of(name) == "jsonschema-rs", name
        reference.validator(name)

    def loop(check: Callable[[str, Any], None], items: list[tuple[str, Any]]) -> Callable[[], None]:
        def run() -> None:
            for name, payload in items:
                with contextlib.suppress(jsonschema.ValidationError, ContractViolation):
                    check(name, payload)

        return run

    def naive(name: str, payload: Any) -> None:
        jsonschema.validate(payload, documents[name])

    def reused(name: str, payload: Any) -> None:
        hand_built[name].validate(payload)

    def reused_all(name: str, payload: Any) -> None:
        errors = list(hand_built[name].iter_errors(payload))
        if errors:
            raise errors[0]

    lines = [f"validation over {len(documents)} fixture schemas (zod-to-json-schema 2.0.0):"]
    for label, items in (("valid payloads", valid), ("all payloads (half invalid)", work)):
        naive_time = _best(loop(naive, items), repeat=max(1, REPEAT // 2))
        reused_time = _best(loop(reused, items))
        reused_all_time = _best(loop(reused_all, items))
        kit_time = _best(loop(contracts.validate, items))
        reference_time = _best(loop(reference.validate, items))

        def per(seconds: float, count: int = len(items)) -> str:
            return f"{seconds / count * 1e6:8.1f} us/payload"

        lines += [
            f"  {label}: {len(items)}",
            f"    naive jsonschema.validate(payload, schema)   {per(naive_time)}  (baseline)",
            f"    hand-built Draft7Validator, reused         {per(reused_time)}",
            f"      same, collecting every error             {per(reused_all_time)}",
            f"    Contracts.validate (default engine)        {per(kit_time)}",
            f"    Contracts(engine='jsonschema').validate    {per(reference_time)}",
            f"    Contracts.validate: {naive_time / kit_time:6.1f}x faster than naive "
            f"(target >= 20x), {kit_time / reused_time:4.2f}x the reused validator's time "
            f"(target <= 1.5x)",
            f"    reference engine: {naive_time / reference_time:5.1f}x faster than naive "
            f"(the reused validator itself is {naive_time / reused_time:.1f}x), "
            f"{reference_time / reused_time:4.2f}x the reused validator's time, "
            f"{reference_time / reused_all_time:4.2f}x when it too collects every error",
        ]
    lines.append(
        "  (Contracts.validate collects every violation of an invalid payload; the reused "
        "validator's validate() stops at the first.)"
    )
    return lines


def bench_strategies(contracts: Contracts) -> list[str]:
    lines = ["strategy throughput (valid payloads per second, 50 examples each):"]
    for name in contracts.names:
        strategy = contracts.payloads(name)
        _collect(strategy, 3)  # warm-up: strategy construction and imports
        started = time.perf_counter()
        drawn = _collect(strategy, 50)
        elapsed = time.perf_counter() - started
        size = sum(len(json.dumps(p)) for p in drawn) / max(1, len(drawn))
        lines.append(f"  {name:28s} {len(drawn) / elapsed:8.0f} /s  (mean {size:6.0f} bytes)")
    return lines


def main() -> list[str]:
    contracts = Contracts(load_directory(SCHEMAS))
    lines = [*bench_validation(contracts), *bench_strategies(contracts)]
    for line in lines:
        print(line, flush=True)
    return lines


if __name__ == "__main__":
    main()
    sys.exit(0)
