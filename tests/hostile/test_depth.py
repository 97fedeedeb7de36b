"""Deep but legal input: up to the limits in limits.py it works, one level over it is
refused with exit 2 and one line naming file and pointer, and nothing ends in exit 3.

Before the limits, a 500-long `$ref` chain and 120 nested `anyOf` ended in
`internal error: RecursionError` (exit 3) in gen, diff and check-models, and a 1000-deep
waivers file in diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.limits import MAX_SCHEMA_DEPTH, MAX_WAIVERS_DEPTH
from tests.hostile.helpers import INPUT, assert_refused, describe, import_in_subprocess, invoke


def _wrap(kind: str, inner: dict[str, Any]) -> dict[str, Any]:
    return {
        "props": {"type": "object", "properties": {"n": inner}, "required": ["n"]},
        "anyof": {"anyOf": [inner, {"type": "null"}]},
        "allof": {"allOf": [inner]},
        "items": {"type": "array", "items": inner, "minItems": 1},
    }[kind]


def nested(kind: str, levels: int, leaf: str) -> dict[str, Any]:
    """``levels`` subschema levels below the root, inline."""
    node: dict[str, Any] = {"type": leaf}
    for _ in range(levels):
        node = _wrap(kind, node)
    return node


def chain(kind: str, levels: int, leaf: str) -> dict[str, Any]:
    """A `$ref` chain reaching ``levels`` levels: each link is one subschema and one ref."""
    links = (levels - 1) // 2
    definitions: dict[str, Any] = {
        f"D{i}": _wrap(kind, {"$ref": f"#/definitions/D{i + 1}"}) for i in range(links)
    }
    definitions[f"D{links}"] = {"type": leaf}
    if (levels - 1) % 2:  # one more level to land exactly on `levels`
        definitions[f"D{links}"] = _wrap(kind, {"type": leaf})
    return {"$ref": "#/definitions/D0", "definitions": definitions}


SHAPES = {
    "properties": lambda levels, leaf: nested("props", levels, leaf),
    "anyOf": lambda levels, leaf: nested("anyof", levels, leaf),
    "allOf": lambda levels, leaf: nested("allof", levels, leaf),
    "items": lambda levels, leaf: nested("items", levels, leaf),
    "ref-anyOf": lambda levels, leaf: chain("anyof", levels, leaf),
    "ref-properties": lambda levels, leaf: chain("props", levels, leaf),
}


def write(folder: Path, document: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = document if isinstance(document, str) else json.dumps(document)
    (folder / "Deep.json").write_text(text)
    return folder


def test_the_shapes_reach_exactly_the_limit() -> None:
    from tc_contracts_py.limits import schema_too_deep
    from tc_contracts_py.schemaset import SchemaSet, parse_schema_bytes

    for name, build in SHAPES.items():
        for levels, too_deep in ((MAX_SCHEMA_DEPTH, False), (MAX_SCHEMA_DEPTH + 1, True)):
            schema = parse_schema_bytes("Deep.json", json.dumps(build(levels, "string")).encode())
            schema_set = SchemaSet({"Deep": schema})
            found = schema_too_deep(schema.document, schema_set.resolver("Deep"), "Deep.json")
            assert (found is not None) is too_deep, (name, levels, found)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_at_the_limit_gen_diff_and_check_models_work(shape, tmp_path):
    build = SHAPES[shape]
    old = write(tmp_path / "old", build(MAX_SCHEMA_DEPTH, "string"))
    new = write(tmp_path / "new", build(MAX_SCHEMA_DEPTH, "integer"))
    out = tmp_path / "models"
    result = invoke(["gen", str(old), "--out", str(out)])
    assert result.exit_code == 0, describe(result)
    imported = import_in_subprocess(out, "print(pkg.Deep.__name__)", flags=["-W", "error"])
    assert imported.returncode == 0, imported.stderr[-2000:]
    result = invoke(["diff", str(old), str(new), "--declared-bump", "major"])
    assert result.exit_code == 0, describe(result)
    assert "required bump: major" in result.stdout
    result = invoke(["check-models", str(old), str(out), "--examples", "5"])
    assert result.exit_code == 0, describe(result)
    assert "models agree" in result.stdout


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_level_over_the_limit_is_refused_by_every_command(shape, tmp_path):
    build = SHAPES[shape]
    deep = write(tmp_path / "deep", build(MAX_SCHEMA_DEPTH + 1, "string"))
    fine = write(tmp_path / "fine", {"type": "string"})
    models = tmp_path / "models"
    assert invoke(["gen", str(fine), "--out", str(models)]).exit_code == 0
    for args in (
        ["gen", str(deep), "--out", str(tmp_path / "m")],
        ["diff", str(fine), str(deep)],
        ["diff", str(deep), str(fine)],
        ["check-models", str(deep), str(models)],
    ):
        line = assert_refused(invoke(args), INPUT, "Deep.json#/")
        assert "nested deeper than" in line, line
    assert not (tmp_path / "m").exists()


ISSUE_CASES = {
    # the two reported crashes
    "ref-chain-500": {
        "$ref": "#/definitions/D0",
        "definitions": {
            **{f"D{i}": {"$ref": f"#/definitions/D{i + 1}"} for i in range(500)},
            "D500": {"type": "string"},
        },
    },
    "anyOf-120": nested("anyof", 120, "string"),
    "ref-anyOf-500": chain("anyof", 1000, "string"),
    "properties-1000": '{"type":"object","properties":{"n":' * 1000
    + '{"type":"string"}'
    + "}}" * 1000,
}


@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_reported_deep_schemas_are_refused_not_crashed(case, tmp_path):
    deep = write(tmp_path / "deep", ISSUE_CASES[case])
    fine = write(tmp_path / "fine", {"type": "string"})
    for args in (["gen", str(deep), "--out", str(tmp_path / "m")], ["diff", str(fine), str(deep)]):
        result = invoke(args)
        assert_refused(result, INPUT, "Deep.json", "nested")


def _waivers(depth: int) -> str:
    value = "[" * depth + "]" * depth
    return (
        f'note = {value}\n[[waiver]]\nrule = "type-changed"\nschema = "Deep"\nreason = "accepted"\n'
    )


@pytest.mark.parametrize(
    "depth", [MAX_WAIVERS_DEPTH, MAX_WAIVERS_DEPTH + 1, 1000, 100_000], ids=str
)
def test_waivers_file_nesting(depth, tmp_path):
    old = write(tmp_path / "old", {"type": "string"})
    new = write(tmp_path / "new", {"type": "integer"})
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(_waivers(depth))
    result = invoke(["diff", str(old), str(new), "--waivers", str(waivers)])
    if depth <= MAX_WAIVERS_DEPTH:
        assert result.exit_code == 0, describe(result)
        assert "waived" in result.stdout.lower(), result.stdout
    else:
        assert_refused(result, INPUT, "waivers.toml", "line 1", "nested deeper than")


def test_nested_strings_and_comments_do_not_count_in_waivers(tmp_path):
    old = write(tmp_path / "old", {"type": "string"})
    new = write(tmp_path / "new", {"type": "integer"})
    waivers = tmp_path / "waivers.toml"
    brackets = "[" * 1000
    waivers.write_text(f"# {brackets}\nother = '{brackets}'\n" + _waivers(1))
    result = invoke(["diff", str(old), str(new), "--waivers", str(waivers)])
    assert result.exit_code == 0, describe(result)
