"""The semver gate: is the declared version bump at least the bump the changes require?"""

from __future__ import annotations

import semver

from tc_contracts_py.diff.model import Bump, GateFinding, GateStatus
from tc_contracts_py.diff.policy import ZeroMajor, parse_version
from tc_contracts_py.diff.rules import (
    GATE_BUMP_TOO_SMALL,
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


def _finding(rule: str, message: str) -> GateFinding:
    return GateFinding(rule=rule, message=message, fingerprint=rule)


def evaluate(
    old_text: str | None,
    new_text: str | None,
    required: Bump,
    zero_major: ZeroMajor,
    breaking_count: int,
) -> tuple[GateStatus, Bump | None, list[GateFinding]]:
    """The gate verdict, the declared bump, and the gate findings (each one fails the gate)."""
    if old_text is None or new_text is None:
        return GateStatus.SKIPPED, None, []
    old, new = parse_version(old_text), parse_version(new_text)
    findings: list[GateFinding] = []
    for label, text, parsed in (("old", old_text, old), ("new", new_text, new)):
        if parsed is None:
            findings.append(
                _finding(
                    GATE_VERSION_INVALID, f"{label} version {text!r} is not a semantic version"
                )
            )
    if old is None or new is None:
        return GateStatus.FAIL, None, findings
    bump = declared_bump(old, new, zero_major)
    span = f"{old_text} -> {new_text}"
    if new < old:
        findings.append(_finding(GATE_VERSION_DECREASED, f"version decreased: {span}"))
    elif bump is Bump.NONE and required is not Bump.NONE:
        findings.append(
            _finding(
                GATE_VERSION_UNCHANGED,
                f"version unchanged ({new_text}) although the contract changed "
                f"(a {required.label} bump is required)",
            )
        )
    elif bump.value < required.value:
        why = f" ({breaking_count} breaking change(s))" if required is Bump.MAJOR else ""
        findings.append(
            _finding(
                GATE_BUMP_TOO_SMALL,
                f"a {required.label} bump is required{why}, but {span} is a {bump.label} bump",
            )
        )
    return (GateStatus.FAIL if findings else GateStatus.PASS), bump, findings
