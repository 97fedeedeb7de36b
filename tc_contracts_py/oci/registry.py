"""The few OCI distribution API calls this package makes, over ``Transport``."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests

from tc_contracts_py.errors import IntegrityError, RegistryError
from tc_contracts_py.oci import DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST
from tc_contracts_py.oci.digest import CHUNK_SIZE, check_digest, sha256_digest
from tc_contracts_py.oci.manifest import MAX_MANIFEST_BYTES
from tc_contracts_py.oci.progress import progress_for
from tc_contracts_py.oci.transport import Transport, status_error
from tc_contracts_py.sources import OciReference

MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX))


def stream_to_file(
    response: requests.Response,
    destination: Path,
    *,
    digest: str,
    size: int | None,
    limit: int,
    what: str,
    progress: bool,
) -> None:
    """Write a response body to ``destination`` while hashing it; raise unless it matches.

    Reading stops as soon as the body runs past ``size`` (or ``limit``), so a hostile server
    cannot fill the disk. On any failure the partial file is removed.
    """
    hasher = hashlib.sha256()
    received = 0
    ceiling = size if size is not None else limit
    bar = progress_for(what, size, progress)
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
                bar.advance(len(chunk))
        bar.finish()
    except requests.exceptions.RequestException as exc:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise RegistryError(f"{what}: download interrupted ({type(exc).__name__})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise
    finally:
        response.close()
    actual = "sha256:" + hasher.hexdigest()
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
            try:
                for chunk in response.iter_content(64 * 1024):
                    body.extend(chunk)
                    if len(body) > MAX_MANIFEST_BYTES:
                        raise IntegrityError(
                            f"manifest {what}: larger than {MAX_MANIFEST_BYTES} bytes"
                        )
            except requests.exceptions.RequestException as exc:
                raise RegistryError(
                    f"manifest {what}: download interrupted ({type(exc).__name__})"
                ) from None
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
        self, digest: str, size: int, destination: Path, *, limit: int, progress: bool
    ) -> None:
        check_digest(digest, f"blob of {self.name}")
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
