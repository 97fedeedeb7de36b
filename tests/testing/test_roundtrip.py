from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tc_contracts_py.testing.roundtrip import (
    RoundTripError,
    assert_round_trip,
    equivalent_strings,
    payload_changes,
)
from tc_contracts_py.testing.strategies import payloads

from .hand_models import USER_SCHEMA, NullDumpingUser, RenamingUser, StrictUser, User

GOOD: dict[str, Any] = {
    "id": "3F2B8C1E-9D4A-4F6B-8C2D-1A2B3C4D5E6F",
    "email": "maria@Example.COM",
    "handle": "maria_runs",
    "age": 34,
    "weight": 61,
    "homepage": "https://Example.com",
    "createdAt": "2024-11-02T09:15:00.000Z",
}


def test_faithful_model_round_trips_with_documented_normalisations() -> None:
    dumped = assert_round_trip(User, GOOD, schema=USER_SCHEMA)
    # Each of these changed on the way through the model, and each is a documented normalisation.
    assert dumped["id"] == GOOD["id"].lower()
    assert dumped["email"] == "maria@example.com"
    assert dumped["weight"] == 61.0
    assert isinstance(dumped["weight"], float)
    assert dumped["homepage"] == "https://example.com/"
    assert dumped["createdAt"] == "2024-11-02T09:15:00Z"


@settings(
    max_examples=40,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(payloads(USER_SCHEMA))
def test_generated_payloads_round_trip_through_a_faithful_model(payload: Any) -> None:
    assert_round_trip(User, payload, schema=USER_SCHEMA)


def test_invalid_input_is_blamed_on_the_payload() -> None:
    with pytest.raises(RoundTripError) as caught:
        assert_round_trip(User, {**GOOD, "age": -1}, schema=USER_SCHEMA, name="User")
    assert caught.value.stage == "input"
    assert "/age" in str(caught.value)


def test_stricter_model_fails_at_parse_naming_the_field() -> None:
    with pytest.raises(RoundTripError) as caught:
        assert_round_trip(StrictUser, GOOD, schema=USER_SCHEMA)
    assert caught.value.stage == "parse"
    assert "/handle" in str(caught.value)
    assert "stricter" in str(caught.value)


def test_dump_that_violates_the_schema_is_reported_with_pointers() -> None:
    with pytest.raises(RoundTripError) as caught:
        assert_round_trip(NullDumpingUser, GOOD, schema=USER_SCHEMA)
    assert caught.value.stage == "dump"
    assert "/nickname" in str(caught.value)


def test_lossy_model_fails_with_a_readable_diff_not_a_dict_dump() -> None:
    with pytest.raises(RoundTripError) as caught:
        assert_round_trip(RenamingUser, GOOD, schema=USER_SCHEMA, name="User")
    error = caught.value
    assert error.stage == "compare"
    assert [change.pointer for change in error.changes] == ["/handle"]
    message = str(error)
    assert '/handle: "maria_runs" -> "mar"' in message
    assert message.splitlines()[0].startswith("round trip of User failed at compare")


def test_payload_changes_names_added_and_removed_paths() -> None:
    changes = payload_changes({"a": [1, 2, 3], "b": {"c": 1}}, {"a": [1, 2], "b": {"c": 1, "d": 2}})
    assert [(c.pointer, c.kind) for c in changes] == [("/a/2", "removed"), ("/b/d", "added")]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00+00:00", True),
        ("2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00Z", True),
        ("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", True),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", False),
        ("2024-01-01T00:00:00", "2024-01-01T00:00:00Z", False),
        ("ABCDEF00-0000-4000-8000-000000000000", "abcdef00-0000-4000-8000-000000000000", True),
        ("a@B.com", "a@b.com", True),
        ("A@b.com", "a@b.com", False),
        ("https://Example.com", "https://example.com/", True),
        ("https://example.com/a", "https://example.com/b", False),
        ("abc", "ABC", False),
    ],
)
def test_documented_normalisations_and_nothing_more(first: str, second: str, same: bool) -> None:
    assert equivalent_strings(first, second) is same
