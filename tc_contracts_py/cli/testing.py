"""``tc-schema check-models``: do the generated models accept exactly what the contracts accept?"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
from tc_contracts_py.config import ProjectConfig, UnknownProperties
from tc_contracts_py.errors import ConfigError

if TYPE_CHECKING:
    from tc_contracts_py.testing.agreement import AgreementReport


@click.command("check-models")
@click.argument("source", required=False)
@click.argument("models_package", required=False)
@click.option(
    "--examples",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Generated valid payloads and near misses per schema (each).",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    help="Check only this schema (repeatable; default: every schema with a model).",
)
@click.option(
    "--payloads",
    "payload_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Also run known payloads: a folder of <Schema>.json files "
    '({"valid": [...], "invalid": [{"payload": ...}]}).',
)
@click.option(
    "--semantics",
    type=click.Choice(["zod", "jsonschema"]),
    default="zod",
    show_default=True,
    help="zod: ECMA regex and Z-only date-times, as Zod validates; "
    "jsonschema: the jsonschema library's defaults.",
)
@unknown_properties_option
@config_option
@fetch_flags
def check_models_command(
    source: str | None,
    models_package: str | None,
    examples: int,
    schemas: tuple[str, ...],
    payload_dir: Path | None,
    semantics: str,
    unknown_properties: str | None,
    config_path: Path | None,
    fetch: FetchFlags,
) -> None:
    """Compare MODELS_PACKAGE with the schemas of SOURCE; exit 1 on any disagreement.

    Generated valid payloads and near misses go through both the schema and the model.
    A model is *looser* where it accepts what the schema rejects and *stricter* where it
    rejects what the schema accepts. SOURCE defaults to the pinned `artifact`,
    MODELS_PACKAGE (a module name or a directory) to `package` / `out` in the config.
    """
    # Deliberately lazy: the test kit loads hypothesis and pydantic, which other commands skip.
    from tc_contracts_py.testing.check_models import check_models
    from tc_contracts_py.testing.contracts import Contracts

    config = load_project_config(config_path)
    contracts = Contracts.load(
        require_source(source, config),
        models=_models_of(models_package, config),
        options=fetch.source_options(config),
        semantics="zod" if semantics == "zod" else "jsonschema",
    )

    result = check_models(
        contracts,
        schemas=schemas,
        examples=examples,
        payload_dir=payload_dir,
        unknown_properties=UnknownProperties(unknown_properties) if unknown_properties else None,
        fallback_policy=config.unknown_properties,
        on_report=_show,
    )
    for name in result.skipped:
        click.echo(f"{name}: no model in {contracts.models.__name__!r}, skipped")
    if result.findings:
        click.echo(
            f"{result.findings} disagreement(s) between the models and the schemas "
            f"(policy for unknown properties: {result.policy.value})",
            err=True,
        )
        raise CheckFailed()
    click.echo(
        f"models agree with the schemas ({len(result.reports)} checked, policy {result.policy.value})"
    )


def _models_of(models_package: str | None, config: ProjectConfig) -> str | Path:
    """The models package to check: a module name, or a folder when one by that name exists."""
    models: str | Path | None = models_package or config.package
    if models is None and config.out is not None:
        models = config.out
    if models is None:
        raise ConfigError(
            "no models package: pass MODELS_PACKAGE or set `package` in [tool.tc-contracts]"
        )
    return Path(models) if Path(str(models)).is_dir() else models


def _show(report: AgreementReport) -> None:
    click.echo(report.summary())
    for finding in report.findings:
        click.echo("  " + finding.describe().replace("\n", "\n  "))
