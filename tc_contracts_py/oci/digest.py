"""Digests: the only identity anything fetched is trusted by."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tc_contracts_py.errors import IntegrityError

DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
# Reading and hashing in large pieces keeps per-call overhead out of a 50 MB blob.
CHUNK_SIZE = 1024 * 1024


def check_digest(value: object, where: str) -> str:
    """``value`` if it is a well-formed ``sha256:<64 lowercase hex>``; ``IntegrityError`` if not.

    Digests become file names in the cache and in layouts, so nothing else may pass.
    """
    if not isinstance(value, str) or not DIGEST_RE.match(value):
        shown = repr(value)[:90]
        raise IntegrityError(f"{where}: {shown} is not a sha256 digest (sha256:<64 hex>)")
    return value


def check_size(value: object, where: str) -> int:
    # bool is an int subclass; a JSON `true` is not a size.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise IntegrityError(f"{where}: size {value!r} is not a non-negative integer")
    return value


def digest_hex(digest: str) -> str:
    return check_digest(digest, "digest").removeprefix("sha256:")


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> tuple[str, int]:
    """sha256 digest and size of a file, read in large chunks."""
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            hasher.update(chunk)
            size += len(chunk)
    return "sha256:" + hasher.hexdigest(), size


def verify_bytes(data: bytes, digest: str, size: int | None, what: str) -> None:
    """Raise ``IntegrityError`` unless ``data`` has exactly this size and digest."""
    if size is not None and len(data) != size:
        raise IntegrityError(f"{what}: expected {size} bytes, got {len(data)}")
    actual = sha256_digest(data)
    if actual != digest:
        raise IntegrityError(f"{what}: digest mismatch (expected {digest}, got {actual})")
