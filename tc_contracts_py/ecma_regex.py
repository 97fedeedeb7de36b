"""ECMA-262 regular expressions, as Zod and the JSON Schema spec read them.

JSON Schema says ``pattern`` is an ECMA-262 regex, and Zod runs it in JavaScript. This
module is the one home for reading such a pattern in Python, with three tools:

- **verdicts on syntax** come from ``regress``, a real ECMA-262 engine (the one
  jsonschema-rs can use): a pattern is valid if a JavaScript ``RegExp`` accepts it with the
  ``u`` flag, else with ``v`` (set operations), else without flags (Annex B, where
  ``\\-`` and ``a{,3}`` are literals). The first mode that accepts it gives its meaning.
- **translation to Python's** ``re`` (``ecma_to_python``), needed where a Python engine
  must run the pattern: hypothesis's ``from_regex`` and pydantic's ``python-re`` models.
  ``re`` reads the same text differently: ``\\d``/``\\w``/``\\b`` are Unicode there,
  ``$`` also matches before a final newline, ``.`` admits U+2028, ``\\s`` is another set,
  and ``\\p{…}``, ``\\u{…}``, ``\\cX``, ``(?<n>…)``/``\\k<n>``, ``[^]`` and ``v``-mode class
  set operations do not exist. Unicode properties and ``v``-mode classes are expanded to
  explicit ranges, asking ``regress`` which code points they hold (ECMA's own tables).
- **bounded matching** (``ecma_search``): ``regress`` backtracks without limit, as
  JavaScript does, so matching runs the translation on the ``regex`` engine with a time
  budget and raises ``PatternTooCostly`` (an ``InputError``, exit 2) rather than hang on
  ``^(a+)+$``. A pattern found too costly once is refused at once afterwards.

Not covered: lone surrogates (Python strings can hold them, the oracle cannot see them),
``\\q{…}`` string alternatives in ``v`` mode, variable-length lookbehind for ``re``
(the ``regex`` engine, used for verdicts, has it).
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import Any, Literal, NoReturn

import regex as _regex
import regress

from tc_contracts_py.errors import InputError

__all__ = [
    "MATCH_BUDGET_SECONDS",
    "PatternTooCostly",
    "compile_ecma",
    "compile_generation",
    "compile_python",
    "costly_pattern",
    "ecma_mode",
    "ecma_search",
    "ecma_syntax_error",
    "ecma_to_python",
    "ecma_to_rust",
    "generation_pattern",
    "is_ecma_regex",
    "matches_everywhere",
    "needs_backtracking",
    "pattern_conjunction",
    "python_search",
    "refusal_count",
    "regex_keywords",
]

Mode = Literal["u", "v", "legacy"]
Target = Literal["python", "rust"]
_FLAGS: dict[Mode, str] = {"u": "u", "v": "v", "legacy": ""}

# Per search. The regex engine checks its clock while backtracking and may overshoot ~2x.
MATCH_BUDGET_SECONDS = 0.25


class PatternTooCostly(InputError):
    """A pattern backtracks too much on some input to be checked within the budget."""

    def __init__(self, pattern: str, length: int) -> None:
        self.pattern = pattern
        super().__init__(
            f"pattern {pattern!r} is too costly to check: matching a {length}-character "
            f"string took over {MATCH_BUDGET_SECONDS} s (nested quantifiers backtrack "
            "exponentially, in JavaScript too)"
        )


# --- syntax ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def ecma_mode(pattern: str) -> Mode | None:
    """The first mode (``u``, ``v``, flagless) in which JavaScript accepts ``pattern``."""
    for mode, flags in _FLAGS.items():
        try:
            regress.Regex(pattern, flags)
        except regress.RegressError:
            continue
        return mode
    return None


def ecma_syntax_error(pattern: str) -> str | None:
    """None if JavaScript accepts ``pattern``; else the reason (as read with the ``u`` flag)."""
    if ecma_mode(pattern) is not None:
        return None
    try:
        regress.Regex(pattern, "u")
    except regress.RegressError as exc:
        return str(exc) or "invalid regular expression"
    return None  # pragma: no cover - ecma_mode just refused it


def is_ecma_regex(instance: object) -> bool:
    """A format check for ``regex``: non-strings pass, as JSON Schema formats do."""
    return not isinstance(instance, str) or ecma_mode(instance) is not None


# --- code point sets, from ECMA's own tables --------------------------------------------

_SURROGATES = (0xD800, 0xDFFF)


@lru_cache(maxsize=1)
def _all_code_points() -> tuple[str, bytes]:
    # Through UTF-32 rather than a million chr() calls: ~20x faster, once per process.
    codes = array("I", range(_SURROGATES[0]))
    codes.extend(range(_SURROGATES[1] + 1, 0x110000))
    if codes.itemsize == 4:
        text = codes.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")
    else:  # pragma: no cover - a platform whose C int is not 32 bits
        text = "".join(map(chr, codes))
    return text, text.encode("utf-8")


@lru_cache(maxsize=512)
def _class_ranges(source: str, flags: str) -> tuple[tuple[int, int], ...]:
    """The code points a one-character ECMA class (``[…]`` or ``\\p{…}``) matches."""
    ranges: list[tuple[int, int]] = []
    text_all, utf8 = _all_code_points()
    for match in regress.Regex(f"(?:{source})+", flags).find_iter(text_all) or ():
        span = match.group(0)  # a slice of UTF-8 byte offsets
        if span is None or span.stop <= span.start:
            continue
        text = utf8[span.start : span.stop].decode("utf-8")
        low, high = ord(text[0]), ord(text[-1])
        if low < _SURROGATES[0] < high:  # the oracle's input skips them
            ranges.extend([(low, _SURROGATES[0] - 1), (_SURROGATES[1] + 1, high)])
        else:
            ranges.append((low, high))
    return tuple(ranges)


def _escaped(code: int) -> str:
    if 0x21 <= code <= 0x7E:  # readable in generated code; both engines take `\\` + punctuation
        char = chr(code)
        return char if char.isalnum() or char == "_" else "\\" + char
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _ranges_body(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    return "".join(
        _escaped(low) + ("-" + _escaped(high) if high > low else "") for low, high in ranges
    )


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    low = 0
    for start, end in sorted(ranges):
        if start > low:
            out.append((low, start - 1))
        low = max(low, end + 1)
    if low <= 0x10FFFF:
        out.append((low, 0x10FFFF))
    return out


# ECMA-262 WhiteSpace and LineTerminator code points: what ``\s`` matches in JavaScript.
_SPACE_RANGES = [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
                 (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
                 (0xFEFF, 0xFEFF)]  # fmt: skip
# What both readings (ECMA and Python's Unicode ``\s``) call whitespace, for generation.
_COMMON_SPACE_RANGES = [(0x09, 0x0D), (0x20, 0x20)]
# Characters Python's ``\s`` matches beyond ECMA's set, kept out of generated ``\S``.
_PYTHON_ONLY_SPACE_RANGES = [(0x1C, 0x1F), (0x85, 0x85)]
_CLASS_RANGES = {
    "d": [(0x30, 0x39)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "s": _SPACE_RANGES,
}
_ECMA_DOT = "[^\\n\\r\\u2028\\u2029]"
# Rust has no lookaround; the regex engine lets `[^\\s\\S]` match a newline.
_NOTHING = {"python": "(?!)", "rust": "[^\\s\\S]"}
_SYNTAX_CHARS = frozenset("^$\\.*+?()[]{}|/")
_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")


# --- translation -------------------------------------------------------------------------


class _Translator:
    """ECMA-262 (in the mode JavaScript accepts it) to Python ``re`` syntax, no flags needed."""

    def __init__(
        self, pattern: str, *, for_generation: bool = False, target: Target = "python"
    ) -> None:
        mode = ecma_mode(pattern)
        if mode is None:
            raise re.error(f"not an ECMA-262 regex: {ecma_syntax_error(pattern)}")
        self.pattern = pattern
        self.mode: Mode = mode
        self.unicode = mode != "legacy"
        self.for_generation = for_generation
        self.target = target
        self.out: list[str] = []
        self.index = 0

    def run(self) -> str:
        pattern = self.pattern
        while self.index < len(pattern):
            char = pattern[self.index]
            if char == "\\":
                self._escape(in_class=False)
            elif char == "[":
                self._char_class()
            elif char == ".":
                self.out.append(_ECMA_DOT)
                self.index += 1
            elif char == "$":
                # Python's `$` also matches before a final newline; Rust's (no multi-line) does not.
                self.out.append("\\Z" if self.target == "python" else "$")
                self.index += 1
            elif char == "(" and pattern.startswith("(?<", self.index):
                if pattern.startswith(("(?<=", "(?<!"), self.index):
                    self.out.append(pattern[self.index : self.index + 4])
                    self.index += 4
                else:
                    self.out.append("(?P<")
                    self.index += 3
            elif char == "{" and not _QUANTIFIER.match(pattern, self.index):
                self.out.append("\\{")  # Annex B: a brace that is no quantifier is itself
                self.index += 1
            elif char in "}]":
                self.out.append("\\" + char)  # only reachable as an Annex B literal
                self.index += 1
            elif char == "{":
                end = pattern.index("}", self.index) + 1
                self.out.append(pattern[self.index : end])
                self.index = end
            else:
                self.out.append(char)
                self.index += 1
        return "".join(self.out)

    def _ranges(self, name: str) -> list[tuple[int, int]]:
        if name == "s" and self.for_generation:
            return _COMMON_SPACE_RANGES
        return _CLASS_RANGES[name]

    def _complement_ranges(self, name: str) -> list[tuple[int, int]]:
        ranges = _CLASS_RANGES[name]
        if name == "s" and self.for_generation:
            ranges = ranges + _PYTHON_ONLY_SPACE_RANGES
        return _complement(ranges)

    def _escape(self, *, in_class: bool) -> None:
        pattern = self.pattern
        if self.index + 1 >= len(pattern):
            raise re.error("pattern ends with a lone backslash")
        letter = pattern[self.index + 1]
        self.index += 2
        lower = letter.lower()
        if lower in _CLASS_RANGES:
            ranges = self._ranges(lower) if letter.islower() else self._complement_ranges(lower)
            body = _ranges_body(ranges)
            self.out.append(body if in_class else f"[{body}]")
        elif letter in "bB" and not in_class:
            flag = "(?a:" if self.target == "python" else "(?-u:"
            self.out.append(f"{flag}\\{letter})")
        elif letter == "b":  # in a class, \b is a backspace
            self.out.append("\\x08")
        elif letter in "pP" and self.unicode and pattern.startswith("{", self.index):
            end = pattern.index("}", self.index) + 1
            found = _class_ranges(pattern[self.index - 2 : end], _FLAGS[self.mode])
            self.index = end
            body = _ranges_body(found)
            self.out.append(body if in_class else f"[{body}]")
        elif letter == "k" and pattern.startswith("<", self.index) and ">" in pattern[self.index :]:
            end = pattern.index(">", self.index)
            self.out.append(f"(?P={pattern[self.index + 1 : end]})")
            self.index = end + 1
        elif letter == "u":
            self._unicode_escape()
        elif letter == "x" and re.match(r"[0-9A-Fa-f]{2}", pattern[self.index : self.index + 2]):
            self.out.append("\\x" + pattern[self.index : self.index + 2])
            self.index += 2
        elif (
            letter == "c"
            and self.index < len(pattern)
            and pattern[self.index].isascii()
            and (pattern[self.index].isalpha())
        ):
            self.out.append(f"\\x{ord(pattern[self.index]) % 32:02x}")
            self.index += 1
        elif letter == "0" and not pattern[self.index : self.index + 1].isdigit():
            self.out.append("\\x00")
        elif letter.isdigit() or letter in "fnrtv":
            self.out.append("\\x0b" if letter == "v" else "\\" + letter)
        elif letter == "-" and in_class:
            self.out.append("\\-")
        elif letter in _SYNTAX_CHARS:
            self.out.append(re.escape(letter))
        else:
            # Annex B identity escape (``\-``, ``\a``, ``\p`` without u): the letter itself.
            self.out.append(re.escape(letter))

    def _unicode_escape(self) -> None:
        pattern = self.pattern
        if self.unicode and pattern.startswith("{", self.index):
            end = pattern.index("}", self.index)
            self.out.append(_escaped(int(pattern[self.index + 1 : end], 16)))
            self.index = end + 1
            return
        digits = pattern[self.index : self.index + 4]
        if not re.fullmatch(r"[0-9A-Fa-f]{4}", digits):
            self.out.append("u")  # Annex B: `\u` without digits is a `u`
            return
        code = int(digits, 16)
        self.index += 4
        trail = re.match(r"\\u([dD][c-fC-F][0-9A-Fa-f]{2})", pattern[self.index :])
        if self.unicode and 0xD800 <= code <= 0xDBFF and trail:
            # With u/v, an escaped surrogate pair is one code point.
            code = 0x10000 + ((code - 0xD800) << 10) + (int(trail.group(1), 16) - 0xDC00)
            self.index += 6
        self.out.append(_escaped(code))

    def _class_end(self, start: int) -> int:
        """Index just past the class opening at ``start`` (``v`` classes nest)."""
        pattern, index, depth = self.pattern, start + 1, 1
        if pattern.startswith("^", index):
            index += 1
        if self.mode != "v" and pattern.startswith("]", index):
            return index + 1
        while index < len(pattern):
            char = pattern[index]
            if char == "\\":
                index += 2
                continue
            if char == "[" and self.mode == "v":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        raise re.error("unterminated character class")

    def _char_class(self) -> None:
        pattern = self.pattern
        end = self._class_end(self.index)
        source = pattern[self.index : end]
        if self.mode == "v" or (self.unicode and re.search(r"\\[pP]\{", source)):
            if "\\q{" in source:
                raise re.error(r"\q{…} string alternatives in a class are not supported")
            ranges = _class_ranges(source, _FLAGS[self.mode])
            self.out.append(f"[{_ranges_body(ranges)}]" if ranges else _NOTHING[self.target])
            self.index = end
            return
        if source == "[^]":
            self.out.append("[\\s\\S]")
            self.index = end
            return
        if source == "[]":
            self.out.append(_NOTHING[self.target])
            self.index = end
            return
        self.out.append("[")
        self.index += 1
        if pattern.startswith("^", self.index):
            self.out.append("^")
            self.index += 1
        while self.index < end - 1:
            char = pattern[self.index]
            if char == "\\":
                self._escape(in_class=True)
            elif char in "[&~|":  # literal in ECMA; Python warns of future set syntax
                self.out.append("\\" + char)
                self.index += 1
            else:
                self.out.append(char)
                self.index += 1
        self.out.append("]")
        self.index = end


@lru_cache(maxsize=4096)
def ecma_to_python(pattern: str) -> str:
    """Rewrite an ECMA-262 pattern for ``re`` (no flags) with ECMA's verdicts. Raises ``re.error``."""
    return _Translator(pattern, for_generation=False).run()


