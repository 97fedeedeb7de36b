"""Diff policy: unknown properties, zero-major, roles by name glob, waivers, and where
versions come from; ``policy_from_config`` builds it from options and
``[tool.tc-contracts.diff]``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import semver

from tc_contracts_py.config import ProjectConfig, UnknownProperties
from tc_contracts_py.diff.model import Bump, ChangesetRelease, Role
from tc_contracts_py.diff.waivers import Waiver, parse_waivers
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


class Compatibility(StrEnum):
    """Whom NEW must be compatible with. ``pairwise``: the one release OLD names.

    ``transitive``: every release of the line OLD names that NEW's major keeps.
    """

    PAIRWISE = "pairwise"
    TRANSITIVE = "transitive"


def compatibility_from_config(config: ProjectConfig, transitive: bool | None) -> Compatibility:
    """``--transitive/--pairwise``, else ``[tool.tc-contracts.diff] compatibility``."""
    if transitive is not None:
        return Compatibility.TRANSITIVE if transitive else Compatibility.PAIRWISE
    value = config.section("diff").get("compatibility", Compatibility.PAIRWISE.value)
    where = f"{config.path or '<config>'}: diff"
    return Compatibility(
        _choice(where, "compatibility", value, tuple(c.value for c in Compatibility))
    )


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
    # the other declarations of the bump (docs/diff.md, "The semver gate")
    declared_bump: Bump | None = None
    changesets: ChangesetRelease | None = None
    # the version a declared bump is applied to, when not OLD's: on a release line, the newest
    bump_base: str | None = None
    package: str | None = None  # the package a suggested changeset names
    gate: bool = True
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


def parse_version(text: str) -> semver.Version | None:
    try:
        return semver.Version.parse(text.strip().removeprefix("v"))
    except (ValueError, TypeError):
        return None


def _checked_version(flag: str, value: str | None) -> str | None:
    if value is not None and parse_version(value) is None:
        raise ConfigError(f"{flag}: {value!r} is not a semantic version (X.Y.Z)")
    return value


def _choice(where: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{where}.{key}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _roles(section: Mapping[str, Any], where: str) -> tuple[tuple[Role, tuple[str, ...]], ...]:
    table = section.get("roles")
    if table is not None and not isinstance(table, Mapping):
        raise ConfigError(f"{where}.roles: expected a table")
    return roles_from_config(table, f"{where}.roles") if table else DEFAULT_ROLES


def _read_waivers(path: Path) -> tuple[Waiver, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such waivers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    return parse_waivers(text, str(path))


def diff_package(config: ProjectConfig) -> str | None:
    """``[tool.tc-contracts.diff] package``: the npm package whose changesets count."""
    value = config.section("diff").get("package")
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"{config.path or '<config>'}: diff.package: expected a package name")
    return value


def policy_from_config(
    config: ProjectConfig,
    *,
    unknown_properties: str | None = None,
    zero_major: str | None = None,
    from_version: str | None = None,
    to_version: str | None = None,
    declared_bump: str | None = None,
    changesets: ChangesetRelease | None = None,
    gate: bool = True,
    waivers_path: Path | None = None,
) -> DiffPolicy:
    """The policy of one diff: options first, then ``[tool.tc-contracts.diff]``, then defaults."""
    section = config.section("diff")
    where = f"{config.path or '<config>'}: diff"
    if to_version is not None and declared_bump is not None:
        raise ConfigError("--to-version and --declared-bump both declare the bump: pass one")
    configured = section.get("unknown-properties")
    if unknown_properties is None and isinstance(configured, str):
        unknown_properties = _choice(where, "unknown-properties", configured, ("strip", "reject"))
    zero = zero_major or section.get("zero-major", ZeroMajor.STRICT.value)
    zero = _choice(where, "zero-major", zero, tuple(z.value for z in ZeroMajor))
    likely = section.get("likely-is-breaking", True)
    if not isinstance(likely, bool):
        raise ConfigError(f"{where}.likely-is-breaking: expected true or false")
    if waivers_path is None and isinstance(section.get("waivers"), str):
        waivers_path = config.root / section["waivers"]
    return DiffPolicy(
        unknown_properties=config.unknown_properties_or(unknown_properties),
        zero_major=ZeroMajor(zero),
        roles=_roles(section, where),
        likely_breaks=likely,
        from_version=_checked_version("--from-version", from_version),
        to_version=_checked_version("--to-version", to_version),
        declared_bump=Bump.from_label(declared_bump) if declared_bump else None,
        changesets=changesets,
        package=(changesets.package if changesets else None) or diff_package(config),
        gate=gate,
        waivers=_read_waivers(waivers_path) if waivers_path is not None else (),
    )
