"""Accept several versions of a contract during an adoption window.

When a provider moves from ``CoachAdviceResponseV1`` to ``CoachAdviceResponse`` (2.x),
consumers must read both until every producer has moved::

    window = MigrationWindow(("v2", CoachAdviceResponse), ("v1", CoachAdviceResponseV1))
    match = window.parse(body)        # tries v2, then v1
    if match.label == "v1":
        metrics.increment("advice.v1_payloads")   # know when the window can close
    advice = match.value

The first model that accepts the payload wins, so list the newest first. When none
accepts it, ``NoVersionMatched`` (an ``InputError``) names each version and its first
errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tc_contracts_py.errors import InputError
from tc_contracts_py.pointer import to_pointer

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["MigrationWindow", "NoVersionMatched", "VersionMatch", "parse_first"]


@dataclass(frozen=True)
class VersionMatch:
    """Which version accepted a payload, the parsed value, and why earlier ones did not."""

    label: str
    model: type[BaseModel]
    value: BaseModel
    index: int  # position in the window; 0 is the newest
    rejected_by: tuple[tuple[str, str], ...] = ()  # (label, first error) of earlier versions

    @property
    def is_latest(self) -> bool:
        return self.index == 0


class NoVersionMatched(InputError):
    """No version of the window accepts the payload."""

    def __init__(self, attempts: Sequence[tuple[str, str]]) -> None:
        self.attempts = tuple(attempts)
        reasons = "; ".join(f"{label}: {reason}" for label, reason in self.attempts)
        super().__init__(f"payload matches no accepted version ({reasons})")


def _first_errors(exc: Any, limit: int = 3) -> str:
    parts = []
    for error in exc.errors(include_url=False)[:limit]:
        pointer = to_pointer(list(error.get("loc", ()))) or "/"
        parts.append(f"{pointer} {error.get('msg', '')}")
    more = exc.error_count() - limit
    return ", ".join(parts) + (f" (+{more} more)" if more > 0 else "")


class MigrationWindow:
    """Parse payloads as the first matching of several model versions, newest first."""

    def __init__(self, *versions: type[BaseModel] | tuple[str, type[BaseModel]]) -> None:
        if not versions:
            raise ValueError("a migration window needs at least one model")
        self.versions: list[tuple[str, type[BaseModel]]] = [
            version if isinstance(version, tuple) else (version.__name__, version)
            for version in versions
        ]

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.versions]

    def parse(self, payload: Any) -> VersionMatch:
        """Parse ``payload`` (JSON text or bytes, or an already decoded value)."""
        rejected: list[tuple[str, str]] = []
        for index, (label, model) in enumerate(self.versions):
            try:
                if isinstance(payload, (str, bytes, bytearray)):
                    value = model.model_validate_json(payload)
                else:
                    value = model.model_validate(payload)
            except ValidationError as exc:
                rejected.append((label, _first_errors(exc)))
                continue
            return VersionMatch(label, model, value, index, tuple(rejected))
        raise NoVersionMatched(rejected)


def parse_first(
    payload: Any, *versions: type[BaseModel] | tuple[str, type[BaseModel]]
) -> VersionMatch:
    """``MigrationWindow(*versions).parse(payload)`` in one call."""
    return MigrationWindow(*versions).parse(payload)
