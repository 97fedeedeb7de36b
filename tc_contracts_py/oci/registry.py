"""The few OCI distribution API calls this package makes, over ``Transport``."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests

from tc_contracts_py.errors import IntegrityError, RegistryError
from tc_contracts_py.oci import DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST
from tc_contracts_py.oci.digest import CHUNK_SIZE, check_digest, sha256_digest
from tc_contracts_py.oci.manifest import MAX_MANIFEST_BYTES
from tc_contracts_py.oci.progress import progress_for
from tc_contracts_py.oci.transport import RETRY_BACKOFF_SECONDS, Transport, status_error
from tc_contracts_py.sources import OciReference

T = TypeVar("T")
MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX))
# A per-read timeout never fires on a server that drips one byte at a time, so every body
# also has an overall deadline: a grace of a few read timeouts plus the time the body takes
# at this floor throughput.
MIN_THROUGHPUT_BYTES_PER_SECOND = 64 * 1024
_DEADLINE_READ_TIMEOUTS = 4


class ChunkSink(Protocol):
    """Receives a blob's bytes as they arrive (e.g. to unpack it during the download)."""

    def reset(self) -> None:
        """A download attempt starts: forget everything fed so far."""

    def feed(self, chunk: bytes) -> None:
        """The next chunk, already counted and hashed; must not raise for its content."""


class DownloadInterrupted(RegistryError):
    """The body broke off or came up short: worth one more try, unlike a digest mismatch."""


def body_deadline(transport: Transport, expected_bytes: int) -> float:
    read_timeout = transport.timeout[1]
    return (
        time.monotonic()
        + _DEADLINE_READ_TIMEOUTS * read_timeout
        + expected_bytes / MIN_THROUGHPUT_BYTES_PER_SECOND
    )


class _Watchdog:
    """Cut a body off at its deadline, even while a read is blocked on a dripping server.

    urllib3's ``HTTPResponse.shutdown`` unblocks a read from another thread; the reader
    then sees the body end and ``expired`` says why.
    """

    def __init__(self, response: requests.Response, deadline: float | None) -> None:
        self.expired = False
        self._timer: threading.Timer | None = None
        if deadline is not None:
            self._timer = threading.Timer(
                max(0.0, deadline - time.monotonic()), self._fire, [response]
            )
            self._timer.daemon = True
            self._timer.start()

    def _fire(self, response: requests.Response) -> None:
        self.expired = True
        with contextlib.suppress(Exception):
            response.raw.shutdown()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def interruption(
    exc: requests.exceptions.RequestException, what: str, transport: Transport
) -> DownloadInterrupted:
    if "timed out" in str(exc).lower():
        return DownloadInterrupted(
            f"{what}: no data within {transport.timeout[1]:g} s (read timeout)"
        )
    return DownloadInterrupted(f"{what}: download interrupted ({type(exc).__name__})")


def with_retries(transport: Transport, attempt_once: Callable[[], T]) -> T:
    """Run a whole download again when its body broke off, up to the transport's retry count."""
    attempt = 0
    while True:
        try:
            return attempt_once()
        except DownloadInterrupted:
            if attempt >= transport.options.retries:
                raise
            attempt += 1
            time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))


