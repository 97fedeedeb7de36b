"""Checks the generator cannot write, added to the module it wrote.

- Literal members keep their JSON kind: ``Literal[True]`` alone accepts ``1`` and
  ``Literal[0]`` accepts ``false`` (``True == 1`` in Python, not in JSON).
- Fields that prepare marked (``NEVER_KEY`` on a ``z.never()`` property, which the generator
  reads as ``Any``; ``UNIQUE_ITEMS_KEY`` for ``uniqueItems``, which it drops; ``REST_KEY`` on
  a tuple with a rest, ``z.tuple([a, b]).rest(c)``, which prepare turned into the fixed
  tuple ``(a, b, c)``) get a validator, or for the tuple the hook that makes its last member
  repeat (pydantic-core's variadic tuples; the generator has no way to write one).

Each rewrite parses the module once and edits the source text at the nodes' offsets, so the
rest of the generator's formatting stays byte for byte.
"""

from __future__ import annotations

import ast

# Set by prepare after every keyword outside the vocabulary was dropped, so a schema cannot.
NEVER_KEY = "x-tc-never"
UNIQUE_ITEMS_KEY = "x-tc-unique-items"
REST_KEY = "x-tc-rest-from"
MARKER_KEYS = (NEVER_KEY, UNIQUE_ITEMS_KEY, REST_KEY)

_SAME_KIND_BLOCK = '''

class @NAME@:
    """A literal matches a member of its own JSON kind: `true` is not `1`, `0` is not `false`."""

    def __init__(self, *members: object) -> None:
        self.members = members

    def __call__(self, value: object) -> object:
        for member in self.members:
            if value == member and isinstance(value, bool) is isinstance(member, bool):
                return value
        raise ValueError(f"expected one of {self.members!r}")
'''
_NEVER_BLOCK = '''

def @NAME@(value: object) -> object:
    """`z.never()`: no value is allowed here."""
    raise ValueError("no value is allowed here")
'''
_UNIQUE_BLOCK = '''

def _json_key(value: object) -> object:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, dict):
        return ("object", tuple(sorted((str(k), _json_key(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("array", tuple(_json_key(v) for v in value))
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float):
        return ("number", value)
    return ("other", value)


def @NAME@(value: object) -> object:
    """`uniqueItems`: no two items are equal as JSON values."""
    if isinstance(value, list):
        keys = [_json_key(item) for item in value]
        if len(set(keys)) != len(keys):
            raise ValueError("items must be unique")
    return value
'''

_REST_BLOCK = '''

class @NAME@:
    """A tuple whose members from ``index`` on are one repeating member, as in
    ``z.tuple([a, b]).rest(c)``."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __get_pydantic_core_schema__(self, source: object, handler: GetCoreSchemaHandler) -> dict:
        schema = handler(source)
        pending: list[dict] = [schema]
        while pending:
            node = pending.pop()
            if node.get("type") == "tuple":
                node["variadic_item_index"] = self.index
                node.pop("min_length", None)
                node.pop("max_length", None)
            elif node.get("type") == "union":
                pending.extend(c[0] if isinstance(c, tuple) else c for c in node["choices"])
            elif isinstance(node.get("schema"), dict):
                pending.append(node["schema"])
        return schema
'''


def _free_name(tree: ast.Module, wanted: str) -> str:
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef | ast.FunctionDef)
    }
    name = wanted
    while name in taken:
        name += "_"
    return name


