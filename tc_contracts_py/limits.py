"""The nesting limits on input, one per kind of input (stated in docs/hostile.md).

Every walker downstream (the loader's checks, codegen preparation, datamodel-code-generator,
the diff walker, the test kit's strategies) may recurse once or a few times per level; the
limits keep them all well inside Python's recursion limit, so input over a limit is refused
with one line naming file and pointer instead of ending in ``RecursionError``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import referencing.exceptions

from tc_contracts_py.pointer import escape_pointer_token

# Schemas: subschema levels, a `$ref` counting as one level into its target (recursion
# back onto the current path ends the count). Measured under Python's default recursion
# limit, what fails first: importing the generated models (pydantic builds the core schema
# recursively) at 41-48 levels of `items` with `minItems`; the metaschema check (jsonschema)
# and datamodel-code-generator 0.89 at 97-128 levels of `anyOf`; the test kit's payloads at
# hypothesis's 100 nested draws (about two per object level). 32 leaves a margin; zod's
# deepest real output is well under it.
MAX_SCHEMA_DEPTH = 32
# The JSON of a schema file: two JSON levels per subschema level (`properties/x`, `anyOf/0`),
# and a little room for the keyword values of the deepest one (`enum: [[…]]`), checked
# while loading, before any ref is followed.
MAX_SCHEMA_JSON_DEPTH = 2 * MAX_SCHEMA_DEPTH + 4
# Waiver files: arrays and inline tables nested in TOML values (a waiver needs one).
MAX_WAIVERS_DEPTH = 32

_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples", "example"})
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"}
)


# A path from the walk's start, as a chain of (parent, token) pairs: a label is spelled out
# only for the subschema that is too deep, since building one per node was most of the cost.
_Path = tuple[Any, str] | None


def _label(base: str, path: _Path) -> str:
    tokens: list[str] = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return base + "".join(reversed(tokens))


def _push_children(
    stack: list[tuple[Any, Any, str, _Path, int, bool]],
    node: dict[str, Any],
    resolver: Any,
    base: str,
    path: _Path,
    depth: int,
) -> None:
    for key, value in node.items():
        if key in _DATA_KEYWORDS or key == "$ref":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            prefix = f"/{escape_pointer_token(key)}/"
            for name, sub in value.items():
                if isinstance(sub, dict):
                    stack.append(
                        (
                            sub,
                            resolver,
                            base,
                            (path, prefix + escape_pointer_token(name)),
                            depth,
                            False,
                        )
                    )
        elif isinstance(value, dict):
            stack.append(
                (value, resolver, base, (path, f"/{escape_pointer_token(key)}"), depth, False)
            )
        elif isinstance(value, list):
            prefix = f"/{escape_pointer_token(key)}/"
            for index, sub in enumerate(value):
                if isinstance(sub, dict):
                    stack.append((sub, resolver, base, (path, f"{prefix}{index}"), depth, False))


def schema_too_deep(document: Any, resolver: Any, uri: str) -> str | None:
    """The ``file#pointer`` label of the first subschema reached deeper than
    ``MAX_SCHEMA_DEPTH`` levels from ``document`` (refs followed), or ``None``.

    Iterative; a node is walked again only when reached deeper than before, so the cost is
    at most ``MAX_SCHEMA_DEPTH`` visits per subschema.
    """
    deepest: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, Any, str, _Path, int, bool]] = [
        (document, resolver, f"{uri}#", None, 0, False)
    ]
    while stack:
        node, node_resolver, base, path, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            continue
        if not isinstance(node, dict) or key in on_path:
            continue
        if depth > MAX_SCHEMA_DEPTH:
            return _label(base, path)
        if deepest.get(key, -1) >= depth:
            continue
        deepest[key] = depth
        on_path.add(key)
        stack.append((node, node_resolver, base, path, depth, True))
        ref = node.get("$ref")
        if isinstance(ref, str):
            _push_ref_target(stack, node_resolver, _label(base, path), ref, depth + 1)
        _push_children(stack, node, node_resolver, base, path, depth + 1)
    return None


def _push_ref_target(
    stack: list[tuple[Any, Any, str, _Path, int, bool]],
    resolver: Any,
    label: str,
    ref: str,
    depth: int,
) -> None:
    try:
        resolved = resolver.lookup(ref)
    except (referencing.exceptions.Unresolvable, TypeError, LookupError):
        return  # check_refs reports it
    target = urljoin(label, ref)
    base = target if "#" in target else target + "#"
    stack.append((resolved.contents, resolved.resolver, base, None, depth, False))


def toml_too_deep(text: str) -> int | None:
    """The 1-based line on which TOML arrays and inline tables nest deeper than
    ``MAX_WAIVERS_DEPTH``, or ``None``. A lexical scan: strings and comments are skipped.

    ``tomllib`` parses nested values recursively, so this runs before it does.
    """
    depth = 0
    line = 1
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text.startswith(char * 3, index) else char
            index += len(quote)
            while index < length and not text.startswith(quote, index):
                if text[index] == "\\" and char == '"':
                    index += 1
                elif text[index] == "\n":
                    line += 1
                    if len(quote) == 1:
                        break  # an unterminated string: tomllib reports it
                index += 1
            index += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_WAIVERS_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        index += 1
    return None
