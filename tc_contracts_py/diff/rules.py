"""The breaking-change rules: small pure functions over one pair of canonical nodes.

Each rule has a stable kebab-case id, a family, the directions its change breaks
(``new-readers``: a payload valid under OLD is rejected by NEW; ``old-readers``: the
reverse) and a one-line description. Most rules come in pairs written once as a
"reader is narrower than writer" check and registered in both orientations: the
narrowing of NEW breaks new readers, the narrowing of OLD (a widening) breaks old ones.

Rules never walk: the walker (``walker.py``) pairs old and new nodes, resolves refs
and calls the rules of the pair's level. A rule returns ``Finding``s carrying witness
candidates (values or functions of a generator) for the engine to verify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from tc_contracts_py.diff.model import BOTH, NONE, Direction, Severity
from tc_contracts_py.diff.nodes import (
    ANY,
    Bound,
    Children,
    KeySource,
    Node,
    Simple,
    canonical,
    compile_pattern,
    is_any,
    is_forbidden,
    is_integral,
    json_type,
)

NR = Direction.NEW_READERS
OR = Direction.OLD_READERS
WILD_VALUES: tuple[Any, ...] = ("x", 0, 1.5, True, None, [], {})


class Oracle(Protocol):
    """What a rule may ask beyond its pair: inclusion of two sub-schemas (no side effects)."""

    def includes(self, writer: Children, reader: Children, direction: Direction) -> bool: ...

    def node(self, children: Children) -> Node: ...


class InstanceMaker(Protocol):
    def minimal(self, children: Children) -> Any: ...

    def minimal_simple(self, simple: Simple) -> Any: ...

    def array_of_length(self, simple: Simple, length: int) -> Any: ...


CandidateSource = Callable[[InstanceMaker], Iterable[Any]]


@dataclass
class Finding:
    message: str
    subject: str = ""  # tells apart several findings of one rule at one place
    breaks: frozenset[Direction] | None = None  # None: the rule's own directions
    candidates: dict[Direction, CandidateSource] = field(default_factory=dict)
    writer: dict[Direction, Simple] = field(default_factory=dict)


@dataclass
class Pair:
    """Two simple slices of the same JSON type, one per side."""

    old: Simple
    new: Simple
    strip: bool
    oracle: Oracle

    def oriented(self, direction: Direction) -> tuple[Simple, Simple]:
        return (self.old, self.new) if direction is NR else (self.new, self.old)


@dataclass
class NodePair:
    old: Node
    new: Node
    strip: bool
    oracle: Oracle


@dataclass
class VariantContext:
    """An unmatched union member of the writer and the reader's members of its type."""

    writer: Simple
    readers: list[Simple]
    covered: bool


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    breaks: frozenset[Direction]
    description: str
    level: str  # "node", "simple", "variant", "schema", "gate"
    applies_to: str | None = None  # the JSON type of a simple rule, None for all
    severity: Severity = Severity.SEMANTIC
    check: Callable[[Any], Iterable[Finding]] | None = None

    @property
    def breaks_label(self) -> str:
        if self.breaks == BOTH:
            return "both"
        if not self.breaks:
            return "none"
        return next(iter(self.breaks)).value

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "family": self.family,
            "breaks": sorted(d.value for d in self.breaks),
            "severity": self.severity.value,
            "description": self.description,
        }


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.id in RULES:
        raise ValueError(f"duplicate rule id {rule.id}")
    RULES[rule.id] = rule
    return rule


def rules_for(level: str, type_name: str | None = None) -> list[Rule]:
    return [
        r
        for r in RULES.values()
        if r.level == level and r.check is not None and r.applies_to in (None, type_name)
    ]


Oriented = Callable[[Simple, Simple, Pair, Direction], Iterable[Finding]]


def oriented_rule(
    rule_id: str, family: str, direction: Direction, description: str, *, type_name: str | None
) -> Callable[[Oriented], Oriented]:
    """Register ``fn(writer, reader, pair, direction)`` as the rule for one direction."""

    def decorate(fn: Oriented) -> Oriented:
        def check(pair: Pair) -> Iterable[Finding]:
            writer, reader = pair.oriented(direction)
            for finding in fn(writer, reader, pair, direction):
                finding.writer.setdefault(direction, writer)
                yield finding

        register(
            Rule(
                rule_id,
                family,
                frozenset({direction}),
                description,
                "simple",
                type_name,
                check=check,
            )
        )
        return fn

    return decorate


