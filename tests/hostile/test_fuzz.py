"""Fuzzing: only ``ContractsError`` subclasses may come out of the loader, the codegen
preprocessing, the diff engine and the payload strategies, whatever the input.

``TC_FUZZ_EXAMPLES`` sets the examples per target (500 by default; ``nox -s fuzz`` runs
10,000). The target that runs the real generator is ~100x slower per example and uses
``TC_FUZZ_GEN_EXAMPLES`` (default 15; ``nox -s fuzz`` scales it with TC_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import ast
import json
import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tc_contracts_py.codegen.prepare import (
    DANGEROUS_KEYWORDS,
    iter_subschemas,
    prepare_document,
)
from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.errors import ContractsError
from tc_contracts_py.schemaset import parse_schema_bytes, schema_set_from_files
from tests.hostile.schema_strategies import DATA, schema_documents

EXAMPLES = int(os.environ.get("TC_FUZZ_EXAMPLES", "500"))
GEN_EXAMPLES = int(os.environ.get("TC_FUZZ_GEN_EXAMPLES", str(max(15, EXAMPLES // 100))))

fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The default run (CI) is derandomized so main stays reproducible; `nox -s fuzz` explores.
    derandomize="TC_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

FILE_NAMES = st.one_of(
    st.sampled_from(["A.json", "B.json", "a.json", "-x.json", ".json", "A", "v1.Order.json"]),
    st.text(alphabet=string.ascii_letters + "._-/\\ é\x00", max_size=8).map(lambda s: s + ".json"),
)


def _set_of(documents: dict[str, object]):
    files = {name: json.dumps(doc).encode() for name, doc in documents.items()}
    return schema_set_from_files(files, origin="fuzz")


@pytest.mark.fuzz
@fuzz_settings
@given(
    name=FILE_NAMES,
    data=st.one_of(st.binary(max_size=300), DATA.map(lambda v: json.dumps(v).encode())),
)
def test_parse_schema_bytes_raises_only_schema_errors(name, data):
    try:
        schema = parse_schema_bytes(name, data)
    except ContractsError:
        return
    assert isinstance(schema.document, (dict, bool))


@pytest.mark.fuzz
@fuzz_settings
@given(files=st.dictionaries(FILE_NAMES, st.one_of(schema_documents(), DATA), max_size=3))
def test_schema_set_from_files_raises_only_contracts_errors(files):
    encoded = {name: json.dumps(doc).encode() for name, doc in files.items()}
    try:
        schema_set = schema_set_from_files(encoded, origin="fuzz")
    except ContractsError:
        return
    schema_set.check_refs()
    assert len(schema_set) >= 1


def _schema_paths_and_refs(document):
    paths = set()
    refs = []
    for node, path in iter_subschemas(document):
        paths.add(tuple(str(p) for p in path))
        for key in node:
            assert key not in DANGEROUS_KEYWORDS, (key, path)
        if "$ref" in node:
            refs.append(node["$ref"])
    return paths, refs


@pytest.mark.fuzz
@fuzz_settings
@given(a=schema_documents(), b=st.one_of(st.none(), schema_documents()), strip=st.booleans())
def test_prepare_document_yields_self_contained_safe_documents(a, b, strip):
    documents = {"A.json": a, **({"B.json": b} if b is not None else {})}
    try:
        schema_set = _set_of(documents)
    except ContractsError:
        return
    policy = UnknownProperties.STRIP if strip else UnknownProperties.REJECT
    for schema in schema_set:
        try:
            prepared = prepare_document(schema_set, schema.name, policy)
        except ContractsError:
            continue
        json.dumps(prepared)  # plain JSON, no shared mutable surprises
        _, refs = _schema_paths_and_refs(prepared)
        # Everything the generator will resolve is inside the document: nothing to read.
        for ref in refs:
            assert isinstance(ref, str), ref
            assert ref.startswith("#"), ref


@pytest.mark.fuzz
@fuzz_settings
@given(old=schema_documents(hostile=False), new=schema_documents(hostile=False), data=st.data())
def test_diff_engine_raises_only_contracts_errors(old, new, data):
    from tc_contracts_py.diff import DiffPolicy, diff_schema_sets
    from tc_contracts_py.diff.report import render, render_json

    try:
        old_set = _set_of({"A.json": old, "B.json": {"type": "string"}})
        new_set = _set_of({"A.json": new, "B.json": {"type": "string"}})
    except ContractsError:
        return
    versions = data.draw(
        st.sampled_from([("1.0.0", "1.1.0"), ("1.0.0", "2.0.0"), ("0.1.0", "0.1.1")])
    )
    policy = DiffPolicy(from_version=versions[0], to_version=versions[1])
    try:
        report = diff_schema_sets(old_set, new_set, policy)
    except ContractsError:
        return
    json.loads(render_json(report))
    for fmt in ("text", "markdown", "github", "junit"):
        assert isinstance(render(report, fmt), str)


@pytest.mark.fuzz
@fuzz_settings
@given(document=schema_documents(hostile=False), data=st.data())
def test_payload_strategies_raise_only_contracts_errors_and_keep_their_promise(document, data):
    from tc_contracts_py.testing.strategies import invalid_payloads, payloads

    try:
        schema_set = _set_of({"A.json": document, "B.json": {"type": "integer"}})
    except ContractsError:
        return
    validator = schema_set.validator("A")
    try:
        valid = payloads("A", schema_set=schema_set, semantics="jsonschema")
        near = invalid_payloads("A", schema_set=schema_set, semantics="jsonschema")
    except ContractsError:
        return
    which = data.draw(st.booleans())
    try:
        if which:
            payload = data.draw(valid)
            assert validator.is_valid(payload), (document, payload)
        else:
            miss = data.draw(near)
            assert not validator.is_valid(miss.payload), (document, miss)
    except ContractsError:
        return


ALLOWED_IMPORT_ROOTS = {
    "__future__", "pydantic", "typing", "typing_extensions", "enum", "datetime", "decimal",
    "uuid", "ipaddress", "re", "collections", "pathlib", "annotated_types",
}  # fmt: skip


@pytest.mark.fuzz
@settings(fuzz_settings, max_examples=GEN_EXAMPLES)
@given(document=schema_documents())
def test_generated_modules_import_only_the_standard_set(document, tmp_path_factory):
    """Through the real generator: refused, or source that parses and imports nothing else."""
    from tc_contracts_py.codegen import generate_models

    try:
        schema_set = _set_of({"A.json": document})
    except ContractsError:
        return
    out = tmp_path_factory.mktemp("fuzzgen") / "models"
    try:
        generate_models(schema_set, out)
    except ContractsError:
        return
    for module in out.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] in ALLOWED_IMPORT_ROOTS, (module.name, node.module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in ALLOWED_IMPORT_ROOTS, (
                        module.name,
                        alias.name,
                    )
