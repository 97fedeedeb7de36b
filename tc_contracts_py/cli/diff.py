"""``tc-schema diff`` and ``tc-schema rules``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tc_contracts_py.cli.common import (
    CheckFailed,
    config_option,
    fetch_options,
    load_project_config,
    source_options_from,
    unknown_properties_option,
)
from tc_contracts_py.diff import ZeroMajor, diff_schema_sets
from tc_contracts_py.diff.catalogue import RENDERERS as RULE_FORMATS
from tc_contracts_py.diff.catalogue import render_rules
from tc_contracts_py.diff.policy import policy_from_config
from tc_contracts_py.diff.report import FORMATS, render
from tc_contracts_py.errors import InputError
from tc_contracts_py.schemaset import SchemaSet, schema_directory
from tc_contracts_py.sources import SourceKind, load_schema_set, parse_source

F = TypeVar("F", bound=Callable[..., Any])


def _version_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, default=None, metavar="X.Y.Z", help=help_text)


@click.command("diff")
@click.argument("old_source")
@click.argument("new_source")
@_version_option(
    "--from-version", "Version of OLD (default: artifact annotation, else folder name)."
)
@_version_option("--to-version", "Version of NEW (default: artifact annotation, else folder name).")
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
    help="Write the report to this file (atomically) instead of stdout.",
)
@fetch_options
def diff_command(
    old_source: str,
    new_source: str,
    from_version: str | None,
    to_version: str | None,
    fmt: str,
    unknown_properties: str | None,
    zero_major: str | None,
    waivers_path: Path | None,
    config_path: Path | None,
    output: Path | None,
    offline: bool,
    cache_dir: Path | None,
    insecure: bool,
    ca_file: Path | None,
    timeout: float,
) -> None:
    """Compare the schema sets OLD_SOURCE and NEW_SOURCE and apply the semver gate.

    Each source is a directory, a .tar.gz, an OCI reference, oci-layout:PATH, a release
    asset URL with #sha256=…, or git:REF:PATH. Exit codes: 0 pass, 1 gate failed,
    2 bad input, 3 operational error.
    """
    config = load_project_config(config_path)
    policy = policy_from_config(
        config,
        unknown_properties=unknown_properties,
        zero_major=zero_major,
        from_version=from_version,
        to_version=to_version,
        waivers_path=waivers_path,
    )
    options = source_options_from(
        config,
        offline=offline,
        cache_dir=cache_dir,
        insecure=insecure,
        ca_file=ca_file,
        timeout=timeout,
    )
    old = load_schema_set(old_source, options)
    new = load_schema_set(new_source, options)
    report = diff_schema_sets(old, new, policy, old_source=old_source, new_source=new_source)
    color = fmt == "text" and output is None and _stdout_is_tty() and not os.environ.get("NO_COLOR")
    text = render(report, fmt, color=color, files=_schema_files(new_source, new))
    if output is not None:
        from tc_contracts_py.atomic import atomic_write_bytes  # filelock, only for --output

        atomic_write_bytes(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False, color=color)
    if report.failed:
        raise CheckFailed()


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
