"""JavaScript regex syntax and backtracking patterns, end to end (issue 16).

JSON Schema's ``pattern`` is ECMA-262 and Zod passes JavaScript syntax through. Every
construct below is accepted by the metaschema check, generated into models that give
JavaScript's verdicts, and checked by the test kit; a backtracking pattern ends in a
verdict or in "too costly to check", never in a hang.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.ecma_regex import (
    PatternTooCostly,
    ecma_mode,
    ecma_search,
    ecma_syntax_error,
    matches_everywhere,
)
from tc_contracts_py.schemaset import schema_set_from_files
from tc_contracts_py.testing.contracts import Contracts
from tests.hostile.helpers import INPUT, assert_refused, describe, invoke

ROOT = Path(__file__).resolve().parents[2]
REGEX_FIXTURES = ROOT / "fixtures" / "regex"

# pattern -> (texts JavaScript accepts, texts it rejects), as `new RegExp(p, "u").test(t)`.
CONSTRUCTS: dict[str, tuple[list[str], list[str]]] = {
    r"^\p{L}+$": (["Zoë", "Ødegård", "名前"], ["R2D2", "a b", ""]),
    r"^\P{L}+$": (["123", "-_"], ["a1"]),
    r"^[\p{Lu}\d]+$": (["ÉA1"], ["éa"]),
    r"^\p{Script=Greek}+$": (["αβΩ"], ["abc"]),
    r"^(?<year>\d{4})-\k<year>$": (["2024-2024"], ["2024-2025", "٢٠٢٤-٢٠٢٤"]),
    r"^\u{1F600}$": (["\U0001f600"], ["\U0001f601", "u{1F600}"]),
    r"^\uD83D\uDE00$": (["\U0001f600"], ["\ud83d"]),
    r"^[^]{2}$": (["\n\r", "ab"], ["a", "abc"]),
    r"^[]$": ([], ["", "a", "\n"]),
    r"^a\cJb$": (["a\nb"], ["aJb", "a\\cJb"]),
    r"^[\p{L}--[a-z]]+$": (["ABÉ"], ["Ab"]),  # v-flag set difference
    # Valid with u too, where `&&` is two literal ampersands: u is read first, as ajv does.
    r"^[\p{L}&&\p{Script=Greek}]+$": (["αβ", "ab&"], ["12"]),
    r"^\d+$": (["123"], ["١٢٣", "12\n"]),
    r"^.$": (["é"], ["\u2028", "\n", "\r"]),
    r"^\w+\b": (["abc"], ["éa"]),
    r"^\-?\d+$": (["-1"], ["--1"]),  # Annex B identity escape, no u flag needed
}


@pytest.mark.parametrize("pattern", sorted(CONSTRUCTS))
def test_each_javascript_construct_is_valid_and_read_as_javascript_does(pattern: str) -> None:
    assert ecma_syntax_error(pattern) is None
    accepted, rejected = CONSTRUCTS[pattern]
    for text in accepted:
        assert ecma_search(pattern, text), (pattern, text)
    for text in rejected:
        assert not ecma_search(pattern, text), (pattern, text)


@pytest.mark.parametrize("pattern", ["(unclosed", "[z-a]", "a**", "(?P<x>a)", "\\", "(?i)a"])
def test_what_javascript_refuses_stays_refused(pattern: str) -> None:
    assert ecma_mode(pattern) is None
    assert ecma_syntax_error(pattern)


def _schema(pattern: str) -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"value": {"type": "string", "pattern": pattern}},
        "required": ["value"],
        "additionalProperties": False,
    }


@pytest.mark.parametrize("pattern", sorted(CONSTRUCTS))
def test_the_metaschema_check_and_both_engines_accept_and_agree(pattern: str) -> None:
    schema_set = schema_set_from_files(
        {"Re.json": json.dumps(_schema(pattern)).encode()}, origin="test"
    )
    accepted, rejected = CONSTRUCTS[pattern]
    for engine in ("auto", "jsonschema"):
        contracts = Contracts(schema_set, engine=engine)  # type: ignore[arg-type]
        for text in accepted:
            assert contracts.is_valid("Re", {"value": text}), (engine, pattern, text)
        for text in rejected:
            assert not contracts.is_valid("Re", {"value": text}), (engine, pattern, text)


@pytest.fixture(scope="module")
def constructs_package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every construct as one schema, generated into one package."""
    source = tmp_path_factory.mktemp("constructs")
    names = {}
    for index, pattern in enumerate(sorted(CONSTRUCTS)):
        names[f"Re{index}"] = pattern
        (source / f"Re{index}.json").write_text(json.dumps(_schema(pattern)))
    out = tmp_path_factory.mktemp("pkg") / "regex_models"
    result = invoke(["gen", str(source), "--out", str(out)])
    assert result.exit_code == 0, describe(result)
    sys.path.insert(0, str(out.parent))
    try:
        yield names, importlib.import_module("regex_models")
    finally:
        sys.path.remove(str(out.parent))


