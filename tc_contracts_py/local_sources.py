"""Reading the local source kinds: a folder, a tarball, a folder of a git revision."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

import semver

from tc_contracts_py.archive import read_schema_files
from tc_contracts_py.errors import SourceError
from tc_contracts_py.schemaset import read_schema_folder
from tc_contracts_py.source_spec import SourceKind, SourceOptions, SourceSpec, parse_source

_GLOB = re.compile(r"[*?\[]")
_TAG_VERSION = re.compile(r"(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


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
    if spec.kind is not SourceKind.GIT or not _GLOB.search(spec.reference or ""):
        return text
    assert spec.path is not None
    return f"git:{_latest_tag(spec)}:{spec.path.as_posix()}"


def _latest_tag(spec: SourceSpec) -> str:
    assert spec.reference is not None
    releases: list[tuple[semver.Version, str]] = []
    for tag in git_tags(spec.text, spec.reference):
        match = _TAG_VERSION.search(tag)
        if match and semver.Version.is_valid(match.group(1)):
            version = semver.Version.parse(match.group(1))
            if version.prerelease is None:
                releases.append((version, tag))
    if not releases:
        raise SourceError(
            f"{spec.text}: no release tag matches {spec.reference!r} "
            "(for a first release, use --from-empty)"
        )
    return max(releases)[1]


def git_tags(what: str, pattern: str | None = None) -> list[str]:
    """The current repository's tags (those matching the glob ``pattern`` when given)."""
    args = ["tag", "--list"] + (["--end-of-options", pattern] if pattern is not None else [])
    return _git(args, what).decode("utf-8", "replace").split()


def read_git_folder(spec: SourceSpec) -> dict[str, bytes]:
    """The ``*.json`` files of ``PATH`` at git revision ``REF``, read through ``git cat-file``."""
    if spec.reference is not None and _GLOB.search(spec.reference):
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
