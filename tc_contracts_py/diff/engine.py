"""``diff_schema_sets``: two loaded schema sets and a policy in, a typed report out. No I/O."""

from __future__ import annotations

import hashlib
from typing import Any

from tc_contracts_py.diff import gate
from tc_contracts_py.diff.generate import MISSING, Generator
from tc_contracts_py.diff.model import (
    BOTH,
    NONE,
    Bump,
    Certainty,
    Change,
    DiffReport,
    Direction,
    GateFinding,
    GateStatus,
    Role,
    SchemaResult,
    SchemaStatus,
    Severity,
    SideInfo,
    Witness,
)
from tc_contracts_py.diff.nodes import Normalizer, Piece
from tc_contracts_py.diff.policy import DiffPolicy, version_from_source
from tc_contracts_py.diff.rules import (
    RULES,
    SCHEMA_ADDED,
    SCHEMA_DIALECT_CHANGED,
    SCHEMA_REMOVED,
)
from tc_contracts_py.diff.validate import SideValidators
from tc_contracts_py.diff.waivers import apply_waivers
from tc_contracts_py.diff.walker import Comparison, Hit, Location, Walker
from tc_contracts_py.diff.witness import WitnessFinder
from tc_contracts_py.schemaset import Dialect, Schema, SchemaSet, refers_outside


class _Sides:
    """Everything about the two sets that outlives one schema's walk."""

    def __init__(self, old: SchemaSet, new: SchemaSet, policy: DiffPolicy) -> None:
        dialects: dict[tuple[str, str], Dialect] = {}
        for side, schema_set in (("old", old), ("new", new)):
            for schema in schema_set:
                dialects[(side, schema.uri)] = schema.dialect
        self.old, self.new = old, new
        self.normalizer = Normalizer(dialects)
        self.comparison = Comparison(self.normalizer, policy.strip)
        self.old_validators = SideValidators(old, strip=policy.strip)
        self.new_validators = SideValidators(new, strip=policy.strip)
        self.old_generator = Generator(self.normalizer, self.old_validators)
        self.new_generator = Generator(self.normalizer, self.new_validators)

    def root(self, schema: Schema, side: str) -> Piece:
        schema_set = self.old if side == "old" else self.new
        return Piece(
            schema.document, schema_set.resolver(schema.name), schema.uri, "", schema.dialect, side
        )


def diff_schema_sets(
    old: SchemaSet,
    new: SchemaSet,
    policy: DiffPolicy | None = None,
    *,
    old_source: str | None = None,
    new_source: str | None = None,
) -> DiffReport:
    """Compare two sets schema by schema and apply the semver gate and the waivers."""
    policy = policy or DiffPolicy()
    old_source = old_source or old.origin
    new_source = new_source or new.origin
    new_version, new_version_from = new_version_of(policy, new, new_source)
    report = DiffReport(
        old=SideInfo(
            old_source, policy.from_version or old.version or version_from_source(old_source)
        ),
        new=SideInfo(new_source, new_version),
        unknown_properties=policy.unknown_properties.value,
        zero_major=policy.zero_major.value,
    )
    _compare_schemas(report, old, new, policy)
    expired = apply_waivers(report.changes, policy.waivers, policy.today)
    report.required_bump = max(
        (change.counted_bump for change in report.changes),
        key=lambda bump: bump.value,
        default=Bump.NONE,
    )
    _apply_gate(report, policy, new_version, new_version_from, len(old) == 0, expired)
    return report


def _compare_schemas(
    report: DiffReport, old: SchemaSet, new: SchemaSet, policy: DiffPolicy
) -> None:
    """One ``SchemaResult`` per schema of either set, and the changes found in each."""
    sides = _Sides(old, new, policy)
    changed_files = {
        s.filename for s in old if s.name not in new or new[s.name].digest != s.digest
    } | {s.filename for s in new if s.name not in old}
    for name in sorted(set(old.names) | set(new.names)):
        role = policy.role_of(name)
        if name not in new:
            removed = _removed(sides, old[name])
            report.schemas.append(
                SchemaResult(name, SchemaStatus.REMOVED, role, removed.breaks, Bump.MAJOR)
            )
            report.changes.append(removed)
            continue
        if name not in old:
            report.schemas.append(SchemaResult(name, SchemaStatus.ADDED, role, NONE, Bump.MINOR))
            report.changes.append(_added(new[name]))
            continue
        old_schema, new_schema = old[name], new[name]
        changes: list[Change] = []
        if not _surely_unchanged(old_schema, new_schema, changed_files):
            changes = _diff_one(sides, old_schema, new_schema, policy, role)
        for change in changes:
            change.bump = _bump(change, role, policy)
        report.schemas.append(_schema_result(name, role, changes))
        report.changes.extend(changes)


