"""CI runs the example consumer: fresh models, its own tests and the plugin's tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "ai-coach"


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CI": "true",  # derandomized, no example database
        "TC_CONTRACTS_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("TC_FUZZ_EXAMPLES", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_example_models_are_fresh(tmp_path: Path) -> None:
    result = _run(["-m", "tc_contracts_py", "gen", "--check", "--offline"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_example_suite_passes_with_the_generated_contract_tests(tmp_path: Path) -> None:
    result = _run(["-m", "pytest", "-v", "-p", "no:cacheprovider"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for schema in ("User", "CoachAdviceResponse", "CoachAdviceResponseV1", "TrainingSession"):
        assert f"tc-contracts::test_round_trip[{schema}] PASSED" in output
        assert f"tc-contracts::test_agreement[{schema}] PASSED" in output
    assert (
        "tests/test_advice.py::test_still_reads_1x_advice_during_the_grace_window PASSED" in output
    )
