"""Generate a Pydantic v2 models package from a schema set: deterministic, incremental, atomic.

Layout of a generated package (the output folder is owned by ``tc-schema gen``)::

    <out>/__init__.py      exports each root model under its schema name
    <out>/<schema>.py      one module per schema (snake_case of the schema name)
    <out>/_manifest.json   input digests, the release it came from, tool versions, options,
                           output digests
    <out>/py.typed

The package exports ``CONTRACTS_VERSION`` and ``CONTRACTS_ARTIFACT`` (``None`` for a local
source), so a service can log which contracts release it speaks.

Same input and versions give byte-identical output. When nothing changed nothing
is written; when something changed, only changed schemas are regenerated and the
new tree replaces the old one in a single swap, so a failed or killed run leaves
the previous package untouched.
"""

from __future__ import annotations

import functools
import hashlib
import json
import keyword
import os
import re
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tc_contracts_py import __version__
from tc_contracts_py.atomic import (
    exclusive,
    make_sibling_temp_dir,
    output_folder,
    recover_directory,
    replace_directory,
    require_owned,
)
from tc_contracts_py.codegen.engine import GENERATOR_OPTIONS, GENERATOR_VERSION, render_module
from tc_contracts_py.codegen.names import protected_field_aliases, renamed, shadowed_imports
from tc_contracts_py.codegen.prepare import prepare_document
from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.errors import (
    CodegenError,
    ConfigError,
    InputError,
    SchemaError,
    output_errors,
)
from tc_contracts_py.schemaset import Schema, SchemaSet, schema_directory
from tc_contracts_py.sources import (
    OciReference,
    SourceKind,
    SourceOptions,
    SourceSpec,
    load_schema_set,
    parse_source,
)

MANIFEST = "_manifest.json"
MANIFEST_FORMAT = 1
_RESERVED_EXPORTS = frozenset({"SCHEMAS", "CONTRACTS_VERSION", "CONTRACTS_ARTIFACT"})
_RESERVED_MODULES = frozenset({"py", "typing", "pydantic", "enum", "dict", "str"})
_IGNORED_OUTPUT_ENTRIES = frozenset({"__pycache__"})
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

__all__ = [
    "MANIFEST",
    "GenOptions",
    "GenResult",
    "Provenance",
    "class_name_for",
    "generate_from_source",
    "generate_models",
    "module_name_for",
    "read_provenance",
    "source_change",
]


@dataclass(frozen=True)
class GenOptions:
    package: str | None = None
    unknown_properties: UnknownProperties = UnknownProperties.STRIP

    def as_manifest(self) -> dict[str, Any]:
        return {"unknown_properties": self.unknown_properties.value}


@dataclass(frozen=True)
class Provenance:
    """The release a models package was generated from: a remote source's pin and version."""

    artifact: str
    digest: str
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"artifact": self.artifact, "digest": self.digest, "version": self.version}

    @classmethod
    def from_json(cls, value: Any) -> Provenance | None:
        if not isinstance(value, dict):
            return None
        artifact, digest, version = value.get("artifact"), value.get("digest"), value.get("version")
        if not (isinstance(artifact, str) and isinstance(digest, str)):
            return None
        return cls(artifact, digest, version if isinstance(version, str) else None)

    def describe(self) -> str:
        short = self.digest[: len("sha256:") + 12]
        return f"{self.version or 'an unversioned artifact'} ({short}…)"


def provenance_of(schema_set: SchemaSet, artifact: str | None = None) -> Provenance | None:
    """What ``_manifest.json`` records of a set's source; ``None`` for a local source."""
    if schema_set.source_digest is None:
        return None
    return Provenance(artifact or schema_set.origin, schema_set.source_digest, schema_set.version)


def read_provenance(out: Path) -> Provenance | None:
    """The release a generated package records, or ``None`` (a local source, no package)."""
    manifest = _read_manifest(out)
    return Provenance.from_json(manifest.get("source")) if manifest else None


