from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from tc_contracts_py.codegen import (
    GenOptions,
    generate_from_source,
    generate_models,
    module_name_for,
)
from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.errors import InputError, SchemaError
from tc_contracts_py.schemaset import load_directory

USER = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string", "format": "email"},
        "createdAt": {"type": "string", "format": "date-time"},
        "nickname": {"type": "string", "maxLength": 20},
        "bio": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]},
        "status": {"type": "string", "enum": ["active", "banned"], "default": "active"},
        "ownerId": {"$ref": "#/properties/id"},
        "home": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "work": {"$ref": "#/properties/home"},
        "event": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "const": "started"},
                        "at": {"type": "number"},
                    },
                    "required": ["type", "at"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "const": "stopped"},
                        "why": {"type": "string"},
                    },
                    "required": ["type", "why"],
                    "additionalProperties": False,
                },
            ]
        },
        "children": {"type": "array", "items": {"$ref": "#"}},
        "class": {"type": "string"},
    },
    "required": ["id", "email", "createdAt", "bio", "event"],
    "additionalProperties": False,
    "$schema": "http://json-schema.org/draft-07/schema#",
}
VALID = {
    "id": "3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6f",
    "email": "ada@example.com",
    "createdAt": "2024-05-01T10:00:00Z",
    "bio": None,
    "event": {"type": "started", "at": 1.5},
}


@pytest.fixture
def user_set(write_schemas):
    return write_schemas({"User": USER})


def test_generated_models_accept_valid_and_reject_near_misses(user_set, tmp_path, import_package):
    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    User = import_package(out).User
    user = User.model_validate(
        {**VALID, "children": [VALID], "class": "A", "work": {"city": "Oslo"}}
    )
    assert user.children[0].email == "ada@example.com"
    near_misses = [
        {k: v for k, v in VALID.items() if k != "email"},  # missing required
        {**VALID, "nickname": None},  # optional, not nullable
        {**VALID, "status": None},  # has a default, not nullable
        {**VALID, "status": "gone"},  # outside the enum
        {**VALID, "bio": "too long"},  # maxLength 5
        {**VALID, "event": {"type": "paused"}},  # unknown tag
        {**VALID, "id": "not-a-uuid"},
        {**VALID, "createdAt": "2024-05-01T10:00:00"},  # no offset
    ]
    for payload in near_misses:
        with pytest.raises(ValidationError):
            User.model_validate(payload)


def test_optional_fields_are_absent_not_null_on_dump(user_set, tmp_path, import_package):
    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    User = import_package(out).User
    dumped = User.model_validate(VALID).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert dumped == VALID
    full_dump = User.model_validate(VALID).model_dump(mode="json", by_alias=True)
    assert "nickname" not in full_dump  # MISSING is never serialised as null


def test_tagged_union_becomes_discriminated_and_names_are_readable(user_set, tmp_path):
    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    source = (out / "user.py").read_text()
    assert 'Field(discriminator="type")' in source
    assert not re.search(r"class (Field\d+|Model\d*)\b", source)
    assert "class User(BaseModel)" in source
    assert "RootModel" not in source  # the nullable wrapper is a plain `str | None`


def test_unknown_properties_policy(user_set, tmp_path, import_package):
    strip = tmp_path / "strip"
    reject = tmp_path / "reject"
    generate_from_source(str(user_set), strip)
    generate_from_source(
        str(user_set), reject, GenOptions(unknown_properties=UnknownProperties.REJECT)
    )
    extra = {**VALID, "extra": 1}
    stripped = import_package(strip).User.model_validate(extra)
    assert "extra" not in stripped.model_dump(by_alias=True)
    with pytest.raises(ValidationError):
        import_package(reject).User.model_validate(extra)


