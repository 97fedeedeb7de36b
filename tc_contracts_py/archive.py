"""Reading and writing schema tarballs without trusting them.

Every member is checked before anything is read or written: regular files and
directories only (no links, devices or fifos), relative paths with no ``..``,
no duplicate names, and a cap on the decompressed total so a gzip bomb is cut
off. Extraction additionally uses ``tarfile``'s ``data`` filter.
"""

from __future__ import annotations

import gzip
import io
import posixpath
import tarfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from tc_contracts_py.errors import IntegrityError, SourceError

DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 100_000
# Reproducible archives: every entry gets these, whatever the files on disk say.
FIXED_MTIME = 0
FIXED_FILE_MODE = 0o644
FIXED_DIR_MODE = 0o755


class UnsafeArchiveError(IntegrityError):
    """The archive holds something that must never be extracted."""


def _normalized_member_name(archive: str, member: tarfile.TarInfo) -> str:
    name = member.name
    if "\x00" in name:
        raise UnsafeArchiveError(f"{archive}: member name contains NUL")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"{archive}: member {name!r} has an absolute path")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise UnsafeArchiveError(f"{archive}: member {name!r} escapes the destination ('..')")
    if "\\" in name:
        raise UnsafeArchiveError(f"{archive}: member {name!r} contains a backslash")
    return posixpath.join(*parts) if parts else ""


def check_members(
    archive: str, tar: tarfile.TarFile, max_unpacked_bytes: int
) -> list[tarfile.TarInfo]:
    """Validate every member; return the regular-file members. Raises ``UnsafeArchiveError``."""
    seen: set[str] = set()
    files: list[tarfile.TarInfo] = []
    total = 0
    count = 0
    try:
        for member in tar:
            count += 1
            if count > MAX_MEMBERS:
                raise UnsafeArchiveError(f"{archive}: more than {MAX_MEMBERS} members")
            name = _normalized_member_name(archive, member)
            if member.issym() or member.islnk():
                raise UnsafeArchiveError(f"{archive}: member {member.name!r} is a link (refused)")
            if member.isdev() or member.isfifo():
                raise UnsafeArchiveError(
                    f"{archive}: member {member.name!r} is a device or fifo (refused)"
                )
            if not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(
                    f"{archive}: member {member.name!r} has an unsupported type"
                )
            if name in seen:
                raise UnsafeArchiveError(f"{archive}: duplicate member {name!r}")
            seen.add(name)
            if member.isfile():
                total += member.size
                if total > max_unpacked_bytes:
                    raise UnsafeArchiveError(
                        f"{archive}: unpacks to more than {max_unpacked_bytes} bytes (refused)"
                    )
                files.append(member)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise UnsafeArchiveError(f"{archive}: corrupt archive ({exc})") from None
    return files


def _open(path: Path, fileobj: IO[bytes] | None = None) -> tarfile.TarFile:
    try:
        if fileobj is not None:
            return tarfile.open(name=str(path), fileobj=fileobj, mode="r:*")
        return tarfile.open(path, mode="r:*")
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise UnsafeArchiveError(f"{path}: not a readable tar archive ({exc})") from None


def read_schema_files(
    path: Path,
    *,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
    fileobj: IO[bytes] | None = None,
) -> dict[str, bytes]:
    """The ``*.json`` files of a schema tarball, by file name, read in memory.

    Accepts files at the top level or in one folder (``schemas/*.json``). Nothing touches disk.
    With ``fileobj`` (e.g. an already decompressed tar in memory) the archive is read from it
    and ``path`` only names it in messages.
    """
    with _open(path, fileobj) as tar:
        members = check_members(str(path), tar, max_unpacked_bytes)
        files: dict[str, bytes] = {}
        for member in members:
            name = _normalized_member_name(str(path), member)
            if not name.endswith(".json"):
                continue
            base = posixpath.basename(name)
            if base.startswith("."):
                continue
            if base in files:
                raise UnsafeArchiveError(f"{path}: two schema files named {base!r}")
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            try:
                data = extracted.read(member.size + 1)
            except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
                raise UnsafeArchiveError(f"{path}: corrupt member {name!r} ({exc})") from None
            if len(data) != member.size:
                raise UnsafeArchiveError(f"{path}: member {name!r} size does not match its header")
            files[base] = data
    return files


def extract_safely(
    path: Path, destination: Path, *, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
) -> None:
    """Extract a checked archive into ``destination`` with the ``data`` filter."""
    with _open(path) as tar:
        check_members(str(path), tar, max_unpacked_bytes)
        try:
            tar.extractall(destination, filter="data")
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise UnsafeArchiveError(f"{path}: extraction refused ({exc})") from None


def reproducible_targz(files: Mapping[str, bytes], *, prefix: str = "schemas") -> bytes:
    """A tar.gz whose bytes depend only on file names and contents.

    Entries are sorted; mtime, owner and mode are fixed; gzip carries no name and mtime 0.
    """
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if prefix:
            info = tarfile.TarInfo(prefix)
            info.type = tarfile.DIRTYPE
            _normalize_info(info, FIXED_DIR_MODE)
            tar.addfile(info)
        for name in sorted(files):
            data = files[name]
            info = tarfile.TarInfo(f"{prefix}/{name}" if prefix else name)
            info.size = len(data)
            _normalize_info(info, FIXED_FILE_MODE)
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=out, mtime=FIXED_MTIME, compresslevel=9
    ) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def _normalize_info(info: tarfile.TarInfo, mode: int) -> None:
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = mode
    info.pax_headers = {}
