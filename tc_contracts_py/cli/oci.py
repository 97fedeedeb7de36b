"""``tc-schema push``, ``lock`` and ``pull``: the pinned schemas artifact over OCI."""

from __future__ import annotations

from pathlib import Path

import click

from tc_contracts_py.cli.common import (
    FetchFlags,
    config_option,
    fetch_flags,
    load_project_config,
    push_fetch_flags,
    registry_fetch_flags,
    require_source,
)


@click.command("push")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("reference")
@click.option(
    "--version",
    "version",
    default=None,
    help="Semver for the version annotation (default: the tag).",
)
@click.option("--source", "source_url", default=None, help="Source repository URL annotation.")
@click.option("--revision", default=None, help="Source revision (commit SHA) annotation.")
@click.option(
    "--force",
    is_flag=True,
    help="Move a tag that already points at other content (release tags otherwise never move).",
)
@push_fetch_flags
def push_command(
    directory: Path,
    reference: str,
    version: str | None,
    source_url: str | None,
    revision: str | None,
    force: bool,
    fetch: FetchFlags,
) -> None:
    """Push the schemas in DIRECTORY as an OCI artifact to REFERENCE (host/repo:X.Y.Z).

    The same schemas and version always give the same digest. Prints the manifest digest
    on stdout and the full pin on stderr.
    """
    # Deliberately lazy: `tc-schema --help` imports every command module, and the OCI client
    # loads requests (0.3 s).
    from tc_contracts_py.oci.push import push

    result = push(
        directory,
        reference.removeprefix("oci://"),
        fetch.source_options(load_project_config(None), command_line_source=reference),
        version=version,
        source=source_url,
        revision=revision,
        force=force,
    )
    click.echo(f"pushed {result.reference}", err=True)
    click.echo(result.digest)


@click.command("lock")
@config_option
@registry_fetch_flags
def lock_command(config_path: Path | None, fetch: FetchFlags) -> None:
    """Resolve the tag of the `artifact` pin and write its manifest digest into the config.

    The artifact is fetched and verified (and cached) before the file is touched.
    """
    # Deliberately lazy: `tc-schema --help` imports every command module, and the OCI client
    # loads requests (0.3 s).
    from tc_contracts_py.oci.lock import lock

    config = load_project_config(config_path)
    result = lock(config_path, fetch.source_options(config))
    if result.changed:
        click.echo(f"locked {result.pinned} in {result.config_path}", err=True)
    else:
        click.echo(f"{result.config_path}: already locked to {result.pinned}", err=True)
    click.echo(result.digest)


@click.command("pull")
@click.argument("source", required=False)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to fill with the schema files (replaced whole). Without it only the cache is filled.",
)
@click.option(
    "--frozen",
    is_flag=True,
    help="Refuse an OCI reference without @sha256 digest (for CI).",
)
@config_option
@fetch_flags
def pull_command(
    source: str | None,
    out: Path | None,
    frozen: bool,
    config_path: Path | None,
    fetch: FetchFlags,
) -> None:
    """Fetch and verify SOURCE (default: the pinned `artifact`) into the cache and --out.

    SOURCE is an OCI reference, oci-layout:PATH[:tag|@digest], a release asset URL with
    #sha256=…, a directory, a .tar.gz or git:REF:PATH. Every manifest and blob is checked
    against its sha256 and size before use; a cached digest needs no network.
    """
    # Deliberately lazy: `tc-schema --help` imports every command module, and the OCI client
    # loads requests (0.3 s).
    from tc_contracts_py.oci.fetch import pull

    config = load_project_config(config_path)
    options = fetch.source_options(config, frozen=frozen, command_line_source=source)
    result = pull(require_source(source, config), options, out)
    where = f" into {result.out}" if result.out is not None else " into the cache"
    click.echo(f"pulled {result.origin} ({len(result.files)} files){where}", err=True)
    if result.digest:
        click.echo(result.digest)
