"""``Contracts`` reads the fixtures the way real Zod did (see fixtures/README.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tc_contracts_py.testing.contracts import Contracts

from .conftest import fixture_payloads, fixture_sets, load_fixture_set


def _defaulted_required(document: Any) -> set[str]:
    """Property names that carry a ``default`` anywhere in the document."""
    names: set[str] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "default" in sub:
                    names.add(key)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


@pytest.mark.parametrize(("flavour", "version"), fixture_sets())
def test_zod_semantics_reject_every_zod_rejected_payload(flavour: str, version: str) -> None:
    contracts = Contracts(load_fixture_set(flavour, version))
    checked = 0
    for name in contracts.names:
        for case in fixture_payloads(version, name)["invalid"]:
            checked += 1
            assert not contracts.is_valid(name, case["payload"]), f"{name}: {case['why']}"
    assert checked > 50


@pytest.mark.parametrize("version", [v for f, v in fixture_sets() if f == "zod-to-json-schema"])
def test_zod_to_json_schema_accepts_every_zod_accepted_payload(version: str) -> None:
    contracts = Contracts(load_fixture_set("zod-to-json-schema", version))
    for name in contracts.names:
        for payload in fixture_payloads(version, name)["valid"]:
            assert contracts.violations(name, payload) == [], name


@pytest.mark.parametrize("version", [v for f, v in fixture_sets() if f == "zod4"])
def test_zod4_rejects_valid_payloads_only_for_missing_defaults(version: str) -> None:
    # Zod 4's default output view lists defaulted properties as required (fixtures/README.md).
    contracts = Contracts(load_fixture_set("zod4", version))
    rejected = 0
    for name in contracts.names:
        defaulted = _defaulted_required(contracts.schema(name))
        for payload in fixture_payloads(version, name)["valid"]:
            for violation in contracts.violations(name, payload):
                rejected += 1
                assert violation.keyword == "required", (name, violation)
                # Both engines name the property first, in single or double quotes.
                missing = re.split("['\"]", violation.message)[1]
                assert missing in defaulted, (name, violation)
    assert rejected > 0


def test_plain_jsonschema_semantics_show_the_two_gaps() -> None:
    version = "2.0.0"
    zod = Contracts(load_fixture_set("zod-to-json-schema", version))
    plain = Contracts(load_fixture_set("zod-to-json-schema", version), semantics="jsonschema")
    accepted_by_plain_only = [
        case["why"]
        for name in zod.names
        for case in fixture_payloads(version, name)["invalid"]
        if plain.is_valid(name, case["payload"]) and not zod.is_valid(name, case["payload"])
    ]
    assert accepted_by_plain_only
    assert all(("+00:00" in why) or ("Arabic-Indic" in why) for why in accepted_by_plain_only)
    assert any("Arabic-Indic" in why for why in accepted_by_plain_only)
