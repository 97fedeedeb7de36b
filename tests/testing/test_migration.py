from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ConfigDict

from tc_contracts_py.errors import InputError
from tc_contracts_py.testing.migration import MigrationWindow, NoVersionMatched, parse_first


class AdviceV2(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: str
    confidence: str


class AdviceV1(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advice: str
    confidence: float


def test_newest_first_and_reports_which_matched() -> None:
    window = MigrationWindow(("v2", AdviceV2), ("v1", AdviceV1))
    new = window.parse({"summary": "rest", "confidence": "high"})
    assert (new.label, new.index, new.is_latest) == ("v2", 0, True)
    old = window.parse(json.dumps({"advice": "rest", "confidence": 0.4}))
    assert old.label == "v1"
    assert not old.is_latest
    assert isinstance(old.value, AdviceV1)
    assert old.value.confidence == 0.4
    assert old.rejected_by[0][0] == "v2"
    assert "/summary" in old.rejected_by[0][1]


def test_no_match_names_every_version() -> None:
    with pytest.raises(NoVersionMatched) as caught:
        parse_first(b'{"confidence": true}', AdviceV2, AdviceV1)
    assert isinstance(caught.value, InputError)
    assert [label for label, _ in caught.value.attempts] == ["AdviceV2", "AdviceV1"]
    assert "AdviceV2: /summary" in str(caught.value)


def test_fixture_v1_payloads_parse_through_the_window(generated: dict) -> None:
    from tc_contracts_py.testing.contracts import import_models

    from .conftest import fixture_payloads

    models = import_models(generated["zod-to-json-schema/2.0.0"])
    window = MigrationWindow(
        ("v2", models.CoachAdviceResponse), ("v1", models.CoachAdviceResponseV1)
    )
    v1_payloads = fixture_payloads("2.0.0", "CoachAdviceResponseV1")["valid"]
    v2_payloads = fixture_payloads("2.0.0", "CoachAdviceResponse")["valid"]
    assert {window.parse(p).label for p in v1_payloads} == {"v1"}
    assert {window.parse(p).label for p in v2_payloads} == {"v2"}
