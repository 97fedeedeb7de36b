"""Hostile schemas: code injection, escaping refs, cycles, depth, bad regexes, odd names.

The rule: generation is refused with one line naming file and pointer, or the generated
package imports with no side effect. A hostile module that writes a sentinel file when
imported is put on the importing interpreter's path; the sentinel proves whether any
generated code reached it. A loopback HTTP server records every request; it must see none.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tc_contracts_py.codegen import module_name_for
from tc_contracts_py.limits import MAX_SCHEMA_DEPTH
from tests.hostile.helpers import (
    INPUT,
    assert_refused,
    describe,
    import_in_subprocess,
    invoke,
    run_module,
)

SENTINEL_NAME = "PWNED"


def _sentinel_code(folder: Path) -> str:
    return f"__import__('pathlib').Path({str(folder / SENTINEL_NAME)!r}).write_text('pwned')"


def injection_payloads(folder: Path) -> list[str]:
    """Strings that would run code if pasted unescaped into a docstring, string, comment or name."""
    code = _sentinel_code(folder)
    return [
        f'"""\n{code}\n"""',
        f"'''\n{code}\n'''",
        f"\r{code}\r",
        f"\n{code}\n",
        f"\r\n{code}\r\n",
        f"\\\n{code}",
        f'\\"""\n{code}\n"""',
        f'");{code};("',
        f"');{code};('",
        f"{{{code}}}",
        f"# {code}",
        f"\u2028{code}\u2029",
        f"\x0c\x0b{code}",
        f"\x85{code}\x1c\x1d\x1e",
        f"x\x00{code}",
        f"*/ {code} /*",
        "${" + code + "}",
        f"\\N{{{code}}}",
        f"\\x27);{code}#",
        f"{code} if True else None",
    ]


def _ecma_literal(text: str) -> str:
    """A pattern matching exactly ``text``: every non-alphanumeric char as a \\uXXXX escape."""
    return (
        "^" + "".join(c if c.isascii() and c.isalnum() else f"\\u{ord(c):04x}" for c in text) + "$"
    )


def injection_schema(payload: str) -> dict:
    pointer_token = payload.replace("~", "~0").replace("/", "~1")
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": payload,
        "description": payload,
        "$comment": payload,
        "type": "object",
        "properties": {
            payload: {
                "type": "string",
                "title": payload,
                "description": payload,
                "default": payload,
                "examples": [payload],
                "pattern": _ecma_literal(payload),
                "format": payload,
            },
            "e": {"enum": [payload, "other"], "description": payload},
            "c": {"const": payload},
            "d": {"type": "object", "default": {payload: payload}},
            "n": {"type": "number", "default": 1, "description": payload},
            "r": {"$ref": "#/definitions/" + quote(pointer_token, safe="")},
        },
        "required": [payload, "e"],
        "definitions": {
            payload: {
                "type": "object",
                "description": payload,
                "properties": {payload: {"type": "integer", "default": 3}},
            }
        },
    }


@pytest.fixture(scope="module")
def injected_package(tmp_path_factory):
    root = tmp_path_factory.mktemp("injection")
    source = root / "schemas"
    source.mkdir()
    payloads = injection_payloads(root)
    for index, payload in enumerate(payloads):
        (source / f"Inject{index}.json").write_text(json.dumps(injection_schema(payload)))
    out = root / "pkg" / "injected_models"
    result = invoke(["gen", str(source), "--out", str(out)])
    return root, out, payloads, result


def test_injection_payloads_generate_an_inert_package(injected_package):
    root, out, payloads, result = injected_package
    assert result.exit_code == 0, result.stderr
    check = (
        "import json\n"
        f"payloads = json.loads({json.dumps(json.dumps(payloads))})\n"
        "for index, payload in enumerate(payloads):\n"
        "    model = getattr(pkg, f'Inject{index}')\n"
        "    instance = model.model_validate({payload: payload, 'e': payload, 'c': payload})\n"
        "    dumped = instance.model_dump(mode='json', by_alias=True, exclude_unset=True)\n"
        "    assert dumped[payload] == payload, (index, dumped)\n"
        "    assert model.model_fields, index\n"
        "print('ok', len(payloads))\n"
    )
    imported = import_in_subprocess(out, check, cwd=root)
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert imported.stdout.strip() == f"ok {len(payloads)}"
    assert not (root / SENTINEL_NAME).exists(), "generated code ran an injected statement"


def test_injected_text_stays_inside_string_literals(injected_package):
    """Belt and braces: the payload's call appears in no module's syntax tree, only in strings."""
    _, out, _, result = injected_package
    assert result.exit_code == 0
    for module in out.glob("*.py"):
        syntax = ast.parse(module.read_text())
        names = {node.id for node in ast.walk(syntax) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(syntax) if isinstance(node, ast.Attribute)}
        assert "__import__" not in names, module.name
        assert "write_text" not in attributes, module.name


# --- keywords that make the generator emit imports ---------------------------------------

DANGEROUS = {
    "customTypePath": "hostile_mod.Evil",
    "customBasePath": "hostile_mod.Base",
    "x-python-type": "hostile_mod.Evil",
    "x-python-import": {"module": "hostile_mod", "name": "Evil"},
    "x-python-base-class": "hostile_mod.Base",
    "default_factory": "hostile_mod.Evil",
    "x-pydantic-config": {"validate_default": True},
    "javaType": "hostile_mod.Evil",
}

# Where a keyword can sit: (schema with a "{}" placeholder object, pointer of the placeholder)
PLACES = {
    "root": (lambda k: {"type": "object", **k}, ""),
    "property": (
        lambda k: {"type": "object", "properties": {"a": {"type": "string", **k}}},
        "/properties/a",
    ),
    "definition": (lambda k: {"definitions": {"D": {"type": "string", **k}}}, "/definitions/D"),
    "$defs-2020": (
        lambda k: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {"D": {"type": "string", **k}},
        },
        "/$defs/D",
    ),
    "array-items": (lambda k: {"type": "array", "items": {"type": "string", **k}}, "/items"),
    "tuple-items": (lambda k: {"type": "array", "items": [{"type": "string"}, {**k}]}, "/items/1"),
    "prefixItems": (
        lambda k: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "array",
            "prefixItems": [{**k}],
        },
        "/prefixItems/0",
    ),
    "anyOf": (lambda k: {"anyOf": [{"type": "string"}, {"type": "integer", **k}]}, "/anyOf/1"),
    "allOf": (lambda k: {"allOf": [{**k}]}, "/allOf/0"),
    "not": (lambda k: {"not": {**k}}, "/not"),
    "if-then-else": (lambda k: {"if": {}, "then": {}, "else": {**k}}, "/else"),
    "additionalProperties": (
        lambda k: {"type": "object", "additionalProperties": {**k}},
        "/additionalProperties",
    ),
    "patternProperties": (
        lambda k: {"type": "object", "patternProperties": {"^x": {**k}}},
        "/patternProperties/^x",
    ),
    "dependencies": (lambda k: {"type": "object", "dependencies": {"a": {**k}}}, "/dependencies/a"),
    "contentSchema": (lambda k: {"type": "string", "contentSchema": {**k}}, "/contentSchema"),
    "deep": (
        lambda k: {"properties": {"a": {"items": {"anyOf": [{"properties": {"b": {**k}}}]}}}},
        "/properties/a/items/anyOf/0/properties/b",
    ),
}


@pytest.mark.parametrize("keyword", sorted(DANGEROUS))
@pytest.mark.parametrize("place", sorted(PLACES))
def test_import_making_keywords_are_refused(keyword, place, schema_dir, tmp_path):
    build, pointer = PLACES[place]
    folder = schema_dir({"Evil": build({keyword: DANGEROUS[keyword]})})
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    token = keyword.replace("~", "~0").replace("/", "~1")
    assert_refused(result, INPUT, f"Evil.json#{pointer}/{token}", "refused")
    assert not (tmp_path / "m").exists()


# A $ref that lands in data makes the generator read unchecked data as a schema: before the
# fix each of these generated `from hostile_mod import Evil` and the sentinel was written.
DATA_REFS = {
    "default": {
        "type": "object",
        "properties": {"a": {"$ref": "#/definitions/X/default"}},
        "definitions": {"X": {"type": "object", "default": {"customTypePath": "hostile_mod.Evil"}}},
    },
    "enum": {
        "type": "object",
        "properties": {"a": {"$ref": "#/definitions/X/enum/0"}},
        "definitions": {"X": {"enum": [{"x-python-type": "hostile_mod.Evil"}]}},
    },
    "const": {
        "type": "object",
        "properties": {
            "a": {"$ref": "#/properties/b/const"},
            "b": {"const": {"customBasePath": "hostile_mod.Base"}},
        },
    },
    "examples": {
        "type": "object",
        "properties": {
            "a": {"$ref": "#/properties/b/examples/0"},
            "b": {"examples": [{"customTypePath": "hostile_mod.Evil"}]},
        },
    },
    "dependentRequired": {
        "type": "object",
        "properties": {"a": {"$ref": "#/dependentRequired/x"}},
        "dependentRequired": {"x": {"customTypePath": "hostile_mod.Evil"}},
    },
    "unknown-keyword": {
        "type": "object",
        "properties": {"a": {"$ref": "#/foo/bar"}},
        "foo": {"bar": {"customTypePath": "hostile_mod.Evil"}},
    },
    "other-file-default": "cross-file",
}


@pytest.mark.parametrize("case", sorted(DATA_REFS))
def test_refs_into_data_are_refused(case, schema_dir, tmp_path):
    if DATA_REFS[case] == "cross-file":
        schemas = {
            "Evil": {
                "type": "object",
                "properties": {"a": {"$ref": "B.json#/definitions/X/default"}},
            },
            "B": {"definitions": {"X": {"default": {"x-python-type": "hostile_mod.Evil"}}}},
        }
    else:
        schemas = {"Evil": DATA_REFS[case]}
    folder = schema_dir(schemas)
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, "Evil.json#/properties/a/$ref")
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("schemas", "ref"),
    [
        ({"B": False}, "B.json#/definitions/a"),
        ({"B": True}, "B.json#/properties/x"),
        ({}, "#/properties/b/type/0"),
    ],
    ids=["into-false", "into-true", "into-a-string"],
)
def test_refs_walking_into_a_boolean_or_a_string_are_refused(schema_dir, tmp_path, schemas, ref):
    """Found by `nox -s fuzz`: referencing raised TypeError, an internal error (exit 3)."""
    evil = {"type": "object", "properties": {"a": {"$ref": ref}, "b": {"type": "string"}}}
    folder = schema_dir({"Evil": evil, **schemas})
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, "Evil.json#/properties/a/$ref", "does not resolve")
    assert not (tmp_path / "m").exists()


def test_ref_to_a_subschema_through_id_alias_still_generates(schema_dir, tmp_path, workdir):
    """The fix maps a root ``$id`` alias to its file; legitimate aliases keep working."""
    folder = schema_dir(
        {
            "A": {"type": "object", "properties": {"b": {"$ref": "urn:tc:b#/definitions/X"}}},
            "B": {"$id": "urn:tc:b", "definitions": {"X": {"type": "integer"}}},
        }
    )
    out = tmp_path / "aliased"
    result = invoke(["gen", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    imported = import_in_subprocess(out, "print(pkg.A.model_validate({'b': 3}).b)")
    assert imported.stdout.strip() == "3", imported.stderr


# --- refs that leave the set -----------------------------------------------------------------


def _leaving_refs(server_url: str) -> dict[str, dict[str, dict]]:
    obj = {"type": "object"}
    return {
        "http": {"Evil": {**obj, "properties": {"a": {"$ref": f"{server_url}/x.json"}}}},
        "https": {"Evil": {**obj, "properties": {"a": {"$ref": "https://127.0.0.1:9/x.json"}}}},
        "file-url": {"Evil": {**obj, "properties": {"a": {"$ref": "file:///etc/hostname"}}}},
        "dotdot": {"Evil": {**obj, "properties": {"a": {"$ref": "../../../../etc/hostname"}}}},
        "dotdot-json": {"Evil": {**obj, "properties": {"a": {"$ref": "../outside.json"}}}},
        "absolute": {"Evil": {**obj, "properties": {"a": {"$ref": "/etc/hostname"}}}},
        "network-path": {"Evil": {**obj, "properties": {"a": {"$ref": "//127.0.0.1:9/x"}}}},
        "percent-dotdot": {"Evil": {**obj, "properties": {"a": {"$ref": "%2e%2e/outside.json"}}}},
        "missing-sibling": {"Evil": {**obj, "properties": {"a": {"$ref": "Nope.json"}}}},
        "http-id-base": {
            "Evil": {
                **obj,
                "properties": {"a": {"$id": f"{server_url}/sub/", "$ref": "x.json"}},
            }
        },
        "root-http-id": {
            "Evil": {
                "$id": f"{server_url}/Evil.json",
                **obj,
                "properties": {"a": {"$ref": "x.json"}},
            }
        },
        "backslash": {"Evil": {**obj, "properties": {"a": {"$ref": "..\\..\\x.json"}}}},
    }


LEAVING = sorted(_leaving_refs("http://x"))


@pytest.mark.parametrize("case", LEAVING)
def test_refs_leaving_the_set_are_refused_and_nothing_is_fetched(
    case, schema_dir, tmp_path, workdir, recording_server
):
    (tmp_path / "outside.json").write_text('{"type": "string", "title": "OUTSIDE_MARKER"}')
    before = len(recording_server.hits)
    folder = schema_dir(_leaving_refs(recording_server.url)[case])
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, "Evil.json#/properties/a")
    assert not (tmp_path / "m").exists()
    assert recording_server.hits[before:] == []


@pytest.mark.parametrize(
    "schemas",
    [
        # A root $id that names a file in the working directory: the generator used to
        # read ./leak.json and put its content into the models.
        {"A": {"$id": "leak.json", "type": "object", "properties": {"a": {"$ref": "leak.json"}}}},
        {
            "A": {"type": "object", "properties": {"a": {"$ref": "leak.json"}}},
            "B": {"$id": "leak.json", "type": "string"},
        },
        # A root $id on the recording server: relative refs must not be fetched from it.
        "root-http-id",
    ],
    ids=["self-id-alias", "other-id-alias", "http-root-id"],
)
def test_id_aliases_never_read_files_or_fetch(
    schemas, schema_dir, tmp_path, workdir, recording_server
):
    (workdir / "leak.json").write_text(
        json.dumps({"type": "object", "title": "LEAKED_MARKER", "properties": {"LEAKED": {}}})
    )
    if schemas == "root-http-id":
        schemas = {
            "A": {
                "$id": f"{recording_server.url}/A.json",
                "type": "object",
                "properties": {"a": {"$ref": "#/definitions/X"}},
                "definitions": {"X": {"type": "integer"}},
            }
        }
    before = len(recording_server.hits)
    out = tmp_path / "m"
    result = invoke(["gen", str(schema_dir(schemas)), "--out", str(out)])
    assert result.exit_code in (0, INPUT), result.stderr
    if result.exit_code:
        assert_refused(result, INPUT)
    else:
        generated = "".join(p.read_text() for p in out.glob("*.py"))
        assert "LEAKED" not in generated
        assert "FETCHED_MARKER" not in generated
    assert recording_server.hits[before:] == []


# --- cycles, depth, regexes, unknown keywords ------------------------------------------------

CYCLES = {
    "self-root": {"C": {"$ref": "#"}},
    "definitions-loop": {
        "C": {
            "$ref": "#/definitions/A",
            "definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"}},
        }
    },
    "cross-file-loop": {"C": {"$ref": "D.json"}, "D": {"$ref": "C.json"}},
    "cross-file-mutual-objects": {
        "C": {"type": "object", "properties": {"d": {"$ref": "D.json"}}},
        "D": {"type": "object", "properties": {"c": {"$ref": "C.json"}}},
    },
    "allOf-self": {"C": {"allOf": [{"$ref": "#"}], "type": "object"}},
    "anyOf-definition-loop": {
        "C": {
            "$ref": "#/definitions/A",
            "definitions": {"A": {"anyOf": [{"$ref": "#/definitions/A"}, {"type": "string"}]}},
        }
    },
    "recursive-tree": {
        "C": {
            "type": "object",
            "properties": {
                "v": {"type": "integer"},
                "kids": {"type": "array", "items": {"$ref": "#"}},
            },
            "required": ["v"],
        }
    },
}


@pytest.mark.parametrize("case", sorted(CYCLES))
def test_cyclic_refs_end_cleanly(case, schema_dir, tmp_path):
    """Refused with one line, or a package that imports; never a hang or a crash.

    Run as a subprocess so that a hang fails this test rather than the whole run.
    """
    out = tmp_path / "m"
    folder = schema_dir(CYCLES[case])
    completed = run_module(["gen", str(folder), "--out", str(out)], timeout=90)
    if completed.returncode == 0:
        imported = import_in_subprocess(out, "print(sorted(pkg.SCHEMAS))")
        assert imported.returncode == 0, imported.stderr[-1500:]
    else:
        assert completed.returncode == INPUT, completed.stderr
        from tests.hostile.helpers import assert_one_line

        assert_one_line(completed.stdout, completed.stderr)
        assert not out.exists()


@pytest.mark.parametrize(
    "case",
    ["self-root", "definitions-loop", "cross-file-loop", "allOf-self", "anyOf-definition-loop"],
)
def test_in_place_ref_loops_are_refused(case, schema_dir, tmp_path):
    """A loop that never consumes the instance would recurse forever in every validator.

    Before the fix, definitions-loop generated ``B = TypeAliasType("B", C)`` (NameError on
    import) and anyOf-definition-loop made the payload strategies and validators recurse.
    """
    result = invoke(["gen", str(schema_dir(CYCLES[case])), "--out", str(tmp_path / "m")])
    line = assert_refused(result, INPUT, "C.json#", "never consumes any of the instance")
    assert " -> " in line


def test_dotted_definition_names_generate(schema_dir, tmp_path):
    """Before the fix the generator split the output into modules and gen failed with exit 3."""
    names = ["v1.Order", "os.path", "..", "a..b"]
    schema = {
        "type": "object",
        "properties": {
            f"p{index}": {"$ref": "#/definitions/" + quote(name, safe="")}
            for index, name in enumerate(names)
        },
        "definitions": {
            name: {"type": "object", "properties": {"n": {"type": "integer"}}} for name in names
        },
    }
    out = tmp_path / "dotted"
    result = invoke(["gen", str(schema_dir({"Dotted": schema})), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    payload = {f"p{index}": {"n": index} for index in range(len(names))}
    imported = import_in_subprocess(
        out, f"print(pkg.Dotted.model_validate({payload!r}).model_dump(exclude_unset=True))"
    )
    assert imported.stdout.strip() == repr(payload), imported.stderr


def test_recursive_model_validates_nested_data(schema_dir, tmp_path):
    out = tmp_path / "tree_models"
    result = invoke(["gen", str(schema_dir(CYCLES["recursive-tree"])), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    nested = {"v": 1, "kids": [{"v": 2, "kids": [{"v": 3}]}]}
    imported = import_in_subprocess(
        out, f"print(pkg.C.model_validate({nested!r}).kids[0].kids[0].v)"
    )
    assert imported.stdout.strip() == "3", imported.stderr


DEEP = {
    "properties-10000": '{"type":"object","properties":{"a":' * 10_000 + "{}" + "}}" * 10_000,
    "items-10000": '{"items":' * 10_000 + "{}" + "}" * 10_000,
    "allOf-10000": '{"allOf":[' * 10_000 + "{}" + "]}" * 10_000,
    "arrays-200000": "[" * 200_000 + "]" * 200_000,
    "data-10000": '{"default":' + "[" * 10_000 + "]" * 10_000 + "}",
}


@pytest.mark.parametrize("case", sorted(DEEP))
def test_deep_nesting_is_refused(case, schema_dir, tmp_path):
    result = invoke(["gen", str(schema_dir({"Deep": DEEP[case]})), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, "Deep.json", "nested")


def test_nesting_at_the_limit_generates_an_importable_package(schema_dir, tmp_path):
    """Depth the loader accepts must not blow the generator's stack (see test_depth.py)."""
    depth = MAX_SCHEMA_DEPTH
    text = '{"type":"object","properties":{"a":' * depth + '{"type":"string"}' + "}}" * depth
    out = tmp_path / "m"
    completed = run_module(["gen", str(schema_dir({"Deep": text})), "--out", str(out)], timeout=120)
    assert completed.returncode == 0, completed.stderr
    imported = import_in_subprocess(out, "print(len(pkg.SCHEMAS))")
    assert imported.returncode == 0, imported.stderr[-1500:]


