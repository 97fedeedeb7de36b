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


def _children(node: dict[str, Any], label: str) -> list[tuple[Any, str]]:
    children: list[tuple[Any, str]] = []
    for key, value in node.items():
        if key in _DATA_KEYWORDS or key == "$ref":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            children += [
                (sub, f"{label}/{escape_pointer_token(key)}/{escape_pointer_token(name)}")
                for name, sub in value.items()
                if isinstance(sub, dict)
            ]
        elif isinstance(value, dict):
            children.append((value, f"{label}/{escape_pointer_token(key)}"))
        elif isinstance(value, list):
            children += [
                (sub, f"{label}/{escape_pointer_token(key)}/{index}")
                for index, sub in enumerate(value)
                if isinstance(sub, dict)
            ]
    return children


def schema_too_deep(document: Any, resolver: Any, uri: str) -> str | None:
    """The ``file#pointer`` label of the first subschema reached deeper than
    ``MAX_SCHEMA_DEPTH`` levels from ``document`` (refs followed), or ``None``.

    Iterative; a node is walked again only when reached deeper than before, so the cost is
    at most ``MAX_SCHEMA_DEPTH`` visits per subschema.
    """
    deepest: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, Any, str, int, bool]] = [(document, resolver, f"{uri}#", 0, False)]
    while stack:
        node, node_resolver, label, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        if not isinstance(node, dict) or id(node) in on_path:
            continue
        if depth > MAX_SCHEMA_DEPTH:
            return label
        if deepest.get(id(node), -1) >= depth:
            continue
        deepest[id(node)] = depth
        on_path.add(id(node))
        stack.append((node, node_resolver, label, depth, True))
        ref = node.get("$ref")
        if isinstance(ref, str):
            try:
                resolved = node_resolver.lookup(ref)
            except (referencing.exceptions.Unresolvable, TypeError, LookupError):
                pass  # check_refs reports it
            else:
                target = urljoin(label, ref)
                stack.append(
                    (
                        resolved.contents,
                        resolved.resolver,
                        target if "#" in target else target + "#",
                        depth + 1,
                        False,
                    )
                )
        for child, child_label in _children(node, label):
            stack.append((child, node_resolver, child_label, depth + 1, False))
    return None


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
