"""The impact report: a diff read from the side of a service whose models are OLD's."""

from __future__ import annotations

import json

from tc_contracts_py.diff import diff_schema_sets
from tc_contracts_py.diff.impact import Exposure, impact_of
from tc_contracts_py.diff.impact_report import render_impact
from tc_contracts_py.schemaset import SchemaSet, schema_set_from_files

NARROW = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
WIDE = {
    "type": "object",
    "properties": {"a": {"type": ["string", "number"]}},
    "required": ["a"],
}


def _set(**schemas: dict) -> SchemaSet:
    files = {f"{name}.json": json.dumps(doc).encode() for name, doc in schemas.items()}
    return schema_set_from_files(files, origin="mem")


OLD = _set(
    WidenedResponse=NARROW, NarrowedRequest=WIDE, NarrowedResponse=WIDE, Other=NARROW, Gone=NARROW
)
NEW = _set(WidenedResponse=WIDE, NarrowedRequest=NARROW, NarrowedResponse=NARROW, Other=NARROW)


def _impact(used=None):
    return impact_of(diff_schema_sets(OLD, NEW), used)


def test_each_change_is_read_by_the_services_role() -> None:
    found = {s.name: s for s in _impact().schemas}
    # A wider response: the other side's NEW payloads meet this service's OLD models.
    assert found["WidenedResponse"].breaks == {Exposure.READS}
    # A narrower request: this service's OLD payloads meet a NEW reader.
    assert found["NarrowedRequest"].breaks == {Exposure.WRITES}
    # A narrower response only breaks new readers, and this service reads it with OLD models.
    assert found["NarrowedResponse"].status.value == "changed"
    assert found["NarrowedResponse"].breaks == frozenset()
    # A used model removed from NEW is gone from the regenerated package.
    assert found["Gone"].breaks == {Exposure.READS, Exposure.WRITES}
    assert found["Other"].status.value == "unchanged"


def test_only_the_schemas_the_service_uses_count() -> None:
    impact = _impact(["NarrowedResponse", "Other", "Typo"])
    assert [s.name for s in impact.schemas] == ["NarrowedResponse", "Other"]
    assert impact.missing == ("Typo",)
    assert impact.breaking == []
    text = render_impact(impact)
    assert "1 of the 2 schemas this service uses changed, none breaks it" in text
    assert "WidenedResponse" not in text
    assert "in neither release: Typo" in text


def test_reports_carry_the_witness() -> None:
    impact = _impact(["WidenedResponse"])
    markdown = render_impact(impact, "markdown")
    assert (
        "| `WidenedResponse` | response | changed | **breaks this service as a reader" in markdown
    )
    assert "```json" in markdown
    data = json.loads(render_impact(impact, "json"))
    assert data["breaks_this_service"] is True
    change = data["schemas"][0]["changes"][0]
    assert change["breaks_this_service_as"] == ["reads"]
    payload = change["witness"]["payload"]
    assert isinstance(payload["a"], (int, float))  # valid under NEW, rejected by OLD


def test_impact_command_limits_to_the_configured_schemas(tmp_path) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from tc_contracts_py.cli import cli

    fixtures = Path(__file__).resolve().parents[2] / "fixtures/schemas/zod-to-json-schema"
    config = tmp_path / "tc-contracts.toml"
    config.write_text('[testing]\nschemas = ["User", "AthleteProfile"]\n')
    result = CliRunner().invoke(
        cli,
        ["impact", str(fixtures / "1.1.0"), str(fixtures / "2.0.0"), "--config", str(config),
         "--format", "markdown"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("### ❌ Contracts 1.1.0 → 2.0.0")
    assert "| `User` | model | changed | **breaks this service as a writer" in result.output
    assert "CoachAdviceRequest" not in result.output
