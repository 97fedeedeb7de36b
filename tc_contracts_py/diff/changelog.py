"""Release notes: every change of one or more releases, grouped by schema. No I/O.

A ``Changelog`` is built from ungated ``DiffReport``s (one per consecutive release pair,
newest first); it keeps every change the engine reports, additive ones (schema added,
optional property added, enum widened, description changed) as well as breaking ones,
with the bump each requires and its witness. ``render_changelog`` writes it as markdown
(a GitHub release body, a Changesets entry, a PR body), JSON (``format_version: 1``) or
one self-contained HTML page. ``release_pairs`` picks the pairs of a tag history.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tc_contracts_py.diff.model import (
    FORMAT_VERSION,
    Bump,
    Change,
    DiffReport,
    Role,
    SchemaStatus,
    SideInfo,
)
from tc_contracts_py.diff.report import breaks_text, md_text, witness_text
from tc_contracts_py.diff.rules import SCHEMA_ADDED
from tc_contracts_py.errors import ConfigError
from tc_contracts_py.source_spec import releases_among

__all__ = [
    "FORMATS",
    "Changelog",
    "ReleaseNotes",
    "SchemaNotes",
    "release_notes",
    "release_pairs",
    "render_changelog",
]

# A witness is evidence a reader wants to see whole; past this it is cut, marked with "...".
_WITNESS_LIMIT = 2000


@dataclass(frozen=True)
class SchemaNotes:
    """One schema's changes in one release, the highest bump first."""

    name: str
    role: Role
    status: SchemaStatus
    bump: Bump
    changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "status": self.status.value,
            "bump": self.bump.label,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class ReleaseNotes:
    """What one release changed relative to the one before it."""

    old: SideInfo
    new: SideInfo
    required_bump: Bump
    schemas: tuple[SchemaNotes, ...]  # the schemas added, removed or changed
    unchanged: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.new.version or self.new.source

    @property
    def previous(self) -> str:
        return self.old.version or self.old.source

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in SchemaStatus}
        for schema in self.schemas:
            counts[schema.status.value] += 1
        counts[SchemaStatus.UNCHANGED.value] = len(self.unchanged)
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "required_bump": self.required_bump.label,
            "counts": self.counts(),
            "schemas": [s.to_json() for s in self.schemas],
            "unchanged": list(self.unchanged),
        }


@dataclass(frozen=True)
class Changelog:
    releases: tuple[ReleaseNotes, ...]  # newest first

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "releases": [r.to_json() for r in self.releases],
        }


def release_notes(report: DiffReport) -> ReleaseNotes:
    """The notes of the release ``report`` compares with its predecessor."""
    by_schema: dict[str, list[Change]] = {}
    for change in report.changes:
        by_schema.setdefault(change.schema, []).append(change)
    notes: list[SchemaNotes] = []
    unchanged: list[str] = []
    for result in report.schemas:
        changes = by_schema.get(result.name, [])
        if result.status is SchemaStatus.UNCHANGED or not changes:
            unchanged.append(result.name)
            continue
        ordered = sorted(changes, key=lambda c: (-c.bump.value, c.path, c.rule, c.message))
        bump = max((c.counted_bump for c in changes), key=lambda b: b.value)
        notes.append(SchemaNotes(result.name, result.role, result.status, bump, tuple(ordered)))
    notes.sort(key=lambda s: (-s.bump.value, s.name))
    return ReleaseNotes(
        old=report.old,
        new=report.new,
        required_bump=report.required_bump,
        schemas=tuple(notes),
        unchanged=tuple(sorted(unchanged)),
    )


def release_pairs(tags: Iterable[str], since: str) -> list[tuple[str, str]]:
    """Consecutive ``(older, newer)`` release tags from ``since`` on, the newest pair first.

    Tags are ordered by semantic version, not by name (``1.10.0`` after ``1.9.0``). Only
    tags spelt like ``since`` take part (``contracts-v1.0.0`` keeps ``contracts-v*``, so a
    repository's other tag families stay out); prereleases are not releases and are left out.
    """
    available = list(tags)
    base = releases_among([since])
    if not base:
        raise ConfigError(
            f"--since-tag {since}: no semantic version (X.Y.Z) in the tag, or a prerelease"
        )
    if since not in available:
        raise ConfigError(f"--since-tag {since}: no such tag")
    family = since[: -len(str(base[0].version))]
    spelt_alike = [
        tag
        for tag in available
        if tag.startswith(family) and _VERSION.fullmatch(tag[len(family) :])
    ]
    releases = [r for r in releases_among(spelt_alike) if r.version >= base[0].version]
    return [(older.tag, newer.tag) for older, newer in itertools.pairwise(releases)][::-1]


