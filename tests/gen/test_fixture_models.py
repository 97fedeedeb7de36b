"""Every real Zod fixture schema, generated into models, against payloads Zod itself judged."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from tc_contracts_py.codegen import generate_from_source
from tc_contracts_py.sources import load_schema_set
from tc_contracts_py.testing.validation import format_checker, validator_class
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
            out = (
                tmp_path_factory.mktemp("gen")
                / f"models_{flavour.replace('-', '_')}_{version.replace('.', '_')}"
            )
            generate_from_source(str(SCHEMAS / flavour / version), out)
            cache[(flavour, version)] = out
        return cache[(flavour, version)]

    return get


# Where a generated model knowingly accepts what its JSON Schema rejects. Each is documented
# in docs/gen.md ("Known gaps"); any other disagreement fails the test.
KNOWN_LOOSER = {
    # policy `strip`: zod emits additionalProperties:false for plain and .strict() objects alike
    "strip policy": re.compile(r"unknown key .* on a \.strict\(\) object"),
}


def zod_validator(schema_set, name):
    """The schema read as Zod reads it: ECMA patterns (ASCII \\d), date-times ending in Z."""
    schema = schema_set[name]
    cls = validator_class(schema.dialect, "zod")
    return cls(schema.document, registry=schema_set.registry, format_checker=format_checker("zod"))


@pytest.mark.parametrize(("flavour", "version"), CASES)
def test_models_agree_with_their_schema_on_zod_checked_payloads(
    flavour, version, generated, import_package
):
    """Each model accepts exactly what its JSON Schema accepts, on payloads Zod itself judged.

    The schema is read with Zod's semantics (``\\d`` is 0-9, date-times end in Z), as the
    models are generated to.
    """
    package = import_package(generated(flavour, version))
    schema_set = load_schema_set(str(SCHEMAS / flavour / version))
    checked, known, unexpected = 0, 0, []
    for payload_file in sorted((PAYLOADS / version).glob("*.json")):
        name = payload_file.stem
        # Any root kind: a BaseModel, a RootModel or an Enum (an enum or nativeEnum root).
        model = TypeAdapter(getattr(package, name))
        validator = zod_validator(schema_set, name)
        cases = json.loads(payload_file.read_text())
        labelled = [(f"valid[{i}]", p, "") for i, p in enumerate(cases["valid"])]
        labelled += [
            (f"invalid[{i}]", c["payload"], c["why"]) for i, c in enumerate(cases["invalid"])
        ]
        for label, payload, why in labelled:
            checked += 1
            schema_accepts = validator.is_valid(payload)
            try:
                parsed = model.validate_python(payload)
                model_accepts = True
            except ValidationError:
                model_accepts = False
            if model_accepts and schema_accepts:
                dumped = model.dump_python(parsed, mode="json", by_alias=True, exclude_unset=True)
                assert validator.is_valid(dumped), (
                    f"{name} {label}: dump is schema-invalid: {dumped}"
                )
                assert model.validate_python(dumped) == parsed
            if model_accepts == schema_accepts:
                continue
            if model_accepts and any(rx.search(why) for rx in KNOWN_LOOSER.values()):
                known += 1
                continue
            unexpected.append(f"{name} {label} schema={schema_accepts} model={model_accepts} {why}")
    assert not unexpected, "\n".join(unexpected)
    assert checked > 100
    assert known <= checked // 10


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
        assert produced[name] == text, (
            f"{name} differs from the golden file (TC_UPDATE_GOLDEN=1 rewrites)"
        )