def source_change(
    recorded: Provenance | None, current: Provenance | None, *, noun: str = "pin"
) -> str | None:
    """One line saying the models come from another release than the source, or ``None``.

    ``noun`` names the current source as the reader knows it: the ``pin``, the ``source``.
    """
    if current is None or (recorded is not None and recorded.digest == current.digest):
        return None
    before = recorded.describe() if recorded is not None else "a local source"
    return (
        f"models were generated from {before}, the {noun} is {current.describe()}; "
        "run `tc-schema gen`"
    )


@dataclass
class GenResult:
    out: Path
    package: str
    schema_count: int
    # Relative paths that were (or, with check, would be) created, changed or removed.
    changed: list[str] = field(default_factory=list)
    regenerated: list[str] = field(default_factory=list)  # schemas run through the generator
    checked_only: bool = False
    # The release generated from now, and the one the package on disk recorded before.
    source: Provenance | None = None
    previous_source: Provenance | None = None

    @property
    def up_to_date(self) -> bool:
        return not self.changed


def module_name_for(schema_name: str) -> str:
    """``WhatIfSimulationRequest`` → ``what_if_simulation_request``."""
    text = re.sub(r"[^0-9A-Za-z]+", "_", schema_name)
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text).lower().strip("_")
    if not text or text[0].isdigit():
        text = f"schema_{text}"
    # A submodule named like a builtin the package's `__init__` uses (`dict.py`) rebinds
    # that builtin there once imported.
    if keyword.iskeyword(text) or text in _RESERVED_MODULES:
        text = f"{text}_"
    return text


