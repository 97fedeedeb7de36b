"""Unpacking a tar.gz layer into private staging, from a file or while it downloads.

``LayerUnpack`` inflates a layer with ``archive.GunzipStream``, reads it with
``archive.stream_schema_files`` (every member check lives there) and writes each schema
file into a staging folder, hashing it on the way. ``StreamingUnpack`` runs that in a
worker thread fed with the chunks of a download, so inflating, hashing and writing overlap
with the transfer instead of following it.

Nothing here decides trust: the staging folder is private, and the caller commits it only
after the blob's digest and size matched its descriptor. On any failure, or when the
download starts over, the files written so far are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import queue
import threading
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import IO, cast

from tc_contracts_py.archive import GZIP_MAGIC, GunzipStream, stream_schema_files
from tc_contracts_py.oci.digest import CHUNK_SIZE

# name -> (sha256 hex, size)
FileIndex = dict[str, tuple[str, int]]
# Chunks in flight between the download and the worker: bounds memory to a few MiB.
_QUEUE_CHUNKS = 16
# Hash and write files in a thread of their own (see LayerUnpack).
WRITE_THREAD = True


class LayerCollision(Exception):
    """A schema file of this layer has the name of one an earlier layer provided."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _Aborted(Exception):
    """The download gave up or starts over; the worker stops."""


