"""Several patterns at once: the automaton walk that generates strings for an ``allOf`` of
patterns, and the single lookahead pattern codegen writes for them."""

from __future__ import annotations

from functools import cache

import pytest
from greenery import Fsm
from hypothesis import given, settings
from hypothesis import strategies as st

from tc_contracts_py.ecma_fsm import intersection, walk
from tc_contracts_py.ecma_regex import ecma_search, pattern_conjunction

# Zod's startsWith/endsWith/includes, two .regex() checks, and a format regex with a pattern.
PATTERN_SETS = [
    ["^tc_.*", ".*!$", "mid"],
    ["^[a-z]+$", "^.{3,5}$"],
    ["^[0-9]{4}-[0-9]{2}$", "^20", "-1[0-2]$"],
    ["^(?:[01]\\d|2[0-3]):[0-5]\\d$", "^1"],
    ["^\\p{Lu}\\p{Ll}*$", "^.{2}$"],
]


@cache
def _intersection(patterns: tuple[str, ...]) -> Fsm:
    return intersection(patterns)


@pytest.mark.parametrize("patterns", PATTERN_SETS, ids=lambda ps: " & ".join(ps))
@settings(max_examples=60, deadline=None)
@given(choices=st.lists(st.integers(0, 10**6), min_size=64, max_size=64))
def test_every_walked_string_matches_every_pattern(patterns, choices):
    accepted = _intersection(tuple(patterns))
    source = iter(choices * 8)
    text = walk(accepted, lambda n: next(source) % n)
    assert text is not None
    assert all(ecma_search(pattern, text) for pattern in patterns), text
    assert ecma_search(pattern_conjunction(patterns), text)


def test_walk_finds_nothing_where_the_patterns_exclude_each_other():
    assert walk(intersection(["^a+$", "^b+$"]), lambda n: 0) is None


def test_walk_respects_the_length_bounds():
    accepted = intersection(["^x", "y$"], min_length=5, max_length=6)
    for seed in range(20):
        text = walk(accepted, lambda n, seed=seed: seed % n)
        assert text is not None
        assert 5 <= len(text) <= 6
        assert (text[0], text[-1]) == ("x", "y")


@pytest.mark.parametrize("patterns", PATTERN_SETS, ids=lambda ps: " & ".join(ps))
@pytest.mark.parametrize(
    "text",
    ["tc_mid!", "tc_!", "mid!", "abcd", "ab", "2024-11", "2024-13", "1999-12", "12:30", "23:59",
     "Ab", "AB", "", "tc_mid!\n"],
)  # fmt: skip
def test_the_conjunction_matches_where_every_pattern_does(patterns, text):
    expected = all(ecma_search(pattern, text) for pattern in patterns)
    assert ecma_search(pattern_conjunction(patterns), text) is expected