@lru_cache(maxsize=4096)
def ecma_to_rust(pattern: str) -> str:
    """Rewrite an ECMA-262 pattern for Rust's ``regex`` (pydantic's default engine).

    The same rewrite as ``ecma_to_python`` but for ``$`` and ``\\b``; what Rust cannot run
    at all (backreferences, lookaround) needs Python's engine: see ``needs_backtracking``.
    """
    return _Translator(pattern, target="rust").run()


_BACKTRACKING = re.compile(r"\\(?:[1-9]|k<)|\(\?(?:[=!]|<[=!])")


def needs_backtracking(pattern: str) -> bool:
    """Whether ``pattern`` uses a backreference or lookaround, which Rust's engine lacks."""
    return _BACKTRACKING.search(pattern) is not None


@lru_cache(maxsize=4096)
def generation_pattern(pattern: str) -> str:
    """Like ``ecma_to_python``, but ``\\s``/``\\S`` keep to what both readings agree on."""
    return _Translator(pattern, for_generation=True).run()


@lru_cache(maxsize=4096)
def compile_ecma(pattern: str) -> re.Pattern[str]:
    """The pattern with ECMA semantics in ``re``. Unbounded: match with ``ecma_search``."""
    return re.compile(ecma_to_python(pattern))


@lru_cache(maxsize=4096)
def compile_generation(pattern: str) -> re.Pattern[str]:
    """For hypothesis's ``from_regex``. Raises ``re.error`` for what ``re`` cannot express."""
    return re.compile(generation_pattern(pattern))


