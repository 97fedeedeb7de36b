"""Property tests of the diff engine over random zod-like schemas and random mutations.

- a schema diffed with itself (re-serialised, so the walker really runs) has no changes;
- every reported witness is valid under the writer's schema and rejected by the reader's;
- soundness: when no change breaks a direction, payloads generated for that direction's
  writer schema (by the independent generator below) are all accepted by its reader.

``TC_FUZZ_EXAMPLES`` sets the example count (default 120 per property).
"""

from __future__ import annotations

import copy
import os
import string
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.diff import DiffPolicy, diff_schema_sets
from tests.diff.helpers import check_witnesses, relaxed_copy, schema_set

EXAMPLES = int(os.environ.get("TC_FUZZ_EXAMPLES", "120"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
    # The default run is reproducible; a fuzz session (TC_FUZZ_EXAMPLES set) explores.
    derandomize="TC_FUZZ_EXAMPLES" not in os.environ,
)
pytestmark = pytest.mark.fuzz

PATTERNS = ["^[a-z]+$", "^[A-Z]{2}-[0-9]{3}$", "^[a-z0-9_]{3,20}$", "^\\+?[0-9]{7,15}$"]
FORMAT_SAMPLES = {
    "email": ["someone@example.com", "a.b@example.org"],
    "uuid": ["3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6f", "9b2d4f6a-1c3e-4a5b-8d7f-0e1a2b3c4d5e"],
    "date-time": ["2024-01-02T03:04:05Z", "2025-03-11T06:30:00.125Z"],
}
WORDS = ["id", "name", "status", "count", "tags", "meta", "kind", "score", "note", "items"]
TAGS = ["started", "paused", "finished", "failed"]

# -- zod-like schemas -------------------------------------------------------------------


@st.composite
def string_schema(draw: st.DrawFn) -> dict[str, Any]:
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return {
            "type": "string",
            "enum": draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=4, unique=True)),
        }
    if choice == 1:
        return {"type": "string", "format": draw(st.sampled_from(sorted(FORMAT_SAMPLES)))}
    if choice == 2:
        return {"type": "string", "pattern": draw(st.sampled_from(PATTERNS))}
    schema: dict[str, Any] = {"type": "string"}
    if draw(st.booleans()):
        schema["minLength"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        schema["maxLength"] = draw(st.integers(3, 12))
    return schema


@st.composite
def number_schema(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": draw(st.sampled_from(["number", "integer"]))}
    if draw(st.booleans()):
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = draw(st.integers(-5, 5))
    if draw(st.booleans()):
        schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = draw(st.integers(10, 60))
    if schema["type"] == "number" and draw(st.integers(0, 3)) == 0:
        schema["multipleOf"] = draw(st.sampled_from([0.5, 0.25, 2]))
    return schema


def leaf() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        string_schema(),
        number_schema(),
        st.just({"type": "boolean"}),
        st.sampled_from(TAGS).map(lambda t: {"type": "string", "const": t}),
    )


def nullable(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    def wrap(schema: dict[str, Any], how: int) -> dict[str, Any]:
        if how == 0:
            return schema
        if (
            how == 1
            and isinstance(schema.get("type"), str)
            and "enum" not in schema
            and "const" not in schema
        ):
            return {**schema, "type": [schema["type"], "null"]}
        return {"anyOf": [schema, {"type": "null"}]}

    return st.tuples(inner, st.integers(0, 2)).map(lambda pair: wrap(*pair))


def objects(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        names = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True))
        properties = {name: draw(children) for name in names}
        required = [n for n in names if draw(st.booleans())]
        schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
        extra = draw(st.integers(0, 3))
        if extra == 0:
            schema["additionalProperties"] = False
        elif extra == 1:
            schema["additionalProperties"] = {"type": "number"}
        return schema

    return build()


def arrays(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": draw(children)}
        if draw(st.booleans()):
            schema["minItems"] = draw(st.integers(0, 2))
        if draw(st.booleans()):
            schema["maxItems"] = draw(st.integers(2, 5))
        return schema

    return build()


@st.composite
def tagged_union(draw: st.DrawFn) -> dict[str, Any]:
    tags = draw(st.lists(st.sampled_from(TAGS), min_size=2, max_size=3, unique=True))
    members = []
    for tag in tags:
        member = draw(objects(leaf()))
        member["properties"] = {"type": {"type": "string", "const": tag}, **member["properties"]}
        member["required"] = ["type", *member["required"]]
        members.append(member)
    return {draw(st.sampled_from(["anyOf", "oneOf"])): members}


def zod_like() -> st.SearchStrategy[dict[str, Any]]:
    tree = st.recursive(
        nullable(leaf()),
        lambda children: st.one_of(objects(nullable(children)), arrays(children)),
        max_leaves=8,
    )
    return st.one_of(objects(nullable(tree)), tagged_union())


# -- mutations ----------------------------------------------------------------------------


def _nodes(schema: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    if isinstance(schema, dict):
        found.append((path, schema))
        for key, value in schema.items():
            if key in ("properties",) and isinstance(value, dict):
                for name, sub in value.items():
                    found.extend(_nodes(sub, (*path, key, name)))
            elif key in ("items", "additionalProperties"):
                found.extend(_nodes(value, (*path, key)))
            elif key in ("anyOf", "oneOf") and isinstance(value, list):
                for index, sub in enumerate(value):
                    found.extend(_nodes(sub, (*path, key, index)))
    return found


def mutate(node: dict[str, Any], how: int, number: int) -> None:
    kind = node.get("type")
    if how == 0 and "maxLength" in node:
        node["maxLength"] = max(0, node["maxLength"] + (number % 5) - 2)
    elif how == 1 and "enum" in node:
        if number % 2 and len(node["enum"]) > 1:
            node["enum"] = node["enum"][1:]
        else:
            node["enum"] = [*node["enum"], "extra"]
    elif how == 2 and kind == "object":
        node["properties"][f"added{number % 3}"] = {"type": "string"}
        if number % 2:
            node["required"] = [*node.get("required", []), f"added{number % 3}"]
    elif how == 3 and kind == "object" and node["properties"]:
        name = sorted(node["properties"])[number % len(node["properties"])]
        required = node.setdefault("required", [])
        node["required"] = (
            [r for r in required if r != name] if name in required else [*required, name]
        )
    elif how == 4 and kind == "object":
        if "additionalProperties" in node:
            del node["additionalProperties"]
        else:
            node["additionalProperties"] = False
    elif how == 5 and kind in ("number", "integer"):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in node:
                node[key] = node[key] + (number % 7) - 3
                return
        node["maximum"] = number % 50
    elif how == 6 and kind in ("number", "integer"):
        node["type"] = "integer" if kind == "number" else "number"
        node.pop("multipleOf", None)
    elif how == 7 and kind == "array":
        node["maxItems"] = number % 4 + 1
    elif how == 8 and isinstance(kind, list):
        node["type"] = kind[0]
    elif (
        how == 9
        and kind not in (None, "null")
        and isinstance(kind, str)
        and "enum" not in node
        and "const" not in node
    ):
        node["type"] = [kind, "null"]
    elif how == 10 and kind == "string":
        if "pattern" in node:
            del node["pattern"]
        else:
            node["pattern"] = PATTERNS[number % len(PATTERNS)]
    elif how == 11 and "anyOf" in node and len(node["anyOf"]) > 1:
        node["anyOf"] = node["anyOf"][:-1]
    elif how == 12 and kind == "string":
        node["minLength"] = number % 4
    elif how == 13 and kind == "string" and "format" not in node and "enum" not in node:
        node["format"] = sorted(FORMAT_SAMPLES)[number % 3]
    elif how == 14:
        node["description"] = f"changed {number}"
    else:
        node["type"] = "boolean" if kind != "boolean" else "string"
        for key in (
            "enum",
            "const",
            "format",
            "pattern",
            "minLength",
            "maxLength",
            "properties",
            "required",
        ):
            node.pop(key, None)


@st.composite
def mutated_pair(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    old = draw(zod_like())
    new = copy.deepcopy(old)
    for _ in range(draw(st.integers(1, 3))):
        nodes = _nodes(new)
        _path, node = nodes[draw(st.integers(0, len(nodes) - 1))]
        mutate(node, draw(st.integers(0, 15)), draw(st.integers(0, 1000)))
    return old, new


# -- an independent payload generator -----------------------------------------------------


def payloads(schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    if schema is True or schema == {}:
        return st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=3))
    if schema is False:
        return st.nothing()
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([payloads(branch, depth) for branch in schema[key]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([payloads({**schema, "type": t}, depth) for t in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if "format" in schema:
            return st.sampled_from(FORMAT_SAMPLES[schema["format"]])
        low = schema.get("minLength", 0)
        high = schema.get("maxLength", low + 8)
        return st.text(alphabet=string.ascii_letters, min_size=low, max_size=max(low, high))
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", -100))
        high = schema.get("maximum", schema.get("exclusiveMaximum", 100))
        high = max(high, low)  # candidates only: an empty range still yields numbers
        if "multipleOf" in schema:
            step = schema["multipleOf"]
            return st.integers(int(low / step) - 1, int(high / step) + 1).map(lambda k: k * step)
        values = st.integers(int(low) - 1, int(high) + 1)
        if kind == "number":
            return st.one_of(
                values, st.floats(low - 1, high + 1, allow_nan=False).map(lambda f: round(f, 2))
            )
        return values
    if kind == "array":
        low = schema.get("minItems", 0)
        # Candidates only (the writer's validator filters them), so an empty range such as
        # minItems 2 > maxItems 1 still yields lists rather than a hypothesis error.
        high = max(low, min(schema.get("maxItems", 3), low + 3))
        return st.lists(payloads(schema.get("items", {}), depth + 1), min_size=low, max_size=high)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        extra: st.SearchStrategy[dict[str, Any]] = st.just({})
        additional = schema.get("additionalProperties", True)
        if additional is not False:
            extra = st.dictionaries(
                st.sampled_from(["zz", "extra", *WORDS, "added0", "added1"]),
                payloads(additional, depth + 1),
                max_size=2,
            )
        return st.tuples(
            st.fixed_dictionaries(
                {k: payloads(v, depth + 1) for k, v in properties.items() if k in required},
                optional={
                    k: payloads(v, depth + 1) for k, v in properties.items() if k not in required
                },
            ),
            extra,
        ).map(lambda pair: {**pair[1], **pair[0]})
    return payloads(True)


def validator(schema: Any, reader: bool, strip: bool) -> Any:
    document = relaxed_copy(schema) if reader and strip else schema
    return jsonschema.Draft7Validator(document, format_checker=jsonschema.FormatChecker())


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


# -- the properties -------------------------------------------------------------------------


@SETTINGS
@given(zod_like())
def test_a_schema_diffed_with_itself_has_no_changes(schema: dict[str, Any]) -> None:
    report = diff_schema_sets(
        schema_set({"S": schema}), schema_set({"S": _reversed_keys(schema)}), DiffPolicy()
    )
    assert report.changes == []


@SETTINGS
@given(mutated_pair(), st.sampled_from(list(UnknownProperties)))
def test_every_witness_verifies(
    pair: tuple[dict[str, Any], dict[str, Any]], policy: UnknownProperties
) -> None:
    old, new = pair
    old_set, new_set = schema_set({"S": old}), schema_set({"S": new})
    report = diff_schema_sets(old_set, new_set, DiffPolicy(unknown_properties=policy))
    check_witnesses(report, old_set, new_set)
    for change in report.changes:
        if change.breaks and change.certainty.value == "proven":
            assert change.witness is not None


@SETTINGS
@given(mutated_pair(), st.sampled_from(list(UnknownProperties)), st.data())
def test_no_break_reported_means_no_payload_breaks(
    pair: tuple[dict[str, Any], dict[str, Any]], policy: UnknownProperties, data: st.DataObject
) -> None:
    old, new = pair
    report = diff_schema_sets(
        schema_set({"S": old}), schema_set({"S": new}), DiffPolicy(unknown_properties=policy)
    )
    strip = policy is UnknownProperties.STRIP
    for writer, reader, broken in (
        (old, new, any(c.breaks_new_readers for c in report.changes)),
        (new, old, any(c.breaks_old_readers for c in report.changes)),
    ):
        if broken:
            continue
        writer_validator = validator(writer, reader=False, strip=strip)
        reader_validator = validator(reader, reader=True, strip=strip)
        for _ in range(5):
            payload = data.draw(payloads(writer))
            if not writer_validator.is_valid(payload):
                continue
            assert reader_validator.is_valid(payload), (
                f"no break reported, yet {payload!r} valid for the writer is rejected by the reader",
                [(c.rule, c.message) for c in report.changes],
            )
