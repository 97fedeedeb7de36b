"""``Contracts``: one schema set (and optionally its generated models) ready for runtime use.

    contracts = Contracts.load("ghcr.io/org/contracts-schemas:1.4.0@sha256:…", models="app.models")
    contracts.validate("User", payload)        # raises ContractViolation naming every pointer
    user = contracts.parse("User", payload)    # through the generated type, whatever its kind
    contracts.dump("User", user)                # back to JSON values, by alias

Validators are compiled once per schema and cached; formats are really checked
and patterns read as ECMA-262 (see ``validation``).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import jsonschema.protocols
from jsonschema.exceptions import ValidationError

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.errors import ConfigError, InputError
from tc_contracts_py.pointer import to_pointer
from tc_contracts_py.schemaset import Schema, SchemaSet
from tc_contracts_py.sources import SourceOptions, load_schema_set
from tc_contracts_py.testing.fast import FastPathUnavailable, FastValidator
from tc_contracts_py.testing.validation import (
    Semantics,
    Violation,
    format_checker,
    require_format_support,
    validator_class,
)

Engine = Literal["jsonschema", "jsonschema-rs", "auto"]

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy
    from pydantic import TypeAdapter

    from tc_contracts_py.testing.strategies import NearMiss, SchemaCompiler

__all__ = ["ContractViolation", "Contracts", "UnknownSchema", "Violation", "import_models"]

MAX_REPORTED_VIOLATIONS = 20
# What json.loads reaches with Python's default recursion limit; orjson stops at 1024.
DEFAULT_MAX_PAYLOAD_DEPTH = 1000
_MESSAGE_LIMIT = 160


class ContractViolation(InputError):
    """A payload does not satisfy its contract. ``violations`` lists every failure."""

    def __init__(
        self, schema: str, violations: Sequence[Violation] | Callable[[], list[Violation]]
    ) -> None:
        self.schema = schema
        # Built on first use: a service that only counts rejections never pays for pointers.
        self._pending = violations if callable(violations) else None
        self._violations = None if callable(violations) else tuple(violations)
        super().__init__(schema)

    @property
    def violations(self) -> tuple[Violation, ...]:
        if self._violations is None:
            assert self._pending is not None
            self._violations = tuple(self._pending())
            self._pending = None
        return self._violations

    def __str__(self) -> str:
        shown = "; ".join(str(v) for v in self.violations[:MAX_REPORTED_VIOLATIONS])
        more = len(self.violations) - MAX_REPORTED_VIOLATIONS
        suffix = f"; and {more} more" if more > 0 else ""
        return f"payload violates {self.schema}: {shown}{suffix}"

    @property
    def pointers(self) -> list[str]:
        return [violation.pointer for violation in self.violations]


class UnknownSchema(InputError):
    """No schema (or no model) of that name."""


def _shorten(message: str) -> str:
    return message if len(message) <= _MESSAGE_LIMIT else message[: _MESSAGE_LIMIT - 1] + "…"


def violations_of(errors: Iterator[ValidationError]) -> list[Violation]:
    """Flatten jsonschema errors; for anyOf/oneOf failures report the closest branch's causes."""
    found: list[Violation] = []
    for error in errors:
        found.append(
            Violation(
                pointer=to_pointer(list(error.absolute_path)),
                message=_shorten(error.message),
                keyword=str(error.validator),
                schema_pointer=to_pointer(list(error.absolute_schema_path)),
            )
        )
    found.sort(key=lambda v: (v.pointer, v.keyword))
    return found


def import_models(models: str | Path | ModuleType) -> ModuleType:
    """Import a generated models package by module name or from its directory."""
    if isinstance(models, ModuleType):
        return models
    if isinstance(models, Path) or (
        "/" in models or models.endswith(".py") or Path(models).is_dir()
    ):
        return _import_from_directory(Path(models))
    try:
        return importlib.import_module(models)
    except ImportError as exc:
        raise ConfigError(f"cannot import models package {models!r}: {exc}") from None


