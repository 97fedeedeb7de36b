"""Loading the schema set a source names: the one entry point for every command.

The source forms and their parsing live in ``source_spec``; they are re-exported here,
where users of the library look for them.
"""

from __future__ import annotations

from tc_contracts_py.errors import SchemaError
from tc_contracts_py.local_sources import read_git_folder, read_local_files
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.schemaset import SchemaSet, load_directory, schema_set_from_files
from tc_contracts_py.source_spec import SourceKind, SourceOptions, SourceSpec, parse_source

__all__ = [
    "OciReference",
    "SourceKind",
    "SourceOptions",
    "SourceSpec",
    "load_schema_set",
    "parse_source",
    "read_git_folder",
]


def load_schema_set(
    source: str | SourceSpec, options: SourceOptions | None = None, *, allow_empty: bool = False
) -> SchemaSet:
    """Load and check the schema set a source names. The one entry point for every command.

    ``allow_empty``: a folder or tarball without schemas is an empty set (the OLD side of a
    first release) rather than an error.
    """
    spec = parse_source(source) if isinstance(source, str) else source
    options = options or SourceOptions()
    if spec.kind is SourceKind.DIRECTORY:
        assert spec.path is not None
        return load_directory(spec.path, allow_empty=allow_empty)
    if spec.kind in (SourceKind.TARBALL, SourceKind.GIT):
        return _from_files(read_local_files(spec, options), spec.text, allow_empty)
    # Deliberately lazy: the OCI client pulls in requests, which local sources never need.
    from tc_contracts_py.oci.fetch import load_remote_source

    return load_remote_source(spec, options)


def _from_files(files: dict[str, bytes], origin: str, allow_empty: bool) -> SchemaSet:
    try:
        return schema_set_from_files(files, origin=origin, allow_empty=allow_empty)
    except SchemaError as exc:
        raise SchemaError(f"{origin}:{exc.file}", exc.pointer, exc.reason) from None
