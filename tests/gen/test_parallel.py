"""Cold generation over several processes gives the bytes of a serial run and its errors."""

from __future__ import annotations

import os
import sys

import pytest

import tc_contracts_py.codegen as codegen
from tc_contracts_py.codegen import generate_from_source
from tc_contracts_py.errors import SchemaError

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pool forks, on Linux only")


def _schemas(count: int) -> dict[str, object]:
    kinds = [
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "uri", "maxLength": 80},
        {"type": "string", "enum": ["easy", "hard"], "default": "easy"},
        {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        {"type": "array", "items": {"type": "string", "format": "date"}, "maxItems": 3},
    ]
    return {
        f"S{index:02d}": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {f"f{k}": kinds[(index + k) % len(kinds)] for k in range(3)},
            "required": ["f0"],
            "additionalProperties": False,
        }
        for index in range(count)
    }


def test_a_pool_writes_the_bytes_a_serial_run_writes(write_schemas, tmp_path, monkeypatch):
    folder = write_schemas(_schemas(24))
    outputs = {}
    for workers in (1, 2):
        monkeypatch.setattr(codegen, "_worker_count", lambda jobs, n=workers: n)
        out = tmp_path / f"w{workers}" / "models"
        result = generate_from_source(str(folder), out)
        assert len(result.regenerated) == 24
        outputs[workers] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert outputs[1] == outputs[2]


def test_the_first_failure_in_schema_order_is_raised_from_a_worker(
    write_schemas, tmp_path, monkeypatch
):
    folder = write_schemas(_schemas(24))
    parent = os.getpid()
    real = codegen.render_module

    def failing(document, class_name, *, filename, **names):
        if class_name in {"S07", "S19"}:
            raise SchemaError(filename, "/properties/f0", f"boom in {os.getpid()}")
        return real(document, class_name, filename=filename, **names)

    monkeypatch.setattr(codegen, "render_module", failing)
    monkeypatch.setattr(codegen, "_worker_count", lambda jobs: 2)
    out = tmp_path / "models"
    with pytest.raises(SchemaError) as caught:
        generate_from_source(str(folder), out)
    assert caught.value.file == "S07.json"
    assert caught.value.pointer == "/properties/f0"
    assert caught.value.reason.startswith("boom in ")
    assert caught.value.reason != f"boom in {parent}"  # it ran in a worker
    assert not out.exists()


def test_few_stale_schemas_stay_in_process() -> None:
    assert codegen._worker_count(codegen._MIN_JOBS_PER_WORKER * 2 - 1) == 1


def test_no_pool_while_other_threads_run() -> None:
    import threading

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert codegen._worker_count(1000) == 1
    finally:
        release.set()
        other.join()
