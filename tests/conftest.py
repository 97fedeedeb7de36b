from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SCHEMAS = FIXTURES / "schemas"
PAYLOADS = FIXTURES / "payloads"
FLAVOURS = ("zod-to-json-schema", "zod4")


def fixture_versions(flavour: str = "zod-to-json-schema") -> list[str]:
    folder = SCHEMAS / flavour
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


@pytest.fixture
def write_schemas(tmp_path: Path) -> Callable[..., Path]:
    """Write ``{name: document}`` as ``name.json`` files into a fresh folder and return it."""
    counter = {"n": 0}

    def write(schemas: dict[str, Any], folder: str | None = None) -> Path:
        counter["n"] += 1
        target = tmp_path / (folder or f"schemas{counter['n']}")
        target.mkdir(parents=True, exist_ok=True)
        for name, document in schemas.items():
            text = document if isinstance(document, str) else json.dumps(document, indent=2)
            (target / f"{name}.json").write_text(text)
        return target

    return write
