"""Deterministic instances of canonical nodes: a minimal valid one, and seeded random ones.

The engine uses them to build witness payloads (a minimal object around a changed
property, say) and to search for a witness when a rule cannot construct one. Every
public result is checked with jsonschema against the pieces it was made for.
"""

from __future__ import annotations

import math
import random
import string
from collections.abc import Iterator
from typing import Any, Final

from tc_contracts_py.diff.nodes import (
    TYPES,
    Children,
    KeySource,
    Normalizer,
    Simple,
    canonical,
    is_forbidden,
    pattern_search,
)
from tc_contracts_py.diff.regexgen import string_matching
from tc_contracts_py.diff.validate import SideValidators


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

FORMAT_EXAMPLES: dict[str, str] = {
    "email": "someone@example.com",
    "idn-email": "someone@example.com",
    "uuid": "3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6f",
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "duration": "P1D",
    "uri": "https://example.com/a",
    "url": "https://example.com/a",
    "uri-reference": "https://example.com/a",
    "iri": "https://example.com/a",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "regex": "a+",
    "json-pointer": "/a",
    "ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "cuid": "cjld2cjxh0000qzrmn831i7rn",
    "cuid2": "tz4a98xxat96iws9zmbrgj3a",
    "nanoid": "V1StGXR8_Z5jdHi6B-myT",
    "emoji": "\U0001f600",
    "base64": "aGVsbG8=",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo",
}
# A string that no common format accepts, for "format added" witnesses.
NOT_A_FORMAT = "not a valid value"

_MINIMAL_DEPTH = 160
_RANDOM_DEPTH = 6
_ORDER_MINIMAL = ("null", "boolean", "number", "string", "array", "object")


def seeded_rng(seed: str) -> random.Random:
    """Witness search must be reproducible run to run; nothing here is a secret."""
    return random.Random(seed)  # noqa: S311


