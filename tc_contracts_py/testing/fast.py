"""The fast path: the same contract checks through ``jsonschema-rs``.

``Contracts`` uses it by default (``engine="auto"``) wherever jsonschema-rs is installed
(a core dependency, but a platform without its wheels falls back to ``jsonschema``) and
compiles the schema; ``engine="jsonschema-rs"`` insists on it, ``engine="jsonschema"`` avoids it.
jsonschema-rs checks structure in Rust and reads ``pattern`` as ECMA-262 like Zod.
Formats are where engines differ (jsonschema-rs has no draft-07 ``uuid``, a stricter
``email``, and no notion of Zod's ``Z``-only date-times), so every format the set uses is
handed to the reference format checker: both engines give the same verdicts.

Schemas are registered under ``tc-contracts:///<file>`` (a hierarchical URI, so that a
relative ``Money.json#/definitions/Money`` resolves against it, which it does not against
a ``urn:``); the registry holds exactly the set and ``offline=True`` means nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tc_contracts_py.errors import ContractsError
from tc_contracts_py.pointer import to_pointer
from tc_contracts_py.schemaset import Dialect, SchemaSet
from tc_contracts_py.testing.validation import Semantics, Violation, format_checker

__all__ = ["FastPathUnavailable", "FastValidator", "fast_available"]

BASE_URI = "tc-contracts:///"


class FastPathUnavailable(ContractsError):
    """jsonschema-rs is not installed (install the ``fast`` extra)."""


def fast_available() -> bool:
    try:  # jsonschema-rs is an optional extra, so imported only where it is asked for
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return False
    return True


def _formats_in(schema_set: SchemaSet) -> set[str]:
    found: set[str] = set()
    stack: list[Any] = [schema.document for schema in schema_set]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                found.add(node["format"])
            stack.extend(value for key, value in node.items() if key not in ("enum", "const"))
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _formats(
    schema_set: SchemaSet, semantics: Semantics, dialect: Dialect
) -> dict[str, Callable[[str], bool]]:
    """The set's formats, checked by the reference checker so both engines agree on them."""
    checker = format_checker(semantics, dialect)
    formats: dict[str, Callable[[str], bool]] = {}
    for name in sorted(_formats_in(schema_set)):
        if name not in checker.checkers:
            continue  # unknown formats assert nothing, in both engines

        def conforms(instance: str, name: str = name) -> bool:
            return bool(checker.conforms(instance, name))

        formats[name] = conforms
    return formats


class FastValidator:
    """A compiled jsonschema-rs validator for one schema of a set."""

    def __init__(self, schema_set: SchemaSet, name: str, *, semantics: Semantics = "zod") -> None:
        try:
            import jsonschema_rs
        except ImportError:
            raise FastPathUnavailable(
                "the fast path needs jsonschema-rs: pip install jsonschema-rs"
            ) from None
        self.name = name
        entry = schema_set[name]
        registry = jsonschema_rs.Registry(
            [(BASE_URI + schema.uri, schema.document) for schema in schema_set]
        )
        try:
            self._validator = jsonschema_rs.validator_for(
                entry.document,
                registry=registry,
                base_uri=BASE_URI + entry.uri,
                validate_formats=True,
                formats=_formats(schema_set, semantics, entry.dialect),
                offline=True,
            )
        except ValueError as exc:  # jsonschema_rs.ValidationError is one
            # The set already passed the reference engine's checks: this is a schema
            # jsonschema-rs cannot compile (a Python-only regex like ``a{,3}``), not bad input.
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FastPathUnavailable(
                f"{entry.filename}: jsonschema-rs cannot compile this schema ({reason})"
            ) from None

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
