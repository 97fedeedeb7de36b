"""The few OCI distribution API calls this package makes, over ``Transport``."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests

from tc_contracts_py.errors import IntegrityError, RegistryError
from tc_contracts_py.oci import DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST
from tc_contracts_py.oci.deadline import exchange_of
from tc_contracts_py.oci.digest import CHUNK_SIZE, check_digest, sha256_digest
from tc_contracts_py.oci.manifest import MAX_MANIFEST_BYTES
from tc_contracts_py.oci.progress import progress_for
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.oci.transport import (
    RETRY_BACKOFF_SECONDS,
    DownloadInterrupted,
    Transport,
    interruption,
    read_body,
    same_origin,
    status_error,
    too_slow,
)

T = TypeVar("T")
# One page of a tag list; the distribution API pages with `n` and a `Link: <…>; rel="next"`.
TAGS_PAGE_SIZE = 1000
MAX_TAGS_BODY_BYTES = 4 * 1024 * 1024
MAX_TAG_PAGES = 100
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX))


class ChunkSink(Protocol):
    """Receives a blob's bytes as they arrive (e.g. to unpack it during the download)."""

    def reset(self) -> None:
        """A download attempt starts: forget everything fed so far."""

    def feed(self, chunk: bytes) -> None:
        """The next chunk, already counted and hashed; must not raise for its content."""


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
    transport: Transport | None = None,
    sink: ChunkSink | None = None,
) -> None:
    """Write a response body to ``destination`` while hashing it; raise unless it matches.

    Reading stops as soon as the body runs past ``size`` (or ``limit``), so a hostile server
    cannot fill the disk, and when the exchange's deadline passes. On any failure the partial
    file is removed. ``sink`` gets each chunk too; nothing it produced may be trusted unless
    this returns.
    """
    hasher = hashlib.sha256()
    received = 0
    ceiling = size if size is not None else limit
    bar = progress_for(what, size, progress)
    exchange = exchange_of(response)
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
        if exchange is not None and exchange.expired:
            raise too_slow(what, exchange)
    except requests.exceptions.RequestException as exc:
        with contextlib.suppress(OSError):
            destination.unlink()
        if exchange is not None and exchange.expired:
            raise too_slow(what, exchange) from None
        if transport is not None:
            raise interruption(exc, what, transport) from None
        raise DownloadInterrupted(f"{what}: download interrupted ({type(exc).__name__})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise
    finally:
        response.close()
    _check_received(destination, what, digest, size, received, "sha256:" + hasher.hexdigest())


def _check_received(
    destination: Path, what: str, digest: str, size: int | None, received: int, actual: str
) -> None:
    """Remove ``destination`` and raise unless the body had the pinned size and digest."""
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
        if response.status_code == 401 and not same_origin(response.url, self.base):
            elsewhere = urlsplit(response.url).netloc
            return RegistryError(
                f"{what}: {elsewhere} is not the registry and asks for credentials (HTTP 401); "
                f"credentials for {self.reference.host} are never sent to another host"
            )
        return status_error(response, what, self.transport.credentials(self.reference.host))

    def get_manifest(self, reference: str) -> tuple[bytes, str | None]:
        """The manifest's exact bytes (at most 4 MiB) and the registry's digest header."""
        return with_retries(self.transport, lambda: self._get_manifest_once(reference))

    def tag_digest(self, tag: str) -> str | None:
        """The digest ``tag`` points at now, hashed from its bytes; None when there is no such tag."""
        return with_retries(self.transport, lambda: self._tag_digest_once(tag))

    def _tag_digest_once(self, tag: str) -> str | None:
        response = self.transport.request(
            "GET",
            f"{self.base}/manifests/{tag}",
            headers={"Accept": MANIFEST_ACCEPT},
            stream=True,
            body_bytes=MAX_MANIFEST_BYTES,
        )
        try:
            if response.status_code == 404:  # no such tag, or no such repository yet
                return None
            if response.status_code != 200:
                raise self._error(response, f"manifest {self.name}:{tag}")
            what = f"manifest {self.name}:{tag}"
            return sha256_digest(read_body(response, MAX_MANIFEST_BYTES, what, self.transport))
        finally:
            response.close()

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
            body_bytes=MAX_MANIFEST_BYTES,
        )
        try:
            if response.status_code != 200:
                raise self._error(response, f"manifest {what}")
            body = read_body(response, MAX_MANIFEST_BYTES, f"manifest {what}", self.transport)
            return body, response.headers.get("Docker-Content-Digest")
        finally:
            response.close()

    def list_tags(self) -> list[str]:
        """Every tag of the repository (``/v2/<name>/tags/list``), following ``Link`` pages.

        A next page on another scheme or host is refused rather than followed: the list
        decides which release is pinned next.
        """
        url: str | None = f"{self.base}/tags/list?{urlencode({'n': TAGS_PAGE_SIZE})}"
        tags: list[str] = []
        for _ in range(MAX_TAG_PAGES):
            if url is None:
                return tags
            page, url = with_retries(self.transport, functools.partial(self._tags_page, url))
            tags.extend(page)
        raise RegistryError(f"tags of {self.name}: more than {MAX_TAG_PAGES} pages; refused")

    def _tags_page(self, url: str) -> tuple[list[str], str | None]:
        what = f"tags of {self.name}"
        response = self.transport.request("GET", url, stream=True, body_bytes=MAX_TAGS_BODY_BYTES)
        try:
            if response.status_code != 200:
                raise self._error(response, what)
            body = read_body(response, MAX_TAGS_BODY_BYTES, what, self.transport)
            link = response.headers.get("Link", "")
        finally:
            response.close()
        try:
            document = json.loads(body)
        except ValueError:
            raise RegistryError(f"{what}: the registry's answer is not JSON") from None
        page = document.get("tags") if isinstance(document, dict) else None
        if page is None:
            page = []  # distribution answers `"tags": null` for a repository without tags
        if not isinstance(page, list) or not all(isinstance(tag, str) for tag in page):
            raise RegistryError(f"{what}: the registry's answer has no list of tags")
        match = _NEXT_LINK.search(link)
        if match is None:
            return page, None
        following = urljoin(url, match.group(1))
        if not same_origin(following, self.base):
            raise RegistryError(f"{what}: the next page is on another host ({following}); refused")
        return page, following

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
        response = self.transport.request(
            "GET", f"{self.base}/blobs/{digest}", stream=True, body_bytes=size
        )
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
        # An upload session elsewhere (another host, or http from https) gets no credentials.
        response = self.transport.request(
            "PUT",
            url,
            headers={"Content-Type": "application/octet-stream"},
            data=data,
            authenticate=same_origin(url, self.base),
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
