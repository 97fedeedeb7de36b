"""The semver gate: is the declared version bump at least the bump the changes require?

The declared bump comes from the first of these that applies (``BumpSource``): a first
release (OLD is empty), ``--declared-bump``, the versions (``--to-version``, else NEW's
annotation or source name, against OLD's version), the pending changesets. With none,
the gate fails closed when a major bump is required and passes otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import semver

from tc_contracts_py.diff.model import (
    Bump,
    BumpSource,
    Change,
    Declaration,
    GateFinding,
    GateStatus,
    Role,
)
from tc_contracts_py.diff.policy import DiffPolicy, ZeroMajor, parse_version
from tc_contracts_py.diff.rules import (
    GATE_BUMP_TOO_SMALL,
    GATE_BUMP_UNDECLARED,
    GATE_VERSION_DECREASED,
    GATE_VERSION_INVALID,
    GATE_VERSION_UNCHANGED,
)


def declared_bump(old: semver.Version, new: semver.Version, zero_major: ZeroMajor) -> Bump:
    if new.major != old.major:
        return Bump.MAJOR
    if new.minor != old.minor:
        return Bump.MAJOR if zero_major is ZeroMajor.CARGO and old.major == 0 else Bump.MINOR
    if new.patch != old.patch:
        return Bump.MINOR if zero_major is ZeroMajor.CARGO and old.major == 0 else Bump.PATCH
    if (new.prerelease, new.build) != (old.prerelease, old.build):
        return Bump.PATCH
    return Bump.NONE


def next_version(old: semver.Version, bump: Bump) -> semver.Version:
    """The version a release of ``bump`` after ``old`` gets, as npm's ``semver.inc`` (and so
    Changesets) computes it: a prerelease is finished by the bump it leads up to."""
    pre = old.prerelease is not None
    if bump is Bump.MAJOR:
        same = pre and old.minor == 0 and old.patch == 0
        return semver.Version(old.major if same else old.major + 1, 0, 0)
    if bump is Bump.MINOR:
        same = pre and old.patch == 0
        return semver.Version(old.major, old.minor if same else old.minor + 1, 0)
    if bump is Bump.PATCH:
        return semver.Version(old.major, old.minor, old.patch if pre else old.patch + 1)
    return old


@dataclass(frozen=True)
class Verdict:
    status: GateStatus
    declared: Bump | None
    declared_by: Declaration
    allowed: Bump  # changes that require more fail the gate
    new_version: str | None  # NEW's version, or the one the declared bump gives OLD's
    findings: list[GateFinding] = field(default_factory=list)
    suggested_changeset: str | None = None


@dataclass(frozen=True)
class GateInput:
    """What the engine knows when the gate runs."""

    old_version: str | None
    new_version: str | None
    new_version_from: str | None  # "--to-version", "artifact annotation", "source name"
    first_release: bool
    required: Bump
    changes: list[Change]
    roles: dict[str, Role]


def _finding(rule: str, message: str) -> GateFinding:
    return GateFinding(rule=rule, message=message, fingerprint=rule)


def _forcing(facts: GateInput, allowed: Bump) -> list[str]:
    """The schemas with a change that requires more than ``allowed``."""
    return sorted({c.schema for c in facts.changes if c.counted_bump.value > allowed.value})


def _why(facts: GateInput, allowed: Bump) -> str:
    names = ", ".join(_forcing(facts, allowed))
    if facts.required is Bump.MAJOR:
        count = sum(1 for c in facts.changes if c.counted_bump is Bump.MAJOR)
        return f"{count} breaking change(s) in {names}"
    return f"changes in {names}"


def suggested_changeset(facts: GateInput, package: str, allowed: Bump) -> str:
    """The changeset that declares the required bump, naming the schemas that force it."""
    names = ", ".join(f"{n} ({facts.roles[n].value})" for n in _forcing(facts, allowed))
    what = "Breaking schema changes" if facts.required is Bump.MAJOR else "Schema changes"
    return f"---\n{json.dumps(package)}: {facts.required.label}\n---\n\n{what}: {names}.\n"


def version_on_line(policy: DiffPolicy, newest: str, new_version: str | None) -> str:
    """NEW's version on a release line whose newest release is ``newest``, declared in the
    order ``evaluate`` reads declarations: a declared bump applied to the newest release,
    NEW's version, the changesets' bump. Undeclared, NEW keeps the newest release's major
    (its gate fails closed on a major break), so the newest release's version stands in."""
    base = parse_version(newest)
    assert base is not None
    if policy.declared_bump is not None:
        return str(next_version(base, policy.declared_bump))
    if new_version is not None:
        return new_version
    changesets = policy.changesets
    if changesets is not None and changesets.bump is not None:
        return str(next_version(base, changesets.bump))
    return newest


def evaluate(policy: DiffPolicy, facts: GateInput) -> Verdict:
    """The gate's verdict. ``--no-gate`` keeps the declaration for the report, gates nothing."""
    verdict = _evaluate(policy, facts)
    if not policy.gate:
        return Verdict(
            GateStatus.OFF, verdict.declared, verdict.declared_by, Bump.MAJOR, verdict.new_version
        )
    return verdict


