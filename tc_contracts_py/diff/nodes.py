"""Schema nodes in a canonical form that compares meaning, not text.

A raw schema at one place (a ``Piece``: the JSON value plus the resolver its refs
resolve with) is expanded, following ``$ref``s and ``allOf``/``anyOf``/``oneOf``, into
a disjunction of conjunctions, and each conjunction is split by JSON type into
``Simple`` nodes that carry only the keywords of that type. So ``type: [T, "null"]``
and ``anyOf: [T, {type: null}]`` give the same node, ``{"$ref": "#/definitions/X"}``
and ``X`` inlined give the same node, and ``type: [string, number]`` is the same as
``anyOf`` of the two. Sub-schemas (properties, items, …) stay as ``Children`` (a
conjunction of pieces) and are normalised only when the walker reaches them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urljoin

import referencing.exceptions

from tc_contracts_py.ecma_regex import PatternTooCostly, ecma_search
from tc_contracts_py.pointer import to_pointer
from tc_contracts_py.schemaset import Dialect

TYPES = ("null", "boolean", "object", "array", "number", "string")
ALL_TYPE_NAMES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})

META_KEYWORDS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "example",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
    }
)
COMPOSITE_KEYWORDS = frozenset({"$ref", "allOf", "anyOf", "oneOf"})
# Validation keywords this module does not model: compared as text, changes reported as likely.
OPAQUE_KEYWORDS = frozenset({"if", "then", "else", "$dynamicRef", "$recursiveRef", "maxContains"})
MAX_VARIANTS = 64


def canonical(value: Any) -> str:
    """A text form equal for equal JSON values (key order ignored, 1 == 1.0)."""
    return json.dumps(_numbers_normalised(value), sort_keys=True, separators=(",", ":"))


def _numbers_normalised(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers_normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_normalised(v) for v in value]
    return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_integral(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


@dataclass(frozen=True, eq=False)
class Piece:
    """A raw schema value at a place in a document, with what its refs resolve against."""

    schema: Any
    resolver: Any  # referencing Resolver; None only for the synthetic FALSE piece
    base: str
    pointer: str
    dialect: Dialect
    side: str = "old"  # which set's documents the base names, for cross-file dialects

    def child(self, schema: Any, *tokens: str | int) -> Piece:
        pointer = self.pointer + to_pointer(tokens)
        resolver = self.resolver
        if isinstance(schema, dict) and "$id" in schema and resolver is not None:
            spec = self.dialect.specification
            resolver = resolver.in_subresource(spec.create_resource(schema))
        return Piece(schema, resolver, self.base, pointer, self.dialect, self.side)

    def where(self, root_base: str) -> str:
        return self.pointer if self.base == root_base else f"{self.base}#{self.pointer}"


Children = tuple[Piece, ...]
ANY: Children = ()


def children_key(children: Children) -> tuple[int, ...]:
    return tuple(sorted(id(p.schema) for p in children))


def is_forbidden(children: Children) -> bool:
    return any(p.schema is False for p in children)


def is_any(children: Children) -> bool:
    return all(p.schema is True or p.schema == {} for p in children)


class KeySource(StrEnum):
    DECLARED = "declared"
    PATTERN = "pattern"
    ADDITIONAL = "additional"
    OPEN = "open"


@dataclass(frozen=True, eq=False)
class Flat:
    """The non-composite keywords of one piece (``$ref``/``allOf``/``anyOf``/``oneOf`` removed)."""

    piece: Piece
    keywords: dict[str, Any]


@dataclass(frozen=True, eq=False)
class Extra:
    """How one conjunct treats keys it does not declare: patternProperties, then additional."""

    patterns: tuple[tuple[str, Piece], ...]
    additional: Piece | None
    declared: frozenset[str]


Bound = tuple[float, bool]  # (value, exclusive)


@dataclass(eq=False)
class Simple:
    """One JSON type's slice of one conjunction: only that type's keywords."""

    type: str
    flats: tuple[Flat, ...]
    integer: bool = False
    enum: tuple[Any, ...] | None = None
    # string
    min_length: int = 0
    max_length: int | None = None
    patterns: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    # number
    lower: Bound | None = None
    upper: Bound | None = None
    multiple_of: tuple[float, ...] = ()
    # array
    prefix: tuple[Children, ...] = ()
    rest: Children = ANY
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    contains: tuple[tuple[Piece, int], ...] = ()  # (schema, minContains)
    # object
    properties: dict[str, Children] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    extras: tuple[Extra, ...] = ()
    property_names: Children = ANY
    min_properties: int = 0
    max_properties: int | None = None
    dependent_required: dict[str, frozenset[str]] = field(default_factory=dict)
    dependent_schemas: dict[str, Children] = field(default_factory=dict)
    # any type
    nots: tuple[Children, ...] = ()
    opaque: dict[str, str] = field(default_factory=dict)

    @cached_property
    def key(self) -> tuple[Any, ...]:
        return (self.type, self.integer, tuple(sorted(id(f.piece.schema) for f in self.flats)))

    @property
    def pieces(self) -> Children:
        return tuple(f.piece for f in self.flats)

    def rest_is_forbidden(self) -> bool:
        return is_forbidden(self.rest)

    def item_schema(self, index: int) -> Children:
        return self.prefix[index] if index < len(self.prefix) else self.rest

    def schema_for_key(self, key: str, *, strip: bool = False) -> tuple[Children, KeySource]:
        """The conjunction a value under ``key`` must satisfy, and where it comes from.

        ``strip``: read as a stripping reader, for which ``additionalProperties: false``
        only means "ignored", so such keys are open.
        """
        if key in self.properties:
            return self.properties[key], KeySource.DECLARED
        pieces: list[Piece] = []
        source = KeySource.OPEN
        for extra in self.extras:
            matched = [p for pattern, p in extra.patterns if _pattern_search(pattern, key)]
            if matched:
                pieces.extend(matched)
                source = KeySource.PATTERN
            elif extra.additional is not None:
                if strip and extra.additional.schema is False:
                    continue
                pieces.append(extra.additional)
                if source is KeySource.OPEN:
                    source = KeySource.ADDITIONAL
        return tuple(pieces), source

    def pattern_keys(self) -> list[str]:
        return [pattern for extra in self.extras for pattern, _ in extra.patterns]

    def describe(self) -> str:
        if self.type == "number":
            return "integer" if self.integer else "number"
        return self.type


@dataclass(eq=False)
class Node:
    """What one place of a schema accepts: a union of ``Simple`` slices."""

    pieces: Children
    variants: tuple[Simple, ...]
    meta: dict[str, Any]
    combinator: str | None = None
    too_complex: bool = False

    def by_type(self) -> dict[str, list[Simple]]:
        grouped: dict[str, list[Simple]] = {}
        for variant in self.variants:
            grouped.setdefault(variant.type, []).append(variant)
        return grouped

    @cached_property
    def key(self) -> tuple[Any, ...]:
        """Equal for places that expand to the same slices (e.g. a ref and its target)."""
        if self.too_complex:
            return ("complex", children_key(self.pieces))
        return tuple(v.key for v in self.variants)

    @cached_property
    def type_names(self) -> frozenset[str]:
        names: set[str] = set()
        for variant in self.variants:
            names.add(variant.describe())
        return frozenset(names)


def pattern_search(pattern: str, text: str) -> bool | None:
    """Whether ``text`` matches ``pattern`` as ECMA-262; None when that cannot be told
    (not a regex, or too costly to match: a backtracking pattern must not stall the diff)."""
    try:
        return ecma_search(pattern, text)
    except (re.error, PatternTooCostly):
        return None


def _pattern_search(pattern: str, text: str) -> bool:
    return bool(pattern_search(pattern, text))


class _TooComplex(Exception):
    pass


def _product(left: list[list[Flat]], right: list[list[Flat]]) -> list[list[Flat]]:
    if len(left) * len(right) > MAX_VARIANTS:
        raise _TooComplex
    return [a + b for a in left for b in right]


def _tighter_lower(current: Bound | None, candidate: Bound) -> Bound:
    if current is None:
        return candidate
    if candidate[0] > current[0] or (candidate[0] == current[0] and candidate[1]):
        return candidate
    return current


def _tighter_upper(current: Bound | None, candidate: Bound) -> Bound:
    if current is None:
        return candidate
    if candidate[0] < current[0] or (candidate[0] == current[0] and candidate[1]):
        return candidate
    return current


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(canonical(value), value)
    return tuple(seen.values())


class Normalizer:
    """Builds (and caches) the canonical ``Node`` of a conjunction of pieces."""

    def __init__(self, dialects: dict[tuple[str, str], Dialect]) -> None:
        self._dialects = dialects
        self._cache: dict[tuple[int, ...], Node] = {}
        self._following: set[tuple[int, ...]] = set()

    def node(self, children: Children) -> Node:
        key = children_key(children)
        cached = self._cache.get(key)
        if cached is None:
            target = self._bare_ref_target(children)
            if target is not None and children_key((target,)) not in self._following:
                # Every bare {"$ref": …} to one target shares the target's node, so a
                # recursive schema with many "#" refs is expanded once, not once per ref.
                self._following.add(children_key((target,)))
                try:
                    cached = self.node((target,))
                finally:
                    self._following.discard(children_key((target,)))
            else:
                cached = self._build(children)
            self._cache[key] = cached
        return cached

    def _bare_ref_target(self, children: Children) -> Piece | None:
        if len(children) != 1:
            return None
        schema = children[0].schema
        if (
            not isinstance(schema, dict)
            or len(schema) != 1
            or not isinstance(schema.get("$ref"), str)
        ):
            return None
        return self.resolve(children[0], schema["$ref"])

    def resolve(self, piece: Piece, ref: str) -> Piece | None:
        if piece.resolver is None:
            return None
        try:
            resolved = piece.resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            return None
        ref_uri, _, fragment = ref.partition("#")
        base = urljoin(piece.base, ref_uri) if ref_uri else piece.base
        pointer = unquote(fragment) if fragment.startswith("/") or not fragment else "#" + fragment
        dialect = self._dialects.get((piece.side, base), piece.dialect)
        return Piece(resolved.contents, resolved.resolver, base, pointer, dialect, piece.side)

    def _build(self, children: Children) -> Node:
        self._combinator: str | None = None
        try:
            conjunctions: list[list[Flat]] = [[]]
            for piece in children:
                conjunctions = _product(conjunctions, self._expand(piece, frozenset()))
        except _TooComplex:
            return Node(children, (), {}, too_complex=True)
        variants: list[Simple] = []
        non_null_flats: list[set[int]] = []
        for conjunction in conjunctions:
            simples = build_simples(conjunction)
            variants.extend(simples)
            if any(s.type != "null" for s in simples):
                non_null_flats.append({id(f) for f in conjunction})
        meta: dict[str, Any] = {}
        if conjunctions:
            common = set.intersection(*non_null_flats) if non_null_flats else set()
            for conjunction in conjunctions:
                for flat in conjunction:
                    if id(flat) in common or not non_null_flats:
                        for keyword in META_KEYWORDS & flat.keywords.keys():
                            meta.setdefault(keyword, flat.keywords[keyword])
        return Node(children, tuple(variants), meta, self._combinator)

    def _expand(self, piece: Piece, active: frozenset[int]) -> list[list[Flat]]:
        schema = piece.schema
        if schema is False:
            return []
        if not isinstance(schema, dict):
            return [[]]
        keywords = {k: v for k, v in schema.items() if k not in COMPOSITE_KEYWORDS}
        result: list[list[Flat]] = [[Flat(piece, keywords)]] if keywords else [[]]
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self.resolve(piece, ref)
            if target is not None and id(target.schema) not in active:
                expanded = self._expand(target, active | {id(target.schema)})
                result = _product(result, expanded)
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            for index, member in enumerate(all_of):
                result = _product(result, self._expand(piece.child(member, "allOf", index), active))
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                if len(branches) > 1 and (keyword == "oneOf" or self._combinator is None):
                    self._combinator = keyword
                union: list[list[Flat]] = []
                for index, branch in enumerate(branches):
                    union.extend(self._expand(piece.child(branch, keyword, index), active))
                result = _product(result, union)
        return result


def _type_set(value: Any) -> set[str]:
    names = {value} if isinstance(value, str) else {v for v in value if isinstance(v, str)}
    if "number" in names:
        names.add("integer")
    return names


def build_simples(conjunction: list[Flat]) -> list[Simple]:
    types = set(ALL_TYPE_NAMES)
    enum: list[Any] | None = None
    consumed_nots: set[int] = set()
    for flat in conjunction:
        keywords = flat.keywords
        if "type" in keywords:
            types &= _type_set(keywords["type"])
        for listed in ([keywords["const"]] if "const" in keywords else None, keywords.get("enum")):
            if isinstance(listed, list):
                if enum is None:
                    enum = list(_unique(listed))
                else:
                    allowed = {canonical(v) for v in listed}
                    enum = [v for v in enum if canonical(v) in allowed]
        inner = keywords.get("not")
        if isinstance(inner, dict) and inner and set(inner) <= {"type"}:
            negated = _type_set(inner["type"])
            if "integer" not in negated or "number" in negated:
                types -= negated
                consumed_nots.add(id(flat))
        elif inner is True or inner == {}:
            types = set()
    simples: list[Simple] = []
    for type_name in TYPES:
        integer = False
        if type_name == "number":
            if "number" in types:
                integer = False
            elif "integer" in types:
                integer = True
            else:
                continue
        elif type_name not in types:
            continue
        values: tuple[Any, ...] | None = None
        if enum is not None:
            values = tuple(
                v for v in enum if json_type(v) == type_name and (not integer or is_integral(v))
            )
            if not values:
                continue
        simple = _make_simple(type_name, integer, conjunction, values, consumed_nots)
        if simple is not None:
            simples.append(simple)
    return simples


def _make_simple(
    type_name: str,
    integer: bool,
    conjunction: list[Flat],
    enum: tuple[Any, ...] | None,
    consumed_nots: set[int],
) -> Simple | None:
    simple = Simple(type=type_name, flats=tuple(conjunction), integer=integer, enum=enum)
    nots: list[Children] = []
    opaque: dict[str, list[str]] = {}
    for flat in conjunction:
        keywords, piece = flat.keywords, flat.piece
        if "not" in keywords and id(flat) not in consumed_nots:
            nots.append((piece.child(keywords["not"], "not"),))
        for keyword in OPAQUE_KEYWORDS & keywords.keys():
            opaque.setdefault(keyword, []).append(canonical(keywords[keyword]))
    simple.nots = tuple(nots)
    simple.opaque = {k: "|".join(sorted(v)) for k, v in opaque.items()}
    if type_name == "string":
        _merge_string(simple, conjunction)
    elif type_name == "number":
        if not _merge_number(simple, conjunction):
            return None
    elif type_name == "array":
        _merge_array(simple, conjunction)
        if simple.max_items is not None and simple.min_items > simple.max_items:
            return None
    elif type_name == "object":
        _merge_object(simple, conjunction)
        if simple.max_properties is not None and simple.min_properties > simple.max_properties:
            return None
    return simple


def _ints(conjunction: list[Flat], keyword: str) -> Iterator[int]:
    for flat in conjunction:
        value: Any = flat.keywords.get(keyword)
        if _is_number(value):
            yield int(value)


def _merge_string(simple: Simple, conjunction: list[Flat]) -> None:
    simple.min_length = max(_ints(conjunction, "minLength"), default=0)
    simple.max_length = min(_ints(conjunction, "maxLength"), default=None)
    simple.patterns = _unique(
        f.keywords["pattern"] for f in conjunction if isinstance(f.keywords.get("pattern"), str)
    )
    simple.formats = _unique(
        f.keywords["format"] for f in conjunction if isinstance(f.keywords.get("format"), str)
    )


def _merge_number(simple: Simple, conjunction: list[Flat]) -> bool:
    lower: Bound | None = None
    upper: Bound | None = None
    multiples: list[float] = []
    for flat in conjunction:
        keywords = flat.keywords
        if _is_number(keywords.get("minimum")):
            lower = _tighter_lower(
                lower, (keywords["minimum"], keywords.get("exclusiveMinimum") is True)
            )
        if _is_number(keywords.get("exclusiveMinimum")):
            lower = _tighter_lower(lower, (keywords["exclusiveMinimum"], True))
        if _is_number(keywords.get("maximum")):
            upper = _tighter_upper(
                upper, (keywords["maximum"], keywords.get("exclusiveMaximum") is True)
            )
        if _is_number(keywords.get("exclusiveMaximum")):
            upper = _tighter_upper(upper, (keywords["exclusiveMaximum"], True))
        if _is_number(keywords.get("multipleOf")) and keywords["multipleOf"] > 0:
            multiples.append(keywords["multipleOf"])
    if simple.integer:
        if lower is not None:
            value = math.floor(lower[0]) + 1 if lower[1] else math.ceil(lower[0])
            lower = (value, False)
        if upper is not None:
            value = math.ceil(upper[0]) - 1 if upper[1] else math.floor(upper[0])
            upper = (value, False)
        # Every integer is a multiple of 1, 0.5, 0.25, …: such a multipleOf says nothing.
        multiples = [m for m in multiples if not (m <= 1 and is_integral(1 / m))]
    simple.lower, simple.upper = lower, upper
    simple.multiple_of = _unique(multiples)
    return not (
        lower is not None
        and upper is not None
        and (lower[0] > upper[0] or (lower[0] == upper[0] and (lower[1] or upper[1])))
    )


def _merge_array(simple: Simple, conjunction: list[Flat]) -> None:
    per_flat: list[tuple[list[Piece], Piece | None]] = []
    for flat in conjunction:
        keywords, piece = flat.keywords, flat.piece
        prefix_pieces: list[Piece] = []
        rest: Piece | None = None
        if piece.dialect is Dialect.DRAFT2020_12:
            if isinstance(keywords.get("prefixItems"), list):
                prefix_pieces = [
                    piece.child(s, "prefixItems", i) for i, s in enumerate(keywords["prefixItems"])
                ]
            if "items" in keywords:
                rest = piece.child(keywords["items"], "items")
        else:
            items = keywords.get("items")
            if isinstance(items, list):
                prefix_pieces = [piece.child(s, "items", i) for i, s in enumerate(items)]
                if "additionalItems" in keywords:
                    rest = piece.child(keywords["additionalItems"], "additionalItems")
            elif items is not None:
                rest = piece.child(items, "items")
        if rest is None and "unevaluatedItems" in keywords:
            rest = piece.child(keywords["unevaluatedItems"], "unevaluatedItems")
        per_flat.append((prefix_pieces, rest))
    length = max((len(p) for p, _ in per_flat), default=0)
    prefix: list[Children] = []
    for index in range(length):
        position: list[Piece] = []
        for prefix_pieces, rest in per_flat:
            if index < len(prefix_pieces):
                position.append(prefix_pieces[index])
            elif rest is not None:
                position.append(rest)
        prefix.append(tuple(position))
    simple.prefix = tuple(prefix)
    simple.rest = tuple(rest for _, rest in per_flat if rest is not None)
    simple.min_items = max(_ints(conjunction, "minItems"), default=0)
    simple.max_items = min(_ints(conjunction, "maxItems"), default=None)
    simple.unique = any(f.keywords.get("uniqueItems") is True for f in conjunction)
    simple.contains = tuple(
        (
            f.piece.child(f.keywords["contains"], "contains"),
            int(f.keywords["minContains"]) if _is_number(f.keywords.get("minContains")) else 1,
        )
        for f in conjunction
        if "contains" in f.keywords
    )


def _merge_object(simple: Simple, conjunction: list[Flat]) -> None:
    simple.properties, simple.extras = _merge_properties(conjunction)
    required: set[str] = set()
    for flat in conjunction:
        value = flat.keywords.get("required")
        if isinstance(value, list):
            required.update(v for v in value if isinstance(v, str))
    simple.required = frozenset(required)
    simple.property_names = tuple(
        f.piece.child(f.keywords["propertyNames"], "propertyNames")
        for f in conjunction
        if "propertyNames" in f.keywords
    )
    simple.min_properties = max(_ints(conjunction, "minProperties"), default=0)
    simple.max_properties = min(_ints(conjunction, "maxProperties"), default=None)
    simple.dependent_required, simple.dependent_schemas = _merge_dependencies(conjunction)


def _merge_properties(
    conjunction: list[Flat],
) -> tuple[dict[str, Children], tuple[Extra, ...]]:
    """Each property named anywhere, with what every branch says of it (its own schema, or
    the pattern or additional properties that cover it), and each branch's undeclared keys."""
    extras: list[Extra] = []
    declared_by_flat: list[tuple[Flat, dict[str, Any], Extra | None]] = []
    for flat in conjunction:
        keywords, piece = flat.keywords, flat.piece
        properties = keywords.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        patterns = keywords.get("patternProperties")
        pattern_pieces: tuple[tuple[str, Piece], ...] = ()
        if isinstance(patterns, dict):
            pattern_pieces = tuple(
                (pattern, piece.child(s, "patternProperties", pattern))
                for pattern, s in patterns.items()
            )
        additional: Piece | None = None
        if "additionalProperties" in keywords:
            additional = piece.child(keywords["additionalProperties"], "additionalProperties")
        elif "unevaluatedProperties" in keywords:
            additional = piece.child(keywords["unevaluatedProperties"], "unevaluatedProperties")
        extra = None
        if pattern_pieces or additional is not None:
            extra = Extra(pattern_pieces, additional, frozenset(properties))
            extras.append(extra)
        declared_by_flat.append((flat, properties, extra))
    names: dict[str, None] = {}
    for _, properties, _ in declared_by_flat:
        names.update(dict.fromkeys(properties))
    merged: dict[str, Children] = {}
    for name in names:
        pieces: list[Piece] = []
        for flat, properties, extra in declared_by_flat:
            if name in properties:
                pieces.append(flat.piece.child(properties[name], "properties", name))
            elif extra is not None:
                matched = [p for pattern, p in extra.patterns if _pattern_search(pattern, name)]
                if matched:
                    pieces.extend(matched)
                elif extra.additional is not None:
                    pieces.append(extra.additional)
        merged[name] = tuple(pieces)
    return merged, tuple(extras)


def _merge_dependencies(
    conjunction: list[Flat],
) -> tuple[dict[str, frozenset[str]], dict[str, Children]]:
    dependent_required: dict[str, set[str]] = {}
    dependent_schemas: dict[str, list[Piece]] = {}
    for flat in conjunction:
        keywords, piece = flat.keywords, flat.piece
        for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
            value = keywords.get(keyword)
            if not isinstance(value, dict):
                continue
            for trigger, dependency in value.items():
                if isinstance(dependency, list):
                    dependent_required.setdefault(trigger, set()).update(dependency)
                else:
                    dependent_schemas.setdefault(trigger, []).append(
                        piece.child(dependency, keyword, trigger)
                    )
    return (
        {k: frozenset(v) for k, v in dependent_required.items()},
        {k: tuple(v) for k, v in dependent_schemas.items()},
    )