def _schema_result(name: str, role: Role, changes: list[Change]) -> SchemaResult:
    result = SchemaResult(name, SchemaStatus.CHANGED if changes else SchemaStatus.UNCHANGED, role)
    for change in changes:
        result.breaks |= change.breaks
        if change.bump.value > result.bump.value:
            result.bump = change.bump
    return result


def _apply_gate(
    report: DiffReport,
    policy: DiffPolicy,
    new_version: str | None,
    new_version_from: str | None,
    first_release: bool,
    expired: list[GateFinding],
) -> None:
    verdict = gate.evaluate(
        policy,
        gate.GateInput(
            old_version=report.old.version,
            new_version=new_version,
            new_version_from=new_version_from,
            first_release=first_release,
            required=report.required_bump,
            changes=report.changes,
            roles={s.name: s.role for s in report.schemas},
        ),
    )
    report.new.version = verdict.new_version
    report.declared_bump = verdict.declared
    report.declared_by = verdict.declared_by
    report.allowed_bump = verdict.allowed
    report.suggested_changeset = verdict.suggested_changeset
    report.gate = verdict.status
    if verdict.status is not GateStatus.OFF:
        report.gate_findings = [*verdict.findings, *expired]
        if expired:
            report.gate = GateStatus.FAIL


def new_version_of(
    policy: DiffPolicy, new: SchemaSet, new_source: str
) -> tuple[str | None, str | None]:
    """NEW's version and where it was found."""
    if policy.to_version:
        return policy.to_version, "--to-version"
    if new.version:
        return new.version, "artifact annotation"
    found = version_from_source(new_source)
    return (found, "source name") if found else (None, None)


def _surely_unchanged(old: Schema, new: Schema, changed_files: set[str]) -> bool:
    if old.digest != new.digest and old.document != new.document:
        return False
    if not changed_files:
        return True
    # An identical document still changes meaning if a file it refers to changed.
    return not refers_outside(old)


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _added(schema: Schema) -> Change:
    return Change(
        rule=SCHEMA_ADDED,
        schema=schema.name,
        old_pointer=None,
        new_pointer="",
        path="",
        breaks=NONE,
        certainty=Certainty.PROVEN,
        severity=Severity.SEMANTIC,
        message=f"schema {schema.name} added",
        fingerprint=_fingerprint(SCHEMA_ADDED, schema.name),
        bump=Bump.MINOR,
    )


def _removed(sides: _Sides, schema: Schema) -> Change:
    root = sides.root(schema, "old")
    payload = sides.old_generator.minimal((root,))
    witness = None
    if payload is not MISSING and sides.old_validators.root_accepts(
        schema.name, payload, reader=False
    ):
        witness = Witness(payload, Direction.NEW_READERS)
    return Change(
        rule=SCHEMA_REMOVED,
        schema=schema.name,
        old_pointer="",
        new_pointer=None,
        path="",
        breaks=RULES[SCHEMA_REMOVED].breaks,
        certainty=Certainty.PROVEN,
        severity=Severity.SEMANTIC,
        message=f"schema {schema.name} removed",
        fingerprint=_fingerprint(SCHEMA_REMOVED, schema.name),
        witness=witness,
        bump=Bump.MAJOR,
    )