BAD_REGEXES = [
    "([",
    "(?<name",
    "\\",
    "a{2,1}",
    "(?P<x>a)(?P<x>b)",
    "[z-a]",
    "*a",
    # Valid ECMA-262, but Python's re (the models' engine for lookaround) cannot run it.
    "(?<=a+)b",  # variable-width lookbehind
]


@pytest.mark.parametrize("where", ["pattern", "patternProperties"])
@pytest.mark.parametrize("regex", BAD_REGEXES)
def test_invalid_regexes_are_refused(regex, where, schema_dir, tmp_path):
    if where == "pattern":
        schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": regex}}}
        pointer = "/properties/a/pattern"
    else:
        schema = {"type": "object", "patternProperties": {regex: {"type": "string"}}}
        pointer = "/patternProperties"
    result = invoke(["gen", str(schema_dir({"Re": schema})), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, f"Re.json#{pointer}")


def test_unknown_keywords_are_dropped_not_acted_on(schema_dir, tmp_path):
    schema = {
        "type": "object",
        "properties": {
            "a": {
                "type": "string",
                "x-go-type": "UNKNOWN_MARKER_1",
                "discriminator": {"propertyName": "UNKNOWN_MARKER_2"},
                "nullable": True,
                "tsType": "UNKNOWN_MARKER_3",
            }
        },
        "x-extra": {"properties": {"UNKNOWN_MARKER_4": {}}},
        "components": {"schemas": {"UNKNOWN_MARKER_5": {"type": "string"}}},
    }
    out = tmp_path / "unknown_models"
    result = invoke(["gen", str(schema_dir({"Unknown": schema})), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    generated = (out / "unknown.py").read_text()
    assert "UNKNOWN_MARKER" not in generated
    imported = import_in_subprocess(out, "print(pkg.Unknown.model_validate({'a': 'x'}).a)")
    assert imported.stdout.strip() == "x", imported.stderr


INVALID_SCHEMAS = {
    "type-nonsense": ({"type": "nonsense"}, "Bad.json#/type"),
    "properties-list": ({"properties": []}, "Bad.json#/properties"),
    "required-string": ({"required": "a"}, "Bad.json#/required"),
    "unsupported-dialect": ({"$schema": "http://evil.example/schema"}, "Bad.json#/$schema"),
    "dialect-not-string": ({"$schema": 7}, "Bad.json#/$schema"),
    "json-number": (7, "Bad.json"),
    "json-null": (None, "Bad.json"),
    "empty-file": ("", "Bad.json"),
    "bom": ("\ufeff{}", "Bad.json"),
    "nan": ('{"minimum": NaN}', "Bad.json"),
    "duplicate-keys-with-dangerous-second": (
        '{"type": "string", "type": "string", "customTypePath": "hostile_mod.Evil"}',
        "Bad.json#/customTypePath",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID_SCHEMAS))
def test_invalid_schema_documents_are_refused(case, schema_dir, tmp_path):
    document, needle = INVALID_SCHEMAS[case]
    if not isinstance(document, str):
        document = json.dumps(document)
    result = invoke(["gen", str(schema_dir({"Bad": document})), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, needle)


NAME_CLASHES = {
    "same-class-name": (["AB", "A_B"], "both export the name 'AB'"),
    "same-module": (["Order", "order"], "same module"),
    "reserved-SCHEMAS": (["SCHEMAS"], "'SCHEMAS'"),
}


@pytest.mark.parametrize("case", sorted(NAME_CLASHES))
def test_schema_names_that_would_export_the_wrong_model_are_refused(case, schema_dir, tmp_path):
    names, needle = NAME_CLASHES[case]
    schema = {"type": "object", "properties": {"x": {"type": "string"}}}
    folder = schema_dir({name: schema for name in names})
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, needle)
    assert not (tmp_path / "m").exists()


# Names the generated modules import themselves. Before the fix a schema named BaseModel
# exported pydantic's BaseModel under its name; one named UrlConstraints (or a definition
# so named) rebound the import and the package failed to import; `Dict` made `dict.py`,
# which rebinds the builtin `dict` in the package's `__init__`.
IMPORTED_NAMES = [
    "BaseModel", "RootModel", "ConfigDict", "Field", "MISSING", "StrictStr", "Enum", "Dict",
    "UrlConstraints", "AnyUrl", "AwareDatetime", "BeforeValidator", "Annotated", "Literal",
    "UUID", "Any", "List", "TypeAliasType",
]  # fmt: skip

# Makes the module import as much as it can: URL length, date-time, UUID, enum, literal,
# a nested model, definitions named like imports, and properties pydantic protects.
RICH_SCHEMA = {
    "type": "object",
    "properties": {
        "url": {"type": "string", "format": "uri", "maxLength": 50},
        "at": {"type": "string", "format": "date-time"},
        "id": {"type": "string", "format": "uuid"},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "tag": {"type": "string", "const": "t"},
        "field": {"$ref": "#/definitions/Field"},
        "constraints": {"$ref": "#/definitions/UrlConstraints"},
        "model_dump_": {"type": "string"},
        "modelDumpJson": {"type": "string"},
        "model_validate": {"type": "integer"},
        "x": {"type": "string"},
    },
    "required": ["x"],
    "definitions": {
        "Field": {"type": "object", "properties": {"y": {"type": "integer"}}},
        "UrlConstraints": {"type": "object", "properties": {"z": {"type": "boolean"}}},
    },
}
RICH_PAYLOAD = {
    "url": "https://example.com/a",
    "at": "2024-05-01T10:00:00Z",
    "id": "6f1c2a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
    "kind": "a",
    "tag": "t",
    "field": {"y": 1},
    "constraints": {"z": True},
    "model_dump_": "d",
    "modelDumpJson": "j",
    "model_validate": 3,
    "x": "x",
}


def test_schema_named_like_an_import_exports_its_own_model(schema_dir, tmp_path):
    out = tmp_path / "pkg_imports"
    result = invoke(
        ["gen", str(schema_dir(dict.fromkeys(IMPORTED_NAMES, RICH_SCHEMA))), "--out", str(out)]
    )
    assert result.exit_code == 0, describe(result)
    check = (
        "import json, sys, pydantic\n"
        f"payload = json.loads({json.dumps(RICH_PAYLOAD)!r})\n"
        f"for name in {IMPORTED_NAMES!r}:\n"
        "    model = getattr(pkg, name)\n"
        "    assert issubclass(model, pydantic.BaseModel), (name, model)\n"
        "    dumped = model.model_validate(payload).model_dump(\n"
        "        mode='json', by_alias=True, exclude_unset=True)\n"
        "    assert dumped == payload, (name, dumped)\n"
        "    print(name, model.__module__)\n"
    )
    imported = import_in_subprocess(out, check, flags=["-W", "error"])
    assert imported.returncode == 0, imported.stderr
    modules = dict(line.split() for line in imported.stdout.splitlines())
    assert modules == {n: f"{out.name}.{module_name_for(n)}" for n in IMPORTED_NAMES}


def test_renamed_models_and_fields_are_deterministic(schema_dir, tmp_path):
    out = tmp_path / "pkg_rename"
    invoke(["gen", str(schema_dir({"UrlConstraints": RICH_SCHEMA})), "--out", str(out)])
    source = (out / "url_constraints.py").read_text()
    assert "class UrlConstraintsModel(BaseModel)" in source
    assert "class FieldModel(BaseModel)" in source
    assert 'field_model_dump_: Annotated[StrictStr | MISSING, Field(alias="model_dump_")]' in (
        source
    )
    init = (out / "__init__.py").read_text()
    assert "from .url_constraints import UrlConstraintsModel as UrlConstraints" in init
    assert module_name_for("Dict") == "dict_"


@pytest.mark.parametrize(
    "filename",
    ["-rf.json", "a b.json", "ünïcode.json", "1leading.json", "$ref.json", "..json"],
)
def test_unusable_file_names_are_refused(filename, tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / filename).write_text('{"type": "object"}')
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, "not a usable identifier")


def test_symlinked_schema_file_is_refused(tmp_path):
    folder = tmp_path / "links"
    folder.mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text('{"title": "SECRET_FILE"}')
    (folder / "A.json").symlink_to(secret)
    result = invoke(["gen", str(folder), "--out", str(tmp_path / "m")])
    assert_refused(result, INPUT, "symlinks are refused")


def test_output_is_not_written_through_a_symlinked_out(tmp_path, schema_dir):
    """``--out`` that is a symlink to somewhere else: the target's content is not replaced."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep me")
    link = tmp_path / "models"
    link.symlink_to(elsewhere, target_is_directory=True)
    folder = schema_dir({"A": {"type": "object"}})
    result = invoke(["gen", str(folder), "--out", str(link)])
    assert (elsewhere / "precious.txt").read_text() == "keep me"
    if result.exit_code:
        assert_refused(result, INPUT)
    assert re.fullmatch(r"keep me", (elsewhere / "precious.txt").read_text())
