"""The real Zod construct fixtures (fixtures/constructs), generated and checked against Zod.

Each emitter folder is generated into one models package. The package must import with
warnings as errors; ``check-models`` (generated payloads, near misses and the known
payloads) must find no disagreement per schema; the schema, read with Zod's semantics,
must give Zod's verdict on every payload Zod judged; and every valid payload must
round-trip through the generated model. See fixtures/README.md ("Constructs").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.codegen import generate_from_source
from tc_contracts_py.testing.check_models import check_models
from tc_contracts_py.testing.contracts import Contracts
from tests.conftest import FLAVOURS, ROOT

CONSTRUCTS = ROOT / "fixtures" / "constructs"
PAYLOADS = CONSTRUCTS / "payloads"
EXAMPLES = 30


def _names(emitter: str) -> list[str]:
    folder = CONSTRUCTS / emitter
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


CASES = [pytest.param(e, n, id=f"{e}-{n}") for e in FLAVOURS for n in _names(e)]


def _payloads(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def test_construct_fixtures_are_present():
    # The fixture tree is committed; an empty parametrisation must not pass silently.
    assert len(_names("zod-to-json-schema")) >= 30
    assert len(_names("zod4")) >= 30
    emitted = set(_names("zod-to-json-schema")) | set(_names("zod4"))
    assert emitted == {p.stem for p in PAYLOADS.glob("*.json")}
    for name in emitted:
        cases = _payloads(name)
        assert len(cases["valid"]) >= 2, name
        assert len(cases["invalid"]) >= 4, name
        assert all(case["why"] for case in cases["invalid"]), name


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The models package of an emitter folder, generated once per module (named ``models``)."""
    cache: dict[str, Path] = {}

    def get(emitter: str) -> Path:
        if emitter not in cache:
            out = tmp_path_factory.mktemp(emitter.replace("-", "_")) / "models"
            generate_from_source(str(CONSTRUCTS / emitter), out)
            cache[emitter] = out
        return cache[emitter]

    return get


@pytest.fixture(scope="module")
def contracts(generated):
    cache: dict[str, Contracts] = {}

    def get(emitter: str) -> Contracts:
        if emitter not in cache:
            cache[emitter] = Contracts.load(str(CONSTRUCTS / emitter), models=generated(emitter))
        return cache[emitter]

    return get


@pytest.mark.parametrize("emitter", FLAVOURS)
def test_generated_package_imports_without_warnings(emitter, generated):
    out = generated(emitter)
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import models"],
        cwd=out.parent,
        env={"PYTHONPATH": str(out.parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.mark.parametrize(("emitter", "name"), CASES)
def test_check_models_finds_no_disagreement(emitter, name, contracts):
    """What ``tc-schema check-models <schemas> <models> --payloads <payloads> --examples 30``
    runs for one schema, through the library function the command calls."""
    found = check_models(
        contracts(emitter), schemas=[name], examples=EXAMPLES, payload_dir=PAYLOADS
    )
    assert not found.skipped
    assert [report.schema for report in found.reports] == [name]
    details = [f.describe() for report in found.reports for f in report.findings]
    assert found.findings == 0, "\n".join(details)


@pytest.mark.parametrize(("emitter", "name"), CASES)
def test_schema_verdicts_equal_zods(emitter, name, contracts):
    """Zod accepted every valid payload and rejected every invalid one; so must the schema."""
    checked = contracts(emitter)
    cases = _payloads(name)
    wrong = [
        f"valid[{i}] rejected: {json.dumps(payload)}: {checked.violations(name, payload)}"
        for i, payload in enumerate(cases["valid"])
        if not checked.is_valid(name, payload)
    ]
    wrong += [
        f"invalid[{i}] accepted ({case['why']}): {json.dumps(case['payload'])}"
        for i, case in enumerate(cases["invalid"])
        if checked.is_valid(name, case["payload"])
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("emitter", "name"), CASES)
def test_valid_payloads_round_trip_through_the_model(emitter, name, contracts):
    checked = contracts(emitter)
    failures = []
    for i, payload in enumerate(_payloads(name)["valid"]):
        try:
            checked.assert_round_trip(name, payload)
        except Exception as exc:  # noqa: BLE001 - every failing payload is reported, not only the first
            failures.append(f"valid[{i}] {json.dumps(payload)}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)
