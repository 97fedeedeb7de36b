"""Atomic file and directory replacement, output files, ownership of output folders, locks.

A reader (or a crash) sees either the old content or the new, never a mix:
files are written to a temporary sibling and renamed over the target; a whole
directory is built beside the target and swapped in with one
``renameat2(RENAME_EXCHANGE)`` where the kernel offers it, or two renames with
crash recovery where it does not. Everything staged is fsync-ed before the swap.

What is created gets the modes any program would give it under the umask (files
``0o666 & ~umask``, folders ``0o777 & ~umask``): a package generated as root in a
container must stay readable by the user the application runs as. A replaced file keeps
the mode it had.

An output folder is replaced only when it is absent, empty, or proven to be ours by
its manifest (``require_owned``); a symlinked one is followed, never swapped for a folder.
Locks live beside what they protect: ``.<name>.lock`` in the output's parent folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path

from filelock import FileLock, Timeout

from tc_contracts_py.errors import (
    InputError,
    OperationalError,
    PathError,
    lock_error,
    naming_os_errors,
)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_OLD_SUFFIX = ".tc-old"
_TEMP_SUFFIX = ".tmp"
_LOCK_SUFFIX = ".lock"
_LOCK_TIMEOUT_SECONDS = 600.0
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Paths that name an open descriptor rather than a file: writing "through" them must not
# rename a new file over whatever the descriptor is (a pipe, a tty, the shell's `>` file).
_STANDARD_STREAMS = {"-": 1, "/dev/stdout": 1, "/dev/stderr": 2}
_DESCRIPTOR_PATH = re.compile(r"/(?:dev/fd|proc/self/fd)/([0-9]+)")


def _temp_sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")


def _fsync_directory(folder: Path) -> None:
    """Make a rename inside ``folder`` durable; a filesystem that cannot is no error."""
    try:
        fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder``, deepest first, then ``folder`` itself."""
    for root, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_directory(Path(root))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace the regular file ``path`` (or create it) with ``data`` in one rename.

    A symlink is followed (its target is replaced, the link kept). A new file gets
    ``0o666 & ~umask``, a replaced one keeps its mode.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        previous: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        previous = None
    while True:
        temp = _temp_sibling(path)
        try:
            # 0o666 and the kernel applies the umask, as for any file a program creates.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            if previous is not None:
                os.fchmod(handle.fileno(), previous)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_directory(path.parent)


def output_descriptor(path: os.PathLike[str] | str) -> int | None:
    """The descriptor an output path names: ``-`` and ``/dev/stdout`` are 1, ``/dev/stderr``
    is 2, ``/dev/fd/N`` and ``/proc/self/fd/N`` are N; any other path is a file (None)."""
    text = os.fspath(path)
    if text in _STANDARD_STREAMS:
        return _STANDARD_STREAMS[text]
    match = _DESCRIPTOR_PATH.fullmatch(text)
    return int(match.group(1)) if match else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_output(path: Path, data: bytes) -> None:
    """Write a report file where the user pointed.

    A descriptor path (``/dev/stderr``, ``/dev/fd/3``) is written to that descriptor; a
    symlink is followed and kept; a device or fifo is written in place (there is nothing
    to rename over); a regular file, or a new one, is replaced atomically.
    """
    with naming_os_errors(path):
        descriptor = output_descriptor(path)
        if descriptor is not None:
            _write_all(descriptor, data)
            return
        real = Path(os.path.realpath(path)) if path.is_symlink() else path
        try:
            mode: int | None = os.stat(real).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            raise PathError(f"{path}: is a directory; name a file for the output")
        if mode is not None and not stat.S_ISREG(mode):
            fd = os.open(real, os.O_WRONLY | os.O_NOCTTY | _CLOEXEC)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            return
        if real != path and not real.parent.is_dir():
            raise PathError(
                f"{path}: is a symbolic link to {os.readlink(path)!r}, whose folder does not "
                "exist; point it at a file in an existing folder"
            )
        atomic_write_bytes(real, data)


# -- output folders ---------------------------------------------------------------------------


def output_folder(target: Path) -> Path:
    """The folder an output path names: itself, or the real folder its symlink points at.

    A symlinked output is replaced in its target's place and the link is kept; swapping
    the link itself for a folder would cut the user's tree loose from where it pointed.
    Anything there that is not a folder (``/dev/null``, a file) is refused before a lock
    or a staging folder is made beside it.
    """
    if not target.is_symlink():
        if target.exists() and not target.is_dir():
            raise PathError(f"{target}: exists and is not a directory")
        return target
    real = Path(os.path.realpath(target))
    if not real.exists():
        raise PathError(
            f"{target}: is a symbolic link to {os.readlink(target)!r}, which does not exist; "
            "point it at a real folder"
        )
    if not real.is_dir():
        raise PathError(f"{target}: is a symbolic link to {real}, which is not a directory")
    if real.parent == real:
        raise PathError(f"{target}: is a symbolic link to {real}, which cannot be replaced")
    return real


