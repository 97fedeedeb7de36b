"""Object rules: required and optional properties, open and closed objects, undeclared
properties, property counts and dependencies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tc_contracts_py.diff.generate import fresh_key
from tc_contracts_py.diff.model import NONE, Direction
from tc_contracts_py.diff.nodes import ANY, Children, KeySource, Simple, is_any, is_forbidden
from tc_contracts_py.diff.regexgen import string_matching
from tc_contracts_py.diff.rules.bounds import count_bound
from tc_contracts_py.diff.rules.registry import (
    NR,
    OR,
    CandidateSource,
    Family,
    Finding,
    InstanceMaker,
    Level,
    Oriented,
    Pair,
    narrowing,
    oriented,
    rule,
)
from tc_contracts_py.diff.rules.support import (
    NO_VALUE,
    WILD_VALUES,
    default_of,
    object_with,
    object_without,
    show,
    with_key,
)


def reader_view(simple: Simple, key: str, strip: bool) -> tuple[Children, KeySource]:
    return simple.schema_for_key(key, strip=strip)


def _required(declared: bool, text: str) -> Oriented:
    """Keys the reader requires and the writer does not, declared by the writer or not."""

    def check(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
        for key in sorted(r.required - w.required):
            if (key in w.properties) != declared:
                continue
            default = default_of(r.properties.get(key, ANY))
            if default is not NO_VALUE and pair.strip:
                # Zod 4's output view lists a `.default()` field as required; Zod's parse
                # fills it in when it is missing, so for a reader it is optional.
                yield Finding(
                    text.format(key=key)
                    + f" (optional for readers under strip: it has default {show(default)})",
                    subject=key,
                    key=key,
                    breaks=NONE,
                )
                continue
            note = (
                f" (it has default {show(default)}, but validation still requires it)"
                if default is not NO_VALUE
                else ""
            )
            yield Finding(
                text.format(key=key) + note,
                subject=key,
                key=key,
                candidates={d: object_without(w, key)},
            )

    return check


def _required_rule(rule_id: str, direction: Direction, description: str, check: Oriented) -> None:
    rule(
        id=rule_id,
        family=Family.OBJECT,
        breaks=frozenset({direction}),
        description=description,
        level=Level.SIMPLE,
        applies_to="object",
    )(oriented(check, direction))


_required_rule(
    "required-property-added",
    NR,
    "a new property is required: payloads without it are rejected",
    _required(False, "required property {key!r} added"),
)
_required_rule(
    "property-made-required",
    NR,
    "an optional property became required (a default does not help)",
    _required(True, "property {key!r} made required"),
)
_required_rule(
    "required-property-removed",
    OR,
    "a required property was removed: payloads lack it",
    _required(False, "required property {key!r} removed"),
)
_required_rule(
    "property-made-optional",
    OR,
    "a required property became optional: payloads may lack it",
    _required(True, "property {key!r} made optional"),
)


def _declared_only_in_reader(w: Simple, r: Simple) -> list[str]:
    return [k for k in r.properties if k not in w.properties]


@narrowing(
    family=Family.OBJECT,
    applies_to="object",
    narrowed=(
        "property-added-to-open-object",
        "a property is declared where any value was allowed: old payloads may carry it with another value",
    ),
    widened=(
        "property-removed-from-open-object",
        "a declared property was removed from an open object: new payloads may carry any value",
    ),
)
def _open_object(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    for key in _declared_only_in_reader(w, r):
        writer_schema, source = w.schema_for_key(key)
        if source is not KeySource.OPEN or is_any(r.properties[key]):
            continue
        verb = "added to" if d is NR else "removed from"
        yield Finding(
            f"property {key!r} {verb} an open object",
            subject=key,
            key=key,
            candidates={d: object_with(w, key, None)},
        )
        del writer_schema


@narrowing(
    family=Family.OBJECT,
    applies_to="object",
    narrowed=(
        "property-removed-from-closed-object",
        "a property was removed from a closed object (reject policy): old payloads carry it",
    ),
    widened=(
        "property-added-to-closed-object",
        "a property was added to a closed object (reject policy): old readers reject it",
    ),
)
def _closed_object(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    for key in w.properties:
        if key in r.properties or is_forbidden(w.properties[key]):
            continue
        reader_schema, source = reader_view(r, key, pair.strip)
        if source is KeySource.OPEN or not is_forbidden(reader_schema):
            continue
        verb = "removed from" if d is NR else "added to"
        yield Finding(
            f"property {key!r} {verb} a closed object",
            subject=key,
            key=key,
            candidates={d: object_with(w, key, w.properties[key], wild=False)},
        )


def _optional_change(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    """Non-breaking: a property only one side declares, optional, with no breaking effect."""
    for key in _declared_only_in_reader(w, r):
        if key in r.required:
            continue
        writer_schema, source = w.schema_for_key(key)
        if source is KeySource.OPEN and not is_any(r.properties[key]):
            continue
        if source is not KeySource.OPEN and not pair.strip and is_forbidden(writer_schema):
            # under reject this is property-added-to-closed-object in the other direction
            continue
        yield Finding(
            f"optional property {key!r} {'added' if d is NR else 'removed'}",
            subject=key,
            key=key,
            breaks=NONE,
        )


def sample_keys(w: Simple, r: Simple) -> list[tuple[str, str]]:
    """Undeclared keys to compare: one per pattern of either side, and one fresh key."""
    keys: list[tuple[str, str]] = []
    declared = set(w.properties) | set(r.properties)
    for pattern in dict.fromkeys([*w.pattern_keys(), *r.pattern_keys()]):
        key = string_matching(pattern)
        if key is not None and key not in declared:
            keys.append((key, f"keys matching {pattern!r}"))
    fresh = fresh_key(None, declared)
    for simple in (w, r):
        fresh = fresh_key(simple, declared | {fresh}) if simple.pattern_keys() else fresh
    keys.append((fresh, "additional properties"))
    return keys


@narrowing(
    family=Family.OBJECT,
    applies_to="object",
    narrowed=(
        "additional-properties-closed",
        "undeclared properties the old schema allowed are rejected (reject policy)",
    ),
    widened=(
        "additional-properties-opened",
        "undeclared properties the old schema rejected are allowed (reject policy)",
    ),
)
def _additional_closed(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    for key, label in sample_keys(w, r):
        writer_schema, _ = w.schema_for_key(key)
        reader_schema, source = reader_view(r, key, pair.strip)
        if is_forbidden(writer_schema) or source is KeySource.OPEN:
            continue
        if not is_forbidden(reader_schema):
            continue
        verb = "no longer" if d is NR else "now"
        yield Finding(
            f"{label} {verb} allowed",
            subject=key,
            key=key,
            candidates={d: object_with(w, key, writer_schema)},
        )


@narrowing(
    family=Family.OBJECT,
    applies_to="object",
    narrowed=(
        "additional-properties-restricted",
        "undeclared properties that could be anything now need a schema",
    ),
    widened=(
        "additional-properties-unrestricted",
        "undeclared properties that needed a schema can now be anything",
    ),
)
def _additional_restricted(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    for key, label in sample_keys(w, r):
        writer_schema, writer_source = w.schema_for_key(key)
        reader_schema, source = reader_view(r, key, pair.strip)
        if writer_source is not KeySource.OPEN or source is KeySource.OPEN:
            continue
        if is_any(reader_schema) or is_forbidden(reader_schema):
            continue
        verb = "added" if d is NR else "removed"
        yield Finding(
            f"schema for {label} {verb}",
            subject=key,
            key=key,
            candidates={d: object_with(w, key, None)},
        )
        del writer_schema


@narrowing(
    family=Family.OBJECT,
    applies_to="object",
    narrowed=("dependency-added", "a property now depends on other properties or on a schema"),
    widened=(
        "dependency-removed",
        "a property no longer depends on other properties or on a schema",
    ),
)
def _dependencies(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    for trigger, needed in sorted(r.dependent_required.items()):
        missing = needed - w.dependent_required.get(trigger, frozenset()) - w.required
        if trigger in w.required and not missing:
            continue
        if not missing:
            continue
        verb = "added" if d is NR else "removed"

        def candidates(maker: InstanceMaker, t: str = trigger) -> Iterable[Any]:
            base = maker.minimal_simple(w)
            if not isinstance(base, dict):
                return []
            trigger_schema, _ = w.schema_for_key(t)
            return [
                with_key(base, t, maker.minimal(trigger_schema)),
                *[with_key(base, t, v) for v in WILD_VALUES],
            ]

        yield Finding(
            f"dependency {trigger!r} -> {sorted(missing)} {verb}",
            subject=trigger,
            candidates={d: candidates},
        )
    for trigger, schema in sorted(r.dependent_schemas.items()):
        writer_schema = w.dependent_schemas.get(trigger)
        if writer_schema is not None and pair.oracle.includes(writer_schema, schema, d):
            continue
        if writer_schema is None and is_any(schema):
            continue
        verb = "added" if d is NR else "removed"

        def schema_candidates(maker: InstanceMaker, t: str = trigger) -> Iterable[Any]:
            base = maker.minimal_simple(w)
            trigger_schema, _ = w.schema_for_key(t)
            return [with_key(base, t, maker.minimal(trigger_schema))]

        yield Finding(
            f"schema dependency of {trigger!r} {verb} or changed",
            subject=f"schema:{trigger}",
            candidates={d: schema_candidates},
        )


# -- any type: not, unknown keywords ----------------------------------------------------


def _optional_added(pair: Pair) -> Iterator[Finding]:
    return _optional_change(pair.old, pair.new, pair, NR)


def _optional_removed(pair: Pair) -> Iterator[Finding]:
    return _optional_change(pair.new, pair.old, pair, OR)


rule(
    id="optional-property-added",
    family=Family.OBJECT,
    breaks=NONE,
    description="an optional property was added (breaks nobody under strip or on an open object)",
    level=Level.SIMPLE,
    applies_to="object",
)(_optional_added)
rule(
    id="optional-property-removed",
    family=Family.OBJECT,
    breaks=NONE,
    description="an optional property was removed (breaks nobody under strip or on an open object)",
    level=Level.SIMPLE,
    applies_to="object",
)(_optional_removed)


def _filled_to(w: Simple, limit: int) -> CandidateSource:
    """The writer's minimal object grown to ``limit`` keys, declared ones first."""

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        base = maker.minimal_simple(w)
        if not isinstance(base, dict):
            return []
        filled = dict(base)
        for key in w.properties:
            if len(filled) >= limit:
                break
            if key not in filled:
                filled[key] = maker.minimal(w.properties[key])
        index = 0
        while len(filled) < limit and index < limit + 5:
            filled.setdefault(f"extra{index}", 0)
            index += 1
        return [filled]

    return candidates


count_bound(
    family=Family.OBJECT,
    keyword="minProperties",
    attribute="min_properties",
    lower=True,
    narrowed=(
        "object-min-properties-increased",
        "minProperties raised: smaller objects are rejected",
    ),
    widened=(
        "object-min-properties-decreased",
        "minProperties lowered: smaller objects are accepted",
    ),
    witnesses=lambda w, _bound: lambda maker: [maker.minimal_simple(w)],
)
count_bound(
    family=Family.OBJECT,
    keyword="maxProperties",
    attribute="max_properties",
    lower=False,
    narrowed=("object-max-properties-decreased", "maxProperties lowered or added"),
    widened=("object-max-properties-increased", "maxProperties raised or removed"),
    witnesses=lambda w, bound: _filled_to(w, bound + 1),
)
