"""Reading the local source kinds: a folder, a tarball, a folder of a git revision."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

from tc_contracts_py.archive import read_schema_files
from tc_contracts_py.errors import SourceError
from tc_contracts_py.schemaset import read_schema_folder
from tc_contracts_py.source_spec import (
    Release,
    SourceKind,
    SourceOptions,
    SourceSpec,
    parse_source,
    releases_among,
)

_GLOB = re.compile(r"[*?\[]")


def read_local_files(spec: SourceSpec, options: SourceOptions) -> dict[str, bytes]:
    """The ``*.json`` files a directory, tarball or git source holds, unparsed."""
    if spec.kind is SourceKind.DIRECTORY:
        assert spec.path is not None
        return read_schema_folder(spec.path)[1]
    if spec.kind is SourceKind.TARBALL:
        assert spec.path is not None
        return read_schema_files(spec.path, max_unpacked_bytes=options.max_unpacked_bytes)
    return read_git_folder(spec)


def latest_release_source(text: str) -> str:
    """``git:contracts-v*:schemas`` -> ``git:contracts-v1.4.0:schemas``; other sources as given.

    A revision with glob characters names the newest release among the tags it matches:
    the highest semantic version in a tag name, prereleases left out (they are not releases).
    """
    spec = parse_source(text)
    if not is_git_line(spec):
        return text
    return git_release_source(spec, git_releases(spec)[-1])


def is_git_line(spec: SourceSpec) -> bool:
    """``git:contracts-v*:schemas``: a revision with glob characters names a line of releases."""
    return spec.kind is SourceKind.GIT and bool(_GLOB.search(spec.reference or ""))


def git_releases(spec: SourceSpec) -> list[Release]:
    """The releases among the tags the revision glob matches, oldest first; at least one."""
    assert spec.reference is not None
    releases = releases_among(git_tags(spec.text, spec.reference))
    if not releases:
        raise SourceError(
            f"{spec.text}: no release tag matches {spec.reference!r} "
            "(for a first release, use --from-empty)"
        )
    return releases


def git_release_source(spec: SourceSpec, release: Release) -> str:
    """The source that names one release of a git line: ``git:contracts-v1.4.0:schemas``."""
    assert spec.path is not None
    return f"git:{release.tag}:{spec.path.as_posix()}"


def _latest_tag(spec: SourceSpec) -> str:
    return git_releases(spec)[-1].tag


def git_tags(what: str, pattern: str | None = None) -> list[str]:
    """The current repository's tags (those matching the glob ``pattern`` when given)."""
    args = ["tag", "--list"] + (["--end-of-options", pattern] if pattern is not None else [])
    return _git(args, what).decode("utf-8", "replace").split()


def read_git_folder(spec: SourceSpec) -> dict[str, bytes]:
    """The ``*.json`` files of ``PATH`` at git revision ``REF``, read through ``git cat-file``."""
    if is_git_line(spec):
        spec = replace(spec, reference=_latest_tag(spec))
    assert spec.reference is not None
    assert spec.path is not None
    folder = spec.path.as_posix().strip("/")
    treeish = f"{spec.reference}:{folder}" if folder not in ("", ".") else f"{spec.reference}:"
    # --end-of-options: whatever the revision looks like, git takes it as one.
    # --full-tree: from a subdirectory, ls-tree would list only the entries below it.
    listing = _git(["ls-tree", "--full-tree", "-z", "--end-of-options", treeish], spec.text)
    blobs: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name_bytes = entry.partition(b"\t")
        _mode, kind, object_id = meta.decode().split()
        name = name_bytes.decode("utf-8", "replace")
        if kind == "blob" and name.endswith(".json"):
            blobs.append((name, object_id))
    if not blobs:
        raise SourceError(f"{spec.text}: no *.json files at that path and revision")
    batch_input = "".join(f"{object_id}\n" for _, object_id in blobs).encode()
    output = _git(["cat-file", "--batch"], spec.text, stdin=batch_input)
    files: dict[str, bytes] = {}
    offset = 0
    for name, _ in blobs:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        start = header_end + 1
        files[name] = output[start : start + size]
        offset = start + size + 1
    return files


def _git(args: list[str], what: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(
            ["git", *args], input=stdin, capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise SourceError(f"{what}: git is not installed") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"{what}: {message[-1] if message else 'git failed'}")
    return result.stdout
