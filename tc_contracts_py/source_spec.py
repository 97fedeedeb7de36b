"""What a schema source string names, and how remote ones are fetched: value types only.

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
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import semver

from tc_contracts_py.archive import DEFAULT_MAX_UNPACKED_BYTES
from tc_contracts_py.errors import SourceError
from tc_contracts_py.oci.digest import DIGEST_RE
from tc_contracts_py.oci.reference import OCI_REFERENCE_RE, OciReference


class SourceKind(StrEnum):
    DIRECTORY = "directory"
    TARBALL = "tarball"
    OCI = "oci"
    OCI_LAYOUT = "oci-layout"
    HTTPS = "https"
    GIT = "git"


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
    if OCI_REFERENCE_RE.match(text):
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


_TAG_VERSION = re.compile(r"(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


@dataclass(frozen=True, order=True)
class Release:
    """One release of a line: its version and the tag that names it (``contracts-v1.2.0``)."""

    version: semver.Version
    tag: str


def releases_among(tags: Iterable[str]) -> list[Release]:
    """The releases a list of tags names, oldest first: a semantic version ends the tag
    (``1.2.0``, ``v1.2.0``, ``contracts-v1.2.0``); prereleases are left out (not releases).
    Two tags of one version (``1.2.0`` and ``v1.2.0``) count once, the shorter spelling."""
    found: dict[semver.Version, str] = {}
    for tag in tags:
        match = _TAG_VERSION.search(tag)
        if not match or not semver.Version.is_valid(match.group(1)):
            continue
        version = semver.Version.parse(match.group(1))
        if version.prerelease is None and (version not in found or tag < found[version]):
            found[version] = tag
    return sorted(Release(version, tag) for version, tag in found.items())


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
