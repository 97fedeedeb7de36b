from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tc_contracts_py.cli import cli

from .conftest import PAYLOADS, SCHEMAS, make_set
from .hand_models import USER_SCHEMA

FAITHFUL = """
from typing import Annotated
from uuid import UUID
from pydantic import (
    MISSING,
    AnyUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictStr,
)

def _zulu(value):
    # Zod's .datetime(): a string ending in Z, not a number and not another offset.
    if not isinstance(value, str) or not value.endswith("Z"):
        raise ValueError("expected an ISO date-time ending in Z")
    return value

ZuluDatetime = Annotated[AwareDatetime, BeforeValidator(_zulu)]


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: UUID
    email: EmailStr
    handle: Annotated[StrictStr, Field(min_length=3, max_length=20, pattern="^[a-z0-9_]+$")]
    age: Annotated[int, Field(ge=0, le=150, strict=True)]
    weight: Annotated[float, Field(gt=0, strict=True)]
    homepage: AnyUrl | MISSING = MISSING
    createdAt: ZuluDatetime
    nickname: Annotated[StrictStr, Field(max_length=10)] | MISSING = MISSING
"""


def _write(tmp_path: Path, package: str, source: str) -> tuple[Path, Path]:
    import json

    schemas = tmp_path / "schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "User.json").write_text(json.dumps(USER_SCHEMA))
    models = tmp_path / package
    models.mkdir()
    (models / "__init__.py").write_text(source)
    return schemas, models


def test_agreeing_models_exit_zero(tmp_path: Path) -> None:
    schemas, models = _write(tmp_path, "faithful_models", FAITHFUL)
    result = CliRunner().invoke(
        cli, ["check-models", str(schemas), str(models), "--examples", "30"]
    )
    assert result.exit_code == 0, result.output
    assert "User: agrees" in result.output
    assert "models agree with the schemas (1 checked" in result.output


def test_disagreeing_models_exit_one_after_listing_findings(tmp_path: Path) -> None:
    loose = FAITHFUL.replace("min_length=3, max_length=20, ", "").replace("ge=0, le=150, ", "")
    schemas, models = _write(tmp_path, "loose_models", loose)
    result = CliRunner().invoke(
        cli, ["check-models", str(schemas), str(models), "--examples", "40"]
    )
    assert result.exit_code == 1, result.output
    assert "User: looser: model accepts what the schema rejects: minimum at /age" in result.output
    assert "payload: {" in result.output
    assert "disagreement(s) between the models and the schemas" in result.output


def test_generated_fixture_models_with_known_payloads(generated: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "check-models",
            str(SCHEMAS / "zod-to-json-schema" / "2.0.0"),
            str(generated["zod-to-json-schema/2.0.0"]),
            "--examples",
            "5",
            "--schema",
            "User",
            "--payloads",
            str(PAYLOADS / "2.0.0"),
        ],
    )
    # Exit 0 or 1 depending on the codegen of the day; either way every line is a report line.
    assert result.exit_code in (0, 1), result.output
    assert result.output.startswith("User: ")


def test_bad_input_exits_two(tmp_path: Path) -> None:
    schemas, models = _write(tmp_path, "some_models", FAITHFUL)
    missing = CliRunner().invoke(cli, ["check-models", str(tmp_path / "nope"), str(models)])
    assert missing.exit_code == 2
    assert "error:" in missing.output
    unknown = CliRunner().invoke(
        cli, ["check-models", str(schemas), str(models), "--schema", "Nope"]
    )
    assert unknown.exit_code == 2
    assert "no schema named 'Nope'" in unknown.output
    not_a_package = CliRunner().invoke(cli, ["check-models", str(schemas), str(tmp_path)])
    assert not_a_package.exit_code == 2
    assert "not a package" in not_a_package.output
    assert make_set({"User": USER_SCHEMA})


def test_a_schema_that_admits_no_value_is_exit_2_naming_its_file(tmp_path: Path) -> None:
    import json

    # ECMA-262's `[]` matches no character, so the required `code` can have no value.
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": "^[]$"}},
        "required": ["code"],
    }
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "Empty.json").write_text(json.dumps(schema))
    models = tmp_path / "empty_pkg"
    models.mkdir()
    (models / "__init__.py").write_text(
        "from pydantic import BaseModel\n\nclass Empty(BaseModel):\n    code: str\n"
    )
    result = CliRunner().invoke(cli, ["check-models", str(schemas), str(models)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: Empty.json: no payload could be generated")
    assert "Unsatisfiable" not in result.output
    assert "filter" not in result.output