def _sha256_file(path: str) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def require_owned(
    folder: Path,
    shown: os.PathLike[str] | str,
    manifest: str,
    recorded_files: Callable[[bytes], Mapping[str, str] | None],
    *,
    ignored: Collection[str] = (),
    unproven: str = "",
) -> None:
    """Refuse (``InputError``, exit 2) to replace ``folder`` unless it is absent, empty, or
    proven to be what tc-schema wrote.

    The proof is ``folder/manifest``: ``recorded_files`` turns its bytes into the sha256 of
    every file tc-schema wrote, or ``None`` when it is not a manifest of ours. Every other
    entry (but ``ignored`` names) must be one of those files, with that digest: a stray
    ``_manifest.json``, a folder of unrelated files, a file added or edited by hand all fail.
    ``shown`` is the path as the user gave it; ``unproven`` is added to the refusal of a
    folder without a manifest (where an older version's output may have none).
    """
    where = os.fspath(shown)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise PathError(f"{where}: exists and is not a directory")
    entries = {e.name: e for e in os.scandir(folder) if e.name not in ignored}
    if not entries:
        return
    proof = entries.pop(manifest, None)
    if proof is None:
        raise InputError(
            f"{where}: not empty and has no {manifest}, so tc-schema did not write it; refusing "
            f"to replace it (choose a new or empty folder, or move its files elsewhere{unproven})"
        )
    recorded: Mapping[str, str] | None = None
    if proof.is_file(follow_symlinks=False):
        with open(proof.path, "rb") as handle:
            recorded = recorded_files(handle.read())
    if recorded is None:
        raise InputError(
            f"{where}/{manifest}: not a manifest tc-schema wrote, so tc-schema did not write "
            f"{where}; refusing to replace it (choose a new or empty folder)"
        )
    for name, entry in sorted(entries.items()):
        digest = recorded.get(name)
        if digest is None or not entry.is_file(follow_symlinks=False):
            raise InputError(
                f"{where}/{name}: not a file tc-schema wrote (not in {manifest}); refusing to "
                f"replace {where} (move it elsewhere, then rerun)"
            )
        if _sha256_file(entry.path) != digest:
            raise InputError(
                f"{where}/{name}: changed since tc-schema wrote it (its sha256 is not the one "
                f"{manifest} records); refusing to replace {where} (restore or delete the file, "
                "then rerun)"
            )


def make_sibling_temp_dir(target: Path) -> Path:
    """An empty directory beside ``target`` (same filesystem, so a rename can swap them),
    ``0o777 & ~umask`` like the folder it will become."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temp = _temp_sibling(target)
        try:
            os.mkdir(temp, 0o777)
            return temp
        except FileExistsError:
            continue


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
    """Put ``new_directory`` (fsync-ed first) at ``target``; the old content is removed afterwards."""
    fsync_tree(new_directory)
    if not target.exists():
        os.rename(new_directory, target)
    elif _renameat2_exchange(new_directory, target):
        shutil.rmtree(new_directory, ignore_errors=True)
    else:
        parked = target.with_name(target.name + _OLD_SUFFIX)
        shutil.rmtree(parked, ignore_errors=True)
        os.rename(target, parked)
        os.rename(new_directory, target)
        shutil.rmtree(parked, ignore_errors=True)
    _fsync_directory(target.parent)


def recover_directory(target: Path) -> None:
    """Undo a swap a crash interrupted between its two renames; remove stale temp folders."""
    parked = target.with_name(target.name + _OLD_SUFFIX)
    if parked.exists():
        if target.exists():
            shutil.rmtree(parked, ignore_errors=True)
        else:
            os.rename(parked, target)
    if target.parent.is_dir():
        prefix = f".{target.name}."
        for name in os.listdir(target.parent):
            stale = target.parent / name
            if name.startswith(prefix) and name.endswith(_TEMP_SUFFIX):
                if stale.is_symlink() or not stale.is_dir():
                    # Not ours (a staging folder is a folder); a left-behind link only goes.
                    if stale.is_symlink():
                        stale.unlink()
                    continue
                shutil.rmtree(stale, ignore_errors=True)


# -- locks ------------------------------------------------------------------------------------


def lock_path_for(target: Path) -> Path:
    """``.<name>.lock`` in ``target``'s parent folder: beside what it protects, where only
    those who may replace the output can create it, and outside the output itself."""
    return target.with_name(f".{target.name}{_LOCK_SUFFIX}")


@contextlib.contextmanager
def file_lock(
    path: Path, *, what: str, busy: str, timeout: float = _LOCK_TIMEOUT_SECONDS
) -> Iterator[None]:
    """Hold the cross-process lock file ``path`` (made ``0o600``, never through a symlink).

    ``what`` names what it protects; ``busy`` is the message's start when another process
    holds it past ``timeout``. A lock file that cannot be made or opened is exit 3 naming it.
    """
    lock = FileLock(os.fspath(path), mode=0o600)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise OperationalError(
            f"{busy} is locked by another process for more than {timeout:.0f} s ({path})"
        ) from None
    except OSError as exc:
        raise lock_error(exc, path, what) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def exclusive(target: Path, timeout: float = _LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Serialise the processes that replace ``target``."""
    with file_lock(
        lock_path_for(target), what=os.fspath(target), busy=os.fspath(target), timeout=timeout
    ):
        yield
