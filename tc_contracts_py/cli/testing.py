"""``tc-schema check-models``: do the generated models accept exactly what the contracts accept?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tc_contracts_py.cli.common import (
    CheckFailed,
    config_option,
    fetch_options,
    load_project_config,
    require_source,
    source_options_from,
    unknown_properties_option,
)
from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.errors import ConfigError, InputError


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
@fetch_options
def check_models_command(
    source: str | None,
    models_package: str | None,
    examples: int,
    schemas: tuple[str, ...],
    payload_dir: Path | None,
    semantics: str,
    unknown_properties: str | None,
    config_path: Path | None,
    offline: bool,
    cache_dir: Path | None,
    insecure: bool,
    ca_file: Path | None,
    timeout: float | None,
) -> None:
    """Compare MODELS_PACKAGE with the schemas of SOURCE; exit 1 on any disagreement.

    Generated valid payloads and near misses go through both the schema and the model.
    A model is *looser* where it accepts what the schema rejects and *stricter* where it
    rejects what the schema accepts. SOURCE defaults to the pinned `artifact`,
    MODELS_PACKAGE (a module name or a directory) to `package` / `out` in the config.
    """
    from tc_contracts_py.testing.agreement import check_agreement
    from tc_contracts_py.testing.contracts import Contracts, models_unknown_properties

    config = load_project_config(config_path)
    models: str | Path | None = models_package or config.package
    if models is None and config.out is not None:
        models = config.out
    if models is None:
        raise ConfigError(
            "no models package: pass MODELS_PACKAGE or set `package` in [tool.tc-contracts]"
        )
    contracts = Contracts.load(
        require_source(source, config),
        models=Path(models) if Path(str(models)).is_dir() else models,
        options=source_options_from(
            config,
            offline=offline,
            cache_dir=cache_dir,
            insecure=insecure,
            ca_file=ca_file,
            timeout=timeout,
        ),
        semantics="zod" if semantics == "zod" else "jsonschema",
    )
    policy = (
        UnknownProperties(unknown_properties)
        if unknown_properties
        else models_unknown_properties(contracts.models) or config.unknown_properties
    )
    names = list(schemas) or [name for name in contracts.names if hasattr(contracts.models, name)]
    for name in schemas:
        contracts.entry(name)
    skipped = [name for name in contracts.names if name not in names and not schemas]
    total_findings = 0
    for name in names:
        known_valid, known_invalid = _known_payloads(payload_dir, name)
        report = check_agreement(
            contracts.adapter(name),
            contracts.entry(name),
            schema_set=contracts.schema_set,
            examples=examples,
            unknown_properties=policy,
            semantics=contracts.semantics,
            compiler=contracts.compiler,
            extra_valid=known_valid,
            extra_invalid=known_invalid,
        )
        click.echo(report.summary())
        for finding in report.findings:
            click.echo("  " + finding.describe().replace("\n", "\n  "))
        total_findings += len(report.findings)
    for name in skipped:
        click.echo(f"{name}: no model in {contracts.models.__name__!r}, skipped")
    if total_findings:
        click.echo(
            f"{total_findings} disagreement(s) between the models and the schemas "
            f"(policy for unknown properties: {policy.value})",
            err=True,
        )
        raise CheckFailed()
    click.echo(f"models agree with the schemas ({len(names)} checked, policy {policy.value})")


def _known_payloads(folder: Path | None, name: str) -> tuple[list[Any], list[Any]]:
    from tc_contracts_py.testing.strategies import NearMiss

    if folder is None:
        return [], []
    path = folder / f"{name}.json"
    if not path.is_file():
        return [], []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        valid = list(data.get("valid", []))
        invalid = [
            NearMiss(
                entry["payload"], "", "given", str(entry.get("why", "a known invalid payload"))
            )
            for entry in data.get("invalid", [])
        ]
    except (ValueError, AttributeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a payload file ({exc})") from None
    return valid, invalid
