"""Witness payloads: built from a rule's candidates or found by a seeded search, then checked.

A candidate is a local value at the changed place. It must be valid under the
writer's sub-schema there and rejected by the reader's (under the policy); it is then
wrapped into a whole payload by filling each parent with its minimal valid instance,
and the whole payload is checked with jsonschema against both root schemas: valid for
the writer (literally), rejected by the reader (stripping or not). Only a payload that
passes all of that is reported; otherwise the change stays ``likely``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from jsonschema.exceptions import ValidationError

from tc_contracts_py.diff.generate import MISSING, Generator, seeded_rng
from tc_contracts_py.diff.model import Direction, Witness
from tc_contracts_py.diff.nodes import Children, Node, Simple
from tc_contracts_py.diff.rules import NR
from tc_contracts_py.diff.validate import SideValidators
from tc_contracts_py.diff.walker import Hit, Step

_SEARCH_COUNT = 24
_MAX_CANDIDATES = 40


def _place(steps: tuple[Step, ...], key: str | None) -> tuple[tuple[str | int, ...], str | None]:
    """The instance path a change speaks about, and the property of that object it names."""
    path: list[str | int] = []
    for step in steps:
        if step.kind == "key":  # a key's own checks fail at the object that holds it
            return tuple(path), None
        path.append(step.key)
    return tuple(path), key


_ABOUT_A_KEY = frozenset(
    {"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"}
)


def _concerns(error: ValidationError, place: tuple[tuple[str | int, ...], str | None]) -> bool:
    """Whether the reader's ``error`` rejects the payload at (or under) ``place``.

    An error above the place counts when it is a union's and one of its branches fails
    there; an error at the object of a keyed place counts when it names that key.
    """
    path, named = place
    at = tuple(error.absolute_path)
    target = (*path, named) if named is not None else path
    if at[: len(target)] == target:
        return True
    if named is not None and at == path:
        return error.validator in _ABOUT_A_KEY and repr(named) in error.message
    if at == target[: len(at)] and error.context:
        return any(_concerns(sub, place) for sub in error.context)
    return False


class WitnessFinder:
    """Finds witnesses for the hits of one schema present in both sets."""

    def __init__(
        self,
        generator: Generator,
        old_validators: SideValidators,
        new_validators: SideValidators,
        old_name: str,
        new_name: str,
    ) -> None:
        self.generator = generator
        self.old_validators = old_validators
        self.new_validators = new_validators
        self.old_name = old_name
        self.new_name = new_name

    def find(self, hit: Hit, direction: Direction, seed: str) -> Witness | None:
        location = hit.location
        if direction is NR:
            writer_local, reader_local = location.old, location.new
            writer_side, reader_side = self.old_validators, self.new_validators
            writer_name, reader_name = self.old_name, self.new_name
        else:
            writer_local, reader_local = location.new, location.old
            writer_side, reader_side = self.new_validators, self.old_validators
            writer_name, reader_name = self.new_name, self.old_name
        rng = seeded_rng(seed)
        place = _place(location.steps, hit.finding.key)
        fallback: Witness | None = None
        for candidate in islice(
            self._candidates(hit, direction, writer_local, rng), _MAX_CANDIDATES
        ):
            if candidate is MISSING:
                continue
            if writer_local and not writer_side.accepts(writer_local, candidate, reader=False):
                continue
            if reader_local and reader_side.accepts(reader_local, candidate, reader=True):
                continue
            if not reader_local and not location.steps:
                continue
            payload = self.embed(candidate, location.steps, direction)
            if payload is MISSING:
                continue
            valid = writer_side.root_accepts(writer_name, payload, reader=False)
            if valid is None:
                return None  # too deep for jsonschema: every candidate here would be
            if not valid:
                continue
            if reader_side.root_accepts(reader_name, payload, reader=True) is not False:
                continue
            errors = reader_side.root_errors(reader_name, payload, reader=True)
            here = [_concerns(error, place) for error in errors]
            if errors and all(here):
                return Witness(payload, direction)
            if any(here) and fallback is None:
                # Rejected here and elsewhere too: a proof only if no payload is rejected
                # here alone (another change of the schema may reject every writer payload).
                fallback = Witness(payload, direction)
        return fallback

    def _candidates(
        self, hit: Hit, direction: Direction, writer_local: Children, rng: Any
    ) -> Iterator[Any]:
        source = hit.finding.candidates.get(direction)
        built: list[Any] = []
        if source is not None:
            try:
                built = list(source(self.generator))
            except (TypeError, ValueError, KeyError, RecursionError, OverflowError):
                built = []  # a rule's constructor that cannot apply here: search instead
        yield from built
        writer = hit.finding.writer.get(direction)
        if writer is None:
            side = hit.old if direction is NR else hit.new
            writer = side if isinstance(side, Simple) else None
            if writer is None and isinstance(side, Node) and side.variants:
                for variant in side.variants:
                    yield from self.generator.instances(variant, rng, 4)
        if writer is not None:
            yield from self.generator.instances(writer, rng, _SEARCH_COUNT)
        elif writer_local:
            for _ in range(_SEARCH_COUNT // 2):
                value = self.generator._node(writer_local, rng, 0)
                if value is not MISSING:
                    yield value

    def embed(self, value: Any, steps: tuple[Step, ...], direction: Direction) -> Any:
        """Wrap a local value into whole payloads along ``steps``, parents filled minimally."""
        for step in reversed(steps):
            parent = step.old_parent if direction is NR else step.new_parent
            base = self.generator.unchecked_minimal(parent)
            if base is MISSING:
                base = self.generator.minimal_simple(parent)
            if base is MISSING:
                return MISSING
            if step.kind == "prop" and isinstance(base, dict):
                base = dict(base)
                base[str(step.key)] = value
            elif step.kind == "item" and isinstance(base, list) and isinstance(step.key, int):
                base = list(base)
                while len(base) <= step.key:
                    filler = self.generator.minimal(parent.item_schema(len(base)))
                    if filler is MISSING:
                        return MISSING
                    base.append(filler)
                base[step.key] = value
            elif step.kind == "key" and isinstance(base, dict) and isinstance(value, str):
                base = dict(base)
                schema, _ = parent.schema_for_key(value)
                member = self.generator.minimal(schema)
                base[value] = 0 if member is MISSING else member
            else:
                return MISSING
            value = base
        return value
