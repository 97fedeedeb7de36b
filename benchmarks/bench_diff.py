"""Benchmark of ``tc-schema diff``'s engine, with baselines measured in the same run.

1. Two 1000-schema synthetic sets, ~10% of the schemas changed, witnesses on, against
   merely ``json.load``-ing both sets' files (target: within 3x).
2. The same at 5000 schemas against 1000 (target: within 6x, i.e. linear).
3. Deep ref chains and recursive unions at growing depth: time must grow about linearly.

Run: ``python benchmarks/bench_diff.py`` (or ``nox -s bench``).
"""

from __future__ import annotations

import copy
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synth import generate_schema_set  # noqa: E402

from tc_contracts_py.diff import DiffPolicy, diff_schema_sets  # noqa: E402
from tc_contracts_py.schemaset import load_directory, schema_set_from_files  # noqa: E402

CHANGED_SHARE = 0.10


def mutate(document: dict[str, Any], rng: random.Random) -> None:
    """One realistic change somewhere in a schema: narrowing, widening or additive."""
    properties = document["properties"]
    names = [n for n in properties if "$ref" not in properties[n]]
    name = rng.choice(names)
    target = properties[name]
    roll = rng.randrange(5)
    if roll == 0:
        properties[f"{name}Extra"] = {"type": "string", "maxLength": 30}
    elif roll == 1 and name not in document["required"]:
        document["required"].append(name)
    elif roll == 2 and target.get("type") == "string" and "enum" in target:
        target["enum"] = target["enum"][1:] or ["only"]
    elif roll == 3 and "maxLength" in target:
        target["maxLength"] = max(1, target["maxLength"] // 2)
    else:
        target["description"] = f"changed {rng.random():.6f}"


def build_sets(count: int, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    old = generate_schema_set(count, seed)
    new = copy.deepcopy(old)
    rng = random.Random(f"bench-diff:{count}:{seed}")
    for name in rng.sample(sorted(new), int(count * CHANGED_SHARE)):
        mutate(new[name], rng)
    return old, new


def write(folder: Path, documents: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        (folder / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
    return folder


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def json_load_all(*folders: Path) -> None:
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            with path.open("rb") as handle:
                json.load(handle)


def measure_scale(count: int, root: Path, repeat: int) -> tuple[float, float, float, int]:
    old_docs, new_docs = build_sets(count)
    old_dir, new_dir = write(root / f"old{count}", old_docs), write(root / f"new{count}", new_docs)
    baseline = best_of(repeat, lambda: json_load_all(old_dir, new_dir))
    started = time.perf_counter()
    old, new = load_directory(old_dir), load_directory(new_dir)
    load = time.perf_counter() - started
    reports: list[Any] = []
    engine = best_of(repeat, lambda: reports.append(diff_schema_sets(old, new, DiffPolicy())))
    report = reports[-1]
    witnessed = sum(1 for c in report.changes if c.witness is not None)
    return baseline, engine, load, witnessed


def chain(depth: int, leaf: str) -> dict[str, Any]:
    definitions: dict[str, Any] = {
        f"D{i}": {
            "anyOf": [
                {"type": "object", "properties": {"next": {"$ref": f"#/definitions/D{i + 1}"}, "self": {"$ref": f"#/definitions/D{i}"}}},
                {"type": "null"},
            ]
        }
        for i in range(depth)
    }  # fmt: skip
    definitions[f"D{depth}"] = {"type": leaf}
    return {"$ref": "#/definitions/D0", "definitions": definitions}


def tree(width: int, leaf: str) -> dict[str, Any]:
    members = [
        {"type": "object", "properties": {"kind": {"const": f"k{i}"}, "children": {"type": "array", "items": {"$ref": "#"}}, "value": {"type": leaf if i == 0 else "boolean"}}, "required": ["kind"]}
        for i in range(width)
    ]  # fmt: skip
    return {"anyOf": members}


def measure_deep(make: Callable[[int, str], dict[str, Any]], size: int) -> float:
    def one(leaf: str) -> Any:
        return schema_set_from_files({"S.json": json.dumps(make(size, leaf)).encode()}, origin="x")

    old, new = one("string"), one("integer")
    return best_of(3, lambda: diff_schema_sets(old, new, DiffPolicy()))


def main() -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as temp:
        root = Path(temp)
        base1, engine1, load1, witnessed1 = measure_scale(1000, root, repeat=3)
        lines.append(
            f"1000 schemas, {int(1000 * CHANGED_SHARE)} changed: json.load both sets {base1 * 1000:.0f} ms; "
            f"diff {engine1 * 1000:.0f} ms ({witnessed1} witnesses) -> {engine1 / base1:.2f}x json.load (target <= 3x)"
        )
        lines.append(
            f"  (loading both as checked SchemaSets, not part of the diff: {load1 * 1000:.0f} ms)"
        )
        base5, engine5, _load5, witnessed5 = measure_scale(5000, root, repeat=3)
        lines.append(
            f"5000 schemas: json.load {base5 * 1000:.0f} ms; diff {engine5 * 1000:.0f} ms "
            f"({witnessed5} witnesses) -> {engine5 / base5:.2f}x json.load; "
            f"5000 vs 1000: {engine5 / engine1:.2f}x (target <= 6x)"
        )
    for label, make, sizes in (
        ("ref chain with self refs and nullable unions", chain, (50, 100, 200)),
        ("recursive tagged-union tree, one member changed", tree, (8, 16, 32)),
    ):
        timings = [measure_deep(make, size) for size in sizes]
        steps = ", ".join(f"{s}: {t * 1000:.1f} ms" for s, t in zip(sizes, timings, strict=True))
        growth = timings[-1] / timings[0]
        lines.append(
            f"{label}: {steps}; x{sizes[-1] // sizes[0]} size -> {growth:.1f}x time (no blow-up)"
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line, flush=True)
