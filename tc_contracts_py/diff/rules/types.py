"""Type rules, at node level: the set of accepted JSON types and null."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tc_contracts_py.diff.model import BOTH, Direction
from tc_contracts_py.diff.nodes import Node, Simple
from tc_contracts_py.diff.rules.registry import (
    NR,
    OR,
    CandidateSource,
    Family,
    Finding,
    InstanceMaker,
    Level,
    NodePair,
    rule,
)
from tc_contracts_py.diff.rules.support import values


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
            yield Finding(f"null {verb} accepted", candidates={direction: values(None)})

    return check


rule(
    id="type-changed",
    family=Family.TYPE,
    breaks=BOTH,
    description="the accepted types changed completely (e.g. number -> string)",
    level=Level.NODE,
)(_type_changed)
rule(
    id="type-narrowed",
    family=Family.TYPE,
    breaks=frozenset({NR}),
    description="a type the old schema accepted is no longer accepted",
    level=Level.NODE,
)(_type_narrowing(NR))
rule(
    id="type-widened",
    family=Family.TYPE,
    breaks=frozenset({OR}),
    description="a type the old schema rejected is now accepted",
    level=Level.NODE,
)(_type_narrowing(OR))
rule(
    id="nullable-removed",
    family=Family.TYPE,
    breaks=frozenset({NR}),
    description="null is no longer accepted",
    level=Level.NODE,
)(_nullable(NR))
rule(
    id="nullable-added",
    family=Family.TYPE,
    breaks=frozenset({OR}),
    description="null is now accepted",
    level=Level.NODE,
)(_nullable(OR))
