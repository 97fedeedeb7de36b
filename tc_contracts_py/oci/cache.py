"""A content-addressed cache of verified artifacts.

Layout under the cache root (``--cache-dir``, else ``$TC_CONTRACTS_CACHE_DIR``, else config
``cache-dir``, else the platform's user cache dir)::

    v1/blobs/sha256/<hex>                 verified blobs: manifests, layers, release tarballs
    v1/trees/sha256/<hex>/tree.json       the schema files of one pinned digest: names, sha256,
    v1/trees/sha256/<hex>/files/<name>    sizes and the manifest annotations, then the files
    v1/tmp/                               staging on the same filesystem, so renames are atomic
    v1/locks/<hex>.lock                   one lock per digest, shared by concurrent processes

Only verified content is ever renamed into ``blobs/`` or ``trees/``; a tree directory
appears whole or not at all. The cache is input all the same (a CI cache may be restored
from a store another branch wrote), so nothing on disk is trusted for what it says about
itself: ``fetch`` proves a tree against the pinned digest on every read (the manifest blob
by its sha256, the index by re-deriving it from the layer blobs that manifest fixes), and
every file is hashed against that derived index as it is consumed. A damaged entry is
dropped and fetched anew rather than used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import platformdirs

from tc_contracts_py.atomic import file_lock
from tc_contracts_py.errors import naming_os_errors
from tc_contracts_py.oci.digest import (
    CHUNK_SIZE,
    check_digest,
    digest_hex,
    file_digest,
    sha256_digest,
)
from tc_contracts_py.source_spec import ENV_CACHE_DIR, SourceOptions

_LAYOUT_VERSION = "v1"
_LOCK_TIMEOUT_SECONDS = 600.0
_STALE_STAGING_SECONDS = 24 * 3600
_TREE_INDEX = "tree.json"
_TREE_FILES = "files"


def _plain_name(name: str) -> bool:
    # Names come from our own index, but the index is a file on disk: keep them plain.
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def default_cache_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    override = env.get(ENV_CACHE_DIR)
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("tc-contracts", appauthor=False))


@dataclass(frozen=True)
class CachedTree:
    """The schema files of one digest, as the cache holds them, with their expected hashes."""

    digest: str
    folder: Path
    annotations: Mapping[str, str]
    files: Mapping[str, tuple[str, int]]  # name -> (sha256 hex, size)
    # True right after this process verified and committed it: no need to hash it again.
    fresh: bool = False

    def path(self, name: str) -> Path:
        return self.folder / _TREE_FILES / name

    def check_listing(self) -> None:
        """``files/`` holds exactly the indexed names, each a regular file (no link, no fifo)."""
        try:
            entries = {entry.name: entry for entry in os.scandir(self.folder / _TREE_FILES)}
        except OSError as exc:
            raise CorruptCacheEntry(f"{_TREE_FILES}/ cannot be listed ({exc.strerror})") from None
        added = sorted(set(entries) - set(self.files))
        missing = sorted(set(self.files) - set(entries))
        if added or missing:
            raise CorruptCacheEntry(
                f"{_TREE_FILES}/ differs from what the layers hold "
                f"(extra: {', '.join(added) or 'none'}; missing: {', '.join(missing) or 'none'})"
            )
        for name, entry in entries.items():
            if not entry.is_file(follow_symlinks=False):
                raise CorruptCacheEntry(f"{name} is not a regular file")

    def read_verified(self) -> dict[str, bytes]:
        """Every file's bytes, each checked against the index; ``CorruptCacheEntry`` if not."""
        contents: dict[str, bytes] = {}
        for name, (expected_hex, size) in self.files.items():
            try:
                data = self.path(name).read_bytes()
            except OSError:
                raise CorruptCacheEntry(name) from None
            if not self.fresh and (
                len(data) != size or hashlib.sha256(data).hexdigest() != expected_hex
            ):
                raise CorruptCacheEntry(name)
            contents[name] = data
        return contents

    def copy_verified(self, destination: Path) -> None:
        """Copy every file into ``destination``, hashing on the way; ``CorruptCacheEntry`` if off.

        Only a failure to read the cache is damage; a failure to write ``destination`` (a full
        or read-only disk) propagates as the ``OSError`` it is and leaves the cache alone.
        """
        for name, (expected_hex, size) in self.files.items():
            if self.fresh:  # written and hashed by this process a moment ago
                shutil.copyfile(self.path(name), destination / name)
                continue
            try:
                reader = self.path(name).open("rb")
            except OSError:
                raise CorruptCacheEntry(name) from None
            hasher = hashlib.sha256()
            copied = 0
            with reader, (destination / name).open("wb") as writer:
                while chunk := _read_cached(reader, name):
                    hasher.update(chunk)
                    copied += len(chunk)
                    writer.write(chunk)
            if copied != size or hasher.hexdigest() != expected_hex:
                raise CorruptCacheEntry(name)


def _read_cached(reader: BinaryIO, name: str) -> bytes:
    try:
        return reader.read(CHUNK_SIZE)
    except OSError:
        raise CorruptCacheEntry(name) from None


class CorruptCacheEntry(Exception):
    """A cache entry does not prove itself against its digest (disk damage or tampering)."""