def test_passthrough_objects_keep_unknown_keys(write_schemas, tmp_path, import_package):
    folder = write_schemas(
        {
            "Meta": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": True,
            }
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    meta = import_package(out).Meta.model_validate({"a": "x", "b": 2})
    assert meta.model_dump(by_alias=True) == {"a": "x", "b": 2}


def test_output_is_deterministic_and_named_after_schemas(user_set, write_schemas, tmp_path):
    extra = write_schemas({"User": USER, "WhatIfSimulationRequest": {"type": "object"}})
    first, second = tmp_path / "one" / "models", tmp_path / "two" / "models"
    generate_from_source(str(extra), first)
    generate_from_source(str(extra), second)
    names = sorted(p.name for p in first.iterdir())
    assert names == [
        "__init__.py",
        "_manifest.json",
        "py.typed",
        "user.py",
        "what_if_simulation_request.py",
    ]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    init = (first / "__init__.py").read_text()
    assert "from .what_if_simulation_request import WhatIfSimulationRequest" in init
    manifest = json.loads((first / "_manifest.json").read_text())
    assert manifest["generator"]["datamodel-code-generator"] == "0.89.0"
    assert set(manifest["inputs"]) == {"User.json", "WhatIfSimulationRequest.json"}
    assert not re.search(r"20\d\d-\d\d-\d\d", (first / "user.py").read_text())  # no timestamps


def test_noop_regeneration_writes_nothing(user_set, tmp_path):
    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    inode = out.stat().st_ino
    result = generate_from_source(str(user_set), out)
    assert result.up_to_date
    assert result.regenerated == []
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert out.stat().st_ino == inode


def test_a_changed_code_generator_regenerates_everything(user_set, tmp_path, monkeypatch):
    """A development install keeps its version while codegen changes: the manifest notices."""
    import tc_contracts_py.codegen as codegen

    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    monkeypatch.setattr(codegen, "_codegen_fingerprint", lambda: "another-codegen")
    result = generate_from_source(str(user_set), out)
    assert not result.up_to_date
    assert result.regenerated == ["User"]
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["generator"]["codegen"] == "another-codegen"


def test_only_changed_schemas_are_regenerated(write_schemas, tmp_path):
    folder = write_schemas(
        {"User": USER, "Tag": {"type": "object", "properties": {"t": {"type": "string"}}}}
    )
    out = tmp_path / "models"
    first = generate_models(load_directory(folder), out)
    assert sorted(first.regenerated) == ["Tag", "User"]
    tag = json.loads((folder / "Tag.json").read_text())
    tag["properties"]["u"] = {"type": "integer"}
    (folder / "Tag.json").write_text(json.dumps(tag))
    second = generate_from_source(str(folder), out)
    assert second.regenerated == ["Tag"]
    assert sorted(second.changed) == ["_manifest.json", "tag.py"]


def test_check_reports_stale_files_and_writes_nothing(user_set, tmp_path):
    out = tmp_path / "models"
    assert generate_from_source(str(user_set), out, check=True).changed  # nothing there yet
    assert not out.exists()
    generate_from_source(str(user_set), out)
    assert generate_from_source(str(user_set), out, check=True).up_to_date
    (out / "user.py").write_text((out / "user.py").read_text() + "# hand edit\n")
    (out / "stray.py").write_text("")
    result = generate_from_source(str(user_set), out, check=True)
    assert result.changed == ["stray.py", "user.py"]
    assert (out / "stray.py").exists()


def test_failed_generation_leaves_previous_output_intact(user_set, tmp_path):
    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
    hostile = dict(
        USER,
        properties={**USER["properties"], "x": {"type": "string", "customTypePath": "os.path"}},
    )
    (user_set / "User.json").write_text(json.dumps(hostile))
    with pytest.raises(SchemaError) as info:
        generate_from_source(str(user_set), out)
    assert info.value.pointer == "/properties/x/customTypePath"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snapshot
    # Only the lock beside the output (kept: waiters must share its inode), no staging.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".models.lock"]


@pytest.mark.parametrize(
    "keyword_value",
    [
        ("customTypePath", "os.path"),
        ("customBasePath", "subprocess.Popen"),
        ("x-python-type", "shutil.rmtree"),
        ("x-python-import", {"import": "os"}),
        ("default_factory", "list"),
    ],
)
def test_import_making_keywords_are_refused(write_schemas, tmp_path, keyword_value):
    keyword, value = keyword_value
    folder = write_schemas(
        {"Evil": {"type": "object", "properties": {"a": {"type": "string", keyword: value}}}}
    )
    with pytest.raises(SchemaError, match="refused"):
        generate_from_source(str(folder), tmp_path / "models")
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize(
    ("schemas", "pointer"),
    [
        (
            {
                "A": {
                    "type": "object",
                    "properties": {
                        "a": {"$ref": "#/properties/b"},
                        "b": {"$ref": "#/properties/a"},
                    },
                }
            },
            "/properties/b/$ref",
        ),
        ({"A": {"type": "array", "items": {"$ref": "#/items"}}}, "/items/$ref"),
        (
            {
                "A": {"type": "object", "properties": {"x": {"$ref": "B.json#/properties/y"}}},
                "B": {"type": "object", "properties": {"y": {"$ref": "A.json#/properties/x"}}},
            },
            "/definitions/B/properties/y/$ref",
        ),
    ],
    ids=["properties", "items", "cross-file-properties"],
)
def test_a_bare_ref_loop_below_a_property_is_refused_by_the_loader(write_schemas, schemas, pointer):
    """Validating these would recurse forever, so every command refuses them while loading
    (gen needs no guard of its own)."""
    with pytest.raises(SchemaError, match="never consumes any of the instance") as raised:
        load_directory(write_schemas(schemas))
    assert Path(raised.value.file).name == "A.json"
    assert " -> " in str(raised.value)


def test_unknown_harmless_keywords_never_reach_the_generator(
    write_schemas, tmp_path, import_package
):
    folder = write_schemas(
        {
            "Odd": {
                "type": "object",
                "properties": {"a": {"type": "string", "x-enum-varnames": ["__import__('os')"]}},
                "errorMessage": "x",
            }
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    assert "__import__" not in (out / "odd.py").read_text()
    assert import_package(out).Odd.model_validate({"a": "z"}).a == "z"


def test_text_fields_cannot_inject_code(write_schemas, tmp_path, import_package):
    sentinel = tmp_path / "pwned"
    payload = f'"""\nimport pathlib; pathlib.Path({str(sentinel)!r}).touch()\n"""'
    folder = write_schemas(
        {
            "Inject": {
                "type": "object",
                "title": payload,
                "description": payload + "\r\nimport os",
                "properties": {
                    "a": {
                        "type": "string",
                        "description": payload,
                        "default": payload,
                        "pattern": "^'''$",
                    },
                    "b": {"type": "string", "enum": [payload, "x"]},
                },
            }
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    import_package(out)
    assert not sentinel.exists()


def test_cross_file_refs_are_bundled(write_schemas, tmp_path, import_package):
    folder = write_schemas(
        {
            "Money": {
                "type": "object",
                "properties": {"amount": {"type": "number"}},
                "required": ["amount"],
            },
            "Order": {
                "type": "object",
                "properties": {
                    "total": {"$ref": "Money.json"},
                    "tax": {"$ref": "Money.json#/properties/amount"},
                },
                "required": ["total"],
            },
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    order = import_package(out).Order.model_validate({"total": {"amount": 3}, "tax": 1})
    assert order.total.amount == 3
    with pytest.raises(ValidationError):
        import_package(out).Order.model_validate({"total": {}})


def test_named_root_shape_gets_the_schema_name(write_schemas, tmp_path):
    folder = write_schemas(
        {
            "Coach": {
                "$ref": "#/definitions/Coach",
                "definitions": {
                    "Coach": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "mentor": {"$ref": "#/definitions/Coach"},
                        },
                        "required": ["name"],
                    }
                },
                "$schema": "http://json-schema.org/draft-07/schema#",
            }
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    source = (out / "coach.py").read_text()
    assert "class Coach(BaseModel)" in source
    assert "RootModel" not in source


def test_refuses_to_replace_a_foreign_folder(user_set, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "important.txt").write_text("keep me")
    with pytest.raises(InputError, match="did not write"):
        generate_from_source(str(user_set), out)
    assert (out / "important.txt").read_text() == "keep me"


def test_bad_package_name(user_set, tmp_path):
    with pytest.raises(InputError, match="not a valid Python identifier"):
        generate_from_source(str(user_set), tmp_path / "my-models")


def test_interrupted_swap_is_recovered(user_set, tmp_path):
    out = tmp_path / "models"
    generate_from_source(str(user_set), out)
    snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
    # What a crash between the two renames of the fallback swap leaves behind.
    os.rename(out, tmp_path / "models.tc-old")
    (tmp_path / ".models.abc.tmp").mkdir()
    generate_from_source(str(user_set), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == [".models.lock", "models", user_set.name]


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("User", "user"),
        ("WhatIfSimulationRequest", "what_if_simulation_request"),
        ("APIError", "api_error"),
        ("class", "class_"),
    ],
)
def test_module_names(name, module):
    assert module_name_for(name) == module


def test_zod_path_refs_share_one_class(write_schemas, tmp_path, import_package):
    block = {
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "blocks": {"type": "array", "items": {"$ref": "#/properties/blocks/items"}},
        },
        "required": ["label"],
        "additionalProperties": False,
    }
    folder = write_schemas(
        {
            "Plan": {
                "type": "object",
                "properties": {
                    "blocks": {"type": "array", "items": block},
                    "warmup": {"$ref": "#/properties/blocks/items"},
                },
                "required": ["blocks"],
                "additionalProperties": False,
            }
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    source = (out / "plan.py").read_text()
    assert source.count("label: StrictStr") == 1, source
    assert "class Block(BaseModel)" in source
    plan = import_package(out).Plan.model_validate(
        {"blocks": [{"label": "a", "blocks": [{"label": "b"}]}], "warmup": {"label": "w"}}
    )
    assert type(plan.warmup) is type(plan.blocks[0].blocks[0])


def test_models_validate_by_json_name_only(write_schemas, tmp_path, import_package):
    # As Zod: only the JSON spelling is an input name, even where a snake_case attribute
    # of one property is the JSON name of another.
    folder = write_schemas(
        {
            "Account": {
                "type": "object",
                "properties": {
                    "userId": {"type": "string"},
                    "user_id": {"type": "string"},
                    "athleteId": {"type": "integer"},
                },
                "required": ["userId", "athleteId"],
            }
        }
    )
    out = tmp_path / "models"
    generate_from_source(str(folder), out)
    Account = import_package(out).Account
    valid = {"userId": "u", "user_id": "s", "athleteId": 1}
    parsed = Account.model_validate(valid)
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == valid
    for payload in (
        {"user_id": "s", "athleteId": 1},  # required userId missing; user_id must not fill it
        {"userId": "u", "athlete_id": 1},  # the attribute name is not an input name
    ):
        with pytest.raises(ValidationError):
            Account.model_validate(payload)
        with pytest.raises(ValidationError):
            Account.model_validate_json(json.dumps(payload))
    assert "validate_by_name" not in (out / "account.py").read_text()
