"""The one walker: pairs old and new nodes, runs the rules on each pair, descends.

It works on an explicit stack (no recursion per nesting level), and it never visits
the same (old node, new node, directions) triple twice, so recursive refs end and a
shared sub-schema is compared once. Union members of one JSON type are paired by their
``const`` tag when every member has one, else by best structural match; a member left
without a partner is a ``variant-*`` finding unless another member covers it.
Nested coverage questions ("does this writer member fit that reader member?") run a
dry walk with the same rules and no reporting, memoised across the whole diff.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tc_contracts_py.diff.model import BOTH, Direction
from tc_contracts_py.diff.nodes import (
    TYPES,
    Children,
    KeySource,
    Node,
    Normalizer,
    Piece,
    Simple,
    canonical,
    children_key,
    is_any,
    is_forbidden,
)
from tc_contracts_py.diff.rules import (
    NR,
    RULES,
    SCHEMA_TOO_COMPLEX,
    VARIANT_ADDED,
    VARIANT_REMOVED,
    Finding,
    NodePair,
    Pair,
    Rule,
    VariantContext,
    rules_for,
    sample_keys,
)
from tc_contracts_py.schemaset import Dialect

_MAX_DRY_DEPTH = 24
_MAX_SUBWALK_DEPTH = 24
_STRING_KEYS = {"type": "string"}


@dataclass(frozen=True)
class Step:
    """One step from a parent instance to a child: a property, an item, or a key itself."""

    kind: str  # "prop" | "item" | "key"
    key: str | int
    old_parent: Simple
    new_parent: Simple
    rest: bool = False


@dataclass(frozen=True)
class Location:
    old: Children
    new: Children
    mask: frozenset[Direction]
    steps: tuple[Step, ...] = ()
    old_pointer: str | None = ""
    new_pointer: str | None = ""
    old_base: str = ""  # the file of the schema being diffed, for pointers into other files
    new_base: str = ""

    @property
    def path(self) -> str:
        return instance_path(self.steps)

    def child(
        self, old: Children, new: Children, mask: frozenset[Direction], step: Step
    ) -> Location:
        return Location(
            old,
            new,
            mask,
            (*self.steps, step),
            _pointer_of(old, self.old_pointer, self.old_base),
            _pointer_of(new, self.new_pointer, self.new_base),
            self.old_base,
            self.new_base,
        )


def _pointer_of(children: Children, fallback: str | None, root_base: str) -> str | None:
    for piece in children:
        if piece.resolver is not None:
            return piece.where(root_base) if not piece.pointer.startswith("#") else fallback
    return fallback


def instance_path(steps: tuple[Step, ...]) -> str:
    parts: list[str] = []
    for step in steps:
        if step.kind == "prop":
            parts.append(("." if parts else "") + str(step.key))
        elif step.kind == "item":
            parts.append("[]" if step.rest else f"[{step.key}]")
        else:
            parts.append("{key}")
    return "".join(parts)


@dataclass
class Hit:
    rule: Rule[Any]
    finding: Finding
    breaks: frozenset[Direction]
    location: Location
    old: Simple | Node | None = None
    new: Simple | Node | None = None


class _Broken(Exception):
    """A dry walk found a break: the inclusion it was asked about does not hold."""


@dataclass
class Comparison:
    """State shared by every walk of one diff: normaliser, policy, inclusion memo."""

    normalizer: Normalizer
    strip: bool
    memo: dict[tuple[Any, ...], bool] = field(default_factory=dict)
    depth: int = 0
    string_piece: Piece = field(
        default_factory=lambda: Piece(_STRING_KEYS, None, "", "", Dialect.DRAFT7)
    )

    ref_free_ids: dict[int, bool] = field(default_factory=dict)

    def node(self, children: Children) -> Node:
        return self.normalizer.node(children)

    def surely_equal(self, old: Children, new: Children) -> bool:
        """Equal JSON without refs (and one dialect) means equal meaning: nothing to walk."""
        if len(old) != 1 or len(new) != 1:
            return False
        old_piece, new_piece = old[0], new[0]
        if old_piece.schema is new_piece.schema:
            return True
        return (
            old_piece.dialect is new_piece.dialect
            and old_piece.schema == new_piece.schema
            and self._ref_free(old_piece.schema)
        )

    def _ref_free(self, value: Any) -> bool:
        if not isinstance(value, (dict, list)):
            return True
        key = id(value)
        known = self.ref_free_ids.get(key)
        if known is None:
            # C-speed serialisation beats a Python walk; "$ref" in a string value only
            # makes this conservative (the subtree is then walked).
            known = '"$ref"' not in json.dumps(value)
            self.ref_free_ids[key] = known
        return known

    def includes(self, writer: Children, reader: Children, direction: Direction) -> bool:
        """Whether every value of ``writer`` is accepted by ``reader`` (as far as the rules see)."""
        key = ("c", children_key(writer), children_key(reader), direction)
        old, new = (writer, reader) if direction is NR else (reader, writer)
        return self._dry(
            key, lambda walker: walker.walk(Location(old, new, frozenset({direction})))
        )

    def includes_simple(self, writer: Simple, reader: Simple, direction: Direction) -> bool:
        key = ("s", writer.key, reader.key, direction)
        old, new = (writer, reader) if direction is NR else (reader, writer)
        location = Location(old.pieces, new.pieces, frozenset({direction}))
        return self._dry(key, lambda walker: walker.walk_simple(old, new, location))

    def _dry(self, key: tuple[Any, ...], run: Any) -> bool:
        if key in self.memo:
            return self.memo[key]
        if self.depth >= _MAX_DRY_DEPTH:
            return False
        self.memo[key] = True  # assumed while in progress: recursion is coinductive
        self.depth += 1
        try:
            run(Walker(self, report=False))
            result = True
        except _Broken:
            result = False
        finally:
            self.depth -= 1
        self.memo[key] = result
        return result


class Walker:
    def __init__(self, comparison: Comparison, *, report: bool) -> None:
        self.comparison = comparison
        self.normalizer = comparison.normalizer
        self.strip = comparison.strip
        self.report = report
        self.visited: set[tuple[Any, ...]] = set()
        self.stack: deque[Location] = deque()
        self.hits: list[Hit] = []
        self.sub_depth = 0

    # -- entry points -------------------------------------------------------------------
    def walk(self, location: Location) -> list[Hit]:
        self.stack.append(location)
        self._drain()
        return self.hits

    def walk_simple(self, old: Simple, new: Simple, location: Location) -> list[Hit]:
        self._compare_simple(old, new, location)
        self._drain()
        return self.hits

    # -- the loop -------------------------------------------------------------------------
    def _drain(self) -> None:
        while self.stack:
            location = self.stack.popleft()  # breadth first: shortest paths are reported
            key = (children_key(location.old), children_key(location.new), location.mask)
            if key in self.visited:
                continue
            self.visited.add(key)
            self._compare(location)

    def _compare(self, location: Location) -> None:
        if self.comparison.surely_equal(location.old, location.new):
            return
        old = self.normalizer.node(location.old)
        new = self.normalizer.node(location.new)
        # Many places (each "$ref": "#" of a recursive schema) expand to one node pair.
        node_key = ("node", old.key, new.key, location.mask)
        if node_key in self.visited:
            return
        self.visited.add(node_key)
        if old.too_complex or new.too_complex:
            old_text = canonical([p.schema for p in location.old])
            if old_text != canonical([p.schema for p in location.new]):
                finding = Finding("a combination too large to expand changed (compared as text)")
                self._hit(RULES[SCHEMA_TOO_COMPLEX], finding, location, old, new)
            return
        node_pair = NodePair(old, new, self.strip, self.comparison)
        for rule in _NODE_RULES:
            if not self.report and not rule.breaks:
                continue
            for finding in rule.findings(node_pair):
                self._hit(rule, finding, location, old, new)
        old_types, new_types = old.by_type(), new.by_type()
        for type_name in TYPES:
            if type_name in old_types and type_name in new_types:
                self._compare_type(old_types[type_name], new_types[type_name], location)

    def _compare_type(self, olds: list[Simple], news: list[Simple], location: Location) -> None:
        if len(olds) == 1 and len(news) == 1:
            self._compare_simple(olds[0], news[0], location)
            return
        pairs, lone_old, lone_new, tagged = pair_variants(olds, news, self.normalizer)
        for old, new in pairs:
            if tagged or self.sub_depth >= _MAX_SUBWALK_DEPTH:
                self._compare_simple(old, new, location)
            else:
                self._compare_member(old, new, olds, news, location)
        for direction, lone, readers in (
            (NR, lone_old, news),
            (Direction.OLD_READERS, lone_new, olds),
        ):
            if direction not in location.mask:
                continue
            rule = RULES[VARIANT_REMOVED if direction is NR else VARIANT_ADDED]
            for writer in lone:
                covered = any(
                    self.comparison.includes_simple(writer, reader, direction) for reader in readers
                )
                context = VariantContext(writer, readers, covered)
                for finding in rule.findings(context):
                    old_side = writer if direction is NR else None
                    new_side = writer if direction is not NR else None
                    self._hit(rule, finding, location, old_side, new_side)

    def _compare_member(
        self,
        old: Simple,
        new: Simple,
        olds: list[Simple],
        news: list[Simple],
        location: Location,
    ) -> None:
        """Compare two paired members; a break another reader member covers is no break."""
        saved_stack, saved_hits = self.stack, self.hits
        self.stack, self.hits = deque(), []
        self.sub_depth += 1
        try:
            self._compare_simple(old, new, location)
            self._drain()
            found = self.hits
        finally:
            self.sub_depth -= 1
            self.stack, self.hits = saved_stack, saved_hits
        for direction in location.mask:
            if not any(direction in hit.breaks for hit in found):
                continue
            writer = old if direction is NR else new
            partner = new if direction is NR else old
            others = [r for r in (news if direction is NR else olds) if r is not partner]
            if any(self.comparison.includes_simple(writer, r, direction) for r in others):
                for hit in found:
                    hit.breaks = hit.breaks - {direction}
        self.hits.extend(h for h in found if h.breaks or not h.rule.breaks)

    def _compare_simple(self, old: Simple, new: Simple, location: Location) -> None:
        pair = Pair(old, new, self.strip, self.comparison)
        for rule in _simple_rules(old.type):
            if not self.report and not rule.breaks:
                continue
            for finding in rule.findings(pair):
                self._hit(rule, finding, location, old, new)
        if old.type == "object":
            self._object_children(old, new, location)
        elif old.type == "array":
            self._array_children(old, new, location)

    # -- children -----------------------------------------------------------------------
    def _object_children(self, old: Simple, new: Simple, location: Location) -> None:
        keys = list(old.properties) + [k for k in new.properties if k not in old.properties]
        keys += [key for key, _ in sample_keys(old, new)]
        for key in keys:
            old_schema, old_source = old.schema_for_key(key)
            new_schema, new_source = new.schema_for_key(key)
            directions = set()
            for direction in location.mask:
                if direction is NR:
                    writer, writer_source = old_schema, old_source
                    reader, reader_source = new.schema_for_key(key, strip=self.strip)
                else:
                    writer, writer_source = new_schema, new_source
                    reader, reader_source = old.schema_for_key(key, strip=self.strip)
                if KeySource.OPEN in (writer_source, reader_source) or is_forbidden(writer):
                    continue
                if is_forbidden(reader) or is_any(reader):
                    continue
                directions.add(direction)
            if directions:
                step = Step("prop", key, old, new)
                self.stack.append(
                    location.child(old_schema, new_schema, frozenset(directions), step)
                )
        if old.property_names or new.property_names:
            string = (self.comparison.string_piece,)
            step = Step("key", "", old, new)
            self.stack.append(
                location.child(
                    string + old.property_names, string + new.property_names, location.mask, step
                )
            )

    def _array_children(self, old: Simple, new: Simple, location: Location) -> None:
        count = max(len(old.prefix), len(new.prefix))
        for index in range(count + 1):
            old_items, new_items = old.item_schema(index), new.item_schema(index)
            directions = set()
            for direction in location.mask:
                writer_simple = old if direction is NR else new
                writer, reader = (
                    (old_items, new_items) if direction is NR else (new_items, old_items)
                )
                if writer_simple.max_items is not None and index >= writer_simple.max_items:
                    continue
                if is_forbidden(writer) or is_any(writer) or is_any(reader) or is_forbidden(reader):
                    continue
                directions.add(direction)
            if directions:
                step = Step("item", index, old, new, rest=index == count)
                self.stack.append(location.child(old_items, new_items, frozenset(directions), step))

    # -- reporting --------------------------------------------------------------------------
    def _hit(
        self,
        rule: Rule[Any],
        finding: Finding,
        location: Location,
        old: Simple | Node | None,
        new: Simple | Node | None,
    ) -> None:
        own = finding.breaks if finding.breaks is not None else rule.breaks
        breaks = own & location.mask
        if own and not breaks:
            return
        if not self.report:
            if breaks:
                raise _Broken
            return
        if not own and location.mask != BOTH:
            return
        self.hits.append(Hit(rule, finding, breaks, location, old, new))


_NODE_RULES = rules_for(NodePair)
_SIMPLE_RULES: dict[str, list[Rule[Pair]]] = {t: rules_for(Pair, t) for t in TYPES}


def _simple_rules(type_name: str) -> list[Rule[Pair]]:
    return _SIMPLE_RULES[type_name]


# -- pairing union members ------------------------------------------------------------------


def pair_variants(
    olds: list[Simple], news: list[Simple], normalizer: Normalizer
) -> tuple[list[tuple[Simple, Simple]], list[Simple], list[Simple], bool]:
    """Pair members by ``const`` tag when all have one, else by best structural match."""
    if olds[0].type == "object":
        tag = discriminator(olds, news, normalizer)
        if tag is not None:
            old_by_tag = {_tag(v, tag, normalizer): v for v in olds}
            new_by_tag = {_tag(v, tag, normalizer): v for v in news}
            pairs = [(old_by_tag[t], new_by_tag[t]) for t in old_by_tag if t in new_by_tag]
            lone_old = [v for t, v in old_by_tag.items() if t not in new_by_tag]
            lone_new = [v for t, v in new_by_tag.items() if t not in old_by_tag]
            return pairs, lone_old, lone_new, True
    scored = sorted(
        ((-_similarity(old, new), i, j) for i, old in enumerate(olds) for j, new in enumerate(news))
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for _score, i, j in scored:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((olds[i], news[j]))
    lone_old = [v for i, v in enumerate(olds) if i not in used_old]
    lone_new = [v for j, v in enumerate(news) if j not in used_new]
    return pairs, lone_old, lone_new, False


def _tag(simple: Simple, key: str, normalizer: Normalizer) -> str | None:
    children = simple.properties.get(key)
    if not children:
        return None
    node = normalizer.node(children)
    values = [v for variant in node.variants if variant.enum for v in variant.enum]
    if len(node.variants) != 1 or len(values) != 1:
        return None
    return canonical(values[0])


def discriminator(olds: list[Simple], news: list[Simple], normalizer: Normalizer) -> str | None:
    """A property every member tags with a constant, distinct within each side, if any."""
    variants = [*olds, *news]
    common = set(variants[0].properties)
    for variant in variants[1:]:
        common &= set(variant.properties)
    for key in variants[0].properties:
        if key not in common:
            continue
        usable = True
        for side in (olds, news):
            tags = [_tag(v, key, normalizer) for v in side]
            if any(t is None for t in tags) or len(set(tags)) != len(tags):
                usable = False
                break
        if usable:
            return key
    return None


def _signature(simple: Simple) -> Iterator[tuple[str, Any]]:
    yield "integer", simple.integer
    yield "enum", canonical(list(simple.enum)) if simple.enum is not None else None
    yield "length", (simple.min_length, simple.max_length)
    yield "patterns", simple.patterns
    yield "formats", simple.formats
    yield "bounds", (simple.lower, simple.upper, simple.multiple_of)
    yield "items", (simple.min_items, simple.max_items, len(simple.prefix))
    yield "required", tuple(sorted(simple.required))


def _similarity(old: Simple, new: Simple) -> float:
    if old.key == new.key:
        return 1000.0
    score = float(sum(a == b for a, b in zip(_signature(old), _signature(new), strict=True)))
    if old.type == "object":
        old_keys, new_keys = set(old.properties), set(new.properties)
        union = old_keys | new_keys
        if union:
            score += 20.0 * len(old_keys & new_keys) / len(union)
    return score
