"""Hypothesis strategies for payloads that a contract accepts, and for near misses it rejects.

``payloads(schema)`` compiles a JSON Schema into a strategy. It covers what
zod-to-json-schema (draft-07) and Zod 4 (2020-12) emit: type arrays, nullable,
enum/const, string formats in the form Zod accepts, lengths and ECMA patterns,
numeric bounds and ``multipleOf``, arrays with limits, ``uniqueItems``, tuples
(``items`` arrays and ``prefixItems``), records (``propertyNames``,
``additionalProperties`` schemas), ``anyOf``, ``oneOf`` (exactly one branch),
``allOf`` (object members are merged), ``not``, every ``$ref`` shape through the
set's ``referencing`` registry, and recursion, cut at ``max_depth`` expansions of
the same reference. Keywords it does not build values for (``if``/``then``,
``dependentRequired``, ``contains``…) are honoured by filtering.

Generated strings satisfy every reader in the chain at once: Zod's ECMA regex
and Python's ``re``, JSON Schema's code-point lengths and JavaScript's UTF-16
lengths.

``invalid_payloads(schema)`` draws a valid payload and breaks exactly one
constraint in it (a missing required key, a wrong type, a null where none is
allowed, an enum value outside the enum, a string too long, a pattern miss, an
extra key where unknown keys are rejected, …), keeping only results the schema
really rejects. Both strategies shrink towards small, simple payloads.
"""

from __future__ import annotations

import json
import math
import re
import string
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal
from urllib.parse import urljoin

import jsonschema.protocols
import referencing
import referencing.exceptions
import referencing.jsonschema
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from referencing import Registry, Resource
from referencing._core import Resolver

from tc_contracts_py.ecma_fsm import Unreadable, intersection, walk
from tc_contracts_py.ecma_regex import compile_generation, matches_everywhere
from tc_contracts_py.errors import SchemaError
from tc_contracts_py.pointer import to_pointer
from tc_contracts_py.schemaset import Dialect, Schema, SchemaSet
from tc_contracts_py.testing.formats import NOT_A, format_strategy
from tc_contracts_py.testing.validation import Semantics, format_checker, validator_class

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "NearMiss",
    "SchemaCompiler",
    "Target",
    "invalid_payloads",
    "json_values",
    "payloads",
    "resolve_target",
]

DEFAULT_MAX_DEPTH = 2
# Zod parses JSON into JavaScript numbers: integers beyond this lose precision there.
MAX_SAFE_INTEGER = 2**53 - 1
# Unbounded collections get at most this many generated members beyond their minimum.
EXTRA_MEMBERS = 4

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$comment",
        "$vocabulary",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "markdownDescription",
        "errorMessage",
    }
)
_STRING_KEYWORDS = frozenset({"minLength", "maxLength", "pattern", "format"})
_NUMBER_KEYWORDS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)
_ARRAY_KEYWORDS = frozenset(
    {"items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"}
)
_OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)
_BUILT = (
    _ANNOTATIONS
    | _STRING_KEYWORDS
    | _NUMBER_KEYWORDS
    | _ARRAY_KEYWORDS
    | _OBJECT_KEYWORDS
    | {"type", "enum", "const", "anyOf", "oneOf", "allOf", "not", "$ref", "nullable"}
)
# Keywords that constrain values but that generation does not build for: filtered instead.
_FILTERED = frozenset(
    {
        "if",
        "then",
        "else",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "contains",
        "minContains",
        "maxContains",
        "unevaluatedProperties",
        "unevaluatedItems",
        "$dynamicRef",
        "$recursiveRef",
    }
)
_JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_PRE_2019 = frozenset({Dialect.DRAFT4, Dialect.DRAFT6, Dialect.DRAFT7})

Strategy = st.SearchStrategy[Any]
_NO_STAND_IN = object()
Path = tuple[str | int, ...]


def _characters() -> st.SearchStrategy[str]:
    # Lone surrogates cannot travel as UTF-8 JSON; everything else can.
    return st.characters(codec="utf-8")


@cache
def json_values(max_leaves: int = 6) -> Strategy:
    """Any JSON value, small. Integers stay within JavaScript's safe range."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(_characters(), max_size=8)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(_characters(), max_size=6), children, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def utf16_length(text: str) -> int:
    """Length as JavaScript (and so Zod) counts it."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def canonical_json(value: Any) -> str:
    """Equality key matching JSON Schema's: ``1 == 1.0``, ``true != 1``, key order ignored."""
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"))


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class _Loc:
    """Where a subschema lives: the resolver for its refs, its dialect, the refs being expanded."""

    base: str
    resolver: Resolver[Any]
    dialect: Dialect
    stack: tuple[str, ...] = ()
    nesting: int = 0  # enclosing arrays and records, which multiply payload size
    # Enclosing objects and collections: deep down, objects get no undeclared members and
    # arrays no members beyond their minimum, so payloads stay linear in the depth.
    objects: int = 0

    def inside_collection(self) -> _Loc:
        return _Loc(
            self.base,
            self.resolver,
            self.dialect,
            self.stack,
            min(self.nesting + 1, 3),
            self.objects + 1,
        )

    def inside_object(self) -> _Loc:
        return _Loc(
            self.base, self.resolver, self.dialect, self.stack, self.nesting, self.objects + 1
        )


_Part = tuple[Any, _Loc]


@dataclass(frozen=True)
class NearMiss:
    """A payload that breaks one constraint of its schema."""

    payload: Any
    pointer: str  # JSON pointer into the payload where the constraint was broken
    kind: str  # the keyword broken: required, type, null, enum, maxLength, pattern, …
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.pointer or '/'}: {self.detail}"


@dataclass(frozen=True)
class _Edit:
    path: Path
    kind: str
    detail: str
    op: Literal["set", "delete"] = "set"
    value: Any = None

    def apply(self, root: Any) -> Any:
        return _edited(root, self.path, self.op, self.value)