_VERSION = re.compile(r"\d+\.\d+\.\d+")


# ---------------------------------------------------------------- markdown


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text`` (a payload may hold some)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _code(text: str) -> str:
    """``text`` as a markdown code span: raw HTML means nothing there, backticks do."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _only_added(schema: SchemaNotes) -> bool:
    """An added schema has one change, ``schema-added``: its heading says it all."""
    return schema.status is SchemaStatus.ADDED and all(
        c.rule == SCHEMA_ADDED for c in schema.changes
    )


def _bump_md(bump: Bump) -> str:
    return f"**{bump.label}**" if bump is Bump.MAJOR else bump.label


def _change_md(change: Change, notes: ReleaseNotes) -> list[str]:
    line = f"- {_bump_md(change.bump)}: {md_text(change.message)}"
    if change.breaks:
        line += f"; breaks {breaks_text(change)} ({change.certainty.value})"
    if change.waived:
        line += " (waived" + (f": {md_text(change.waiver_reason)}" if change.waiver_reason else "")
        line += ")"
    lines = [f"{line} {_code(change.rule)}"]
    if change.witness is not None:
        payload = witness_text(change, _WITNESS_LIMIT)
        fence = _fence(payload)
        valid, rejected = _sides(change, notes)
        lines += [
            f"  <details><summary>witness: valid under {md_text(valid)}, "
            f"rejected by {md_text(rejected)}</summary>",
            "",
            f"  {fence}json",
            f"  {payload}",
            f"  {fence}",
            "",
            "  </details>",
        ]
    return lines


def _sides(change: Change, notes: ReleaseNotes) -> tuple[str, str]:
    """The releases a witness is valid under and rejected by, by version when known."""
    assert change.witness is not None
    names = {"old": notes.previous, "new": notes.title}
    return names[change.witness.direction.writer], names[change.witness.direction.reader]


def _counts_text(notes: ReleaseNotes) -> str:
    return ", ".join(f"{n} {status}" for status, n in notes.counts().items())


def render_markdown(changelog: Changelog) -> str:
    if not changelog.releases:
        return "No releases to describe.\n"
    lines: list[str] = []
    for notes in changelog.releases:
        lines += [
            f"## {md_text(notes.title)}",
            "",
            f"Changes since {_code(notes.previous)}: required bump "
            f"{_bump_md(notes.required_bump)}; schemas: {_counts_text(notes)}.",
            "",
        ]
        added = [schema for schema in notes.schemas if _only_added(schema)]
        for schema in notes.schemas:
            if schema in added:
                continue
            status = "" if schema.status is SchemaStatus.CHANGED else f", {schema.status.value}"
            lines += [
                f"### {_code(schema.name)} ({schema.role.value}{status}): {_bump_md(schema.bump)}",
                "",
            ]
            for change in schema.changes:
                lines += _change_md(change, notes)
            lines.append("")
        if added:
            lines += [f"### Schemas added: {_bump_md(Bump.MINOR)}", ""]
            lines += [f"- {_code(s.name)} ({s.role.value})" for s in added]
            lines.append("")
        if not notes.schemas:
            lines += ["No changes.", ""]
        if notes.unchanged:
            unchanged = ", ".join(_code(name) for name in notes.unchanged)
            lines += [f"Unchanged: {unchanged}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- json


def render_json(changelog: Changelog) -> str:
    return json.dumps(changelog.to_json(), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- html

_CSS = """
:root { color-scheme: light; --major: #b91c1c; --minor: #a16207; --patch: #0369a1;
  --none: #6b7280; --line: #e5e7eb; --muted: #4b5563; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8fafc; color: #111827;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
nav ol { padding-left: 1.25rem; margin: .5rem 0 1.5rem; }
a { color: #1d4ed8; }
section.release { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 1.25rem 1.5rem; margin: 1.5rem 0; }
section.release > h2 { margin: 0 0 .25rem; font-size: 1.35rem; }
p.meta { margin: 0 0 1rem; color: var(--muted); }
article.schema { border-top: 1px solid var(--line); padding: .75rem 0 .5rem; }
article.schema > h3 { margin: 0 0 .5rem; font-size: 1.05rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: .9em; }
.badge { display: inline-block; min-width: 4.2em; text-align: center; border-radius: 999px;
  padding: .05rem .6rem; color: #fff; font-weight: 600; font-size: .8rem; }
.badge.major { background: var(--major); }
.badge.minor { background: var(--minor); }
.badge.patch { background: var(--patch); }
.badge.none { background: var(--none); }
.role, .status { color: var(--muted); font-weight: 400; font-size: .9rem; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; }
col.bump { width: 6.5rem; } col.breaks { width: 13rem; } col.rule { width: 16rem; }
tbody tr:last-child td { border-bottom: 0; }
details { margin-top: .35rem; }
summary { cursor: pointer; color: var(--muted); }
pre { background: #f3f4f6; border-radius: 6px; padding: .5rem .75rem; margin: .35rem 0 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.unchanged { color: var(--muted); margin: .75rem 0 0; }
.waived { color: #15803d; font-weight: 600; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _badge(bump: Bump) -> str:
    return f'<span class="badge {bump.label}">{bump.label}</span>'


def _anchor(index: int) -> str:
    return f"release-{index}"


def _change_html(change: Change, notes: ReleaseNotes) -> str:
    message = _e(change.message)
    if change.waived:
        reason = f": {_e(change.waiver_reason)}" if change.waiver_reason else ""
        message += f' <span class="waived">waived{reason}</span>'
    if change.witness is not None:
        valid, rejected = _sides(change, notes)
        payload = json.dumps(change.witness.payload, ensure_ascii=False, sort_keys=True, indent=2)
        if len(payload) > _WITNESS_LIMIT:
            payload = payload[: _WITNESS_LIMIT - 3] + "..."
        message += (
            f"<details><summary>witness: valid under {_e(valid)}, rejected by {_e(rejected)}"
            f"</summary><pre>{_e(payload)}</pre></details>"
        )
    breaks = f"{_e(breaks_text(change))} ({change.certainty.value})" if change.breaks else ""
    return (
        f"<tr><td>{_badge(change.bump)}</td><td>{message}</td><td>{breaks}</td>"
        f"<td><code>{_e(change.rule)}</code></td></tr>"
    )


def _release_html(index: int, notes: ReleaseNotes) -> list[str]:
    parts = [
        f'<section class="release" id="{_anchor(index)}">',
        f"<h2>{_e(notes.title)} {_badge(notes.required_bump)}</h2>",
        f'<p class="meta">Changes since <code>{_e(notes.previous)}</code> '
        f"(<code>{_e(notes.old.source)}</code> → <code>{_e(notes.new.source)}</code>); "
        f"schemas: {_e(_counts_text(notes))}.</p>",
    ]
    for schema in notes.schemas:
        status = "" if schema.status is SchemaStatus.CHANGED else f", {schema.status.value}"
        parts += [
            '<article class="schema">',
            f"<h3>{_badge(schema.bump)} <code>{_e(schema.name)}</code> "
            f'<span class="role">{schema.role.value}{status}</span></h3>',
        ]
        if _only_added(schema):
            parts.append("</article>")  # the heading says it all
            continue
        parts += [
            '<table><colgroup><col class="bump"><col><col class="breaks"><col class="rule">'
            "</colgroup>",
            "<thead><tr><th>bump</th><th>change</th><th>breaks</th><th>rule</th></tr></thead>",
            "<tbody>",
            *(_change_html(change, notes) for change in schema.changes),
            "</tbody></table>",
            "</article>",
        ]
    if not notes.schemas:
        parts.append("<p>No changes.</p>")
    if notes.unchanged:
        names = ", ".join(f"<code>{_e(name)}</code>" for name in notes.unchanged)
        parts.append(f'<p class="unchanged">Unchanged: {names}.</p>')
    parts.append("</section>")
    return parts


def render_html(changelog: Changelog) -> str:
    """One page that needs nothing else: inline CSS, no scripts, nothing fetched.

    Every schema-derived text is escaped, and the page's Content-Security-Policy allows no
    script and no request, so even a name that slipped through could not run or fetch.
    """
    releases = changelog.releases
    if len(releases) == 1:
        heading = f"Contracts {releases[0].title}"
    elif releases:
        heading = f"Contracts {releases[-1].previous} → {releases[0].title}"
    else:
        heading = "Contracts changelog"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(heading)}: release notes</title>",
        f"<style>{_CSS}</style>",
        "</head><body><main>",
        f"<h1>{_e(heading)}</h1>",
    ]
    if len(releases) > 1:
        parts.append("<nav><ol>")
        parts += [
            f'<li><a href="#{_anchor(i)}">{_e(notes.title)}</a> {_badge(notes.required_bump)}</li>'
            for i, notes in enumerate(releases)
        ]
        parts.append("</ol></nav>")
    if not releases:
        parts.append("<p>No releases to describe.</p>")
    for index, notes in enumerate(releases):
        parts += _release_html(index, notes)
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


_RENDERERS: dict[str, Callable[[Changelog], str]] = {
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
}
FORMATS = tuple(_RENDERERS)


def render_changelog(changelog: Changelog, fmt: str) -> str:
    return _RENDERERS[fmt](changelog)
