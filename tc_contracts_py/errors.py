"""Exception hierarchy.

Library code raises these and never prints or exits; the CLI maps each family
to one exit code (see ``tc_contracts_py.cli.common.ExitCode``).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from tc_contracts_py.redaction import redact


class ContractsError(Exception):
    """Base of every error this library raises on purpose. Its message is redacted."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


class InputError(ContractsError):
    """Bad input: a file, schema, reference or option the user gave is wrong (exit 2)."""


class SchemaError(InputError):
    """A schema document is unusable. Names the file and the JSON pointer inside it."""

    def __init__(self, file: str, pointer: str, message: str) -> None:
        self.file = file
        self.pointer = pointer or ""
        self.reason = message
        location = f"{file}#{self.pointer}" if self.pointer else file
        super().__init__(f"{location}: {message}")


class ConfigError(InputError):
    """``[tool.tc-contracts]`` or a command-line option is invalid."""


class SourceError(InputError):
    """A schema source string cannot be parsed or does not exist."""


class CodegenError(ContractsError):
    """Model generation failed for a reason that is not the input's fault."""


class CheckFailure(ContractsError):
    """A check ran and said no (exit 1): the message says what and how to proceed."""


class ProtectedTagError(CheckFailure):
    """A release tag already names other content: release tags never move."""


class OperationalError(ContractsError):
    """Something outside the input failed: network, registry, filesystem (exit 3)."""


class RegistryError(OperationalError):
    """The OCI registry could not be reached or answered with an error."""


class IntegrityError(OperationalError):
    """Content did not match its pinned digest or size, or an archive is hostile."""


class OfflineError(OperationalError):
    """Offline mode was requested and the content is not in the cache."""


class PathError(InputError):
    """A path the user gave cannot be used as one: its name is too long, or it is no folder."""


class FileSystemError(OperationalError):
    """The OS refused to read or write a path: full, read-only, not permitted (exit 3)."""


# errno -> (error class, what it means, what to do). One table for every path we touch.
_OS_ERRORS: dict[int, tuple[type[ContractsError], str, str]] = {
    errno.ENOSPC: (FileSystemError, "no space left on the device", "free some space and rerun"),
    errno.EDQUOT: (FileSystemError, "disk quota exceeded", "free some space and rerun"),
    errno.EROFS: (FileSystemError, "read-only file system", "choose a writable location"),
    errno.EACCES: (FileSystemError, "permission denied", "check the folder's owner and mode"),
    errno.EPERM: (
        FileSystemError,
        "operation not permitted",
        "check the folder's attributes (an immutable folder: lsattr, chattr -i)",
    ),
    errno.ENAMETOOLONG: (
        PathError,
        "file name too long",
        "a name may have at most 255 bytes: choose a shorter path or schema name",
    ),
    errno.ENOTDIR: (PathError, "a part of the path is not a directory", "choose a folder"),
    errno.ELOOP: (PathError, "too many levels of symbolic links", "choose a real folder"),
    errno.EISDIR: (PathError, "is a directory", "name a file"),
}


def os_error(exc: OSError, path: os.PathLike[str] | str | None = None) -> ContractsError:
    """The named error for ``exc``: the path, what happened, what to do; one line.

    ``path`` is the path the user knows (``--out``, the cache root); the file the OS
    refused, when it is another one inside it, is named after it.
    """
    refused = exc.filename if isinstance(exc.filename, str) else None
    where = os.fspath(path) if path is not None else (refused or "<unknown path>")
    family, meaning, hint = _OS_ERRORS.get(
        exc.errno or 0, (FileSystemError, exc.strerror or str(exc), "")
    )
    detail = ""
    refused_name = os.path.basename(refused or "")
    # Our own staging names (".models.x1y2.tmp") mean nothing to the reader: left out.
    staging = refused_name.startswith(".") and refused_name.endswith(".tmp")
    if refused_name and refused_name != os.path.basename(where) and not staging:
        detail = f" (at {refused_name})"
    if path is not None and os.path.islink(where) and not os.path.exists(where):
        meaning = f"is a symbolic link to {os.readlink(where)!r}, which does not exist"
        family, hint, detail = PathError, "point it at a real folder", ""
    return family(f"{where}: {meaning}{detail}" + (f"; {hint}" if hint else ""))


def lock_error(exc: OSError, lock_path: os.PathLike[str] | str, protects: str) -> FileSystemError:
    """A lock file that cannot be made or opened: exit 3 naming it, whatever the errno.

    Lock files are opened with ``O_NOFOLLOW``: a symlink planted in their place is ELOOP;
    one made by another account is EACCES.
    """
    where = os.fspath(lock_path)
    _family, meaning, hint = _OS_ERRORS.get(
        exc.errno or 0, (FileSystemError, exc.strerror or str(exc), "")
    )
    if exc.errno == errno.ELOOP or os.path.islink(where):
        meaning = "it is a symbolic link, and lock files are never followed"
    if exc.errno in (errno.ELOOP, errno.EACCES, errno.EPERM) or os.path.islink(where):
        hint = "remove it if tc-schema did not make it, or check the folder's owner and mode"
    return FileSystemError(
        f"{where}: cannot create or open the lock file for {protects} ({meaning})"
        + (f"; {hint}" if hint else "")
    )


@contextlib.contextmanager
def naming_os_errors(path: os.PathLike[str] | str) -> Iterator[None]:
    """Turn an ``OSError`` raised inside into ``os_error(…, path)``."""
    try:
        yield
    except OSError as exc:
        raise os_error(exc, path) from None


@contextlib.contextmanager
def output_errors(target: os.PathLike[str] | str) -> Iterator[None]:
    """Around the writing of an output folder: refuse a target with no name of its own
    (``.``, ``..``), and name ``target`` in any OS error."""
    name = os.path.basename(os.path.normpath(os.fspath(target)))
    if name in ("", ".", "..") or os.path.basename(os.fspath(target)) in (".", ".."):
        raise PathError(
            f"{os.fspath(target)}: an output folder needs a name of its own, not '.' or '..' "
            "(it is replaced whole); name it, e.g. ./models"
        )
    with naming_os_errors(target):
        yield
