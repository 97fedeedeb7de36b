"""``tc-schema gen``: generate (or check) the Pydantic models package."""

from __future__ import annotations

from pathlib import Path

import click

from tc_contracts_py.cli.common import (
    CheckFailed,
    FetchFlags,
    config_option,
    fetch_flags,
    load_project_config,
    require_source,
    unknown_properties_option,
)
from tc_contracts_py.codegen import GenOptions, GenResult, generate_from_source, source_change
from tc_contracts_py.errors import ConfigError


@click.command("gen")
@click.argument("source", required=False)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the generated package (default: `out` in [tool.tc-contracts]).",
)
@click.option("--package", default=None, help="Package name (default: the --out folder's name).")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and list the files that would change when the models are stale.",
)
@unknown_properties_option
@config_option
@fetch_flags
def gen_command(
    source: str | None,
    out: Path | None,
    package: str | None,
    check: bool,
    unknown_properties: str | None,
    config_path: Path | None,
    fetch: FetchFlags,
) -> None:
    """Generate Pydantic v2 models from SOURCE (default: the pinned `artifact`).

    SOURCE is a directory, a .tar.gz, an OCI reference, oci-layout:PATH, a release
    asset URL with #sha256=…, or git:REF:PATH.
    """
    config = load_project_config(config_path)
    target = out or config.out
    if target is None:
        raise ConfigError("no output folder: pass --out or set `out` in [tool.tc-contracts]")
    options = GenOptions(
        package=package or config.package,
        unknown_properties=config.unknown_properties_or(unknown_properties),
    )
    result = generate_from_source(
        require_source(source, config),
        target,
        options,
        check=check,
        source_options=fetch.source_options(config, frozen=check),
    )
    report(result, noun="source" if source else "pin")
    if check and not result.up_to_date:
        raise CheckFailed()


def report(result: GenResult, *, noun: str = "pin") -> None:
    if result.checked_only:
        if result.up_to_date:
            click.echo(f"{result.out}: up to date ({result.schema_count} schemas)")
            return
        moved = source_change(result.previous_source, result.source, noun=noun)
        if moved is not None:
            click.echo(f"{result.out}: {moved}", err=True)
        click.echo(f"{result.out}: stale; these files would change:", err=True)
        for name in result.changed:
            click.echo(f"  {result.out / name}", err=True)
        click.echo("run `tc-schema gen` to regenerate", err=True)
        return
    if result.up_to_date:
        click.echo(f"{result.out}: up to date ({result.schema_count} schemas), nothing written")
        return
    click.echo(
        f"{result.out}: generated package {result.package!r} from {result.schema_count} schemas "
        f"({len(result.changed)} files changed, {len(result.regenerated)} schemas regenerated)"
    )
