"""Helpers shared by the OCI tests."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from tc_contracts_py.oci import EMPTY_CONFIG, EMPTY_CONFIG_MEDIA_TYPE, OCI_MANIFEST
from tc_contracts_py.oci.digest import sha256_digest
from tc_contracts_py.oci.fetch import PULL_MANIFEST
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport
from tc_contracts_py.source_spec import SourceOptions


def file_hashes(folder: Path) -> dict[str, str]:
    """The schema files of a folder by sha256 (a `pull --out` manifest is not one)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != PULL_MANIFEST
    }


def out_files(folder: Path) -> dict[str, bytes]:
    """The schema files a `pull --out` folder holds, byte for byte (its manifest aside)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != PULL_MANIFEST}


def cache_entries(cache: Path) -> list[Path]:
    """Verified content in a cache: blobs and trees (staging and locks do not count)."""
    found: list[Path] = []
    for sub in ("blobs", "trees"):
        folder = cache / "v1" / sub / "sha256"
        if folder.is_dir():
            found.extend(folder.iterdir())
    return found


# -- hand-made manifests and layouts, as other tools might write them --------------------------


Layer = tuple[bytes, str, dict[str, str] | None]  # data, media type, annotations (None: no key)


def manifest_bytes(layers: list[Layer], annotations: dict[str, str] | None = None) -> bytes:
    """An OCI image manifest of the empty config and ``layers``."""
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": EMPTY_CONFIG_MEDIA_TYPE,
            "digest": sha256_digest(EMPTY_CONFIG),
            "size": len(EMPTY_CONFIG),
        },
        "layers": [
            {
                "mediaType": media_type,
                "digest": sha256_digest(data),
                "size": len(data),
                **({} if layer_annotations is None else {"annotations": layer_annotations}),
            }
            for data, media_type, layer_annotations in layers
        ],
    }
    if annotations is not None:
        manifest["annotations"] = annotations
    return json.dumps(manifest).encode()


def push_manifest(registry: Any, repo: str, tag: str, layers: list[Layer]) -> str:
    """Push hand-made layers the way other tools might; return the manifest digest."""
    body = manifest_bytes(layers)
    options = SourceOptions(insecure=True)
    with Transport(options) as transport:
        client = RegistryClient(OciReference(registry.host, repo, tag), transport, insecure=True)
        client.upload_blob(sha256_digest(EMPTY_CONFIG), EMPTY_CONFIG)
        for data, _, _ in layers:
            client.upload_blob(sha256_digest(data), data)
        client.put_manifest(tag, body, OCI_MANIFEST)
    return sha256_digest(body)


def write_layout(root: Path, layers: list[Layer], annotations: dict[str, str] | None = None) -> str:
    """An OCI image layout at ``root`` holding one manifest of ``layers``; its digest."""
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    manifest = manifest_bytes(layers, annotations)
    for data in [EMPTY_CONFIG, *(layer[0] for layer in layers), manifest]:
        (blobs / sha256_digest(data).removeprefix("sha256:")).write_bytes(data)
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    entry = {"mediaType": OCI_MANIFEST, "digest": sha256_digest(manifest), "size": len(manifest)}
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    return sha256_digest(manifest)


# -- a local HTTP server ----------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free port of 127.0.0.1 while the block runs; its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serving_folder(folder: Path) -> contextlib.AbstractContextManager[str]:
    """The files of ``folder`` over plain http, quietly."""
    return serving(partial(QuietHandler, directory=str(folder)))
