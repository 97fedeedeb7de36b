"""Run every ``benchmarks/bench_*.py`` (or those named on the command line) in turn.

Each benchmark measures its baseline in the same run and prints ratios.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    wanted = set(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if wanted:
        scripts = [
            s for s in scripts if s.stem in wanted or s.stem.removeprefix("bench_") in wanted
        ]
    failures = 0
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        started = time.perf_counter()
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (0, None):
                failures += 1
                print(f"{script.stem}: exited with {exc.code}", flush=True)
        print(f"({script.stem} took {time.perf_counter() - started:.1f} s)\n", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