def file_chunks(path: Path, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    with path.open("rb") as reader:
        while chunk := reader.read(size):
            yield chunk


def _peek(chunks: Iterator[bytes], count: int) -> tuple[bytes, Iterator[bytes]]:
    """The first ``count`` bytes (fewer at the end), and an iterator over all of them."""
    head: list[bytes] = []
    have = 0
    while have < count:
        chunk = next(chunks, None)
        if chunk is None:
            break
        head.append(chunk)
        have += len(chunk)
    return b"".join(head)[:count], itertools.chain(head, chunks)


class LayerUnpack:
    """The schema files of one tar.gz layer, written into ``folder`` (``None``: only hashed).

    With ``write_thread`` the files are hashed and written by a thread of their own while
    this one inflates and parses (the hashes and the writes release the GIL).
    """

    def __init__(
        self,
        folder: Path | None,
        what: str,
        max_unpacked_bytes: int,
        taken: Collection[str],
        *,
        write_thread: bool | None = None,
    ) -> None:
        self.folder = folder
        self.what = what
        self.max_unpacked_bytes = max_unpacked_bytes
        self.taken = taken
        self.write_thread = WRITE_THREAD if write_thread is None else write_thread
        self.index: FileIndex = {}
        self._written: list[Path] = []
        self._current: tuple[IO[bytes] | None, hashlib._Hash, str, int] | None = None
        self._writer: _Writer | None = None

    def unpack(self, chunks: Iterator[bytes]) -> FileIndex | None:
        """Unpack the layer; ``None`` (nothing written) if it is not gzip at all.

        Raises ``UnsafeArchiveError`` for anything ``archive`` refuses, ``LayerCollision``
        for a name an earlier layer took. Files written before a failure are removed.
        """
        head, chunks = _peek(chunks, len(GZIP_MAGIC))
        if head != GZIP_MAGIC:
            return None
        if self.write_thread:
            self._writer = _Writer(self)
        try:
            stream = GunzipStream(chunks, self.what, self.max_unpacked_bytes)
            stream_schema_files(
                stream,
                self.what,
                max_unpacked_bytes=self.max_unpacked_bytes,
                open_file=self._open_file,
            )
            if self._writer is not None:
                self._writer.finish()
                self._writer = None
            self._close_current()
        except BaseException:
            self.discard()
            raise
        return self.index

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        if self._current is not None and self._current[0] is not None:
            with contextlib.suppress(OSError):
                self._current[0].close()
            self._current = None
        for path in self._written:
            with contextlib.suppress(OSError):
                path.unlink()
        self._written.clear()
        self.index.clear()

    def _open_file(self, name: str, size: int) -> Callable[[memoryview], object]:
        if name in self.taken:
            raise LayerCollision(name)
        if self._writer is not None:
            self._writer.put((name, size))
            return self._writer.put
        self._start_file(name, size)
        return self._write

    # The file operations; in the writer thread when there is one.

    def _start_file(self, name: str, size: int) -> None:
        self._close_current()
        handle = None
        if self.folder is not None:
            path = self.folder / name
            # "x": the names were checked to be plain and unique; never follow or reuse a file.
            handle = path.open("xb")
            self._written.append(path)
        self._current = (handle, hashlib.sha256(), name, size)

    def _write(self, view: memoryview) -> None:
        assert self._current is not None
        handle, hasher, _name, _size = self._current
        hasher.update(view)
        if handle is not None:
            handle.write(view)

    def _close_current(self) -> None:
        if self._current is None:
            return
        handle, hasher, name, size = self._current
        self._current = None
        if handle is not None:
            handle.close()
        self.index[name] = (hasher.hexdigest(), size)


class _Writer:
    """The thread that runs a ``LayerUnpack``'s file operations, in the order queued."""

    def __init__(self, unpack: LayerUnpack) -> None:
        self._unpack = unpack
        self._queue: queue.Queue[object] = queue.Queue(_QUEUE_CHUNKS)
        self._error: BaseException | None = None
        self._failed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tc-unpack-write", daemon=True)
        self._thread.start()

    def put(self, item: object) -> None:
        """Queue a ``(name, size)`` (a new file) or a ``memoryview`` (its next bytes)."""
        if self._failed.is_set():
            self.finish()  # raises the writer's error here, in the unpacking thread
        self._queue.put(item)

    def finish(self) -> None:
        self._queue.put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        self._failed.set()
        self._queue.put(_ABORT)
        self._thread.join()

    def _run(self) -> None:
        unpack = self._unpack
        stopping = False
        while True:
            item = self._queue.get()
            if item is _END or item is _ABORT:
                return
            if stopping:
                continue
            try:
                if isinstance(item, memoryview):
                    unpack._write(item)
                else:
                    name, size = cast(tuple[str, int], item)
                    unpack._start_file(name, size)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the unpacking thread
                self._error = exc
                self._failed.set()
                stopping = True  # keep taking items so put() never blocks


_END = object()
_ABORT = object()


class StreamingUnpack:
    """A download sink: ``LayerUnpack`` in a worker thread, fed chunk by chunk.

    ``reset`` (called before every download attempt) drops what an earlier attempt wrote
    and starts a fresh worker; ``feed`` never raises for a problem in the archive (the blob
    is downloaded and its digest checked first, so a tampered blob is reported as such);
    ``finish`` waits for the worker and returns its index or raises its error; ``abort``
    stops the worker and removes its files. Use it as a context manager so an error
    anywhere aborts it.
    """

    def __init__(self, unpack: LayerUnpack) -> None:
        self._unpack = unpack
        self._queue: queue.Queue[object] = queue.Queue(_QUEUE_CHUNKS)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._idle = threading.Event()  # the worker no longer needs chunks
        self._result: FileIndex | None = None
        self._error: BaseException | None = None

    def __enter__(self) -> StreamingUnpack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            self.abort()

    def reset(self) -> None:
        self.abort()
        self._unpack.discard()
        self._queue = queue.Queue(_QUEUE_CHUNKS)
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._result = None
        self._error = None
        self._thread = threading.Thread(
            target=self._run,
            args=(self._unpack, self._queue, self._stop, self._idle),
            name="tc-unpack",
            daemon=True,
        )
        self._thread.start()

    def feed(self, chunk: bytes) -> None:
        if self._thread is None or self._idle.is_set():
            return
        self._queue.put(chunk)

    def finish(self) -> FileIndex | None:
        """End of a verified download: the layer's files, or ``None`` if it is not gzip."""
        if self._thread is None:
            raise RuntimeError("finish() before any download")
        self._queue.put(_END)
        self._thread.join()
        self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._result

    def abort(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._queue.put(_ABORT)
        self._thread.join()
        self._thread = None
        self._unpack.discard()

    def _run(
        self,
        unpack: LayerUnpack,
        chunks: queue.Queue[object],
        stop: threading.Event,
        idle: threading.Event,
    ) -> None:
        def incoming() -> Iterator[bytes]:
            while True:
                item = chunks.get()
                if item is _END:
                    return
                if item is _ABORT or stop.is_set():
                    raise _Aborted
                assert isinstance(item, bytes)
                yield item

        source = incoming()
        try:
            self._result = unpack.unpack(source)
        except _Aborted:
            pass
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish() in the caller
            self._error = exc
        finally:
            idle.set()
            # Take whatever is still queued (up to _END or _ABORT), so feed never blocks.
            with contextlib.suppress(_Aborted):
                for _chunk in source:
                    pass
