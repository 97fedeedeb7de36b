"""Turn one schema of a set into the self-contained document the code generator sees.

Pure functions, no I/O. The steps, and why:

1. ``refuse_dangerous_keywords``: datamodel-code-generator turns ``customTypePath``,
   ``customBasePath``, ``x-python-type``/``x-python-import`` … into import statements
   in generated code, so a hostile artifact could make ``import models`` run any
   importable module. Such schemas are refused before anything is generated.
2. ``keep_known_keywords``: every other keyword outside the JSON Schema vocabulary
   is dropped, so no generator extension we did not vet can act.
3. ``bundle``: cross-file ``$ref``s are inlined as definitions (the generator is fed
   in memory and must never read files).
4. zod shape fixes: a named root (``{"$ref": "#/definitions/X", "definitions": …}``)
   becomes the root itself so the class is named after the schema; a nullable
   wrapper ``anyOf: [primitive, null]`` becomes a type array so the field is a plain
   ``str | None`` rather than a ``RootModel``; an ``anyOf``/``oneOf`` of objects
   tagged by a ``const`` property gets a ``discriminator`` so Pydantic builds a
   discriminated union.
5. ECMA patterns for the model's regex engine: ``pattern`` is ECMA-262, where ``\\d``, ``\\w``,
   ``\\s`` and ``\\b`` are ASCII and ``.`` stops at every line terminator; Pydantic's Rust
   regex reads them as Unicode, so ``\\d`` would accept ``'٤'``. They are rewritten to
   explicit classes that mean the same in both (``\\d`` → ``[0-9]``).
6. exhaustive enum-keyed records: Zod 4's ``z.record(z.enum([...]), V)`` requires every
   key; the generator makes it ``dict[Literal[...], V]``, which accepts missing keys.
   ``minProperties`` = the number of keys makes the dict need all of them.
7. URL lengths: the generator writes no constraint on an ``AnyUrl`` field, so a
   ``format: uri`` string's ``maxLength`` is handed on as ``URL_MAX_LENGTH_KEY`` and
   the engine turns it into ``UrlConstraints(max_length=…)``.
8. the unknown-properties policy: under ``strip`` a plain ``z.object()``'s
   ``additionalProperties: false`` is dropped so the model ignores extra keys, as
   Zod does; under ``reject`` it stays and the model forbids them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urljoin

from tc_contracts_py.codegen.checks import NEVER_KEY, REST_KEY, UNIQUE_ITEMS_KEY
from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.ecma_regex import (
    compile_ecma,
    ecma_to_python,
    ecma_to_rust,
    needs_backtracking,
    pattern_conjunction,
)
from tc_contracts_py.errors import SchemaError
from tc_contracts_py.pointer import (
    escape_pointer_token,
    lookup_pointer,
    pointer_tokens,
    to_pointer,
    unescape_pointer_token,
)
from tc_contracts_py.schemaset import Dialect, SchemaSet
from tc_contracts_py.zod_formats import ZOD4_DEFAULT_PATTERNS, ZOD_FORMAT_REGEX

# Keywords that make datamodel-code-generator emit imports or code.
DANGEROUS_KEYWORDS = frozenset(
    {
        "customTypePath",
        "customBasePath",
        "x-python-type",
        "x-python-import",
        "x-python-base-class",
        "default_factory",
        "defaultFactory",
        "x-default-factory",
        "javaType",
    }
)
_DANGEROUS_PREFIXES = ("x-python-", "x-pydantic-", "custom")

# The JSON Schema vocabulary (draft-04 … 2020-12) plus the annotations zod emits.
KNOWN_KEYWORDS = frozenset(
    {
        "$schema", "$id", "id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor",
        "$recursiveRef", "$recursiveAnchor", "$defs", "definitions", "$comment", "$vocabulary",
        "type", "enum", "const", "format",
        "minLength", "maxLength", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "items", "prefixItems", "additionalItems", "unevaluatedItems", "contains",
        "minContains", "maxContains", "minItems", "maxItems", "uniqueItems",
        "properties", "patternProperties", "additionalProperties", "unevaluatedProperties",
        "propertyNames", "required", "minProperties", "maxProperties",
        "dependencies", "dependentRequired", "dependentSchemas",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
        "contentEncoding", "contentMediaType", "contentSchema",
    }
)  # fmt: skip

# Keywords whose value is a map from names to subschemas.
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
)
# Keywords whose value is one subschema.
_SCHEMA_VALUES = frozenset(
    {
        "additionalProperties", "unevaluatedProperties", "propertyNames", "not", "if", "then",
        "else", "contains", "additionalItems", "unevaluatedItems", "contentSchema",
    }
)  # fmt: skip
# Keywords whose value is a list of subschemas.
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def iter_subschemas(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[dict[str, Any], tuple[str | int, ...]]]:
    """Every schema object in a document, with its path. Iterative: no recursion limit."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if not isinstance(current, dict):
            continue
        yield current, where
        for key, value in current.items():
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                stack.extend((sub, (*where, key, name)) for name, sub in value.items())
            elif key in _SCHEMA_VALUES:
                stack.append((value, (*where, key)))
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                stack.extend((sub, (*where, key, i)) for i, sub in enumerate(value))
            elif key == "items":
                if isinstance(value, list):
                    stack.extend((sub, (*where, key, i)) for i, sub in enumerate(value))
                else:
                    stack.append((value, (*where, key)))
            elif key == "dependencies" and isinstance(value, dict):
                stack.extend(
                    (sub, (*where, key, name))
                    for name, sub in value.items()
                    if isinstance(sub, dict)
                )