def stream_to_file(
    response: requests.Response,
    destination: Path,
    *,
    digest: str,
    size: int | None,
    limit: int,
    what: str,
    progress: bool,
    deadline: float | None = None,
    transport: Transport | None = None,
    sink: ChunkSink | None = None,
) -> None:
    """Write a response body to ``destination`` while hashing it; raise unless it matches.

    Reading stops as soon as the body runs past ``size`` (or ``limit``), so a hostile server
    cannot fill the disk. On any failure the partial file is removed. ``sink`` gets each
    chunk too; nothing it produced may be trusted unless this returns.
    """
    hasher = hashlib.sha256()
    received = 0
    ceiling = size if size is not None else limit
    bar = progress_for(what, size, progress)
    watchdog = _Watchdog(response, deadline)
    try:
        with destination.open("wb") as out:
            for chunk in response.iter_content(CHUNK_SIZE):
                received += len(chunk)
                if received > ceiling:
                    raise IntegrityError(
                        f"{what}: larger than {'its descriptor says' if size is not None else 'the size cap'} "
                        f"({ceiling} bytes); refused"
                    )
                hasher.update(chunk)
                out.write(chunk)
                if sink is not None:
                    sink.feed(chunk)
                bar.advance(len(chunk))
        bar.finish()
        if watchdog.expired:
            raise RegistryError(f"{what}: too slow, not received within the deadline")
    except requests.exceptions.RequestException as exc:
        with contextlib.suppress(OSError):
            destination.unlink()
        if watchdog.expired:
            raise RegistryError(f"{what}: too slow, not received within the deadline") from None
        if transport is not None:
            raise interruption(exc, what, transport) from None
        raise DownloadInterrupted(f"{what}: download interrupted ({type(exc).__name__})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise
    finally:
        watchdog.cancel()
        response.close()
    actual = "sha256:" + hasher.hexdigest()
    if size is not None and received < size:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise DownloadInterrupted(
            f"{what}: body ended early (expected {size} bytes, got {received})"
        )
    problem = None
    if size is not None and received != size:
        problem = f"expected {size} bytes, got {received}"
    elif actual != digest:
        problem = f"digest mismatch (expected {digest}, got {actual})"
    if problem:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise IntegrityError(f"{what}: {problem}; nothing was used")


class RegistryClient:
    """Manifests and blobs of one repository."""

    def __init__(self, reference: OciReference, transport: Transport, *, insecure: bool) -> None:
        self.reference = reference
        self.transport = transport
        scheme = "http" if insecure else "https"
        self.base = f"{scheme}://{reference.host}/v2/{reference.repository}"

    @property
    def name(self) -> str:
        return f"{self.reference.host}/{self.reference.repository}"

    def _error(self, response: requests.Response, what: str) -> RegistryError:
        return status_error(response, what, self.transport.credentials(self.reference.host))

    def get_manifest(self, reference: str) -> tuple[bytes, str | None]:
        """The manifest's exact bytes (at most 4 MiB) and the registry's digest header."""
        return with_retries(self.transport, lambda: self._get_manifest_once(reference))

    def _get_manifest_once(self, reference: str) -> tuple[bytes, str | None]:
        what = (
            f"{self.name}:{reference}"
            if not reference.startswith("sha256:")
            else f"{self.name}@{reference}"
        )
        response = self.transport.request(
            "GET",
            f"{self.base}/manifests/{reference}",
            headers={"Accept": MANIFEST_ACCEPT},
            stream=True,
        )
        try:
            if response.status_code != 200:
                raise self._error(response, f"manifest {what}")
            body = bytearray()
            watchdog = _Watchdog(response, body_deadline(self.transport, MAX_MANIFEST_BYTES))
            too_slow = RegistryError(f"manifest {what}: too slow, not received within the deadline")
            try:
                for chunk in response.iter_content(64 * 1024):
                    body.extend(chunk)
                    if len(body) > MAX_MANIFEST_BYTES:
                        raise IntegrityError(
                            f"manifest {what}: larger than {MAX_MANIFEST_BYTES} bytes"
                        )
            except requests.exceptions.RequestException as exc:
                if watchdog.expired:
                    raise too_slow from None
                raise interruption(exc, f"manifest {what}", self.transport) from None
            finally:
                watchdog.cancel()
            if watchdog.expired:
                raise too_slow
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and len(body) < int(declared):
                raise DownloadInterrupted(
                    f"manifest {what}: body ended early (expected {declared} bytes, got {len(body)})"
                )
            return bytes(body), response.headers.get("Docker-Content-Digest")
        finally:
            response.close()

    def resolve(self, tag: str) -> tuple[str, bytes]:
        """The digest of a tag, computed from the manifest bytes themselves, and those bytes."""
        body, header_digest = self.get_manifest(tag)
        digest = sha256_digest(body)
        if header_digest and header_digest != digest:
            raise IntegrityError(
                f"manifest {self.name}:{tag}: registry says {header_digest}, content is {digest}"
            )
        return digest, body

    def download_blob(
        self,
        digest: str,
        size: int,
        destination: Path,
        *,
        limit: int,
        progress: bool,
        sink: ChunkSink | None = None,
    ) -> None:
        check_digest(digest, f"blob of {self.name}")
        with_retries(
            self.transport,
            lambda: self._download_blob_once(
                digest, size, destination, limit=limit, progress=progress, sink=sink
            ),
        )

    def _download_blob_once(
        self,
        digest: str,
        size: int,
        destination: Path,
        *,
        limit: int,
        progress: bool,
        sink: ChunkSink | None,
    ) -> None:
        if sink is not None:
            sink.reset()
        response = self.transport.request("GET", f"{self.base}/blobs/{digest}", stream=True)
        if response.status_code != 200:
            try:
                raise self._error(response, f"blob {self.name}@{digest}")
            finally:
                response.close()
        stream_to_file(
            response,
            destination,
            digest=digest,
            size=size,
            limit=limit,
            what=f"blob {self.name}@{digest[:19]}…",
            progress=progress,
            deadline=body_deadline(self.transport, size),
            transport=self.transport,
            sink=sink,
        )

    def ping(self) -> None:
        """``GET /v2/``: learns the auth scheme before a body is ever sent."""
        host_base = self.base.split("/v2/", 1)[0] + "/v2/"
        response = self.transport.request("GET", host_base)
        response.close()
        if response.status_code not in (200,):
            raise self._error(response, self.reference.host)

    def blob_exists(self, digest: str) -> bool:
        response = self.transport.request("HEAD", f"{self.base}/blobs/{digest}")
        response.close()
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        raise self._error(response, f"blob {self.name}@{digest}")

    def upload_blob(self, digest: str, data: bytes) -> None:
        """Monolithic upload: POST for a session, one PUT with the bytes and their digest."""
        if self.blob_exists(digest):
            return
        response = self.transport.request("POST", f"{self.base}/blobs/uploads/")
        response.close()
        if response.status_code != 202 or "Location" not in response.headers:
            raise self._error(response, f"upload to {self.name}")
        location = urljoin(self.base + "/", response.headers["Location"])
        parts = urlsplit(location)
        query = f"{parts.query}&" if parts.query else ""
        url = urlunsplit(parts._replace(query=query + urlencode({"digest": digest})))
        response = self.transport.request(
            "PUT",
            url,
            headers={"Content-Type": "application/octet-stream"},
            data=data,
        )
        response.close()
        if response.status_code != 201:
            raise self._error(response, f"upload of blob {digest} to {self.name}")

    def put_manifest(self, tag: str, body: bytes, media_type: str) -> str | None:
        response = self.transport.request(
            "PUT",
            f"{self.base}/manifests/{tag}",
            headers={"Content-Type": media_type},
            data=body,
        )
        response.close()
        if response.status_code != 201:
            raise self._error(response, f"manifest {self.name}:{tag}")
        return response.headers.get("Docker-Content-Digest")