def narrowing(
    family: str,
    type_name: str | None,
    narrowed: tuple[str, str],
    widened: tuple[str, str],
) -> Callable[[Oriented], Oriented]:
    """Register a "reader narrower than writer" check as two rules, one per direction.

    ``narrowed``/``widened`` are ``(id, description)``: NEW narrower breaks new readers,
    OLD narrower (a widening) breaks old readers.
    """

    def decorate(fn: Oriented) -> Oriented:
        oriented_rule(narrowed[0], family, NR, narrowed[1], type_name=type_name)(fn)
        oriented_rule(widened[0], family, OR, widened[1], type_name=type_name)(fn)
        return fn

    return decorate


def _values(*values: Any) -> CandidateSource:
    return lambda _maker: values


def _old_new(direction: Direction, writer_value: Any, reader_value: Any) -> tuple[Any, Any]:
    return (writer_value, reader_value) if direction is NR else (reader_value, writer_value)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    return canonical(value)


def _bound_text(bound: Bound | None, lower: bool) -> str:
    if bound is None:
        return "none"
    sign = (">" if bound[1] else ">=") if lower else ("<" if bound[1] else "<=")
    return f"{sign} {_show(bound[0])}"


def _changed(direction: Direction, what: str, writer_value: str, reader_value: str) -> str:
    old, new = _old_new(direction, writer_value, reader_value)
    return f"{what} changed from {old} to {new}"


def _array_of(w: Simple, length: int) -> CandidateSource:
    return lambda maker: [maker.array_of_length(w, length)]


def _object_without(w: Simple, key: str) -> CandidateSource:
    return lambda maker: [_without_key(maker.minimal_simple(w), key)]


def _object_with(
    w: Simple, key: str, schema: Children | None, *, wild: bool = True
) -> CandidateSource:
    """The writer's minimal object with ``key`` set to a value of ``schema``, then wild values."""

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        base = maker.minimal_simple(w)
        values: list[Any] = [maker.minimal(schema)] if schema is not None else []
        values.extend(WILD_VALUES if wild else ())
        return [_with_key(base, key, v) for v in values]

    return candidates


# -- string ---------------------------------------------------------------------------


def _plain(simple: Simple) -> bool:
    return simple.enum is None


@narrowing(
    "string",
    "string",
    ("string-max-length-decreased", "maxLength lowered or added: longer strings are rejected"),
    ("string-max-length-increased", "maxLength raised or removed: longer strings are accepted"),
)
def _max_length(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.max_length is None:
        return
    if w.max_length is not None and w.max_length <= r.max_length:
        return
    limit = r.max_length + 1
    yield Finding(
        _changed(d, "maxLength", _show(w.max_length), _show(r.max_length)),
        candidates={d: _values("a" * limit, "a" * (w.max_length or limit))},
    )


@narrowing(
    "string",
    "string",
    ("string-min-length-increased", "minLength raised or added: shorter strings are rejected"),
    ("string-min-length-decreased", "minLength lowered or removed: shorter strings are accepted"),
)
def _min_length(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.min_length <= w.min_length:
        return
    yield Finding(
        _changed(d, "minLength", _show(w.min_length), _show(r.min_length)),
        candidates={d: _values("a" * w.min_length, "a" * (r.min_length - 1))},
    )


@narrowing(
    "string",
    "string",
    ("string-pattern-added", "a pattern is required that was not (added or replaced)"),
    ("string-pattern-removed", "a pattern is no longer required (removed or replaced)"),
)
def _pattern(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)):
        return
    for pattern in r.patterns:
        if pattern in w.patterns:
            continue
        verb = "added" if d is NR else "removed"
        yield Finding(
            f"pattern {pattern!r} {verb}",
            subject=pattern,
            candidates={d: _values("", "a", "0", "-", " ", "A" * 10)},
        )


@narrowing(
    "string",
    "string",
    ("string-format-added", "a format is required that was not (added or replaced)"),
    ("string-format-removed", "a format is no longer required (removed or replaced)"),
)
def _format(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)):
        return
    for fmt in r.formats:
        if fmt in w.formats:
            continue
        verb = "added" if d is NR else "removed"
        yield Finding(
            f"format {fmt!r} {verb}",
            subject=fmt,
            candidates={d: _values("not a valid value", "a", "")},
        )