def _import_from_directory(folder: Path) -> ModuleType:
    init = folder / "__init__.py"
    if not init.is_file():
        raise ConfigError(f"{folder}: not a package (no __init__.py)")
    resolved = folder.resolve()
    name = resolved.name
    existing = sys.modules.get(name)
    if existing is not None:
        location = getattr(existing, "__file__", None)
        if location and Path(location).resolve() == init.resolve():
            return existing
        # Another package owns that name: load ours under a distinct one so both coexist.
        name = f"_tc_models_{abs(hash(str(resolved))):x}"
        if name in sys.modules:
            return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(resolved)]
    )
    if spec is None or spec.loader is None:
        raise ConfigError(f"{folder}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise ConfigError(f"{folder}: importing the models failed: {exc}") from exc
    return module


def models_unknown_properties(module: ModuleType) -> UnknownProperties | None:
    """The unknown-properties policy a generated package was built with, from its manifest."""
    location = getattr(module, "__file__", None)
    if not location:
        return None
    manifest = Path(location).parent / "_manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    options = data.get("options", {}) if isinstance(data, dict) else {}
    value = options.get("unknown_properties") if isinstance(options, dict) else None
    try:
        return UnknownProperties(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _deeper_than(payload: Any, limit: int) -> bool:
    """Whether ``payload`` nests lists and dicts more than ``limit`` levels deep."""
    if type(payload) is not dict and type(payload) is not list:
        return False
    stack: list[tuple[Any, int]] = [(payload, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        if depth > limit:
            return True
        children = value.values() if type(value) is dict else value
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))
    return False


def _too_deep_for_the_reference_engine() -> Violation:
    return Violation(
        pointer="",
        message="nested too deeply for the pure-Python engine (Python's recursion limit)",
        keyword="maxPayloadDepth",
        schema_pointer="",
    )


class Contracts:
    """A schema set with cached validators, payload strategies and (optionally) its models."""

    def __init__(
        self,
        schema_set: SchemaSet,
        models: str | Path | ModuleType | None = None,
        *,
        semantics: Semantics = "zod",
        unknown_properties: UnknownProperties | None = None,
        engine: Engine = "auto",
        max_payload_depth: int = DEFAULT_MAX_PAYLOAD_DEPTH,
    ) -> None:
        require_format_support()
        if engine not in ("jsonschema", "jsonschema-rs", "auto"):
            raise ConfigError(
                f"engine must be 'jsonschema', 'jsonschema-rs' or 'auto', not {engine!r}"
            )
        if engine == "jsonschema-rs" and semantics != "zod":
            raise ConfigError(
                "engine 'jsonschema-rs' reads patterns as ECMA-262 (semantics 'zod'); "
                f"semantics {semantics!r} needs engine 'jsonschema'"
            )
        # "auto" (the default) validates through jsonschema-rs where it is installed and
        # compiles the schema, else through the reference engine: both give the same verdicts.
        self.engine: Engine = engine if semantics == "zod" else "jsonschema"
        self.schema_set = schema_set
        self.semantics: Semantics = semantics
        self.max_payload_depth = max_payload_depth
        self._fast: dict[str, FastValidator | None] = {}
        self._models_spec = models
        self._models: ModuleType | None = None
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._compiler: SchemaCompiler | None = None
        self._unknown_properties = unknown_properties

    @classmethod
    def load(
        cls,
        source: str | Path | SchemaSet,
        *,
        models: str | Path | ModuleType | None = None,
        options: SourceOptions | None = None,
        semantics: Semantics = "zod",
        unknown_properties: UnknownProperties | None = None,
        engine: Engine = "auto",
        max_payload_depth: int = DEFAULT_MAX_PAYLOAD_DEPTH,
    ) -> Contracts:
        """Load any schema source ``tc-schema`` understands (directory, tarball, OCI, …)."""
        schema_set = (
            source if isinstance(source, SchemaSet) else load_schema_set(str(source), options)
        )
        return cls(
            schema_set,
            models,
            semantics=semantics,
            unknown_properties=unknown_properties,
            engine=engine,
            max_payload_depth=max_payload_depth,
        )

    # -- schemas -------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return self.schema_set.names

    def __contains__(self, name: object) -> bool:
        return name in self.schema_set

    def entry(self, name: str) -> Schema:
        try:
            return self.schema_set[name]
        except KeyError:
            known = ", ".join(self.names)
            raise UnknownSchema(
                f"no schema named {name!r} in {self.schema_set.origin} (known: {known})"
            ) from None

    def schema(self, name: str) -> Any:
        """The schema document of ``name``."""
        return self.entry(name).document

    def validator(self, name: str) -> jsonschema.protocols.Validator:
        """The compiled validator of ``name``, built on first use and reused after."""
        validator = self._validators.get(name)
        if validator is None:
            entry = self.entry(name)
            cls = validator_class(entry.dialect, self.semantics)
            validator = cls(
                entry.document,
                registry=self.schema_set.registry,
                format_checker=format_checker(self.semantics, entry.dialect),
            )
            self._validators[name] = validator
        return validator

    def fast_validator(self, name: str) -> FastValidator:
        """The jsonschema-rs validator of ``name``, compiled on first use and cached."""
        fast = self._fast.get(name)
        if fast is None:
            self.entry(name)
            fast = self._fast[name] = FastValidator(self.schema_set, name, semantics=self.semantics)
        return fast

    def engine_of(self, name: str) -> Literal["jsonschema", "jsonschema-rs"]:
        """The engine that checks ``name``: with ``engine="auto"`` it depends on the schema."""
        return "jsonschema" if self._fast_or_none(name) is None else "jsonschema-rs"

    def _fast_or_none(self, name: str) -> FastValidator | None:
        if self.engine == "jsonschema":
            return None
        if self.engine == "jsonschema-rs":
            return self.fast_validator(name)
        if name in self._fast:
            return self._fast[name]
        self.entry(name)
        fast: FastValidator | None
        try:
            fast = FastValidator(self.schema_set, name, semantics=self.semantics)
        except FastPathUnavailable:
            # Not installed, or a schema it cannot compile: keep the reference verdicts.
            fast = None
        self._fast[name] = fast
        return fast

    def is_valid(self, name: str, payload: Any) -> bool:
        return not self._refusal(name, payload) and self._is_valid(name, payload)

    def violations(self, name: str, payload: Any) -> list[Violation]:
        """Every violation of ``payload`` against ``name``; empty when valid."""
        refusal = self._refusal(name, payload)
        if refusal:
            return refusal
        fast = self._fast_or_none(name)
        if fast is not None:
            return fast.violations(payload)
        try:
            return violations_of(self.validator(name).iter_errors(payload))
        except RecursionError:
            return [_too_deep_for_the_reference_engine()]

    def validate(self, name: str, payload: Any) -> None:
        """Raise ``ContractViolation`` naming the schema and the pointer of every violation."""
        refusal = self._refusal(name, payload)
        if refusal:
            raise ContractViolation(name, refusal)
        fast = self._fast_or_none(name)
        if fast is not None:
            if not fast.is_valid(payload):
                raise ContractViolation(name, fast.violations(payload))
            return
        # One pass: a valid payload costs what is_valid costs, an invalid one is not walked twice.
        try:
            errors = list(self.validator(name).iter_errors(payload))
        except RecursionError:
            raise ContractViolation(name, [_too_deep_for_the_reference_engine()]) from None
        if errors:
            raise ContractViolation(name, lambda: violations_of(iter(errors)))

    def _is_valid(self, name: str, payload: Any) -> bool:
        fast = self._fast_or_none(name)
        if fast is not None:
            return fast.is_valid(payload)
        try:
            return bool(self.validator(name).is_valid(payload))
        except RecursionError:
            return False

    def _refusal(self, name: str, payload: Any) -> list[Violation]:
        # jsonschema-rs recurses on the native stack: a payload some 20,000 levels deep
        # crashes the process (SIGSEGV), which no except clause can catch. So nesting is
        # capped before either engine sees the payload, as JSON parsers cap it.
        if _deeper_than(payload, self.max_payload_depth):
            return [
                Violation(
                    pointer="",
                    message=f"nested more than {self.max_payload_depth} levels deep",
                    keyword="maxPayloadDepth",
                    schema_pointer="",
                )
            ]
        return []

    # -- models ----------------------------------------------------------------------

    @property
    def has_models(self) -> bool:
        return self._models_spec is not None

    @property
    def models(self) -> ModuleType:
        if self._models is None:
            if self._models_spec is None:
                raise ConfigError("no models package configured (pass models=…)")
            self._models = import_models(self._models_spec)
        return self._models

    def model(self, name: str) -> Any:
        """The generated type of schema ``name``, exported under the schema's name.

        A ``BaseModel`` for an object root; a ``RootModel``, an ``Enum``/``StrEnum`` or a type
        alias for any other root. ``adapter``, ``parse`` and ``dump`` handle every kind alike.
        """
        self.entry(name)
        # Deliberately lazy: adapters load pydantic (0.2 s), which validating against the schemas alone never needs.
        from tc_contracts_py.testing.adapters import is_type_form

        model = getattr(self.models, name, None)
        if model is None or not is_type_form(model):
            raise UnknownSchema(
                f"models package {self.models.__name__!r} has no model {name!r} "
                "(regenerate it with `tc-schema gen`?)"
            )
        return model

    def adapter(self, name: str) -> TypeAdapter[Any]:
        """A pydantic ``TypeAdapter`` of the generated type of ``name`` (cached)."""
        # Deliberately lazy: adapters load pydantic (0.2 s), which validating against the schemas alone never needs.
        from tc_contracts_py.testing.adapters import adapter_for

        model = self.model(name)
        try:
            return adapter_for(model)
        except TypeError as exc:
            raise UnknownSchema(
                f"models package {self.models.__name__!r}: {name!r} is not a model: {exc}"
            ) from None

    def parse(self, name: str, payload: Any, *, mode: Literal["json", "python"] = "python") -> Any:
        """``payload`` parsed by the generated type of ``name`` (pydantic ``ValidationError``
        when it refuses); ``mode="json"`` parses it as JSON text, as it arrives on the wire."""
        # Deliberately lazy: adapters load pydantic (0.2 s), which validating against the schemas alone never needs.
        from tc_contracts_py.testing.adapters import validate

        return validate(self.adapter(name), payload, mode)

    def dump(self, name: str, value: Any, *, exclude_unset: bool = True) -> Any:
        """A parsed ``value`` of ``name`` as JSON values, by alias, as a service emits it."""
        # Deliberately lazy: adapters load pydantic (0.2 s), which validating against the schemas alone never needs.
        from tc_contracts_py.testing.adapters import dump

        return dump(self.adapter(name), value, exclude_unset=exclude_unset)

    @property
    def unknown_properties(self) -> UnknownProperties:
        """How the models treat undeclared keys: given, else the package's manifest, else strip."""
        if self._unknown_properties is not None:
            return self._unknown_properties
        if self._models_spec is not None:
            found = models_unknown_properties(self.models)
            if found is not None:
                return found
        return UnknownProperties.STRIP

    # -- strategies --------------------------------------------------------------------

    @property
    def compiler(self) -> SchemaCompiler:
        if self._compiler is None:
            # Deliberately lazy: strategies load hypothesis (0.2 s), which validating and parsing never need.
            from tc_contracts_py.testing.strategies import SchemaCompiler

            self._compiler = SchemaCompiler.for_schema_set(
                self.schema_set, semantics=self.semantics
            )
        return self._compiler

    def payloads(self, name: str) -> SearchStrategy[Any]:
        # Deliberately lazy: strategies load hypothesis (0.2 s), which validating and parsing never need.
        from tc_contracts_py.testing.strategies import payloads

        return payloads(self.entry(name), schema_set=self.schema_set, compiler=self.compiler)

    def invalid_payloads(self, name: str) -> SearchStrategy[NearMiss]:
        # Deliberately lazy: strategies load hypothesis (0.2 s), which validating and parsing never need.
        from tc_contracts_py.testing.strategies import invalid_payloads

        return invalid_payloads(
            self.entry(name), schema_set=self.schema_set, compiler=self.compiler
        )

    def assert_round_trip(self, name: str, payload: Any) -> None:
        # Deliberately lazy: roundtrip loads pydantic and deepdiff (0.2 s).
        from tc_contracts_py.testing.roundtrip import assert_round_trip

        entry = self.entry(name)
        expected = None
        if self.unknown_properties is UnknownProperties.STRIP:
            compiler = self.compiler
            loc = compiler.location(entry.uri)

            def expected(value: Any) -> Any:
                return compiler.without_undeclared(value, entry.document, loc)

        assert_round_trip(
            self.adapter(name), payload, schema=self.validator(name), name=name, expected=expected
        )