def refuse_dangerous_keywords(filename: str, document: Any) -> None:
    for node, path in iter_subschemas(document):
        for key in node:
            if key in DANGEROUS_KEYWORDS or (
                key not in KNOWN_KEYWORDS and key.startswith(_DANGEROUS_PREFIXES)
            ):
                raise SchemaError(
                    filename,
                    to_pointer((*path, key)),
                    f"keyword {key!r} can make generated code import modules; refused",
                )


def keep_known_keywords(document: Any) -> None:
    """Drop, in place, every keyword outside the vocabulary (the generator never sees them)."""
    for node, _ in iter_subschemas(document):
        for key in [k for k in node if k not in KNOWN_KEYWORDS]:
            del node[key]


# --- bundling -----------------------------------------------------------------------------


def _split_ref(ref: str) -> tuple[str, str]:
    target, _, fragment = ref.partition("#")
    return target, unquote(fragment)


def bundle(schema_set: SchemaSet, name: str) -> dict[str, Any]:
    """A copy of schema ``name`` with every other file it refers to embedded as a definition.

    ``Other.json#/x`` becomes ``#/<definitions>/Other/x`` and the embedded copy's own
    ``#/…`` refs are re-rooted, so the result resolves on its own.
    """
    root_schema = schema_set[name]
    document = copy.deepcopy(root_schema.document)
    if not isinstance(document, dict):
        return {"type": "object"} if document else {"not": {}}
    definitions_key = root_schema.dialect.definitions_keyword
    by_filename = {schema.filename: schema for schema in schema_set}
    # A root `$id` is another name for its file; unmapped, such a ref reaches the generator,
    # which resolves it as a path relative to the working directory and reads that file.
    for schema in schema_set:
        alias = schema.document.get("$id") if isinstance(schema.document, dict) else None
        if isinstance(alias, str) and alias.partition("#")[0]:
            by_filename.setdefault(alias.partition("#")[0], schema)
    embedded: dict[str, str] = {}  # filename -> pointer prefix inside the bundle
    queue: list[tuple[dict[str, Any], str, str]] = [(document, root_schema.filename, "")]
    while queue:
        node_root, filename, prefix = queue.pop()
        for node, _ in iter_subschemas(node_root):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                continue
            target, fragment = _split_ref(
                urljoin(filename, ref) if not ref.startswith("#") else ref
            )
            if not target or target == filename:
                if prefix:
                    node["$ref"] = "#" + prefix + fragment
                continue
            if target not in by_filename:
                # check_refs already refused refs that leave the set; anything else left
                # here is refused by refuse_unbundled_refs before the generator sees it.
                continue
            if by_filename[target] is root_schema:
                node["$ref"] = "#" + fragment
                continue
            target = by_filename[target].filename
            if target not in embedded:
                other = by_filename[target]
                embed_name = _unique_key(document.setdefault(definitions_key, {}), other.name)
                embedded[target] = f"/{definitions_key}/{escape_pointer_token(embed_name)}"
                copy_doc = copy.deepcopy(other.document)
                if isinstance(copy_doc, dict):
                    copy_doc.pop("$schema", None)
                    copy_doc.pop("$id", None)
                document[definitions_key][embed_name] = copy_doc
                queue.append((copy_doc, target, embedded[target]))
            node["$ref"] = "#" + embedded[target] + fragment
    return document


