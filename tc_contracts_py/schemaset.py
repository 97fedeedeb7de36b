"""Schema sets: the ``schemas/*.json`` of one contracts release, loaded and checked.

A set is a flat group of JSON Schema documents. A schema's name is its file
stem. Every ``$ref`` must resolve inside the set: refs are looked up in a
``referencing`` registry that holds exactly the set's documents and has no
retrieval function, so nothing is ever fetched from the network or the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from tc_contracts_py.errors import SchemaError, SourceError
from tc_contracts_py.limits import MAX_SCHEMA_DEPTH, MAX_SCHEMA_JSON_DEPTH, schema_too_deep
from tc_contracts_py.pointer import resolve_pointer, to_pointer

if TYPE_CHECKING:
    import jsonschema
    import jsonschema.protocols
    import referencing
    import referencing._core
    from referencing import Registry

# jsonschema and referencing are imported where they are used: a no-op `tc-schema gen`, which
# only hashes files, should not pay a third of a second for them.

# Deeper documents are refused up front (see limits.py, the one home of the limits).
MAX_NESTING_DEPTH = MAX_SCHEMA_JSON_DEPTH
MAX_SCHEMA_BYTES = 32 * 1024 * 1024

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


class Dialect(Enum):
    DRAFT4 = "http://json-schema.org/draft-04/schema"
    DRAFT6 = "http://json-schema.org/draft-06/schema"
    DRAFT7 = "http://json-schema.org/draft-07/schema"
    DRAFT2019_09 = "https://json-schema.org/draft/2019-09/schema"
    DRAFT2020_12 = "https://json-schema.org/draft/2020-12/schema"

    @property
    def validator_class(self) -> type[jsonschema.protocols.Validator]:
        import jsonschema

        classes: dict[Dialect, type[jsonschema.protocols.Validator]] = {
            Dialect.DRAFT4: jsonschema.Draft4Validator,
            Dialect.DRAFT6: jsonschema.Draft6Validator,
            Dialect.DRAFT7: jsonschema.Draft7Validator,
            Dialect.DRAFT2019_09: jsonschema.Draft201909Validator,
            Dialect.DRAFT2020_12: jsonschema.Draft202012Validator,
        }
        return classes[self]

    @property
    def specification(self) -> referencing.Specification[Any]:
        import referencing.jsonschema

        specs: dict[Dialect, referencing.Specification[Any]] = {
            Dialect.DRAFT4: referencing.jsonschema.DRAFT4,
            Dialect.DRAFT6: referencing.jsonschema.DRAFT6,
            Dialect.DRAFT7: referencing.jsonschema.DRAFT7,
            Dialect.DRAFT2019_09: referencing.jsonschema.DRAFT201909,
            Dialect.DRAFT2020_12: referencing.jsonschema.DRAFT202012,
        }
        return specs[self]

    @property
    def definitions_keyword(self) -> str:
        return "$defs" if self in (Dialect.DRAFT2019_09, Dialect.DRAFT2020_12) else "definitions"

    @classmethod
    def from_uri(cls, uri: str) -> Dialect | None:
        normalized = uri.rstrip("#").replace(
            "https://json-schema.org/draft-0", "http://json-schema.org/draft-0"
        )
        for dialect in cls:
            if normalized == dialect.value:
                return dialect
        return None


@dataclass(frozen=True)
class Schema:
    """One document of a set."""

    name: str
    filename: str
    document: Any
    digest: str  # sha256 hex of the file's bytes, as shipped
    dialect: Dialect
    # False only when the bytes cannot hold an embedded ``$id`` or anchor, so that the set's
    # registry needs no crawl up front (a lookup that misses still crawls, so True is safe).
    may_embed_identifiers: bool = field(default=True, compare=False)

    @property
    def uri(self) -> str:
        """The base URI refs in this document resolve against."""
        return self.filename


def _nesting_depth_ok(document: Any, limit: int) -> tuple[bool, str]:
    if _depth_within(document, limit):
        return True, ""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(document, 0, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            return False, to_pointer(path)
        if isinstance(node, dict):
            stack.extend((value, depth + 1, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, depth + 1, (*path, index)) for index, value in enumerate(node))
    return True, ""


def _depth_within(document: Any, limit: int) -> bool:
    # The walk that keeps no paths: they are only needed to name where a deep one goes wrong.
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend(
                (value, depth + 1) for value in node.values() if isinstance(value, (dict, list))
            )
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node if isinstance(value, (dict, list)))
    return True


# Keys that make a subschema a resource or an anchor of its own. A ``\u`` escape could
# spell one, so its presence counts as one.
_IDENTIFIER_MARKERS = (b'"$id"', b'"$anchor"', b'"$dynamicAnchor"', b'"$recursiveAnchor"', b"\\u")


def _may_embed_identifiers(data: bytes, dialect: Dialect) -> bool:
    if dialect is Dialect.DRAFT4 and b'"id"' in data:
        return True
    return any(marker in data for marker in _IDENTIFIER_MARKERS)


class _NonStandardConstant(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and JSON.parse on the zod side) does not.
    raise _NonStandardConstant(name)


# Digests of files that passed the metaschema check, which costs a few ms per schema and
# depends only on the bytes: a diff loads two versions that share most files, and a test
# session loads the same set many times.
_CHECKED: dict[str, None] = {}
_CHECKED_LIMIT = 8192


# Digests of files whose refs all stay inside the file and that passed check_refs.
_SELF_CONTAINED: dict[str, None] = {}


def _remember(memo: dict[str, None], digest: str) -> None:
    if len(memo) >= _CHECKED_LIMIT:
        # Another thread may evict first: the bound is approximate, never unbounded.
        with contextlib.suppress(KeyError, RuntimeError, StopIteration):
            del memo[next(iter(memo))]  # oldest first: dicts keep insertion order
    memo[digest] = None


def _remember_checked(digest: str) -> None:
    _remember(_CHECKED, digest)


# Whether a document's refs reach outside its own file, by digest: a property of its bytes.
_REFERS_OUTSIDE: dict[str, bool] = {}


def _remember_refers(digest: str, leaves_file: bool) -> None:
    if len(_REFERS_OUTSIDE) >= _CHECKED_LIMIT:
        _REFERS_OUTSIDE.pop(next(iter(_REFERS_OUTSIDE)))
    _REFERS_OUTSIDE[digest] = leaves_file


def refers_outside(schema: Schema) -> bool:
    """Whether a ``$ref`` of ``schema`` leaves its own file (or resolves against an ``$id``)."""
    found = _REFERS_OUTSIDE.get(schema.digest)
    if found is None:
        found = any(base or not ref.startswith("#") for base, _, ref in iter_refs(schema.document))
        _remember_refers(schema.digest, found)
    return found


_METASCHEMA_FORMAT_CHECKERS: dict[Dialect, jsonschema.FormatChecker] = {}


def metaschema_format_checker(dialect: Dialect) -> jsonschema.FormatChecker:
    """The formats asserted on a schema's own keywords (``pattern`` is ``format: regex``,
    ``$ref`` is ``uri-reference``), for both metaschema engines below: the dialect's own
    checks, but ``regex`` is ECMA-262 (as the spec says), not Python's ``re``, which refuses
    ``\\p{L}``, ``(?<y>…)\\k<y>``, ``\\u{…}``, ``[^]``, ``\\cJ`` and ``v``-mode sets, all
    of which JavaScript and Zod take.
    """
    found = _METASCHEMA_FORMAT_CHECKERS.get(dialect)
    if found is None:
        import jsonschema

        # Deliberately lazy: ecma_regex loads regex and regress (0.1 s), which only the
        # metaschema check needs, never a no-op `tc-schema gen`.
        from tc_contracts_py.ecma_regex import is_ecma_regex

        found = jsonschema.FormatChecker(formats=())
        found.checkers = {
            **dialect.validator_class.FORMAT_CHECKER.checkers,
            "regex": (is_ecma_regex, ()),
        }
        _METASCHEMA_FORMAT_CHECKERS[dialect] = found
    return found


_FAST_METASCHEMA: dict[Dialect, Any] = {}


def _fast_metaschema_validator(dialect: Dialect) -> Any:
    validator = _FAST_METASCHEMA.get(dialect)
    if validator is None:
        import jsonschema_rs

        checker = metaschema_format_checker(dialect)

        def asserts(name: str) -> Any:
            return lambda value: checker.conforms(value, name)

        # Every format the metaschemas use is handed to the reference checker, so that
        # jsonschema-rs's own format semantics never decide (a format the reference does not
        # know is not asserted, as before).
        formats = {name: asserts(name) for name in ("regex", "uri", "uri-reference")}
        classes = {
            Dialect.DRAFT4: jsonschema_rs.Draft4Validator,
            Dialect.DRAFT6: jsonschema_rs.Draft6Validator,
            Dialect.DRAFT7: jsonschema_rs.Draft7Validator,
            Dialect.DRAFT2019_09: jsonschema_rs.Draft201909Validator,
            Dialect.DRAFT2020_12: jsonschema_rs.Draft202012Validator,
        }
        validator = classes[dialect](
            dialect.validator_class.META_SCHEMA, formats=formats, validate_formats=True
        )
        _FAST_METASCHEMA[dialect] = validator
    return validator


def check_against_metaschema(filename: str, document: Any, dialect: Dialect) -> None:
    """Raise ``SchemaError`` (file, JSON pointer, the reference validator's words) if
    ``document`` is not a valid schema of ``dialect``.

    jsonschema-rs decides, some 100x faster than the pure-Python check; only a document it
    refuses, or one it cannot take in (a number outside JSON's range), goes through the
    reference validator, which then words the error as it always has, or passes it.
    """
    try:
        if _fast_metaschema_validator(dialect).is_valid(document):
            return
    except Exception:  # noqa: BLE001, S110 - anything it cannot decide, the reference decides
        pass
    import jsonschema.exceptions

    try:
        # The protocol omits check_schema's format_checker, which every draft's class takes.
        check_schema: Any = dialect.validator_class.check_schema
        check_schema(document, format_checker=metaschema_format_checker(dialect))
    except jsonschema.exceptions.SchemaError as exc:
        pointer = to_pointer(list(exc.absolute_path))
        raise SchemaError(filename, pointer, f"invalid schema: {exc.message}") from None


def parse_schema_bytes(filename: str, data: bytes) -> Schema:
    """Parse and check one schema file's bytes. Raises ``SchemaError``."""
    name = filename[: -len(".json")] if filename.endswith(".json") else filename
    if not _NAME_RE.match(name):
        raise SchemaError(filename, "", f"schema name {name!r} is not a usable identifier")
    if len(data) > MAX_SCHEMA_BYTES:
        raise SchemaError(filename, "", f"file is larger than {MAX_SCHEMA_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(filename, "", f"not UTF-8 (byte {exc.start})") from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except _NonStandardConstant as exc:
        raise SchemaError(filename, "", f"invalid JSON: {exc} is not JSON") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(
            filename, "", f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise SchemaError(filename, "", "invalid JSON: nested too deeply") from None
    digest = hashlib.sha256(data).hexdigest()
    # Every level opens a bracket, so a file with few of them cannot nest deeply; and bytes
    # this process has checked before passed (a diff loads two releases sharing most files).
    shallow = digest in _CHECKED or data.count(b"{") + data.count(b"[") <= MAX_NESTING_DEPTH
    ok, where = (True, "") if shallow else _nesting_depth_ok(document, MAX_NESTING_DEPTH)
    if not ok:
        raise SchemaError(
            filename,
            where,
            f"nested deeper than {MAX_NESTING_DEPTH} JSON levels "
            f"(room for {MAX_SCHEMA_DEPTH} subschema levels)",
        )
    if not isinstance(document, (dict, bool)):
        raise SchemaError(filename, "", "a schema must be a JSON object or boolean")
    dialect = Dialect.DRAFT7
    if isinstance(document, dict) and "$schema" in document:
        declared = document["$schema"]
        found = Dialect.from_uri(declared) if isinstance(declared, str) else None
        if found is None:
            raise SchemaError(filename, "/$schema", f"unsupported dialect {declared!r}")
        dialect = found
    if digest not in _CHECKED:
        check_against_metaschema(filename, document, dialect)
        _remember_checked(digest)
    return Schema(
        name=name,
        filename=filename,
        document=document,
        digest=digest,
        dialect=dialect,
        may_embed_identifiers=_may_embed_identifiers(data, dialect),
    )


# Keywords whose values are data, not subschemas: refs inside them are not refs.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples", "example"})


def iter_refs(document: Any) -> Iterator[tuple[str, str, str]]:
    """Yield ``(base_uri_suffix, json_pointer, ref)`` for every ``$ref`` in a document.

    ``base_uri_suffix`` is the ``$id`` chain in force at the ref (empty if none).
    """
    # Paths are linked (parent, token) pairs, spelled out only for a ref: copying a growing
    # tuple at every node was most of loading a large set. Scalars never hold a ref, so
    # they are not stacked at all.
    containers = (dict, list)
    stack: list[tuple[Any, Any, str]] = [(document, None, "")]
    while stack:
        node, path, base = stack.pop()
        if isinstance(node, dict):
            node_id = node.get("$id")
            if isinstance(node_id, str) and node_id and not node_id.startswith("#"):
                base = urljoin(base, node_id) if base else node_id
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield base, _linked_pointer((path, "$ref")), ref
            for key, value in node.items():
                if key in _DATA_KEYWORDS or key == "$ref":
                    continue
                if key == "properties" and isinstance(value, dict):
                    # Property names are data; their values are schemas.
                    at = (path, key)
                    for prop, sub in value.items():
                        if isinstance(sub, containers):
                            stack.append((sub, (at, prop), base))
                    continue
                if isinstance(value, containers):
                    stack.append((value, (path, key), base))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, containers):
                    stack.append((value, (path, index), base))


def _linked_pointer(path: Any) -> str:
    tokens: list[str | int] = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return to_pointer(tokens[::-1])


@dataclass(frozen=True)
class SchemaSet:
    """The schemas of one release, keyed by name, with their refs resolvable."""

    schemas: Mapping[str, Schema]
    origin: str = "<memory>"
    annotations: Mapping[str, str] = field(default_factory=dict)
    # The digest a remote source was verified by (an OCI manifest, a release tarball);
    # None for local sources, which have no identity beyond their files.
    source_digest: str | None = None

    def __post_init__(self) -> None:
        ordered = dict(sorted(self.schemas.items()))
        object.__setattr__(self, "schemas", ordered)

    def __iter__(self) -> Iterator[Schema]:
        return iter(self.schemas.values())

    def __len__(self) -> int:
        return len(self.schemas)

    def __contains__(self, name: object) -> bool:
        return name in self.schemas

    def __getitem__(self, name: str) -> Schema:
        return self.schemas[name]

    @property
    def names(self) -> list[str]:
        return list(self.schemas)

    @property
    def version(self) -> str | None:
        return self.annotations.get("org.opencontainers.image.version")

    @cached_property
    def digest(self) -> str:
        """A digest over names and contents: equal sets have equal digests."""
        hasher = hashlib.sha256()
        for schema in self.schemas.values():
            hasher.update(f"{schema.filename}\0{schema.digest}\n".encode())
        return hasher.hexdigest()

    @cached_property
    def registry(self) -> Registry[Any]:
        """A registry holding exactly this set. It has no retrieve hook, so it never fetches."""
        from referencing import Registry, Resource

        resources: list[tuple[str, Resource[Any]]] = []
        for schema in self.schemas.values():
            resource = Resource.from_contents(
                schema.document, default_specification=schema.dialect.specification
            )
            resources.append((schema.uri, resource))
            root_id = resource.id()
            if root_id and root_id != schema.uri:
                resources.append((root_id, resource))
        registry: Registry[Any] = Registry().with_resources(resources)
        # Crawling walks every subschema to index embedded ids and anchors; most sets have
        # none, and a lookup that misses crawls anyway, so the answers are the same.
        if any(schema.may_embed_identifiers for schema in self.schemas.values()):
            registry = registry.crawl()
        return registry

    def resolver(self, name: str) -> referencing._core.Resolver[Any]:
        return self.registry.resolver(base_uri=self.schemas[name].uri)

    def validator(self, name: str) -> jsonschema.protocols.Validator:
        """A validator for one schema, with format checking on. Build once, reuse."""
        import jsonschema

        schema = self.schemas[name]
        cls = schema.dialect.validator_class
        return cls(
            schema.document, registry=self.registry, format_checker=jsonschema.FormatChecker()
        )

    def check_refs(self) -> None:
        """Raise ``SchemaError`` naming file and pointer for any ref that does not resolve in-set."""
        import referencing.exceptions

        # A file whose refs all point into itself passes or fails on its bytes alone, as long
        # as no file of the set declares an $id (which could take over its URI): a diff loads
        # two releases that share most files, so those are walked once.
        memo = not any(schema.may_embed_identifiers for schema in self.schemas.values())
        known = {s.digest for s in self.schemas.values() if memo and s.digest in _SELF_CONTAINED}
        learned: list[str] = []
        ref_holders: dict[str, list[str]] = {}
        for schema in self.schemas.values():
            if schema.digest in known:
                continue
            self_contained = memo
            leaves_file = False
            for base, pointer, ref in iter_refs(schema.document):
                ref_holders.setdefault(schema.name, []).append(pointer.removesuffix("/$ref"))
                if base or not ref.startswith("#"):
                    self_contained = False
                    leaves_file = True
                base_uri = urljoin(schema.uri, base) if base else schema.uri
                if _is_remote(ref):
                    raise SchemaError(
                        schema.filename,
                        pointer,
                        f"$ref {ref!r} leaves the schema set (remote refs are refused)",
                    )
                try:
                    self.registry.resolver(base_uri=base_uri).lookup(ref)
                # referencing raises TypeError for a pointer that walks into a boolean schema
                # or a string (`B.json#/definitions/a` when B.json is `false`).
                except (referencing.exceptions.Unresolvable, TypeError, LookupError):
                    target = urljoin(base_uri, ref).split("#", 1)[0]
                    if target and target not in self.registry:
                        message = (
                            f"$ref {ref!r} leaves the schema set (no document {target!r} in it)"
                        )
                    else:
                        message = f"$ref {ref!r} does not resolve"
                    raise SchemaError(schema.filename, pointer, message) from None
            _remember_refers(schema.digest, leaves_file)
            if self_contained:
                learned.append(schema.digest)
        self._check_in_place_cycles(ref_holders)
        self._check_depth(skip=known)
        for digest in learned:
            _remember(_SELF_CONTAINED, digest)

    def _check_depth(self, skip: set[str] | frozenset[str] = frozenset()) -> None:
        for schema in self.schemas.values():
            if schema.digest in skip:
                continue
            label = schema_too_deep(schema.document, self.resolver(schema.name), schema.uri)
            if label is not None:
                file, _, pointer = label.partition("#")
                raise SchemaError(
                    file if file in self.registry else schema.filename,
                    pointer if file in self.registry else "",
                    f"subschemas nested deeper than {MAX_SCHEMA_DEPTH} levels "
                    f"(each $ref counts as one), reached from {schema.filename}",
                )

    def _check_in_place_cycles(self, ref_holders: Mapping[str, list[str]]) -> None:
        """Refuse a ``$ref`` loop that stays on the same instance (``A = anyOf[A, …]``).

        Recursion through ``properties`` or ``items`` consumes part of the instance and ends;
        a loop through ``$ref``, ``allOf``/``anyOf``/``oneOf``, ``not`` or ``if``/``then``/
        ``else`` does not, so every validator, generator and walker would recurse forever.
        Such a loop passes through a subschema holding a ``$ref``, so the walks start at
        each of those (``ref_holders``: their pointers, by schema name) as well as at the root.
        """
        done: set[int] = set()
        for name, pointers in ref_holders.items():
            schema = self.schemas[name]
            starts: list[tuple[Any, str]] = [(schema.document, "")]
            for pointer in pointers:
                found, node = resolve_pointer(schema.document, pointer)
                if found:
                    starts.append((node, pointer))
            for start, pointer in starts:
                self._walk_in_place(schema, start, pointer, done)

    def _walk_in_place(self, schema: Schema, start: Any, pointer: str, done: set[int]) -> None:
        # Iterative depth-first search; a child already on the current path closes a loop.
        # Each node carries a label (``file#pointer``) so the error can show the loop.
        path: list[str] = []
        position: dict[int, int] = {}
        stack: list[tuple[Any, Any, str, bool]] = [
            (start, self.resolver(schema.name), f"{schema.uri}#{pointer}", False)
        ]
        while stack:
            node, node_resolver, label, leaving = stack.pop()
            if leaving:
                path.pop()
                del position[id(node)]
                done.add(id(node))
                continue
            if not isinstance(node, dict) or id(node) in done:
                continue
            position[id(node)] = len(path)
            path.append(label)
            stack.append((node, node_resolver, label, True))
            for child, child_resolver, child_label in _in_place_children(
                node, node_resolver, label
            ):
                if id(child) in position:
                    loop = path[position[id(child)] :]
                    raise SchemaError(
                        schema.filename,
                        _pointer_in(schema.uri, loop) or pointer,
                        "$ref loop that never consumes any of the instance, so validating it "
                        "would recurse forever: " + " -> ".join([*loop, loop[0]]),
                    )
                if isinstance(child, dict) and id(child) not in done:
                    stack.append((child, child_resolver, child_label, False))


_IN_PLACE_SINGLE = ("not", "if", "then", "else")
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")


def _in_place_children(
    node: dict[str, Any], resolver: Any, label: str
) -> list[tuple[Any, Any, str]]:
    """Subschemas that apply to the same instance as ``node``, each with its resolver and
    its ``file#pointer`` label."""
    import referencing.exceptions

    children: list[tuple[Any, Any, str]] = []
    ref = node.get("$ref")
    if isinstance(ref, str):
        try:
            resolved = resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            pass
        else:
            target = urljoin(label, ref)
            children.append(
                (resolved.contents, resolved.resolver, target if "#" in target else target + "#")
            )
    for keyword in _IN_PLACE_SINGLE:
        if keyword in node:
            children.append((node[keyword], resolver, label + to_pointer([keyword])))
    for keyword in _IN_PLACE_LISTS:
        branches = node.get(keyword)
        if isinstance(branches, list):
            children += [
                (branch, resolver, label + to_pointer([keyword, index]))
                for index, branch in enumerate(branches)
            ]
    for keyword in ("dependentSchemas", "dependencies"):
        entries = node.get(keyword)
        if isinstance(entries, dict):
            children += [
                (sub, resolver, label + to_pointer([keyword, key]))
                for key, sub in entries.items()
                if isinstance(sub, dict)
            ]
    return children


def _pointer_in(filename: str, labels: list[str]) -> str | None:
    """The pointer of the first label on the loop that lies in ``filename``, if any."""
    for label in labels:
        file, _, fragment = label.partition("#")
        if file == filename and (not fragment or fragment.startswith("/")):
            return fragment or None
    return None


def _is_remote(ref: str) -> bool:
    lowered = ref.lower()
    return lowered.startswith(("http:", "https:", "file:", "ftp:", "//")) or lowered.startswith("/")


def schema_set_from_files(
    files: Mapping[str, bytes],
    *,
    origin: str,
    annotations: Mapping[str, str] | None = None,
    allow_empty: bool = False,
    source_digest: str | None = None,
) -> SchemaSet:
    """Build and check a set from ``{filename: bytes}``. Only ``*.json`` entries are used."""
    schemas: dict[str, Schema] = {}
    for filename in sorted(files):
        if not filename.endswith(".json"):
            continue
        schema = parse_schema_bytes(filename, files[filename])
        schemas[schema.name] = schema
    if not schemas and not allow_empty:
        raise SourceError(f"{origin}: no *.json schemas found")
    schema_set = SchemaSet(
        schemas=schemas,
        origin=origin,
        annotations=dict(annotations or {}),
        source_digest=source_digest,
    )
    schema_set.check_refs()
    return schema_set


def schema_directory(path: Path) -> Path:
    """The folder holding the ``*.json`` files: ``path`` itself, or its ``schemas/`` child."""
    if not any(path.glob("*.json")) and (path / "schemas").is_dir():
        return path / "schemas"
    return path


def read_schema_folder(path: Path) -> tuple[Path, dict[str, bytes]]:
    """The folder holding the schemas (``path`` or its ``schemas/`` child) and its ``*.json``.

    The one reader of a schema folder: symlinks are refused, so a folder cannot smuggle
    in a file from elsewhere on disk.
    """
    if not path.is_dir():
        raise SourceError(f"{path}: not a directory")
    folder = schema_directory(path)
    files: dict[str, bytes] = {}
    for entry in sorted(folder.glob("*.json")):
        if entry.is_symlink() or not entry.is_file():
            raise SourceError(f"{entry}: not a regular file (symlinks are refused)")
        files[entry.name] = entry.read_bytes()
    return folder, files


def load_directory(
    path: Path, *, annotations: Mapping[str, str] | None = None, allow_empty: bool = False
) -> SchemaSet:
    """Load every ``*.json`` of a directory (or of its ``schemas/`` child)."""
    folder, files = read_schema_folder(path)
    try:
        return schema_set_from_files(
            files, origin=str(path), annotations=annotations, allow_empty=allow_empty
        )
    except SchemaError as exc:
        raise SchemaError(str(folder / exc.file), exc.pointer, exc.reason) from None
