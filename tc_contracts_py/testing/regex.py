"""ECMA-262 regular expressions, as Zod and the JSON Schema spec read them, in Python's ``re``.

JSON Schema says ``pattern`` is an ECMA-262 regex, and Zod runs it in JavaScript.
Python's ``re`` reads the same text differently in ways that matter for contracts:

- ``\\d``, ``\\w`` and ``\\b`` are Unicode-aware in Python (``'೪'`` is a digit), ASCII in ECMA;
- ``$`` also matches before a trailing newline in Python, only at the very end in ECMA;
- ``.`` excludes only ``\\n`` in Python, every line terminator in ECMA;
- ``\\s`` is a slightly different set of whitespace;
- named groups are spelled ``(?<n>…)`` and ``\\k<n>`` in ECMA.

``ecma_to_python`` rewrites a pattern so that, compiled with ``re.ASCII``, Python
gives ECMA's verdicts. ``generation_pattern`` gives a pattern whose matches satisfy
both readings, for generating strings every validator in the chain accepts.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ECMA-262 WhiteSpace and LineTerminator code points (what ``\s`` matches in JavaScript).
_ECMA_WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
# Characters Python's Unicode ``\s`` matches beyond ECMA's set.
_PYTHON_ONLY_WHITESPACE = "\\x1c-\\x1f\\x85"
_ECMA_DOT = "[^\\n\\r\\u2028\\u2029]"
# Inside a character class Python warns about possible future set syntax for these.
_CLASS_ESCAPES = frozenset("[&~|")


class _Translator:
    def __init__(self, pattern: str, *, for_generation: bool) -> None:
        self.pattern = pattern
        self.for_generation = for_generation
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
                self.out.append("\\Z")
                self.index += 1
            elif (
                char == "("
                and pattern.startswith("(?<", self.index)
                and not pattern.startswith(("(?<=", "(?<!"), self.index)
            ):
                self.out.append("(?P<")
                self.index += 3
            else:
                self.out.append(char)
                self.index += 1
        return "".join(self.out)

    def _escape(self, *, in_class: bool) -> None:
        pattern = self.pattern
        if self.index + 1 >= len(pattern):
            raise re.error("pattern ends with a lone backslash")
        letter = pattern[self.index + 1]
        self.index += 2
        if letter == "s":
            whitespace = "\\t\\n\\x0b\\x0c\\r " if self.for_generation else _ECMA_WHITESPACE
            self.out.append(whitespace if in_class else f"[{whitespace}]")
        elif letter == "S" and not in_class:
            excluded = _ECMA_WHITESPACE + (_PYTHON_ONLY_WHITESPACE if self.for_generation else "")
            self.out.append(f"[^{excluded}]")
        elif letter == "k" and pattern.startswith("<", self.index):
            end = pattern.index(">", self.index)
            self.out.append(f"(?P={pattern[self.index + 1 : end]})")
            self.index = end + 1
        elif letter == "/":
            self.out.append("/")
        elif letter == "c" and self.index < len(pattern) and pattern[self.index].isalpha():
            self.out.append(f"\\x{ord(pattern[self.index]) % 32:02x}")
            self.index += 1
        else:
            self.out.append("\\" + letter)

    def _char_class(self) -> None:
        pattern = self.pattern
        if pattern.startswith("[^]", self.index):
            self.out.append("[\\s\\S]")
            self.index += 3
            return
        if pattern.startswith("[]", self.index):
            self.out.append("(?!)")
            self.index += 2
            return
        self.out.append("[")
        self.index += 1
        if pattern.startswith("^", self.index):
            self.out.append("^")
            self.index += 1
        while self.index < len(pattern):
            char = pattern[self.index]
            if char == "]":
                self.out.append("]")
                self.index += 1
                return
            if char == "\\":
                self._escape(in_class=True)
            elif char in _CLASS_ESCAPES:
                self.out.append("\\" + char)
                self.index += 1
            else:
                self.out.append(char)
                self.index += 1
        raise re.error("unterminated character class")


def ecma_to_python(pattern: str) -> str:
    """Rewrite an ECMA-262 pattern for ``re`` compiled with ``re.ASCII``. Raises ``re.error``."""
    return _Translator(pattern, for_generation=False).run()


def generation_pattern(pattern: str) -> str:
    """Like ``ecma_to_python``, but its matches also match ``pattern`` as Python reads it."""
    return _Translator(pattern, for_generation=True).run()


@lru_cache(maxsize=4096)
def compile_ecma(pattern: str) -> re.Pattern[str]:
    """The pattern with ECMA semantics; falls back to Python's reading if it cannot be translated."""
    try:
        return re.compile(ecma_to_python(pattern), re.ASCII)
    except re.error:
        return re.compile(pattern)


@lru_cache(maxsize=4096)
def compile_python(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=4096)
def compile_generation(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(generation_pattern(pattern), re.ASCII)
    except re.error:
        return re.compile(pattern)


def matches_everywhere(pattern: str, text: str) -> bool:
    """True if ``text`` matches ``pattern`` both as ECMA-262 and as Python's ``re`` reads it."""
    return (
        compile_ecma(pattern).search(text) is not None
        and compile_python(pattern).search(text) is not None
    )
