"""The service's own tests; the plugin adds test_round_trip[...] and test_agreement[...]."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from ai_coach.advice import advice_request, read_advice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tc_contracts_py.testing.contracts import Contracts, ContractViolation

CHECKS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_outgoing_requests_satisfy_the_contract(contracts: Contracts) -> None:
    body = advice_request(uuid.uuid4(), "How hard should I train this week?", locale="de-CH")
    contracts.validate("CoachAdviceRequest", body)
    assert set(body) == {"athleteId", "question", "locale"}


def test_a_request_the_contract_rejects_names_the_field(contracts: Contracts) -> None:
    with pytest.raises(ContractViolation) as caught:
        contracts.validate("CoachAdviceRequest", {"athleteId": str(uuid.uuid4()), "question": ""})
    assert caught.value.pointers == ["/question"]


@CHECKS
@given(data=st.data())
def test_reads_every_valid_2x_advice(contracts: Contracts, data: st.DataObject) -> None:
    payload: Any = data.draw(contracts.payloads("CoachAdviceResponse"))
    advice = read_advice(json.dumps(payload))
    assert advice.contract_version == "v2"
    assert advice.text == payload["summary"]


@CHECKS
@given(data=st.data())
def test_still_reads_1x_advice_during_the_grace_window(
    contracts: Contracts, data: st.DataObject
) -> None:
    payload: Any = data.draw(contracts.payloads("CoachAdviceResponseV1"))
    advice = read_advice(payload)
    assert advice.contract_version == "v1"
    assert advice.confidence in {"low", "medium", "high"}


def test_models_come_from_the_pinned_contracts(contract_models: Any, contracts: Contracts) -> None:
    assert contracts.schema_set.version == "2.0.0"
    assert contract_models.CoachAdviceResponseV1 is contracts.model("CoachAdviceResponseV1")
