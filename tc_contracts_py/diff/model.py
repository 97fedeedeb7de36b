"""The typed result of a diff: directions, certainties, bumps, changes and the report.

Everything here is plain data. Formatters (``report.py``) and the CLI read it; the
engine (``engine.py``) builds it. ``DiffReport.to_json`` is the stable JSON contract
(``format_version: 1``) documented in ``docs/diff.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

FORMAT_VERSION = 1


class Direction(Enum):
    """Who is broken. ``NEW_READERS``: a payload valid under OLD is rejected by NEW."""

    NEW_READERS = "new-readers"
    OLD_READERS = "old-readers"

    @property
    def writer(self) -> str:
        return "old" if self is Direction.NEW_READERS else "new"

    @property
    def reader(self) -> str:
        return "new" if self is Direction.NEW_READERS else "old"


BOTH: frozenset[Direction] = frozenset(Direction)
NONE: frozenset[Direction] = frozenset()


class Certainty(StrEnum):
    PROVEN = "proven"  # a witness payload was found and checked with jsonschema
    LIKELY = "likely"  # a rule says so, but no witness could be found


class Bump(Enum):
    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Bump:
        return cls[label.upper()]


class Severity(StrEnum):
    """What a rule's change is when it breaks no reader the role cares about."""

    SEMANTIC = "semantic"  # the set of accepted payloads changed: minor at least
    METADATA = "metadata"  # description, title, examples: patch
    INFO = "info"  # deprecated, readOnly: patch, shown as information


class Role(StrEnum):
    REQUEST = "request"
    RESPONSE = "response"
    MODEL = "model"
    EVENT = "event"

    @property
    def cares_about(self) -> frozenset[Direction]:
        if self is Role.REQUEST:
            return frozenset({Direction.NEW_READERS})
        if self is Role.RESPONSE:
            return frozenset({Direction.OLD_READERS})
        return BOTH


class SchemaStatus(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Witness:
    """A payload valid under the writer's schema and rejected by the reader's."""

    payload: Any
    direction: Direction

    def to_json(self) -> dict[str, Any]:
        return {
            "payload": self.payload,
            "valid_under": self.direction.writer,
            "rejected_by": self.direction.reader,
        }


@dataclass
class Change:
    """One finding of a rule at one place of one schema."""

    rule: str
    schema: str
    old_pointer: str | None
    new_pointer: str | None
    path: str  # instance path, e.g. ``items[].status``; empty at the root
    breaks: frozenset[Direction]
    certainty: Certainty
    severity: Severity
    message: str
    fingerprint: str
    witness: Witness | None = None
    bump: Bump = Bump.NONE
    waived: bool = False
    waiver_reason: str | None = None
    # transitive checks: the versions of the releases this change is found against
    against: tuple[str, ...] = ()

    @property
    def counted_bump(self) -> Bump:
        """The bump this change requires of the release: a waived break counts as minor."""
        return Bump.MINOR if self.waived and self.bump is Bump.MAJOR else self.bump

    @property
    def breaks_old_readers(self) -> bool:
        return Direction.OLD_READERS in self.breaks

    @property
    def against_label(self) -> str:
        """``against 1.0.0, 1.1.0`` on a transitive check; empty otherwise."""
        return f"against {', '.join(self.against)}" if self.against else ""

    @property
    def breaks_new_readers(self) -> bool:
        return Direction.NEW_READERS in self.breaks

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "rule": self.rule,
            "schema": self.schema,
            "old_pointer": self.old_pointer,
            "new_pointer": self.new_pointer,
            "path": self.path,
            "breaks_old_readers": self.breaks_old_readers,
            "breaks_new_readers": self.breaks_new_readers,
            "certainty": self.certainty.value,
            "bump": self.bump.label,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "witness": self.witness.to_json() if self.witness else None,
            "waived": self.waived,
        }
        if self.against:
            found["against"] = list(self.against)
        return found


@dataclass(frozen=True)
class GateFinding:
    """Why the gate fails: a version that is invalid or too low, or an expired waiver."""

    rule: str
    message: str
    fingerprint: str

    def to_json(self) -> dict[str, Any]:
        # format_version 1 lists gate findings after the changes, in the shape of a change.
        return {
            "rule": self.rule,
            "schema": "",
            "old_pointer": None,
            "new_pointer": None,
            "path": "",
            "breaks_old_readers": False,
            "breaks_new_readers": False,
            "certainty": Certainty.PROVEN.value,
            "bump": Bump.NONE.label,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "witness": None,
            "waived": False,
        }