def refuse_unbundled_refs(filename: str, document: Any) -> None:
    """Every ``$ref`` the generator sees must name a subschema of the bundled document itself.

    A ref to another file would be read from disk by the generator, relative to the working
    directory. A ref into data (``default``, ``enum``, ``examples``, an unknown keyword …)
    would make the generator treat unchecked data as a schema, where keywords that
    ``refuse_dangerous_keywords`` never saw can inject imports.
    """
    schema_paths: set[tuple[str, ...]] = set()
    anchors: set[str] = set()
    refs: list[tuple[str, tuple[str | int, ...]]] = []
    for node, path in iter_subschemas(document):
        schema_paths.add(tuple(str(part) for part in path))
        for key in ("$anchor", "$id", "id"):
            value = node.get(key)
            if isinstance(value, str) and value:
                anchors.add(value if key == "$anchor" else value.partition("#")[2])
        ref = node.get("$ref")
        if ref is not None:
            refs.append((ref, path))
    nodes_by_path = {
        tuple(str(part) for part in path): node for node, path in iter_subschemas(document)
    }
    for ref, path in refs:
        where = to_pointer((*path, "$ref"))
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SchemaError(
                filename, where, f"$ref {ref!r} does not resolve inside the schema set; refused"
            )
        fragment = unquote(ref[1:])
        if not fragment:
            continue
        if not fragment.startswith("/"):
            if fragment in anchors:
                continue
            raise SchemaError(filename, where, f"$ref {ref!r} names no anchor of a subschema")
        tokens = tuple(pointer_tokens(fragment))
        found = lookup_pointer(document, tokens)
        if found is None:
            raise SchemaError(filename, where, f"$ref {ref!r} does not resolve")
        target = found[0]
        if isinstance(target, bool):
            continue
        if not isinstance(target, dict) or tokens not in schema_paths:
            raise SchemaError(
                filename, where, f"$ref {ref!r} points into data, not at a subschema; refused"
            )
    for _, path in refs:
        _refuse_ref_cycle(filename, document, nodes_by_path, tuple(str(part) for part in path))


# Keywords that do not constrain: a node with only these besides $ref is just an alias.
_ALIAS_ONLY_KEYWORDS = frozenset(
    {"$ref", "$id", "$schema", "$comment", "title", "description", "default", "examples",
     "deprecated", "readOnly", "writeOnly", "definitions", "$defs"}
)  # fmt: skip


def _refuse_ref_cycle(
    filename: str,
    document: Any,
    nodes_by_path: dict[tuple[str, ...], dict[str, Any]],
    start: tuple[str, ...],
) -> None:
    """A chain of bare ``$ref``s that comes back to itself never reaches a schema.

    The generator turns it into type aliases of each other and the module fails to import.
    """
    seen: list[tuple[str, ...]] = []
    path = start
    while True:
        node = nodes_by_path.get(path)
        if (
            node is None
            or set(node) - _ALIAS_ONLY_KEYWORDS
            or not isinstance(node.get("$ref"), str)
        ):
            return
        if path in seen:
            raise SchemaError(
                filename,
                to_pointer((*start, "$ref")),
                "$ref cycle that never reaches a schema: "
                + " -> ".join("#" + to_pointer(p) for p in (*seen, path)),
            )
        seen.append(path)
        fragment = unquote(node["$ref"][1:])
        if fragment and not fragment.startswith("/"):
            return
        path = tuple(pointer_tokens(fragment))


def _unique_key(mapping: dict[str, Any], wanted: str) -> str:
    candidate, counter = wanted, 2
    while candidate in mapping:
        candidate, counter = f"{wanted}{counter}", counter + 1
    return candidate


# --- zod shape fixes ----------------------------------------------------------------------


def hoist_named_root(document: dict[str, Any]) -> dict[str, Any]:
    """``{"$ref": "#/definitions/X", "definitions": {X: …}}`` → X's content at the root."""
    ref = document.get("$ref")
    if not isinstance(ref, str):
        return document
    siblings = set(document) - {"$ref", "$schema", "definitions", "$defs", "$id"}
    match = re.fullmatch(r"#/(definitions|\$defs)/([^/]+)", ref)
    if siblings or not match:
        return document
    keyword, key = match.group(1), unescape_pointer_token(unquote(match.group(2)))
    definitions = document.get(keyword, {})
    target = definitions.get(key)
    if not isinstance(target, dict):
        return document
    hoisted: dict[str, Any] = {k: v for k, v in document.items() if k not in ("$ref", keyword)}
    remaining = {k: v for k, v in definitions.items() if k != key}
    hoisted.update(target)
    if remaining:
        hoisted[keyword] = {**remaining, **hoisted.get(keyword, {})}
    old = f"#/{keyword}/{escape_pointer_token(key)}"
    for node, _ in iter_subschemas(hoisted):
        node_ref = node.get("$ref")
        if isinstance(node_ref, str) and (node_ref == old or node_ref.startswith(old + "/")):
            node["$ref"] = "#" + node_ref[len(old) :]
    return hoisted


