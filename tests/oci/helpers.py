"""Helpers shared by the OCI tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tc_contracts_py.oci.fetch import PULL_MANIFEST


def file_hashes(folder: Path) -> dict[str, str]:
    """The schema files of a folder by sha256 (a `pull --out` manifest is not one)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != PULL_MANIFEST
    }


def out_files(folder: Path) -> dict[str, bytes]:
    """The schema files a `pull --out` folder holds, byte for byte (its manifest aside)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != PULL_MANIFEST}


def cache_entries(cache: Path) -> list[Path]:
    """Verified content in a cache: blobs and trees (staging and locks do not count)."""
    found: list[Path] = []
    for sub in ("blobs", "trees"):
        folder = cache / "v1" / sub / "sha256"
        if folder.is_dir():
            found.extend(folder.iterdir())
    return found
