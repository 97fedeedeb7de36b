"""Diff policy: unknown properties, zero-major, roles by name glob, and where versions come from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.diff.model import Role
from tc_contracts_py.errors import ConfigError


class ZeroMajor(StrEnum):
    """How 0.x versions are read. ``strict``: a break needs a MAJOR bump also in 0.x.

    ``cargo``: in 0.x a minor bump may break (0.3 -> 0.4) and a patch bump may add.
    """

    STRICT = "strict"
    CARGO = "cargo"


DEFAULT_ROLES: tuple[tuple[Role, tuple[str, ...]], ...] = (
    (Role.REQUEST, ("*Request", "*Query")),
    (Role.RESPONSE, ("*Response",)),
    (Role.EVENT, ("*Event",)),
)
_VERSION_SUFFIX = re.compile(r"V\d+$")


@dataclass(frozen=True)
class Waiver:
    """An accepted break: by fingerprint, or by (rule, schema, pointer)."""

    reason: str
    fingerprint: str | None = None
    rule: str | None = None
    schema: str | None = None
    pointer: str | None = None
    expires: date | None = None
    index: int = 0

    def describe(self) -> str:
        if self.fingerprint:
            return f"waiver #{self.index + 1} (fingerprint {self.fingerprint})"
        return f"waiver #{self.index + 1} ({self.rule} {self.schema} {self.pointer or ''})".rstrip()


@dataclass(frozen=True)
class DiffPolicy:
    unknown_properties: UnknownProperties = UnknownProperties.STRIP
    zero_major: ZeroMajor = ZeroMajor.STRICT
    roles: tuple[tuple[Role, tuple[str, ...]], ...] = DEFAULT_ROLES
    witnesses: bool = True
    # whether a break without a witness counts as breaking for the gate
    likely_breaks: bool = True
    from_version: str | None = None
    to_version: str | None = None
    waivers: tuple[Waiver, ...] = ()
    today: date = field(default_factory=date.today)

    @property
    def strip(self) -> bool:
        return self.unknown_properties is UnknownProperties.STRIP

    def role_of(self, name: str) -> Role:
        """The first role whose glob matches the name (or the name without a ``V<n>`` suffix)."""
        candidates = [name]
        stripped = _VERSION_SUFFIX.sub("", name)
        if stripped and stripped != name:
            candidates.append(stripped)
        for role, globs in self.roles:
            if any(fnmatchcase(c, g) for c in candidates for g in globs):
                return role
        return Role.MODEL


def roles_from_config(
    table: Mapping[str, Any], where: str
) -> tuple[tuple[Role, tuple[str, ...]], ...]:
    """``[tool.tc-contracts.diff.roles]``: ``request = ["*Request"]`` etc. Replaces the defaults."""
    roles: list[tuple[Role, tuple[str, ...]]] = []
    for key, globs in table.items():
        try:
            role = Role(key)
        except ValueError:
            names = ", ".join(r.value for r in Role)
            raise ConfigError(f"{where}.{key}: not a role (one of {names})") from None
        if isinstance(globs, str):
            globs = [globs]
        if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
            raise ConfigError(f"{where}.{key}: expected a list of name globs")
        roles.append((role, tuple(globs)))
    order = [Role.REQUEST, Role.RESPONSE, Role.EVENT, Role.MODEL]
    roles.sort(key=lambda item: order.index(item[0]))
    return tuple(roles)


_VERSION_IN_TEXT = re.compile(
    r"(?:^|[-_/@:v])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$"
)


def version_from_source(source: str) -> str | None:
    """A version in a source's text: a folder ``1.2.3`` or ``contracts-v1.2.3``, a git ref, a tag.

    ``git:contracts-v1.2.3:schemas`` reads the REF part; ``host/repo:1.2.3`` the tag.
    """
    text = source.strip()
    if text.startswith("git:"):
        parts = text.split(":", 2)
        if len(parts) == 3:
            found = _version_in(parts[1])
            if found:
                return found
            text = parts[2]
    text = text.split("@sha256:", 1)[0].split("#", 1)[0]
    for suffix in (".tar.gz", ".tgz", ".tar"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    segments = [s for s in re.split(r"[/\\]", text.rstrip("/\\")) if s]
    for segment in reversed(segments):
        if segment in ("schemas", "."):
            continue
        found = _version_in(segment.rsplit(":", 1)[-1]) or _version_in(segment)
        return found
    return None


def _version_in(text: str) -> str | None:
    match = _VERSION_IN_TEXT.search(text)
    return match.group(1) if match else None
