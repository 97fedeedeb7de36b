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
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

from tc_contracts_py.errors import IntegrityError, SourceError

_isal_zlib: Any
try:  # ISA-L inflates about twice as fast as zlib; zlib is the fallback.
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - installed with the package, but not required
    _isal_zlib = None

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


class MemberChecker:
    """The checks every member must pass, in archive order; shared by all readers here.

    ``check`` returns the normalised name, or raises ``UnsafeArchiveError``: more than
    ``MAX_MEMBERS`` members, an absolute, ``..`` or backslash name, a link, a device or
    fifo, any other non-regular type, a duplicate name, or regular files adding up to more
    than ``max_unpacked_bytes``.
    """

    def __init__(self, archive: str, max_unpacked_bytes: int) -> None:
        self.archive = archive
        self.max_unpacked_bytes = max_unpacked_bytes
        self.seen: set[str] = set()
        self.total = 0
        self.count = 0

    def check(self, member: tarfile.TarInfo) -> str:
        archive = self.archive
        self.count += 1
        if self.count > MAX_MEMBERS:
            raise UnsafeArchiveError(f"{archive}: more than {MAX_MEMBERS} members")
        name = _normalized_member_name(archive, member)
        if member.issym() or member.islnk():
            raise UnsafeArchiveError(f"{archive}: member {member.name!r} is a link (refused)")
        if member.isdev() or member.isfifo():
            raise UnsafeArchiveError(
                f"{archive}: member {member.name!r} is a device or fifo (refused)"
            )
        if not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"{archive}: member {member.name!r} has an unsupported type")
        if name in self.seen:
            raise UnsafeArchiveError(f"{archive}: duplicate member {name!r}")
        self.seen.add(name)
        if member.isfile():
            self.total += member.size
            if self.total > self.max_unpacked_bytes:
                raise UnsafeArchiveError(
                    f"{archive}: unpacks to more than {self.max_unpacked_bytes} bytes (refused)"
                )
        return name


def check_members(
    archive: str, tar: tarfile.TarFile, max_unpacked_bytes: int
) -> list[tarfile.TarInfo]:
    """Validate every member; return the regular-file members. Raises ``UnsafeArchiveError``."""
    checker = MemberChecker(archive, max_unpacked_bytes)
    files: list[tarfile.TarInfo] = []
    try:
        for member in tar:
            checker.check(member)
            if member.isfile():
                files.append(member)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise UnsafeArchiveError(f"{archive}: corrupt archive ({exc})") from None
    return files


def schema_file_name(name: str) -> str | None:
    """The schema file a member named ``name`` provides (its base name), or ``None``.

    Only ``*.json`` files count; hidden ones (``._A.json`` from macOS tar) are skipped.
    """
    if not name.endswith(".json"):
        return None
    base = posixpath.basename(name)
    return None if base.startswith(".") else base


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
            base = schema_file_name(name)
            if base is None:
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


GZIP_MAGIC = b"\x1f\x8b"
# A tar is its files plus 512-byte headers and padding; this bounds that overhead so a
# gzip bomb is cut off while decompressing; the per-file cap is applied on the headers.
TAR_OVERHEAD_SLACK = 16 * 1024 * 1024
# Largest output of one inflate step: bounds memory per step even for a gzip bomb.
_INFLATE_STEP = 4 * 1024 * 1024


def gzip_output_limit(max_unpacked_bytes: int) -> int:
    """How many decompressed bytes a tar.gz may inflate to before it counts as a bomb."""
    return max_unpacked_bytes + max_unpacked_bytes // 10 + TAR_OVERHEAD_SLACK


def _decompressobj(use_isal: bool) -> Any:
    module: Any = _isal_zlib if use_isal and _isal_zlib is not None else zlib
    return module.decompressobj(wbits=31)


_GZIP_ERRORS: tuple[type[Exception], ...] = (
    (zlib.error, _isal_zlib.error) if _isal_zlib is not None else (zlib.error,)
)


