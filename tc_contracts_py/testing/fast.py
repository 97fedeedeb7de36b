"""Optional fast path: the same contract checks through ``jsonschema-rs`` (extra ``fast``).

``pip install 'tc-contracts-py[fast]'``, then ``Contracts(..., engine="jsonschema-rs")``.
jsonschema-rs reads ``pattern`` as ECMA-262 like Zod; this module closes the other
gaps so that verdicts match the pure-Python validator:

- ``uuid`` is not a draft-07 format in jsonschema-rs, so it is checked here the way
  ``jsonschema`` checks it;
- under ``"zod"`` semantics ``date-time`` must end in ``Z`` (see ``validation``).

Schemas are registered under ``urn:tc-contracts:/<file>`` so that refs between the
set's files resolve; the registry holds exactly the set and nothing is fetched.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tc_contracts_py.errors import ContractsError
from tc_contracts_py.schemaset import SchemaSet, to_pointer
from tc_contracts_py.testing.contracts import Violation
from tc_contracts_py.testing.validation import Semantics, format_checker

__all__ = ["FastPathUnavailable", "FastValidator", "fast_available"]

BASE_URI = "urn:tc-contracts:/"


class FastPathUnavailable(ContractsError):
    """jsonschema-rs is not installed (install the ``fast`` extra)."""


def fast_available() -> bool:
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return False
    return True


def _uuid(instance: str) -> bool:
    # jsonschema's rule: parseable, and hyphens where the canonical form has them.
    try:
        uuid.UUID(instance)
    except ValueError:
        return False
    return len(instance) > 23 and all(instance[position] == "-" for position in (8, 13, 18, 23))


def _formats(semantics: Semantics) -> dict[str, Callable[[str], bool]]:
    formats: dict[str, Callable[[str], bool]] = {"uuid": _uuid}
    if semantics == "zod":
        checker = format_checker("zod")

        def zod_date_time(instance: str) -> bool:
            return bool(checker.conforms(instance, "date-time"))

        formats["date-time"] = zod_date_time
    return formats


class FastValidator:
    """A compiled jsonschema-rs validator for one schema of a set."""

    def __init__(self, schema_set: SchemaSet, name: str, *, semantics: Semantics = "zod") -> None:
        try:
            import jsonschema_rs
        except ImportError:
            raise FastPathUnavailable(
                "the fast path needs jsonschema-rs: pip install 'tc-contracts-py[fast]'"
            ) from None
        self.name = name
        entry = schema_set[name]
        registry = jsonschema_rs.Registry(
            [(BASE_URI + schema.uri, schema.document) for schema in schema_set]
        )
        self._validator = jsonschema_rs.validator_for(
            entry.document,
            registry=registry,
            base_uri=BASE_URI + entry.uri,
            validate_formats=True,
            formats=_formats(semantics),
        )

    def is_valid(self, payload: Any) -> bool:
        return bool(self._validator.is_valid(payload))

    def violations(self, payload: Any) -> list[Violation]:
        found = [
            Violation(
                pointer=to_pointer(list(error.instance_path)),
                message=str(error.message),
                keyword=str(list(error.schema_path)[-1]) if list(error.schema_path) else "",
                schema_pointer=to_pointer(list(error.schema_path)),
            )
            for error in self._validator.iter_errors(payload)
        ]
        found.sort(key=lambda v: (v.pointer, v.keyword))
        return found
