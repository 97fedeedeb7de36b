"""Building blocks the rule families share: wording, witness candidates, slice checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tc_contracts_py.diff.model import Direction
from tc_contracts_py.diff.nodes import Bound, Children, Simple, canonical
from tc_contracts_py.diff.rules.registry import NR, CandidateSource, InstanceMaker

# Values of every JSON type: what a reader that declares nothing about a key may meet.
WILD_VALUES: tuple[Any, ...] = ("x", 0, 1.5, True, None, [], {})
NO_VALUE = object()  # a keyword absent from a schema (None is a JSON value)


def values(*candidates: Any) -> CandidateSource:
    return lambda _maker: candidates


def old_new(direction: Direction, writer_value: Any, reader_value: Any) -> tuple[Any, Any]:
    return (writer_value, reader_value) if direction is NR else (reader_value, writer_value)


def show(value: Any) -> str:
    if value is None:
        return "none"
    return canonical(value)


def short(value: Any) -> str:
    text = canonical(value)
    return text if len(text) <= 60 else text[:57] + "..."


def bound_text(bound: Bound | None, lower: bool) -> str:
    if bound is None:
        return "none"
    sign = (">" if bound[1] else ">=") if lower else ("<" if bound[1] else "<=")
    return f"{sign} {show(bound[0])}"


def changed(direction: Direction, what: str, writer_value: str, reader_value: str) -> str:
    old, new = old_new(direction, writer_value, reader_value)
    return f"{what} changed from {old} to {new}"


def plain(simple: Simple) -> bool:
    """Not an enum: its constraint keywords, not a value list, say what it accepts."""
    return simple.enum is None


def is_multiple(value: float, divisor: float) -> bool:
    quotient = value / divisor
    return abs(quotient - round(quotient)) < 1e-9


def default_of(children: Children) -> Any:
    for piece in children:
        if isinstance(piece.schema, dict) and "default" in piece.schema:
            return piece.schema["default"]
    return NO_VALUE


def with_key(base: Any, key: str, value: Any) -> Any:
    if not isinstance(base, dict):
        return None
    updated = dict(base)
    updated[key] = value
    return updated


def without_key(base: Any, key: str) -> Any:
    if not isinstance(base, dict):
        return None
    return {k: v for k, v in base.items() if k != key}


def array_of(writer: Simple, length: int) -> CandidateSource:
    return lambda maker: [maker.array_of_length(writer, length)]


def object_without(writer: Simple, key: str) -> CandidateSource:
    return lambda maker: [without_key(maker.minimal_simple(writer), key)]


def object_with(
    writer: Simple, key: str, schema: Children | None, *, wild: bool = True
) -> CandidateSource:
    """The writer's minimal object with ``key`` set to a value of ``schema``, then wild values."""

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        base = maker.minimal_simple(writer)
        found: list[Any] = [maker.minimal(schema)] if schema is not None else []
        found.extend(WILD_VALUES if wild else ())
        return [with_key(base, key, v) for v in found]

    return candidates
