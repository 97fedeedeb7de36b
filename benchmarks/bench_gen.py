"""Codegen benchmarks (issue 2), each ratio measured against a baseline in the same run.

1. 100-schema set: ``tc-schema gen`` (one process, in-process generator) vs the naive
   script most teams write: one ``datamodel-codegen`` CLI process per schema file.
   Target: >= 10x faster.
2. 1000-schema set: a no-op regeneration vs a cold generation (target >= 20x faster),
   and vs merely hashing the input files (target <= 3x the hashing time).

Env: TC_BENCH_NAIVE_N (default 100) and TC_BENCH_NOOP_N (default 1000) shrink the sets.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth import write_schema_set  # noqa: E402

from tc_contracts_py.codegen import generate_from_source  # noqa: E402

BIN = Path(sys.executable).parent


def _timed(function, repeat: int = 1) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def naive_per_file(schemas: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for schema in sorted(schemas.glob("*.json")):
        subprocess.run(
            [
                str(BIN / "datamodel-codegen"),
                "--input", str(schema),
                "--input-file-type", "jsonschema",
                "--output", str(out / f"{schema.stem.lower()}.py"),
                "--output-model-type", "pydantic_v2.BaseModel",
                "--disable-timestamp",
                "--formatters", "builtin",
                "--no-allow-remote-refs",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip


def tc_schema_gen(schemas: Path, out: Path) -> None:
    subprocess.run(
        [str(BIN / "tc-schema"), "gen", str(schemas), "--out", str(out)],
        check=True,
        capture_output=True,
    )


def hash_inputs(schemas: Path) -> None:
    for schema in sorted(schemas.glob("*.json")):
        hashlib.sha256(schema.read_bytes()).hexdigest()


def main() -> None:
    naive_n = int(os.environ.get("TC_BENCH_NAIVE_N", "100"))
    noop_n = int(os.environ.get("TC_BENCH_NOOP_N", "1000"))
    work = Path(tempfile.mkdtemp(prefix="tc-bench-gen-"))
    try:
        small = write_schema_set(work / f"set{naive_n}", naive_n)
        naive = _timed(lambda: naive_per_file(small, work / "naive"))
        ours = _timed(lambda: tc_schema_gen(small, work / "models_small"))
        print(
            f"gen {naive_n} schemas: naive one-CLI-per-file {naive:.2f} s, tc-schema gen {ours:.2f} s"
        )
        print(
            f"RATIO gen-vs-naive-cli ({naive_n} schemas): {naive / ours:.1f}x faster (target >= 10x)"
        )

        big = write_schema_set(work / f"set{noop_n}", noop_n)
        models = work / "models_big"
        cold = _timed(lambda: generate_from_source(str(big), models))
        noop = _timed(lambda: generate_from_source(str(big), models), repeat=5)
        hashing = _timed(lambda: hash_inputs(big), repeat=5)
        print(
            f"gen {noop_n} schemas in-process: cold {cold:.2f} s, no-op {noop * 1000:.1f} ms, "
            f"hash inputs {hashing * 1000:.1f} ms"
        )
        print(f"RATIO no-op-vs-cold ({noop_n} schemas): {cold / noop:.0f}x faster (target >= 20x)")
        print(f"RATIO no-op-vs-hashing ({noop_n} schemas): {noop / hashing:.2f}x (target <= 3x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