def _evaluate(policy: DiffPolicy, facts: GateInput) -> Verdict:
    if facts.first_release:
        findings = _invalid(facts.new_version, "new")
        status = GateStatus.FAIL if findings else GateStatus.PASS
        first = Declaration(BumpSource.FIRST_RELEASE, "first release: OLD is empty")
        return Verdict(status, None, first, Bump.MAJOR, facts.new_version, findings)
    if policy.declared_bump is not None:
        flag = Declaration(
            BumpSource.DECLARED_BUMP, f"--declared-bump {policy.declared_bump.label}"
        )
        return _from_bump(policy, facts, policy.declared_bump, flag, "--declared-bump")
    if facts.new_version is not None:
        return _from_versions(policy, facts)
    changesets = policy.changesets
    if changesets is not None and changesets.bump is not None:
        files = ", ".join(changesets.files)
        declaration = Declaration(BumpSource.CHANGESETS, f"changesets {files}")
        return _from_bump(policy, facts, changesets.bump, declaration, f"the changesets ({files})")
    if changesets is None:
        reason = "no version, changeset or --declared-bump"
    elif changesets.package is None:
        reason = (
            f"{changesets.folder} found, but no package.json beside it names the package "
            "(or set [tool.tc-contracts.diff] package)"
        )
    else:
        reason = f"no changeset in {changesets.folder} names {changesets.package}"
    return _undeclared(policy, facts, Declaration(BumpSource.NONE, reason), facts.new_version)


def _undeclared(
    policy: DiffPolicy, facts: GateInput, declaration: Declaration, new_version: str | None
) -> Verdict:
    """Nothing declares the bump: fail closed on a major break, pass otherwise."""
    if facts.required is not Bump.MAJOR:
        return Verdict(GateStatus.PASS, None, declaration, Bump.MINOR, new_version)
    package = policy.package
    changeset = f"a changeset ({json.dumps(package)}: major)" if package else "a changeset"
    finding = _finding(
        GATE_BUMP_UNDECLARED,
        f"a major bump is required ({_why(facts, Bump.MINOR)}) and none is declared "
        f"({declaration.detail}): add {changeset} or pass --to-version/--declared-bump",
    )
    suggestion = suggested_changeset(facts, package, Bump.MINOR) if package else None
    return Verdict(
        GateStatus.FAIL, None, declaration, Bump.MINOR, new_version, [finding], suggestion
    )


def _from_bump(
    policy: DiffPolicy, facts: GateInput, bump: Bump, declaration: Declaration, what: str
) -> Verdict:
    """A bump declared without a version: OLD's version (on a line, the newest release's),
    when known, gives NEW's; the bump from OLD to it is what the declaration allows."""
    old = parse_version(facts.old_version) if facts.old_version else None
    base = parse_version(policy.bump_base) if policy.bump_base else old
    new_version = None
    declared = bump
    if old is not None and base is not None:
        new = next_version(base, bump)
        new_version = str(new)
        # finishing a prerelease (1.0.0-beta.1 -> 1.0.0) is the bump it was declared as
        if old.prerelease is None:
            declared = declared_bump(old, new, policy.zero_major)
    if declared.value >= facts.required.value:
        return Verdict(GateStatus.PASS, declared, declaration, declared, new_version)
    finding = _finding(
        GATE_BUMP_TOO_SMALL,
        f"a {facts.required.label} bump is required ({_why(facts, declared)}), but {what} "
        f"declare{'s' if what.startswith('--') else ''} {bump.label}",
    )
    suggestion = (
        suggested_changeset(facts, policy.package, declared)
        if policy.package and declaration.source is BumpSource.CHANGESETS
        else None
    )
    return Verdict(
        GateStatus.FAIL, declared, declaration, declared, new_version, [finding], suggestion
    )


def _invalid(text: str | None, label: str) -> list[GateFinding]:
    if text is None or parse_version(text) is not None:
        return []
    return [_finding(GATE_VERSION_INVALID, f"{label} version {text!r} is not a semantic version")]


def _from_versions(policy: DiffPolicy, facts: GateInput) -> Verdict:
    assert facts.new_version is not None
    source = (
        BumpSource.TO_VERSION
        if facts.new_version_from == "--to-version"
        else BumpSource.NEW_VERSION
    )
    detail = (
        "--to-version" if source is BumpSource.TO_VERSION else f"NEW's {facts.new_version_from}"
    )
    declaration = Declaration(source, detail)
    old_text, new_text = facts.old_version, facts.new_version
    if old_text is None:
        unknown = Declaration(source, f"{detail}, but OLD's version is unknown (--from-version)")
        return _undeclared(policy, facts, unknown, new_text)
    findings = _invalid(old_text, "old") + _invalid(new_text, "new")
    old, new = parse_version(old_text), parse_version(new_text)
    if old is None or new is None:
        return Verdict(GateStatus.FAIL, None, declaration, Bump.MINOR, new_text, findings)
    bump = declared_bump(old, new, policy.zero_major)
    span = f"{old_text} -> {new_text}"
    required = facts.required
    allowed = bump
    if new < old:
        allowed = Bump.MINOR
        findings.append(_finding(GATE_VERSION_DECREASED, f"version decreased: {span}"))
    elif bump is Bump.NONE and required is not Bump.NONE:
        findings.append(
            _finding(
                GATE_VERSION_UNCHANGED,
                f"version unchanged ({new_text}) although the contract changed "
                f"(a {required.label} bump is required: {_why(facts, bump)})",
            )
        )
    elif bump.value < required.value:
        enough = next_version(old, required)
        findings.append(
            _finding(
                GATE_BUMP_TOO_SMALL,
                f"a {required.label} bump is required ({_why(facts, bump)}), but {span} is a "
                f"{bump.label} bump ({enough} would do)",
            )
        )
    status = GateStatus.FAIL if findings else GateStatus.PASS
    return Verdict(status, bump, declaration, allowed, new_text, findings)
