"""Publishing a schemas folder as an OCI artifact, to a registry or an OCI image layout.

The artifact is a pure function of the schema files and the annotations: a reproducible
tarball (sorted entries, fixed mtime/owner/mode, gzip mtime 0), the empty config, and a
manifest serialised with sorted keys and no whitespace. The same schemas and version
therefore always give the same manifest digest, which is what ``lock`` pins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from tc_contracts_py.archive import reproducible_targz
from tc_contracts_py.atomic import atomic_write_bytes
from tc_contracts_py.errors import (
    ConfigError,
    IntegrityError,
    ProtectedTagError,
    SchemaError,
    SourceError,
)
from tc_contracts_py.oci import (
    ANNOTATION_REF_NAME,
    ANNOTATION_REVISION,
    ANNOTATION_SOURCE,
    ANNOTATION_TITLE,
    ANNOTATION_VERSION,
    ARTIFACT_TYPE,
    EMPTY_CONFIG,
    EMPTY_CONFIG_MEDIA_TYPE,
    LAYER_MEDIA_TYPE,
    OCI_INDEX,
    OCI_MANIFEST,
)
from tc_contracts_py.oci.digest import sha256_digest
from tc_contracts_py.oci.reference import OciReference, is_release_tag
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport
from tc_contracts_py.schemaset import read_schema_folder, schema_set_from_files
from tc_contracts_py.source_spec import SourceOptions

LAYER_TITLE = "schemas.tar.gz"


@dataclass(frozen=True)
class Artifact:
    """The three blobs of one artifact and the manifest's digest."""

    layer: bytes
    config: bytes
    manifest: bytes
    digest: str
    version: str

    @property
    def layer_digest(self) -> str:
        return sha256_digest(self.layer)


@dataclass(frozen=True)
class PushResult:
    reference: OciReference  # host/repo:tag@digest, ready to paste as a pin
    digest: str
    artifact: Artifact


def checked_schema_folder(directory: Path) -> dict[str, bytes]:
    """The ``*.json`` files of a folder (or of its ``schemas/`` child), checked as a set."""
    folder, files = read_schema_folder(directory)
    try:
        # Publishing a broken set would only move the failure to every consumer.
        schema_set_from_files(files, origin=str(directory))
    except SchemaError as exc:
        raise SchemaError(str(folder / exc.file), exc.pointer, exc.reason) from None
    return files


def _check_version(version: str) -> str:
    text = version.removeprefix("v")
    if not semver.Version.is_valid(text):
        raise ConfigError(f"--version {version!r} is not a semantic version (X.Y.Z)")
    return text


def build_artifact(
    files: dict[str, bytes],
    *,
    version: str,
    source: str | None = None,
    revision: str | None = None,
) -> Artifact:
    version = _check_version(version)
    layer = reproducible_targz(files, prefix="schemas")
    annotations = {ANNOTATION_VERSION: version}
    if source:
        annotations[ANNOTATION_SOURCE] = source
    if revision:
        annotations[ANNOTATION_REVISION] = revision
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": EMPTY_CONFIG_MEDIA_TYPE,
            "digest": sha256_digest(EMPTY_CONFIG),
            "size": len(EMPTY_CONFIG),
        },
        "layers": [
            {
                "mediaType": LAYER_MEDIA_TYPE,
                "digest": sha256_digest(layer),
                "size": len(layer),
                "annotations": {ANNOTATION_TITLE: LAYER_TITLE},
            }
        ],
        "annotations": annotations,
    }
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    return Artifact(layer, EMPTY_CONFIG, body, sha256_digest(body), version)


def _tag_and_version(reference: OciReference, version: str | None) -> tuple[str, str]:
    if reference.digest:
        raise SourceError(f"{reference}: push needs a tag, not a digest")
    tag = reference.tag or (version.removeprefix("v") if version else None)
    if tag is None:
        raise ConfigError(f"{reference}: no tag; give REF a tag (host/repo:X.Y.Z) or --version")
    chosen = version or tag
    if not semver.Version.is_valid(chosen.removeprefix("v")):
        raise ConfigError(
            f"{reference}: tag {tag!r} is not a semantic version; pass --version X.Y.Z"
        )
    if is_release_tag(tag) and tag.removeprefix("v") != chosen.removeprefix("v"):
        # The tag is what people and Renovate read; the annotation what tools read.
        raise ConfigError(
            f"{reference}: tag {tag!r} and --version {version!r} disagree; "
            "a release's tag and version label must be the same"
        )
    return tag, chosen


