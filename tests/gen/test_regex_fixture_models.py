"""The real Zod fixtures with JavaScript regex syntax (fixtures/regex), generated: golden output.

Shows how each construct reaches a model: Rust-regex spelling where pydantic's default
engine runs it (``\\p{L}`` as is), Python spelling with ``\\p{…}`` expanded where a back
reference puts the model on ``python-re``. ``TC_UPDATE_GOLDEN=1`` rewrites the golden files.
"""

from __future__ import annotations

import os

from tc_contracts_py.codegen import generate_from_source
from tests.conftest import ROOT

REGEX_FIXTURES = ROOT / "fixtures" / "regex"
GOLDEN = ROOT / "tests" / "golden" / "gen" / "regex-zod-to-json-schema"


def test_regex_fixture_golden_output(tmp_path):
    out = tmp_path / "models"
    generate_from_source(str(REGEX_FIXTURES / "zod-to-json-schema"), out)
    produced = {p.name: p.read_text() for p in sorted(out.iterdir()) if p.is_file()}
    if os.environ.get("TC_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for old in GOLDEN.iterdir():
            old.unlink()
        for name, text in produced.items():
            (GOLDEN / name).write_text(text)
    expected = {p.name: p.read_text() for p in sorted(GOLDEN.iterdir())}
    assert sorted(produced) == sorted(expected)
    for name, text in expected.items():
        assert produced[name] == text, (
            f"{name} differs from the golden file (TC_UPDATE_GOLDEN=1 rewrites)"
        )