def _diff_one(
    sides: _Sides, old: Schema, new: Schema, policy: DiffPolicy, role: Role
) -> list[Change]:
    walker = Walker(sides.comparison, report=True)
    start = Location(
        (sides.root(old, "old"),),
        (sides.root(new, "new"),),
        BOTH,
        old_base=old.uri,
        new_base=new.uri,
    )
    hits = walker.walk(start)
    finder = WitnessFinder(
        sides.old_generator, sides.old_validators, sides.new_validators, old.name, new.name
    )
    # Both sides' generators share the normaliser; the writer side's validators check.
    finder_new = WitnessFinder(
        sides.new_generator, sides.old_validators, sides.new_validators, old.name, new.name
    )
    changes: dict[str, Change] = {}
    for hit in _once(hits):
        change = _change(hit, old.name, policy, role, finder, finder_new)
        if change.fingerprint not in changes:
            changes[change.fingerprint] = change
    if old.dialect is not new.dialect:
        change = Change(
            rule=SCHEMA_DIALECT_CHANGED,
            schema=old.name,
            old_pointer="/$schema",
            new_pointer="/$schema",
            path="",
            breaks=NONE,
            certainty=Certainty.PROVEN,
            severity=Severity.METADATA,
            message=f"dialect changed from {old.dialect.value} to {new.dialect.value}",
            fingerprint=_fingerprint(SCHEMA_DIALECT_CHANGED, old.name),
        )
        changes[change.fingerprint] = change
    return sorted(changes.values(), key=lambda c: (c.path, c.rule, c.message))


def _once(hits: list[Hit]) -> list[Hit]:
    """Each change once: a rule at one pair of pointers breaks each direction once.

    The walker compares a node pair once per set of directions, so a shared definition
    reached through places that admit different directions (a tuple's items, one of which
    only one side's writer can produce) yields the same finding again, at another
    instance path. The first (breadth first: the shortest path) keeps it.
    """
    seen: dict[tuple[str, str | None, str | None, str], frozenset[Direction] | None] = {}
    kept: list[Hit] = []
    for hit in hits:
        location = hit.location
        key = (hit.rule.id, location.old_pointer, location.new_pointer, hit.finding.subject)
        if key not in seen:
            seen[key] = hit.breaks
            kept.append(hit)
            continue
        before = seen[key] or frozenset()
        if not hit.breaks - before:
            continue
        hit.breaks = hit.breaks - before
        seen[key] = before | hit.breaks
        kept.append(hit)
    return kept


def _change(
    hit: Hit,
    schema: str,
    policy: DiffPolicy,
    role: Role,
    finder_old: WitnessFinder,
    finder_new: WitnessFinder,
) -> Change:
    location = hit.location
    fingerprint = _fingerprint(
        hit.rule.id,
        schema,
        str(location.old_pointer),
        str(location.new_pointer),
        location.path,
        hit.finding.subject,
    )
    witness: Witness | None = None
    certainty = Certainty.PROVEN
    if hit.breaks:
        order = sorted(
            hit.breaks, key=lambda d: (d not in role.cares_about, d is not Direction.NEW_READERS)
        )
        found: dict[Direction, Witness] = {}
        if policy.witnesses:
            for direction in order:
                finder = finder_old if direction is Direction.NEW_READERS else finder_new
                result = finder.find(hit, direction, f"{fingerprint}:{direction.value}")
                if result is not None:
                    found[direction] = result
        if len(found) != len(hit.breaks):
            certainty = Certainty.LIKELY
        witness = next((found[d] for d in order if d in found), None)
    message = hit.finding.message
    if location.path:
        message = f"{location.path}: {message}"
    return Change(
        rule=hit.rule.id,
        schema=schema,
        old_pointer=location.old_pointer,
        new_pointer=location.new_pointer,
        path=location.path,
        breaks=hit.breaks,
        certainty=certainty,
        severity=hit.rule.severity,
        message=message,
        fingerprint=fingerprint,
        witness=witness,
    )


def _bump(change: Change, role: Role, policy: DiffPolicy) -> Bump:
    if change.breaks & role.cares_about:
        if change.certainty is Certainty.LIKELY and not policy.likely_breaks:
            return Bump.MINOR
        return Bump.MAJOR
    if change.severity is Severity.SEMANTIC:
        return Bump.MINOR
    return Bump.PATCH


def rule_catalogue() -> list[dict[str, Any]]:
    return [rule.to_json() for rule in sorted(RULES.values(), key=lambda r: (r.family, r.id))]
