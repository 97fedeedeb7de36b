"""JSON Pointers (RFC 6901): the one place tokens are escaped, unescaped and followed.

It imports nothing of the package, so every floor can use it (``limits.py`` sits below
``schemaset.py``, which needs the limits).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "escape_pointer_token",
    "lookup_pointer",
    "pointer_tokens",
    "resolve_pointer",
    "to_pointer",
    "unescape_pointer_token",
]


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    # "~1" first: "~01" is the token "~1", not "/".
    return token.replace("~1", "/").replace("~0", "~")


def to_pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + escape_pointer_token(part) for part in path)


def pointer_tokens(pointer: str) -> list[str]:
    """The unescaped tokens of ``pointer``, ``""`` (the whole document) or ``"/…"``."""
    return [unescape_pointer_token(token) for token in pointer.split("/")[1:]]


def lookup_pointer(document: Any, tokens: Iterable[str]) -> tuple[Any, Any, str | int] | None:
    """``(value, parent, key)`` at ``tokens``, or None when the document has nothing there.

    An array is indexed by a token of digits below its length; at the root, parent is None.
    """
    parent: Any = None
    key: str | int = ""
    current = document
    for token in tokens:
        parent = current
        if isinstance(current, dict) and token in current:
            key = token
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            key = int(token)
        else:
            return None
        current = current[key]
    return current, parent, key


def resolve_pointer(document: Any, pointer: str) -> tuple[bool, Any]:
    """Whether ``pointer`` names a value in ``document``, and the value (None when not)."""
    found = lookup_pointer(document, pointer_tokens(pointer))
    return (False, None) if found is None else (True, found[0])
