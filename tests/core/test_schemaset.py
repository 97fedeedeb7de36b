from __future__ import annotations

import json
from pathlib import Path

import pytest

from tc_contracts_py.errors import SchemaError, SourceError
from tc_contracts_py.schemaset import Dialect, load_directory

DRAFT7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def test_names_are_file_stems_and_dialects_are_detected(write_schemas):
    folder = write_schemas(
        {
            "User": {"type": "object", "$schema": DRAFT7},
            "Event": {"$schema": D2020, "type": "object"},
            "Plain": {"type": "string"},
        }
    )
    schema_set = load_directory(folder)
    assert schema_set.names == ["Event", "Plain", "User"]
    assert schema_set["User"].dialect is Dialect.DRAFT7
    assert schema_set["Event"].dialect is Dialect.DRAFT2020_12
    assert schema_set["Plain"].dialect is Dialect.DRAFT7  # the default when $schema is absent


def test_a_schemas_subfolder_is_found(tmp_path, write_schemas):
    write_schemas({"User": {"type": "object"}}, folder="artifact/schemas")
    assert load_directory(tmp_path / "artifact").names == ["User"]


def test_invalid_json_names_file_and_position(write_schemas):
    folder = write_schemas({"Broken": '{"type": "object",}'})
    with pytest.raises(SchemaError) as info:
        load_directory(folder)
    message = str(info.value)
    assert "Broken.json" in message
    assert "invalid JSON" in message
    assert "line 1" in message
    assert "\n" not in message


def test_metaschema_violation_names_the_pointer(write_schemas):
    folder = write_schemas({"Bad": {"type": "object", "properties": {"age": {"minimum": "zero"}}}})
    with pytest.raises(SchemaError) as info:
        load_directory(folder)
    assert info.value.pointer == "/properties/age/minimum"
    assert "Bad.json#/properties/age/minimum" in str(info.value)


def test_unknown_dialect_is_refused(write_schemas):
    folder = write_schemas({"Odd": {"$schema": "https://example.com/my-dialect"}})
    with pytest.raises(SchemaError, match=r"Odd.json#/\$schema: unsupported dialect"):
        load_directory(folder)


def test_invalid_regex_is_refused(write_schemas):
    folder = write_schemas({"Re": {"type": "string", "pattern": "([a-z"}})
    with pytest.raises(SchemaError) as info:
        load_directory(folder)
    assert info.value.pointer == "/pattern"


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        ("#/properties/id", "does not resolve"),
        ("http://example.com/schema.json", "leaves the schema set"),
        ("file:///etc/passwd", "leaves the schema set"),
        ("../outside.json#/definitions/X", "leaves the schema set"),
        ("Missing.json", "leaves the schema set"),
        ("/etc/passwd", "leaves the schema set"),
    ],
)
def test_refs_that_do_not_resolve_inside_the_set_are_refused(write_schemas, ref, fragment):
    folder = write_schemas({"User": {"type": "object", "properties": {"a": {"$ref": ref}}}})
    with pytest.raises(SchemaError) as info:
        load_directory(folder)
    assert info.value.pointer == "/properties/a/$ref"
    assert fragment in str(info.value)


def test_every_zod_ref_shape_resolves(write_schemas):
    folder = write_schemas(
        {
            "Common": {"definitions": {"Money": {"type": "number", "minimum": 0}}},
            "Order": {
                "$ref": "#/definitions/Order",
                "definitions": {
                    "Order": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "parentId": {"$ref": "#/definitions/Order/properties/id"},
                            "children": {"type": "array", "items": {"$ref": "#/definitions/Order"}},
                            "total": {"$ref": "Common.json#/definitions/Money"},
                        },
                    }
                },
                "$schema": DRAFT7,
            },
            "Tree": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}},
            },
            "V4": {
                "$schema": D2020,
                "$ref": "#/$defs/Node",
                "$defs": {
                    "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}
                },
            },
        }
    )
    schema_set = load_directory(folder)
    resolved = schema_set.resolver("Order").lookup("Common.json#/definitions/Money").contents
    assert resolved == {"type": "number", "minimum": 0}
    validator = schema_set.validator("Order")
    assert validator.is_valid({"id": "a", "total": 3, "children": [{"id": "b", "total": 1}]})
    assert not validator.is_valid({"id": "a", "total": -1})


def test_excessive_nesting_is_refused_not_a_crash(write_schemas):
    deep: dict = {"type": "object"}
    for _ in range(400):
        deep = {"type": "array", "items": deep}
    folder = write_schemas({"Deep": deep})
    with pytest.raises(SchemaError, match="nested deeper"):
        load_directory(folder)


def test_very_deep_json_text_is_refused(write_schemas):
    folder = write_schemas({"Deeper": "[" * 100_000 + "]" * 100_000})
    with pytest.raises(SchemaError, match="Deeper.json"):
        load_directory(folder)


def test_non_utf8_and_non_object_documents_are_refused(tmp_path):
    (tmp_path / "Latin.json").write_bytes(b'{"title": "caf\xe9"}')
    with pytest.raises(SchemaError, match="not UTF-8"):
        load_directory(tmp_path)
    (tmp_path / "Latin.json").write_text("[1, 2]")
    with pytest.raises(SchemaError, match="JSON object or boolean"):
        load_directory(tmp_path)


