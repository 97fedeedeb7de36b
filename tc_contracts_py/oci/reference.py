"""An OCI reference: ``host[:port]/repository[:tag][@sha256:…]``, a value type."""

from __future__ import annotations

import re
from dataclasses import dataclass

import semver

from tc_contracts_py.errors import SourceError

# host[:port]/path[:tag][@sha256:hex]; the host must look like a host (a dot, a port or localhost)
# so that a relative path such as "schemas/v1" is never mistaken for a registry reference.
OCI_REFERENCE_RE = re.compile(
    r"^(?P<host>(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|localhost|\[[0-9a-fA-F:]+\])(?::\d+)?"
    r"|[A-Za-z0-9-]+:\d+)"
    r"/(?P<repo>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-fA-F]{64}))?$"
)


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
        match = OCI_REFERENCE_RE.match(bare)
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


def is_release_tag(tag: str | None) -> bool:
    """A semver tag (``1.4.0``, ``v1.4.0``) names one release and never moves; others float."""
    return tag is not None and semver.Version.is_valid(tag.removeprefix("v"))