@lru_cache(maxsize=4096)
def compile_python(pattern: str) -> re.Pattern[str]:
    """The pattern as Python's ``re`` reads it (what the jsonschema library does)."""
    return re.compile(pattern)


# --- bounded matching --------------------------------------------------------------------

_COSTLY: dict[str, int] = {}  # pattern -> length of the string it was too costly on
# Every refusal, in order: a caller that sees hypothesis swallow one asks for those since
# its own start, never one left over from an earlier check in the same process.
_REFUSALS: list[tuple[str, int]] = []


@lru_cache(maxsize=4096)
def _bounded(translated: str) -> _regex.Pattern[str] | None:
    try:
        return _regex.compile(translated)
    except _regex.error:
        return None


def _search(key: str, translated: str, text: str) -> bool:
    if key in _COSTLY:
        _refuse(key, _COSTLY[key])
    bounded = _bounded(translated)
    if bounded is None:  # a spelling only ``re`` takes: unbounded, but still read right
        return re.compile(translated).search(text) is not None
    try:
        return bounded.search(text, timeout=MATCH_BUDGET_SECONDS) is not None
    except TimeoutError:
        _COSTLY[key] = len(text)
        _refuse(key, len(text))


def _refuse(key: str, length: int) -> NoReturn:
    _REFUSALS.append((key, length))
    raise PatternTooCostly(key, length) from None