_PRIMITIVES = frozenset({"string", "number", "integer", "boolean"})


def collapse_nullable_primitives(document: Any) -> None:
    """``anyOf: [{type: T, …checks}, {type: null}]`` → ``{type: [T, null], …checks}``, in place."""
    for node, _ in iter_subschemas(document):
        for keyword in ("anyOf", "oneOf"):
            branches = node.get(keyword)
            if not (isinstance(branches, list) and len(branches) == 2):
                continue
            nulls = [b for b in branches if b == {"type": "null"}]
            others = [b for b in branches if b != {"type": "null"}]
            if len(nulls) != 1 or len(others) != 1:
                continue
            other = others[0]
            if not (
                isinstance(other, dict)
                and isinstance(other.get("type"), str)
                and other["type"] in _PRIMITIVES
                and "$ref" not in other
                and not any(k in other for k in ("anyOf", "oneOf", "allOf", "not"))
            ):
                continue
            if "enum" in other or "const" in other:
                continue
            del node[keyword]
            for key, value in other.items():
                if key in ("description", "title") and key in node:
                    continue
                node[key] = value
            node["type"] = [other["type"], "null"]


def _local_ref_fragments(document: Any) -> Iterator[tuple[dict[str, Any], str]]:
    for node, _ in iter_subschemas(document):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            yield node, unquote(ref[1:])


def _is_named_definition(tokens: list[str]) -> bool:
    return len(tokens) == 2 and tokens[0] in ("definitions", "$defs")


def _readable_name(tokens: list[str]) -> str:
    """``/properties/blocks/items`` → ``Block``; ``/properties/coach`` → ``Coach``."""
    for index in range(len(tokens) - 1, 0, -1):
        if tokens[index - 1] in ("properties", "definitions", "$defs") and tokens[index]:
            name = tokens[index]
            if index < len(tokens) - 1 and tokens[index + 1] == "items" and name.endswith("s"):
                name = name[:-1]
            words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
            pascal = "".join(w[0].upper() + w[1:] for w in words)
            if pascal and not pascal[0].isdigit():
                return pascal
    return "Shared"


def hoist_path_refs(document: dict[str, Any], definitions_key: str) -> None:
    """Move objects that zod references by path into named definitions, in place.

    zod-to-json-schema points every later use of a reused instance (and every ``z.lazy``
    recursion) at the path of its first occurrence, e.g.
    ``#/properties/items/items/properties/blocks/items``. Left as is, the generator makes
    one class for the first occurrence and another for the ref (``Block`` and
    ``ItemsModel``, same fields). As a named definition both uses share one class,
    named after the property it came from.
    """
    for _ in range(10_000):  # one hoist per round; bounded so a pathological doc cannot spin
        targets: set[str] = set()
        for _, fragment in _local_ref_fragments(document):
            tokens = pointer_tokens(fragment)
            if not tokens or _is_named_definition(tokens):
                continue
            found = lookup_pointer(document, tokens)
            if found is None:
                continue
            node = found[0]
            if isinstance(node, dict) and (node.get("type") == "object" or "properties" in node):
                targets.add(fragment)
        if not targets:
            return
        fragment = min(targets, key=lambda f: (len(f), f))
        tokens = pointer_tokens(fragment)
        found = lookup_pointer(document, tokens)
        assert found is not None
        node, parent, key = found
        definitions = document.setdefault(definitions_key, {})
        name = _unique_key(definitions, _readable_name(tokens))
        new_fragment = f"/{definitions_key}/{escape_pointer_token(name)}"
        definitions[name] = node
        parent[key] = {"$ref": "#" + new_fragment}
        for ref_node, ref_fragment in list(_local_ref_fragments(document)):
            if ref_fragment == fragment or ref_fragment.startswith(fragment + "/"):
                ref_node["$ref"] = "#" + new_fragment + ref_fragment[len(fragment) :]


def _resolve_local(document: Any, node: Any) -> Any:
    """Follow local ``#/…`` refs (a few hops) to the node they name; ``node`` if none."""
    for _ in range(16):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node
        target, fragment = _split_ref(node["$ref"])
        if target:
            return node
        if fragment and not fragment.startswith("/"):
            return node  # an anchor: not a place in the document
        found = lookup_pointer(document, pointer_tokens(fragment))
        if found is None:
            return node
        node = found[0]
    return node


