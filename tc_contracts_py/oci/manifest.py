"""Parsing manifests and deciding what each layer holds, without trusting either.

Three shapes are read:

- ours: one ``application/vnd.tc.contracts.schemas.v1.tar+gzip`` layer with ``schemas/*.json``;
- a standard ``application/vnd.oci.image.layer.v1.tar+gzip`` (or ``.tar``) layer, as
  ``oras push REF schemas/`` makes for a folder;
- one layer per file, named by ``org.opencontainers.image.title``, as
  ``oras push REF schemas/*.json`` makes (its media type is often ``…layer.v1.tar``
  although the blob is the plain file).

Layers that are neither a ``*.json`` file nor an archive (a README, say) are skipped and
never downloaded.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tc_contracts_py.errors import IntegrityError, SourceError
from tc_contracts_py.oci import (
    ANNOTATION_TITLE,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    LAYER_MEDIA_TYPE,
    OCI_INDEX,
    OCI_LAYER_TAR,
    OCI_LAYER_TAR_GZIP,
    OCI_MANIFEST,
)
from tc_contracts_py.oci.digest import check_digest, check_size

MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # the distribution spec's own limit
_ARCHIVE_MEDIA_TYPES = frozenset(
    {
        LAYER_MEDIA_TYPE,
        OCI_LAYER_TAR_GZIP,
        OCI_LAYER_TAR,
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/gzip",
        "application/x-gtar",
        "application/x-tar",
    }
)
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
_SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str | None:
        return self.annotations.get(ANNOTATION_TITLE)


@dataclass(frozen=True)
class Manifest:
    media_type: str
    artifact_type: str | None
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: Mapping[str, str]


class LayerKind(Enum):
    FILE = "file"  # the blob is one schema file
    ARCHIVE = "archive"  # the blob is a tar or tar.gz of schema files


@dataclass(frozen=True)
class LayerPlan:
    descriptor: Descriptor
    kind: LayerKind
    file_name: str | None = None  # for FILE layers: the sanitised base name


def _string_map(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise IntegrityError(f"{where}: annotations must map strings to strings")
    return dict(value)


def parse_descriptor(value: object, where: str) -> Descriptor:
    if not isinstance(value, dict):
        raise IntegrityError(f"{where}: a descriptor must be a JSON object")
    media_type = value.get("mediaType")
    if not isinstance(media_type, str) or not media_type:
        raise IntegrityError(f"{where}: descriptor without a mediaType")
    return Descriptor(
        media_type=media_type,
        digest=check_digest(value.get("digest"), f"{where}/digest"),
        size=check_size(value.get("size"), f"{where}/size"),
        annotations=_string_map(value.get("annotations"), f"{where}/annotations"),
    )


def parse_manifest(data: bytes, where: str) -> Manifest:
    """Parse verified manifest bytes. Raises ``IntegrityError``/``SourceError`` with ``where``."""
    try:
        document: Any = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{where}: manifest is not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise IntegrityError(f"{where}: manifest is not a JSON object")
    media_type = document.get("mediaType") or OCI_MANIFEST
    if media_type in (OCI_INDEX, DOCKER_MANIFEST_LIST) or "manifests" in document:
        raise SourceError(
            f"{where}: is an image index, not a single artifact manifest (reference one of its "
            "manifests by digest)"
        )
    if media_type not in (OCI_MANIFEST, DOCKER_MANIFEST):
        raise SourceError(f"{where}: unsupported manifest media type {media_type!r}")
    if document.get("schemaVersion") != 2:
        raise IntegrityError(f"{where}: manifest schemaVersion is not 2")
    layers_value = document.get("layers")
    if not isinstance(layers_value, list):
        raise IntegrityError(f"{where}: manifest has no layers list")
    artifact_type = document.get("artifactType")
    return Manifest(
        media_type=media_type,
        artifact_type=artifact_type if isinstance(artifact_type, str) else None,
        config=parse_descriptor(document.get("config"), f"{where}#/config"),
        layers=tuple(
            parse_descriptor(layer, f"{where}#/layers/{index}")
            for index, layer in enumerate(layers_value)
        ),
        annotations=_string_map(document.get("annotations"), f"{where}#/annotations"),
    )


def sanitize_title(title: str, where: str) -> str:
    """The base name a layer title may be written as. Refuses escapes; never guesses."""
    if "\x00" in title or "\\" in title:
        raise IntegrityError(f"{where}: layer title {title!r} contains NUL or a backslash")
    if title.startswith("/") or re.match(r"^[A-Za-z]:", title):
        raise IntegrityError(f"{where}: layer title {title!r} is an absolute path")
    parts = [part for part in title.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise IntegrityError(f"{where}: layer title {title!r} escapes the destination ('..')")
    base = posixpath.basename("/".join(parts))
    if not _SAFE_NAME_RE.match(base):
        raise IntegrityError(f"{where}: layer title {title!r} is not a plain file name")
    return base


def plan_layers(manifest: Manifest, where: str) -> list[LayerPlan]:
    """What to do with each layer; schema-free layers are left out. Refuses name clashes."""
    plans: list[LayerPlan] = []
    names: set[str] = set()
    for index, layer in enumerate(manifest.layers):
        layer_where = f"{where}#/layers/{index}"
        title = layer.title
        if title is not None and title.lower().endswith(".json"):
            name = sanitize_title(title, layer_where)
            if name in names:
                raise IntegrityError(f"{layer_where}: two layers are titled {name!r}")
            names.add(name)
            plans.append(LayerPlan(layer, LayerKind.FILE, name))
        elif layer.media_type in _ARCHIVE_MEDIA_TYPES or (
            title is not None and title.lower().endswith(_ARCHIVE_SUFFIXES)
        ):
            if title is not None:
                sanitize_title(title, layer_where)
            plans.append(LayerPlan(layer, LayerKind.ARCHIVE))
    if not plans:
        raise SourceError(
            f"{where}: no layer holds schemas (expected a tar+gzip layer or layers titled *.json)"
        )
    return plans
