"""Atomic file and directory replacement, and cross-process locks.

A reader (or a crash) sees either the old content or the new, never a mix:
files are written to a temporary sibling and renamed over the target; a whole
directory is built beside the target and swapped in with one
``renameat2(RENAME_EXCHANGE)`` where the kernel offers it, or two renames with
crash recovery where it does not.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_OLD_SUFFIX = ".tc-old"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def make_sibling_temp_dir(target: Path) -> Path:
    """An empty directory beside ``target`` (same filesystem, so a rename can swap them)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))


def _renameat2_exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically. False when the platform cannot (caller falls back)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(first))


def replace_directory(target: Path, new_directory: Path) -> None:
    """Put ``new_directory`` at ``target``; the old content is removed afterwards."""
    if not target.exists():
        os.rename(new_directory, target)
        return
    if _renameat2_exchange(new_directory, target):
        shutil.rmtree(new_directory, ignore_errors=True)
        return
    parked = target.with_name(target.name + _OLD_SUFFIX)
    shutil.rmtree(parked, ignore_errors=True)
    os.rename(target, parked)
    os.rename(new_directory, target)
    shutil.rmtree(parked, ignore_errors=True)


def recover_directory(target: Path) -> None:
    """Undo a swap a crash interrupted between its two renames; remove stale temp folders."""
    parked = target.with_name(target.name + _OLD_SUFFIX)
    if parked.exists():
        if target.exists():
            shutil.rmtree(parked, ignore_errors=True)
        else:
            os.rename(parked, target)
    if target.parent.is_dir():
        for stale in target.parent.glob(f".{target.name}.*.tmp"):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)


def lock_path_for(target: Path) -> Path:
    """A lock file outside the target's folder, so generated trees stay free of lock litter."""
    key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:32]
    folder = Path(tempfile.gettempdir()) / "tc-schema-locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.lock"


@contextlib.contextmanager
def exclusive(target: Path, timeout: float = 600.0) -> Iterator[None]:
    with FileLock(str(lock_path_for(target)), timeout=timeout):
        yield
