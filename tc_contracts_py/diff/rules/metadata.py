"""Metadata rules: annotations that change no accepted payload (``default`` aside)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tc_contracts_py.diff.model import NONE, Severity
from tc_contracts_py.diff.nodes import canonical
from tc_contracts_py.diff.rules.registry import Family, Finding, Level, NodePair, rule
from tc_contracts_py.diff.rules.support import NO_VALUE, short


def _metadata(keyword: str) -> Callable[[NodePair], Iterator[Finding]]:
    def check(pair: NodePair) -> Iterator[Finding]:
        old, new = pair.old.meta.get(keyword, NO_VALUE), pair.new.meta.get(keyword, NO_VALUE)
        if old is NO_VALUE and new is NO_VALUE:
            return
        if old is not NO_VALUE and new is not NO_VALUE and canonical(old) == canonical(new):
            return
        if old is NO_VALUE:
            message = f"{keyword} added: {short(new)}"
        elif new is NO_VALUE:
            message = f"{keyword} removed (was {short(old)})"
        else:
            message = f"{keyword} changed from {short(old)} to {short(new)}"
        yield Finding(message, breaks=NONE)

    return check


def _metadata_rule(*, keyword: str, rule_id: str, severity: Severity, description: str) -> None:
    rule(
        id=rule_id,
        family=Family.METADATA,
        breaks=NONE,
        description=description,
        level=Level.NODE,
        severity=severity,
    )(_metadata(keyword))


_metadata_rule(
    keyword="description",
    rule_id="description-changed",
    severity=Severity.METADATA,
    description="description added, removed or changed",
)
_metadata_rule(
    keyword="title",
    rule_id="title-changed",
    severity=Severity.METADATA,
    description="title added, removed or changed",
)
_metadata_rule(
    keyword="examples",
    rule_id="examples-changed",
    severity=Severity.METADATA,
    description="examples added, removed or changed",
)
_metadata_rule(
    keyword="default",
    rule_id="default-changed",
    severity=Severity.SEMANTIC,
    description="default added, removed or changed: what readers fill in for a missing value",
)
_metadata_rule(
    keyword="deprecated",
    rule_id="deprecated-changed",
    severity=Severity.INFO,
    description="deprecated flag added, removed or changed",
)
_metadata_rule(
    keyword="readOnly",
    rule_id="read-only-changed",
    severity=Severity.INFO,
    description="readOnly flag added, removed or changed",
)
_metadata_rule(
    keyword="writeOnly",
    rule_id="write-only-changed",
    severity=Severity.INFO,
    description="writeOnly flag added, removed or changed",
)
