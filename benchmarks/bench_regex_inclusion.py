"""Inclusion of ECMA-262 patterns with an automaton library: greenery vs interegular.

For typical Zod patterns (formats Zod 4 emits, hand-written ``.regex()`` checks), every
ordered pair of a small labelled set is decided with both libraries and compared with
the label; a "not included" answer must come with a string that ``ecma_search`` accepts
for one pattern and rejects for the other. Reported: patterns each library reads,
correct / wrong verdicts, time to build the automata and to decide all pairs.

greenery is the project's dependency (``tc_contracts_py/ecma_fsm.py``); interegular is
measured only when installed (``pip install interegular==0.3.3``), through a translation
of the same parse tree to the Python syntax it reads (``^``/``$`` are not in its dialect:
the anchors become the presence or absence of ``[^]*`` at each end).

Run: ``python benchmarks/bench_regex_inclusion.py``.

Measured (2-core box shared with other jobs; 35 pairs, 70 questions): greenery 4.2.3 reads
52/54 patterns and decides 66 right, 0 wrong, 4 undecided (the backreference and ``\\b``
pairs, by design) in ~12 s to build the automata (Zod 4's uuid alone ~4 s) and ~8 s to
decide. interegular 0.3.3 decides 55 right, 0 wrong, 15 undecided: the same 4, plus 11
over 20 s or 1 GiB, among them ``[0-9a-fA-F]{32}`` vs ``[0-9a-f]{32}``, ``\\S`` and the
ULID alphabet, in 268 s in all (its witness search enumerates strings character by
character, which is part of that cost).
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import re._parser as _parser

from tc_contracts_py import ecma_fsm
from tc_contracts_py.ecma_regex import ecma_search, ecma_to_python

UUID4 = (
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$"
)
UUID_PLAIN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
EMAIL4 = (
    r"^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+"
    r"[A-Za-z]{2,}$"
)
EMAIL_LOOKAHEAD = (
    r"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+"
    r"[A-Za-z]{2,}$"
)
DATE4 = (
    r"^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29"
    r"|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|(?:02)-(?:0[1-9]|1\d|2[0-8])))$"
)
DATE_LOOSE = r"^\d{4}-\d{2}-\d{2}$"

# (writer, reader, writer ⊆ reader, reader ⊆ writer), labelled by hand.
PAIRS: list[tuple[str, str, bool, bool]] = [
    (r"^[0-9a-f]{32}$", r"^[0-9a-fA-F]{32}$", True, False),
    (r"^\d+$", r"^[0-9]+$", True, True),
    (r"^[0-9]+$", r"^\d+$", True, True),
    (r"^[a-z]+$", r"^[a-z0-9]+$", True, False),
    (r"^[a-z]+$", r"[a-z]", True, False),
    ("abc", "b", True, False),
    (r"^abc", "abc", True, False),
    (r"abc$", "abc", True, False),
    (r"^abc$", r"^abc", True, False),
    (r"^\d{3,5}$", r"^\d{2,6}$", True, False),
    (r"^\d{4}$", r"^\d{3,5}$", True, False),
    (r"^\+\d{7,12}$", r"^\+\d{7,15}$", True, False),
    (r"^(foo|bar)$", r"^(foo|bar|baz)$", True, False),
    (r"^(?:foo|bar)$", r"^(foo|bar)$", True, True),
    (UUID4, UUID_PLAIN, True, False),
    (UUID_PLAIN, r"^[0-9a-fA-F-]{36}$", True, False),
    (DATE4, DATE_LOOSE, True, False),
    (r"^[\w.\-]+$", r"^[A-Za-z0-9_.-]+$", True, True),
    (r"^\S+$", r"^[^\s]+$", True, True),
    (r"^[^ ]+$", r"^\S+$", False, True),
    (r"^.+$", r"^[^\n]+$", True, False),
    (r"^[^\n]+$", r"^.+$", False, True),
    (r"^\p{Lu}+$", r"^\p{L}+$", True, False),
    (r"^[A-Z]+$", r"^\p{Lu}+$", True, False),
    (r"^[\u00C0-\u017F]+$", r"^\p{L}+$", False, False),
    (r"^\u{1F600}+$", r"^[\u{1F600}-\u{1F64F}]+$", True, False),
    (EMAIL4, r"^[^@]+@[^@]+$", True, False),
    (EMAIL_LOOKAHEAD, r"^[^@]+@[^@]+\.[A-Za-z]{2,}$", True, False),
    (r"^(?=.*\d)[a-z\d]+$", r"^[a-z\d]+$", True, False),
    (r"^[a-z0-9][a-z0-9-]*$", r"^[a-z0-9-]+$", True, False),
    (r"^[0-9A-HJKMNP-TV-Z]{26}$", r"^[0-9A-Z]{26}$", True, False),
    (r"^[a-z]{2}(-[A-Z]{2})?$", r"^[a-z]{2}(-[A-Z]{2})?$", True, True),
    (r"^[A-Z]{2}$", r"^[a-z]{2}(-[A-Z]{2})?$", False, False),
    (r"^(a)\1$", r"^aa$", True, True),  # a backreference: no automaton
    (r"\bfoo\b", "foo", True, False),  # a word boundary: no automaton
]


PATTERN_SECONDS = 20
MEMORY_LIMIT = 1 << 30

# -- interegular, through a Python-syntax rendering of the same parse tree ---------------------

_SPECIAL = set("\\.^$|?*+()[]{}")


def _char(code: int, in_class: bool) -> str:
    char = chr(code)
    if char in _SPECIAL or char == "-" or code < 0x20:
        return f"\\x{code:02x}" if code < 0x100 else char
    return char


def _render(items: Any) -> str:
    out = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.append(_char(av, False))
        elif name == "NOT_LITERAL":
            out.append(f"[^{_char(av, True)}]")
        elif name == "IN":
            body, negate = [], ""
            for iop, iav in av:
                if str(iop) == "NEGATE":
                    negate = "^"
                elif str(iop) == "LITERAL":
                    body.append(_char(iav, True))
                elif str(iop) == "RANGE":
                    body.append(f"{_char(iav[0], True)}-{_char(iav[1], True)}")
            out.append(f"[{negate}{''.join(body)}]")
        elif name == "BRANCH":
            out.append("(?:" + "|".join(_render(b) for b in av[1]) + ")")
        elif name == "SUBPATTERN":
            out.append("(?:" + _render(av[3]) + ")")
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            high_text = "" if high == re._constants.MAXREPEAT else str(high)
            out.append(f"(?:{_render(body)}){{{low},{high_text}}}")
        elif name == "ASSERT":
            out.append("(?=" + _render(av[1]) + ")")
        elif name == "ASSERT_NOT":
            out.append("(?!" + _render(av[1]) + ")")
        else:
            raise ValueError(name)
    return "".join(out)


def _limited_build(pattern: str) -> Any:
    import resource

    import interegular

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    return interegular.parse_pattern(_interegular_syntax(pattern)).to_fsm()


def _interegular_question(writer: str, reader: str) -> str | None:
    return interegular_witness(_limited_build(writer), _limited_build(reader))


def measure_interegular() -> None:
    """Each question in a child process with a time and memory limit: interegular's classes
    are explicit sets of characters, and ``\\S`` or ``\\p{L}`` exhaust memory or time."""
    import multiprocessing

    right, wrong, failed = 0, [], []
    started = time.perf_counter()
    for writer, reader, forward, backward in PAIRS:
        for w, r, included in ((writer, reader, forward), (reader, writer, backward)):
            with multiprocessing.get_context("fork").Pool(1) as pool:
                try:
                    text = pool.apply_async(_interegular_question, (w, r)).get(PATTERN_SECONDS)
                except multiprocessing.TimeoutError:
                    failed.append(f"{w[:40]} <= {r[:40]} (over {PATTERN_SECONDS} s)")
                    continue
                except Exception as exc:  # noqa: BLE001 - any refusal is "cannot read"
                    failed.append(f"{w[:40]} <= {r[:40]} ({type(exc).__name__})")
                    continue
            if text is None:
                ok = included
            else:
                ok = not included and ecma_search(w, text) and not ecma_search(r, text)
            if ok:
                right += 1
            else:
                wrong.append(f"{w} <= {r}: witness {text!r}")
    print(
        f"{'interegular':12} {right} right, {len(wrong)} wrong, {len(failed)} undecided of "
        f"{2 * len(PAIRS)} questions; {time.perf_counter() - started:.2f} s in all"
    )
    for line in wrong:
        print(f"  wrong: {line}")
    for line in failed:
        print(f"  undecided: {line}")


def _interegular_syntax(pattern: str) -> str:
    tree = list(_parser.parse(ecma_to_python(pattern)))
    branches = tree[0][1][1] if len(tree) == 1 and str(tree[0][0]) == "BRANCH" else [tree]
    rendered = []
    for branch in branches:
        items = list(branch)
        start = bool(items) and str(items[0][0]) == "AT"
        end = bool(items) and str(items[-1][0]) == "AT"
        items = items[int(start) : len(items) - int(end)]
        rendered.append(("" if start else "[^]*") + _render(items) + ("" if end else "[^]*"))
    return "|".join(rendered)


def interegular_witness(writer: Any, reader: Any) -> str | None:
    difference = writer.difference(reader)
    named = {c for c in difference.alphabet if isinstance(c, str)}
    # anything_else: any character the patterns do not name
    other = next(chr(c) for c in range(0x21, 0x10FFFF) if chr(c) not in named)
    for text in difference.strings():
        return "".join(c if isinstance(c, str) else other for c in text)
    return None


def greenery_language(pattern: str) -> Any:
    return ecma_fsm.language(pattern)


def greenery_witness(writer: Any, reader: Any) -> str | None:
    found = ecma_fsm.difference_strings(writer - reader, 1)
    return found[0] if found else None


class _Slow(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Slow


def measure(
    name: str, build: Callable[[str], Any], witness: Callable[[Any, Any], str | None]
) -> None:
    """Read every pattern (at most ``PATTERN_SECONDS`` each), then decide every question."""
    languages: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    slowest = (0.0, "")
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    for pattern in dict.fromkeys(p for pair in PAIRS for p in pair[:2]):
        began = time.perf_counter()
        signal.alarm(PATTERN_SECONDS)
        try:
            languages[pattern] = build(pattern)
        except (_Slow, TimeoutError):
            unreadable[pattern] = f"over {PATTERN_SECONDS} s"
        except Exception as exc:  # noqa: BLE001 - any refusal is "cannot read"
            unreadable[pattern] = type(exc).__name__
        finally:
            signal.alarm(0)
        slowest = max(slowest, (time.perf_counter() - began, pattern))
    built = time.perf_counter() - started
    right, wrong, undecided = 0, [], 0
    wrong_memory: list[str] = []
    started = time.perf_counter()
    for writer, reader, forward, backward in PAIRS:
        for w, r, included in ((writer, reader, forward), (reader, writer, backward)):
            if w not in languages or r not in languages:
                undecided += 1
                continue
            try:
                text = witness(languages[w], languages[r])
            except MemoryError:
                undecided += 1
                wrong_memory.append(f"{w[:40]} <= {r[:40]}")
                continue
            if text is None:
                ok = included
            else:  # a "not included" answer counts only with a string that proves it
                ok = not included and ecma_search(w, text) and not ecma_search(r, text)
            if ok:
                right += 1
            else:
                wrong.append(f"{w} <= {r}: witness {text!r}")
    decided = time.perf_counter() - started
    print(
        f"{name:12} read {len(languages)}/{len(languages) + len(unreadable)} patterns; "
        f"{right} right, {len(wrong)} wrong, {undecided} undecided of {2 * len(PAIRS)} "
        f"questions; build {built:.2f} s (slowest {slowest[0]:.2f} s: {slowest[1][:40]}), "
        f"decide {decided:.2f} s"
    )
    for line in wrong:
        print(f"  wrong: {line}")
    for line in wrong_memory:
        print(f"  out of memory deciding: {line}")
    for pattern, why in unreadable.items():
        print(f"  unread: {pattern[:60]} ({why})")


def main() -> None:
    for pattern in {p for pair in PAIRS for p in pair[:2]}:
        with contextlib.suppress(re.error):
            ecma_to_python(pattern)  # ECMA's tables, shared by both: not part of either's time
    measure("greenery", greenery_language, greenery_witness)
    try:
        import interegular  # noqa: F401
    except ImportError:
        print("interegular   not installed (pip install interegular==0.3.3 to compare)")
        return
    measure_interegular()


if __name__ == "__main__":
    main()