def _tag_value(branch: dict[str, Any], prop: str) -> Any:
    schema = branch.get("properties", {}).get(prop)
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return enum[0]
    return None


def add_discriminators(document: Any) -> None:
    """Mark ``const``-tagged object unions so Pydantic builds discriminated unions, in place."""
    for node, _ in iter_subschemas(document):
        for keyword in ("anyOf", "oneOf"):
            branches = node.get(keyword)
            if not isinstance(branches, list) or len(branches) < 2 or "discriminator" in node:
                continue
            resolved = [_resolve_local(document, branch) for branch in branches]
            if not all(
                isinstance(b, dict) and isinstance(b.get("properties"), dict) for b in resolved
            ):
                continue
            candidates = set.intersection(*(set(b["properties"]) for b in resolved))
            for prop in sorted(candidates):
                values = [_tag_value(b, prop) for b in resolved]
                if any(not isinstance(v, str) for v in values) or len(set(values)) != len(values):
                    continue
                if not all(prop in b.get("required", []) for b in resolved):
                    continue
                node["discriminator"] = {"propertyName": prop}
                break


def undot_definition_names(document: Any) -> None:
    """Rename definitions whose names hold a ``.``, in place, and repoint their refs.

    The generator reads a dotted name as ``module.Class`` and splits its output into
    modules, so one schema with ``definitions: {"v1.Order": …}`` could not be generated.
    """
    renames: list[tuple[list[str], list[str]]] = []
    for node, path in list(iter_subschemas(document)):
        for keyword in ("definitions", "$defs"):
            definitions = node.get(keyword)
            if not isinstance(definitions, dict):
                continue
            for key in [k for k in definitions if "." in k]:
                new_key = _unique_key(definitions, key.replace(".", "_"))
                definitions[new_key] = definitions.pop(key)
                prefix = [str(part) for part in path] + [keyword]
                renames.append(([*prefix, key], [*prefix, new_key]))
    if not renames:
        return
    for ref_node, fragment in list(_local_ref_fragments(document)):
        tokens = pointer_tokens(fragment) if fragment.startswith("/") else None
        if tokens is None:
            continue
        changed = False
        # Innermost first: an outer rename would hide the old outer name inner ones match.
        for old, new in reversed(renames):
            if tokens[: len(old)] == old:
                tokens = new + tokens[len(old) :]
                changed = True
        if changed:
            ref_node["$ref"] = "#" + "".join(
                "/" + quote(escape_pointer_token(token), safe="") for token in tokens
            )


# --- patterns ---------------------------------------------------------------------------


def ecma_pattern_for_pydantic(pattern: str, *, python_re: bool = False) -> str:
    r"""An ECMA-262 ``pattern`` rewritten so Pydantic gives ECMA's verdicts.

    Pydantic compiles a pattern with Rust's ``regex`` unless the model says
    ``regex_engine="python-re"``, which the generator writes when a pattern of the model
    needs it (a lookaround, a backreference). The rewrite is ``tc_contracts_py.ecma_regex``'s:
    ``\d``/``\w``/``\s`` become explicit ASCII/ECMA classes, ``.`` stops at every line
    terminator, ``\p{…}`` and ``v``-mode sets become ranges, and ``$`` and ``\b`` get the
    engine's spelling. ``python_re`` picks Python's spelling, which itself selects
    ``python-re`` in the generator. A pattern that is not ECMA-262 is left as it is.
    """
    try:
        return ecma_to_python(pattern) if python_re else ecma_to_rust(pattern)
    except re.error:
        return pattern


def _document_patterns(document: Any) -> Iterator[str]:
    for node, _ in iter_subschemas(document):
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            yield pattern
        names = node.get("patternProperties")
        if isinstance(names, dict):
            yield from (key for key in names if isinstance(key, str))


def refuse_unenforceable_patterns(filename: str, document: Any) -> None:
    """Refuse a valid ECMA-262 pattern no model engine can run with the same meaning.

    Python's ``re`` (the models' engine once a pattern has a lookaround or backreference)
    has no variable-length lookbehind, and neither engine has ``v``-mode ``\\q{…}``.
    """
    for node, path in iter_subschemas(document):
        found: list[tuple[str, str]] = []
        if isinstance(node.get("pattern"), str):
            found.append((node["pattern"], to_pointer([*path, "pattern"])))
        names = node.get("patternProperties")
        if isinstance(names, dict):
            where = to_pointer([*path, "patternProperties"])
            found.extend((key, where) for key in names if isinstance(key, str))
        for pattern, pointer in found:
            try:
                compile_ecma(pattern)
            except re.error as exc:
                raise SchemaError(
                    filename,
                    pointer,
                    f"pattern {pattern!r} cannot be enforced by the generated models "
                    f"with its JavaScript meaning ({exc})",
                ) from None


