"""Helpers shared by the OCI tests."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def cache_entries(cache: Path) -> list[Path]:
    """Verified content in a cache: blobs and trees (staging and locks do not count)."""
    found: list[Path] = []
    for sub in ("blobs", "trees"):
        folder = cache / "v1" / sub / "sha256"
        if folder.is_dir():
            found.extend(folder.iterdir())
    return found