# -- number ---------------------------------------------------------------------------


@narrowing(
    "number",
    "number",
    ("number-narrowed-to-integer", "number became integer: fractional values are rejected"),
    ("integer-widened-to-number", "integer became number: fractional values are accepted"),
)
def _integer(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if w.integer or not r.integer or not (_plain(w) and _plain(r)):
        return
    low = w.lower[0] if w.lower else 0
    old, new = _old_new(d, "number", "integer")
    yield Finding(
        f"type changed from {old} to {new}",
        candidates={d: _values(0.5, low + 0.5, low + 0.25, 1.5)},
    )


@narrowing(
    "number",
    "number",
    ("number-minimum-increased", "lower bound raised, added or made exclusive"),
    ("number-minimum-decreased", "lower bound lowered, removed or made inclusive"),
)
def _minimum(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.lower is None:
        return
    if w.lower is not None and (
        w.lower[0] > r.lower[0] or (w.lower[0] == r.lower[0] and (w.lower[1] or not r.lower[1]))
    ):
        return
    edge = r.lower[0]
    candidates: list[Any] = [edge, edge - 1, edge - 0.5]
    if w.lower is not None and not w.lower[1]:
        candidates.insert(0, w.lower[0])
    yield Finding(
        _changed(d, "lower bound", _bound_text(w.lower, True), _bound_text(r.lower, True)),
        candidates={d: _values(*candidates)},
    )


@narrowing(
    "number",
    "number",
    ("number-maximum-decreased", "upper bound lowered, added or made exclusive"),
    ("number-maximum-increased", "upper bound raised, removed or made inclusive"),
)
def _maximum(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.upper is None:
        return
    if w.upper is not None and (
        w.upper[0] < r.upper[0] or (w.upper[0] == r.upper[0] and (w.upper[1] or not r.upper[1]))
    ):
        return
    edge = r.upper[0]
    candidates: list[Any] = [edge, edge + 1, edge + 0.5]
    if w.upper is not None and not w.upper[1]:
        candidates.insert(0, w.upper[0])
    yield Finding(
        _changed(d, "upper bound", _bound_text(w.upper, False), _bound_text(r.upper, False)),
        candidates={d: _values(*candidates)},
    )


def _is_multiple(value: float, divisor: float) -> bool:
    quotient = value / divisor
    return abs(quotient - round(quotient)) < 1e-9


@narrowing(
    "number",
    "number",
    ("number-multiple-of-narrowed", "multipleOf added or changed to one the old values miss"),
    ("number-multiple-of-widened", "multipleOf removed or changed to a finer one"),
)
def _multiple_of(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)):
        return
    for divisor in r.multiple_of:
        if any(_is_multiple(m, divisor) for m in w.multiple_of):
            continue
        if w.integer and divisor <= 1 and is_integral(1 / divisor):
            continue
        candidates = [*w.multiple_of, 1, 0.5, 0.1, divisor / 2, divisor * 1.5]
        yield Finding(
            _changed(d, "multipleOf", _show(list(w.multiple_of) or None), _show(divisor)),
            subject=canonical(divisor),
            candidates={d: _values(*candidates)},
        )


# -- enum -----------------------------------------------------------------------------


def simple_accepts(simple: Simple, value: Any) -> bool | None:
    """Whether a primitive value passes a slice's own keywords; None when it cannot tell."""
    if json_type(value) != simple.type:
        return False
    if simple.enum is not None and canonical(value) not in {canonical(v) for v in simple.enum}:
        return False
    if simple.nots or simple.opaque:
        return None
    if simple.type == "string":
        if len(value) < simple.min_length:
            return False
        if simple.max_length is not None and len(value) > simple.max_length:
            return False
        for pattern in simple.patterns:
            compiled = compile_pattern(pattern)
            if compiled is None:
                return None
            if not compiled.search(value):
                return False
        return None if simple.formats else True
    if simple.type == "number":
        if simple.integer and not is_integral(value):
            return False
        if simple.lower and (
            value < simple.lower[0] or (value == simple.lower[0] and simple.lower[1])
        ):
            return False
        if simple.upper and (
            value > simple.upper[0] or (value == simple.upper[0] and simple.upper[1])
        ):
            return False
        return all(_is_multiple(value, m) for m in simple.multiple_of)
    if simple.type in ("null", "boolean"):
        return True
    return None


@narrowing(
    "enum",
    None,
    ("enum-value-removed", "a value the old schema allowed (enum or const) is no longer allowed"),
    ("enum-value-added", "a value the old schema did not allow (enum or const) is now allowed"),
)
def _enum_values(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if w.enum is None:
        return
    lost = [v for v in w.enum if simple_accepts(r, v) is not True]
    if not lost:
        return
    verb = "no longer allowed" if d is NR else "now allowed"
    yield Finding(
        f"{_show(lost[0]) if len(lost) == 1 else _show(lost)} {verb}",
        candidates={d: _values(*lost)},
    )


@narrowing(
    "enum",
    None,
    ("enum-added", "an enum or const now restricts a value that was free"),
    ("enum-removed", "an enum or const that restricted a value was removed"),
)
def _enum_introduced(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if w.enum is not None or r.enum is None or w.type in ("null",):
        return
    if w.type == "boolean" and {canonical(v) for v in r.enum} >= {"true", "false"}:
        return
    verb = "added" if d is NR else "removed"
    allowed = r.enum

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        return [v for v in (*WILD_VALUES, "other", -1, 12345) if v not in allowed]

    yield Finding(f"enum {_show(list(allowed))} {verb}", candidates={d: candidates})


# -- array ----------------------------------------------------------------------------


@narrowing(
    "array",
    "array",
    ("array-min-items-increased", "minItems raised: shorter arrays are rejected"),
    ("array-min-items-decreased", "minItems lowered: shorter arrays are accepted"),
)
def _min_items(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.min_items <= w.min_items:
        return
    length = w.min_items
    yield Finding(
        _changed(d, "minItems", _show(w.min_items), _show(r.min_items)),
        candidates={d: lambda maker: [maker.array_of_length(w, length)]},
    )


@narrowing(
    "array",
    "array",
    ("array-max-items-decreased", "maxItems lowered or added: longer arrays are rejected"),
    ("array-max-items-increased", "maxItems raised or removed: longer arrays are accepted"),
)
def _max_items(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.max_items is None:
        return
    if w.max_items is not None and w.max_items <= r.max_items:
        return
    length = r.max_items + 1
    yield Finding(
        _changed(d, "maxItems", _show(w.max_items), _show(r.max_items)),
        candidates={d: lambda maker: [maker.array_of_length(w, length)]},
    )


@narrowing(
    "array",
    "array",
    ("array-unique-items-added", "uniqueItems added: arrays with duplicates are rejected"),
    ("array-unique-items-removed", "uniqueItems removed: arrays with duplicates are accepted"),
)
def _unique(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or not r.unique or w.unique:
        return

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        base = maker.array_of_length(w, max(2, w.min_items))
        if isinstance(base, list) and len(base) >= 2:
            return [[base[0], base[0], *base[2:]]]
        return []

    verb = "added" if d is NR else "removed"
    yield Finding(f"uniqueItems {verb}", candidates={d: candidates})


@narrowing(
    "array",
    "array",
    ("array-contains-narrowed", "'contains' added, or it asks for more or other items"),
    ("array-contains-widened", "'contains' removed, or it asks for fewer or more kinds of items"),
)
def _contains(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)):
        return
    for wanted, minimum in r.contains:
        if minimum <= 0:
            continue
        if any(
            have >= minimum and pair.oracle.includes((mine,), (wanted,), d)
            for mine, have in w.contains
        ):
            continue
        verb = "narrowed" if d is NR else "widened"
        yield Finding(
            f"'contains' {verb} (at least {minimum} matching item(s))",
            subject=wanted.pointer,
            candidates={d: lambda maker: [[], maker.array_of_length(w, max(w.min_items, 1))]},
        )


def _positions(w: Simple, r: Simple) -> Iterator[tuple[int, bool]]:
    """Item positions to compare: each prefix index, then the first "rest" index."""
    count = max(len(w.prefix), len(r.prefix))
    for index in range(count):
        yield index, False
    yield count, True


@narrowing(
    "array",
    "array",
    ("array-items-closed", "item positions the old schema allowed are no longer allowed"),
    ("array-items-opened", "item positions the old schema forbade are now allowed"),
)
def _items_closed(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)):
        return
    for index, _rest in _positions(w, r):
        if w.max_items is not None and index >= w.max_items:
            return
        if is_forbidden(w.item_schema(index)) or not is_forbidden(r.item_schema(index)):
            continue
        length = index + 1
        verb = "no longer" if d is NR else "now"
        yield Finding(
            f"arrays of {length} or more items {verb} allowed",
            subject=str(index),
            candidates={d: _array_of(w, length)},
        )
        return


@narrowing(
    "array",
    "array",
    ("array-items-restricted", "items that could be anything now need a schema"),
    ("array-items-unrestricted", "items that needed a schema can now be anything"),
)
def _items_restricted(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)):
        return
    for index, rest in _positions(w, r):
        if w.max_items is not None and index >= w.max_items:
            return
        writer_items, reader_items = w.item_schema(index), r.item_schema(index)
        if not is_any(writer_items) or is_any(reader_items) or is_forbidden(reader_items):
            continue
        where = "items" if rest else f"item {index}"
        verb = "added" if d is NR else "removed"

        def candidates(maker: InstanceMaker, at: int = index) -> Iterable[Any]:
            base = maker.array_of_length(w, at + 1)
            if not isinstance(base, list):
                return []
            return [[*base[:at], wild, *base[at + 1 :]] for wild in WILD_VALUES]

        yield Finding(f"schema for {where} {verb}", subject=str(index), candidates={d: candidates})


# -- object ---------------------------------------------------------------------------


def reader_view(simple: Simple, key: str, strip: bool) -> tuple[Children, KeySource]:
    return simple.schema_for_key(key, strip=strip)


def _with_key(base: Any, key: str, value: Any) -> Any:
    if not isinstance(base, dict):
        return None
    updated = dict(base)
    updated[key] = value
    return updated


def _without_key(base: Any, key: str) -> Any:
    if not isinstance(base, dict):
        return None
    return {k: v for k, v in base.items() if k != key}


def _required_rule(rule_id: str, direction: Direction, declared: bool, text: str) -> None:
    def check(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
        for key in sorted(r.required - w.required):
            if (key in w.properties) != declared:
                continue
            default = _default_of(r.properties.get(key, ANY))
            note = (
                f" (it has default {_show(default)}, but validation still requires it)"
                if default is not _NO_DEFAULT
                else ""
            )
            yield Finding(
                text.format(key=key) + note,
                subject=key,
                candidates={d: _object_without(w, key)},
            )

    description = _REQUIRED_DESCRIPTIONS[rule_id]
    oriented_rule(rule_id, "object", direction, description, type_name="object")(check)


_NO_DEFAULT = object()


def _default_of(children: Children) -> Any:
    for piece in children:
        if isinstance(piece.schema, dict) and "default" in piece.schema:
            return piece.schema["default"]
    return _NO_DEFAULT


_REQUIRED_DESCRIPTIONS = {
    "required-property-added": "a new property is required: payloads without it are rejected",
    "property-made-required": "an optional property became required (a default does not help)",
    "required-property-removed": "a required property was removed: payloads lack it",
    "property-made-optional": "a required property became optional: payloads may lack it",
}
_required_rule("required-property-added", NR, False, "required property {key!r} added")
_required_rule("property-made-required", NR, True, "property {key!r} made required")
_required_rule("required-property-removed", OR, False, "required property {key!r} removed")
_required_rule("property-made-optional", OR, True, "property {key!r} made optional")


def _declared_only_in_reader(w: Simple, r: Simple) -> list[str]:
    return [k for k in r.properties if k not in w.properties]


@narrowing(
    "object",
    "object",
    (
        "property-added-to-open-object",
        "a property is declared where any value was allowed: old payloads may carry it with another value",
    ),
    (
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
            candidates={d: _object_with(w, key, None)},
        )
        del writer_schema


@narrowing(
    "object",
    "object",
    (
        "property-removed-from-closed-object",
        "a property was removed from a closed object (reject policy): old payloads carry it",
    ),
    (
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
            candidates={d: _object_with(w, key, w.properties[key], wild=False)},
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
            breaks=NONE,
        )


register(
    Rule(
        "optional-property-added",
        "object",
        NONE,
        "an optional property was added (breaks nobody under strip or on an open object)",
        "simple",
        "object",
        check=lambda pair: _optional_change(pair.old, pair.new, pair, NR),
    )
)
register(
    Rule(
        "optional-property-removed",
        "object",
        NONE,
        "an optional property was removed (breaks nobody under strip or on an open object)",
        "simple",
        "object",
        check=lambda pair: _optional_change(pair.new, pair.old, pair, OR),
    )
)


def sample_keys(w: Simple, r: Simple) -> list[tuple[str, str]]:
    """Undeclared keys to compare: one per pattern of either side, and one fresh key."""
    from tc_contracts_py.diff.generate import fresh_key
    from tc_contracts_py.diff.regexgen import string_matching

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
    "object",
    "object",
    (
        "additional-properties-closed",
        "undeclared properties the old schema allowed are rejected (reject policy)",
    ),
    (
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
            candidates={d: _object_with(w, key, writer_schema)},
        )


@narrowing(
    "object",
    "object",
    (
        "additional-properties-restricted",
        "undeclared properties that could be anything now need a schema",
    ),
    (
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
            candidates={d: _object_with(w, key, None)},
        )
        del writer_schema


@narrowing(
    "object",
    "object",
    ("object-min-properties-increased", "minProperties raised: smaller objects are rejected"),
    ("object-min-properties-decreased", "minProperties lowered: smaller objects are accepted"),
)
def _min_properties(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.min_properties <= w.min_properties:
        return
    yield Finding(
        _changed(d, "minProperties", _show(w.min_properties), _show(r.min_properties)),
        candidates={d: lambda maker: [maker.minimal_simple(w)]},
    )


@narrowing(
    "object",
    "object",
    ("object-max-properties-decreased", "maxProperties lowered or added"),
    ("object-max-properties-increased", "maxProperties raised or removed"),
)
def _max_properties(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (_plain(w) and _plain(r)) or r.max_properties is None:
        return
    if w.max_properties is not None and w.max_properties <= r.max_properties:
        return
    limit = r.max_properties + 1

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

    yield Finding(
        _changed(d, "maxProperties", _show(w.max_properties), _show(r.max_properties)),
        candidates={d: candidates},
    )


@narrowing(
    "object",
    "object",
    ("dependency-added", "a property now depends on other properties or on a schema"),
    ("dependency-removed", "a property no longer depends on other properties or on a schema"),
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
                _with_key(base, t, maker.minimal(trigger_schema)),
                *[_with_key(base, t, v) for v in WILD_VALUES],
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
            return [_with_key(base, t, maker.minimal(trigger_schema))]

        yield Finding(
            f"schema dependency of {trigger!r} {verb} or changed",
            subject=f"schema:{trigger}",
            candidates={d: schema_candidates},
        )


# -- any type: not, unknown keywords ----------------------------------------------------


@narrowing(
    "combinator",
    None,
    ("not-schema-extended", "a 'not' now excludes values the old schema allowed"),
    ("not-schema-narrowed", "a 'not' excludes fewer values than before"),
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


def _opaque(pair: Pair) -> Iterator[Finding]:
    for keyword in sorted(pair.old.opaque.keys() | pair.new.opaque.keys()):
        if pair.old.opaque.get(keyword) != pair.new.opaque.get(keyword):
            yield Finding(
                f"{keyword!r} changed (compared as text; a witness is searched for)",
                subject=keyword,
                writer={NR: pair.old, OR: pair.new},
            )


register(
    Rule(
        "keyword-changed",
        "combinator",
        BOTH,
        "a keyword this tool does not model (if/then/else, contains, …) changed",
        "simple",
        None,
        check=_opaque,
    )
)


# -- node level: types, metadata ---------------------------------------------------------


def _type_families(node: Node) -> set[str]:
    return {v.type for v in node.variants if v.type != "null"}


def _variants_of(node: Node, types: set[str]) -> list[Simple]:
    return [v for v in node.variants if v.type in types]


def _type_candidates(variants: list[Simple]) -> CandidateSource:
    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        return [maker.minimal_simple(v) for v in variants]

    return candidates


def _type_changed(pair: NodePair) -> Iterator[Finding]:
    old, new = _type_families(pair.old), _type_families(pair.new)
    if not old or not new or old & new:
        return
    yield Finding(
        f"type changed from {_names(pair.old)} to {_names(pair.new)}",
        candidates={
            NR: _type_candidates(_variants_of(pair.old, old)),
            OR: _type_candidates(_variants_of(pair.new, new)),
        },
        writer={NR: pair.old.variants[0], OR: pair.new.variants[0]},
    )


def _names(node: Node) -> str:
    names = sorted(n for n in node.type_names if n != "null")
    return "|".join(names) if names else "nothing"


def _type_narrowing(direction: Direction) -> Callable[[NodePair], Iterator[Finding]]:
    def check(pair: NodePair) -> Iterator[Finding]:
        writer, reader = (pair.old, pair.new) if direction is NR else (pair.new, pair.old)
        writer_types, reader_types = _type_families(writer), _type_families(reader)
        if not writer_types or (reader_types and not writer_types & reader_types):
            return  # nothing to lose, or a complete change (type-changed)
        lost = sorted(writer_types - reader_types)
        if not lost:
            return
        variants = _variants_of(writer, set(lost))
        shown = "|".join(sorted({v.describe() for v in variants}))
        verb = "no longer" if direction is NR else "now"
        yield Finding(
            f"{shown} {verb} accepted",
            candidates={direction: _type_candidates(variants)},
            writer={direction: variants[0]},
        )

    return check


def _nullable(direction: Direction) -> Callable[[NodePair], Iterator[Finding]]:
    def check(pair: NodePair) -> Iterator[Finding]:
        writer, reader = (pair.old, pair.new) if direction is NR else (pair.new, pair.old)
        writer_null = any(v.type == "null" for v in writer.variants)
        reader_null = any(v.type == "null" for v in reader.variants)
        if writer_null and not reader_null:
            verb = "no longer" if direction is NR else "now"
            yield Finding(f"null {verb} accepted", candidates={direction: _values(None)})

    return check


register(
    Rule(
        "type-changed",
        "type",
        BOTH,
        "the accepted types changed completely (e.g. number -> string)",
        "node",
        check=_type_changed,
    )
)
register(
    Rule(
        "type-narrowed",
        "type",
        frozenset({NR}),
        "a type the old schema accepted is no longer accepted",
        "node",
        check=_type_narrowing(NR),
    )
)
register(
    Rule(
        "type-widened",
        "type",
        frozenset({OR}),
        "a type the old schema rejected is now accepted",
        "node",
        check=_type_narrowing(OR),
    )
)
register(
    Rule(
        "nullable-removed",
        "type",
        frozenset({NR}),
        "null is no longer accepted",
        "node",
        check=_nullable(NR),
    )
)
register(
    Rule(
        "nullable-added",
        "type",
        frozenset({OR}),
        "null is now accepted",
        "node",
        check=_nullable(OR),
    )
)


def _metadata(keyword: str, label: str) -> Callable[[NodePair], Iterator[Finding]]:
    def check(pair: NodePair) -> Iterator[Finding]:
        old, new = pair.old.meta.get(keyword, _NO_DEFAULT), pair.new.meta.get(keyword, _NO_DEFAULT)
        if old is _NO_DEFAULT and new is _NO_DEFAULT:
            return
        if old is not _NO_DEFAULT and new is not _NO_DEFAULT and canonical(old) == canonical(new):
            return
        if old is _NO_DEFAULT:
            message = f"{label} added: {_short(new)}"
        elif new is _NO_DEFAULT:
            message = f"{label} removed (was {_short(old)})"
        else:
            message = f"{label} changed from {_short(old)} to {_short(new)}"
        yield Finding(message, breaks=NONE)

    return check


def _short(value: Any) -> str:
    text = canonical(value)
    return text if len(text) <= 60 else text[:57] + "..."


for _keyword, _rule_id, _label, _severity, _description in (
    ("description", "description-changed", "description", Severity.METADATA, "description added, removed or changed"),
    ("title", "title-changed", "title", Severity.METADATA, "title added, removed or changed"),
    ("examples", "examples-changed", "examples", Severity.METADATA, "examples added, removed or changed"),
    ("default", "default-changed", "default", Severity.SEMANTIC, "default added, removed or changed: what readers fill in for a missing value"),
    ("deprecated", "deprecated-changed", "deprecated", Severity.INFO, "deprecated flag added, removed or changed"),
    ("readOnly", "read-only-changed", "readOnly", Severity.INFO, "readOnly flag added, removed or changed"),
    ("writeOnly", "write-only-changed", "writeOnly", Severity.INFO, "writeOnly flag added, removed or changed"),
):  # fmt: skip
    register(
        Rule(
            _rule_id,
            "metadata",
            NONE,
            _description,
            "node",
            severity=_severity,
            check=_metadata(_keyword, _label),
        )
    )

register(
    Rule(
        "schema-too-complex",
        "combinator",
        BOTH,
        "a combination of anyOf/oneOf/allOf too large to expand changed (compared as text)",
        "node",
    )
)


# -- oneOf exclusivity --------------------------------------------------------------------


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


register(
    Rule(
        "oneof-members-overlap",
        "combinator",
        BOTH,
        "oneOf members the other side kept apart (by type, enum or tag) can now both match",
        "node",
        check=_oneof_overlap,
    )
)


# -- union members (called by the walker for members without a partner) ------------------


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


register(
    Rule(
        "variant-removed",
        "combinator",
        frozenset({NR}),
        "an anyOf/oneOf member (matched by its tag, else by shape) was removed",
        "variant",
        check=_variant_check(NR),
    )
)
register(
    Rule(
        "variant-added",
        "combinator",
        frozenset({OR}),
        "an anyOf/oneOf member (matched by its tag, else by shape) was added",
        "variant",
        check=_variant_check(OR),
    )
)

# -- emitted by the engine and the gate ---------------------------------------------------

for _rule_id, _family, _breaks, _severity, _description in (
    ("schema-added", "schema", NONE, Severity.SEMANTIC, "a schema was added to the set (minor)"),
    ("schema-removed", "schema", BOTH, Severity.SEMANTIC, "a schema was removed from the set (major)"),
    ("schema-dialect-changed", "schema", NONE, Severity.METADATA, "the $schema dialect changed (meaning compared, patch)"),
    ("gate-bump-too-small", "gate", NONE, Severity.SEMANTIC, "the declared version bump is smaller than the changes require"),
    ("gate-version-decreased", "gate", NONE, Severity.SEMANTIC, "the new version is lower than the old one"),
    ("gate-version-unchanged", "gate", NONE, Severity.SEMANTIC, "the version did not change although the contract did"),
    ("gate-version-invalid", "gate", NONE, Severity.SEMANTIC, "a version is not a semantic version"),
    ("waiver-expired", "gate", NONE, Severity.SEMANTIC, "a waiver is past its expiry date"),
):  # fmt: skip
    register(Rule(_rule_id, _family, _breaks, _description, _family, severity=_severity))


def tag_value(simple: Simple, key: str) -> Any:
    return _tag_value(simple, key)


def variant_label(simple: Simple) -> str:
    return _variant_label(simple)


__all__ = [
    "NR",
    "OR",
    "RULES",
    "Finding",
    "NodePair",
    "Pair",
    "Rule",
    "VariantContext",
    "reader_view",
    "rules_for",
    "sample_keys",
    "simple_accepts",
]
