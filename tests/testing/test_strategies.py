"""Strategies on hand-written schemas: one construct at a time, plus shape assertions."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tc_contracts_py.errors import SchemaError
from tc_contracts_py.testing.contracts import Contracts
from tc_contracts_py.testing.strategies import (
    NearMiss,
    canonical_json,
    invalid_payloads,
    payloads,
    utf16_length,
)

from .conftest import make_set

RUN = settings(
    max_examples=40,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def draw_all(strategy: st.SearchStrategy[Any], count: int = 40) -> list[Any]:
    seen: list[Any] = []

    @settings(RUN, max_examples=count)
    @given(strategy)
    def collect(value: Any) -> None:
        seen.append(value)

    collect()
    return seen


def contracts_for(schema: dict[str, Any], **others: dict[str, Any]) -> Contracts:
    return Contracts(make_set({"Root": schema, **others}))


def assert_sound(
    contracts: Contracts, name: str = "Root", count: int = 40
) -> tuple[list[Any], list[NearMiss]]:
    """Every generated payload validates and every near miss does not."""
    valid = draw_all(contracts.payloads(name), count)
    for payload in valid:
        assert contracts.violations(name, payload) == [], payload
    misses = draw_all(contracts.invalid_payloads(name), count)
    for miss in misses:
        assert not contracts.is_valid(name, miss.payload), miss
    return valid, misses


def test_types_and_type_arrays() -> None:
    contracts = contracts_for({"type": ["string", "integer", "null"], "maxLength": 3})
    valid, misses = assert_sound(contracts)
    kinds = {type(value).__name__ for value in valid}
    assert kinds == {"str", "int", "NoneType"}
    assert all(len(v) <= 3 for v in valid if isinstance(v, str))
    assert {m.kind for m in misses} >= {"maxLength", "type"}


def test_enum_and_const() -> None:
    contracts = contracts_for(
        {
            "type": "object",
            "properties": {
                "kind": {"const": "card"},
                "size": {"type": "string", "enum": ["s", "m", "l"]},
            },
            "required": ["kind", "size"],
            "additionalProperties": False,
        }
    )
    valid, misses = assert_sound(contracts)
    assert {p["size"] for p in valid} == {"s", "m", "l"}
    assert {p["kind"] for p in valid} == {"card"}
    assert {"const", "enum", "required", "additionalProperties"} <= {m.kind for m in misses}


@pytest.mark.parametrize(
    ("fmt", "example_check"),
    [
        ("email", lambda s: "@" in s and s == s.lower()),
        ("uuid", lambda s: len(s) == 36 and s[14] == "4" and s[19] in "89ab"),
        ("date-time", lambda s: s.endswith("Z") and s[10] == "T" and len(s.split("T")[0]) == 10),
        ("date", lambda s: len(s) == 10),
        ("uri", lambda s: s.startswith(("https://", "http://"))),
        ("ipv4", lambda s: s.count(".") == 3),
    ],
)
def test_formats_in_the_form_zod_accepts(fmt: str, example_check: Any) -> None:
    contracts = contracts_for({"type": "string", "format": fmt})
    valid, misses = assert_sound(contracts)
    assert all(example_check(value) for value in valid), valid[:5]
    assert "format" in {m.kind for m in misses}


def test_zod4_format_with_pattern() -> None:
    zod4_uuid = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "string",
        "format": "uuid",
        "pattern": "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}"
        "-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000)$",
    }
    assert_sound(contracts_for(zod4_uuid))


def test_patterns_generate_ascii_digits_and_misses_use_other_digits() -> None:
    contracts = contracts_for({"type": "string", "pattern": r"^\+\d{7,15}$"})
    valid, misses = assert_sound(contracts)
    assert all(ch.isascii() for value in valid for ch in value)
    pattern_misses = [m.payload for m in misses if m.kind == "pattern"]
    assert pattern_misses
    # The Zod gap: a payload with an Arabic-Indic digit is a near miss, not a valid one.
    assert any(any("\u0660" <= ch <= "\u0669" for ch in miss) for miss in pattern_misses)


def test_lengths_fit_javascript_utf16_too() -> None:
    contracts = contracts_for({"type": "string", "minLength": 2, "maxLength": 4})
    valid, _ = assert_sound(contracts)
    assert all(len(v) >= 2 and utf16_length(v) <= 4 for v in valid)


def test_number_bounds_and_multiple_of() -> None:
    contracts = contracts_for(
        {
            "type": "object",
            "properties": {
                "weight": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 500,
                    "multipleOf": 0.25,
                },
                "reps": {"type": "integer", "minimum": 1, "maximum": 100, "multipleOf": 5},
                "rpe": {"type": "number", "minimum": 1, "maximum": 10},
            },
            "required": ["weight", "reps", "rpe"],
        }
    )
    valid, misses = assert_sound(contracts, count=100)
    assert all(0 < p["weight"] <= 500 and (p["weight"] * 4) % 1 == 0 for p in valid)
    assert all(p["reps"] % 5 == 0 and isinstance(p["reps"], int) for p in valid)
    assert {"exclusiveMinimum", "maximum", "multipleOf", "minimum"} <= {m.kind for m in misses}


def test_arrays_limits_and_unique_items() -> None:
    contracts = contracts_for(
        {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 3},
            "minItems": 1,
            "maxItems": 3,
            "uniqueItems": True,
        }
    )
    valid, misses = assert_sound(contracts)
    assert all(1 <= len(v) <= 3 and len(set(v)) == len(v) for v in valid)
    assert {"minItems", "maxItems", "uniqueItems"} <= {m.kind for m in misses}


def test_draft7_tuple_is_closed_and_positional() -> None:
    contracts = contracts_for(
        {
            "type": "array",
            "items": [{"type": "number"}, {"type": "string"}],
            "minItems": 2,
            "maxItems": 2,
            "additionalItems": False,
        }
    )
    valid, misses = assert_sound(contracts)
    assert all(len(v) == 2 and isinstance(v[1], str) for v in valid)
    assert "items" in {m.kind for m in misses} or "maxItems" in {m.kind for m in misses}


def test_2020_prefix_items_tuple() -> None:
    contracts = contracts_for(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "array",
            "prefixItems": [{"type": "number"}, {"type": "number"}],
            "items": False,
        }
    )
    valid, misses = assert_sound(contracts)
    assert all(len(v) <= 2 and all(isinstance(x, (int, float)) for x in v) for v in valid)
    assert max(len(v) for v in valid) == 2
    assert "items" in {m.kind for m in misses}


def test_records_with_property_names_and_value_schema() -> None:
    contracts = contracts_for(
        {
            "type": "object",
            "propertyNames": {"enum": ["mon", "tue", "wed"]},
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 600},
        }
    )
    valid, misses = assert_sound(contracts, count=100)
    assert all(set(v) <= {"mon", "tue", "wed"} for v in valid)
    assert any(v for v in valid)
    assert "propertyNames" in {m.kind for m in misses}


def test_optional_properties_are_sometimes_absent_and_never_null() -> None:
    contracts = contracts_for(
        {
            "type": "object",
            "properties": {"note": {"type": "string"}, "id": {"type": "integer"}},
            "required": ["id"],
            "additionalProperties": False,
        }
    )
    valid, misses = assert_sound(contracts)
    assert any("note" in v for v in valid)
    assert any("note" not in v for v in valid)
    assert all(v.get("note", "") is not None for v in valid)
    nulls = [m for m in misses if m.kind == "null"]
    assert nulls
    assert all(m.pointer in ("", "/note", "/id") for m in nulls)


def test_nullable_any_of_wrapper() -> None:
    contracts = contracts_for(
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
    )
    valid, _ = assert_sound(contracts)
    assert None in valid
    assert any(isinstance(v, str) for v in valid)


def test_one_of_gives_exactly_one_branch() -> None:
    contracts = contracts_for(
        {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "integer", "maximum": 10}]}
    )
    valid, _ = assert_sound(contracts)
    assert valid
    assert all(v < 0 or v > 10 for v in valid)


def test_all_of_objects_are_merged_like_zod_intersections() -> None:
    contracts = contracts_for(
        {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]},
            ]
        }
    )
    valid, _ = assert_sound(contracts)
    assert all({"a", "b"} <= set(v) for v in valid)


def test_all_of_with_a_closed_member_only_uses_its_keys() -> None:
    contracts = contracts_for(
        {
            "allOf": [
                {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                    "additionalProperties": False,
                },
                {"type": "object", "properties": {"b": {"minimum": 5}}, "required": ["b"]},
            ]
        }
    )
    valid, _ = assert_sound(contracts)
    assert all(set(v) <= {"a", "b"} and v["b"] >= 5 for v in valid)


def test_not() -> None:
    contracts = contracts_for({"type": "string", "not": {"enum": ["admin", "root"]}})
    valid, _ = assert_sound(contracts)
    assert not {"admin", "root"} & set(valid)


def test_if_then_else_is_honoured_by_filtering() -> None:
    contracts = contracts_for(
        {
            "type": "object",
            "properties": {"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}},
            "required": ["kind", "n"],
            "if": {"properties": {"kind": {"const": "a"}}},
            "then": {"properties": {"n": {"minimum": 0}}},
        }
    )
    valid, _ = assert_sound(contracts)
    assert all(v["n"] >= 0 for v in valid if v["kind"] == "a")


def test_every_ref_shape_resolves() -> None:
    root = {
        "$ref": "#/definitions/Order",
        "definitions": {
            "Order": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "customerId": {"$ref": "#/definitions/Order/properties/id"},
                    "total": {"$ref": "Money.json#/definitions/Money"},
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": 4}},
                    "labels": {"$ref": "#/definitions/Order/properties/tags"},
                },
                "required": ["id", "customerId", "total", "labels"],
                "additionalProperties": False,
            }
        },
    }
    money = {
        "definitions": {
            "Money": {
                "type": "object",
                "properties": {
                    "amount": {"type": "integer"},
                    "currency": {"$ref": "#/definitions/Currency"},
                },
                "required": ["amount", "currency"],
                "additionalProperties": False,
            },
            "Currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        }
    }
    contracts = Contracts(make_set({"Root": root, "Money": money}))
    valid, misses = assert_sound(contracts)
    assert all(len(v["total"]["currency"]) == 3 for v in valid)
    assert any(m.pointer == "/total/currency" for m in misses)


@pytest.mark.parametrize(
    "schema",
    [
        # zod-to-json-schema: a path ref back to the root
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#"}},
            },
            "required": ["name", "children"],
            "additionalProperties": False,
        },
        # Zod 4: $defs/__schema0
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"root": {"$ref": "#/$defs/__schema0"}},
            "required": ["root"],
            "$defs": {
                "__schema0": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string"},
                        "blocks": {"type": "array", "items": {"$ref": "#/$defs/__schema0"}},
                    },
                    "required": ["label"],
                }
            },
        },
    ],
)
def test_recursion_is_bounded(schema: dict[str, Any]) -> None:
    contracts = contracts_for(schema)
    valid, _ = assert_sound(contracts)

    def depth(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return max((depth(v) for v in value), default=0)
        return 0

    deepest = max(depth(v) for v in valid)
    assert 2 <= deepest <= 6


def test_recursion_without_base_case_is_reported() -> None:
    schema = {
        "type": "object",
        "properties": {"next": {"$ref": "#"}},
        "required": ["next"],
    }
    with pytest.raises(SchemaError, match="no payload can be generated"):
        payloads(schema)


@pytest.mark.parametrize(
    "bounds",
    [
        {"exclusiveMinimum": 0, "maximum": 0},
        {"minimum": 1, "maximum": 0},
        {"minimum": 0, "exclusiveMaximum": 0},
    ],
)
def test_numbers_with_empty_bounds_are_reported_not_a_hypothesis_error(
    bounds: dict[str, int],
) -> None:
    """Found by `nox -s fuzz`: hypothesis raised InvalidArgument building st.floats."""
    schema = {"type": "number", **bounds}
    with pytest.raises(SchemaError, match="no payload can be generated"):
        payloads(schema)
    with pytest.raises(SchemaError, match="no payload can be generated"):
        invalid_payloads(schema)


@pytest.mark.parametrize(
    "items", [{"type": "null"}, {"type": "boolean"}, {"const": 1}, {"enum": ["a", "b", "a"]}]
)
def test_unique_arrays_longer_than_their_item_choices_are_reported(items: dict[str, Any]) -> None:
    """Found by `nox -s fuzz`: hypothesis raised InvalidArgument (too few distinct elements)."""
    schema = {"type": "array", "items": items, "minItems": 3, "uniqueItems": True}
    with pytest.raises(SchemaError, match="no payload can be generated"):
        payloads(schema)
    with pytest.raises(SchemaError, match="no payload can be generated"):
        invalid_payloads(schema)


def test_unique_arrays_as_long_as_their_item_choices_still_generate() -> None:
    schema = {"type": "array", "items": {"type": "boolean"}, "minItems": 2, "uniqueItems": True}
    assert {tuple(sorted(v)) for v in draw_all(payloads(schema), 5)} == {(False, True)}


def test_a_single_point_number_range_still_generates() -> None:
    assert set(draw_all(payloads({"type": "number", "minimum": 0, "maximum": 0}), 5)) == {0}


def test_standalone_documents_and_booleans() -> None:
    values = draw_all(payloads({"type": "integer", "minimum": 3, "maximum": 3}), 5)
    assert set(values) == {3}
    assert all(json.dumps(v) is not None for v in draw_all(payloads(True), 10))
    with pytest.raises(SchemaError):
        payloads(False)


def test_near_misses_break_one_thing_and_report_where() -> None:
    schema = {
        "type": "object",
        "properties": {
            "handle": {
                "type": "string",
                "minLength": 3,
                "maxLength": 20,
                "pattern": "^[a-z0-9_]+$",
            },
            "age": {"type": "integer", "minimum": 0},
        },
        "required": ["handle", "age"],
        "additionalProperties": False,
    }
    misses = draw_all(invalid_payloads(schema), 60)
    kinds = Counter(m.kind for m in misses)
    assert {
        "required",
        "type",
        "null",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "additionalProperties",
    } <= set(kinds), kinds
    for miss in misses:
        if miss.kind == "required":
            assert miss.pointer.lstrip("/") not in miss.payload
        if miss.kind == "maxLength":
            assert len(miss.payload["handle"]) == 21


def test_shrinking_finds_small_examples() -> None:
    from hypothesis import find

    schema = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"type": "string", "maxLength": 50}},
            "name": {"type": "string"},
        },
        "required": ["items", "name"],
    }
    smallest = find(
        payloads(schema), lambda p: len(p["items"]) >= 2, settings=settings(RUN, max_examples=20)
    )
    assert len(smallest["items"]) == 2
    assert all(s == "" for s in smallest["items"])
    assert smallest["name"] == ""


def test_canonical_json_matches_json_schema_equality() -> None:
    assert canonical_json([1, {"a": 2.0}]) == canonical_json([1.0, {"a": 2}])
    assert canonical_json(True) != canonical_json(1)
