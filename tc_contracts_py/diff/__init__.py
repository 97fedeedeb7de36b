"""Semantic, direction-aware diff of two schema sets with a semver gate.

``diff_schema_sets(old, new, policy)`` takes two loaded ``SchemaSet``s and returns a
``DiffReport``; it does no I/O. ``report.py`` renders reports; ``tc-schema diff`` is
the command. See ``docs/diff.md``.
"""

from tc_contracts_py.diff.engine import diff_schema_sets, rule_catalogue
from tc_contracts_py.diff.model import (
    FORMAT_VERSION,
    Bump,
    BumpSource,
    Certainty,
    Change,
    ChangesetRelease,
    Declaration,
    DiffReport,
    Direction,
    GateStatus,
    Role,
    SchemaStatus,
    Witness,
)
from tc_contracts_py.diff.policy import (
    DiffPolicy,
    ZeroMajor,
    policy_from_config,
    version_from_source,
)
from tc_contracts_py.diff.rules import RULES, Rule
from tc_contracts_py.diff.waivers import Waiver, parse_waivers

__all__ = [
    "FORMAT_VERSION",
    "RULES",
    "Bump",
    "BumpSource",
    "Certainty",
    "Change",
    "ChangesetRelease",
    "Declaration",
    "DiffPolicy",
    "DiffReport",
    "Direction",
    "GateStatus",
    "Role",
    "Rule",
    "SchemaStatus",
    "Waiver",
    "Witness",
    "ZeroMajor",
    "diff_schema_sets",
    "parse_waivers",
    "policy_from_config",
    "rule_catalogue",
    "version_from_source",
]