def translate_patterns(document: Any) -> None:
    r"""Rewrite every string ``pattern`` of a (self-contained) document for Pydantic, in place.

    If any pattern needs Python's engine, every pattern of the document gets Python's
    spelling: a model holding that pattern runs all its patterns on ``python-re``, and a
    Rust-spelled ``$`` there would accept a trailing newline. Python's spelling of ``$`` and
    ``\b`` itself selects ``python-re``, and the rest of the rewrite reads the same to both.
    """
    # Imported here: the generator package costs a no-op `tc-schema gen` tens of milliseconds.
    from datamodel_code_generator._regex_syntax import needs_python_engine

    python_re = any(
        needs_backtracking(pattern)
        or needs_python_engine(ecma_pattern_for_pydantic(pattern), row="model", compiled=True)
        for pattern in _document_patterns(document)
    )
    for node, _ in iter_subschemas(document):
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            node["pattern"] = ecma_pattern_for_pydantic(pattern, python_re=python_re)
        names = node.get("patternProperties")
        if isinstance(names, dict):
            node["patternProperties"] = {
                ecma_pattern_for_pydantic(key, python_re=python_re)
                if isinstance(key, str)
                else key: value
                for key, value in names.items()
            }


# The formats whose generated type reads a value as the contract does (engine.py narrows
# date-time and date to Zod's reading), by JSON type.
_MODEL_FORMATS: dict[str, frozenset[str]] = {
    "string": frozenset({"date-time", "date", "email", "uri", "uuid"}),
    "integer": frozenset({"int32", "int64"}),
    "number": frozenset({"float", "double"}),
}


def _json_types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type", "string")
    types = (
        {declared}
        if isinstance(declared, str)
        else set(declared)
        if isinstance(declared, list)
        else set()
    )
    return {kind for kind in types if isinstance(kind, str) and kind != "null"}


def _type_keeps_format(node: dict[str, Any], name: str) -> bool:
    kinds = _json_types(node)
    return bool(kinds) and all(name in _MODEL_FORMATS.get(kind, ()) for kind in kinds)


def _add_pattern(node: dict[str, Any], pattern: str) -> None:
    existing = node.get("pattern")
    node["pattern"] = (
        pattern if not isinstance(existing, str) else pattern_conjunction([existing, pattern])
    )


def formats_for_models(document: Any, dialect: Dialect) -> None:
    """Keep a ``format`` only where the generator's type for it checks what the schema
    checks, in place.

    The generator maps other formats to types that read values their own way: ``duration``
    to ``timedelta`` and ``ipv4`` to ``IPv4Address`` (both take a number), ``time`` to a
    ``datetime.time`` that rewrites ``03:04`` as ``03:04:00``, ``ulid`` to a package the
    models would import. Such a format is dropped, and Zod's regex for it (``zod_formats``)
    becomes a pattern, so the field is a string checked as Zod checks it. In a Zod 4
    document the pattern beside a kept format is Zod's own check: its default one is what
    the type checks, and any other (a precision, an offset) the type would not check, so
    there the format goes and the pattern stays.
    """
    for node, _ in iter_subschemas(document):
        name = node.get("format")
        if not isinstance(name, str):
            continue
        if not _type_keeps_format(node, name):
            del node["format"]
            if name in ZOD_FORMAT_REGEX and "string" in _json_types(node):
                _add_pattern(node, ZOD_FORMAT_REGEX[name])
        elif dialect is Dialect.DRAFT2020_12 and isinstance(node.get("pattern"), str):
            if node["pattern"] == ZOD4_DEFAULT_PATTERNS.get(name):
                del node["pattern"]
            else:
                del node["format"]


# Keywords an allOf member may hold for merge_primitive_allofs to fold it into its node.
_MERGEABLE = frozenset(
    {"type", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
     "exclusiveMaximum", "minItems", "maxItems", "description", "title"}
)  # fmt: skip
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems")


