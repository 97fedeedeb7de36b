"""The pinned schemas artifact over OCI: push, lock, pull and verify.

Nothing fetched is used before its sha256 and size match the pin or the descriptor
that names it. oras-py is not used at runtime: it verifies nothing, has no timeouts and
retries for minutes (see ``docs/oci.md``); all HTTP goes through ``transport``.
"""

from __future__ import annotations

ARTIFACT_TYPE = "application/vnd.tc.contracts.schemas.v1"
LAYER_MEDIA_TYPE = "application/vnd.tc.contracts.schemas.v1.tar+gzip"
EMPTY_CONFIG_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_CONFIG = b"{}"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"

ANNOTATION_TITLE = "org.opencontainers.image.title"
ANNOTATION_VERSION = "org.opencontainers.image.version"
ANNOTATION_SOURCE = "org.opencontainers.image.source"
ANNOTATION_REVISION = "org.opencontainers.image.revision"
ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