class Generator:
    """Instances for one side of a diff (its normaliser and its writer validators)."""

    def __init__(self, normalizer: Normalizer, validators: SideValidators) -> None:
        self.normalizer = normalizer
        self.validators = validators
        self._minimal: dict[tuple[Any, ...], Any] = {}

    # -- public, checked -------------------------------------------------------------
    def minimal(self, children: Children) -> Any:
        value = self._node(children, None, 0)
        if value is not MISSING and self.validators.accepts(children, value, reader=False):
            return value
        for attempt in range(8):
            value = self._node(children, seeded_rng(f"minimal:{attempt}"), 0)
            if value is not MISSING and self.validators.accepts(children, value, reader=False):
                return value
        return MISSING

    def minimal_simple(self, simple: Simple) -> Any:
        key = simple.key
        if key not in self._minimal:
            self._minimal[key] = MISSING
            found = MISSING
            for value in self.instances(simple, seeded_rng("minimal"), 8):
                found = value
                break
            self._minimal[key] = found
        return self._minimal[key]

    def unchecked_minimal(self, simple: Simple) -> Any:
        """The minimal instance without a jsonschema check, for parents of a witness.

        The whole witness is checked at the root anyway; checking every parent on the
        way up would validate a deep payload once per level (quadratic in depth).
        """
        key = ("unchecked", *simple.key)
        if key not in self._minimal:
            self._minimal[key] = MISSING
            self._minimal[key] = self._simple(simple, None, 0)
        return self._minimal[key]

    def array_of_length(self, simple: Simple, length: int) -> Any:
        """An array of exactly ``length`` minimal items for the slice's positions."""
        items: list[Any] = []
        for index in range(length):
            value = self.minimal(simple.item_schema(index))
            if value is MISSING:
                return MISSING
            items.append(value)
        return items

    def instances(self, simple: Simple, rng: random.Random, count: int) -> Iterator[Any]:
        """Up to ``count`` distinct valid instances: the minimal one first, then random ones."""
        seen: set[str] = set()
        for attempt in range(count * 2):
            value = self._simple(simple, None if attempt == 0 else rng, 0)
            if value is MISSING:
                continue
            text = canonical(value)
            if text in seen:
                continue
            seen.add(text)
            if self.validators.accepts(simple.pieces, value, reader=False):
                yield value
                count -= 1
                if count <= 0:
                    return

    # -- unchecked construction ------------------------------------------------------
    def _node(self, children: Children, rng: random.Random | None, depth: int) -> Any:
        if is_forbidden(children):
            return MISSING
        node = self.normalizer.node(children)
        if node.too_complex or not node.variants:
            return MISSING
        if rng is None or depth >= _RANDOM_DEPTH:
            variants = sorted(node.variants, key=lambda s: _ORDER_MINIMAL.index(s.type))
            for variant in variants:
                value = self._simple(variant, None, depth)
                if value is not MISSING:
                    return value
            return MISSING
        variant = rng.choice(node.variants)
        value = self._simple(variant, rng, depth)
        return self._simple(variant, None, depth) if value is MISSING else value

    def _simple(self, simple: Simple, rng: random.Random | None, depth: int) -> Any:
        if depth > _MINIMAL_DEPTH:
            return MISSING
        if rng is not None and depth >= _RANDOM_DEPTH:
            rng = None
        if simple.enum is not None:
            return rng.choice(simple.enum) if rng else simple.enum[0]
        if simple.type == "null":
            return None
        if simple.type == "boolean":
            return rng.choice([True, False]) if rng else False
        if simple.type == "number":
            return _number(simple, rng)
        if simple.type == "string":
            return _string(simple, rng)
        if simple.type == "array":
            return self._array(simple, rng, depth)
        if simple.type == "object":
            return self._object(simple, rng, depth)
        return MISSING

    def _array(self, simple: Simple, rng: random.Random | None, depth: int) -> Any:
        length = simple.min_items
        if rng is not None:
            high = simple.max_items if simple.max_items is not None else length + 3
            length = rng.randint(length, max(length, min(high, length + 3)))
        if simple.rest_is_forbidden():
            length = min(length, len(simple.prefix))
        items: list[Any] = []
        seen: set[str] = set()
        for index in range(length):
            schema = simple.item_schema(index)
            value = self._node(schema, rng, depth + 1)
            if simple.unique:
                tries = 0
                while value is not MISSING and canonical(value) in seen and tries < 6:
                    value = self._node(schema, rng or seeded_rng(f"{index}:{tries}"), depth + 1)
                    tries += 1
            if value is MISSING:
                return MISSING
            seen.add(canonical(value))
            items.append(value)
        return items

    def _object(self, simple: Simple, rng: random.Random | None, depth: int) -> Any:
        result: dict[str, Any] = {}
        names = list(simple.properties) + sorted(simple.required - simple.properties.keys())
        for name in names:
            include = name in simple.required
            if not include and rng is not None:
                include = rng.random() < 0.5 / (depth + 1)
            if not include:
                continue
            schema, _ = simple.schema_for_key(name)
            value = self._node(schema, rng, depth + 1)
            if value is MISSING:
                if name in simple.required:
                    return MISSING
                continue
            result[name] = value
        optional = [n for n in simple.properties if n not in result]
        while len(result) < simple.min_properties:
            if optional:
                name = optional.pop(0)
            else:
                name = fresh_key(simple, set(result))
                if simple.schema_for_key(name)[1] is KeySource.OPEN:
                    result[name] = 0
                    continue
            schema, _ = simple.schema_for_key(name)
            value = self._node(schema, rng, depth + 1)
            if value is MISSING:
                return MISSING
            result[name] = value
        return result


def fresh_key(simple: Simple | None, taken: set[str] | None = None, base: str = "extra") -> str:
    """A property name neither declared nor matched by a pattern of ``simple``."""
    taken = taken or set()
    for index in range(1000):
        name = base if index == 0 else f"{base}{index}"
        if name in taken:
            continue
        if simple is not None and (
            name in simple.properties
            or any(pattern_search(p, name) is not False for p in simple.pattern_keys())
        ):
            continue
        return name
    return base + "_"


