"""``tc-schema config-schema``: the JSON Schema of ``[tool.tc-contracts]``, for editors."""

from __future__ import annotations

import click

from tc_contracts_py.config import config_schema_text


@click.command("config-schema")
def config_schema_command() -> None:
    """Print the JSON Schema of [tool.tc-contracts] (and of a tc-contracts.toml).

    Point an editor at it (taplo / Even Better TOML: a `#:schema` line or a schema
    association) to complete and check the table; tc-schema itself refuses unknown keys.
    """
    click.echo(config_schema_text(), nl=False)
