"""What a new contracts release means for one consuming service: the diff read by its side.

The diff (``engine.diff_schema_sets``) says whom a change breaks in the abstract: new
readers or old readers. A service with models generated from OLD is an *old* party:

- it **reads** responses, events and models: a change that breaks old readers breaks this
  service until it regenerates its models (the other side may already send NEW payloads);
- it **writes** requests, events and models: a change that breaks new readers breaks it as
  a writer (its OLD payloads meet a NEW reader).

``impact_of`` keeps the schemas the service uses and sorts each change into those two
columns. Pure computation; ``upgrade_report`` renders it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tc_contracts_py.diff.model import Change, DiffReport, Direction, Role, SchemaStatus


class Exposure(StrEnum):
    """How this service meets a schema's payloads."""

    READS = "reads"  # an old reader of new payloads
    WRITES = "writes"  # an old writer to new readers


def exposure_of(role: Role) -> frozenset[Exposure]:
    if role is Role.RESPONSE:
        return frozenset({Exposure.READS})
    if role is Role.REQUEST:
        return frozenset({Exposure.WRITES})
    return frozenset(Exposure)


_BROKEN_BY = {Exposure.READS: Direction.OLD_READERS, Exposure.WRITES: Direction.NEW_READERS}


@dataclass(frozen=True)
class ImpactChange:
    change: Change
    # The ways this change breaks the service (empty: it does not break it).
    breaks: frozenset[Exposure]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.change.to_json(),
            "breaks_this_service_as": sorted(e.value for e in self.breaks),
        }


@dataclass(frozen=True)
class SchemaImpact:
    name: str
    role: Role
    status: SchemaStatus
    exposure: frozenset[Exposure]
    changes: tuple[ImpactChange, ...] = ()

    @property
    def breaks(self) -> frozenset[Exposure]:
        found: frozenset[Exposure] = frozenset()
        for item in self.changes:
            found |= item.breaks
        if self.status is SchemaStatus.REMOVED:
            found |= self.exposure  # its model is gone from the regenerated package
        return found

    @property
    def breaking(self) -> bool:
        return bool(self.breaks)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "status": self.status.value,
            "exposure": sorted(e.value for e in self.exposure),
            "breaks_this_service_as": sorted(e.value for e in self.breaks),
            "changes": [item.to_json() for item in self.changes],
        }


@dataclass(frozen=True)
class Impact:
    old_source: str
    new_source: str
    old_version: str | None
    new_version: str | None
    # Every schema the service uses, changed or not, in name order.
    schemas: tuple[SchemaImpact, ...] = ()
    # Names asked for that neither release has (a typo in the config, or long gone).
    missing: tuple[str, ...] = ()
    # Schemas of NEW the service does not use (not part of the impact).
    unused: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> list[SchemaImpact]:
        return [s for s in self.schemas if s.status is not SchemaStatus.UNCHANGED]

    @property
    def breaking(self) -> list[SchemaImpact]:
        return [s for s in self.schemas if s.breaking]

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "old": {"source": self.old_source, "version": self.old_version},
            "new": {"source": self.new_source, "version": self.new_version},
            "breaks_this_service": bool(self.breaking),
            "schemas": [s.to_json() for s in self.schemas],
            "missing": list(self.missing),
            "unused": list(self.unused),
        }


def impact_of(report: DiffReport, used: Iterable[str] | None = None) -> Impact:
    """The diff ``report`` read from the side of a service with OLD models using ``used``.

    ``used``: schema names (``[tool.tc-contracts.testing] schemas``); ``None`` means all.
    """
    known = {result.name: result for result in report.schemas}
    wanted = sorted(known) if used is None else sorted(set(used))
    by_schema: dict[str, list[Change]] = {}
    for change in report.changes:
        by_schema.setdefault(change.schema, []).append(change)
    schemas: list[SchemaImpact] = []
    for name in wanted:
        result = known.get(name)
        if result is None:
            continue
        exposure = exposure_of(result.role)
        items = tuple(
            ImpactChange(
                change,
                frozenset(e for e in exposure if _BROKEN_BY[e] in change.breaks)
                if result.status is SchemaStatus.CHANGED
                else frozenset(),
            )
            for change in by_schema.get(name, [])
        )
        schemas.append(SchemaImpact(name, result.role, result.status, exposure, items))
    wanted_set = set(wanted)
    return Impact(
        old_source=report.old.source,
        new_source=report.new.source,
        old_version=report.old.version,
        new_version=report.new.version,
        schemas=tuple(schemas),
        missing=tuple(name for name in wanted if name not in known),
        unused=tuple(
            r.name
            for r in report.schemas
            if r.name not in wanted_set and r.status is not SchemaStatus.REMOVED
        ),
    )
