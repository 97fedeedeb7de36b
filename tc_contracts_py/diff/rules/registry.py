"""What a rule is, the one way to declare one, and the registry the walker reads.

A rule is a small pure function over one pair of canonical nodes at one level: a node
pair (types, metadata, oneOf), a simple pair (two slices of one JSON type), or a union
member left without a partner. It yields ``Finding``s carrying witness candidates for
the engine to verify. Rules never walk: the walker pairs nodes and calls them.

Declare a rule with ``@rule(...)`` (keyword-only), or a "reader narrower than writer"
check in both orientations with ``@narrowing(...)``, which is built on it. ``listed``
declares the IDs that the engine, the gate and the waivers emit themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar, cast

from tc_contracts_py.diff.model import BOTH, NONE, Direction, Severity
from tc_contracts_py.diff.nodes import Children, Node, Simple

NR = Direction.NEW_READERS
OR = Direction.OLD_READERS


class Family(StrEnum):
    STRING = "string"
    NUMBER = "number"
    ENUM = "enum"
    ARRAY = "array"
    OBJECT = "object"
    COMBINATOR = "combinator"
    TYPE = "type"
    METADATA = "metadata"
    SCHEMA = "schema"
    GATE = "gate"


class Level(StrEnum):
    """Where the walker calls a rule; ``LISTED`` rules are emitted outside the walker."""

    NODE = "node"
    SIMPLE = "simple"
    VARIANT = "variant"
    LISTED = "listed"


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
    # The property of the compared object that the finding is about: a witness must be
    # rejected for that property, not for a sibling that changed too.
    key: str | None = None
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

    def oriented(self, direction: Direction) -> tuple[Node, Node]:
        return (self.old, self.new) if direction is NR else (self.new, self.old)


@dataclass
class VariantContext:
    """An unmatched union member of the writer and the reader's members of its type."""

    writer: Simple
    readers: list[Simple]
    covered: bool


Context = TypeVar("Context", Pair, NodePair, VariantContext)
Check = Callable[[Context], Iterable[Finding]]
_LEVEL_OF_CONTEXT: dict[type[Any], Level] = {
    NodePair: Level.NODE,
    Pair: Level.SIMPLE,
    VariantContext: Level.VARIANT,
}


@dataclass(frozen=True)
class Rule(Generic[Context]):
    id: str
    family: Family
    breaks: frozenset[Direction]
    description: str
    level: Level
    applies_to: str | None = None  # the JSON type of a simple rule, None for all
    severity: Severity = Severity.SEMANTIC
    check: Check[Context] | None = None

    def findings(self, context: Context) -> Iterable[Finding]:
        """What the rule finds in ``context``; nothing for a rule emitted elsewhere."""
        return () if self.check is None else self.check(context)

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
            "family": self.family.value,
            "breaks": sorted(d.value for d in self.breaks),
            "severity": self.severity.value,
            "description": self.description,
        }


RULES: dict[str, Rule[Any]] = {}


def _register(entry: Rule[Any]) -> None:
    if entry.id in RULES:
        raise ValueError(f"duplicate rule id {entry.id}")
    RULES[entry.id] = entry


def rule(
    *,
    id: str,
    family: Family,
    breaks: frozenset[Direction],
    description: str,
    level: Level,
    applies_to: str | None = None,
    severity: Severity = Severity.SEMANTIC,
) -> Callable[[Check[Context]], Check[Context]]:
    """Register the decorated check as the rule ``id``."""

    def decorate(check: Check[Context]) -> Check[Context]:
        _register(Rule(id, family, breaks, description, level, applies_to, severity, check))
        return check

    return decorate


def listed(
    *,
    id: str,
    family: Family,
    breaks: frozenset[Direction],
    description: str,
    severity: Severity = Severity.SEMANTIC,
) -> str:
    """Register a rule emitted outside the walker (engine, gate, waivers); returns its id."""
    _register(Rule(id, family, breaks, description, Level.LISTED, severity=severity))
    return id


Oriented = Callable[[Simple, Simple, Pair, Direction], Iterable[Finding]]


def oriented(fn: Oriented, direction: Direction) -> Check[Pair]:
    """``fn(writer, reader, pair, direction)`` as a check of one direction of a pair."""

    def check(pair: Pair) -> Iterable[Finding]:
        writer, reader = pair.oriented(direction)
        for finding in fn(writer, reader, pair, direction):
            finding.writer.setdefault(direction, writer)
            yield finding

    return check


def narrowing(
    *,
    family: Family,
    applies_to: str | None,
    narrowed: tuple[str, str],
    widened: tuple[str, str],
) -> Callable[[Oriented], Oriented]:
    """Register a "reader narrower than writer" check as two rules, one per direction.

    ``narrowed``/``widened`` are ``(id, description)``: NEW narrower breaks new readers,
    OLD narrower (a widening) breaks old readers.
    """

    def decorate(fn: Oriented) -> Oriented:
        for direction, (rule_id, description) in ((NR, narrowed), (OR, widened)):
            rule(
                id=rule_id,
                family=family,
                breaks=frozenset({direction}),
                description=description,
                level=Level.SIMPLE,
                applies_to=applies_to,
            )(oriented(fn, direction))
        return fn

    return decorate


def rules_for(context: type[Context], type_name: str | None = None) -> list[Rule[Context]]:
    """The rules the walker calls with a ``context`` (for slices of JSON type ``type_name``)."""
    level = _LEVEL_OF_CONTEXT[context]
    return [
        cast("Rule[Context]", entry)
        for entry in RULES.values()
        if entry.level is level
        and entry.check is not None
        and entry.applies_to in (None, type_name)
    ]


__all__ = [
    "BOTH",
    "NONE",
    "NR",
    "OR",
    "RULES",
    "CandidateSource",
    "Family",
    "Finding",
    "InstanceMaker",
    "Level",
    "NodePair",
    "Oracle",
    "Pair",
    "Rule",
    "VariantContext",
    "listed",
    "narrowing",
    "oriented",
    "rule",
    "rules_for",
]
