"""Strings that match an ECMA-262 pattern, built from the parse tree of its ``re`` translation.

Used to construct witnesses for ``pattern`` changes. Every result is re-checked as ECMA-262
within the match budget; a construct this module cannot honour (lookarounds, say), or a
pattern too costly to check, gives ``None``.
"""

from __future__ import annotations

import importlib
import random
import re
from typing import Any

from tc_contracts_py.ecma_regex import PatternTooCostly, ecma_search, ecma_to_python

_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

_MAX_EXTRA_REPEAT = 3
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_NOT_DIGIT": "aZ_-",
    "CATEGORY_WORD": "aZ0_",
    "CATEGORY_NOT_WORD": "-. ",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a0-",
}
_FALLBACK_CHARS = "aA0_-. zZ9b"


class _Unsupported(Exception):
    pass


def string_matching(pattern: str, rng: random.Random | None = None) -> str | None:
    """A string the ECMA-262 ``pattern`` accepts: the shortest simple one without ``rng``."""
    try:
        tree = _parser.parse(ecma_to_python(pattern))
        groups: dict[int, str] = {}
        text = _sequence(tree, rng, groups)
        return text if ecma_search(pattern, text) else None
    except (re.error, _Unsupported, RecursionError, ValueError, OverflowError, PatternTooCostly):
        return None


def _sequence(items: Any, rng: random.Random | None, groups: dict[int, str]) -> str:
    return "".join(_item(op, av, rng, groups) for op, av in items)


def _item(op: Any, av: Any, rng: random.Random | None, groups: dict[int, str]) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(av)
    if name == "NOT_LITERAL":
        return next(c for c in _FALLBACK_CHARS if ord(c) != av)
    if name == "ANY":
        return "a"
    if name == "IN":
        return _char_in(av, rng)
    if name == "CATEGORY":
        return _CATEGORY_CHARS.get(str(av), "a")[0]
    if name == "BRANCH":
        branches = av[1]
        chosen = rng.choice(branches) if rng else branches[0]
        return _sequence(chosen, rng, groups)
    if name == "SUBPATTERN":
        group, _add, _del, body = av
        text = _sequence(body, rng, groups)
        if group is not None:
            groups[group] = text
        return text
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = av
        high = low + _MAX_EXTRA_REPEAT if high == _constants.MAXREPEAT else high
        count = rng.randint(low, min(high, low + _MAX_EXTRA_REPEAT)) if rng else low
        return "".join(_sequence(body, rng, groups) for _ in range(count))
    if name == "AT":
        return ""
    if name == "GROUPREF":
        return groups.get(av, "")
    if name == "ATOMIC_GROUP":
        return _sequence(av, rng, groups)
    raise _Unsupported(name)


def _char_in(items: Any, rng: random.Random | None) -> str:
    negate = False
    allowed: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.append(chr(av))
        elif name == "RANGE":
            low, high = av
            allowed.extend(chr(c) for c in range(low, min(high, low + 25) + 1))
        elif name == "CATEGORY":
            allowed.extend(_CATEGORY_CHARS.get(str(av), ""))
        else:
            raise _Unsupported(name)
    if negate:
        pattern = (
            re.compile("[" + "".join(re.escape(c) for c in allowed) + "]") if allowed else None
        )
        for candidate in _FALLBACK_CHARS + "#@!~":
            if pattern is None or not pattern.match(candidate):
                return candidate
        raise _Unsupported("negated class")
    if not allowed:
        raise _Unsupported("empty class")
    return rng.choice(allowed) if rng else allowed[0]
