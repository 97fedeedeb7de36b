"""The metaschema check: jsonschema-rs decides, the reference validator words the refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from tc_contracts_py import schemaset
from tc_contracts_py.cli import cli
from tc_contracts_py.errors import SchemaError
from tc_contracts_py.schemaset import Dialect, parse_schema_bytes, schema_set_from_files

DRAFT4 = "http://json-schema.org/draft-04/schema#"
CASES: list[Any] = [
    {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"},
    {"pattern": "("},
    {"pattern": "(?<name>a)"},
    {"patternProperties": {"(": {}}},
    {"properties": {"a": {"pattern": "[a-"}}},
    {"minLength": 1.0},
    {"$schema": DRAFT4, "minLength": 1.0},
    {"$schema": DRAFT4, "required": []},
    {"required": []},
    {"maxLength": 10**30},
    {"maxLength": -1},
    {"$ref": "a b"},
    {"$ref": "#/definitions/x y"},
    {"$ref": "Other.json#/definitions/X"},
    {"$id": "http://x y"},
    {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"a": {"type": 3}}},
    {"$schema": "https://json-schema.org/draft/2019-09/schema", "minItems": "1"},
    {"type": ["string", "string"]},
    {"type": "strin"},
    {"format": 7},
    {"enum": []},
    {"definitions": {"a": {"anyOf": []}}},
    {"items": [{"type": "string"}, {"type": "nope"}]},
    {"additionalProperties": {"uniqueItems": "yes"}},
    True,
    False,
]


def _dialect(document: Any) -> Dialect:
    declared = document.get("$schema") if isinstance(document, dict) else None
    return Dialect.from_uri(declared) if declared else Dialect.DRAFT7  # type: ignore[return-value]


@pytest.mark.parametrize("document", CASES, ids=[json.dumps(c)[:40] for c in CASES])
def test_verdict_and_wording_are_the_reference_validators(document: Any) -> None:
    dialect = _dialect(document)
    data = json.dumps(document).encode()
    cls = dialect.validator_class
    reference = cls(cls.META_SCHEMA, format_checker=schemaset.metaschema_format_checker(dialect))
    error = next(iter(reference.iter_errors(document)), None)
    if error is None:
        assert parse_schema_bytes("A.json", data).document == document
        return
    pointer = schemaset.to_pointer(list(error.absolute_path))
    with pytest.raises(SchemaError) as caught:
        parse_schema_bytes("A.json", data)
    assert str(caught.value) == f"A.json#{pointer}: invalid schema: {error.message}"


def test_formats_are_asserted_by_the_reference_checker_only(monkeypatch) -> None:
    # With a checker that knows no formats, jsonschema-rs must not refuse an invalid regex
    # or URI on its own: which formats are asserted is decided in one place.
    monkeypatch.setattr(
        schemaset, "metaschema_format_checker", lambda d: jsonschema.FormatChecker([])
    )
    monkeypatch.setattr(schemaset, "_FAST_METASCHEMA", {})
    monkeypatch.setattr(schemaset, "_CHECKED", {})
    parse_schema_bytes("A.json", b'{"pattern": "(", "properties": {"a": {"$ref": "a b"}}}')


def test_a_format_the_checker_refuses_is_refused(monkeypatch) -> None:
    checker = jsonschema.FormatChecker([])
    checker.checks("regex")(lambda value: value != "abc")
    monkeypatch.setattr(schemaset, "metaschema_format_checker", lambda d: checker)
    monkeypatch.setattr(schemaset, "_FAST_METASCHEMA", {})
    monkeypatch.setattr(schemaset, "_CHECKED", {})
    parse_schema_bytes("A.json", b'{"pattern": "("}')
    with pytest.raises(SchemaError, match=r"^A\.json#/properties/x/pattern: invalid schema: 'abc'"):
        parse_schema_bytes("A.json", b'{"properties": {"x": {"pattern": "abc"}}}')


def test_an_invalid_pattern_makes_diff_exit_2_naming_file_and_pointer(tmp_path: Path) -> None:
    old, new = tmp_path / "1.0.0", tmp_path / "1.1.0"
    for folder in (old, new):
        folder.mkdir()
    (old / "A.json").write_text('{"type": "string"}')
    (new / "A.json").write_text('{"type": "object", "properties": {"code": {"pattern": "[a-"}}}')
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "A.json#/properties/code/pattern: invalid schema: '[a-' is not a 'regex'" in lines[0]


@pytest.mark.parametrize(
    "inner",
    [
        b'{"$id": "inner.json", "type": "string"}',
        b'{"\\u0024id": "inner.json", "type": "string"}',
    ],
)
def test_an_embedded_id_resolves_whether_or_not_the_registry_was_crawled(inner: bytes) -> None:
    files = {
        "A.json": b'{"definitions": {"I": ' + inner + b'}, "$ref": "inner.json"}',
        "B.json": b'{"$ref": "A.json#/definitions/I"}',
    }
    schema_set = schema_set_from_files(files, origin="x")
    assert schema_set["A"].may_embed_identifiers
    resolved = schema_set.resolver("A").lookup("inner.json")
    assert resolved.contents == {"$id": "inner.json", "type": "string"}


def test_a_set_without_embedded_ids_resolves_without_a_crawl() -> None:
    files = {
        "A.json": b'{"definitions": {"X": {"type": "string"}}, "$ref": "#/definitions/X"}',
        "B.json": b'{"properties": {"a": {"$ref": "A.json#/definitions/X"}}}',
    }
    schema_set = schema_set_from_files(files, origin="x")
    assert not any(schema.may_embed_identifiers for schema in schema_set)
    assert schema_set.resolver("B").lookup("A.json#/definitions/X").contents == {"type": "string"}
    with pytest.raises(SchemaError, match=r"B\.json#/properties/a/\$ref: \$ref 'A.json#/nope'"):
        schema_set_from_files(
            {**files, "B.json": b'{"properties": {"a": {"$ref": "A.json#/nope"}}}'}, origin="x"
        )


def test_a_self_contained_file_is_walked_once_and_a_broken_neighbour_still_fails(monkeypatch):
    monkeypatch.setattr(schemaset, "_SELF_CONTAINED", {})
    walked: list[str] = []
    original = schemaset.iter_refs

    def counting(document):
        walked.append(json.dumps(document, sort_keys=True))
        return original(document)

    monkeypatch.setattr(schemaset, "iter_refs", counting)
    local = b'{"definitions": {"X": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/X"}}}'
    cross = b'{"properties": {"b": {"$ref": "A.json#/definitions/X"}}}'
    for _ in range(2):
        schema_set_from_files({"A.json": local, "B.json": cross}, origin="x")
    assert len(walked) == 3  # A once, B (not self-contained) each time
    with pytest.raises(
        SchemaError, match=r"B\.json#/properties/b/\$ref: \$ref 'A.json#/definitions/Y'"
    ):
        schema_set_from_files({"A.json": local, "B.json": cross.replace(b"/X", b"/Y")}, origin="x")


def test_an_in_place_loop_is_found_in_a_file_seen_clean_elsewhere(monkeypatch):
    monkeypatch.setattr(schemaset, "_SELF_CONTAINED", {})
    looping = b'{"definitions": {"L": {"anyOf": [{"$ref": "#/definitions/L"}, {"type": "null"}]}}}'
    with pytest.raises(SchemaError, match="loop"):
        schema_set_from_files({"A.json": looping}, origin="x")
    with pytest.raises(SchemaError, match="loop"):
        schema_set_from_files({"A.json": looping}, origin="x")


def test_no_memo_when_a_file_declares_an_id(monkeypatch):
    monkeypatch.setattr(schemaset, "_SELF_CONTAINED", {})
    local = b'{"definitions": {"X": {"type": "string"}}, "$ref": "#/definitions/X"}'
    other = b'{"$id": "Other.json", "type": "string"}'
    schema_set_from_files({"A.json": local, "O.json": other}, origin="x")
    assert schemaset._SELF_CONTAINED == {}
