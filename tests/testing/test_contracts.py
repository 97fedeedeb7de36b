from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.archive import reproducible_targz
from tc_contracts_py.errors import ConfigError, InputError
from tc_contracts_py.testing.contracts import Contracts, ContractViolation, UnknownSchema

from .conftest import SCHEMAS, make_set
from .hand_models import USER_SCHEMA, User

VALID: dict[str, Any] = {
    "id": "3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6f",
    "email": "maria@example.com",
    "handle": "maria_runs",
    "age": 34,
    "weight": 61.5,
    "createdAt": "2024-11-02T09:15:00Z",
}


@pytest.fixture
def contracts() -> Contracts:
    return Contracts(make_set({"User": USER_SCHEMA}))


def test_validate_names_the_schema_and_every_pointer(contracts: Contracts) -> None:
    contracts.validate("User", VALID)
    bad = {**VALID, "handle": "X", "age": -3, "email": "nope"}
    with pytest.raises(ContractViolation) as caught:
        contracts.validate("User", bad)
    error = caught.value
    assert isinstance(error, InputError)
    assert error.schema == "User"
    assert sorted(error.pointers) == ["/age", "/email", "/handle", "/handle"]
    assert str(error).startswith("payload violates User: /age: ")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("createdAt", "2024-11-02 09:15:00"),
        ("createdAt", "2024-11-02T09:15:00+00:00"),  # Zod's .datetime() wants Z
        ("id", "3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6"),
        ("email", "maria.example.com"),
        ("email", "maria@example"),  # Zod wants a TLD; JSON Schema's checker only an "@"
        ("homepage", "not a uri"),
    ],
)
def test_formats_are_really_checked(contracts: Contracts, field: str, value: str) -> None:
    with pytest.raises(ContractViolation) as caught:
        contracts.validate("User", {**VALID, field: value})
    assert caught.value.pointers == [f"/{field}"]


def test_jsonschema_semantics_accept_offsets_and_unicode_digits() -> None:
    schema_set = make_set({"User": USER_SCHEMA, "Phone": {"type": "string", "pattern": r"^\d+$"}})
    zod = Contracts(schema_set)
    plain = Contracts(schema_set, semantics="jsonschema")
    offset = {**VALID, "createdAt": "2024-11-02T09:15:00+00:00"}
    assert plain.is_valid("User", offset)
    assert not zod.is_valid("User", offset)
    assert plain.is_valid("Phone", "٣٤")
    assert not zod.is_valid("Phone", "٣٤")


def test_validators_are_compiled_once(contracts: Contracts) -> None:
    assert contracts.validator("User") is contracts.validator("User")


def test_unknown_names_are_input_errors(contracts: Contracts) -> None:
    with pytest.raises(UnknownSchema, match="no schema named 'Nope'.*known: User"):
        contracts.validate("Nope", {})
    with pytest.raises(ConfigError, match="no models package"):
        contracts.model("User")


def test_models_by_module_and_by_directory(tmp_path: Path) -> None:
    by_module = Contracts(make_set({"User": USER_SCHEMA}), "tests.testing.hand_models")
    assert by_module.model("User") is User
    package = tmp_path / "my_models"
    package.mkdir()
    (package / "__init__.py").write_text("from .user import User as User\n")
    (package / "user.py").write_text(
        "from pydantic import BaseModel\nclass User(BaseModel):\n    id: str\n"
    )
    by_path = Contracts(make_set({"User": USER_SCHEMA}), package)
    assert by_path.model("User").model_validate({"id": "x"}).id == "x"
    with pytest.raises(UnknownSchema, match="has no model 'Other'"):
        Contracts(make_set({"User": USER_SCHEMA, "Other": {}}), package).model("Other")
    with pytest.raises(ConfigError, match="not a package"):
        Contracts(make_set({"User": USER_SCHEMA}), tmp_path).models


def test_load_from_a_release_tarball(tmp_path: Path) -> None:
    folder = SCHEMAS / "zod-to-json-schema" / "2.0.0"
    files = {path.name: path.read_bytes() for path in sorted(folder.glob("*.json"))}
    tarball = tmp_path / "contracts-schemas-2.0.0.tar.gz"
    tarball.write_bytes(reproducible_targz(files))
    loaded = Contracts.load(str(tarball))
    assert "User" in loaded
    assert len(loaded.names) == len(files)
    with pytest.raises(ContractViolation):
        loaded.validate("User", {})


def test_round_trip_through_contracts(contracts: Contracts) -> None:
    with_models = Contracts(contracts.schema_set, "tests.testing.hand_models")
    with_models.assert_round_trip("User", VALID)
