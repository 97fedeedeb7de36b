"""``tc-schema diff`` and ``tc-schema rules``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tc_contracts_py.atomic import atomic_write_bytes, output_descriptor, write_output
from tc_contracts_py.changesets import read_changesets
from tc_contracts_py.cli.common import (
    CheckFailed,
    FetchFlags,
    config_option,
    fetch_flags,
    load_project_config,
    unknown_properties_option,
)
from tc_contracts_py.diff import ZeroMajor
from tc_contracts_py.diff.catalogue import RENDERERS as RULE_FORMATS
from tc_contracts_py.diff.catalogue import render_rules
from tc_contracts_py.diff.model import DiffReport
from tc_contracts_py.diff.policy import (
    compatibility_from_config,
    diff_package,
    policy_from_config,
)
from tc_contracts_py.diff.report import FORMATS, render
from tc_contracts_py.errors import ConfigError, InputError, naming_os_errors
from tc_contracts_py.release_line import diff_sources
from tc_contracts_py.schemaset import SchemaSet, schema_directory
from tc_contracts_py.sources import SourceKind, parse_source

F = TypeVar("F", bound=Callable[..., Any])


def _version_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, default=None, metavar="X.Y.Z", help=help_text)


@click.command("diff")
@click.argument("sources", nargs=-1, metavar="[OLD] NEW")
@_version_option(
    "--from-version", "Version of OLD (default: artifact annotation, else folder name)."
)
@_version_option("--to-version", "Version of NEW (default: artifact annotation, else folder name).")
@click.option(
    "--declared-bump",
    type=click.Choice(["major", "minor", "patch"]),
    default=None,
    help="The bump this release declares, when no version says it.",
)
@click.option(
    "--changesets",
    "changesets_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The .changeset folder whose pending changesets declare the bump "
    "(default: the nearest at or above the working directory).",
)
@click.option(
    "--from-empty", is_flag=True, help="A first release: compare NEW with an empty schema set."
)
@click.option(
    "--transitive/--pairwise",
    default=None,
    help="transitive: compare NEW with every release of the line OLD names that NEW's major "
    "keeps (OLD: oci://host/repo or git:contracts-v*:schemas). "
    "Default: [tool.tc-contracts.diff] compatibility, else pairwise.",
)
@click.option("--no-gate", is_flag=True, help="Report the changes without gating (exit 0).")
@click.option(
    "--write-changeset",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="When the declared bump is too low, write the changeset that fixes it to this file.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
    help="Report format.",
)  # fmt: skip
@unknown_properties_option
@click.option(
    "--zero-major",
    type=click.Choice([z.value for z in ZeroMajor]),
    default=None,
    help="strict: a break needs a MAJOR bump also in 0.x; cargo: in 0.x a minor bump may break. "
    "Default: [tool.tc-contracts.diff] zero-major, else strict.",
)
@click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML file of accepted breaks (default: [tool.tc-contracts.diff] waivers).",
)
@config_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of stdout (atomically; through a symlink; "
    "in place for a device or fifo; `-` and /dev/stdout are stdout).",
)
@fetch_flags
def diff_command(
    sources: tuple[str, ...],
    from_version: str | None,
    to_version: str | None,
    declared_bump: str | None,
    changesets_dir: Path | None,
    from_empty: bool,
    transitive: bool | None,
    no_gate: bool,
    write_changeset: Path | None,
    fmt: str,
    unknown_properties: str | None,
    zero_major: str | None,
    waivers_path: Path | None,
    config_path: Path | None,
    output: Path | None,
    fetch: FetchFlags,
) -> None:
    """Compare the schema sets OLD and NEW and apply the semver gate.

    Each source is a directory, a .tar.gz, an OCI reference, oci-layout:PATH, a release
    asset URL with #sha256=…, or git:REF:PATH; with --from-empty, only NEW. The declared
    bump comes from --declared-bump, the versions, else the pending changesets.
    Exit codes: 0 pass, 1 gate failed, 2 bad input, 3 operational error.
    """
    old_source, new_source = _sources(sources, from_empty)
    config = load_project_config(config_path)
    changesets = None
    if to_version is None and declared_bump is None:
        changesets = read_changesets(
            start=Path.cwd(), folder=changesets_dir, package=diff_package(config)
        )
    policy = policy_from_config(
        config,
        unknown_properties=unknown_properties,
        zero_major=zero_major,
        from_version=from_version,
        to_version=to_version,
        declared_bump=declared_bump,
        changesets=changesets,
        gate=not no_gate,
        waivers_path=waivers_path,
    )
    options = fetch.source_options(config)
    compatibility = compatibility_from_config(config, transitive)
    report, new = diff_sources(old_source, new_source, policy, options, compatibility)
    _emit(report, fmt, output, new_source, new)
    _write_changeset(report, write_changeset)
    if report.failed:
        raise CheckFailed()


def _emit(
    report: DiffReport, fmt: str, output: Path | None, new_source: str, new: SchemaSet
) -> None:
    if output is not None and output_descriptor(output) == 1:
        output = None  # stdout, through click like any report (a closed pipe is no error)
    color = fmt == "text" and output is None and _stdout_is_tty() and not os.environ.get("NO_COLOR")
    files = _schema_files(new_source, new)
    texts = _texts_on_disk(new_source, files) if fmt == "sarif" else {}
    text = render(report, fmt, color=color, files=files, texts=texts)
    if output is not None:
        write_output(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False, color=color)
    if fmt == "github":
        _append_job_summary(report)


def _write_changeset(report: DiffReport, path: Path | None) -> None:
    if path is None:
        return
    if report.suggested_changeset is not None:
        atomic_write_bytes(path, report.suggested_changeset.encode("utf-8"))
        click.echo(f"wrote {path}", err=True)
    elif not report.failed:
        click.echo(f"{path} not written: the gate does not fail", err=True)
    else:
        raise ConfigError(
            f"--write-changeset {path}: no changeset fixes this failure (the gate "
            "fails on versions, or no package.json beside .changeset/ or "
            "[tool.tc-contracts.diff] package names the package)"
        )


def _sources(sources: tuple[str, ...], from_empty: bool) -> tuple[str | None, str]:
    if from_empty:
        if len(sources) != 1:
            raise click.UsageError("with --from-empty, pass only NEW")
        return None, sources[0]
    if len(sources) != 2:
        raise click.UsageError("pass OLD and NEW (or --from-empty NEW for a first release)")
    return sources[0], sources[1]


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def _schema_files(source: str, schema_set: SchemaSet) -> dict[str, str]:
    """Paths for annotations, when the new side is a folder in the working tree."""
    try:
        spec = parse_source(source)
    except InputError:  # it loaded, so this cannot happen; annotations are only a nicety
        return {}
    if spec.kind is SourceKind.DIRECTORY and spec.path is not None:
        folder = schema_directory(spec.path)
        return {s.name: (folder / s.filename).as_posix() for s in schema_set}
    if spec.kind is SourceKind.GIT and spec.path is not None:
        return {s.name: (spec.path / s.filename).as_posix() for s in schema_set}
    return {}


def _append_job_summary(report: DiffReport) -> None:
    """On GitHub Actions, the markdown report goes to the job's summary page too."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    with naming_os_errors(Path(summary)), open(summary, "a", encoding="utf-8") as handle:
        handle.write(render(report, "markdown") + "\n")


def _texts_on_disk(source: str, files: dict[str, str]) -> dict[str, str]:
    """The files' texts, for line and column, when NEW is a folder of the working tree."""
    if parse_source(source).kind is not SourceKind.DIRECTORY:
        return {}  # a git revision's files may differ from the working tree's
    texts: dict[str, str] = {}
    for name, path in files.items():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            texts[name] = Path(path).read_text(encoding="utf-8")
    return texts


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RULE_FORMATS)),
    default="text",
    show_default=True,
    help="markdown is the rules table of docs/diff.md",
)
def rules_command(fmt: str) -> None:
    """List the diff rules: id, family, directions broken, description."""
    click.echo(render_rules(fmt), nl=False)