class Cache:
    """The cache at ``root``. Creating the object touches nothing on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.base = root / _LAYOUT_VERSION

    @classmethod
    def from_options(cls, options: SourceOptions) -> Cache:
        return cls(options.cache_dir if options.cache_dir is not None else default_cache_root())

    def _ensure(self) -> None:
        with naming_os_errors(self.root):
            for sub in ("blobs/sha256", "trees/sha256", "tmp", "locks"):
                (self.base / sub).mkdir(parents=True, exist_ok=True)

    # -- blobs -------------------------------------------------------------------------------

    def blob_path(self, digest: str) -> Path:
        return self.base / "blobs" / "sha256" / digest_hex(digest)

    def verified_blob(self, digest: str) -> Path | None:
        """The cached blob for ``digest`` if present and intact (a damaged one is removed)."""
        path = self.blob_path(digest)
        if not path.is_file():
            return None
        actual, _size = file_digest(path)
        if actual != digest:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return path

    def commit_blob(self, staged: Path, digest: str) -> Path:
        """Move a verified staged file into place; a concurrent identical commit is fine."""
        target = self.blob_path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        return target

    # -- trees -------------------------------------------------------------------------------

    def tree_folder(self, digest: str) -> Path:
        return self.base / "trees" / "sha256" / digest_hex(digest)

    def tree(self, digest: str) -> CachedTree | None:
        """The cached tree of ``digest`` as its index claims it; ``None`` if there is none.

        Unproven: the caller checks the claims against what the pinned digest fixes
        (``fetch._cached_tree``). ``CorruptCacheEntry`` if the index cannot be read at all.
        """
        check_digest(digest, "cache key")
        folder = self.tree_folder(digest)
        if not folder.exists():
            return None
        try:
            index = json.loads((folder / _TREE_INDEX).read_text(encoding="utf-8"))
            files = {
                str(name): (str(entry["sha256"]), int(entry["size"]))
                for name, entry in index["files"].items()
            }
            annotations = {str(k): str(v) for k, v in index.get("annotations", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise CorruptCacheEntry(f"{_TREE_INDEX} is missing or unreadable") from None
        if any(not _plain_name(name) for name in files):
            raise CorruptCacheEntry(f"{_TREE_INDEX} names a file outside the tree")
        return CachedTree(digest, folder, annotations, files)

    def read_blob(self, digest: str, limit: int) -> bytes | None:
        """The cached blob of ``digest`` if it is there, at most ``limit`` bytes, and hashes to it."""
        try:
            with self.blob_path(digest).open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError:
            return None
        if len(data) > limit or sha256_digest(data) != digest:
            return None
        return data

    def staging_dir(self) -> Path:
        self._ensure()
        with naming_os_errors(self.root):
            return Path(tempfile.mkdtemp(prefix="stage-", dir=self.base / "tmp"))

    def commit_tree(
        self,
        digest: str,
        staged: Path,
        files: Mapping[str, tuple[str, int]],
        annotations: Mapping[str, str],
    ) -> CachedTree:
        """Turn a staging folder holding ``files/<name>`` into the tree of ``digest``.

        The index is written last inside the staging folder, and the folder is renamed
        into place in one step: a reader sees a whole tree or none.
        """
        index = {
            "digest": digest,
            "annotations": dict(sorted(annotations.items())),
            "files": {name: {"sha256": h, "size": s} for name, (h, s) in sorted(files.items())},
        }
        (staged / _TREE_INDEX).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
        target = self.tree_folder(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(staged, target)
        except OSError:
            # Another process committed the same digest first; its tree is equally valid.
            if not (target / _TREE_INDEX).is_file():
                raise
            shutil.rmtree(staged, ignore_errors=True)
        return CachedTree(digest, target, dict(annotations), dict(files), fresh=True)

    def drop_tree(self, digest: str) -> None:
        """Remove a damaged tree (renamed aside first, so no reader sees half of it)."""
        folder = self.tree_folder(digest)
        if folder.exists():
            self._ensure()
            graveyard = Path(tempfile.mkdtemp(prefix="drop-", dir=self.base / "tmp"))
            with contextlib.suppress(OSError):
                os.rename(folder, graveyard / "tree")
            shutil.rmtree(graveyard, ignore_errors=True)

    # -- locking -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, digest: str) -> Iterator[None]:
        """Serialise work on one digest across processes (the others then find it cached)."""
        self._ensure()
        with file_lock(
            self.base / "locks" / f"{digest_hex(digest)}.lock",
            what=f"cache entry {digest} of {self.root}",
            busy=f"{self.root}: cache entry {digest}",
            timeout=_LOCK_TIMEOUT_SECONDS,
        ):
            self._sweep_stale_staging()
            yield

    def _sweep_stale_staging(self) -> None:
        """Remove staging leftovers of crashed runs; recent ones may belong to live processes."""
        cutoff = time.time() - _STALE_STAGING_SECONDS
        with contextlib.suppress(OSError):
            for entry in (self.base / "tmp").iterdir():
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        if entry.is_dir():
                            shutil.rmtree(entry, ignore_errors=True)
                        else:
                            entry.unlink()