def test_empty_folder_and_missing_folder(tmp_path):
    with pytest.raises(SourceError, match="no \\*.json"):
        load_directory(tmp_path)
    with pytest.raises(SourceError, match="not a directory"):
        load_directory(tmp_path / "nope")


def test_symlinked_schema_files_are_refused(tmp_path):
    outside = tmp_path / "secret.json"
    outside.write_text(json.dumps({"type": "string"}))
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "Link.json").symlink_to(outside)
    with pytest.raises(SourceError, match="symlinks are refused"):
        load_directory(folder)


def test_set_digest_depends_on_content_only(write_schemas):
    first = load_directory(write_schemas({"A": {"type": "string"}, "B": {"type": "integer"}}))
    second = load_directory(write_schemas({"B": {"type": "integer"}, "A": {"type": "string"}}))
    third = load_directory(write_schemas({"A": {"type": "string"}, "B": {"type": "number"}}))
    assert first.digest == second.digest
    assert first.digest != third.digest


def test_format_checking_is_on(write_schemas):
    schema_set = load_directory(
        write_schemas(
            {
                "F": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "at": {"type": "string", "format": "date-time"},
                        "site": {"type": "string", "format": "uri"},
                    },
                }
            }
        )
    )
    validator = schema_set.validator("F")
    assert validator.is_valid(
        {
            "id": "3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6f",
            "at": "2024-01-01T00:00:00Z",
            "site": "https://x.io/a",
        }
    )
    assert not validator.is_valid({"id": "not-a-uuid"})
    assert not validator.is_valid({"at": "yesterday"})
    assert not validator.is_valid({"site": "not a uri"})


def test_loading_from_path_object(tmp_path: Path, write_schemas):
    folder = write_schemas({"A": {"type": "string"}})
    assert load_directory(Path(folder)).origin == str(folder)


def test_metaschema_check_runs_once_per_content_and_never_caches_a_failure(monkeypatch):
    from tc_contracts_py import schemaset

    calls: list[object] = []
    original = schemaset.check_against_metaschema

    def counting(filename, document, dialect):
        calls.append(document)
        return original(filename, document, dialect)

    monkeypatch.setattr(schemaset, "check_against_metaschema", counting)
    monkeypatch.setattr(schemaset, "_CHECKED", {})
    good = b'{"type": "object", "properties": {"n": {"type": "integer"}}, "x-memo": 1}'
    bad = b'{"type": "object", "properties": {"n": {"type": 7}}}'
    for filename in ("A.json", "B.json", "A.json"):
        schemaset.parse_schema_bytes(filename, good)
    assert len(calls) == 1
    for _ in range(2):
        with pytest.raises(SchemaError, match=r"C\.json#/properties/n/type"):
            schemaset.parse_schema_bytes("C.json", bad)
    assert len(calls) == 3


def test_metaschema_memo_is_bounded(monkeypatch):
    from tc_contracts_py import schemaset

    monkeypatch.setattr(schemaset, "_CHECKED", {})
    monkeypatch.setattr(schemaset, "_CHECKED_LIMIT", 3)
    for index in range(10):
        schemaset.parse_schema_bytes("A.json", b'{"minimum": %d}' % index)
    assert len(schemaset._CHECKED) == 3


@pytest.mark.parametrize(
    ("document", "outside"),
    [
        ({"properties": {"a": {"$ref": "#/definitions/x"}}, "definitions": {"x": {}}}, False),
        ({"properties": {"a": {"$ref": "Other.json#/definitions/x"}}}, True),
        (
            {
                "$id": "Main.json",
                "properties": {"a": {"$ref": "#/definitions/x"}},
                "definitions": {"x": {}},
            },
            True,
        ),
        # A `$ref` key inside data is not a reference.
        ({"properties": {"a": {"const": {"$ref": "Other.json"}}}}, False),
    ],
)
def test_refers_outside_reads_refs_not_text(write_schemas, document, outside):
    from tc_contracts_py.schemaset import refers_outside

    files = {"Main": document}
    if outside and "$id" not in document:
        files["Other"] = {"definitions": {"x": {}}}
    schema_set = load_directory(write_schemas(files))
    assert refers_outside(schema_set["Main"]) is outside
    # The memo the loader fills and the walk agree.
    from tc_contracts_py import schemaset

    schemaset._REFERS_OUTSIDE.clear()
    assert refers_outside(schema_set["Main"]) is outside


@pytest.mark.parametrize(
    "schemas",
    [
        {"A": {"$ref": "#"}},
        {
            "A": {
                "type": "object",
                "properties": {"x": {"$ref": "#/definitions/L"}},
                "definitions": {
                    "L": {"$ref": "#/definitions/M", "title": "an alias"},
                    "M": {"$ref": "#/definitions/L", "description": "another"},
                },
            }
        },
        {
            "A": {"type": "object", "definitions": {"M": {"$ref": "B.json#/definitions/L"}}},
            "B": {"type": "object", "definitions": {"L": {"$ref": "A.json#/definitions/M"}}},
        },
    ],
    ids=["root", "definitions-aliases", "cross-file"],
)
def test_the_loader_refuses_a_bare_ref_loop_through_root_or_definitions(write_schemas, schemas):
    with pytest.raises(SchemaError, match="never consumes any of the instance") as raised:
        load_directory(write_schemas(schemas))
    assert " -> " in str(raised.value)
