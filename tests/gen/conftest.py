from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture
def import_package() -> Iterator[Callable[[Path], ModuleType]]:
    """Import a generated package from its folder under a unique name; unload afterwards."""
    loaded: list[str] = []

    def load(folder: Path) -> ModuleType:
        alias = f"tcgen_{uuid.uuid4().hex[:12]}"
        link = folder.parent / alias
        link.symlink_to(folder.resolve(), target_is_directory=True)
        sys.path.insert(0, str(folder.parent))
        try:
            module = importlib.import_module(alias)
        finally:
            sys.path.remove(str(folder.parent))
        loaded.append(alias)
        return module

    yield load
    for name in list(sys.modules):
        if any(name == alias or name.startswith(alias + ".") for alias in loaded):
            del sys.modules[name]
