"""The breaking-change rules, one module per family, and the registry they fill.

Each rule has a stable kebab-case id, a family, the directions its change breaks
(``new-readers``: a payload valid under OLD is rejected by NEW; ``old-readers``: the
reverse) and a one-line description. How a rule is declared: ``registry``. Importing
this package registers every family.
"""

from __future__ import annotations

from tc_contracts_py.diff.rules import (  # noqa: F401 - each module registers its family
    arrays,
    combinators,
    enums,
    listed,
    metadata,
    numbers,
    objects,
    strings,
    types,
)
from tc_contracts_py.diff.rules.combinators import (
    SCHEMA_TOO_COMPLEX,
    VARIANT_ADDED,
    VARIANT_REMOVED,
)
from tc_contracts_py.diff.rules.listed import (
    GATE_BUMP_TOO_SMALL,
    GATE_BUMP_UNDECLARED,
    GATE_VERSION_DECREASED,
    GATE_VERSION_INVALID,
    GATE_VERSION_UNCHANGED,
    SCHEMA_ADDED,
    SCHEMA_DIALECT_CHANGED,
    SCHEMA_REMOVED,
    WAIVER_EXPIRED,
)
from tc_contracts_py.diff.rules.objects import sample_keys
from tc_contracts_py.diff.rules.registry import (
    NR,
    OR,
    RULES,
    Family,
    Finding,
    Level,
    NodePair,
    Pair,
    Rule,
    VariantContext,
    rules_for,
)

__all__ = [
    "GATE_BUMP_TOO_SMALL",
    "GATE_BUMP_UNDECLARED",
    "GATE_VERSION_DECREASED",
    "GATE_VERSION_INVALID",
    "GATE_VERSION_UNCHANGED",
    "NR",
    "OR",
    "RULES",
    "SCHEMA_ADDED",
    "SCHEMA_DIALECT_CHANGED",
    "SCHEMA_REMOVED",
    "SCHEMA_TOO_COMPLEX",
    "VARIANT_ADDED",
    "VARIANT_REMOVED",
    "WAIVER_EXPIRED",
    "Family",
    "Finding",
    "Level",
    "NodePair",
    "Pair",
    "Rule",
    "VariantContext",
    "rules_for",
    "sample_keys",
]