def test_generated_models_enforce_each_construct_with_its_javascript_meaning(
    constructs_package: Any,
) -> None:
    from pydantic import ValidationError

    names, package = constructs_package
    for name, pattern in names.items():
        model = getattr(package, name)
        accepted, rejected = CONSTRUCTS[pattern]
        for text in accepted:
            model.model_validate_json(json.dumps({"value": text}))
        for text in rejected:
            with pytest.raises(ValidationError):
                model.model_validate_json(json.dumps({"value": text}))


def test_check_models_passes_on_the_javascript_constructs(
    constructs_package: Any, tmp_path: Path
) -> None:
    names, package = constructs_package
    source = Path(package.__file__).parent
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    for name, pattern in names.items():
        if CONSTRUCTS[pattern][0]:  # `[]` matches nothing: no valid payload to generate
            (schemas / f"{name}.json").write_text(json.dumps(_schema(pattern)))
    result = invoke(["check-models", str(schemas), str(source), "--examples", "10"])
    assert result.exit_code == 0, describe(result)


@pytest.mark.parametrize("flavour", ["zod-to-json-schema", "zod4"])
def test_the_real_zod_regex_fixtures_generate_and_agree_with_zod(
    flavour: str, tmp_path: Path
) -> None:
    """Payloads Zod accepted and rejected (fixtures/regex/payloads) get the same verdicts."""
    out = tmp_path / "zod_regex_models"
    result = invoke(["gen", str(REGEX_FIXTURES / flavour), "--out", str(out)])
    assert result.exit_code == 0, describe(result)
    result = invoke(
        [
            "check-models",
            str(REGEX_FIXTURES / flavour),
            str(out),
            "--examples",
            "10",
            "--payloads",
            str(REGEX_FIXTURES / "payloads"),
        ]
    )
    assert result.exit_code == 0, describe(result)
    contracts = Contracts.load(str(REGEX_FIXTURES / flavour))
    for file in sorted((REGEX_FIXTURES / "payloads").glob("*.json")):
        known = json.loads(file.read_text())
        for payload in known["valid"]:
            assert contracts.is_valid(file.stem, payload), (file.stem, payload)
        for case in known["invalid"]:
            assert not contracts.is_valid(file.stem, case["payload"]), (file.stem, case)


# --- backtracking ---------------------------------------------------------------------

NEAR_MISS = "a" * 40 + "!"


@pytest.mark.parametrize("pattern", [r"^(a|a)*$", r"^(?=a)(a|aa)+$"])
def test_a_catastrophic_pattern_is_too_costly_not_a_hang(pattern: str) -> None:
    with pytest.raises(PatternTooCostly, match="too costly to check"):
        ecma_search(pattern, NEAR_MISS)
    # Known costly: refused at once afterwards, also through the two-reader check.
    with pytest.raises(PatternTooCostly):
        matches_everywhere(pattern, NEAR_MISS)