def _number(simple: Simple, rng: random.Random | None) -> Any:
    step: float | None = simple.multiple_of[0] if simple.multiple_of else None
    if simple.integer:
        if step is None:
            step = 1
        else:
            for factor in range(1, 101):
                if float(step * factor).is_integer():
                    step = step * factor
                    break
    low = simple.lower
    high = simple.upper
    if rng is None:
        target: float = 0
        if low is not None and (low[0] > 0 or (low[0] == 0 and low[1])):
            target = low[0]
        elif high is not None and (high[0] < 0 or (high[0] == 0 and high[1])):
            target = high[0]
    else:
        low_value = low[0] if low else (high[0] - 100 if high else -100)
        high_value = high[0] if high else low_value + 100
        target = rng.uniform(low_value, high_value)
        if rng.random() < 0.3 and low is not None:
            target = low[0]
    if step is not None:
        count = (
            math.ceil(target / step)
            if low is not None and target <= low[0]
            else round(target / step)
        )
        value: float = count * step
        if low is not None and (value < low[0] or (value == low[0] and low[1])):
            value += step
        if high is not None and (value > high[0] or (value == high[0] and high[1])):
            value -= step
        return _tidy(value, simple.integer or float(step).is_integer())
    value = target
    if low is not None and (value < low[0] or (value == low[0] and low[1])):
        value = low[0] + (min(1.0, (high[0] - low[0]) / 2) if high else 1.0)
    if high is not None and (value > high[0] or (value == high[0] and high[1])):
        value = high[0] - (min(1.0, (high[0] - low[0]) / 2) if low else 1.0)
    return _tidy(value, simple.integer)


def _tidy(value: float, integer: bool) -> Any:
    if integer or float(value).is_integer():
        return round(value)
    return round(value, 6) if round(value, 6) != 0 or value == 0 else value


def _string(simple: Simple, rng: random.Random | None) -> Any:
    candidates: list[str] = []
    for fmt in simple.formats:
        if fmt in FORMAT_EXAMPLES:
            candidates.append(FORMAT_EXAMPLES[fmt])
    for pattern in simple.patterns:
        generated = string_matching(pattern, rng)
        if generated is not None:
            candidates.append(generated)
        shortest = string_matching(pattern)
        if shortest is not None:
            candidates.append(shortest)
    if not simple.patterns:
        alphabet = string.ascii_lowercase
        length = simple.min_length
        if rng is not None:
            top = simple.max_length if simple.max_length is not None else length + 8
            length = rng.randint(length, max(length, min(top, length + 8)))
        candidates.append(
            "".join(rng.choice(alphabet) for _ in range(length)) if rng else "a" * length
        )
    for candidate in candidates:
        fitted = _fit_length(candidate, simple)
        if fitted is not None and string_fits(simple, fitted):
            return fitted
    return candidates[0] if candidates else MISSING


def _fit_length(text: str, simple: Simple) -> str | None:
    if len(text) < simple.min_length:
        if simple.patterns:
            return text
        text = text + "a" * (simple.min_length - len(text))
    if simple.max_length is not None and len(text) > simple.max_length:
        if simple.patterns or simple.formats:
            return text
        text = text[: simple.max_length]
    return text


def string_fits(simple: Simple, text: str) -> bool:
    """Length and pattern checks (not format) of a string slice, without jsonschema."""
    if len(text) < simple.min_length:
        return False
    if simple.max_length is not None and len(text) > simple.max_length:
        return False
    return all(pattern_search(pattern, text) for pattern in simple.patterns)


__all__ = ["FORMAT_EXAMPLES", "MISSING", "NOT_A_FORMAT", "TYPES", "Generator", "fresh_key"]
