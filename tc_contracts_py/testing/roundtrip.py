"""Round trips of payloads through generated models, with readable failures.

``assert_round_trip(Model, payload, schema=validator)`` checks, in order:

1. the payload is valid for the schema (else the test data is wrong, not the model);
2. ``Model`` parses it (else the model is stricter than the contract);
3. the dump (``mode="json", by_alias=True, exclude_unset=True``) is still valid for the schema
   (else a consumer would emit payloads its peers reject);
4. parsing the dump again gives an equal value (the dump loses nothing the model holds);
5. the dump equals the input, up to these normalisations, which carry the same meaning:

   - numbers compare by value: ``1`` equals ``1.0`` (Pydantic ``float`` fields dump ``1.0``);
   - date-times compare as instants: ``…00.000Z``, ``…00Z`` and ``…00+00:00`` are equal;
   - dates and times compare as values;
   - UUIDs compare case-insensitively (Pydantic dumps lower case);
   - e-mail domains compare case-insensitively (email-validator lower-cases them);
   - URLs compare after Pydantic's normalisation: lower-case scheme and host, ``/`` as the
     path of a bare host.

``Model`` is any generated type: a ``BaseModel``, a ``RootModel``, an ``Enum`` or a type
alias (or a ``TypeAdapter``); it is parsed and dumped through a pydantic ``TypeAdapter``.

A failure raises ``RoundTripError`` (an ``AssertionError``) that names the stage and, for
changes, each JSON pointer that changed with its before and after values.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jsonschema.protocols
from deepdiff import DeepDiff
from pydantic import ValidationError

from tc_contracts_py.pointer import to_pointer
from tc_contracts_py.schemaset import Dialect
from tc_contracts_py.testing.adapters import adapter_for, type_label
from tc_contracts_py.testing.validation import format_checker, validator_class

__all__ = ["Change", "RoundTripError", "assert_round_trip", "payload_changes"]

_PAYLOAD_PREVIEW = 400


@dataclass(frozen=True)
class Change:
    pointer: str
    kind: str  # changed, removed, added, type changed
    before: Any
    after: Any

    def __str__(self) -> str:
        where = self.pointer or "/"
        if self.kind == "removed":
            return f"{where}: removed (was {_preview(self.before, 80)})"
        if self.kind == "added":
            return f"{where}: added {_preview(self.after, 80)}"
        return f"{where}: {_preview(self.before, 80)} -> {_preview(self.after, 80)}"


class RoundTripError(AssertionError):
    """A round trip failed; ``stage`` says where, ``changes`` what moved."""

    def __init__(
        self,
        name: str,
        stage: str,
        explanation: str,
        payload: Any,
        details: Iterable[str] = (),
        changes: Iterable[Change] = (),
    ) -> None:
        self.name = name
        self.stage = stage
        self.payload = payload
        self.changes = tuple(changes)
        lines = [f"round trip of {name} failed at {stage}: {explanation}"]
        lines.extend(f"  {detail}" for detail in details)
        lines.extend(f"  {change}" for change in self.changes)
        lines.append(f"  payload: {_preview(payload, _PAYLOAD_PREVIEW)}")
        super().__init__("\n".join(lines))


def _preview(value: Any, limit: int) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_errors(validator: jsonschema.protocols.Validator, value: Any) -> list[str]:
    if validator.is_valid(value):
        return []
    return [
        f"{to_pointer(list(error.absolute_path)) or '/'}: {error.message[:160]}"
        for error in validator.iter_errors(value)
    ]


def _as_validator(schema: Any) -> jsonschema.protocols.Validator | None:
    if schema is None:
        return None
    if hasattr(schema, "iter_errors") and hasattr(schema, "is_valid"):
        return schema  # type: ignore[no-any-return]
    if isinstance(schema, (Mapping, bool)):
        declared = schema.get("$schema") if isinstance(schema, Mapping) else None
        dialect = (Dialect.from_uri(declared) if isinstance(declared, str) else None) or (
            Dialect.DRAFT7
        )
        return validator_class(dialect)(schema, format_checker=format_checker(dialect=dialect))
    raise TypeError("schema must be a validator, a schema document or None")


def assert_round_trip(
    model: Any,
    payload: Any,
    *,
    schema: jsonschema.protocols.Validator | Mapping[str, Any] | None = None,
    name: str | None = None,
    expected: Callable[[Any], Any] | None = None,
) -> Any:
    """Assert ``payload`` survives parse and dump; return the dump. See the module docstring.

    ``expected`` maps the input to what the dump should equal, for readers that legitimately
    drop something: ``Contracts.assert_round_trip`` passes one that removes undeclared keys
    when the models strip them (``unknown-properties = strip``).
    """
    adapter = adapter_for(model)
    label = name or type_label(model)
    validator = _as_validator(schema)
    if validator is not None:
        errors = _schema_errors(validator, payload)
        if errors:
            raise RoundTripError(
                label, "input", "the payload itself violates the schema", payload, errors
            )
    try:
        parsed = adapter.validate_python(payload)
    except ValidationError as exc:
        raise RoundTripError(
            label,
            "parse",
            "the model rejects a payload the contract accepts (model stricter than schema)",
            payload,
            _pydantic_errors(exc),
        ) from None
    dumped = adapter.dump_python(parsed, mode="json", by_alias=True, exclude_unset=True)
    if validator is not None:
        errors = _schema_errors(validator, dumped)
        if errors:
            raise RoundTripError(
                label,
                "dump",
                "the model's dump violates the schema",
                payload,
                [*errors, f"dump: {_preview(dumped, _PAYLOAD_PREVIEW)}"],
            )
    try:
        reparsed = adapter.validate_python(dumped)
    except ValidationError as exc:
        raise RoundTripError(
            label, "re-parse", "the model rejects its own dump", payload, _pydantic_errors(exc)
        ) from None
    if reparsed != parsed:
        changes = payload_changes(
            adapter.dump_python(parsed, mode="json", by_alias=True),
            adapter.dump_python(reparsed, mode="json", by_alias=True),
        )
        raise RoundTripError(
            label, "re-parse", "parsing the dump gives a different model", payload, changes=changes
        )
    changes = payload_changes(expected(payload) if expected else payload, dumped)
    if changes:
        raise RoundTripError(
            label,
            "compare",
            "the dump differs from the input beyond the documented normalisations",
            payload,
            changes=changes,
        )
    return dumped


def _pydantic_errors(exc: Any) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False)[:20]:
        pointer = to_pointer([part for part in error.get("loc", ())])
        lines.append(f"{pointer or '/'}: {error.get('msg', '')} [{error.get('type', '')}]")
    return lines


def payload_changes(before: Any, after: Any) -> list[Change]:
    """What differs between two JSON values, ignoring the documented normalisations."""
    aligned = _align(before, after)
    diff = DeepDiff(before, aligned, ignore_numeric_type_changes=True, verbose_level=2)
    changes: list[Change] = []
    kinds = {
        "dictionary_item_removed": "removed",
        "iterable_item_removed": "removed",
        "dictionary_item_added": "added",
        "iterable_item_added": "added",
        "type_changes": "type changed",
        "values_changed": "changed",
    }
    for report_type, items in diff.tree.items():
        kind = kinds.get(report_type, report_type)
        for item in items:
            path = item.path(output_format="list")
            before_value = None if kind == "added" else item.t1
            after_value = None if kind == "removed" else item.t2
            changes.append(Change(to_pointer(path), kind, before_value, after_value))
    changes.sort(key=lambda change: change.pointer)
    return changes


def _align(reference: Any, value: Any) -> Any:
    """``value`` with every leaf equivalent to ``reference``'s replaced by the reference's leaf."""
    if isinstance(reference, dict) and isinstance(value, dict):
        return {
            key: _align(reference[key], item) if key in reference else item
            for key, item in value.items()
        }
    if isinstance(reference, list) and isinstance(value, list):
        aligned = [_align(ref, item) for ref, item in zip(reference, value, strict=False)]
        return aligned + value[len(reference) :]
    if (
        isinstance(reference, str)
        and isinstance(value, str)
        and equivalent_strings(reference, value)
    ):
        return reference
    return value


def equivalent_strings(first: str, second: str) -> bool:
    """True when two strings differ only by a documented normalisation."""
    if first == second:
        return True
    return any(
        check(first, second)
        for check in (_same_instant, _same_date, _same_uuid, _same_email, _same_url)
    )


def _same_instant(first: str, second: str) -> bool:
    try:
        a, b = dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(second)
    except ValueError:
        try:
            return dt.time.fromisoformat(first) == dt.time.fromisoformat(second)
        except ValueError:
            return False
    if (a.tzinfo is None) != (b.tzinfo is None):
        return False
    return a == b


def _same_date(first: str, second: str) -> bool:
    try:
        return dt.date.fromisoformat(first) == dt.date.fromisoformat(second)
    except ValueError:
        return False


def _same_uuid(first: str, second: str) -> bool:
    if len(first) != len(second):
        return False
    try:
        return uuid.UUID(first) == uuid.UUID(second)
    except ValueError:
        return False


def _same_email(first: str, second: str) -> bool:
    local_a, at_a, domain_a = first.rpartition("@")
    local_b, at_b, domain_b = second.rpartition("@")
    return bool(at_a and at_b) and local_a == local_b and domain_a.lower() == domain_b.lower()


def _same_url(first: str, second: str) -> bool:
    try:
        a, b = urlsplit(first), urlsplit(second)
    except ValueError:
        return False
    if not (a.scheme and a.netloc and b.scheme and b.netloc):
        return False
    return (a.scheme.lower(), a.netloc.lower(), a.path or "/", a.query, a.fragment) == (
        b.scheme.lower(),
        b.netloc.lower(),
        b.path or "/",
        b.query,
        b.fragment,
    )
