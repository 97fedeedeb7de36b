"""Waivers: accepted breaks, read from TOML text (``policy_from_config`` reads the file).

```toml
[[waiver]]
fingerprint = "3c9e0f2a51b7d644"
reason = "clients migrated in PLAT-123"
expires = 2026-12-31

[[waiver]]
rule = "enum-value-removed"
schema = "TrainingSession"
pointer = "/definitions/TrainingSession/properties/status"   # old or new pointer, or path
reason = "draft sessions were never sent"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tc_contracts_py.diff.model import Change, GateFinding
from tc_contracts_py.diff.rules import WAIVER_EXPIRED
from tc_contracts_py.errors import ConfigError
from tc_contracts_py.limits import MAX_WAIVERS_DEPTH, toml_too_deep


@dataclass(frozen=True)
class Waiver:
    """An accepted break: by fingerprint, or by (rule, schema, pointer)."""

    reason: str
    fingerprint: str | None = None
    rule: str | None = None
    schema: str | None = None
    pointer: str | None = None
    expires: date | None = None
    index: int = 0

    def describe(self) -> str:
        if self.fingerprint:
            return f"waiver #{self.index + 1} (fingerprint {self.fingerprint})"
        return f"waiver #{self.index + 1} ({self.rule} {self.schema} {self.pointer or ''})".rstrip()


def parse_waivers(text: str, origin: str) -> tuple[Waiver, ...]:
    deep = toml_too_deep(text)
    if deep is not None:
        raise ConfigError(
            f"{origin}: line {deep}: values nested deeper than {MAX_WAIVERS_DEPTH} levels"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: invalid TOML ({exc})") from None
    entries = data.get("waiver", data.get("waivers", []))
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: expected [[waiver]] tables")
    waivers: list[Waiver] = []
    for index, entry in enumerate(entries):
        where = f"{origin}: waiver #{index + 1}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a table")
        unknown = set(entry) - {"fingerprint", "rule", "schema", "pointer", "reason", "expires"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}: a non-empty `reason` is mandatory")
        fingerprint = _optional_str(entry, "fingerprint", where)
        rule = _optional_str(entry, "rule", where)
        schema = _optional_str(entry, "schema", where)
        pointer = _optional_str(entry, "pointer", where)
        if fingerprint is None and (rule is None or schema is None):
            raise ConfigError(
                f"{where}: give `fingerprint`, or `rule` and `schema` (and `pointer`)"
            )
        waivers.append(
            Waiver(
                reason=reason.strip(),
                fingerprint=fingerprint,
                rule=rule,
                schema=schema,
                pointer=pointer,
                expires=_expiry(entry.get("expires"), where),
                index=index,
            )
        )
    return tuple(waivers)


def _optional_str(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: `{key}` must be a non-empty string")
    return value


def _expiry(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: `expires` must be a date like 2026-12-31")


def matches(waiver: Waiver, change: Change) -> bool:
    if waiver.fingerprint is not None:
        return waiver.fingerprint == change.fingerprint
    if waiver.rule != change.rule or waiver.schema != change.schema:
        return False
    if waiver.pointer is None:
        return True
    return waiver.pointer in (change.old_pointer, change.new_pointer, change.path)


def apply_waivers(
    changes: list[Change], waivers: tuple[Waiver, ...], today: date
) -> list[GateFinding]:
    """Mark waived changes; return ``waiver-expired`` findings for waivers past their date."""
    expired: list[GateFinding] = []
    for waiver in waivers:
        if waiver.expires is not None and waiver.expires < today:
            expired.append(
                GateFinding(
                    rule=WAIVER_EXPIRED,
                    message=f"{waiver.describe()} expired on {waiver.expires.isoformat()}: "
                    f"renew it or fix the break ({waiver.reason})",
                    fingerprint=f"waiver-{waiver.index + 1}",
                )
            )
            continue
        for change in changes:
            if not change.waived and matches(waiver, change):
                change.waived = True
                change.waiver_reason = waiver.reason
    return expired
