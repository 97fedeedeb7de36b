"""``tc-schema upgrade`` and ``tc-schema impact``."""

from __future__ import annotations

from pathlib import Path

import click

from tc_contracts_py.cli.common import (
    FetchFlags,
    config_option,
    fetch_flags,
    load_project_config,
    registry_fetch_flags,
)
from tc_contracts_py.diff.impact_report import IMPACT_FORMATS, render_impact

_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPACT_FORMATS),
    default="text",
    show_default=True,
    help="Impact report format (markdown: for a PR body).",
)


@click.command("upgrade")
@click.option("--to", "to", default=None, metavar="TAG", help="Pin this tag instead of the newest.")
@click.option("--major", is_flag=True, help="Also cross a major version.")
@click.option("--dry-run", is_flag=True, help="Change nothing; print what would be done.")
@_format_option
@config_option
@registry_fetch_flags
def upgrade_command(
    to: str | None,
    major: bool,
    dry_run: bool,
    fmt: str,
    config_path: Path | None,
    fetch: FetchFlags,
) -> None:
    """Move the `artifact` pin to the newest release of its major, regenerate the models,
    and print what the new release changes for this service.

    The pin's tag and digest are rewritten in place (comments and formatting kept).
    Exit codes: 0 upgraded or already newest, 2 bad input, 3 operational error.
    """
    # Deliberately lazy: `tc-schema --help` imports every command module, and upgrade loads the
    # diff engine and the OCI client (1.5 s).
    from tc_contracts_py.upgrade import upgrade

    config = load_project_config(config_path)
    result = upgrade(
        config_path,
        fetch.source_options(config),
        to=to,
        major=major,
        dry_run=dry_run,
    )
    would = "would " if result.dry_run else ""
    if not result.changed:
        click.echo(
            f"{result.config_path}: already at the newest release, {result.pinned}", err=True
        )
        return
    click.echo(
        f"{result.config_path}: {would}pin {result.pinned} (was {result.previous})", err=True
    )
    if result.out is not None and result.models is not None:
        click.echo(
            f"{result.out}: regenerated ({len(result.models.changed)} files changed)", err=True
        )
    elif result.out is not None:
        click.echo(f"{result.out}: {would}regenerate the models package", err=True)
    else:
        click.echo("no `out` in [tool.tc-contracts]: no models package to regenerate", err=True)
    if result.impact is not None:
        click.echo(render_impact(result.impact, fmt), nl=False)


@click.command("impact")
@click.argument("old")
@click.argument("new")
@_format_option
@config_option
@fetch_flags
def impact_command(
    old: str,
    new: str,
    fmt: str,
    config_path: Path | None,
    fetch: FetchFlags,
) -> None:
    """What moving from release OLD to NEW means for this service: the diff of the schemas
    it uses ([tool.tc-contracts.testing] schemas, else all), read by its side.

    OLD and NEW are any sources (directory, .tar.gz, OCI reference, oci-layout:PATH, …).
    """
    # Deliberately lazy: `tc-schema --help` imports every command module, and upgrade loads the
    # diff engine and the OCI client (1.5 s).
    from tc_contracts_py.upgrade import impact

    config = load_project_config(config_path)
    options = fetch.source_options(config)
    click.echo(render_impact(impact(old, new, options, config), fmt), nl=False)
