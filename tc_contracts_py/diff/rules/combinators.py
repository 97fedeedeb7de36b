"""Combinator rules: not, keywords compared as text, oneOf exclusivity, union members.

``variant-*`` rules are called by the walker for a union member left without a partner;
``schema-too-complex`` is emitted by the walker when a combination is too large to expand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import combinations
from typing import Any

from tc_contracts_py.diff.generate import MISSING
from tc_contracts_py.diff.model import BOTH, Direction
from tc_contracts_py.diff.nodes import Node, Simple, canonical
from tc_contracts_py.diff.rules.registry import (
    NR,
    OR,
    CandidateSource,
    Family,
    Finding,
    InstanceMaker,
    Level,
    NodePair,
    Oracle,
    Pair,
    VariantContext,
    listed,
    narrowing,
    rule,
)

VARIANT_REMOVED = "variant-removed"
VARIANT_ADDED = "variant-added"


@narrowing(
    family=Family.COMBINATOR,
    applies_to=None,
    narrowed=("not-schema-extended", "a 'not' now excludes values the old schema allowed"),
    widened=("not-schema-narrowed", "a 'not' excludes fewer values than before"),
)
def _not(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    for excluded in r.nots:
        excluded_node = pair.oracle.node(excluded)
        if not excluded_node.too_complex and not any(
            v.type == w.type for v in excluded_node.variants
        ):
            continue  # the reader's 'not' never meets a value of this type
        # not(W) ⊆ not(R) iff R ⊆ W: every value the reader excludes the writer excludes too.
        if any(pair.oracle.includes(excluded, mine, d) for mine in w.nots):
            continue
        verb = "extended" if d is NR else "narrowed"
        yield Finding(f"'not' {verb}", subject=canonical([p.pointer for p in excluded]))


@rule(
    id="keyword-changed",
    family=Family.COMBINATOR,
    breaks=BOTH,
    description="a keyword this tool does not model (if/then/else, contains, …) changed",
    level=Level.SIMPLE,
)
def _opaque(pair: Pair) -> Iterator[Finding]:
    for keyword in sorted(pair.old.opaque.keys() | pair.new.opaque.keys()):
        if pair.old.opaque.get(keyword) != pair.new.opaque.get(keyword):
            # if/then/else act together: the keys any of them names, on either side
            mentioned = sorted(
                _mentioned_keys([*pair.old.opaque.values(), *pair.new.opaque.values()])
            )
            yield Finding(
                f"{keyword!r} changed (compared as text; a witness is searched for)",
                subject=keyword,
                writer={NR: pair.old, OR: pair.new},
                candidates={
                    NR: _objects_with_keys(pair.old, mentioned),
                    OR: _objects_with_keys(pair.new, mentioned),
                },
            )


def _mentioned_keys(value: list[Any]) -> set[str]:
    """Property names a keyword's sub-schemas speak of (``required``, ``properties``)."""
    found: set[str] = set()
    stack: list[Any] = []
    for text in value:  # a keyword's value, kept as canonical JSON text
        try:
            stack.append(json.loads(text) if isinstance(text, str) else text)
        except ValueError:
            continue
    while stack and len(found) < 16:
        item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if key == "required" and isinstance(sub, list):
                    found.update(k for k in sub if isinstance(k, str))
                elif key in ("properties", "dependentRequired") and isinstance(sub, dict):
                    found.update(sub)
                stack.append(sub)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _objects_with_keys(writer: Simple, keys: list[str]) -> CandidateSource:
    """The writer's minimal object with each small set of ``keys`` present (an if/then on
    properties is decided by which of them a payload has)."""

    def candidates(maker: InstanceMaker) -> Iterator[Any]:
        if writer.type != "object":
            return
        base = maker.minimal_simple(writer)
        if not isinstance(base, dict):
            return
        values = {}
        for key in keys:
            schema, _ = writer.schema_for_key(key)
            value = maker.minimal(schema)
            values[key] = 0 if value is MISSING else value
        for size in range(1, min(3, len(keys)) + 1):
            for chosen in combinations(keys, size):
                yield {**base, **{key: values[key] for key in chosen}}

    return candidates


