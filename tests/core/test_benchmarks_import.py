"""The benchmark scripts' imports resolve: `nox -s bench` runs rarely, so a moved module
would otherwise break it unnoticed (as moving the local registry into tests/ once did,
through an import inside a function)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
OURS = ("tc_contracts_py", "tests")


def _imports_of_ours(script: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(script.read_text(), str(script))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(OURS):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith(OURS)]
    return found


@pytest.mark.parametrize("script", sorted(BENCHMARKS.glob("*.py")), ids=lambda p: p.name)
def test_every_import_of_ours_in_a_benchmark_resolves(script: Path) -> None:
    for module_name, name in _imports_of_ours(script):
        module = importlib.import_module(module_name)
        if name:
            assert hasattr(module, name) or importlib.util.find_spec(f"{module_name}.{name}"), (
                f"{script.name}: {module_name} has no {name}"
            )


def test_the_import_check_sees_imports_inside_functions() -> None:
    assert ("tests.registry", "start_registry") in _imports_of_ours(BENCHMARKS / "bench_process.py")