@dataclass
class SchemaResult:
    name: str
    status: SchemaStatus
    role: Role
    breaks: frozenset[Direction] = NONE
    bump: Bump = Bump.NONE

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "role": self.role.value,
            "breaks_old_readers": Direction.OLD_READERS in self.breaks,
            "breaks_new_readers": Direction.NEW_READERS in self.breaks,
            "bump": self.bump.label,
        }


class GateStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a gate verdict, not a password
    FAIL = "fail"
    OFF = "off"  # --no-gate: reported, not gated


class BumpSource(StrEnum):
    """Where the declared bump came from; the first that applies wins, in this order."""

    FIRST_RELEASE = "first-release"  # OLD is empty: nothing can break
    DECLARED_BUMP = "declared-bump"  # --declared-bump
    TO_VERSION = "to-version"  # --to-version
    NEW_VERSION = "new-version"  # NEW's artifact annotation or source name
    CHANGESETS = "changesets"  # the pending .changeset/*.md files
    NONE = "none"


@dataclass(frozen=True)
class Declaration:
    """The declared bump's source, and a phrase that says it in a report."""

    source: BumpSource
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source.value, "detail": self.detail}


@dataclass(frozen=True)
class ChangesetRelease:
    """What the pending changesets of one ``.changeset`` folder declare for one package.

    Built by ``tc_contracts_py.changesets``; ``bump`` is ``None`` when no changeset names
    the package, ``package`` is ``None`` when nothing says which package the contracts are.
    """

    folder: str
    package: str | None
    bump: Bump | None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReleaseVerdict:
    """The gate of NEW against one release of a line: a change found against it blocks
    when this gate fails and the change requires more than ``allowed``."""

    version: str
    source: str
    gate: GateStatus
    allowed: Bump

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "gate": self.gate.value,
            "allowed_bump": self.allowed.label,
        }


@dataclass(frozen=True)
class LineInfo:
    """A transitive check: the line OLD names and the releases NEW was compared with.

    ``owed`` is false when NEW's version starts a major above every release: nothing is
    owed, and ``releases`` is the newest release alone, compared for the report."""

    source: str
    releases: tuple[ReleaseVerdict, ...]
    owed: bool = True

    @property
    def versions(self) -> list[str]:
        return [r.version for r in self.releases]

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": "transitive",
            "line": self.source,
            "owed": self.owed,
            "releases": [r.to_json() for r in self.releases],
        }


@dataclass
class SideInfo:
    source: str
    version: str | None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "version": self.version}


@dataclass
class DiffReport:
    old: SideInfo
    new: SideInfo
    unknown_properties: str
    zero_major: str
    schemas: list[SchemaResult] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    gate_findings: list[GateFinding] = field(default_factory=list)
    required_bump: Bump = Bump.NONE
    declared_bump: Bump | None = None
    declared_by: Declaration = Declaration(BumpSource.NONE, "nothing declared")
    # the largest bump the declaration allows: a change that requires more fails the gate
    allowed_bump: Bump = Bump.MAJOR
    gate: GateStatus = GateStatus.OFF
    suggested_changeset: str | None = None
    line: LineInfo | None = None  # set by a transitive check

    @property
    def failed(self) -> bool:
        return self.gate is GateStatus.FAIL

    def blocks(self, change: Change) -> bool:
        """Whether this change fails the gate: it requires more than the declaration allows
        (on a line: more than some release it is found against allows, whose gate fails)."""
        if self.gate is not GateStatus.FAIL:
            return False
        if self.line is None:
            return change.counted_bump.value > self.allowed_bump.value
        return any(
            r.gate is GateStatus.FAIL and change.counted_bump.value > r.allowed.value
            for r in self.line.releases
            if r.version in change.against
        )

    def blocking_changes(self) -> list[Change]:
        return [c for c in self.changes if self.blocks(c)]

    def to_json(self) -> dict[str, Any]:
        compatibility = {"compatibility": self.line.to_json()} if self.line else {}
        return {
            "format_version": FORMAT_VERSION,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "policy": {
                "unknown_properties": self.unknown_properties,
                "zero_major": self.zero_major,
            },
            "required_bump": self.required_bump.label,
            "declared_bump": self.declared_bump.label if self.declared_bump else None,
            "declared_by": self.declared_by.to_json(),
            "gate": self.gate.value,
            "suggested_changeset": self.suggested_changeset,
            **compatibility,
            "schemas": [s.to_json() for s in self.schemas],
            "changes": [{**c.to_json(), "blocking": self.blocks(c)} for c in self.changes]
            + [{**f.to_json(), "blocking": True} for f in self.gate_findings],
        }
