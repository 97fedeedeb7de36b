"""Precision and recall of the diff's directions, on the real-Zod fixtures and the case folders.

For every reported change and every direction it breaks, a witness for that direction is
asked for (the engine proves the direction a schema's role cares about first, so each
set is diffed twice: every schema a request, then every schema a response) and checked
independently with plain jsonschema validators (``tests/diff/helpers.check_witnesses``'
reading: writer literally, reader relaxed under ``strip``), and it must be rejected at
the change's place (error paths at or under its instance path).

- precision per direction: directions with such a witness / directions reported;
- recall per direction on the case folders: expected (rule, place, direction) reported /
  expected; on the fixtures: the breaking changes ``expected-changes.json`` lists, found
  as a major change of that schema at that path / listed.

Run: ``python benchmarks/bench_diff_precision.py`` (``--min-precision 0.95`` exits 1 below).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tc_contracts_py.diff import Bump, DiffPolicy, DiffReport, diff_schema_sets  # noqa: E402
from tc_contracts_py.diff.model import Change, Direction, Role  # noqa: E402
from tc_contracts_py.schemaset import SchemaSet, load_directory  # noqa: E402
from tests.diff.helpers import (  # noqa: E402
    BYSTANDER,
    CASES,
    SUBJECT,
    policy_from,
    relaxed_copy,
    schema_set,
)

FIXTURES = ROOT / "fixtures"
FLAVOURS = ("zod-to-json-schema", "zod4")


@dataclass
class Tally:
    reported: dict[Direction, int] = field(default_factory=lambda: dict.fromkeys(Direction, 0))
    proven: dict[Direction, int] = field(default_factory=lambda: dict.fromkeys(Direction, 0))
    expected: dict[Direction, int] = field(default_factory=lambda: dict.fromkeys(Direction, 0))
    found: dict[Direction, int] = field(default_factory=lambda: dict.fromkeys(Direction, 0))
    unproven: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def _validator(schema_set: SchemaSet, name: str, relaxed: bool) -> Any:
    import jsonschema
    from referencing import Registry, Resource

    resources = [
        (
            s.uri,
            Resource.from_contents(
                relaxed_copy(s.document) if relaxed else s.document,
                default_specification=s.dialect.specification,
            ),
        )
        for s in schema_set
    ]
    schema = schema_set[name]
    document = relaxed_copy(schema.document) if relaxed else schema.document
    return schema.dialect.validator_class(
        document,
        registry=Registry().with_resources(resources).crawl(),
        format_checker=jsonschema.FormatChecker(),
    )


def _path_of(change: Change) -> list[str]:
    """The instance path of a change, as keys (``[]`` items are any index)."""
    parts: list[str] = []
    for piece in change.path.replace("[", ".[").split("."):
        if piece:
            parts.append(piece)
    return parts


def _rejected_here(errors: list[Any], change: Change) -> bool:
    path = _path_of(change)
    for error in errors:
        at = [f"[{p}]" if isinstance(p, int) else str(p) for p in error.absolute_path]
        matches = len(at) >= len(path) and all(
            want in ("[]", got) or (want.startswith("[") and got.startswith("["))
            for want, got in zip(path, at[: len(path)], strict=True)
        )
        if matches or (at == path[: len(at)] and error.context):
            return True
    return False


def _witness_holds(change: Change, old: SchemaSet, new: SchemaSet, strip: bool) -> bool:
    if change.witness is None:
        return False
    if change.rule == "schema-removed":
        return True  # no reader is left: the removal itself is the proof
    writer_set, reader_set = (old, new) if change.witness.direction.writer == "old" else (new, old)
    payload = change.witness.payload
    if not _validator(writer_set, change.schema, False).is_valid(payload):
        return False
    errors = list(_validator(reader_set, change.schema, strip).iter_errors(payload))
    return bool(errors) and _rejected_here(errors, change)


def _each_direction(
    old: SchemaSet, new: SchemaSet, policy: DiffPolicy
) -> tuple[DiffReport, dict[tuple[str, Direction], Change]]:
    """The report, and per (fingerprint, direction) the change proving that direction first."""
    by_direction: dict[tuple[str, Direction], Change] = {}
    report = None
    for role in (Role.REQUEST, Role.RESPONSE):
        forced = replace(policy, roles=((role, ("*",)),), gate=False)
        found = diff_schema_sets(old, new, forced)
        report = report or found
        for change in found.changes:
            for direction in change.breaks:
                if change.witness is not None and change.witness.direction is direction:
                    by_direction[(change.fingerprint, direction)] = change
    assert report is not None
    return report, by_direction


def _precision(
    tally: Tally, old: SchemaSet, new: SchemaSet, policy: DiffPolicy, where: str
) -> DiffReport:
    report, by_direction = _each_direction(old, new, policy)
    for change in report.changes:
        for direction in change.breaks:
            tally.reported[direction] += 1
            proving = by_direction.get((change.fingerprint, direction))
            if proving is not None and _witness_holds(proving, old, new, policy.strip):
                tally.proven[direction] += 1
            else:
                tally.unproven.append(f"{where}: {change.rule} {change.path} {direction.value}")
    return report


def cases(tally: Tally) -> None:
    for expected_file in sorted(CASES.rglob("expected.json")):
        folder = expected_file.parent
        expected = json.loads(expected_file.read_text())
        old_doc = json.loads((folder / "old.json").read_text())
        new_doc = json.loads((folder / "new.json").read_text())
        name = expected["options"].get("name", SUBJECT)
        old = schema_set(
            {"Bystander": BYSTANDER, **({name: old_doc} if old_doc is not None else {})}
        )
        new = schema_set(
            {"Bystander": BYSTANDER, **({name: new_doc} if new_doc is not None else {})}
        )
        policy = policy_from(expected["options"])
        where = str(folder.relative_to(CASES))
        report = _precision(tally, old, new, policy, where)
        reported = {
            (c.rule, c.path, c.old_pointer, c.new_pointer, d)
            for c in report.changes
            for d in c.breaks
        }
        for change in expected["changes"]:
            for direction, flag in (
                (Direction.NEW_READERS, "breaks_new_readers"),
                (Direction.OLD_READERS, "breaks_old_readers"),
            ):
                if not change[flag]:
                    continue
                tally.expected[direction] += 1
                key = (
                    change["rule"],
                    change["path"],
                    change["old_pointer"],
                    change["new_pointer"],
                    direction,
                )
                if key in reported:
                    tally.found[direction] += 1
                else:
                    tally.missed.append(f"{where}: {change['rule']} {direction.value}")


def fixtures(flavour: str, tally: Tally) -> tuple[int, int]:
    listed = json.loads((FIXTURES / "expected-changes.json").read_text())
    breaking = found = 0
    for pair in listed["pairs"]:
        old = load_directory(FIXTURES / "schemas" / flavour / pair["from"])
        new = load_directory(FIXTURES / "schemas" / flavour / pair["to"])
        report = _precision(
            tally, old, new, DiffPolicy(), f"{flavour} {pair['from']}->{pair['to']}"
        )
        # the role-aware report, for the bump each listed change must force
        gated = diff_schema_sets(old, new, DiffPolicy())
        for change in pair["changes"]:
            if not change["breaking"]:
                continue
            breaking += 1
            hit = any(
                c.schema == change["schema"]
                and c.bump is Bump.MAJOR
                and (
                    c.path == change["path"]
                    or f"'{change['path'].rsplit('.', 1)[-1]}'" in c.message
                )
                for c in gated.changes
            )
            found += int(hit)
            if not hit:
                tally.missed.append(
                    f"{flavour} {pair['from']}->{pair['to']}: {change['schema']} {change['path']}"
                )
        del report
    return found, breaking


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a (0/0)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min-precision", type=float, default=None)
    args = parser.parse_args()
    worst = 1.0
    for label, run in [
        ("case folders", lambda t: (cases(t), None)[1]),
        *[(f"fixtures {f}", lambda t, f=f: fixtures(f, t)) for f in FLAVOURS],
    ]:
        tally = Tally()
        recall = run(tally)
        print(f"{label}:")
        for direction in Direction:
            precision = _ratio(tally.proven[direction], tally.reported[direction])
            if tally.reported[direction]:
                worst = min(worst, tally.proven[direction] / tally.reported[direction])
            line = f"  {direction.value:12} precision {precision}"
            if recall is None:
                line += f", recall {_ratio(tally.found[direction], tally.expected[direction])}"
            print(line)
        if recall is not None:
            print(
                f"  breaking changes listed in expected-changes.json found major: {_ratio(*recall)}"
            )
        for line in tally.unproven:
            print(f"    not proven: {line}")
        for line in tally.missed:
            print(f"    missed: {line}")
    if args.min_precision is not None and worst < args.min_precision:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
