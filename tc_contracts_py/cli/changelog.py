"""``tc-schema changelog``: release notes of one release, or of every release since a tag."""

from __future__ import annotations

from pathlib import Path

import click

from tc_contracts_py.atomic import output_descriptor, write_output
from tc_contracts_py.cli.common import (
    FetchFlags,
    config_option,
    fetch_flags,
    load_project_config,
    unknown_properties_option,
)
from tc_contracts_py.diff.changelog import FORMATS, render_changelog
from tc_contracts_py.release_notes import changelog_between, changelog_since


@click.command("changelog")
@click.argument("sources", nargs=-1, metavar="OLD NEW | --since-tag TAG [oci://HOST/REPO]")
@click.option(
    "--since-tag",
    default=None,
    metavar="TAG",
    help="Every release from TAG on (e.g. contracts-v1.0.0), one section per consecutive "
    "pair, newest first: the current git repository's tags spelt like TAG, or the tags of "
    "the OCI repository given.",
)
@click.option(
    "--path",
    "schema_path",
    default=None,
    metavar="PATH",
    help="With --since-tag in a git repository: the schemas folder in each tagged tree "
    "(default: schemas).",
)
@click.option(
    "--to-version",
    default=None,
    metavar="X.Y.Z",
    help="Version of NEW, when neither an annotation nor its name says it.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True,
    help="markdown: a release body or Changesets entry; json; html: one self-contained page.",
)  # fmt: skip
@unknown_properties_option
@config_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the notes to this file instead of stdout (atomically).",
)
@fetch_flags
def changelog_command(
    sources: tuple[str, ...],
    since_tag: str | None,
    schema_path: str | None,
    to_version: str | None,
    fmt: str,
    unknown_properties: str | None,
    config_path: Path | None,
    output: Path | None,
    fetch: FetchFlags,
) -> None:
    """Release notes: every change from OLD to NEW, breaking and additive, grouped by schema,
    with the bump each requires and the witness payloads.

    OLD and NEW are any sources `tc-schema diff` takes. With --since-tag, the releases come
    from tags instead. A changelog is not a gate: exit 0 whatever changed, 2 bad input,
    3 operational error.
    """
    config = load_project_config(config_path)
    remote = sources[0] if since_tag is not None and sources else None
    options = fetch.source_options(
        config, command_line_source=remote or (sources[-1] if sources else None)
    )
    if since_tag is not None:
        if len(sources) > 1 or (remote is not None and not remote.startswith("oci://")):
            raise click.UsageError(
                "with --since-tag, pass no source (the current git repository) "
                "or one oci://HOST/REPO"
            )
        if remote is not None and schema_path is not None:
            raise click.UsageError("--path is for a git history, not an OCI repository")
        if to_version is not None:
            raise click.UsageError("--to-version names NEW's version: not with --since-tag")
        changelog = changelog_since(
            since_tag,
            options,
            config,
            repository=remote,
            path=schema_path or "schemas",
            unknown_properties=unknown_properties,
        )
    else:
        if len(sources) != 2:
            raise click.UsageError("pass OLD and NEW, or --since-tag TAG")
        if schema_path is not None:
            raise click.UsageError("--path goes with --since-tag; OLD and NEW name their folders")
        changelog = changelog_between(
            sources[0],
            sources[1],
            options,
            config,
            unknown_properties=unknown_properties,
            to_version=to_version,
        )
    text = render_changelog(changelog, fmt)
    if output is not None and output_descriptor(output) != 1:
        write_output(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
