"""One notion of "schema source", shared by ``pull``, ``gen`` and ``diff``.

Accepted spellings:

- a directory holding ``*.json`` (or a ``schemas/`` folder of them)
- a ``.tar.gz`` / ``.tgz`` of them
- ``oci://host[:port]/repo:tag[@sha256:…]`` or plain ``host/repo:tag[@sha256:…]``
- ``oci-layout:PATH[:tag|@sha256:…]``: an OCI image layout on disk
- ``https://…/schemas.tar.gz#sha256=<hex>``: a release asset; the hash is mandatory
- ``git:REF:PATH``: a folder of a git revision in the current repository
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from tc_contracts_py.archive import DEFAULT_MAX_UNPACKED_BYTES, read_schema_files
from tc_contracts_py.errors import SchemaError, SourceError
from tc_contracts_py.schemaset import SchemaSet, load_directory, schema_set_from_files

DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
# host[:port]/path[:tag][@sha256:hex]; the host must look like a host (a dot, a port or localhost)
# so that a relative path such as "schemas/v1" is never mistaken for a registry reference.
_OCI_RE = re.compile(
    r"^(?P<host>(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|localhost|\[[0-9a-fA-F:]+\])(?::\d+)?"
    r"|[A-Za-z0-9-]+:\d+)"
    r"/(?P<repo>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-fA-F]{64}))?$"
)


class SourceKind(StrEnum):
    DIRECTORY = "directory"
    TARBALL = "tarball"
    OCI = "oci"
    OCI_LAYOUT = "oci-layout"
    HTTPS = "https"
    GIT = "git"


@dataclass(frozen=True)
class OciReference:
    host: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = f"{self.host}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def reference(self) -> str:
        """What to ask the registry for: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    @classmethod
    def parse(cls, text: str) -> OciReference:
        bare = text.removeprefix("oci://")
        match = _OCI_RE.match(bare)
        if not match:
            raise SourceError(
                f"{text}: not an OCI reference (expected host[:port]/repo:tag[@sha256:…])"
            )
        digest = match.group("digest")
        return cls(
            host=match.group("host"),
            repository=match.group("repo"),
            tag=match.group("tag"),
            digest=digest.lower() if digest else None,
        )


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source string. ``text`` is what the user wrote, for messages."""

    kind: SourceKind
    text: str
    path: Path | None = None
    oci: OciReference | None = None
    url: str | None = None
    # oci-layout tag or digest; git revision
    reference: str | None = None
    digest: str | None = None


def parse_source(text: str) -> SourceSpec:
    """Parse a source string. Raises ``SourceError`` with the accepted forms when it fits none."""
    if not text:
        raise SourceError("empty schema source")
    if text.startswith("git:"):
        parts = text.split(":", 2)
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise SourceError(f"{text}: expected git:REF:PATH")
        if parts[1].startswith("-"):
            # git would read it as an option (--output=FILE writes files), never as a revision.
            raise SourceError(f"{text}: git revision {parts[1]!r} starts with '-'")
        return SourceSpec(SourceKind.GIT, text, path=Path(parts[2]), reference=parts[1])
    if text.startswith("oci-layout:"):
        return _parse_layout(text)
    if text.startswith("https://") or text.startswith("http://"):
        url, _, fragment = text.partition("#")
        match = re.fullmatch(r"sha256=([0-9a-fA-F]{64})", fragment)
        if not match:
            raise SourceError(
                f"{text}: a release asset URL needs '#sha256=<64 hex>' (the hash is mandatory)"
            )
        return SourceSpec(
            SourceKind.HTTPS, text, url=url, digest=f"sha256:{match.group(1).lower()}"
        )
    if text.startswith("oci://"):
        return SourceSpec(SourceKind.OCI, text, oci=OciReference.parse(text))
    path = Path(text)
    if path.is_dir():
        return SourceSpec(SourceKind.DIRECTORY, text, path=path)
    if path.is_file():
        if text.endswith((".tar.gz", ".tgz", ".tar")):
            return SourceSpec(SourceKind.TARBALL, text, path=path)
        raise SourceError(f"{text}: a file source must be a .tar.gz, .tgz or .tar archive")
    if _OCI_RE.match(text):
        return SourceSpec(SourceKind.OCI, text, oci=OciReference.parse(text))
    raise SourceError(
        f"{text}: no such directory or file, and not an OCI reference "
        "(accepted: DIR, FILE.tar.gz, oci://host/repo:tag[@sha256:…], oci-layout:PATH[:tag|@digest], "
        "https://…#sha256=HEX, git:REF:PATH)"
    )


def _parse_layout(text: str) -> SourceSpec:
    rest = text.removeprefix("oci-layout:")
    digest: str | None = None
    reference: str | None = None
    if "@" in rest:
        rest, _, digest = rest.rpartition("@")
        if not DIGEST_RE.match(digest):
            raise SourceError(f"{text}: {digest!r} is not a sha256 digest")
    else:
        # PATH:tag, but only when the part after the last ':' is not itself a path
        head, sep, tail = rest.rpartition(":")
        if sep and head and "/" not in tail and not Path(rest).exists():
            rest, reference = head, tail
    if not rest:
        raise SourceError(f"{text}: expected oci-layout:PATH[:tag|@sha256:…]")
    return SourceSpec(
        SourceKind.OCI_LAYOUT, text, path=Path(rest), reference=reference, digest=digest
    )


# The cache directory override; here rather than in oci.cache so that reading it does not
# import the OCI client.
ENV_CACHE_DIR = "TC_CONTRACTS_CACHE_DIR"


@dataclass(frozen=True)
class SourceOptions:
    """How remote sources are fetched. Local sources ignore all of it but the size cap."""

    offline: bool = False
    frozen: bool = False
    cache_dir: Path | None = None
    insecure: bool = False
    ca_file: Path | None = None
    connect_timeout: float = 3.0
    read_timeout: float = 30.0
    retries: int = 2
    # The registry a push/pull command line names: the TC_CONTRACTS_REGISTRY_* credentials
    # belong to it when TC_CONTRACTS_REGISTRY_HOST is unset (see oci.transport.credentials_for).
    command_line_host: str | None = None
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    progress: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def load_schema_set(source: str | SourceSpec, options: SourceOptions | None = None) -> SchemaSet:
    """Load and check the schema set a source names. The one entry point for every command."""
    spec = parse_source(source) if isinstance(source, str) else source
    options = options or SourceOptions()
    if spec.kind is SourceKind.DIRECTORY:
        assert spec.path is not None
        return load_directory(spec.path)
    if spec.kind is SourceKind.TARBALL:
        assert spec.path is not None
        files = read_schema_files(spec.path, max_unpacked_bytes=options.max_unpacked_bytes)
        return _from_files(files, spec.text)
    if spec.kind is SourceKind.GIT:
        return _from_files(read_git_folder(spec), spec.text)
    from tc_contracts_py.oci.fetch import load_remote_source

    return load_remote_source(spec, options)


def _from_files(files: dict[str, bytes], origin: str) -> SchemaSet:
    try:
        return schema_set_from_files(files, origin=origin)
    except SchemaError as exc:
        raise SchemaError(f"{origin}:{exc.file}", exc.pointer, exc.reason) from None


def read_git_folder(spec: SourceSpec) -> dict[str, bytes]:
    """The ``*.json`` files of ``PATH`` at git revision ``REF``, read through ``git cat-file``."""
    assert spec.reference is not None
    assert spec.path is not None
    folder = spec.path.as_posix().strip("/")
    treeish = f"{spec.reference}:{folder}" if folder not in ("", ".") else f"{spec.reference}:"
    # --end-of-options: whatever the revision looks like, git takes it as one.
    listing = _git(["ls-tree", "-z", "--end-of-options", treeish], spec.text)
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
