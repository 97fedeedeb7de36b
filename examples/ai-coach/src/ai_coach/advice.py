"""Reading coach advice (2.x and, during the grace window, 1.x) and writing advice requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ai_coach.models import CoachAdviceRequest, CoachAdviceResponse, CoachAdviceResponseV1
from tc_contracts_py.testing.migration import MigrationWindow

# 2.0.0 replaced CoachAdviceResponse; producers move over during the grace window, so read
# the new shape first and fall back to the old one (kept as CoachAdviceResponseV1).
ADVICE_VERSIONS = MigrationWindow(("v2", CoachAdviceResponse), ("v1", CoachAdviceResponseV1))


@dataclass(frozen=True)
class Advice:
    text: str
    confidence: str  # low | medium | high
    contract_version: str  # which shape the producer sent


def confidence_label(score: float) -> str:
    if score >= 0.75:
        return "high"
    if score >= 0.4:
        return "medium"
    return "low"


def read_advice(body: bytes | str | dict[str, Any]) -> Advice:
    """Parse an advice response in either accepted version."""
    match = ADVICE_VERSIONS.parse(body)
    value = match.value
    if isinstance(value, CoachAdviceResponse):
        return Advice(value.summary, value.confidence.value, match.label)
    assert isinstance(value, CoachAdviceResponseV1)
    return Advice(value.advice, confidence_label(value.confidence), match.label)


def advice_request(athlete_id: UUID, question: str, *, locale: str | None = None) -> dict[str, Any]:
    """The JSON body of an advice request, exactly as the contract wants it on the wire."""
    # The models take the JSON names only (as Zod does), from Python as from the wire.
    fields: dict[str, Any] = {"athleteId": athlete_id, "question": question}
    if locale is not None:
        fields["locale"] = locale
    request = CoachAdviceRequest.model_validate(fields)
    return request.model_dump(mode="json", by_alias=True, exclude_unset=True)
