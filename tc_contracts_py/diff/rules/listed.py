"""Rules the engine, the gate and the waivers emit themselves (no check function).

Each is a constant, so an emitted ID is always a registered one.
"""

from __future__ import annotations

from tc_contracts_py.diff.model import NONE, Severity
from tc_contracts_py.diff.rules.registry import NR, Family, listed

SCHEMA_ADDED = listed(
    id="schema-added",
    family=Family.SCHEMA,
    breaks=NONE,
    description="a schema was added to the set (minor)",
)
SCHEMA_REMOVED = listed(
    id="schema-removed",
    family=Family.SCHEMA,
    # Old payloads of it have no schema to be read by; no new payload of it exists.
    breaks=frozenset({NR}),
    description="a schema was removed from the set (major)",
)
SCHEMA_DIALECT_CHANGED = listed(
    id="schema-dialect-changed",
    family=Family.SCHEMA,
    breaks=NONE,
    description="the $schema dialect changed (meaning compared, patch)",
    severity=Severity.METADATA,
)
GATE_BUMP_TOO_SMALL = listed(
    id="gate-bump-too-small",
    family=Family.GATE,
    breaks=NONE,
    description="the declared version bump is smaller than the changes require",
)
GATE_BUMP_UNDECLARED = listed(
    id="gate-bump-undeclared",
    family=Family.GATE,
    breaks=NONE,
    description="the changes require a major bump and no version, changeset or flag declares one",
)
GATE_VERSION_DECREASED = listed(
    id="gate-version-decreased",
    family=Family.GATE,
    breaks=NONE,
    description="the new version is lower than the old one",
)
GATE_VERSION_UNCHANGED = listed(
    id="gate-version-unchanged",
    family=Family.GATE,
    breaks=NONE,
    description="the version did not change although the contract did",
)
GATE_VERSION_INVALID = listed(
    id="gate-version-invalid",
    family=Family.GATE,
    breaks=NONE,
    description="a version is not a semantic version",
)
WAIVER_EXPIRED = listed(
    id="waiver-expired",
    family=Family.GATE,
    breaks=NONE,
    description="a waiver is past its expiry date",
)
