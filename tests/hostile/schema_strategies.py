"""Hypothesis strategies for schema-like documents: mostly valid draft-07, with hostile bits.

They mix what zod emits (objects, arrays, unions, enums, refs into definitions and along
property paths) with what an attacker would try (refs into data, dangerous and unknown
keywords, odd property and definition names, refs that leave the set).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

ODD_NAMES = ["", ".", "..", "a.b", "$ref", "__init__", "class", "None", "a b", "~", "/", "é", "0"]
NAMES = st.one_of(
    st.sampled_from(["a", "b", "id", "kind", "items", "type", "default", *ODD_NAMES]),
    st.text(max_size=4),
)
REFS = st.sampled_from(
    [
        "#",
        "#/definitions/a",
        "#/definitions/b",
        "#/definitions/a.b",
        "#/definitions/a/properties/a",
        "#/properties/a",
        "#/properties/a/items",
        "#/properties/a/default",
        "#/anyOf/0",
        "#/items",
        "#/not",
        "#foo",
        "B.json",
        "B.json#/definitions/a",
        "B.json#/properties/a/enum/0",
        "Missing.json",
        "http://127.0.0.1:9/x.json",
        "file:///etc/hostname",
        "../x.json",
        "urn:b",
        "urn:b#/definitions/a",
    ]
)
SAFE_PATTERNS = st.sampled_from(["^[a-z]+$", "^\\d{3}$", "a|b", "^$", ".*", "^[A-Z][a-z]*$", "x+"])
FORMATS = st.sampled_from(["email", "uuid", "date-time", "date", "uri", "ipv4", "nonsense"])
DATA = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-10, 10),
        st.floats(-10, 10, allow_nan=False, width=32),
        st.text(max_size=6),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
BENIGN_EXTRAS = {
    "title": st.text(max_size=8),
    "description": st.text(max_size=8),
    "$comment": st.text(max_size=4),
    "default": DATA,
    "examples": st.lists(DATA, max_size=2),
    "deprecated": st.booleans(),
    "x-extra": DATA,
    "nullable": st.booleans(),
    "discriminator": st.just({"propertyName": "kind"}),
}
HOSTILE_EXTRAS = {
    "customTypePath": st.sampled_from(["hostile_mod.Evil", "os.system"]),
    "x-python-type": st.just("hostile_mod.Evil"),
    "$id": st.sampled_from(["urn:b", "#foo", "leak.json", "http://127.0.0.1:9/sub/"]),
    "$anchor": st.just("foo"),
}
NO_EXTRAS: st.SearchStrategy[dict[str, Any]] = st.just({})


def _extras(hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly none; sometimes annotations; with ``hostile``, sometimes a hostile keyword."""
    choices = [NO_EXTRAS, NO_EXTRAS, st.fixed_dictionaries({}, optional=BENIGN_EXTRAS)]
    if hostile:
        choices.append(st.fixed_dictionaries({}, optional=HOSTILE_EXTRAS))
    return st.one_of(*choices)


def _with_extras(base: st.SearchStrategy[Any], hostile: bool) -> st.SearchStrategy[Any]:
    return st.builds(
        lambda node, extra: {**node, **extra} if isinstance(node, dict) else node,
        base,
        _extras(hostile),
    )


def _leaf(hostile: bool) -> st.SearchStrategy[Any]:
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(0, 8),
            "pattern": SAFE_PATTERNS,
            "format": FORMATS,
        },
    )
    number = st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "minimum": st.integers(-5, 5),
            "maximum": st.integers(-5, 5),
            "exclusiveMinimum": st.integers(-5, 5),
            "multipleOf": st.sampled_from([1, 2, 0.5]),
        },
    )
    choices = [
        string,
        number,
        st.just({"type": "boolean"}),
        st.just({"type": "null"}),
        st.builds(lambda v: {"const": v}, DATA),
        st.builds(lambda vs: {"enum": vs}, st.lists(DATA, min_size=1, max_size=4)),
        st.builds(lambda t: {"type": [t, "null"]}, st.sampled_from(["string", "integer"])),
        st.booleans(),
        st.builds(lambda r: {"$ref": r}, REFS),
    ]
    return _with_extras(st.one_of(*choices), hostile)


def _compound(children: st.SearchStrategy[Any], hostile: bool) -> st.SearchStrategy[Any]:
    obj = st.builds(
        lambda props, required, extra: {
            "type": "object",
            "properties": props,
            "required": sorted({r for r in required if r in props}),
            **({} if extra is None else {"additionalProperties": extra}),
        },
        st.dictionaries(NAMES, children, max_size=3),
        st.lists(NAMES, max_size=3),
        st.one_of(st.none(), st.booleans(), children),
    )
    array = st.builds(
        lambda items, lo, unique: {
            "type": "array",
            "items": items,
            "minItems": lo,
            "uniqueItems": unique,
        },
        st.one_of(children, st.lists(children, min_size=1, max_size=2)),
        st.integers(0, 2),
        st.booleans(),
    )
    union = st.builds(
        lambda keyword, branches: {keyword: branches},
        st.sampled_from(["anyOf", "oneOf", "allOf"]),
        st.lists(children, min_size=1, max_size=3),
    )
    negation = st.builds(lambda child: {"not": child}, children)
    record = st.builds(
        lambda value: {
            "type": "object",
            "additionalProperties": value,
            "propertyNames": {"pattern": "^[a-z]+$"},
        },
        children,
    )
    return _with_extras(st.one_of(obj, array, union, negation, record), hostile)


def schema_nodes(hostile: bool = True, max_leaves: int = 12) -> st.SearchStrategy[Any]:
    return st.recursive(_leaf(hostile), lambda c: _compound(c, hostile), max_leaves=max_leaves)


@st.composite
def schema_documents(draw: st.DrawFn, hostile: bool = True) -> Any:
    """A root document: a node, sometimes with definitions (some with dotted names)."""
    root = draw(schema_nodes(hostile))
    if isinstance(root, dict) and draw(st.booleans()):
        names = draw(
            st.lists(st.sampled_from(["a", "b", "a.b", "v1.Order"]), max_size=3, unique=True)
        )
        root = {**root, "definitions": {n: draw(schema_nodes(hostile, 6)) for n in names}}
    if isinstance(root, dict) and draw(st.integers(0, 4)) == 0:
        root = {**root, "$schema": "http://json-schema.org/draft-07/schema#"}
    return root