def _replace_spans(source: str, edits: list[tuple[ast.expr, str]]) -> str:
    """``source`` with the text of each node replaced, right to left so offsets hold."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode()))
    data = source.encode()
    for node, text in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        begin = starts[node.lineno - 1] + node.col_offset
        finish = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        data = data[:begin] + text.encode() + data[finish:]
    return data.decode()


def _after_imports(source: str, tree: ast.Module, block: str) -> str:
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    if not imports:
        return block.lstrip("\n") + "\n\n" + source
    last = max(n.end_lineno or n.lineno for n in imports)
    lines = source.splitlines(keepends=True)
    head, tail = "".join(lines[:last]), "".join(lines[last:]).lstrip("\n")
    return f"{head}{block}\n\n{tail}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float)


def exact_literals(source: str) -> tuple[str, set[str]]:
    """Every ``Literal[...]`` with a boolean or a number member checks its members' JSON
    kinds. Returns the source and the pydantic names it now needs."""
    if "Literal[" not in source:
        return source, set()
    tree = ast.parse(source)
    found: list[tuple[ast.Subscript, str]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Literal"
        ):
            continue
        members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        values = [m.value for m in members if isinstance(m, ast.Constant)]
        text = ast.get_source_segment(source, node)
        if text is not None and len(values) == len(members) and any(map(_is_number, values)):
            found.append((node, text))
    if not found:
        return source, set()
    name = _free_name(tree, "_SameJsonKind")
    # A literal that already heads an `Annotated[...]` takes the check beside it.
    heads = {
        id(node.slice.elts[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Annotated"
        and isinstance(node.slice, ast.Tuple)
    }
    edits: list[tuple[ast.expr, str]] = []
    for node, text in found:
        listed = text[len("Literal[") : -1].strip().rstrip(",")
        check = f"BeforeValidator({name}({listed}))"
        edits.append(
            (node, f"{text}, {check}" if id(node) in heads else f"Annotated[{text}, {check}]")
        )
    source = _replace_spans(source, edits)
    source = _after_imports(source, tree, _SAME_KIND_BLOCK.replace("@NAME@", name))
    return source, {"BeforeValidator"}


def _marker(call: ast.expr, source: str) -> tuple[str, list[str], ast.expr] | None:
    """The marker a ``Field(json_schema_extra={MARKER: True}, …)`` carries, and the source
    of its other keywords."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
        return None
    if call.func.id != "Field" or call.args:
        return None
    for extra in call.keywords:
        if extra.arg != "json_schema_extra" or not isinstance(extra.value, ast.Dict):
            continue
        keys = extra.value.keys
        if len(keys) == 1 and isinstance(keys[0], ast.Constant) and keys[0].value in MARKER_KEYS:
            marker = str(keys[0].value)
            # The rest hook lifts the fixed tuple's lengths, which the Field would still check.
            dropped = {"min_length", "max_length"} if marker == REST_KEY else set()
            rest = [
                ast.get_source_segment(source, k) or ""
                for k in call.keywords
                if k is not extra and k.arg not in dropped
            ]
            return marker, rest, extra.value.values[0]
    return None


def marked_fields(source: str) -> tuple[str, set[str]]:
    """``Annotated[T, Field(json_schema_extra={marker: True})]`` becomes ``Annotated[T, check]``.
    Returns the source and the pydantic names it now needs."""
    if not any(key in source for key in MARKER_KEYS):
        return source, set()
    tree = ast.parse(source)
    found: list[tuple[ast.Subscript, str, str, list[str], ast.expr]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Annotated"
            and isinstance(node.slice, ast.Tuple)
            and len(node.slice.elts) == 2
        ):
            continue
        inner, call = node.slice.elts
        marked = _marker(call, source)
        inner_text = ast.get_source_segment(source, inner)
        if marked is not None and inner_text is not None:
            found.append((node, inner_text, *marked))
    if not found:
        return source, set()
    names = {
        NEVER_KEY: _free_name(tree, "_never"),
        UNIQUE_ITEMS_KEY: _free_name(tree, "_unique_items"),
        REST_KEY: _free_name(tree, "_RestFrom"),
    }
    checks = {
        NEVER_KEY: f"BeforeValidator({names[NEVER_KEY]})",
        UNIQUE_ITEMS_KEY: f"AfterValidator({names[UNIQUE_ITEMS_KEY]})",
        REST_KEY: f"{names[REST_KEY]}(@VALUE@)",
    }
    edits: list[tuple[ast.expr, str]] = []
    for node, inner_text, marker, rest, value in found:
        check = checks[marker].replace("@VALUE@", ast.get_source_segment(source, value) or "0")
        field = f", Field({', '.join(rest)})" if rest else ""
        edits.append((node, f"Annotated[{inner_text}, {check}{field}]"))
    source = _replace_spans(source, edits)
    used = {found_marker[2] for found_marker in found}
    blocks = {NEVER_KEY: _NEVER_BLOCK, UNIQUE_ITEMS_KEY: _UNIQUE_BLOCK, REST_KEY: _REST_BLOCK}
    block = "".join(blocks[key].replace("@NAME@", names[key]) for key in MARKER_KEYS if key in used)
    source = _after_imports(source, tree, block)
    wanted = {"BeforeValidator"} if NEVER_KEY in used else set()
    if UNIQUE_ITEMS_KEY in used:
        wanted |= {"AfterValidator", "BaseModel"}
    if REST_KEY in used:
        wanted |= {"GetCoreSchemaHandler"}
    return source, wanted
