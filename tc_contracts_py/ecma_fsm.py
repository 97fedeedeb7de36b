"""ECMA-262 patterns as finite automata: inclusion of two patterns, and strings between them.

A JSON Schema ``pattern`` is searched, not matched: ``abc`` accepts ``xabcx``. The
language of a pattern is therefore ``Σ* body Σ*``, minus the ``Σ*`` that an anchor at
the start (``^``) or end (``$``) of a top-level branch removes. The automata come from
``greenery`` (ranges of code points, so ``\\p{L}`` or ``[^"]`` cost a few transitions,
not a million); the ECMA reading comes from ``ecma_regex``, whose translation to
Python syntax (``\\d`` as ``[0-9]``, ``.`` without line terminators, Unicode properties
expanded from ECMA's tables) is parsed with ``re``'s own parser and rebuilt as greenery
elements, so greenery's parser and its Python-flavoured shorthands are never used.

What has no finite automaton, or none we build, raises ``Unreadable``: backreferences,
lookbehind, word boundaries, anchors inside a group, lookahead below the top level of a
branch (a top-level one is an intersection or a difference), and automata above
``MAX_STATES``. Callers then fall back to sampling and say ``likely``.
"""

from __future__ import annotations

import importlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from greenery import INF, Bound, Charclass, Fsm, Multiplier, Pattern
from greenery.rxelems import Conc, Mult

from tc_contracts_py.ecma_regex import PatternTooCostly, ecma_search, ecma_to_python

# The parser of ``re``, read as ``regexgen`` reads it.
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

__all__ = [
    "MAX_STATES",
    "Unreadable",
    "difference_strings",
    "intersection",
    "language",
    "length_language",
    "strings_outside",
    "walk",
]

# Above this an automaton costs seconds in pure Python; the Zod formats stay far below.
MAX_STATES = 4000
_ANY = ~Charclass()
# Characters a witness prefers, in order: readable in a report and inert in JSON.
_PREFERRED = "aAb0Bz1Z9_-.@ xX"


class Unreadable(Exception):
    """A pattern this module cannot turn into an automaton (or not within the limits)."""


def _mult(element: Pattern | Charclass, low: int, high: int | None) -> Mult:
    return Mult(element, Multiplier(Bound(low), INF if high is None else Bound(high)))


def _charclass(items: Iterable[tuple[Any, Any]]) -> Charclass:
    negated = False
    ranges: list[tuple[str, str]] = []
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negated = True
        elif name == "LITERAL":
            ranges.append((chr(av), chr(av)))
        elif name == "RANGE":
            ranges.append((chr(av[0]), chr(av[1])))
        else:  # a category: ecma_to_python spells every class out as ranges
            raise Unreadable(f"class item {name}")
    found = Charclass(tuple(ranges))
    return ~found if negated else found


def _pattern(items: Sequence[tuple[Any, Any]]) -> Pattern:
    return Pattern(_conc(items))


def _conc(items: Sequence[tuple[Any, Any]]) -> Conc:
    mults: list[Mult] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            mults.append(_mult(Charclass(((chr(av), chr(av)),)), 1, 1))
        elif name == "NOT_LITERAL":
            mults.append(_mult(~Charclass(((chr(av), chr(av)),)), 1, 1))
        elif name == "ANY":  # not emitted by ecma_to_python (ECMA's dot is a class)
            raise Unreadable("dot")
        elif name == "IN":
            mults.append(_mult(_charclass(av), 1, 1))
        elif name == "BRANCH":
            mults.append(_mult(Pattern(*(_conc(branch) for branch in av[1])), 1, 1))
        elif name == "SUBPATTERN":
            _group, add_flags, del_flags, body = av
            if add_flags or del_flags:  # (?a:\b) and the like
                raise Unreadable("flags")
            mults.append(_mult(_pattern(body), 1, 1))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):  # laziness does not change the language
            low, high, body = av
            mults.append(_mult(_pattern(body), low, None if high == _constants.MAXREPEAT else high))
        else:  # AT, ASSERT, ASSERT_NOT, GROUPREF, ATOMIC_GROUP, ...
            raise Unreadable(name.lower())
    return Conc(*mults)


def _fsm(items: Sequence[tuple[Any, Any]]) -> Fsm:
    found: Fsm = _pattern(items).to_fsm()
    _check_size(found)
    return found


def _check_size(fsm: Fsm) -> None:
    if len(fsm.states) > MAX_STATES:
        raise Unreadable(f"automaton above {MAX_STATES} states")


