"""Render an ``Impact``: text (terminal), markdown (a PR body), json. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Callable

from tc_contracts_py.diff.impact import Exposure, Impact, SchemaImpact
from tc_contracts_py.diff.model import SchemaStatus
from tc_contracts_py.diff.report import witness_text

_AS = {Exposure.READS: "a reader", Exposure.WRITES: "a writer"}


def _side(source: str, version: str | None) -> str:
    return version or source


def _verdict(schema: SchemaImpact) -> str:
    if schema.status is SchemaStatus.UNCHANGED:
        return "unchanged"
    if schema.status is SchemaStatus.ADDED:
        return "new in this release"
    if schema.status is SchemaStatus.REMOVED:
        return "removed: the regenerated models no longer have it"
    if schema.breaking:
        ways = " and ".join(_AS[e] for e in sorted(schema.breaks))
        return f"breaks this service as {ways} until its models are regenerated"
    return "compatible with this service"


def _headline(impact: Impact) -> str:
    used, changed, breaking = len(impact.schemas), len(impact.changed), len(impact.breaking)
    head = (
        f"contracts {_side(impact.old_source, impact.old_version)} -> "
        f"{_side(impact.new_source, impact.new_version)}: "
        f"{changed} of the {used} schemas this service uses changed"
    )
    return head + (f", {breaking} break it" if breaking else ", none breaks it")


def render_impact_text(impact: Impact) -> str:
    lines = [_headline(impact)]
    for schema in impact.changed:
        lines.append(f"  {schema.name} ({schema.role.value}): {_verdict(schema)}")
        for item in schema.changes:
            change = item.change
            mark = "BREAKS " if item.breaks else ""
            where = f" at {change.path}" if change.path else ""
            lines.append(f"    - {mark}{change.message}{where} ({change.rule})")
            if change.witness is not None and item.breaks:
                lines.append(
                    f"      witness (valid under {change.witness.direction.writer}, rejected by "
                    f"{change.witness.direction.reader}): {witness_text(change)}"
                )
    unchanged = [s.name for s in impact.schemas if s.status is SchemaStatus.UNCHANGED]
    if unchanged:
        lines.append(f"  unchanged: {', '.join(unchanged)}")
    if impact.missing:
        lines.append(f"  in neither release: {', '.join(impact.missing)}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_impact_markdown(impact: Impact) -> str:
    old = _side(impact.old_source, impact.old_version)
    new = _side(impact.new_source, impact.new_version)
    icon = "❌" if impact.breaking else "✅"
    lines = [
        f"### {icon} Contracts {old} → {new}",
        "",
        _headline(impact).split(": ", 1)[1].capitalize() + ".",
        "",
        "| schema | role | status | for this service |",
        "| --- | --- | --- | --- |",
    ]
    for schema in impact.schemas:
        verdict = _verdict(schema)
        if schema.breaking:
            verdict = f"**{verdict}**"
        lines.append(
            f"| `{schema.name}` | {schema.role.value} | {schema.status.value} | {_md(verdict)} |"
        )
    for schema in impact.changed:
        if not schema.changes:
            continue
        lines += ["", f"<details><summary><code>{schema.name}</code></summary>", ""]
        for item in schema.changes:
            change = item.change
            mark = "**breaks** " if item.breaks else ""
            where = f" at `{change.path}`" if change.path else ""
            lines.append(f"- {mark}{_md(change.message)}{where} (`{change.rule}`)")
            if change.witness is not None and item.breaks:
                lines += [
                    f"  witness, valid under {change.witness.direction.writer} and rejected by "
                    f"{change.witness.direction.reader}:",
                    "  ```json",
                    f"  {witness_text(change)}",
                    "  ```",
                ]
        lines += ["", "</details>"]
    if impact.missing:
        lines += ["", f"In neither release: {', '.join(f'`{n}`' for n in impact.missing)}."]
    return "\n".join(lines) + "\n"


def render_impact_json(impact: Impact) -> str:
    return json.dumps(impact.to_json(), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Impact], str]] = {
    "text": render_impact_text,
    "markdown": render_impact_markdown,
    "json": render_impact_json,
}
IMPACT_FORMATS = tuple(RENDERERS)


def render_impact(impact: Impact, fmt: str = "text") -> str:
    return RENDERERS[fmt](impact)