def _mergeable(node: dict[str, Any], member: Any) -> bool:
    if not (isinstance(member, dict) and member and set(member) <= _MERGEABLE):
        return False
    if "type" in member and "type" in node and member["type"] != node["type"]:
        return False
    bounds = (*_LOWER_BOUNDS, *_UPPER_BOUNDS)
    numbers_only = all(_is_number(member[k]) for k in bounds if k in member)
    return numbers_only and all(_is_number(node[k]) for k in bounds if k in node and k in member)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def merge_primitive_allofs(document: Any) -> None:
    """Fold ``allOf`` members that only narrow a string, number or array (Zod's ``.pipe()``
    gives ``allOf: [{type: string, maxLength: 4}, {type: string}]``, two ``.regex()`` checks
    give ``allOf: [{pattern: a}, {pattern: b}]``) into their node, in place: the generator
    drops such members. Bounds take the tighter value, patterns are conjoined."""
    for node, _ in iter_subschemas(document):
        members = node.get("allOf")
        if not isinstance(members, list):
            continue
        patterns = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        folded = []
        for member in members:
            if _mergeable(node, member):  # against the node as folded so far
                _fold(node, member, patterns)
                folded.append(member)
        if not folded:
            continue
        if patterns:
            node["pattern"] = pattern_conjunction(patterns)
        rest = [m for m in members if not any(m is f for f in folded)]
        if rest:
            node["allOf"] = rest
        else:
            del node["allOf"]


def _fold(node: dict[str, Any], member: dict[str, Any], patterns: list[str]) -> None:
    for key, value in member.items():
        if key == "pattern":
            if isinstance(value, str) and value not in patterns:
                patterns.append(value)
        elif key in _LOWER_BOUNDS:
            node[key] = max(node.get(key, value), value)
        elif key in _UPPER_BOUNDS:
            node[key] = min(node.get(key, value), value)
        else:
            node.setdefault(key, value)


def _admits_nothing(node: Any) -> bool:
    return node is False or (isinstance(node, dict) and node.get("not") == {} and len(node) == 1)


def drop_never_branches(document: Any) -> None:
    """An ``anyOf``/``oneOf`` branch that admits no value (``{"not": {}}``, zod-to-json-schema's
    ``undefined`` in ``z.string().optional()`` as a root or a tuple member) is dropped, in
    place; a single branch left takes the place of the keyword. The generator reads such
    a branch as ``Any``, which would accept every value."""
    for node, _ in iter_subschemas(document):
        for keyword in ("anyOf", "oneOf"):
            branches = node.get(keyword)
            if not isinstance(branches, list) or not any(map(_admits_nothing, branches)):
                continue
            kept = [b for b in branches if not _admits_nothing(b)]
            if not kept:
                continue
            if len(kept) == 1 and isinstance(kept[0], dict) and not set(kept[0]) & set(node):
                del node[keyword]
                node.update(kept[0])
            else:
                node[keyword] = kept


def mark_never_properties(document: Any) -> None:
    """A property that admits no value (``z.never()``) is marked for codegen/checks.py, in
    place: the generator reads ``{"not": {}}`` as ``Any``."""
    for node, _ in iter_subschemas(document):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, schema in list(properties.items()):
                if _admits_nothing(schema):
                    properties[name] = {NEVER_KEY: True}


def mark_unique_items(document: Any) -> None:
    """``uniqueItems: true`` is marked for codegen/checks.py, in place: the generator drops it."""
    for node, _ in iter_subschemas(document):
        if node.get("uniqueItems") is True:
            node[UNIQUE_ITEMS_KEY] = True