@lru_cache(maxsize=1)
def _anything() -> Fsm:
    found: Fsm = Pattern(Conc(_mult(_ANY, 0, None))).to_fsm()
    return found


@lru_cache(maxsize=1)
def _empty_string() -> Fsm:
    found: Fsm = Pattern(Conc()).to_fsm()
    return found


def _is_at(item: tuple[Any, Any], where: str) -> bool:
    return str(item[0]) == "AT" and str(item[1]) == where


def _branch(items: list[tuple[Any, Any]], *, lookahead: bool) -> Fsm:
    """A branch searched for (or, in a lookahead, matched at one place), with its anchors."""
    start_anchored = lookahead
    if items and _is_at(items[0], "AT_BEGINNING"):
        if lookahead:
            raise Unreadable("anchor in a lookahead")
        start_anchored = True
        items = items[1:]
    end_anchored = False
    if items and _is_at(items[-1], "AT_END_STRING"):
        end_anchored = True
        items = items[:-1]
    # Right to left: a top-level lookahead constrains everything after it, to the end.
    rest = _empty_string() if end_anchored else _anything()
    segment: list[tuple[Any, Any]] = []
    for item in reversed(items):
        name = str(item[0])
        if name in ("ASSERT", "ASSERT_NOT"):
            direction, body = item[1]
            if direction != 1:
                raise Unreadable("lookbehind")
            rest = _fsm(segment) + rest if segment else rest
            segment = []
            inner = _top(list(body), lookahead=True)
            rest = rest & inner if name == "ASSERT" else rest - inner
            _check_size(rest)
        else:
            segment.insert(0, item)
    if segment:
        rest = _fsm(segment) + rest
    if not start_anchored:
        rest = _anything() + rest
    _check_size(rest)
    return rest


def _top(items: list[tuple[Any, Any]], *, lookahead: bool) -> Fsm:
    if len(items) == 1 and str(items[0][0]) == "BRANCH":
        branches = [_branch(list(b), lookahead=lookahead) for b in items[0][1][1]]
        found: Fsm = Fsm.union(*branches)
        _check_size(found)
        return found
    return _branch(items, lookahead=lookahead)


@lru_cache(maxsize=1024)
def _language(pattern: str) -> Fsm | str:
    try:
        tree = list(_parser.parse(ecma_to_python(pattern)))
        return _top(tree, lookahead=False).reduce()
    except Unreadable as exc:
        return str(exc) or "unreadable"
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


def language(pattern: str) -> Fsm:
    """The strings the ECMA-262 ``pattern`` accepts when searched. Raises ``Unreadable``."""
    found = _language(pattern)
    if isinstance(found, str):
        raise Unreadable(found)
    return found


def length_language(min_length: int, max_length: int | None) -> Fsm:
    """Strings of ``min_length`` to ``max_length`` code points (JSON Schema's string length)."""
    return _length_language(min_length, max_length)


@lru_cache(maxsize=256)
def _length_language(min_length: int, max_length: int | None) -> Fsm:
    if max_length is not None and max_length > MAX_STATES:
        max_length = None  # a bound this far out changes no answer we can afford
    found: Fsm = Pattern(Conc(_mult(_ANY, min_length, max_length))).to_fsm()
    return found


def _representatives(charclass: Charclass) -> list[str]:
    """Up to three characters of ``charclass``, the readable ones first."""
    ranges = charclass.ord_ranges

    def inside(code: int) -> bool:
        listed = any(low <= code <= high for low, high in ranges)
        return bool(listed != charclass.negated)

    found = [c for c in _PREFERRED if inside(ord(c))][:3]
    if len(found) < 3:
        if not charclass.negated:
            for low, high in ranges:
                found.extend(chr(c) for c in range(low, min(high, low + 2) + 1))
        else:
            code = 0x21
            while len(found) < 3 and code <= 0x10FFFF:
                if inside(code) and not 0xD800 <= code <= 0xDFFF:
                    found.append(chr(code))
                code += 1
    unique = list(dict.fromkeys(c for c in found if not 0xD800 <= ord(c) <= 0xDFFF))
    return unique[:3]


