"""Python names in generated modules that must not clash with what the module imports.

A schema or definition named like something its generated module imports (``UrlConstraints``,
``Field``, ``AwareDatetime``, …) would rebind that import with the model class, and the
module then fails at import. When a generated module binds a name it also imports, it is
generated again with each such model suffixed ``Model`` (``UrlConstraints`` becomes
``UrlConstraintsModel``); the package still exports a schema's root model under the
schema's own name. Only modules that clash are renamed, so ordinary names (``Tag``,
``Set``) stay as they are. A property whose Python name falls in one of pydantic's
protected namespaces (``model_dump_``) makes pydantic warn at import: it gets the prefix
``field_`` (``field_model_dump_``), its JSON name staying the alias.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from typing import Any

RENAME_SUFFIX = "Model"

# pydantic's default `protected_namespaces`: a field starting with one of them warns.
_PROTECTED_PREFIXES = ("model_validate", "model_dump")
PROTECTED_FIELD_PREFIX = "field_"


def renamed(name: str, avoid: Collection[str]) -> str:
    """``name`` suffixed with ``Model`` until it is none of ``avoid``."""
    result = name + RENAME_SUFFIX
    while result in avoid:
        result += RENAME_SUFFIX
    return result


def _snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"\W", "_", text).lower()


def _property_names(document: Any) -> Iterator[str]:
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                yield from (key for key in properties if isinstance(key, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def protected_field_aliases(document: Any) -> dict[str, str]:
    """The generator's ``aliases``: JSON names whose Python name pydantic protects."""
    aliases: dict[str, str] = {}
    for name in _property_names(document):
        snake = _snake(name)
        if snake.startswith(_PROTECTED_PREFIXES):
            aliases[name] = PROTECTED_FIELD_PREFIX + snake
    return dict(sorted(aliases.items()))


def shadowed_imports(source: str) -> list[str]:
    """Names a module both imports and defines at top level (the import is then lost)."""
    tree = ast.parse(source)
    imported: set[str] = set()
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                imported.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ClassDef | ast.FunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    return sorted(imported & defined)