@pytest.mark.parametrize(
    ("pattern", "outcome"),
    [
        (r"^(a+)+$", 0),  # Rust models, and a bounded engine fast on it: a verdict
        (r"^(?=a)(a+)+$", INPUT),  # python-re models backtrack: the model is too costly
        (r"^(a|a)*$", INPUT),  # our own check backtracks: the pattern is too costly
    ],
)
def test_check_models_on_a_backtracking_pattern_ends_with_an_outcome(
    pattern: str, outcome: int, tmp_path: Path
) -> None:
    source = tmp_path / "schemas"
    source.mkdir()
    (source / "Evil.json").write_text(json.dumps(_schema(pattern)))
    known = tmp_path / "payloads"
    known.mkdir()
    (known / "Evil.json").write_text(
        json.dumps({"valid": [{"value": "aaa"}], "invalid": [{"payload": {"value": NEAR_MISS}}]})
    )
    out = tmp_path / "evil_models"
    assert invoke(["gen", str(source), "--out", str(out)]).exit_code == 0
    result = invoke(
        ["check-models", str(source), str(out), "--examples", "30", "--payloads", str(known)]
    )
    if outcome == 0:
        assert result.exit_code == 0, describe(result)
        assert "Evil: agrees" in result.stdout
    else:
        assert_refused(result, INPUT, "too costly to check")


@pytest.mark.parametrize(
    ("pattern", "rules"),
    [
        # Read by the automata: the same language as `^a+$`, so no change at all.
        (r"^(a+)+$", set()),
        (r"^(?=a)(a+)+$", set()),
        # Read by the automata: `""` is new, a proven widening.
        (r"^(a|a)*$", {"string-pattern-removed"}),
        # `\b` is beyond the automata: the bounded witness search runs on a backtracking pattern.
        (r"^(a+)+\b$", {"string-pattern-added", "string-pattern-removed"}),
        (r"^(a|a)*\b$", {"string-pattern-added", "string-pattern-removed"}),
    ],
)
def test_the_diff_witness_search_finishes_on_a_backtracking_pattern(
    pattern: str, rules: set[str], tmp_path: Path
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "Evil.json").write_text(json.dumps(_schema("^a+$")))
    (new / "Evil.json").write_text(json.dumps(_schema(pattern)))
    result = invoke(["diff", str(old), str(new), "--format", "json", "--no-gate"])
    assert result.exit_code == 0, describe(result)
    report = json.loads(result.stdout)
    assert {change["rule"] for change in report["changes"]} == rules


# --- patterns in keys -------------------------------------------------------------------

# A record keyed by an ECMA-only pattern: `\p{Lu}` is not Python `re` syntax.
KEYED = {
    "type": "object",
    "patternProperties": {r"^\p{Lu}": {"type": "integer"}},
    "additionalProperties": False,
}


def _keyed_contracts(document: dict[str, Any], engine: str) -> Contracts:
    schema_set = schema_set_from_files(
        {"Keyed.json": json.dumps(document).encode()}, origin="<test>"
    )
    return Contracts(schema_set, engine=engine)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["jsonschema", "jsonschema-rs"])
def test_pattern_properties_and_additional_properties_read_keys_as_ecma(engine: str) -> None:
    contracts = _keyed_contracts(KEYED, engine)
    assert contracts.is_valid("Keyed", {"Émile": 1})
    assert not contracts.is_valid("Keyed", {"Émile": "one"})  # the pattern's subschema applies
    assert not contracts.is_valid("Keyed", {"émile": 1})  # no pattern claims it: additional
    [error] = contracts.violations("Keyed", {"émile": 1})
    assert error.keyword == "additionalProperties"


def test_a_backtracking_pattern_in_keys_is_too_costly_not_a_hang() -> None:
    document = {"type": "object", "patternProperties": {r"^(a|a)*$": {"type": "integer"}}}
    contracts = _keyed_contracts(document, "jsonschema")
    with pytest.raises(PatternTooCostly):
        contracts.is_valid("Keyed", {NEAR_MISS: 1})