def _fixed_values(simple: Simple, key: str, oracle: Oracle) -> set[str] | None:
    """The canonical values property ``key`` of an object slice is limited to, if finite."""
    children = simple.properties.get(key)
    if not children:
        return None
    values: set[str] = set()
    for variant in oracle.node(children).variants:
        if variant.enum is None:
            return None
        values |= {canonical(value) for value in variant.enum}
    return values


def _surely_disjoint(a: Simple, b: Simple, oracle: Oracle) -> bool:
    """No value matches both: other JSON types, disjoint enums, or a required tag whose
    allowed values differ (how a discriminated union keeps its members apart)."""
    if a.type != b.type:
        return True
    if a.enum is not None and b.enum is not None:
        return not {canonical(v) for v in a.enum} & {canonical(v) for v in b.enum}
    if a.type == "object":
        for key in sorted(a.required & b.required):
            mine, theirs = _fixed_values(a, key, oracle), _fixed_values(b, key, oracle)
            if mine is not None and theirs is not None and not mine & theirs:
                return True
    return False


def _overlapping_pairs(node: Node, oracle: Oracle) -> int:
    if node.combinator != "oneOf":
        return 0  # without oneOf, a value may match several members
    variants = node.variants
    return sum(
        1
        for index, first in enumerate(variants)
        for second in variants[index + 1 :]
        if not _surely_disjoint(first, second, oracle)
    )


@rule(
    id="oneof-members-overlap",
    family=Family.COMBINATOR,
    breaks=BOTH,
    description="oneOf members the other side kept apart (by type, enum or tag) can now both match",
    level=Level.NODE,
)
def _oneof_overlap(pair: NodePair) -> Iterator[Finding]:
    for direction in (NR, OR):
        writer, reader = (pair.old, pair.new) if direction is NR else (pair.new, pair.old)
        if reader.combinator != "oneOf":
            continue
        added = _overlapping_pairs(reader, pair.oracle) - _overlapping_pairs(writer, pair.oracle)
        if added <= 0:
            continue
        side = "new" if direction is NR else "old"
        yield Finding(
            f"oneOf members of the {side} schema can overlap ({added} more pair(s) not kept "
            "apart by type, enum or tag): a value matching two of them is rejected",
            subject=direction.value,
            breaks=frozenset({direction}),
            candidates={direction: _minimal_members(writer.variants)},
        )


def _minimal_members(members: tuple[Simple, ...]) -> CandidateSource:
    return lambda maker: [maker.minimal_simple(member) for member in members]


def _variant_check(direction: Direction) -> Callable[[VariantContext], Iterator[Finding]]:
    def check(context: VariantContext) -> Iterator[Finding]:
        if context.covered:
            return
        writer = context.writer
        verb = "removed" if direction is NR else "added"
        label = _variant_label(writer)
        yield Finding(
            f"union member {label} {verb}",
            subject=label,
            candidates={direction: lambda maker: [maker.minimal_simple(writer)]},
            writer={direction: writer},
        )

    return check


def _variant_label(simple: Simple) -> str:
    if simple.type == "object":
        for key in simple.properties:
            from_enum = _tag_value(simple, key)
            if from_enum is not None:
                return f"{key}={canonical(from_enum)}"
        return "{" + ",".join(list(simple.properties)[:4]) + "}"
    return simple.describe()


def _tag_value(simple: Simple, key: str) -> Any:
    for piece in simple.properties.get(key, ()):
        schema = piece.schema
        if isinstance(schema, dict):
            if "const" in schema:
                return schema["const"]
            enum = schema.get("enum")
            if isinstance(enum, list) and len(enum) == 1:
                return enum[0]
    return None


rule(
    id=VARIANT_REMOVED,
    family=Family.COMBINATOR,
    breaks=frozenset({NR}),
    description="an anyOf/oneOf member (matched by its tag, else by shape) was removed",
    level=Level.VARIANT,
)(_variant_check(NR))
rule(
    id=VARIANT_ADDED,
    family=Family.COMBINATOR,
    breaks=frozenset({OR}),
    description="an anyOf/oneOf member (matched by its tag, else by shape) was added",
    level=Level.VARIANT,
)(_variant_check(OR))

SCHEMA_TOO_COMPLEX = listed(
    id="schema-too-complex",
    family=Family.COMBINATOR,
    breaks=BOTH,
    description="a combination of anyOf/oneOf/allOf too large to expand changed (compared as text)",
)
