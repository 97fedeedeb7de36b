"""Engine behaviour: meaning over text, refs and recursion, policies, roles, gate, waivers."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import jsonschema
import pytest

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.diff import (
    Bump,
    DiffPolicy,
    GateStatus,
    Role,
    Waiver,
    ZeroMajor,
    diff_schema_sets,
    version_from_source,
)
from tc_contracts_py.errors import SchemaError
from tc_contracts_py.limits import MAX_SCHEMA_DEPTH
from tests.diff.helpers import check_witnesses, diff_documents, schema_set

DRAFT7 = "http://json-schema.org/draft-07/schema#"
S = {"type": "string"}


def rules_of(report: Any) -> set[str]:
    return {c.rule for c in report.changes}


def breaking(report: Any) -> list[Any]:
    return [c for c in report.changes if c.breaks]


# -- meaning, not text ---------------------------------------------------------------


def test_inline_and_path_ref_of_the_same_content_are_no_change() -> None:
    inline = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "userId": {"type": "string", "format": "uuid"},
        },
    }
    referenced = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "userId": {"$ref": "#/properties/id"},
        },
    }
    assert diff_documents(inline, referenced).changes == []
    assert diff_documents(referenced, inline).changes == []


def test_moved_definition_and_key_order_are_no_change() -> None:
    old = {
        "$ref": "#/definitions/User",
        "definitions": {"User": {"type": "object", "properties": {"a": S}}},
    }
    new = {"properties": {"a": {"$ref": "#/$defs/Str"}}, "type": "object", "$defs": {"Str": S}}
    assert diff_documents(old, new).changes == []


def test_nullable_type_array_equals_anyof_with_null() -> None:
    old = {"type": ["string", "null"], "maxLength": 5}
    new = {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]}
    assert diff_documents(old, new).changes == []


def test_union_of_primitives_as_type_array_equals_anyof() -> None:
    old = {"type": ["string", "number"]}
    new = {"anyOf": [{"type": "number"}, {"type": "string"}]}
    assert diff_documents(old, new).changes == []


def test_discriminated_union_members_are_paired_by_tag_not_position() -> None:
    def member(tag: str, extra: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"type": {"type": "string", "const": tag}, **extra},
            "required": ["type"],
            "additionalProperties": False,
        }

    old = {"anyOf": [member("a", {"x": S}), member("b", {"y": {"type": "integer", "maximum": 9}})]}
    new = {"oneOf": [member("b", {"y": {"type": "integer", "maximum": 5}}), member("a", {"x": S})]}
    report = diff_documents(old, new)
    assert rules_of(report) == {"number-maximum-decreased"}
    (change,) = report.changes
    assert change.path == "y"
    assert change.witness is not None
    assert change.witness.payload == {"type": "b", "y": 9}


def test_intersection_is_compared_merged() -> None:
    old = {
        "allOf": [
            {"type": "object", "properties": {"a": S}, "required": ["a"]},
            {"type": "object", "properties": {"b": S}},
        ]
    }
    new = {"type": "object", "properties": {"a": S, "b": S}, "required": ["a"]}
    assert diff_documents(old, new).changes == []


def test_draft7_tuple_and_2020_tuple_differ_only_in_dialect() -> None:
    old = {
        "$schema": DRAFT7,
        "type": "array",
        "items": [S, {"type": "number"}],
        "minItems": 2,
        "maxItems": 2,
    }
    new = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "array",
        "prefixItems": [S, {"type": "number"}],
        "items": False,
        "minItems": 2,
        "maxItems": 2,
    }
    assert rules_of(diff_documents(old, new)) == {"schema-dialect-changed"}


# -- refs and recursion -------------------------------------------------------------------


def test_cross_file_refs_are_followed_and_a_change_there_shows_up() -> None:
    user = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}}
    page = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "User.json"}}},
    }
    narrowed = copy.deepcopy(user)
    narrowed["properties"]["name"]["maxLength"] = 5
    old = schema_set({"User": user, "Page": page})
    new = schema_set({"User": narrowed, "Page": page})
    report = diff_schema_sets(old, new, DiffPolicy())
    by_schema = {(c.schema, c.rule) for c in report.changes}
    assert ("Page", "string-max-length-decreased") in by_schema
    assert ("User", "string-max-length-decreased") in by_schema
    page_change = next(c for c in report.changes if c.schema == "Page")
    assert page_change.path == "items[].name"
    assert page_change.new_pointer == "User.json#/properties/name"
    assert page_change.witness is not None
    assert check_witnesses(report, old, new) == 2


def test_cross_file_ref_with_fragment() -> None:
    shared = {"definitions": {"Id": {"type": "string", "minLength": 1}}}
    thing = {
        "type": "object",
        "properties": {"id": {"$ref": "Shared.json#/definitions/Id"}},
        "required": ["id"],
    }
    longer = copy.deepcopy(shared)
    longer["definitions"]["Id"]["minLength"] = 3
    report = diff_schema_sets(
        schema_set({"Shared": shared, "Thing": thing}),
        schema_set({"Shared": longer, "Thing": thing}),
        DiffPolicy(),
    )
    (change,) = [c for c in report.changes if c.schema == "Thing"]
    assert change.rule == "string-min-length-increased"
    assert change.new_pointer == "/properties/id"
    assert change.witness is not None
    assert change.witness.payload == {"id": "a"}


def test_root_recursion_terminates_and_finds_the_change() -> None:
    def message(max_length: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "text": {"type": "string", "maxLength": max_length},
                "replies": {"type": "array", "items": {"$ref": "#"}},
            },
            "required": ["text", "replies"],
        }

    report = diff_documents(message(100), message(50))
    assert rules_of(report) == {"string-max-length-decreased"}
    assert report.changes[0].path == "text"


def test_mutually_recursive_definitions_terminate() -> None:
    def doc(kind: str) -> dict[str, Any]:
        return {
            "$ref": "#/definitions/A",
            "definitions": {
                "A": {
                    "type": "object",
                    "properties": {"b": {"$ref": "#/definitions/B"}, "k": {"type": kind}},
                },
                "B": {"type": "object", "properties": {"a": {"$ref": "#/definitions/A"}}},
            },
        }

    report = diff_documents(doc("string"), doc("integer"))
    assert rules_of(report) == {"type-changed"}
    assert diff_documents(doc("string"), copy.deepcopy(doc("string"))).changes == []


def test_nesting_to_the_schema_limit_diffs_and_one_more_level_is_refused() -> None:
    def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
        node = leaf
        for _ in range(depth):
            node = {"type": "object", "properties": {"n": node}, "required": ["n"]}
        return node

    depth = MAX_SCHEMA_DEPTH
    report = diff_documents(nested(depth, {"type": "string"}), nested(depth, {"type": "integer"}))
    assert rules_of(report) == {"type-changed"}
    change = report.changes[0]
    assert change.path.count("n") == depth
    assert change.witness is not None
    with pytest.raises(SchemaError, match="nested deeper than"):
        diff_documents(nested(depth, {"type": "string"}), nested(depth + 1, {"type": "string"}))


def test_ref_chain_to_the_schema_limit_diffs_and_a_longer_one_is_refused() -> None:
    def chain(links: int, leaf: str) -> dict[str, Any]:
        definitions = {
            f"D{i}": {"type": "object", "properties": {"next": {"$ref": f"#/definitions/D{i + 1}"}}}
            for i in range(links)
        }
        definitions[f"D{links}"] = {"type": leaf}
        return {"$ref": "#/definitions/D0", "definitions": definitions}

    links = (MAX_SCHEMA_DEPTH - 1) // 2  # the root's ref, then a property and a ref per link
    report = diff_documents(chain(links, "string"), chain(links, "boolean"))
    assert rules_of(report) == {"type-changed"}
    with pytest.raises(SchemaError, match=r"each \$ref counts as one"):
        diff_documents(chain(links, "string"), chain(200, "boolean"))


def test_deep_unions_of_recursive_members_terminate() -> None:
    def tree(extra: str) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "object", "properties": {"leaf": {"type": extra}}, "required": ["leaf"]},
                {
                    "type": "object",
                    "properties": {"left": {"$ref": "#"}, "right": {"$ref": "#"}},
                    "required": ["left", "right"],
                },
            ]
        }

    report = diff_documents(tree("string"), tree("number"))
    assert "type-changed" in rules_of(report)


# -- policies ------------------------------------------------------------------------------


def closed(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def test_adding_an_optional_property_breaks_nobody_under_strip_but_old_readers_under_reject() -> (
    None
):
    old, new = closed({"a": S}, ["a"]), closed({"a": S, "b": S}, ["a"])
    strip = diff_documents(old, new)
    assert breaking(strip) == []
    assert rules_of(strip) == {"optional-property-added"}
    reject = diff_documents(old, new, {"unknown_properties": "reject"})
    (change,) = breaking(reject)
    assert change.rule == "property-added-to-closed-object"
    assert change.breaks_old_readers
    assert not change.breaks_new_readers
    assert change.witness is not None
    assert change.witness.payload == {"a": "", "b": ""}


def test_required_with_default_still_counts_as_breaking_under_reject() -> None:
    # A JSON Schema validator (the reject policy) requires it, default or not.
    old = closed({"a": S, "units": {"type": "string", "default": "metric"}}, ["a"])
    new = closed({"a": S, "units": {"type": "string", "default": "metric"}}, ["a", "units"])
    (change,) = diff_documents(old, new, {"unknown_properties": "reject"}).changes
    assert change.rule == "property-made-required"
    assert "default" in change.message
    assert change.bump is Bump.MAJOR


def test_required_with_default_is_optional_for_stripping_readers() -> None:
    # Zod 4's output view lists a `.default()` field as required; Zod's parse fills it in.
    old = closed({"a": S, "units": {"type": "string", "default": "metric"}}, ["a"])
    new = closed({"a": S, "units": {"type": "string", "default": "metric"}}, ["a", "units"])
    (change,) = diff_documents(old, new).changes
    assert change.rule == "property-made-required"
    assert not change.breaks
    assert "optional for readers under strip" in change.message
    assert change.bump is Bump.MINOR
    # A removed defaulted field breaks no stripping reader of the old schema either.
    (removed,) = diff_documents(new, closed({"a": S}, ["a"])).changes
    assert removed.rule == "required-property-removed"
    assert not removed.breaks
    assert removed.bump is Bump.MINOR


def test_a_witness_is_rejected_for_its_own_change_not_a_sibling() -> None:
    # advice removed, confidence narrowed: the witness of the advice removal must not be
    # a payload the new reader rejects at /confidence (every old payload with confidence
    # 0 would be); the one of the confidence change is rejected there.
    old = closed(
        {"advice": S, "confidence": {"type": "number", "minimum": 0, "maximum": 1}},
        ["advice", "confidence"],
    )
    new = closed({"confidence": {"type": "number", "minimum": 0.5, "maximum": 1}}, ["confidence"])
    report = diff_documents(old, new, {"unknown_properties": "reject"})
    by_rule = {c.rule: c for c in report.changes}
    advice = by_rule["property-removed-from-closed-object"]
    assert advice.witness is not None
    reader = jsonschema.Draft7Validator(new)
    paths = [list(e.absolute_path) for e in reader.iter_errors(advice.witness.payload)]
    assert paths == [[]]  # only the root's additionalProperties, for 'advice'
    confidence = by_rule["number-minimum-increased"]
    assert confidence.witness is not None
    assert ["confidence"] in [
        list(e.absolute_path) for e in reader.iter_errors(confidence.witness.payload)
    ]


@pytest.mark.parametrize(
    ("name", "role", "bump"),
    [
        ("ThingRequest", Role.REQUEST, Bump.MINOR),
        ("ThingQuery", Role.REQUEST, Bump.MINOR),
        ("ThingResponse", Role.RESPONSE, Bump.MAJOR),
        ("ThingResponseV1", Role.RESPONSE, Bump.MAJOR),
        ("ThingEvent", Role.EVENT, Bump.MAJOR),
        ("Thing", Role.MODEL, Bump.MAJOR),
    ],
)
def test_roles_decide_which_direction_is_major(name: str, role: Role, bump: Bump) -> None:
    # enum widened: breaks old readers only
    old = {"type": "string", "enum": ["a"]}
    new = {"type": "string", "enum": ["a", "b"]}
    report = diff_documents(old, new, {"name": name})
    (schema,) = [s for s in report.schemas if s.name == name]
    assert schema.role is role
    assert schema.bump is bump


def test_a_request_narrowing_is_major_and_a_response_narrowing_is_minor() -> None:
    old, new = {"type": "integer", "maximum": 52}, {"type": "integer", "maximum": 26}
    assert diff_documents(old, new, {"name": "SimRequest"}).required_bump is Bump.MAJOR
    assert diff_documents(old, new, {"name": "SimResponse"}).required_bump is Bump.MINOR


def test_custom_roles() -> None:
    policy = DiffPolicy(roles=((Role.RESPONSE, ("Out*",)),))
    assert policy.role_of("OutThing") is Role.RESPONSE
    assert policy.role_of("ThingResponse") is Role.MODEL


@pytest.mark.parametrize(
    ("zero_major", "to_version", "gate"),
    [
        (ZeroMajor.STRICT, "0.4.0", GateStatus.FAIL),
        (ZeroMajor.CARGO, "0.4.0", GateStatus.PASS),
        (ZeroMajor.CARGO, "0.3.1", GateStatus.FAIL),
        (ZeroMajor.STRICT, "1.0.0", GateStatus.PASS),
    ],
)
def test_zero_major(zero_major: ZeroMajor, to_version: str, gate: GateStatus) -> None:
    report = diff_documents(
        {"type": "string"},
        {"type": "integer"},
        {"zero_major": zero_major.value, "from_version": "0.3.0", "to_version": to_version},
    )
    assert report.gate is gate


def test_gate_passes_with_enough_bump_and_fails_closed_on_an_undeclared_major() -> None:
    assert (
        diff_documents(
            S, {"type": "integer"}, {"from_version": "1.2.3", "to_version": "2.0.0"}
        ).gate
        is GateStatus.PASS
    )
    undeclared = diff_documents(S, {"type": "integer"})
    assert undeclared.gate is GateStatus.FAIL
    assert [f.rule for f in undeclared.gate_findings] == ["gate-bump-undeclared"]
    assert diff_documents(S, {"type": "string", "maxLength": 3}).gate is GateStatus.FAIL
    assert diff_documents(S, {"type": "string", "description": "d"}).gate is GateStatus.PASS
    assert (
        diff_documents(S, S, {"from_version": "1.0.0", "to_version": "1.0.0"}).gate
        is GateStatus.PASS
    )


def test_description_only_requires_a_patch() -> None:
    report = diff_documents(
        {"type": "string", "description": "a"}, {"type": "string", "description": "b"}
    )
    assert report.required_bump is Bump.PATCH


@pytest.mark.parametrize(
    ("source", "version"),
    [
        ("fixtures/schemas/zod4/1.2.3", "1.2.3"),
        ("out/contracts-v1.2.3/schemas", "1.2.3"),
        ("git:contracts-v2.0.0:schemas", "2.0.0"),
        ("git:v0.3.1:fixtures/x", "0.3.1"),
        ("ghcr.io/org/contracts-schemas:1.4.0@sha256:" + "a" * 64, "1.4.0"),
        ("contracts-1.0.0-rc.1.tar.gz", "1.0.0-rc.1"),
        ("schemas", None),
        ("git:main:schemas", None),
    ],
)
def test_versions_from_source_text(source: str, version: str | None) -> None:
    assert version_from_source(source) == version


# -- waivers ---------------------------------------------------------------------------------


def test_a_waived_break_does_not_fail_the_gate() -> None:
    options = {"from_version": "1.0.0", "to_version": "1.1.0"}
    failing = diff_documents(S, {"type": "integer"}, options)
    assert failing.gate is GateStatus.FAIL
    fingerprint = failing.changes[0].fingerprint
    waived = diff_documents(
        S,
        {"type": "integer"},
        {**options, "waivers": [{"fingerprint": fingerprint, "reason": "ok"}]},
    )
    assert waived.gate is GateStatus.PASS
    assert waived.changes[0].waived


def test_waiver_by_rule_schema_and_pointer() -> None:
    old = closed({"a": {"type": "string", "maxLength": 9}}, ["a"])
    new = closed({"a": {"type": "string", "maxLength": 3}}, ["a"])
    waiver = {
        "rule": "string-max-length-decreased",
        "schema": "Subject",
        "pointer": "/properties/a",
        "reason": "r",
    }
    report = diff_documents(
        old, new, {"from_version": "1.0.0", "to_version": "1.1.0", "waivers": [waiver]}
    )
    # A waived break still counts as a minor change.
    assert report.gate is GateStatus.PASS
    assert report.required_bump is Bump.MINOR
    other = {**waiver, "pointer": "/properties/b"}
    report = diff_documents(
        old, new, {"from_version": "1.0.0", "to_version": "1.1.0", "waivers": [other]}
    )
    assert report.gate is GateStatus.FAIL


def test_an_expired_waiver_fails_the_gate() -> None:
    waiver = Waiver(
        reason="temporary", rule="type-changed", schema="Subject", expires=date(2025, 1, 1)
    )
    report = diff_schema_sets(
        schema_set({"Subject": S}),
        schema_set({"Subject": {"type": "integer"}}),
        DiffPolicy(
            waivers=(waiver,), today=date(2025, 6, 1), from_version="1.0.0", to_version="2.0.0"
        ),
    )
    assert report.gate is GateStatus.FAIL
    assert [f.rule for f in report.gate_findings] == ["waiver-expired"]
    assert "waiver-expired" not in rules_of(report)  # a gate finding, not a schema change
    assert not report.changes[0].waived


def test_unknown_properties_reject_is_recorded_in_the_report() -> None:
    report = diff_schema_sets(
        schema_set({"A": S}),
        schema_set({"A": S}),
        DiffPolicy(unknown_properties=UnknownProperties.REJECT),
    )
    assert report.to_json()["policy"] == {"unknown_properties": "reject", "zero_major": "strict"}


def test_likely_breaks_can_be_configured_not_to_count() -> None:
    # The condition needs a value no candidate has: the change stays unproven.
    condition = {"properties": {"kind": {"const": "x-7f3a"}}, "required": ["kind"]}
    old = {"type": "object", "if": condition, "then": {"required": ["b"]}}
    new = {"type": "object", "if": condition, "then": {"required": ["c"]}}
    report = diff_schema_sets(schema_set({"S": old}), schema_set({"S": new}), DiffPolicy())
    likely = [c for c in report.changes if c.certainty.value == "likely"]
    assert likely
    assert report.required_bump is Bump.MAJOR
    lenient = diff_schema_sets(
        schema_set({"S": old}), schema_set({"S": new}), DiffPolicy(likely_breaks=False)
    )
    assert lenient.required_bump is Bump.MINOR


def test_a_shared_definition_reached_with_other_directions_is_reported_once() -> None:
    # Item 0 is compared for both directions, item 1 only for old readers (the old writer
    # has at most one item): the walker visits the shared X twice, the change is one.
    def tuple_of(max_length: int, max_items: int) -> dict[str, Any]:
        item = {
            "type": "object",
            "properties": {"p": {"type": "string", "maxLength": max_length}},
            "required": ["p"],
            "additionalProperties": False,
        }
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {"X": item},
            "type": "array",
            "prefixItems": [{"$ref": "#/$defs/X"}, {"$ref": "#/$defs/X"}],
            "items": False,
            "maxItems": max_items,
        }

    report = diff_documents(tuple_of(3, 1), tuple_of(5, 2))
    widened = [c for c in report.changes if c.rule == "string-max-length-increased"]
    assert [(c.path, c.old_pointer, c.breaks_old_readers) for c in widened] == [
        ("[0].p", "/$defs/X/properties/p", True)
    ]
    assert {c.rule for c in report.changes} == {
        "array-max-items-increased",
        "string-max-length-increased",
    }


def test_a_removed_schema_breaks_new_readers_only_in_its_summary_too() -> None:
    from tc_contracts_py.diff.model import Direction, SchemaStatus

    old = schema_set({"Kept": {"type": "string"}, "Gone": {"type": "integer"}})
    new = schema_set({"Kept": {"type": "string"}})
    report = diff_schema_sets(old, new)
    [gone] = [s for s in report.schemas if s.name == "Gone"]
    assert gone.status is SchemaStatus.REMOVED
    assert gone.bump is Bump.MAJOR
    # No payload of NEW exists for an old reader to choke on; new readers lose a schema.
    assert Direction.NEW_READERS in gone.breaks
    assert Direction.OLD_READERS not in gone.breaks
