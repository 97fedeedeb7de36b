"""Transitive compatibility: NEW against every release of a line that NEW's major keeps.

``plan_line`` picks the releases NEW owes compatibility to from the line's versions and
NEW's declared version; the source layer loads them; ``diff_release_line`` compares NEW
with each (the pairwise engine, the same roles and policies, each release's own version
span for the gate) and merges the reports: a change found against several releases once,
with their versions in ``against``; the gate fails when NEW's gate against any release
fails. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tc_contracts_py.diff import gate
from tc_contracts_py.diff.engine import diff_schema_sets, new_version_of
from tc_contracts_py.diff.model import (
    Bump,
    Change,
    DiffReport,
    GateFinding,
    GateStatus,
    LineInfo,
    ReleaseVerdict,
    SchemaResult,
    SchemaStatus,
    SideInfo,
)
from tc_contracts_py.diff.policy import DiffPolicy, ZeroMajor, parse_version
from tc_contracts_py.schemaset import SchemaSet


@dataclass(frozen=True)
class LinePlan:
    newest: str  # the line's newest release: a declared bump applies to it
    new_version: str  # NEW's declared version (undeclared: the newest release's)
    compare: tuple[str, ...]  # the versions NEW is compared with, oldest first
    owed: bool  # false: NEW starts a new major, and ``compare`` is the newest alone


def owed_versions(versions: Sequence[str], new_version: str, zero_major: ZeroMajor) -> list[str]:
    """The releases up to NEW's version from which the bump to it is not major."""
    new = parse_version(new_version)
    if new is None:
        return []
    owed = []
    for text in versions:
        old = parse_version(text)
        if (
            old is not None
            and old <= new
            and gate.declared_bump(old, new, zero_major) is not Bump.MAJOR
        ):
            owed.append(text)
    return owed


def plan_line(
    versions: Sequence[str], new: SchemaSet, policy: DiffPolicy, new_source: str
) -> LinePlan:
    """``versions``: the line's releases, oldest first, at least one."""
    newest = versions[-1]
    found, _ = new_version_of(policy, new, new_source)
    new_version = gate.version_on_line(policy, newest, found)
    owed = owed_versions(versions, new_version, policy.zero_major)
    if owed or parse_version(new_version) is None:
        # an invalid version: compared with the newest, whose gate says so
        return LinePlan(newest, new_version, tuple(owed or [newest]), True)
    return LinePlan(newest, new_version, (newest,), False)


def diff_release_line(
    plan: LinePlan,
    releases: Mapping[str, tuple[str, SchemaSet]],
    new: SchemaSet,
    policy: DiffPolicy,
    *,
    line_source: str,
    new_source: str,
) -> DiffReport:
    """``releases``: version -> (source, schema set), for every version ``plan`` compares."""
    pairs: list[tuple[str, str, DiffReport]] = []
    for version in plan.compare:
        source, old = releases[version]
        pair_policy = replace(policy, from_version=version, bump_base=plan.newest)
        report = diff_schema_sets(old, new, pair_policy, old_source=source, new_source=new_source)
        pairs.append((version, source, report))
    return _merged(plan, pairs, line_source, policy)


def _merged(
    plan: LinePlan, pairs: list[tuple[str, str, DiffReport]], line_source: str, policy: DiffPolicy
) -> DiffReport:
    primary = pairs[-1][2]  # the newest release compared: what a pairwise check reports
    merged = DiffReport(
        old=SideInfo(line_source, pairs[-1][0]),
        new=primary.new,
        unknown_properties=primary.unknown_properties,
        zero_major=primary.zero_major,
        declared_bump=primary.declared_bump,
        declared_by=primary.declared_by,
        allowed_bump=primary.allowed_bump,
        required_bump=max((r.required_bump for _, _, r in pairs), key=lambda b: b.value),
    )
    newest_first = list(reversed(pairs))
    merged.changes = _merged_changes(newest_first)
    merged.schemas = _merged_schemas(newest_first)
    merged.gate_findings = _merged_findings(pairs)
    failed = any(r.gate is GateStatus.FAIL for _, _, r in pairs)
    if not policy.gate:
        merged.gate = GateStatus.OFF
    else:
        merged.gate = GateStatus.FAIL if failed else GateStatus.PASS
    suggesting = [r for _, _, r in pairs if r.failed and r.suggested_changeset]
    if suggesting:
        top = max(suggesting, key=lambda r: r.required_bump.value)
        merged.suggested_changeset = top.suggested_changeset
    merged.line = LineInfo(
        line_source,
        tuple(ReleaseVerdict(v, s, r.gate, r.allowed_bump) for v, s, r in pairs),
        owed=plan.owed,
    )
    return merged


def _merged_changes(newest_first: list[tuple[str, str, DiffReport]]) -> list[Change]:
    """One change per fingerprint, the instance that requires most (the newest on a tie)."""
    kept: dict[str, Change] = {}
    against: dict[str, list[str]] = {}
    for version, _, report in newest_first:
        for change in report.changes:
            previous = kept.get(change.fingerprint)
            if previous is None or change.counted_bump.value > previous.counted_bump.value:
                kept[change.fingerprint] = change
            against.setdefault(change.fingerprint, []).insert(0, version)
    return [replace(c, against=tuple(against[fp])) for fp, c in kept.items()]


def _merged_schemas(newest_first: list[tuple[str, str, DiffReport]]) -> list[SchemaResult]:
    """A schema's status against the newest release that has it; breaks and bump of all."""
    merged: dict[str, SchemaResult] = {}
    for _, _, report in newest_first:
        for result in report.schemas:
            seen = merged.get(result.name)
            if seen is None:
                merged[result.name] = replace(result)
                continue
            if seen.status is SchemaStatus.UNCHANGED and result.status is not seen.status:
                seen.status = SchemaStatus.CHANGED
            seen.breaks |= result.breaks
            if result.bump.value > seen.bump.value:
                seen.bump = result.bump
    return [merged[name] for name in sorted(merged)]


def _merged_findings(pairs: list[tuple[str, str, DiffReport]]) -> list[GateFinding]:
    """Each gate finding once, saying the releases it is found against."""
    grouped: dict[tuple[str, str], tuple[GateFinding, list[str]]] = {}
    for version, _, report in pairs:
        for finding in report.gate_findings:
            entry = grouped.setdefault((finding.rule, finding.message), (finding, []))
            entry[1].append(version)
    return [
        GateFinding(f.rule, f"against {', '.join(versions)}: {f.message}", f.fingerprint)
        for f, versions in grouped.values()
    ]
