"""Shared helpers of the diff tests: build schema sets in memory and diff them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.diff import Bump, DiffPolicy, DiffReport, Waiver, ZeroMajor, diff_schema_sets
from tc_contracts_py.schemaset import SchemaSet, schema_set_from_files

CASES = Path(__file__).parent / "cases"
TODAY = date(2025, 6, 1)
SUBJECT = "Subject"
# Every case set also holds this schema so that a set is never empty.
BYSTANDER = {"type": "boolean"}


def schema_set(documents: dict[str, Any], origin: str = "<test>") -> SchemaSet:
    files = {f"{name}.json": json.dumps(doc).encode() for name, doc in documents.items()}
    return schema_set_from_files(files, origin=origin)


def policy_from(options: dict[str, Any]) -> DiffPolicy:
    waivers = tuple(
        Waiver(
            reason=w["reason"],
            fingerprint=w.get("fingerprint"),
            rule=w.get("rule"),
            schema=w.get("schema"),
            pointer=w.get("pointer"),
            expires=date.fromisoformat(w["expires"]) if "expires" in w else None,
            index=i,
        )
        for i, w in enumerate(options.get("waivers", []))
    )
    return DiffPolicy(
        unknown_properties=UnknownProperties(options.get("unknown_properties", "strip")),
        zero_major=ZeroMajor(options.get("zero_major", "strict")),
        from_version=options.get("from_version"),
        to_version=options.get("to_version"),
        declared_bump=Bump.from_label(options["declared_bump"])
        if "declared_bump" in options
        else None,
        gate=options.get("gate", True),
        waivers=waivers,
        today=TODAY,
    )


def diff_documents(old: Any, new: Any, options: dict[str, Any] | None = None) -> DiffReport:
    """Diff one schema (``None``: absent on that side) with the case options."""
    options = options or {}
    name = options.get("name", SUBJECT)
    old_docs = {"Bystander": BYSTANDER, **({name: old} if old is not None else {})}
    new_docs = {"Bystander": BYSTANDER, **({name: new} if new is not None else {})}
    return diff_schema_sets(
        schema_set(old_docs, "old"), schema_set(new_docs, "new"), policy_from(options)
    )


def summary(report: DiffReport) -> list[dict[str, Any]]:
    return [
        {
            "rule": c.rule,
            "breaks_new_readers": c.breaks_new_readers,
            "breaks_old_readers": c.breaks_old_readers,
            "certainty": c.certainty.value,
        }
        for c in report.changes
    ]


def relaxed_copy(document: Any) -> Any:
    """The schema a stripping reader applies: ``additionalProperties: false`` dropped everywhere,
    and properties with a ``default`` no longer required.

    Written independently of the engine's stripping validator, to check its witnesses.
    """
    if isinstance(document, dict):
        relaxed = {
            key: relaxed_copy(value)
            for key, value in document.items()
            if not (key in ("additionalProperties", "unevaluatedProperties") and value is False)
        }
        properties = document.get("properties")
        if isinstance(relaxed.get("required"), list) and isinstance(properties, dict):
            # Zod fills in a property with a default: a stripping reader does not require it.
            relaxed["required"] = [
                key
                for key in relaxed["required"]
                if not (isinstance(properties.get(key), dict) and "default" in properties[key])
            ]
        return relaxed
    if isinstance(document, list):
        return [relaxed_copy(value) for value in document]
    return document


def check_witnesses(report: DiffReport, old: SchemaSet, new: SchemaSet) -> int:
    """Re-check every witness with plain jsonschema validators; return how many were checked."""
    import jsonschema
    from referencing import Registry, Resource

    cache: dict[tuple[int, bool], Registry[Any]] = {}

    def registry(schema_set: SchemaSet, relaxed: bool) -> Registry[Any]:
        key = (id(schema_set), relaxed)
        if key in cache:
            return cache[key]
        resources = [
            (
                s.uri,
                Resource.from_contents(
                    relaxed_copy(s.document) if relaxed else s.document,
                    default_specification=s.dialect.specification,
                ),
            )
            for s in schema_set
        ]
        cache[key] = Registry().with_resources(resources).crawl()
        return cache[key]

    strip = report.unknown_properties == "strip"
    checked = 0
    for change in report.changes:
        if change.witness is None or change.rule == "schema-removed":
            continue
        writer_set, reader_set = (
            (old, new) if change.witness.direction.writer == "old" else (new, old)
        )
        writer = writer_set[change.schema]
        reader = reader_set[change.schema]
        writer_validator = writer.dialect.validator_class(
            writer.document,
            registry=registry(writer_set, False),
            format_checker=jsonschema.FormatChecker(),
        )
        reader_document = relaxed_copy(reader.document) if strip else reader.document
        reader_validator = reader.dialect.validator_class(
            reader_document,
            registry=registry(reader_set, strip),
            format_checker=jsonschema.FormatChecker(),
        )
        payload = change.witness.payload
        assert writer_validator.is_valid(payload), (change.rule, change.message, payload)
        assert not reader_validator.is_valid(payload), (change.rule, change.message, payload)
        checked += 1
    return checked