def _edited(node: Any, path: Path, op: str, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        copy = dict(node)
        if not rest and op == "delete":
            copy.pop(head, None)
        else:
            copy[head] = _edited(node.get(head), rest, op, value)
        return copy
    if isinstance(node, list):
        assert isinstance(head, int)
        items = list(node)
        if not rest and op == "delete":
            del items[head]
        elif head == len(items):
            items.append(_edited(None, rest, op, value))
        else:
            items[head] = _edited(items[head], rest, op, value)
        return items
    raise AssertionError(f"cannot edit inside {type(node).__name__} at {path!r}")


def _assertion_keys(node: Mapping[str, Any]) -> set[str]:
    return {key for key in node if key not in _ANNOTATIONS}


def _without(node: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key not in keys}


class SchemaCompiler:
    """Compiles schemas of one registry into strategies. Reuse one per set: results are memoised."""

    def __init__(
        self,
        registry: Registry[Any],
        dialects: Mapping[str, Dialect],
        *,
        max_depth: int = DEFAULT_MAX_DEPTH,
        semantics: Semantics = "zod",
    ) -> None:
        self.registry = registry
        self.dialects = dict(dialects)
        self.max_depth = max_depth
        self.semantics = semantics
        self._ref_memo: dict[tuple[str, int, int], Strategy | None] = {}
        self._validators: dict[tuple[int, str], tuple[Any, jsonschema.protocols.Validator]] = {}
        self._type_edit_memo: dict[tuple[int, str, str], tuple[Any, bool, Any]] = {}

    @classmethod
    def for_schema_set(
        cls,
        schema_set: SchemaSet,
        *,
        max_depth: int = DEFAULT_MAX_DEPTH,
        semantics: Semantics = "zod",
    ) -> SchemaCompiler:
        dialects = {schema.uri: schema.dialect for schema in schema_set}
        return cls(schema_set.registry, dialects, max_depth=max_depth, semantics=semantics)

    def location(self, uri: str) -> _Loc:
        dialect = self.dialects.get(uri, Dialect.DRAFT7)
        return _Loc(uri, self.registry.resolver(base_uri=uri), dialect)

    # -- validity of subschemas -------------------------------------------------

    def validator(self, node: Any, loc: _Loc) -> jsonschema.protocols.Validator:
        key = (id(node), loc.base)
        cached = self._validators.get(key)
        if cached is None:
            cls = validator_class(loc.dialect, self.semantics)
            validator = cls(  # type: ignore[call-arg]
                node,
                registry=self.registry,
                _resolver=loc.resolver,
                format_checker=format_checker(self.semantics, loc.dialect),
            )
            # Keeping the node alive keeps its id from being reused by another schema.
            cached = self._validators[key] = (node, validator)
        return cached[1]

    def is_valid(self, node: Any, loc: _Loc, value: Any) -> bool:
        return bool(self.validator(node, loc).is_valid(value))

    def accepted_by(self, node: Any, loc: _Loc) -> Callable[[Any], bool]:
        validator = self.validator(node, loc)

        def accepted(value: Any) -> bool:
            return bool(validator.is_valid(value))

        return accepted

    def rejected_by_all(self, nodes: Sequence[Any], loc: _Loc) -> Callable[[Any], bool]:
        validators = [self.validator(node, loc) for node in nodes]

        def rejected(value: Any) -> bool:
            return not any(validator.is_valid(value) for validator in validators)

        return rejected

    # -- references ------------------------------------------------------------

    def _lookup(self, ref: str, loc: _Loc, *, counted: bool) -> _Part | None:
        """The target of a ``$ref``; None when recursion is at its depth bound."""
        target = urljoin(loc.base, ref)
        document = target.split("#", 1)[0] or loc.base
        if counted and loc.stack.count(target) >= self.max_depth:
            return None
        try:
            resolved = loc.resolver.lookup(ref)
        except referencing.exceptions.Unresolvable as exc:
            raise SchemaError(loc.base, "", f"$ref {ref!r} does not resolve ({exc})") from None
        dialect = self.dialects.get(document, loc.dialect)
        stack = (*loc.stack, target) if counted else loc.stack
        return resolved.contents, _Loc(
            document, resolved.resolver, dialect, stack, loc.nesting, loc.objects
        )

    def _is_pure_ref(self, node: Any, loc: _Loc) -> bool:
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return False
        return loc.dialect in _PRE_2019 or not (_assertion_keys(node) - {"$ref"})

    def deref(self, node: Any, loc: _Loc, *, counted: bool = True) -> _Part | None:
        """Follow pure ``$ref`` nodes to the schema they name."""
        hops = 0
        while self._is_pure_ref(node, loc):
            found = self._lookup(node["$ref"], loc, counted=counted)
            if found is None:
                return None
            node, loc = found
            hops += 1
            if hops > 64:
                raise SchemaError(
                    loc.base, "", "$ref chain does not end (a ref cycle with no schema)"
                )
        return node, loc

    def _ref(self, ref: str, loc: _Loc) -> Strategy | None:
        target = urljoin(loc.base, ref)
        key = (target, loc.stack.count(target), loc.nesting)
        if key in self._ref_memo:
            return self._ref_memo[key]
        found = self._lookup(ref, loc, counted=True)
        result = None if found is None else self.compile(*found)
        self._ref_memo[key] = result
        return result

    # -- compilation -------------------------------------------------------------

    def compile(self, node: Any, loc: _Loc) -> Strategy | None:
        """A strategy for values valid against ``node``; None when none can be generated."""
        if node is True:
            return json_values()
        if node is False or not isinstance(node, dict):
            return None
        if "$ref" in node and isinstance(node["$ref"], str):
            if self._is_pure_ref(node, loc):
                return self._ref(node["$ref"], loc)
            return self.all_of([(_without(node, "$ref"), loc), ({"$ref": node["$ref"]}, loc)])
        if "allOf" in node:
            folded = _fold_pattern_members(node)
            if folded is not None:
                return self.compile(folded, loc)
            return self.all_of(
                [(_without(node, "allOf"), loc), *((member, loc) for member in node["allOf"])]
            )
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                return self._union(node, keyword, loc)
        if "not" in node:
            rest = self.compile(_without(node, "not"), loc)
            if rest is None:
                return None
            excluded = node["not"]
            return rest.filter(lambda value: not self.is_valid(excluded, loc, value))
        strategy = self._typed(node, loc)
        if strategy is not None and _assertion_keys(node) & _FILTERED:
            whole = node
            strategy = strategy.filter(lambda value: self.is_valid(whole, loc, value))
        return strategy

    def _union(self, node: dict[str, Any], keyword: str, loc: _Loc) -> Strategy | None:
        rest = _without(node, keyword)
        branches: list[Any] = list(node[keyword])
        options: list[Strategy] = []
        for index, branch in enumerate(branches):
            if _assertion_keys(rest):
                option = self.all_of([(rest, loc), (branch, loc)])
            else:
                option = self.compile(branch, loc)
            if option is None:
                continue
            if keyword == "oneOf":
                others = [other for position, other in enumerate(branches) if position != index]
                option = option.filter(self.rejected_by_all(others, loc))
            options.append(option)
        return st.one_of(options) if options else None

    def all_of(self, parts: Sequence[_Part]) -> Strategy | None:
        """Values valid against every part. Object parts are merged; others filter the first."""
        flat: list[_Part] = []
        pending = list(parts)
        while pending:
            node, loc = pending.pop(0)
            found = self.deref(node, loc)
            if found is None:
                return None
            node, loc = found
            if node is True or (isinstance(node, dict) and not _assertion_keys(node)):
                continue
            if node is False or not isinstance(node, dict):
                return None
            if "allOf" in node:
                pending[:0] = [(_without(node, "allOf"), loc), *((m, loc) for m in node["allOf"])]
                continue
            if "$ref" in node and isinstance(node["$ref"], str):
                pending[:0] = [(_without(node, "$ref"), loc), ({"$ref": node["$ref"]}, loc)]
                continue
            flat.append((node, loc))
        if not flat:
            return json_values()
        if len(flat) == 1:
            return self.compile(*flat[0])
        for position, (node, loc) in enumerate(flat):
            for keyword in ("anyOf", "oneOf"):
                if keyword in node:
                    # Distribute: A and (B or C) generates as (A and B) or (A and C).
                    others = flat[:position] + flat[position + 1 :]
                    rest = (_without(node, keyword), loc)
                    options = []
                    for branch in node[keyword]:
                        option = self.all_of([*others, rest, (branch, loc)])
                        if option is not None:
                            options.append(option)
                    if not options:
                        return None
                    union = st.one_of(options)
                    if keyword == "oneOf":
                        union = union.filter(self.accepted_by(node, loc))
                    return union
        if all(_is_object_shaped(node) for node, _ in flat):
            return self._object(flat)
        primary_index = max(range(len(flat)), key=lambda i: _generation_rank(flat[i][0]))
        primary = self.compile(*flat[primary_index])
        if primary is None:
            return None
        others = flat[:primary_index] + flat[primary_index + 1 :]
        return primary.filter(lambda value: all(self.is_valid(n, loc, value) for n, loc in others))

    def _typed(self, node: dict[str, Any], loc: _Loc) -> Strategy | None:
        if "const" in node:
            return self._filtered_by_rest(st.just(node["const"]), node, loc, "const")
        if "enum" in node:
            values = list(node["enum"])
            if not values:
                return None
            return self._filtered_by_rest(st.sampled_from(values), node, loc, "enum")
        types = _types_of(node)
        if types is None:
            return json_values()
        options: list[Strategy] = []
        for type_name in types:
            if type_name == "integer" and "number" in types:
                continue
            option = self._for_type(type_name, node, loc)
            if option is not None:
                options.append(option)
        return st.one_of(options) if options else None

    def _filtered_by_rest(
        self, strategy: Strategy, node: dict[str, Any], loc: _Loc, keyword: str
    ) -> Strategy | None:
        if _assertion_keys(node) - {keyword}:
            return strategy.filter(lambda value: self.is_valid(node, loc, value))
        return strategy

    def _for_type(self, type_name: str, node: dict[str, Any], loc: _Loc) -> Strategy | None:
        if type_name == "null":
            return st.none()
        if type_name == "boolean":
            return st.booleans()
        if type_name == "integer":
            return self._integer(node, loc)
        if type_name == "number":
            return self._number(node, loc)
        if type_name == "string":
            return self._string(node, loc)
        if type_name == "array":
            return self._array(node, loc)
        if type_name == "object":
            return self._object([(node, loc)])
        return None

    # -- scalars -------------------------------------------------------------------

    def _bounds(self, node: dict[str, Any]) -> tuple[float | None, bool, float | None, bool]:
        low, high = node.get("minimum"), node.get("maximum")
        low_open = high_open = False
        exclusive_low, exclusive_high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        if isinstance(exclusive_low, bool):  # draft-04 spelling
            low_open = exclusive_low
        elif isinstance(exclusive_low, (int, float)) and (low is None or exclusive_low >= low):
            low, low_open = exclusive_low, True
        if isinstance(exclusive_high, bool):
            high_open = exclusive_high
        elif isinstance(exclusive_high, (int, float)) and (high is None or exclusive_high <= high):
            high, high_open = exclusive_high, True
        return low, low_open, high, high_open

    def _integer_range(self, node: dict[str, Any]) -> tuple[int, int]:
        low, low_open, high, high_open = self._bounds(node)
        lowest = -MAX_SAFE_INTEGER
        highest = MAX_SAFE_INTEGER
        if low is not None:
            lowest = max(
                lowest,
                math.floor(low) + 1 if low_open and float(low).is_integer() else math.ceil(low),
            )
        if high is not None:
            highest = min(
                highest,
                math.ceil(high) - 1 if high_open and float(high).is_integer() else math.floor(high),
            )
        return lowest, highest

    def _integer(self, node: dict[str, Any], loc: _Loc) -> Strategy | None:
        lowest, highest = self._integer_range(node)
        if lowest > highest:
            return None
        multiple = node.get("multipleOf")
        if isinstance(multiple, (int, float)) and multiple > 0:
            if float(multiple).is_integer():
                step = int(multiple)
                first, last = -(-lowest // step), highest // step
                if first > last:
                    return None
                return st.integers(first, last).map(lambda k: k * step)
            check = {"multipleOf": multiple}
            return st.integers(lowest, highest).filter(self.accepted_by(check, loc))
        return st.integers(lowest, highest)

    def _number(self, node: dict[str, Any], loc: _Loc) -> Strategy | None:
        multiple = node.get("multipleOf")
        integers = self._integer(node, loc)
        if isinstance(multiple, (int, float)) and multiple > 0:
            if float(multiple).is_integer():
                return integers
            low, _, high, _ = self._bounds(node)
            first = math.ceil(low / multiple) if low is not None else -(10**6)
            last = math.floor(high / multiple) if high is not None else 10**6
            if first > last:
                return integers
            whole = node
            scaled = st.integers(first, last).map(lambda k: k * multiple)
            floats = scaled.filter(self.accepted_by(whole, loc))
            return floats if integers is None else st.one_of(integers, floats)
        low, low_open, high, high_open = self._bounds(node)
        if (
            low is not None
            and high is not None
            and (low > high or (low == high and (low_open or high_open)))
        ):
            return integers  # no number fits (`0 < x <= 0`): None unless an integer does
        floats = st.floats(
            min_value=low,
            max_value=high,
            exclude_min=low_open and low is not None,
            exclude_max=high_open and high is not None,
            allow_nan=False,
            allow_infinity=False,
        )
        return floats if integers is None else st.one_of(integers, floats)

    def _string(self, node: dict[str, Any], loc: _Loc) -> Strategy | None:
        shortest = int(node.get("minLength", 0))
        longest = node.get("maxLength")
        if longest is not None and int(longest) < shortest:
            return None
        patterns = _string_patterns(node)
        fmt = node.get("format")
        known = format_strategy(fmt) if isinstance(fmt, str) else None
        checks: list[Callable[[str], bool]] = []
        if known is not None:
            base: st.SearchStrategy[str] = known
            checks.append(lambda text: shortest <= len(text))
        elif len(patterns) > 1 and (walks := _conjunction_strings(patterns)) is not None:
            base = walks
        elif patterns and (generation := _generation(patterns[0])) is not None:
            base = st.from_regex(generation, fullmatch=True)
            checks.append(lambda text: shortest <= len(text))
        else:
            cap = int(longest) if longest is not None else shortest + 12
            base = st.text(_characters(), min_size=shortest, max_size=cap)
        if longest is not None:
            limit = int(longest)
            checks.append(lambda text: utf16_length(text) <= limit)
        if patterns:
            checks.append(lambda text: all(matches_everywhere(p, text) for p in patterns))
        # An unknown format asserts nothing (JSON Schema's rule), so it needs no check here.
        if checks:
            # A named predicate: hypothesis parses the source of lambdas given to filter().
            def acceptable(text: str) -> bool:
                return all(check(text) for check in checks)

            return base.filter(acceptable)
        return base

    # -- arrays ----------------------------------------------------------------------

    def _array(self, node: dict[str, Any], loc: _Loc) -> Strategy | None:
        prefix_nodes: list[Any] = []
        rest_node: Any = True
        if "prefixItems" in node:
            prefix_nodes = list(node["prefixItems"])
            rest_node = node.get("items", True)
        elif isinstance(node.get("items"), list):
            prefix_nodes = list(node["items"])
            rest_node = node.get("additionalItems", True)
        elif "items" in node:
            rest_node = node["items"]
        shortest = int(node.get("minItems", 0))
        longest = node.get("maxItems")
        longest = int(longest) if longest is not None else None
        prefix: list[Strategy] = []
        for item in prefix_nodes:
            compiled = self.compile(item, loc.inside_collection())
            if compiled is None:
                break  # positions from here on cannot exist
            prefix.append(compiled)
        inner = loc.inside_collection()
        rest = self.compile(rest_node, inner) if len(prefix) == len(prefix_nodes) else None
        # Payloads stay small: a few members beyond the minimum, fewer inside recursion.
        ceiling = shortest + _extra_members_allowed(loc)
        if longest is not None:
            ceiling = min(ceiling, longest)
        if rest is None:
            ceiling = min(ceiling, len(prefix))
        if shortest > ceiling:
            return None
        unique = bool(node.get("uniqueItems"))
        if unique and not prefix_nodes:
            distinct = _distinct_values(rest_node)
            if distinct is not None and shortest > distinct:
                return None  # `minItems: 2` unique items of `type: null`: no such array
        if not prefix:
            assert rest is not None or ceiling == 0
            items = rest if rest is not None else st.nothing()
            return st.lists(
                items,
                min_size=shortest,
                max_size=ceiling,
                unique_by=canonical_json if unique else None,
            )

        def build(count: int) -> Strategy:
            head = st.tuples(*prefix[:count]).map(list)
            if count < len(prefix) or rest is None:
                return head
            tail = st.lists(rest, min_size=max(0, shortest - count), max_size=ceiling - count)
            return st.tuples(head, tail).map(lambda pair: pair[0] + pair[1])

        lowest_count = min(shortest, len(prefix))
        highest_count = min(len(prefix), ceiling)
        if lowest_count == highest_count:
            strategy = build(highest_count)
        else:
            strategy = st.integers(lowest_count, highest_count).flatmap(build)
        if unique:
            strategy = strategy.filter(
                lambda items: len({canonical_json(i) for i in items}) == len(items)
            )
        return strategy

    # -- objects -----------------------------------------------------------------------

    def _object(self, parts: Sequence[_Part]) -> Strategy | None:
        """One object valid against every part (an allOf of object schemas is merged here)."""
        shape = _ObjectShape.of(parts)
        declared = list(
            dict.fromkeys(name for part in shape.parts for name in _properties(part[0]))
        )
        required = list(
            dict.fromkeys(name for part in shape.parts for name in part[0].get("required", []))
        )
        for name in required:
            if name not in declared:
                declared.append(name)
        required_strategies: dict[str, Strategy] = {}
        optional_strategies: dict[str, Strategy] = {}
        for name in declared:
            constraints = shape.constraints_for(name, self)
            if constraints is None:
                if name in required:
                    return None
                continue
            constraints = [(sub, where.inside_object()) for sub, where in constraints]
            value = (
                self.all_of(constraints) if len(constraints) != 1 else self.compile(*constraints[0])
            )
            if value is None:
                if name in required:
                    return None
                continue
            if name in required:
                required_strategies[name] = value
            else:
                optional_strategies[name] = value
        base = st.fixed_dictionaries(required_strategies, optional=optional_strategies)
        extras = self._extra_members(shape, set(declared))
        strategy: Strategy = base
        if extras is not None:
            strategy = st.tuples(base, extras).map(lambda pair: {**pair[1], **pair[0]})
        lowest = max((int(p[0].get("minProperties", 0)) for p in shape.parts), default=0)
        highest_values = [
            int(p[0]["maxProperties"]) for p in shape.parts if "maxProperties" in p[0]
        ]
        if lowest or highest_values:
            highest = min(highest_values) if highest_values else None
            strategy = strategy.filter(
                lambda obj: len(obj) >= lowest and (highest is None or len(obj) <= highest)
            )
        if shape.needs_name_check:
            strategy = strategy.filter(lambda obj: shape.names_ok(obj, self))
        return strategy

    def _extra_members(self, shape: _ObjectShape, declared: set[str]) -> Strategy | None:
        """Undeclared members, where every part allows some; None when none are allowed."""
        if shape.closed:
            return None
        keys = self._extra_keys(shape, declared)
        if keys is None:
            return None
        value_parts = shape.additional_schemas
        value_parts = [(node, where.inside_collection()) for node, where in value_parts]
        values = self.all_of(value_parts) if value_parts else json_values(max_leaves=3)
        if values is None:
            return None
        # Records (no declared properties) get a few members; open objects stay small.
        size = min(_extra_members_allowed(shape.parts[0][1]), 2 if declared else EXTRA_MEMBERS)
        if size == 0:
            return None  # one draw level less per object: hypothesis caps nested draws at 100
        return st.dictionaries(keys, values, max_size=size)

    def _extra_keys(self, shape: _ObjectShape, declared: set[str]) -> st.SearchStrategy[str] | None:
        name_parts = shape.property_names
        if name_parts:
            key_nodes = [({"type": "string"}, name_parts[0][1]), *name_parts]
            keys = self.all_of(key_nodes)
            if keys is None:
                return None
        else:
            keys = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=10)

        def undeclared(key: Any) -> bool:
            return isinstance(key, str) and key not in declared and not shape.matches_pattern(key)

        return keys.filter(undeclared)

    # -- what a stripping reader keeps -------------------------------------------------

    def applicable_parts(self, value: Any, node: Any, loc: _Loc) -> list[_Part]:
        """The schema nodes that apply to ``value`` at one place: ``node``, its ``allOf`` and
        ``$ref`` members, and the first ``anyOf``/``oneOf`` branch ``value`` satisfies."""
        parts: list[_Part] = []
        pending: list[_Part] = [(node, loc)]
        while pending and len(parts) < 64:
            current = self.deref(*pending.pop(0), counted=False)
            if current is None or not isinstance(current[0], dict):
                continue
            node, loc = current
            parts.append((node, loc))
            pending.extend((member, loc) for member in node.get("allOf", []))
            if "$ref" in node and isinstance(node["$ref"], str):
                pending.append(({"$ref": node["$ref"]}, loc))
            for keyword in ("anyOf", "oneOf"):
                for branch in node.get(keyword, []):
                    if self.is_valid(branch, loc, value):
                        pending.append((branch, loc))
                        break
        return parts

    def without_undeclared(self, value: Any, node: Any, loc: _Loc) -> Any:
        """``value`` as a reader that strips undeclared keys (a plain ``z.object()``) keeps it.

        Keys are kept where the object's schema declares them (``properties``,
        ``patternProperties``) or opens the object explicitly (``additionalProperties``
        true or a schema). An object schema that only omits ``additionalProperties`` (as
        zod-to-json-schema does for intersections) is read as stripping.
        """
        parts = self.applicable_parts(value, node, loc)
        if isinstance(value, dict):
            object_parts = [p for p in parts if _OBJECT_KEYWORDS & set(p[0])]
            if not object_parts:
                return value
            kept: dict[str, Any] = {}
            for key, member in value.items():
                sub_parts: list[_Part] = []
                keep = False
                for part_node, part_loc in object_parts:
                    properties = _properties(part_node)
                    additional = part_node.get("additionalProperties")
                    if key in properties:
                        sub_parts.append((properties[key], part_loc))
                        keep = True
                    elif any(
                        matches_everywhere(pattern, key)
                        for pattern in part_node.get("patternProperties", {})
                    ):
                        keep = True
                    elif additional is True or isinstance(additional, dict):
                        if isinstance(additional, dict):
                            sub_parts.append((additional, part_loc))
                        keep = True
                if keep:
                    for sub_node, sub_loc in sub_parts:
                        member = self.without_undeclared(member, sub_node, sub_loc)
                    kept[key] = member
            return kept
        if isinstance(value, list):
            items = list(value)
            for part_node, part_loc in parts:
                positions = part_node.get("prefixItems")
                rest = part_node.get("items")
                if isinstance(rest, list):
                    positions, rest = rest, part_node.get("additionalItems")
                for index, item in enumerate(items):
                    item_node = (
                        positions[index]
                        if isinstance(positions, list) and index < len(positions)
                        else rest
                    )
                    if isinstance(item_node, dict):
                        items[index] = self.without_undeclared(item, item_node, part_loc)
            return items
        return value

    # -- near misses -----------------------------------------------------------------

    def edits(self, value: Any, node: Any, loc: _Loc, path: Path = ()) -> Iterator[_Edit]:
        """Single-constraint edits of ``value`` (valid for ``node``) that may make it invalid."""
        found = self.deref(node, loc, counted=False)
        if found is None:
            return
        node, loc = found
        if not isinstance(node, dict):
            return
        yield from self._type_edits(value, node, loc, path)
        if "const" in node:
            yield _Edit(
                path,
                "const",
                f"{_short(_different(node['const']))} instead of the const",
                value=_different(node["const"]),
            )
        if "enum" in node:
            outside = _outside_enum(node["enum"], value)
            if outside is not None:
                yield _Edit(path, "enum", f"{_short(outside)} is not in the enum", value=outside)
        for keyword in ("enum", "const"):
            if keyword not in node:
                continue
            allowed = node["enum"] if keyword == "enum" else [node["const"]]
            lookalike = _boolean_lookalike(allowed) if isinstance(allowed, list) else None
            if lookalike is not None:
                yield _Edit(
                    path,
                    keyword,
                    f"{_short(lookalike)} is not {int(lookalike)} (a JSON boolean is no number)",
                    value=lookalike,
                )
        if isinstance(value, str):
            yield from self._string_edits(value, node, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield from self._number_edits(value, node, path)
        elif isinstance(value, list):
            yield from self._array_edits(value, node, loc, path)
        elif isinstance(value, dict):
            yield from self._object_edits(value, node, loc, path)
        members: list[Any] = []
        if "allOf" in node:
            members.extend(node["allOf"])
        if "$ref" in node and isinstance(node["$ref"], str):
            members.append({"$ref": node["$ref"]})
        for keyword in ("anyOf", "oneOf"):
            for branch in node.get(keyword, []):
                if self.is_valid(branch, loc, value):
                    members.append(branch)
                    break
        for member in members:
            yield from self.edits(value, member, loc, path)

    def _type_edits(
        self, value: Any, node: dict[str, Any], loc: _Loc, path: Path
    ) -> Iterator[_Edit]:
        current = _json_type(value)
        key = (id(node), loc.base, current)
        found = self._type_edit_memo.get(key)
        if found is None:
            # Depends only on the node and the value's JSON type: computed once per pair.
            null_breaks = value is not None and not self.is_valid(node, loc, None)
            stand_in = next(
                (c for c in _stand_ins(value) if not self.is_valid(node, loc, c)), _NO_STAND_IN
            )
            found = self._type_edit_memo[key] = (node, null_breaks, stand_in)
        _, null_breaks, stand_in = found
        if null_breaks:
            yield _Edit(path, "null", "null where the schema allows none", value=None)
        if stand_in is not _NO_STAND_IN:
            yield _Edit(
                path, "type", f"{_json_type(stand_in)} instead of {current}", value=stand_in
            )

    def _string_edits(self, value: str, node: dict[str, Any], path: Path) -> Iterator[_Edit]:
        if isinstance(node.get("maxLength"), int):
            limit = node["maxLength"]
            longer = value + (value[-1:] or "x") * (limit + 1 - len(value))
            yield _Edit(
                path, "maxLength", f"{len(longer)} characters, more than {limit}", value=longer
            )
        if isinstance(node.get("minLength"), int) and node["minLength"] > 0:
            limit = node["minLength"]
            yield _Edit(
                path,
                "minLength",
                f"{limit - 1} characters, fewer than {limit}",
                value=value[: limit - 1],
            )
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            for candidate in _pattern_misses(value):
                if not matches_everywhere(pattern, candidate):
                    yield _Edit(
                        path,
                        "pattern",
                        f"{_short(candidate)} does not match {pattern!r}",
                        value=candidate,
                    )
                    break
        fmt = node.get("format")
        if fmt == "date-time" and value.endswith("Z"):
            # Valid RFC 3339, but Zod's .datetime() rejects offsets: kept only under zod semantics.
            shifted = value[:-1] + "+00:00"
            yield _Edit(path, "format", f"{shifted!r} has an offset instead of Z", value=shifted)
        if fmt == "date" and len(value) == 10:
            # Lax readers take a midnight date-time for a date; Zod's .date() does not.
            stamped = value + "T00:00:00Z"
            yield _Edit(path, "format", f"{stamped!r} is a date-time, not a date", value=stamped)
        if isinstance(fmt, str) and fmt in NOT_A:
            yield _Edit(path, "format", f"{NOT_A[fmt]!r} is not a {fmt}", value=NOT_A[fmt])

    def _number_edits(self, value: float, node: dict[str, Any], path: Path) -> Iterator[_Edit]:
        low, low_open, high, high_open = self._bounds(node)
        if low is not None:
            below = low if low_open else low - 1
            kind = "exclusiveMinimum" if low_open else "minimum"
            yield _Edit(path, kind, f"{below} is below the {kind} {low}", value=below)
        if high is not None:
            above = high if high_open else high + 1
            kind = "exclusiveMaximum" if high_open else "maximum"
            yield _Edit(path, kind, f"{above} is above the {kind} {high}", value=above)
        multiple = node.get("multipleOf")
        if isinstance(multiple, (int, float)) and multiple > 0:
            off = value + multiple / 2
            yield _Edit(path, "multipleOf", f"{off} is not a multiple of {multiple}", value=off)
        if "integer" in _declared_types(node) and "number" not in _declared_types(node):
            yield _Edit(path, "type", f"{value + 0.5} is not an integer", value=value + 0.5)

    def _array_edits(
        self, value: list[Any], node: dict[str, Any], loc: _Loc, path: Path
    ) -> Iterator[_Edit]:
        if isinstance(node.get("maxItems"), int):
            limit = node["maxItems"]
            filler = value[-1] if value else None
            longer = value + [filler] * (limit + 1 - len(value))
            yield _Edit(path, "maxItems", f"{len(longer)} items, more than {limit}", value=longer)
        if isinstance(node.get("minItems"), int) and node["minItems"] > 0:
            limit = node["minItems"]
            yield _Edit(
                path, "minItems", f"{limit - 1} items, fewer than {limit}", value=value[: limit - 1]
            )
        if node.get("uniqueItems") and value:
            yield _Edit(path, "uniqueItems", "a duplicated item", value=[*value, value[0]])
        closed_tuple = ("prefixItems" in node and node.get("items") is False) or (
            isinstance(node.get("items"), list) and node.get("additionalItems") is False
        )
        if closed_tuple:
            yield _Edit(
                path, "items", "an item past the end of a closed tuple", value=[*value, None]
            )
        positions: list[Any] = list(
            node.get("prefixItems")
            or (node["items"] if isinstance(node.get("items"), list) else [])
        )
        rest = (
            node.get("items")
            if "prefixItems" in node
            else node.get("additionalItems")
            if positions
            else node.get("items")
        )
        for index, item in enumerate(value):
            item_node = positions[index] if index < len(positions) else rest
            if item_node is None or isinstance(item_node, bool):
                continue
            yield from self.edits(item, item_node, loc, (*path, index))

    def _object_edits(
        self, value: dict[str, Any], node: dict[str, Any], loc: _Loc, path: Path
    ) -> Iterator[_Edit]:
        properties = _properties(node)
        for name in node.get("required", []):
            if name in value:
                yield _Edit(
                    (*path, name), "required", f"required property {name!r} is missing", op="delete"
                )
        if node.get("additionalProperties") is False:
            key = _unused_key(value, properties, node.get("patternProperties", {}))
            yield _Edit(
                (*path, key), "additionalProperties", f"unexpected property {key!r}", value="x"
            )
        names = node.get("propertyNames")
        if isinstance(names, dict) and isinstance(names.get("enum"), list) and value:
            key = _unused_key(value, {str(v): True for v in names["enum"]}, {})
            sample = next(iter(value.values()))
            yield _Edit((*path, key), "propertyNames", f"key {key!r} is not allowed", value=sample)
        if isinstance(node.get("maxProperties"), int):
            limit = node["maxProperties"]
            extra = {f"extra{i}": None for i in range(limit + 1 - len(value))}
            yield _Edit(
                path, "maxProperties", f"more than {limit} properties", value={**value, **extra}
            )
        additional = node.get("additionalProperties")
        for name, member in value.items():
            if name in properties:
                yield from self.edits(member, properties[name], loc, (*path, name))
            elif isinstance(additional, dict):
                yield from self.edits(member, additional, loc, (*path, name))


def _generation_rank(node: Mapping[str, Any]) -> tuple[bool, bool, bool, int]:
    """Which allOf member to generate from (the others filter): the most specific one."""
    keys = set(node)
    return (
        bool(keys & {"enum", "const"}),
        bool(keys & {"pattern", "format"}),
        "type" in keys,
        len(keys),
    )


# Below this many enclosing objects and collections nothing optional is added: one undeclared
# member at every level of a schema nested to the limit (limits.py) overruns hypothesis's
# data budget, and arrays of two members at every level double the payload per level.
_EXTRA_MEMBERS_DEPTH = 8


def _extra_members_allowed(loc: _Loc) -> int:
    if loc.objects >= _EXTRA_MEMBERS_DEPTH:
        return 0
    recursion = len(loc.stack) - len(set(loc.stack))
    return max(1, EXTRA_MEMBERS >> (recursion + loc.nesting))


def _properties(node: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = node.get("properties", {})
    return properties if isinstance(properties, Mapping) else {}


def _is_object_shaped(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    keys = _assertion_keys(node)
    if not keys <= (_OBJECT_KEYWORDS | {"type"}):
        return False
    declared = node.get("type", "object")
    return bool(declared == "object" or declared == ["object"])


@dataclass
class _ObjectShape:
    parts: list[_Part]

    @classmethod
    def of(cls, parts: Sequence[_Part]) -> _ObjectShape:
        return cls(list(parts))

    @property
    def closed(self) -> bool:
        return any(
            part[0].get("additionalProperties") is False and not part[0].get("patternProperties")
            for part in self.parts
        )

    @property
    def additional_schemas(self) -> list[_Part]:
        return [
            (p[0]["additionalProperties"], p[1])
            for p in self.parts
            if isinstance(p[0].get("additionalProperties"), dict)
        ]

    @property
    def property_names(self) -> list[_Part]:
        return [(p[0]["propertyNames"], p[1]) for p in self.parts if "propertyNames" in p[0]]

    @property
    def needs_name_check(self) -> bool:
        return bool(self.property_names) or any(p[0].get("patternProperties") for p in self.parts)

    def matches_pattern(self, key: str) -> bool:
        return any(
            matches_everywhere(pattern, key)
            for node, _ in self.parts
            for pattern in node.get("patternProperties", {})
        )

    def names_ok(self, obj: Mapping[str, Any], compiler: SchemaCompiler) -> bool:
        for node, loc in self.parts:
            check = {
                key: node[key]
                for key in (
                    "propertyNames",
                    "patternProperties",
                    "additionalProperties",
                    "properties",
                )
                if key in node
            }
            if check and not compiler.is_valid(check, loc, dict(obj)):
                return False
        return True

    def constraints_for(self, name: str, compiler: SchemaCompiler) -> list[_Part] | None:
        """The subschemas a member ``name`` must satisfy; None when some part forbids it."""
        constraints: list[_Part] = []
        for node, loc in self.parts:
            properties = _properties(node)
            matched = False
            if name in properties:
                constraints.append((properties[name], loc))
                matched = True
            for pattern, sub in node.get("patternProperties", {}).items():
                if matches_everywhere(pattern, name):
                    constraints.append((sub, loc))
                    matched = True
            if not matched:
                additional = node.get("additionalProperties", True)
                if additional is False:
                    return None
                if isinstance(additional, dict):
                    constraints.append((additional, loc))
            names = node.get("propertyNames")
            if names is not None and not compiler.is_valid(names, loc, name):
                return None
        return constraints or [(True, self.parts[0][1])]


def _types_of(node: Mapping[str, Any]) -> list[str] | None:
    declared = node.get("type")
    types: list[str] | None
    if isinstance(declared, str):
        types = [declared]
    elif isinstance(declared, list):
        types = [t for t in declared if isinstance(t, str)]
    else:
        keys = set(node)
        inferred = []
        if keys & _STRING_KEYWORDS:
            inferred.append("string")
        if keys & _NUMBER_KEYWORDS:
            inferred.append("number")
        if keys & _ARRAY_KEYWORDS:
            inferred.append("array")
        if keys & _OBJECT_KEYWORDS:
            inferred.append("object")
        types = inferred or None
    # ``nullable`` is OpenAPI's, not JSON Schema's: validators ignore it, so generation does too.
    return types


def _distinct_values(node: Any) -> int | None:
    """How many distinct values a schema allows, when it is visibly few (null, boolean,
    const, enum); None when unknown or many."""
    if not isinstance(node, dict):
        return None
    if "const" in node:
        return 1
    if isinstance(node.get("enum"), list):
        return len({canonical_json(value) for value in node["enum"]})
    declared = node.get("type")
    if declared == "null":
        return 1
    if declared == "boolean":
        return 2
    return None


def _declared_types(node: Mapping[str, Any]) -> list[str]:
    return _types_of(node) or []


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _stand_ins(value: Any) -> list[Any]:
    """Values of other JSON types, to put where ``value`` was."""
    candidates: list[Any] = ["12345", 12345, True, ["x"], {"x": 1}]
    current = _json_type(value)
    return [
        c
        for c in candidates
        if _json_type(c) != current and not (current == "number" and _json_type(c) == "integer")
    ]


def _different(value: Any) -> Any:
    if isinstance(value, str):
        return value + "_other"
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    return "other"


def _boolean_lookalike(values: Sequence[Any]) -> bool | None:
    """``true``/``false`` where the members have 1/0: equal in Python, never in JSON."""
    if any(isinstance(v, bool) for v in values):
        return None
    for value in values:
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
    return None


def _outside_enum(values: Sequence[Any], current: Any) -> Any:
    keys = {canonical_json(v) for v in values}
    if isinstance(current, str) or all(isinstance(v, str) for v in values):
        base = str(current) if isinstance(current, str) else "value"
        for suffix in ("_not_in_enum", "_x", "__"):
            if canonical_json(base + suffix) not in keys:
                return base + suffix
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers:
        return max(numbers) + 1
    for candidate in ("not_in_enum", 987654321, False, True):
        if canonical_json(candidate) not in keys:
            return candidate
    return None


# Where the string patterns of an ``allOf`` (Zod's ``.startsWith().endsWith()``, two
# ``.regex()`` checks) are carried once folded into their node: generating from one and
# filtering by the others almost never finds a string, their automata's intersection does.
_ALSO_PATTERNS = "x-tc-also-patterns"


def _fold_pattern_members(node: dict[str, Any]) -> dict[str, Any] | None:
    """``node`` with its pattern-only ``allOf`` members moved under ``_ALSO_PATTERNS``;
    None when it has none."""
    members = node["allOf"]
    if not isinstance(members, list):
        return None
    patterns = [m for m in members if isinstance(m, dict) and set(m) == {"pattern"}]
    if not patterns or not all(isinstance(m["pattern"], str) for m in patterns):
        return None
    folded = _without(node, "allOf")
    rest = [m for m in members if not any(m is p for p in patterns)]
    if rest:
        folded["allOf"] = rest
    folded[_ALSO_PATTERNS] = [
        *node.get(_ALSO_PATTERNS, []),
        *(member["pattern"] for member in patterns),
    ]
    return folded


def _string_patterns(node: dict[str, Any]) -> list[str]:
    own = node.get("pattern")
    return [*([own] if isinstance(own, str) else []), *node.get(_ALSO_PATTERNS, [])]


def _conjunction_strings(patterns: list[str]) -> st.SearchStrategy[str] | None:
    """Strings that every pattern accepts, walked on their automata's intersection; None
    when a pattern has no automaton or the intersection is empty."""
    try:
        accepted = intersection(patterns)
    except Unreadable:
        return None
    if accepted.empty():
        return None

    @st.composite
    def walks(draw: st.DrawFn) -> str:
        text = walk(accepted, lambda n: draw(st.integers(0, n - 1)))
        return "" if text is None else text

    return walks()


def _generation(pattern: str) -> re.Pattern[str] | None:
    """The pattern for ``from_regex``; None for what ``re`` cannot express (a variable-length
    lookbehind): such a string is drawn as text and filtered by the ECMA check instead."""
    try:
        return compile_generation(pattern)
    except re.error:
        return None


def _pattern_misses(value: str) -> list[str]:
    candidates = []
    # The Zod gap first: a non-ASCII digit where an ASCII one was (ECMA \d rejects it).
    for index, char in enumerate(value):
        if char.isdigit() and char.isascii():
            candidates.append(value[:index] + chr(0x0660 + int(char)) + value[index + 1 :])
            break
    candidates.append(value + "\n")
    candidates.extend([value + "!", "!" + value, "", " "])
    return candidates


def _unused_key(
    value: Mapping[str, Any], declared: Mapping[str, Any], patterns: Mapping[str, Any]
) -> str:
    for candidate in ("unexpectedKey", "unexpected_key", "zzUnexpected", "x-unexpected"):
        if (
            candidate not in value
            and candidate not in declared
            and not any(matches_everywhere(p, candidate) for p in patterns)
        ):
            return candidate
    return "unexpected" + str(len(value))


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- public entry points ------------------------------------------------------------


def _resolve_target(
    schema: str | Schema | Mapping[str, Any] | bool,
    schema_set: SchemaSet | None,
    registry: Registry[Any] | None,
    max_depth: int,
    semantics: Semantics,
    compiler: SchemaCompiler | None,
) -> tuple[SchemaCompiler, Any, _Loc]:
    if isinstance(schema, str):
        if schema_set is None:
            raise TypeError("payloads(name) needs schema_set=…")
        schema = schema_set[schema]
    if isinstance(schema, Schema):
        if compiler is None:
            if schema_set is not None:
                compiler = SchemaCompiler.for_schema_set(
                    schema_set, max_depth=max_depth, semantics=semantics
                )
            else:
                resource = Resource.from_contents(
                    schema.document, default_specification=schema.dialect.specification
                )
                standalone = (registry or Registry()).with_resource(schema.uri, resource)
                compiler = SchemaCompiler(
                    standalone,
                    {schema.uri: schema.dialect},
                    max_depth=max_depth,
                    semantics=semantics,
                )
        return compiler, schema.document, compiler.location(schema.uri)
    dialect = Dialect.DRAFT7
    if isinstance(schema, Mapping) and isinstance(schema.get("$schema"), str):
        dialect = Dialect.from_uri(schema["$schema"]) or Dialect.DRAFT7
    uri = (
        schema.get("$id", "urn:tc-contracts:anonymous")
        if isinstance(schema, Mapping)
        else "urn:tc-contracts:anonymous"
    )
    resource = Resource.from_contents(schema, default_specification=dialect.specification)
    base_registry = registry or (schema_set.registry if schema_set is not None else Registry())
    combined = base_registry.with_resource(uri, resource)
    dialects = {s.uri: s.dialect for s in schema_set} if schema_set is not None else {}
    dialects[uri] = dialect
    compiler = SchemaCompiler(combined, dialects, max_depth=max_depth, semantics=semantics)
    return compiler, schema, compiler.location(uri)


@contextmanager
def payloads_found(file: str) -> Iterator[None]:
    """Run hypothesis tests over a schema's payloads, turning "no example passed the
    filters" into a ``SchemaError`` naming the file: a schema whose constraints leave no
    value (a pattern that matches nothing beside a ``required``) is the contract's fault,
    and hypothesis's own message speaks of filters and assumptions the user never wrote."""
    try:
        yield
    except Unsatisfiable:
        raise SchemaError(
            file,
            "",
            "no payload could be generated: every candidate broke a constraint "
            "(the schema may admit no value at all)",
        ) from None


@dataclass(frozen=True)
class Target:
    """A schema to generate for: the compiler of its set, its node, and where it lives."""

    compiler: SchemaCompiler
    node: Any
    loc: _Loc

    @property
    def validator(self) -> jsonschema.protocols.Validator:
        return self.compiler.validator(self.node, self.loc)

    def valid(self) -> Strategy:
        strategy = self.compiler.compile(self.node, self.loc)
        if strategy is None:
            raise SchemaError(
                self.loc.base,
                "",
                "no payload can be generated (unsatisfiable, or recursion with no base case)",
            )
        return strategy

    def near_misses(self) -> st.SearchStrategy[NearMiss]:
        valid = self.valid()
        compiler, node, loc = self.compiler, self.node, self.loc
        root_validator = self.validator

        @st.composite
        def near_misses(draw: st.DrawFn) -> NearMiss:
            payload = draw(valid)
            edits = list(compiler.edits(payload, node, loc))
            if not edits:
                reject()
            # Pick the kind of constraint first, so every kind is tried, not mostly the
            # ones that apply at every node (null, type).
            kinds = sorted({edit.kind for edit in edits})
            # Offset by a digest of the payload: hypothesis's own choice here clusters on
            # its simplest values (whole kinds, required and type, went untried in 60
            # draws), while the payloads themselves are diverse.
            spread = zlib.crc32(json.dumps(payload, sort_keys=True, default=str).encode())
            kind = kinds[(draw(st.integers(0, len(kinds) - 1)) + spread) % len(kinds)]
            ordered = [e for e in edits if e.kind == kind] + [e for e in edits if e.kind != kind]
            start = draw(st.integers(0, sum(1 for e in edits if e.kind == kind) - 1))
            for edit in ordered[start:] + ordered[:start]:
                broken = edit.apply(payload)
                if not root_validator.is_valid(broken):
                    return NearMiss(broken, to_pointer(edit.path), edit.kind, edit.detail)
            reject()

        return near_misses()


def resolve_target(
    schema: str | Schema | Mapping[str, Any] | bool,
    *,
    schema_set: SchemaSet | None = None,
    registry: Registry[Any] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    semantics: Semantics = "zod",
    compiler: SchemaCompiler | None = None,
) -> Target:
    """Resolve what ``payloads`` and ``invalid_payloads`` accept as ``schema``."""
    found = _resolve_target(schema, schema_set, registry, max_depth, semantics, compiler)
    return Target(*found)


def payloads(
    schema: str | Schema | Mapping[str, Any] | bool,
    *,
    schema_set: SchemaSet | None = None,
    registry: Registry[Any] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    semantics: Semantics = "zod",
    compiler: SchemaCompiler | None = None,
) -> Strategy:
    """A strategy of payloads valid for ``schema``.

    ``schema`` is a schema name (with ``schema_set``), a ``Schema`` of a set, or a
    schema document. Refs resolve through ``schema_set``'s registry (or ``registry``)
    and never leave it. Raises ``SchemaError`` when the schema admits no value the
    generator can build (for example a recursion with no base case).
    """
    return resolve_target(
        schema,
        schema_set=schema_set,
        registry=registry,
        max_depth=max_depth,
        semantics=semantics,
        compiler=compiler,
    ).valid()


def invalid_payloads(
    schema: str | Schema | Mapping[str, Any] | bool,
    *,
    schema_set: SchemaSet | None = None,
    registry: Registry[Any] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    semantics: Semantics = "zod",
    compiler: SchemaCompiler | None = None,
) -> st.SearchStrategy[NearMiss]:
    """A strategy of ``NearMiss``: a valid payload with exactly one constraint broken.

    Each is checked against the whole schema, so every near miss is really rejected.
    """
    return resolve_target(
        schema,
        schema_set=schema_set,
        registry=registry,
        max_depth=max_depth,
        semantics=semantics,
        compiler=compiler,
    ).near_misses()