class GunzipStream:
    """A gzip stream inflated front to back as a forward-only file for ``tarfile``.

    ``chunks`` yields the compressed bytes (a download, or a file read in large chunks).
    Inflating more than ``gzip_output_limit(max_unpacked_bytes)`` raises
    ``UnsafeArchiveError`` (gzip bomb), and so does corrupt or truncated data. Concatenated gzip members are joined, as gzip(1) does.
    ``views`` hands out file data as slices of the inflated blocks, without copying.
    """

    def __init__(
        self,
        chunks: Iterator[bytes],
        archive: str,
        max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
        *,
        use_isal: bool = True,
    ) -> None:
        self._chunks = chunks
        self._archive = archive
        self._max_unpacked_bytes = max_unpacked_bytes
        self._limit = gzip_output_limit(max_unpacked_bytes)
        self._use_isal = use_isal
        self._decompressor = _decompressobj(use_isal)
        self._fed = False  # the current gzip member has been given input
        self._pending = b""  # compressed input not consumed yet
        self._block = memoryview(b"")  # inflated, from self._offset on not read yet
        self._offset = 0
        self._position = 0  # absolute position of the next byte read
        self._inflated = 0
        self._ended = False

    # The file interface ``tarfile`` needs (mode "r:", which only ever seeks forward here).

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = 0) -> int:
        if whence != 0 or position < self._position:
            raise tarfile.ReadError("cannot seek backwards in a streamed archive")
        for _view in self.views(position - self._position, exact=False):
            pass
        return self._position

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._limit
        return b"".join(self.views(size, exact=False))

    # Streaming.

    def views(self, size: int, *, exact: bool = True) -> Iterator[memoryview]:
        """The next ``size`` bytes as slices of inflated blocks (``exact``: all or raise)."""
        while size > 0:
            if self._offset >= len(self._block) and not self._fill():
                if exact:
                    raise tarfile.ReadError("unexpected end of data")
                return
            take = min(size, len(self._block) - self._offset)
            view = self._block[self._offset : self._offset + take]
            self._offset += take
            self._position += take
            size -= take
            yield view

    def drain(self) -> None:
        """Inflate the rest (tar padding), so corrupt or oversized tails are still refused."""
        while self._fill():
            self._position += len(self._block)
            self._offset = len(self._block)

    def _fill(self) -> bool:
        try:
            while not self._ended:
                if not self._pending:
                    chunk = next(self._chunks, None)
                    if chunk is None:
                        self._ended = True
                        if self._fed and not self._decompressor.eof:
                            raise UnsafeArchiveError(
                                f"{self._archive}: corrupt gzip data (it ends early)"
                            )
                        return False
                    self._pending = chunk
                self._fed = True
                data = self._decompressor.decompress(self._pending, _INFLATE_STEP)
                if self._decompressor.eof:
                    # Concatenated gzip members, as gzip(1) allows.
                    self._pending = self._decompressor.unused_data
                    self._decompressor = _decompressobj(self._use_isal)
                    self._fed = False
                else:
                    self._pending = self._decompressor.unconsumed_tail
                if data:
                    self._inflated += len(data)
                    if self._inflated > self._limit:
                        raise UnsafeArchiveError(
                            f"{self._archive}: unpacks to more than "
                            f"{self._max_unpacked_bytes} bytes (refused)"
                        )
                    self._block = memoryview(data)
                    self._offset = 0
                    return True
        except _GZIP_ERRORS as exc:
            self._ended = True
            raise UnsafeArchiveError(f"{self._archive}: corrupt gzip data ({exc})") from None
        return False


def stream_schema_files(
    stream: GunzipStream,
    archive: str,
    *,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
    open_file: Callable[[str, int], Callable[[memoryview], object]],
) -> None:
    """Read a tar.gz front to back, handing each schema file's bytes to a writer.

    The same members as ``read_schema_files`` are refused, with the same checks
    (``MemberChecker``), but as each header arrives: ``open_file(base name, size)`` is
    called for a schema file only after its own header and every earlier one passed, and
    returns the callable that receives the file's bytes in order. A refusal can come after
    some files were handed out, so the caller writes them somewhere private and discards
    them on any error.
    """
    tar = _open_stream(stream, archive)
    checker = MemberChecker(archive, max_unpacked_bytes)
    taken: set[str] = set()
    with tar:
        try:
            for member in tar:
                name = checker.check(member)
                if not member.isfile():
                    continue
                base = schema_file_name(name)
                if base is None:
                    continue
                if base in taken:
                    raise UnsafeArchiveError(f"{archive}: two schema files named {base!r}")
                taken.add(base)
                write = open_file(base, member.size)
                try:
                    if member.sparse is None:
                        stream.seek(member.offset_data)
                        for view in stream.views(member.size):
                            write(view)
                    else:
                        _copy_member(tar, member, write)
                except (tarfile.TarError, EOFError):
                    raise UnsafeArchiveError(
                        f"{archive}: member {name!r} size does not match its header"
                    ) from None
        except (tarfile.TarError, EOFError) as exc:
            raise UnsafeArchiveError(f"{archive}: corrupt archive ({exc})") from None
    stream.drain()


def _open_stream(stream: GunzipStream, archive: str) -> tarfile.TarFile:
    try:
        return tarfile.TarFile(fileobj=cast(IO[bytes], stream), mode="r")
    except (tarfile.TarError, EOFError) as exc:
        raise UnsafeArchiveError(f"{archive}: not a readable tar archive ({exc})") from None


def _copy_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, write: Callable[[memoryview], object]
) -> None:
    """A sparse member through ``tarfile``'s own reader (it fills the holes)."""
    extracted = tar.extractfile(member)
    assert extracted is not None
    remaining = member.size
    while remaining:
        data = extracted.read(min(remaining, _INFLATE_STEP))
        if not data:
            raise tarfile.ReadError("unexpected end of data")
        remaining -= len(data)
        write(memoryview(data))


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