def refusal_count() -> int:
    """How many times a pattern has been refused as too costly so far: a mark to ask since."""
    return len(_REFUSALS)


def costly_pattern(since: int) -> tuple[str, int] | None:
    """The last pattern refused after mark ``since``, and the length it was costly on."""
    return _REFUSALS[-1] if len(_REFUSALS) > since else None


def ecma_search(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` as JavaScript reads it (unanchored, as JSON Schema).

    Raises ``re.error`` for a pattern that is not ECMA-262 and ``PatternTooCostly``
    when matching exceeds the budget.
    """
    return _search(pattern, ecma_to_python(pattern), text)


def python_search(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` as Python's ``re`` reads it, within the budget."""
    compile_python(pattern)  # refuse what re refuses, as the jsonschema library would
    return _search(pattern, pattern, text)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")


def python_readable(pattern: str) -> bool:
    """Whether Python's ``re`` reads ``pattern`` as a regex meant for the same strings.

    Not when it refuses it, nor for an escaped surrogate pair (one code point in ECMA's
    u mode, two lone surrogates to ``re``, which no JSON text of that character matches).
    """
    if _SURROGATE_ESCAPE.search(pattern):
        return False
    try:
        compile_python(pattern)
    except (re.error, OverflowError, RecursionError):
        return False
    return True


Keyword = Callable[[Any, Any, Any, Any], Iterator[Any]]


@cache
def regex_keywords(search: Callable[[str, str], bool]) -> dict[str, Keyword]:
    """jsonschema's keywords that read patterns (``pattern``, ``patternProperties``, and
    ``additionalProperties``, which skips the keys a pattern claims) with every pattern
    read by ``search``: ``ecma_search`` or ``python_search``, both within the match budget.
    The library's own use unbounded ``re.search``."""
    from jsonschema.exceptions import ValidationError

    def pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, str) and isinstance(pattern, str) and not search(pattern, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    def pattern_properties(
        validator: Any, patterns: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for pattern, subschema in patterns.items():
            for key, value in instance.items():
                if search(pattern, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=pattern)

    def additional_properties(
        validator: Any, extra: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        declared = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = sorted(
            (k for k in instance if k not in declared and not any(search(p, k) for p in patterns)),
            key=str,
        )
        if validator.is_type(extra, "object"):
            for key in extras:
                yield from validator.descend(instance[key], extra, path=key)
        elif not extra and extras:
            yield ValidationError(_additional_message(extras, patterns))

    return {
        "pattern": pattern_keyword,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
    }


def _additional_message(extras: list[str], patterns: list[str]) -> str:
    # jsonschema's own wording, so that reports read the same on either engine.
    joined = ", ".join(repr(each) for each in extras)
    if patterns:
        verb = "does" if len(extras) == 1 else "do"
        regexes = ", ".join(repr(each) for each in sorted(patterns))
        return f"{joined} {verb} not match any of the regexes: {regexes}"
    verb = "was" if len(extras) == 1 else "were"
    return f"Additional properties are not allowed ({joined} {verb} unexpected)"


def matches_everywhere(pattern: str, text: str) -> bool:
    """True if ``text`` matches ``pattern`` as ECMA-262 and, where ``re`` can read it, as Python."""
    if not ecma_search(pattern, text):
        return False
    return not python_readable(pattern) or python_search(pattern, text)


def pattern_conjunction(patterns: list[str]) -> str:
    """One ECMA-262 pattern that matches where every one of ``patterns`` does."""
    if len(patterns) == 1:
        return patterns[0]
    # A pattern is searched for anywhere, and `^`/`$` inside a lookahead still mean the
    # ends of the input, so each lookahead is exactly "this pattern matches".
    return "^" + "".join(f"(?=[\\s\\S]*?(?:{pattern}))" for pattern in patterns)
