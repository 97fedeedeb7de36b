"""``tc-schema check-models``: every model of a package against its schema, one report each."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.errors import InputError
from tc_contracts_py.testing.agreement import AgreementReport, check_agreement
from tc_contracts_py.testing.contracts import Contracts, models_unknown_properties
from tc_contracts_py.testing.strategies import NearMiss


@dataclass
class ModelsCheck:
    """The agreement reports of the checked schemas, and the schemas with no model."""

    policy: UnknownProperties
    reports: list[AgreementReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return sum(len(report.findings) for report in self.reports)


def check_models(
    contracts: Contracts,
    *,
    schemas: Sequence[str] = (),
    examples: int = 50,
    payload_dir: Path | None = None,
    unknown_properties: UnknownProperties | None = None,
    fallback_policy: UnknownProperties = UnknownProperties.STRIP,
    on_report: Callable[[AgreementReport], None] | None = None,
) -> ModelsCheck:
    """Check ``schemas`` (default: every schema the package has a model for).

    The policy for unknown properties is ``unknown_properties``, else the one the models
    were generated with, else ``fallback_policy``. ``on_report`` sees each report as soon
    as it is made (a long check shows progress).
    """
    policy = unknown_properties or models_unknown_properties(contracts.models) or fallback_policy
    names = list(schemas) or [n for n in contracts.names if hasattr(contracts.models, n)]
    for name in schemas:
        contracts.entry(name)  # an unknown name is refused before any work
    result = ModelsCheck(policy)
    result.skipped = [n for n in contracts.names if n not in names and not schemas]
    for name in names:
        known_valid, known_invalid = known_payloads(payload_dir, name)
        report = check_agreement(
            contracts.adapter(name),
            contracts.entry(name),
            schema_set=contracts.schema_set,
            examples=examples,
            unknown_properties=policy,
            semantics=contracts.semantics,
            compiler=contracts.compiler,
            extra_valid=known_valid,
            extra_invalid=known_invalid,
        )
        result.reports.append(report)
        if on_report is not None:
            on_report(report)
    return result


def known_payloads(folder: Path | None, name: str) -> tuple[list[Any], list[Any]]:
    """``<folder>/<name>.json``'s ``valid`` payloads and ``invalid`` ones (with their why)."""
    if folder is None:
        return [], []
    path = folder / f"{name}.json"
    if not path.is_file():
        return [], []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        valid = list(data.get("valid", []))
        invalid = [
            NearMiss(
                entry["payload"], "", "given", str(entry.get("why", "a known invalid payload"))
            )
            for entry in data.get("invalid", [])
        ]
    except (ValueError, AttributeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a payload file ({exc})") from None
    return valid, invalid
