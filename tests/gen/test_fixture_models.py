"""Every real Zod fixture schema, generated into models, against payloads Zod itself judged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from tc_contracts_py.codegen import generate_from_source
from tests.conftest import FLAVOURS, PAYLOADS, ROOT, SCHEMAS, fixture_versions

GOLDEN = ROOT / "tests" / "golden" / "gen"
GOLDEN_FLAVOUR, GOLDEN_VERSION = "zod-to-json-schema", "1.1.0"

CASES = [(flavour, version) for flavour in FLAVOURS for version in fixture_versions(flavour)]


def test_fixtures_are_present():
    # The fixture tree is committed; an empty parametrisation below must not pass silently.
    assert len(CASES) >= 8, CASES


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    cache: dict[tuple[str, str], Path] = {}

    def get(flavour: str, version: str) -> Path:
        if (flavour, version) not in cache:
            out = tmp_path_factory.mktemp("gen") / f"models_{flavour.replace('-', '_')}_{version.replace('.', '_')}"
            generate_from_source(str(SCHEMAS / flavour / version), out)
            cache[(flavour, version)] = out
        return cache[(flavour, version)]

    return get


@pytest.mark.parametrize(("flavour", "version"), CASES)
def test_models_accept_zod_valid_and_reject_zod_invalid_payloads(flavour, version, generated, import_package):
    package = import_package(generated(flavour, version))
    checked = 0
    for payload_file in sorted((PAYLOADS / version).glob("*.json")):
        name = payload_file.stem
        if name not in package.__all__:
            continue
        model = getattr(package, name)
        cases = json.loads(payload_file.read_text())
        for index, payload in enumerate(cases["valid"]):
            try:
                parsed = model.model_validate(payload)
            except ValidationError as exc:
                pytest.fail(f"{flavour}/{version} {name} valid[{index}] rejected: {exc}")
            dumped = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)
            assert model.model_validate(dumped) == parsed
            checked += 1
        for index, case in enumerate(cases["invalid"]):
            with pytest.raises(ValidationError):
                model.model_validate(case["payload"])
                pytest.fail(f"{flavour}/{version} {name} invalid[{index}] accepted ({case['why']})")
            checked += 1
    assert checked > 0


def test_golden_output(generated):
    out = generated(GOLDEN_FLAVOUR, GOLDEN_VERSION)
    golden = GOLDEN / f"{GOLDEN_FLAVOUR}-{GOLDEN_VERSION}"
    produced = {p.name: p.read_text() for p in sorted(out.iterdir()) if p.is_file()}
    produced["_manifest.json"] = produced["_manifest.json"].replace(out.name, "models")
    if os.environ.get("TC_UPDATE_GOLDEN"):
        golden.mkdir(parents=True, exist_ok=True)
        for old in golden.iterdir():
            old.unlink()
        for name, text in produced.items():
            (golden / name).write_text(text)
    expected = {p.name: p.read_text() for p in sorted(golden.iterdir())}
    assert sorted(produced) == sorted(expected)
    for name, text in expected.items():
        assert produced[name] == text, f"{name} differs from the golden file (TC_UPDATE_GOLDEN=1 rewrites)"
