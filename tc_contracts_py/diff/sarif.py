"""A ``DiffReport`` as SARIF 2.1.0, for code scanning and any SARIF viewer.

One result per change: its rule, a level from what it means for the release (``error``
when it fails the gate, ``warning`` for another breaking change, ``note`` otherwise), the
message with the witness, and the schema file and JSON pointer as the location, with
line and column when the file's text is given. Pure: the caller reads the files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from json_source_map import calculate

from tc_contracts_py.diff.model import Bump, Change, DiffReport, GateFinding
from tc_contracts_py.diff.rules import RULES
from tc_contracts_py.pointer import pointer_tokens

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_TOOL_URI = "https://github.com/org/tc-contracts-py/blob/main/docs/diff.md#rules"
_WITNESS_LIMIT = 400


def render_sarif(
    report: DiffReport, files: Mapping[str, str], texts: Mapping[str, str] | None = None
) -> str:
    """``files``: schema name -> path for the location; ``texts``: name -> the file's text."""
    rule_ids = sorted(RULES)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    regions = _Regions(texts or {})
    results = [_change_result(report, c, index, files, regions) for c in report.changes]
    results += [_gate_result(f, index) for f in report.gate_findings]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(rule_ids)},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "gate": report.gate.value,
                    "required_bump": report.required_bump.label,
                    "declared_by": report.declared_by.to_json(),
                    **({"compatibility": report.line.to_json()} if report.line else {}),
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _driver(rule_ids: list[str]) -> dict[str, Any]:
    return {
        "name": "tc-schema",
        "informationUri": _TOOL_URI,
        "rules": [
            {
                "id": rule_id,
                "shortDescription": {"text": RULES[rule_id].description},
                "helpUri": f"{_TOOL_URI}",
                "properties": {
                    "family": RULES[rule_id].family.value,
                    "breaks": sorted(d.value for d in RULES[rule_id].breaks),
                },
            }
            for rule_id in rule_ids
        ],
    }


def _level(report: DiffReport, change: Change) -> str:
    if report.blocks(change):
        return "error"
    return "warning" if change.counted_bump is Bump.MAJOR else "note"


def _message(change: Change) -> str:
    text = change.message
    if change.against:
        text += f" ({change.against_label})"
    if change.witness is not None:
        payload = json.dumps(change.witness.payload, ensure_ascii=False, sort_keys=True)
        if len(payload) > _WITNESS_LIMIT:
            payload = payload[:_WITNESS_LIMIT] + "…"
        witness = change.witness.to_json()
        text += (
            f" Witness: {payload} is valid under {witness['valid_under']}"
            f" and rejected by {witness['rejected_by']}."
        )
    return text


def _change_result(
    report: DiffReport,
    change: Change,
    index: Mapping[str, int],
    files: Mapping[str, str],
    regions: _Regions,
) -> dict[str, Any]:
    pointer = change.new_pointer if change.new_pointer is not None else change.old_pointer
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": files.get(change.schema, f"{change.schema}.json")}
    }
    region = regions.of(change.schema, pointer or "")
    if region is not None and change.new_pointer is not None:
        physical["region"] = region
    return {
        "ruleId": change.rule,
        "ruleIndex": index[change.rule],
        "level": _level(report, change),
        "message": {"text": _message(change)},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {
                        "name": change.schema,
                        "fullyQualifiedName": f"{change.schema}#{pointer or ''}",
                    }
                ],
            }
        ],
        "partialFingerprints": {"tcSchemaChange/v1": change.fingerprint},
        "properties": {
            "bump": change.counted_bump.label,
            "breaks_old_readers": change.breaks_old_readers,
            "breaks_new_readers": change.breaks_new_readers,
            "certainty": change.certainty.value,
            "old_pointer": change.old_pointer,
            "new_pointer": change.new_pointer,
            "witness": change.witness.to_json() if change.witness else None,
            **({"against": list(change.against)} if change.against else {}),
        },
    }


def _gate_result(finding: GateFinding, index: Mapping[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": "error",
        "message": {"text": finding.message},
        "partialFingerprints": {"tcSchemaChange/v1": finding.fingerprint},
    }


class _Regions:
    """Line and column of a JSON pointer in a schema file's text, computed once per file."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._maps: dict[str, dict[str, Any]] = {}

    def of(self, schema: str, pointer: str) -> dict[str, int] | None:
        text = self._texts.get(schema)
        if text is None:
            return None
        if schema not in self._maps:
            try:
                self._maps[schema] = calculate(text)
            except ValueError:  # not the JSON that was loaded (edited since): no region
                self._maps[schema] = {}
        # json-source-map joins raw keys with "/" (no RFC 6901 escapes), so look it up so.
        entry = self._maps[schema].get("".join(f"/{t}" for t in pointer_tokens(pointer)))
        if entry is None:
            return None
        start = entry.key_start or entry.value_start
        return {"startLine": start.line + 1, "startColumn": start.column + 1}