def push(
    directory: Path,
    reference: str | OciReference,
    options: SourceOptions,
    *,
    version: str | None = None,
    source: str | None = None,
    revision: str | None = None,
    force: bool = False,
) -> PushResult:
    """Push a schemas folder; return the pinned reference (``host/repo:tag@sha256:…``).

    A tag that already names other content is left alone (``ProtectedTagError``) unless
    ``force``: consumers pin ``tag@digest``, and a moved tag makes every pin disagree.
    """
    ref = reference if isinstance(reference, OciReference) else OciReference.parse(reference)
    tag, chosen_version = _tag_and_version(ref, version)
    artifact = build_artifact(
        checked_schema_folder(directory), version=chosen_version, source=source, revision=revision
    )
    with Transport(options) as transport:
        client = RegistryClient(ref, transport, insecure=options.insecure)
        client.ping()
        _refuse_moving(client, ref, tag, artifact.digest, force)
        client.upload_blob(sha256_digest(artifact.config), artifact.config)
        client.upload_blob(artifact.layer_digest, artifact.layer)
        returned = client.put_manifest(tag, artifact.manifest, OCI_MANIFEST)
    if returned and returned != artifact.digest:
        raise IntegrityError(
            f"{ref}: the registry stored the manifest as {returned}, expected {artifact.digest}"
        )
    pinned = OciReference(ref.host, ref.repository, tag, artifact.digest)
    return PushResult(pinned, artifact.digest, artifact)


def _refuse_moving(
    client: RegistryClient, ref: OciReference, tag: str, digest: str, force: bool
) -> None:
    if force or not is_release_tag(tag):
        return  # a floating tag (latest, main) is meant to move
    current = client.tag_digest(tag)
    if current is not None and current != digest:
        raise ProtectedTagError(
            f"{ref.host}/{ref.repository}:{tag} already points at {current}, not at this "
            f"content ({digest}); release tags never move (publish a new version, or pass "
            "--force to move it deliberately)"
        )


def export_layout(
    directory: Path,
    layout: Path,
    *,
    version: str,
    tag: str | None = None,
    source: str | None = None,
    revision: str | None = None,
) -> str:
    """Write the artifact into an OCI image layout (created, or added to); return its digest.

    The layout is what ``oras``/``skopeo`` read and write (``oci-layout``, ``index.json``,
    ``blobs/sha256/…``); ``oci-layout:PATH:tag`` reads it back. Every file is written
    atomically, ``index.json`` last.
    """
    artifact = build_artifact(
        checked_schema_folder(directory), version=version, source=source, revision=revision
    )
    tag = tag or artifact.version
    blobs = layout / "blobs" / "sha256"
    for data in (artifact.config, artifact.layer, artifact.manifest):
        path = blobs / sha256_digest(data).removeprefix("sha256:")
        if not path.is_file() or path.stat().st_size != len(data):
            atomic_write_bytes(path, data)
    marker = layout / "oci-layout"
    if not marker.is_file():
        atomic_write_bytes(marker, b'{"imageLayoutVersion":"1.0.0"}')
    index_path = layout / "index.json"
    index: dict[str, Any] = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    if index_path.is_file():
        try:
            loaded = json.loads(index_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(f"{index_path}: not JSON ({exc})") from None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("manifests"), list):
            raise SourceError(f"{index_path}: not an OCI image index")
        index = loaded
    manifests = [
        entry
        for entry in index["manifests"]
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("annotations"), dict)
            and entry["annotations"].get(ANNOTATION_REF_NAME) == tag
        )
    ]
    manifests.append(
        {
            "mediaType": OCI_MANIFEST,
            "artifactType": ARTIFACT_TYPE,
            "digest": artifact.digest,
            "size": len(artifact.manifest),
            "annotations": {ANNOTATION_REF_NAME: tag},
        }
    )
    index["manifests"] = manifests
    atomic_write_bytes(index_path, (json.dumps(index, indent=2) + "\n").encode())
    return artifact.digest