def class_name_for(schema_name: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", schema_name) if p]
    text = "".join(p[0].upper() + p[1:] for p in parts) or "Model"
    if text[0].isdigit():
        text = f"Model{text}"
    return text


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _package_name(out: Path, options: GenOptions) -> str:
    name = options.package or out.name
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ConfigError(f"package name {name!r} is not a valid Python identifier (use --package)")
    return name


@functools.cache
def _codegen_fingerprint() -> str:
    """A digest of this package's own source: output changes with it, also between releases
    (a development install keeps its version number while the code changes)."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def _generator_info() -> dict[str, str]:
    return {
        "tc-contracts-py": __version__,
        "codegen": _codegen_fingerprint(),
        "datamodel-code-generator": GENERATOR_VERSION,
    }


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _disk_files(out: Path) -> dict[str, bytes]:
    if not out.is_dir():
        return {}
    files: dict[str, bytes] = {}
    for entry in sorted(out.iterdir()):
        if entry.name in _IGNORED_OUTPUT_ENTRIES:
            continue
        files[entry.name] = entry.read_bytes() if entry.is_file() else b"<directory>"
    return files


def _outputs_match(out: Path, manifest: dict[str, Any]) -> bool:
    """Whether the files on disk are exactly those the manifest recorded."""
    recorded = manifest.get("outputs")
    if not isinstance(recorded, dict):
        return False
    folder = os.fspath(out)
    present = {name for name in os.listdir(folder) if name not in _IGNORED_OUTPUT_ENTRIES}
    if present != set(recorded) | {MANIFEST}:
        return False
    for name, digest in recorded.items():
        try:
            if _sha256(_read(os.path.join(folder, name))) != digest:
                return False
        except OSError:
            return False
    return True


def _read(path: str) -> bytes:
    # Plain strings and open(): on the no-op path pathlib's overhead is a third of the time.
    with open(path, "rb") as handle:
        return handle.read()


def _manifest_is_current(
    manifest: dict[str, Any], inputs: dict[str, str], package: str, options: GenOptions
) -> bool:
    return (
        manifest.get("format_version") == MANIFEST_FORMAT
        and manifest.get("generator") == _generator_info()
        and manifest.get("options") == options.as_manifest()
        and manifest.get("package") == package
        and manifest.get("inputs") == inputs
    )


def _literal(value: str | None) -> str:
    # json.dumps escapes quotes, backslashes and control characters as Python does.
    return "None" if value is None else json.dumps(value)


def _render_init(
    package: str, exports: list[tuple[str, str, str, str]], source: Provenance | None
) -> str:
    lines = [
        "# Generated by tc-schema. Do not edit: regenerate with `tc-schema gen`.",
        f'"""Pydantic models for the tc contracts ({len(exports)} schemas)."""',
        "",
    ]
    lines += [f"from .{module} import {model} as {cls}" for _, module, cls, model in exports]
    lines += ["", "__all__ = ["]
    lines += ['    "CONTRACTS_ARTIFACT",', '    "CONTRACTS_VERSION",']
    lines += [f'    "{cls}",' for _, _, cls, _ in exports]
    lines += [
        "]",
        "",
        "# The release these models were generated from (None for a local schema folder).",
        f"CONTRACTS_VERSION: str | None = {_literal(source.version if source else None)}",
        f"CONTRACTS_ARTIFACT: str | None = {_literal(source.artifact if source else None)}",
        "",
        "SCHEMAS: dict[str, str] = {",
    ]
    lines += [f'    "{cls}": "{schema}",' for schema, _, cls, _ in exports]
    lines += ["}", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Planned:
    """One schema's module: its names, cache key, and the bytes on disk if they can be reused."""

    schema: Schema
    module: str
    class_name: str
    key: str
    reused: bytes | None
    model_class: str

    @property
    def filename(self) -> str:
        return f"{self.module}.py"


def _plan(
    schema_set: SchemaSet,
    out: Path,
    package: str,
    options: GenOptions,
    *,
    provenance: Provenance | None = None,
    reuse: bool = True,
) -> tuple[dict[str, bytes], list[str]]:
    """The complete desired file set, and which schemas had to be run through the generator.

    With ``reuse`` a module whose schema, options and versions are unchanged is taken from
    disk when its bytes are what the manifest recorded; without it every module is rendered.
    """
    previous = _previous_schemas(out) if reuse else {}
    # First every schema's document and cache key, then the generator over the stale ones
    # (on several cores when there are many), then the files in schema order.
    used_modules: dict[str, str] = {}
    used_classes: dict[str, str] = {}
    to_render: list[_Job] = []
    planned: list[_Planned] = []
    for schema in schema_set:
        module, class_name = _claim_names(schema, used_modules, used_classes)
        document = prepare_document(schema_set, schema.name, options.unknown_properties)
        key = _module_key(document, class_name)
        reused, model_class = _reusable(out, previous.get(schema.name), key, module, class_name)
        if reused is None:
            to_render.append((document, class_name, schema.filename))
        planned.append(_Planned(schema, module, class_name, key, reused, model_class))
    files, entries, exports, regenerated = _module_files(planned, _render_all(to_render))
    files["__init__.py"] = _render_init(package, exports, provenance).encode()
    files["py.typed"] = b""
    manifest = {
        "format_version": MANIFEST_FORMAT,
        "generator": _generator_info(),
        "options": options.as_manifest(),
        "package": package,
        "inputs": {schema.filename: schema.digest for schema in schema_set},
        "schemas": entries,
        "outputs": {name: _sha256(data) for name, data in sorted(files.items())},
    }
    if provenance is not None:
        manifest["source"] = provenance.to_json()
    files[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files, regenerated


def _previous_schemas(out: Path) -> dict[str, Any]:
    """The manifest's schema entries, when the same generator wrote them."""
    previous = _read_manifest(out) or {}
    if previous.get("generator") != _generator_info():
        return {}
    schemas = previous.get("schemas", {})
    return schemas if isinstance(schemas, dict) else {}


def _claim_names(
    schema: Schema, used_modules: dict[str, str], used_classes: dict[str, str]
) -> tuple[str, str]:
    """The schema's module and class name, refused when another schema has them already."""
    module = module_name_for(schema.name)
    if module in used_modules:
        raise InputError(
            f"schemas {used_modules[module]!r} and {schema.name!r} map to the same module {module!r}"
        )
    used_modules[module] = schema.name
    class_name = class_name_for(schema.name)
    # Two schemas exporting one name would make `pkg.Name` silently the wrong model;
    # SCHEMAS is the package's own name map.
    if class_name in _RESERVED_EXPORTS:
        raise InputError(
            f"schema {schema.name!r} would export {class_name!r}, a name the package itself "
            "uses; rename the schema"
        )
    if class_name in used_classes:
        raise InputError(
            f"schemas {used_classes[class_name]!r} and {schema.name!r} both export the name "
            f"{class_name!r}"
        )
    used_classes[class_name] = schema.name
    return module, class_name


def _module_key(document: dict[str, Any], class_name: str) -> str:
    """What a module's bytes depend on besides the generator's own version."""
    keyed: dict[str, Any] = {
        "document": document,
        "class": class_name,
        "options": GENERATOR_OPTIONS,
    }
    aliases = protected_field_aliases(document)
    if aliases:  # renamed fields; absent from the key otherwise, so keys stay as they were
        keyed["aliases"] = aliases
    return _sha256(_canonical(keyed))


def _reusable(
    out: Path, old: Any, key: str, module: str, class_name: str
) -> tuple[bytes | None, str]:
    """The module's bytes on disk when the manifest says they are what rendering would give,
    and the root class name recorded for it."""
    filename = f"{module}.py"
    if not (isinstance(old, dict) and old.get("key") == key and old.get("module") == filename):
        return None, class_name
    model_class = str(old.get("module_class", class_name))
    try:
        candidate = (out / filename).read_bytes()
    except OSError:
        return None, model_class
    if _sha256(candidate) != old.get("output_sha256"):
        return None, model_class
    return candidate, model_class


def _module_files(
    planned: list[_Planned], rendered_sources: list[tuple[str, str]]
) -> tuple[dict[str, bytes], dict[str, dict[str, Any]], list[tuple[str, str, str, str]], list[str]]:
    """The module files, their manifest entries, the package's exports and the schemas that
    were rendered, in schema order; ``rendered_sources`` follows the unreused ones in order."""
    rendered = iter(rendered_sources)
    files: dict[str, bytes] = {}
    entries: dict[str, dict[str, Any]] = {}
    exports: list[tuple[str, str, str, str]] = []
    regenerated: list[str] = []
    for plan in planned:
        schema, data, model_class = plan.schema, plan.reused, plan.model_class
        if data is None:
            header = f"# Generated by tc-schema from {schema.filename} (sha256:{schema.digest}). Do not edit.\n\n"
            source, model_class = next(rendered)
            data = (header + source).encode()
            regenerated.append(schema.name)
        if not _defines_class(data.decode(), model_class):
            # The generator renames a model whose name clashes with one of its imports
            # (`BaseModel` becomes `BaseModelModel`); exporting the name would then hand out
            # pydantic's class instead of the schema's model.
            raise InputError(
                f"{schema.filename}: schema name {schema.name!r} clashes with a name the "
                f"generated module imports; rename the schema"
            )
        files[plan.filename] = data
        exports.append((schema.name, plan.module, plan.class_name, model_class))
        entries[schema.name] = {
            "file": schema.filename,
            "sha256": schema.digest,
            "module": plan.filename,
            "class": plan.class_name,
            "key": plan.key,
            "output_sha256": _sha256(data),
        }
        if model_class != plan.class_name:
            entries[schema.name]["module_class"] = model_class
    return files, entries, exports, regenerated


_Job = tuple[dict[str, Any], str, str]  # prepared document, class name, schema file name
# Below this many stale schemas a pool costs more than it saves (forking, collecting).
_MIN_JOBS_PER_WORKER = 8
# Set before the pool forks, so the workers inherit the documents instead of unpickling them.
_PENDING: list[_Job] = []


def _worker_count(jobs: int) -> int:
    # Forking is the cheap start; it is safe on Linux, and only while no other thread could
    # hold a lock the child would inherit (a library caller may run threads).
    if sys.platform != "linux" or threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, jobs // _MIN_JOBS_PER_WORKER))


def _render_pending(index: int) -> tuple[str, Any]:
    document, class_name, filename = _PENDING[index]
    try:
        return "ok", _render(document, class_name, filename)
    except SchemaError as exc:  # rebuilt in the parent: its constructor takes three arguments
        return "schema", (exc.file, exc.pointer, exc.reason)
    except CodegenError as exc:
        return "codegen", str(exc)


def _render_all(jobs: list[_Job]) -> list[tuple[str, str]]:
    """Module source and root class name for ``jobs``, in order; the first failure in
    order is raised."""
    workers = _worker_count(len(jobs))
    if workers == 1:
        return [_render(doc, name, filename) for doc, name, filename in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _PENDING[:] = jobs
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunk = max(1, len(jobs) // (workers * 4))
            results = list(pool.map(_render_pending, range(len(jobs)), chunksize=chunk))
    finally:
        _PENDING.clear()
    sources: list[tuple[str, str]] = []
    for kind, value in results:
        if kind == "schema":
            raise SchemaError(*value)
        if kind == "codegen":
            raise CodegenError(value)
        sources.append(value)
    return sources


def _defines_class(source: str, class_name: str) -> bool:
    return re.search(rf"^class {re.escape(class_name)}\(", source, re.MULTILINE) is not None


def _render(document: dict[str, Any], class_name: str, filename: str) -> tuple[str, str]:
    """The module's source and its root model's class name, free of the clashes that
    codegen/names.py describes."""
    fields = protected_field_aliases(document)
    source = render_module(document, class_name, filename=filename, field_names=fields)
    clashes = set(shadowed_imports(source))
    # The generator renames a root that clashes with one of its own imports itself
    # (`BaseModel` becomes `BaseModelModel`).
    if not _defines_class(source, class_name):
        clashes.add(class_name)
    if not clashes:
        return source, class_name
    root = renamed(class_name, clashes) if class_name in clashes else class_name
    # A definition may share the root's name: it is renamed too, past the root's new name.
    names = {name: renamed(name, {*clashes, root}) for name in sorted(clashes)}
    source = render_module(document, root, filename=filename, model_names=names, field_names=fields)
    left = shadowed_imports(source)
    if left or not _defines_class(source, root):
        raise SchemaError(
            filename,
            "",
            f"a model named {(left or [class_name])[0]!r} clashes with a name the generated "
            "module imports; rename it",
        )
    return source, root


def _differences(desired: dict[str, bytes], on_disk: dict[str, bytes]) -> list[str]:
    changed = [name for name, data in desired.items() if on_disk.get(name) != data]
    changed += [name for name in on_disk if name not in desired]
    return sorted(changed)


def _recorded_outputs(manifest_bytes: bytes) -> dict[str, str] | None:
    """The files a ``_manifest.json`` of ours records (name -> sha256), or None if it is not one."""
    try:
        manifest = json.loads(manifest_bytes)
    except (ValueError, UnicodeDecodeError):
        return None
    if not (
        isinstance(manifest, dict)
        and manifest.get("format_version") == MANIFEST_FORMAT
        and isinstance(manifest.get("generator"), dict)
        and "tc-contracts-py" in manifest["generator"]
        and isinstance(manifest.get("outputs"), dict)
    ):
        return None
    outputs: dict[str, Any] = manifest["outputs"]
    if not all(isinstance(v, str) and _SHA256_HEX.fullmatch(v) for v in outputs.values()):
        return None
    return {str(name): digest for name, digest in outputs.items()}


def _check_target(out: Path) -> None:
    """What ``--check`` needs of ``out``: a folder (or nothing), never a stranger's folder."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    if out.is_dir() and not (out / MANIFEST).exists():
        foreign = [p.name for p in out.iterdir() if p.name not in _IGNORED_OUTPUT_ENTRIES]
        if foreign:
            raise InputError(
                f"{out}: not empty and has no {MANIFEST}; refusing to replace a folder tc-schema did not write"
            )


def generate_models(
    schema_set: SchemaSet,
    out: Path,
    options: GenOptions | None = None,
    *,
    check: bool = False,
    artifact: str | None = None,
) -> GenResult:
    """Generate (or, with ``check``, compare) the models package for a loaded set.

    ``check`` renders every module and compares bytes with the files on disk: the
    manifest's digests say what was written, not what generation would write now.
    ``artifact``: how the package names a remote source's release (default: its origin).
    """
    options = options or GenOptions()
    package = _package_name(out, options)
    source = provenance_of(schema_set, artifact)
    with output_errors(out):
        folder = output_folder(out)
    if check:
        _check_target(folder)
        previous = read_provenance(folder)
        desired, regenerated = _plan(
            schema_set, folder, package, options, provenance=source, reuse=False
        )
        changed = _differences(desired, _disk_files(folder))
        return GenResult(
            out, package, len(schema_set), changed, regenerated, True, source, previous
        )
    # A first generation renders before it takes the lock, whose file would be the first
    # thing written: input that fails to generate then leaves no trace at all.
    first = None
    if not folder.exists() and not folder.is_symlink():
        first = _plan(schema_set, folder, package, options, provenance=source, reuse=False)
    with output_errors(out), exclusive(folder):
        recover_directory(folder)
        require_owned(folder, out, MANIFEST, _recorded_outputs, ignored=_IGNORED_OUTPUT_ENTRIES)
        previous = read_provenance(folder)
        if first is not None and not folder.exists():
            desired, regenerated = first
        else:
            desired, regenerated = _plan(schema_set, folder, package, options, provenance=source)
        changed = _differences(desired, _disk_files(folder))
        if changed:
            staging = make_sibling_temp_dir(folder)
            try:
                for name, data in desired.items():
                    (staging / name).write_bytes(data)
                replace_directory(folder, staging)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return GenResult(
            out, package, len(schema_set), changed, regenerated, False, source, previous
        )


def _artifact_name(spec: SourceSpec, digest: str | None) -> str | None:
    """How the package names its release: the OCI pin with its digest, else the source text.

    An OCI layout's origin holds an absolute path; the text as written keeps the
    generated files the same on every machine.
    """
    if spec.kind is SourceKind.OCI and spec.oci is not None and digest is not None:
        reference = spec.oci
        return str(OciReference(reference.host, reference.repository, reference.tag, digest))
    if spec.kind in (SourceKind.OCI_LAYOUT, SourceKind.HTTPS):
        return spec.text
    return None


def _directory_inputs(spec: SourceSpec) -> dict[str, str] | None:
    """Digests of a directory source's files, read without parsing (the no-op fast path)."""
    if spec.kind is not SourceKind.DIRECTORY or spec.path is None:
        return None
    folder = os.fspath(schema_directory(spec.path))
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".json"))
        return {name: _sha256(_read(os.path.join(folder, name))) for name in names}
    except OSError:
        return None  # the full load reports what is wrong with the folder


def generate_from_source(
    source: str | SourceSpec,
    out: Path,
    options: GenOptions | None = None,
    *,
    check: bool = False,
    source_options: SourceOptions | None = None,
) -> GenResult:
    """``tc-schema gen``: load a source, then generate or check. Skips all work when fresh."""
    options = options or GenOptions()
    spec = parse_source(source) if isinstance(source, str) else source
    package = _package_name(out, options)
    # --check never takes the fast path: it trusts the manifest's word for the files.
    inputs = None if check else _directory_inputs(spec)
    if inputs is not None and out.is_dir():
        manifest = _read_manifest(out)
        if (
            manifest is not None
            and _manifest_is_current(manifest, inputs, package, options)
            and _outputs_match(out, manifest)
        ):
            return GenResult(out, package, len(inputs), checked_only=check)
    schema_set = load_schema_set(spec, source_options)
    return generate_models(
        schema_set,
        out,
        options,
        check=check,
        artifact=_artifact_name(spec, schema_set.source_digest),
    )
