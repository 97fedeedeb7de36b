"""Render a ``DiffReport``: text, json, markdown (PR comment), github (annotations), junit, sarif.

Pure functions from a report to a string; the CLI decides where it goes and whether
text gets colour.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from tc_contracts_py.diff.model import Bump, Change, DiffReport, GateStatus, SchemaStatus
from tc_contracts_py.diff.sarif import render_sarif

_WRITE_HINT = "--write-changeset FILE writes it"

_PAYLOAD_LIMIT = 400


class _RenderContext:
    """What some formats need beyond the report: colour for text; file paths for github and
    sarif; the files' texts for sarif's line and column."""

    def __init__(self, color: bool, files: Mapping[str, str], texts: Mapping[str, str]) -> None:
        self.color = color
        self.files = files
        self.texts = texts


def render(
    report: DiffReport,
    fmt: str,
    *,
    color: bool = False,
    files: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> str:
    return _RENDERERS[fmt](report, _RenderContext(color, files or {}, texts or {}))


def render_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def witness_text(change: Change, limit: int = _PAYLOAD_LIMIT) -> str:
    if change.witness is None:
        return ""
    text = json.dumps(change.witness.payload, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def breaks_text(change: Change) -> str:
    parts = []
    if change.breaks_new_readers:
        parts.append("new readers")
    if change.breaks_old_readers:
        parts.append("old readers")
    return " and ".join(parts) if parts else "nobody"


def _version(report: DiffReport, side: str) -> str:
    info = report.old if side == "old" else report.new
    return info.version or "?"


def _summary(report: DiffReport) -> str:
    counts = {status: 0 for status in SchemaStatus}
    for schema in report.schemas:
        counts[schema.status] += 1
    return ", ".join(f"{counts[s]} {s.value}" for s in SchemaStatus)


def _ordered(report: DiffReport) -> list[Change]:
    return sorted(
        report.changes,
        key=lambda c: (-c.bump.value, c.schema, c.path, c.rule),
    )


def _role(report: DiffReport, change: Change) -> str:
    role = next((s.role for s in report.schemas if s.name == change.schema), None)
    return f"{change.schema} ({role.value})" if role else change.schema


def _declared(report: DiffReport) -> str:
    """The declared bump and its source, e.g. ``major (from changesets .changeset/a.md)``."""
    if report.declared_bump is None:
        return f"unknown ({report.declared_by.detail})"
    return f"{report.declared_bump.label} (from {report.declared_by.detail})"


def _line_summary(report: DiffReport) -> str:
    """Which releases a transitive check compared NEW with, and why."""
    assert report.line is not None
    compared = ", ".join(report.line.versions)
    new = _version(report, "new")
    if report.line.owed:
        return f"transitive: NEW ({new}) against every release it owes: {compared}"
    return (
        f"transitive: NEW ({new}) starts a major above the line, so it owes no release; "
        f"compared with the newest, {compared}"
    )


def _verdict_line(report: DiffReport) -> str:
    return (
        f"required bump: {report.required_bump.label}; declared: {_declared(report)}; "
        f"gate: {report.gate.value}"
    )


def render_text(report: DiffReport, *, color: bool = False) -> str:
    def style(text: str, **kwargs: Any) -> str:
        if not color:
            return text
        import click

        return click.style(text, **kwargs)

    lines = [
        f"tc-schema diff {report.old.source} ({_version(report, 'old')}) -> "
        f"{report.new.source} ({_version(report, 'new')})",
        f"policy: unknown-properties={report.unknown_properties}, zero-major={report.zero_major}",
        *([_line_summary(report)] if report.line else []),
        f"schemas: {_summary(report)}",
        "",
    ]
    colours = {Bump.MAJOR: "red", Bump.MINOR: "yellow", Bump.PATCH: "cyan", Bump.NONE: "white"}
    changes = _ordered(report)
    if not changes:
        lines.append("no changes")
    for change in changes:
        label = change.bump.label.upper() if change.bump is Bump.MAJOR else change.bump.label
        head = style(f"{label:<6}", fg=colours[change.bump], bold=change.bump is Bump.MAJOR)
        waived = style(" [waived]", fg="green") if change.waived else ""
        lines.append(f"{head} {_role(report, change)}: {change.message} ({change.rule}){waived}")
        if change.breaks:
            lines.append(f"         breaks {breaks_text(change)}; {change.certainty.value}")
        if change.against:
            lines.append(f"         {change.against_label}")
        if change.witness is not None:
            lines.append(
                f"         witness (valid under {change.witness.direction.writer}, rejected by "
                f"{change.witness.direction.reader}): {witness_text(change)}"
            )
        if change.waived and change.waiver_reason:
            lines.append(f"         waiver: {change.waiver_reason}")
    lines.append("")
    for finding in report.gate_findings:
        lines.append(style(f"gate: {finding.message} ({finding.rule})", fg="red", bold=True))
    if report.suggested_changeset:
        lines.append(f"the changeset that fixes it ({_WRITE_HINT}):")
        lines += [f"  {line}" if line else "" for line in report.suggested_changeset.splitlines()]
    verdict = {
        GateStatus.PASS: style("PASS", fg="green", bold=True),
        GateStatus.FAIL: style("FAIL", fg="red", bold=True),
        GateStatus.OFF: style("OFF (--no-gate)", fg="yellow"),
    }[report.gate]
    lines.append(
        f"required bump: {report.required_bump.label}; declared: {_declared(report)}; "
        f"gate: {verdict}"
    )
    return "\n".join(lines) + "\n"


# What CommonMark reads as the start of raw HTML: a tag, a closing tag, a comment, a directive.
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


def md_text(text: str) -> str:
    """Schema text for a markdown line or table cell. A property named ``<script>`` or a
    description with a tag would otherwise be raw HTML in the rendered comment or release."""
    return _HTML_START.sub("&lt;", text.replace("|", "\\|").replace("\n", " "))


def render_markdown(report: DiffReport) -> str:
    icon = {GateStatus.PASS: "✅", GateStatus.FAIL: "❌", GateStatus.OFF: "⚪"}[report.gate]
    lines = [
        f"## {icon} tc-schema diff: gate {report.gate.value}",
        "",
        f"`{_version(report, 'old')}` → `{_version(report, 'new')}` · required bump "
        f"**{report.required_bump.label}** · declared **{md_text(_declared(report))}** · "
        f"unknown properties `{report.unknown_properties}` · zero-major `{report.zero_major}`",
        "",
        *([md_text(_line_summary(report)) + ".", ""] if report.line else []),
        f"Schemas: {_summary(report)}.",
        "",
    ]
    for finding in report.gate_findings:
        lines.append(f"> **{finding.rule}**: {md_text(finding.message)}")
    if report.gate_findings:
        lines.append("")
    if report.suggested_changeset:
        lines += [f"The changeset that fixes it (`{_WRITE_HINT}`):", "", "```md"]
        lines += [*report.suggested_changeset.splitlines(), "```", ""]
    roles = {s.name: s.role.value for s in report.schemas}
    changes = _ordered(report)
    if changes:
        against = " against |" if report.line else ""
        lines += [
            f"| bump | schema | role | change | breaks | certainty | rule |{against}",
            "|---|---|---|---|---|---|---|" + ("---|" if report.line else ""),
        ]
        for change in changes:
            bump = f"**{change.bump.label}**" if change.bump is Bump.MAJOR else change.bump.label
            if change.waived:
                bump += " (waived)"
            releases = f" {', '.join(change.against)} |" if report.line else ""
            lines.append(
                f"| {bump} | `{change.schema}` | {roles.get(change.schema, '')} | "
                f"{md_text(change.message)} | {breaks_text(change)} | "
                f"{change.certainty.value if change.breaks else ''} | `{change.rule}` |{releases}"
            )
        witnessed = [c for c in changes if c.witness is not None]
        if witnessed:
            lines += ["", "<details><summary>Witness payloads</summary>", ""]
            for change in witnessed:
                assert change.witness is not None
                lines.append(
                    f"- `{change.schema}` {md_text(change.message)}: valid under "
                    f"{change.witness.direction.writer}, rejected by {change.witness.direction.reader}"
                )
                lines.append("")
                lines.append("  ```json")
                lines.append("  " + witness_text(change, 2000))
                lines.append("  ```")
            lines += ["", "</details>"]
    else:
        lines.append("No changes.")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_level(report: DiffReport, change: Change) -> str:
    if report.blocks(change):
        return "error"
    if change.bump is Bump.MAJOR and (change.waived or report.gate is GateStatus.OFF):
        return "warning"
    return "notice"


def render_github(report: DiffReport, files: Mapping[str, str]) -> str:
    """GitHub workflow commands: ``::error`` exactly for what fails the gate, notices for the
    rest (breaks a declared major allows included), warnings for waived or ungated breaks."""
    lines: list[str] = []
    for change in _ordered(report):
        properties = []
        if change.schema in files:
            properties.append(f"file={_escape_property(files[change.schema])}")
        properties.append(f"title={_escape_property(f'{change.schema}: {change.rule}')}")
        message = change.message
        if change.against:
            message += f" ({change.against_label})"
        if change.witness is not None:
            message += (
                f"\nwitness (valid under {change.witness.direction.writer}): {witness_text(change)}"
            )
        level = _github_level(report, change)
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(message)}")
    for finding in report.gate_findings:
        title = _escape_property(f"semver gate: {finding.rule}")
        lines.append(f"::error title={title}::{_escape_data(finding.message)}")
    if report.suggested_changeset:
        title = _escape_property("semver gate: the changeset that fixes it")
        lines.append(f"::notice title={title}::{_escape_data(report.suggested_changeset)}")
    summary = f"tc-schema diff: {_verdict_line(report)}"
    lines.append(f"::notice title=tc-schema diff::{_escape_data(summary)}")
    return "\n".join(lines) + "\n"


def _against(change: Change) -> str:
    return f" ({change.against_label})" if change.against else ""


def render_junit(report: DiffReport) -> str:
    """A test case per schema, failed exactly by its changes that fail the gate, and one for
    the gate itself; allowed changes are the passing cases' output."""
    suite = ET.Element("testsuite", name="tc-schema diff")
    failures = 0
    for schema in report.schemas:
        case = ET.SubElement(suite, "testcase", classname="tc-schema.diff", name=schema.name)
        mine = [c for c in _ordered(report) if c.schema == schema.name]
        blocking = [c for c in mine if report.blocks(c)]
        if blocking:
            failures += 1
            top = max((c.counted_bump for c in blocking), key=lambda b: b.value)
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(blocking)} change(s) in {schema.name} ({schema.role.value}) "
                f"require a {top.label} bump",
                type="breaking-change",
            )
            failure.text = "\n".join(
                f"{c.rule}: {c.message}{_against(c)}"
                + (f"\n  witness: {witness_text(c)}" if c.witness else "")
                for c in blocking
            )
        others = [c for c in mine if c not in blocking]
        if others:
            output = ET.SubElement(case, "system-out")
            output.text = "\n".join(
                f"{c.bump.label} {c.rule}: {c.message}{_against(c)}"
                + (" (waived)" if c.waived else "")
                for c in others
            )
    gate_case = ET.SubElement(suite, "testcase", classname="tc-schema.diff", name="semver gate")
    if report.gate is GateStatus.FAIL:
        failures += 1
        failure = ET.SubElement(
            gate_case, "failure", message="semver gate failed", type="semver-gate"
        )
        text = [f"{f.rule}: {f.message}" for f in report.gate_findings]
        if report.suggested_changeset:
            text += [f"the changeset that fixes it ({_WRITE_HINT}):", report.suggested_changeset]
        failure.text = "\n".join(text)
    elif report.gate is GateStatus.OFF:
        ET.SubElement(gate_case, "skipped", message="--no-gate")
    ET.SubElement(gate_case, "system-out").text = _verdict_line(report)
    suite.set("tests", str(len(report.schemas) + 1))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )


_RENDERERS: dict[str, Callable[[DiffReport, _RenderContext], str]] = {
    "text": lambda report, context: render_text(report, color=context.color),
    "json": lambda report, _context: render_json(report),
    "markdown": lambda report, _context: render_markdown(report),
    "github": lambda report, context: render_github(report, context.files),
    "junit": lambda report, _context: render_junit(report),
    "sarif": lambda report, context: render_sarif(report, context.files, context.texts),
}
FORMATS = tuple(_RENDERERS)