def difference_strings(fsm: Fsm, count: int = 6) -> list[str]:
    """Short strings ``fsm`` accepts: the shortest, spelt with other characters, then others.

    Empty when ``fsm`` accepts nothing.
    """
    live = _live_states(fsm)
    if fsm.initial not in live:
        return []
    # Breadth first over live states: the shortest path to each, one class per step.
    parent: dict[Any, tuple[Any, Charclass] | None] = {fsm.initial: None}
    queue = deque([fsm.initial])
    finals: list[Any] = []
    while queue and len(finals) < count:
        state = queue.popleft()
        if state in fsm.finals:
            finals.append(state)
        for charclass, target in sorted(fsm.map[state].items(), key=lambda kv: str(kv[0])):
            if target in live and target not in parent and _representatives(charclass):
                parent[target] = (state, charclass)
                queue.append(target)
    strings: list[str] = []
    for spelling in range(3):
        for final in finals:
            path: list[Charclass] = []
            state = final
            while (step := parent[state]) is not None:
                state, charclass = step
                path.append(charclass)
            chars = [_representatives(cc) for cc in reversed(path)]
            text = "".join(options[min(spelling, len(options) - 1)] for options in chars)
            if text not in strings:
                strings.append(text)
    return strings[:count]


def intersection(
    patterns: Sequence[str], *, min_length: int = 0, max_length: int | None = None
) -> Fsm:
    """The strings every one of ``patterns`` accepts, within the length bounds. Raises
    ``Unreadable``."""
    found = language(patterns[0])
    for pattern in patterns[1:]:
        found = found & language(pattern)
        _check_size(found)
    if min_length or max_length is not None:
        found = found & length_language(min_length, max_length)
        _check_size(found)
    return found


def walk(fsm: Fsm, choose: Callable[[int], int], *, steps: int = 24) -> str | None:
    """A string ``fsm`` accepts, spelt one transition at a time: ``choose(n)`` picks one of
    ``n`` options (a random source), and past ``steps`` characters the shortest way to an
    accepting state is taken. None when ``fsm`` accepts nothing."""
    live = _live_states(fsm)
    if fsm.initial not in live:
        return None
    distance = _distances_to_finals(fsm, live)
    state, chars = fsm.initial, list[str]()
    while True:
        moves = [
            (charclass, target)
            for charclass, target in sorted(fsm.map[state].items(), key=lambda kv: str(kv[0]))
            if target in distance and _representatives(charclass)
        ]
        if state in fsm.finals and (not moves or len(chars) >= steps or choose(3) == 0):
            return "".join(chars)
        if not moves:
            return None
        if len(chars) >= steps:
            moves = [min(moves, key=lambda move: distance[move[1]])]
        charclass, state = moves[choose(len(moves))]
        options = _representatives(charclass)
        chars.append(options[choose(len(options))])


def _distances_to_finals(fsm: Fsm, live: set[Any]) -> dict[Any, int]:
    incoming: dict[Any, set[Any]] = {state: set() for state in live}
    for state, transitions in fsm.map.items():
        for target in transitions.values():
            if state in live and target in live:
                incoming[target].add(state)
    distance = {state: 0 for state in fsm.finals if state in live}
    queue = deque(distance)
    while queue:
        state = queue.popleft()
        for source in incoming[state]:
            if source not in distance:
                distance[source] = distance[state] + 1
                queue.append(source)
    return distance


def _live_states(fsm: Fsm) -> set[Any]:
    incoming: dict[Any, set[Any]] = {state: set() for state in fsm.states}
    for state, transitions in fsm.map.items():
        for target in transitions.values():
            incoming[target].add(state)
    live = set(fsm.finals)
    queue = deque(fsm.finals)
    while queue:
        for source in incoming[queue.popleft()]:
            if source not in live:
                live.add(source)
                queue.append(source)
    return live


def strings_outside(
    writer_patterns: Sequence[str],
    reader_pattern: str,
    *,
    min_length: int = 0,
    max_length: int | None = None,
    count: int = 6,
) -> list[str] | None:
    """Strings every writer pattern (and the length bounds) accepts and ``reader_pattern``
    rejects, each checked with ``ecma_search``: empty when the reader accepts all the
    writer's strings, None when some pattern cannot be read as an automaton.
    """
    try:
        outside = language(reader_pattern).everythingbut()
        for pattern in writer_patterns:
            outside = outside & language(pattern)
            _check_size(outside)
        if outside.empty():
            return []
        if min_length or max_length is not None:
            outside = outside & length_language(min_length, max_length)
            _check_size(outside)
    except Unreadable:
        return None
    found = [
        text
        for text in difference_strings(outside, count)
        if _proves(text, writer_patterns, reader_pattern)
    ]
    if not found and not outside.empty():
        return None  # the automaton and the ECMA engine disagree: trust neither
    return found


def _proves(text: str, writer_patterns: Sequence[str], reader_pattern: str) -> bool:
    try:
        inside = all(ecma_search(p, text) for p in writer_patterns)
        return inside and not ecma_search(reader_pattern, text)
    except (re.error, PatternTooCostly):
        return False