def _closed_tuple(node: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The prefix keyword and members of an array that holds exactly its prefix items."""
    if isinstance(node.get("prefixItems"), list) and node.get("items") is False:
        return "prefixItems", node["prefixItems"]
    if isinstance(node.get("items"), list) and node.get("additionalItems") is False:
        return "items", node["items"]
    return None


def _open_tuple(node: dict[str, Any]) -> tuple[str, str, list[Any]] | None:
    """The prefix keyword, the rest keyword and the prefix of a tuple with a rest schema."""
    if isinstance(node.get("prefixItems"), list) and isinstance(node.get("items"), dict):
        return "prefixItems", "items", node["prefixItems"]
    if isinstance(node.get("items"), list) and isinstance(node.get("additionalItems"), dict):
        return "items", "additionalItems", node["items"]
    return None


def mark_tuple_rests(document: Any) -> None:
    """A property holding a tuple with a rest (``z.tuple([a, b]).rest(c)``) becomes the fixed
    tuple ``(a, b, c)`` marked for codegen/checks.py, which makes its last member repeat,
    in place: the generator makes it a list of any member type. Only a property's own
    schema carries a mark through the generator, so a tuple elsewhere stays a list."""
    for node, _ in iter_subschemas(document):
        properties = node.get("properties")
        if not isinstance(properties, dict):
            continue
        for schema in properties.values():
            if not isinstance(schema, dict) or schema.get("type") != "array":
                continue
            found = _open_tuple(schema)
            if found is None or "maxItems" in schema or set(schema) & {"uniqueItems", "contains"}:
                continue
            prefix_key, rest_key, prefix = found
            if schema.get("minItems", 0) != len(prefix):
                continue
            schema[prefix_key] = [*prefix, schema[rest_key]]
            schema[rest_key] = False
            schema["minItems"] = schema["maxItems"] = len(prefix) + 1
            schema[REST_KEY] = len(prefix)


# Above this many lengths an optional-membered tuple stays a list (a union per length).
_MAX_TUPLE_LENGTHS = 8


def expand_short_tuples(document: Any) -> None:
    """A closed tuple that may stop early (Zod 4's ``z.tuple([a, b.optional()])``:
    ``minItems`` below its length) becomes one fixed tuple per allowed length, in place:
    the generator makes it a list of any member type, whose positions go unchecked."""
    for node, _ in iter_subschemas(document):
        if node.get("type") != "array" or set(node) & {"anyOf", "oneOf", "allOf"}:
            continue
        closed = _closed_tuple(node)
        if closed is None:
            continue
        keyword, members = closed
        shortest = node.get("minItems", 0)
        longest = min(node.get("maxItems", len(members)), len(members))
        if not (_is_number(shortest) and shortest < longest <= shortest + _MAX_TUPLE_LENGTHS):
            continue
        rest = "items" if keyword == "prefixItems" else "additionalItems"
        node["anyOf"] = [
            {"type": "array", keyword: members[:length], rest: False, "minItems": length,
             "maxItems": length}
            for length in range(int(shortest), longest + 1)
        ]  # fmt: skip
        for key in ("type", keyword, rest, "minItems", "maxItems"):
            node.pop(key, None)


def require_all_enum_keys(document: Any) -> None:
    """An object keyed by an enum whose every key is required needs them all, in place.

    ``{propertyNames: {enum: K}, additionalProperties: V, required: K}`` (Zod 4's
    ``z.record(z.enum(K), V)``) becomes ``dict[Literal[K], V]``, which alone accepts a
    dict missing keys. As only keys of K are allowed, ``minProperties: len(K)`` demands all.
    """
    for node, _ in iter_subschemas(document):
        names = node.get("propertyNames")
        required = node.get("required")
        if not (isinstance(names, dict) and isinstance(required, list)):
            continue
        keys = names.get("enum")
        if not (isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys)):
            continue
        if node.get("properties") or node.get("patternProperties"):
            continue
        if set(keys) <= set(required):
            minimum = node.get("minProperties")
            if not isinstance(minimum, int) or minimum < len(set(keys)):
                node["minProperties"] = len(set(keys))


# Set only here, after every keyword outside the vocabulary was dropped, so a schema cannot.
URL_MAX_LENGTH_KEY = "x-tc-url-max-length"


def mark_url_max_lengths(document: Any) -> None:
    """Copy a ``format: uri`` string's ``maxLength`` to ``URL_MAX_LENGTH_KEY``, in place."""
    for node, _ in iter_subschemas(document):
        limit = node.get("maxLength")
        if (
            node.get("format") == "uri"
            and isinstance(limit, int)
            and not isinstance(limit, bool)
            and limit >= 0
        ):
            node[URL_MAX_LENGTH_KEY] = limit


def apply_unknown_properties(document: Any, policy: UnknownProperties) -> None:
    """Under ``strip``, drop ``additionalProperties: false`` so models ignore extra keys."""
    if policy is UnknownProperties.REJECT:
        return
    for node, _ in iter_subschemas(document):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]


def prepare_document(
    schema_set: SchemaSet, name: str, unknown_properties: UnknownProperties
) -> dict[str, Any]:
    """The document the generator is fed for schema ``name``. Raises ``SchemaError``."""
    schema = schema_set[name]
    refuse_dangerous_keywords(schema.filename, schema.document)
    refuse_unenforceable_patterns(schema.filename, schema.document)
    document = bundle(schema_set, name)
    refuse_dangerous_keywords(schema.filename, document)
    keep_known_keywords(document)
    refuse_unbundled_refs(schema.filename, document)
    document = hoist_named_root(document)
    hoist_path_refs(document, schema.dialect.definitions_keyword)
    undot_definition_names(document)
    drop_never_branches(document)
    mark_never_properties(document)
    expand_short_tuples(document)
    mark_tuple_rests(document)
    collapse_nullable_primitives(document)
    add_discriminators(document)
    formats_for_models(document, schema.dialect)
    merge_primitive_allofs(document)
    translate_patterns(document)
    require_all_enum_keys(document)
    mark_url_max_lengths(document)
    mark_unique_items(document)
    apply_unknown_properties(document, unknown_properties)
    return document
