from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.testing.agreement import check_agreement
from tc_contracts_py.testing.contracts import Contracts

from .conftest import fixture_payloads, load_fixture_set, make_set
from .hand_models import USER_SCHEMA, LooseUser, StrictUser, User


@pytest.fixture(scope="module")
def user_set() -> Any:
    return make_set({"User": USER_SCHEMA})


def test_faithful_model_agrees(user_set: Any) -> None:
    report = check_agreement(User, "User", schema_set=user_set, examples=40)
    assert report.ok, [f.describe() for f in report.findings]
    assert report.valid_checked >= 40
    assert report.invalid_checked >= 40


def test_looser_model_is_reported_with_the_payload(user_set: Any) -> None:
    report = check_agreement(LooseUser, "User", schema_set=user_set, examples=60)
    assert not report.ok
    assert not report.stricter
    kinds = {finding.kind for finding in report.looser}
    assert {"maxLength", "pattern", "minimum"} <= kinds, kinds
    validator = Contracts(user_set).validator("User")
    for finding in report.looser:
        assert not validator.is_valid(finding.payload)
        LooseUser.model_validate_json(json.dumps(finding.payload))
    assert "looser: model accepts what the schema rejects" in report.looser[0].describe()


def test_stricter_model_is_reported_with_the_payload(user_set: Any) -> None:
    report = check_agreement(StrictUser, "User", schema_set=user_set, examples=60)
    assert report.stricter
    pointers = {finding.pointer for finding in report.stricter}
    assert pointers & {"/handle", "/age"}, pointers
    validator = Contracts(user_set).validator("User")
    for finding in report.stricter:
        assert validator.is_valid(finding.payload)


def test_extra_keys_are_tolerated_only_under_the_strip_policy(user_set: Any) -> None:
    class Stripping(User):
        model_config = {"extra": "ignore"}

    strip = check_agreement(Stripping, "User", schema_set=user_set, examples=30)
    assert strip.ok
    assert any(t.kind == "additionalProperties" for t in strip.tolerated)
    reject = check_agreement(
        Stripping,
        "User",
        schema_set=user_set,
        examples=30,
        unknown_properties=UnknownProperties.REJECT,
    )
    assert any(f.kind == "additionalProperties" for f in reject.looser)


def test_known_payloads_are_classified_by_the_schema(user_set: Any) -> None:
    good = {
        "id": "3f2b8c1e-9d4a-4f6b-8c2d-1a2b3c4d5e6f",
        "email": "a@b.io",
        "handle": "abcdefgh",
        "age": 30,
        "weight": 1.5,
        "createdAt": "2024-01-01T00:00:00Z",
    }
    report = check_agreement(
        StrictUser, "User", schema_set=user_set, examples=1, extra_invalid=[good]
    )
    # Given as "invalid", but the schema accepts it: it is checked as a valid payload.
    assert any(f.payload == good for f in report.stricter)


def test_generated_models_findings_are_real(generated: dict[str, Path]) -> None:
    """Every finding on the codegen's fixture models is re-checked independently."""
    schema_set = load_fixture_set("zod-to-json-schema", "2.0.0")
    contracts = Contracts(schema_set, generated["zod-to-json-schema/2.0.0"])
    checked = 0
    for name in contracts.names:
        valid = fixture_payloads("2.0.0", name)["valid"]
        report = check_agreement(
            contracts.model(name),
            name,
            schema_set=schema_set,
            examples=5,
            compiler=contracts.compiler,
            unknown_properties=contracts.unknown_properties,
            extra_valid=valid,
        )
        checked += report.valid_checked + report.invalid_checked
        model = contracts.model(name)
        for finding in report.findings:
            accepted_by_schema = contracts.is_valid(name, finding.payload)
            try:
                model.model_validate_json(json.dumps(finding.payload))
                accepted_by_model = True
            except ValueError:
                accepted_by_model = False
            assert accepted_by_schema is (finding.side == "stricter"), finding.describe()
            assert accepted_by_model is (finding.side == "looser"), finding.describe()
    assert checked > 150
