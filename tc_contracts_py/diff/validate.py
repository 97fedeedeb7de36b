"""jsonschema validators for one side of a diff, as a writer or as a reader under the policy.

A writer produces payloads that satisfy its schema literally. A reader under the
``strip`` policy drops properties it does not declare, so for it
``additionalProperties: false`` (and ``unevaluatedProperties: false``) rejects nothing,
and it fills in a missing property that has a ``default`` (Zod 4 lists those under
``required``): its validator is a jsonschema class extended for exactly those checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs
import jsonschema
import jsonschema.protocols
import jsonschema.validators
from jsonschema.exceptions import ValidationError

from tc_contracts_py.diff.nodes import Children, Piece
from tc_contracts_py.ecma_regex import ecma_search, regex_keywords
from tc_contracts_py.schemaset import Dialect, SchemaSet

ValidatorClass = type[jsonschema.protocols.Validator]
_FORMAT_CHECKER = jsonschema.FormatChecker()


def _skipping_false(original: Callable[..., Any]) -> Callable[..., Any]:
    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if value is False:
            return
        yield from original(validator, value, instance, schema) or ()

    return check


def _defaults_optional(original: Callable[..., Any]) -> Callable[..., Any]:
    # Zod fills a `.default()` field in when it parses a payload without it, though Zod 4's
    # output view lists it under `required`: a stripping (Zod) reader does not require it.
    def check(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[Any]:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if isinstance(required, list) and isinstance(properties, dict):
            required = [
                key
                for key in required
                if not (isinstance(properties.get(key), dict) and "default" in properties[key])
            ]
        yield from original(validator, required, instance, schema) or ()

    return check


def _make_class(dialect: Dialect, *, stripping: bool) -> ValidatorClass:
    base = dialect.validator_class
    # Patterns as ECMA-262 (what the writer, Zod, means), within the match budget:
    # a backtracking pattern must not stall the witness search.
    replaced: dict[str, Callable[..., Any]] = dict(regex_keywords(ecma_search))
    if stripping:
        replaced.update(
            {
                keyword: _skipping_false(replaced.get(keyword) or base.VALIDATORS[keyword])
                for keyword in ("additionalProperties", "unevaluatedProperties")
                if keyword in base.VALIDATORS
            }
        )
        replaced["required"] = _defaults_optional(base.VALIDATORS["required"])
    extended: ValidatorClass = jsonschema.validators.extend(base, replaced)  # type: ignore[no-untyped-call]
    return extended


_STRIPPING: dict[Dialect, ValidatorClass] = {d: _make_class(d, stripping=True) for d in Dialect}
_LITERAL: dict[Dialect, ValidatorClass] = {d: _make_class(d, stripping=False) for d in Dialect}
_STRIPPING_CLASSES = frozenset(_STRIPPING.values())


def _evolve_keeping_policy(self: Any, **changes: Any) -> Any:
    # jsonschema's evolve picks the *standard* class again for a subschema carrying
    # ``$schema`` (a root reached through a ref), which would drop the policy.
    schema = changes.setdefault("schema", self.schema)
    target: Any = type(self)
    if isinstance(schema, dict) and isinstance(schema.get("$schema"), str):
        dialect = Dialect.from_uri(schema["$schema"])
        if dialect is not None:
            target = (_STRIPPING if type(self) in _STRIPPING_CLASSES else _LITERAL)[dialect]
    for attribute in attrs.fields(type(self)):
        if attribute.init and attribute.alias not in changes:
            changes[attribute.alias] = getattr(self, attribute.name)
    return target(**changes)


for _cls in [*_STRIPPING.values(), *_LITERAL.values()]:
    setattr(_cls, "evolve", _evolve_keeping_policy)  # noqa: B010 - a class attribute, not subclassing


def validator_class(dialect: Dialect, *, stripping: bool) -> ValidatorClass:
    return _STRIPPING[dialect] if stripping else _LITERAL[dialect]


class SideValidators:
    """Cached validators for the schemas and sub-schemas of one side of a diff."""

    def __init__(self, schema_set: SchemaSet, *, strip: bool) -> None:
        self.schema_set = schema_set
        self.strip = strip
        self._cache: dict[tuple[int, bool], jsonschema.protocols.Validator] = {}

    def root(self, name: str, *, reader: bool) -> jsonschema.protocols.Validator:
        schema = self.schema_set[name]
        key = (id(schema.document), reader)
        found = self._cache.get(key)
        if found is None:
            cls = validator_class(schema.dialect, stripping=reader and self.strip)
            # A resolver, not ``registry=``: jsonschema would combine the whole set's
            # registry with its meta-schemas for every validator (linear in the set size).
            kwargs: dict[str, Any] = {
                "_resolver": self.schema_set.resolver(name),
                "format_checker": _FORMAT_CHECKER,
            }
            found = cls(schema.document, **kwargs)
            self._cache[key] = found
        return found

    def piece(self, piece: Piece, *, reader: bool) -> jsonschema.protocols.Validator:
        key = (id(piece.schema), reader)
        found = self._cache.get(key)
        if found is None:
            cls = validator_class(piece.dialect, stripping=reader and self.strip)
            kwargs: dict[str, Any] = {"format_checker": _FORMAT_CHECKER}
            if piece.resolver is not None:
                kwargs["_resolver"] = piece.resolver
            found = cls(piece.schema, **kwargs)
            self._cache[key] = found
        return found

    def accepts(self, children: Children, value: Any, *, reader: bool) -> bool:
        try:
            return all(self.piece(p, reader=reader).is_valid(value) for p in children)
        except Exception:  # noqa: BLE001 - an unevaluable check proves nothing either way
            return False

    def root_errors(self, name: str, value: Any, *, reader: bool) -> list[ValidationError]:
        """Every error of the whole schema on ``value`` (empty when it cannot tell)."""
        try:
            return list(self.root(name, reader=reader).iter_errors(value))
        except Exception:  # noqa: BLE001 - as root_accepts: an unevaluable check proves nothing
            return []

    def root_accepts(self, name: str, value: Any, *, reader: bool) -> bool | None:
        """Whether the whole schema accepts ``value``; None when jsonschema cannot tell.

        jsonschema validates recursively, so a payload nested a few hundred levels deep
        exhausts Python's stack: such a witness can be neither proven nor refuted.
        """
        try:
            return self.root(name, reader=reader).is_valid(value)
        except RecursionError:
            return None
        except Exception:  # noqa: BLE001 - an unevaluable check proves nothing either way
            return False
