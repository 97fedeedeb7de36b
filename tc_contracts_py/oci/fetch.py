"""Fetching remote schema sources: OCI registries, OCI image layouts, release tarballs.

Whatever the source, the same steps run in the same order:

1. find the digest that is trusted: the pin (``@sha256:…``, ``#sha256=…``), or for an
   unpinned tag the sha256 of the manifest bytes the registry returned (``--frozen``
   refuses that case);
2. if the cache holds the tree of that digest and it proves itself against the digest
   (``_cached_tree``: the manifest blob hashes to it, the index equals what that manifest's
   layer blobs hold, re-derived from them), use it: no network at all. Anything else on
   disk is dropped and fetched again (offline: an ``IntegrityError``);
3. otherwise, under the digest's cache lock: fetch the manifest and check it hashes to the
   digest; check each layer blob against its descriptor's sha256 and size while streaming
   it into a private staging file; read archives with ``archive`` (links, devices, ``..``,
   absolute names, duplicates and oversize content refused). A tar+gzip layer is unpacked
   into the private staging folder while it downloads (``unpack``); those files count only
   once the blob's digest and size matched, and are deleted otherwise;
4. only then move blobs and the extracted tree into the cache, each with one rename.

A failure in 3 leaves the cache as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import semver

from tc_contracts_py.archive import UnsafeArchiveError, read_schema_files
from tc_contracts_py.atomic import (
    exclusive,
    make_sibling_temp_dir,
    output_folder,
    recover_directory,
    replace_directory,
    require_owned,
)
from tc_contracts_py.errors import (
    ConfigError,
    IntegrityError,
    OfflineError,
    SchemaError,
    SourceError,
    naming_os_errors,
    output_errors,
)
from tc_contracts_py.local_sources import read_local_files
from tc_contracts_py.oci import ANNOTATION_REF_NAME, ANNOTATION_VERSION, OCI_INDEX, OCI_MANIFEST
from tc_contracts_py.oci.cache import Cache, CachedTree, CorruptCacheEntry
from tc_contracts_py.oci.digest import CHUNK_SIZE, check_digest, digest_hex, verify_bytes
from tc_contracts_py.oci.manifest import (
    MAX_MANIFEST_BYTES,
    Descriptor,
    LayerKind,
    parse_descriptor,
    parse_manifest,
    plan_layers,
)
from tc_contracts_py.oci.reference import OciReference, is_release_tag
from tc_contracts_py.oci.registry import ChunkSink, RegistryClient, stream_to_file
from tc_contracts_py.oci.transport import Transport, status_error
from tc_contracts_py.oci.unpack import (
    FileIndex,
    LayerCollision,
    LayerUnpack,
    StreamingUnpack,
    file_chunks,
)
from tc_contracts_py.schemaset import SchemaSet, schema_set_from_files
from tc_contracts_py.source_spec import SourceKind, SourceOptions, SourceSpec, parse_source

REMOTE_KINDS = (SourceKind.OCI, SourceKind.OCI_LAYOUT, SourceKind.HTTPS)
# Fetches a descriptor's blob into a staging path, verified, or raises; feeds the sink too.
BlobFetcher = Callable[[Descriptor, Path, ChunkSink | None], None]


@dataclass(frozen=True)
class Materialized:
    """A verified artifact in the cache: the digest it is trusted by and its file tree."""

    digest: str
    tree: CachedTree
    origin: str

    @property
    def annotations(self) -> Mapping[str, str]:
        return self.tree.annotations


@dataclass(frozen=True)
class PullResult:
    origin: str
    digest: str | None
    files: tuple[str, ...]
    annotations: Mapping[str, str] = field(default_factory=dict)
    out: Path | None = None


def load_remote_source(spec: SourceSpec, options: SourceOptions) -> SchemaSet:
    """The checked schema set of an OCI reference, an OCI layout or a release tarball."""
    materialized, contents = _consume(spec, options, lambda tree: tree.read_verified())
    try:
        return schema_set_from_files(
            contents,
            origin=materialized.origin,
            annotations=materialized.annotations,
            source_digest=materialized.digest,
        )
    except SchemaError as exc:
        raise SchemaError(f"{materialized.origin}:{exc.file}", exc.pointer, exc.reason) from None


T = TypeVar("T")


def _consume(
    spec: SourceSpec, options: SourceOptions, reader: Callable[[CachedTree], T]
) -> tuple[Materialized, T]:
    """Materialise, then read the tree with ``reader`` (which checks every file's hash).

    A cache entry damaged since it was written is dropped and fetched once more; offline,
    or if it happens twice, that is an ``IntegrityError``.
    """
    for attempt in range(2):
        materialized = materialize(spec, options)
        try:
            return materialized, reader(materialized.tree)
        except CorruptCacheEntry as exc:
            cache = Cache.from_options(options)
            cache.drop_tree(materialized.digest)
            if attempt or options.offline:
                raise _unproven(
                    materialized.origin, cache, f"cached file {exc} does not match its digest"
                ) from None
    raise AssertionError("unreachable")


def materialize(spec: SourceSpec, options: SourceOptions) -> Materialized:
    """Make sure the verified tree of a remote source is in the cache, and return it."""
    if spec.kind is SourceKind.OCI:
        assert spec.oci is not None
        materialized = _materialize_registry(spec, spec.oci, options)
        _check_tag_matches_version(spec.oci, materialized.annotations)
        return materialized
    if spec.kind is SourceKind.OCI_LAYOUT:
        return _materialize_layout(spec, options)
    if spec.kind is SourceKind.HTTPS:
        return _materialize_release(spec, options)
    raise SourceError(f"{spec.text}: not a remote source ({spec.kind.value})")


def _check_tag_matches_version(reference: OciReference, annotations: Mapping[str, str]) -> None:
    """A pin ``:1.1.0@<digest of 1.0.0>`` says one release and fetches another: refused."""
    labelled = annotations.get(ANNOTATION_VERSION)
    if labelled is None or not is_release_tag(reference.tag):
        return
    tag = (reference.tag or "").removeprefix("v")
    if semver.Version.is_valid(labelled) and labelled != tag:
        raise SourceError(
            f"{reference}: the tag says {tag} but the artifact it pins is version {labelled} "
            f"({ANNOTATION_VERSION}); pin the digest of {tag} (tc-schema lock)"
        )


# -- shared: building a tree from a manifest -----------------------------------------------------


def _build_tree(
    cache: Cache,
    digest: str,
    manifest_bytes: bytes,
    fetch_blob: BlobFetcher,
    options: SourceOptions,
    origin: str,
) -> CachedTree:
    """``_build_into_cache``, with an OS error (a full or read-only cache) naming the cache."""
    with naming_os_errors(cache.root):
        return _build_into_cache(cache, digest, manifest_bytes, fetch_blob, options, origin)


def _build_into_cache(
    cache: Cache,
    digest: str,
    manifest_bytes: bytes,
    fetch_blob: BlobFetcher,
    options: SourceOptions,
    origin: str,
) -> CachedTree:
    """Verify, extract and commit. Call with the digest's lock held and the manifest verified.

    Layers are taken in manifest order. A tar.gz layer that has to be fetched is unpacked
    while it downloads (``unpack.StreamingUnpack``) into the private staging folder; its
    files count only once the blob's digest and size matched, and are dropped otherwise.
    """
    manifest = parse_manifest(manifest_bytes, origin)
    plans = plan_layers(manifest, origin)
    budget = options.max_unpacked_bytes
    for plan in plans:
        if plan.descriptor.size > budget:
            raise IntegrityError(
                f"{origin}: layer {plan.descriptor.digest} is {plan.descriptor.size} bytes, "
                f"more than the {budget}-byte cap (raise max_unpacked_bytes if this is intended)"
            )
    builder = _TreeBuilder(cache, fetch_blob, origin, budget)
    try:
        for plan in plans:
            if plan.kind is LayerKind.FILE:
                assert plan.file_name is not None
                builder.add_file_layer(plan.file_name, plan.descriptor)
            else:
                builder.add_archive_layer(plan.descriptor)
        return builder.commit(digest, manifest_bytes, manifest.annotations)
    finally:
        shutil.rmtree(builder.staging, ignore_errors=True)


class _TreeBuilder:
    """The staging state of one tree: nothing reaches the cache before ``commit``."""

    def __init__(self, cache: Cache, fetch_blob: BlobFetcher, origin: str, budget: int) -> None:
        self.cache = cache
        self.fetch_blob = fetch_blob
        self.origin = origin
        self.budget = budget
        self.remaining = budget
        self.staging = cache.staging_dir()
        self.files_dir = self.staging / "files"
        self.files_dir.mkdir()
        self.index: dict[str, tuple[str, int]] = {}
        self.staged_blobs: list[tuple[Path, str]] = []
        self.blob_paths: dict[str, Path] = {}
        self.link_later: list[tuple[str, str]] = []  # (file name, blob digest)

    def have_blob(self, layer: Descriptor) -> Path | None:
        if layer.digest in self.blob_paths:
            return self.blob_paths[layer.digest]
        cached = self.cache.verified_blob(layer.digest)
        if cached is not None and cached.stat().st_size == layer.size:
            self.blob_paths[layer.digest] = cached
            return cached
        return None

    def fetch(self, layer: Descriptor, sink: ChunkSink | None) -> Path:
        temp = self.staging / f"blob-{layer.digest.removeprefix('sha256:')}"
        self.fetch_blob(layer, temp, sink)
        self.staged_blobs.append((temp, layer.digest))
        self.blob_paths[layer.digest] = temp
        return temp

    def add_file_layer(self, file_name: str, layer: Descriptor) -> None:
        if self.have_blob(layer) is None:
            self.fetch(layer, None)
        self.remaining -= layer.size
        if self.remaining < 0:
            raise UnsafeArchiveError(
                f"{self.origin}: unpacks to more than {self.budget} bytes (refused)"
            )
        self.index[file_name] = (layer.digest.removeprefix("sha256:"), layer.size)
        self.link_later.append((file_name, layer.digest))

    def add_archive_layer(self, layer: Descriptor) -> None:
        # Messages read "<origin>: layer <digest>: tar.gz: <what is wrong>".
        unpack = LayerUnpack(self.files_dir, "tar.gz", self.remaining, set(self.index))
        try:
            blob = self.have_blob(layer)
            if blob is not None:
                files = unpack.unpack(file_chunks(blob))
            else:
                with StreamingUnpack(unpack) as streaming:
                    blob = self.fetch(layer, streaming)
                    files = streaming.finish()
            if files is None:  # not gzip: a plain tar, or another compression
                files = _unpack_other(blob, self.files_dir, self.remaining, set(self.index))
        except UnsafeArchiveError as exc:
            raise UnsafeArchiveError(f"{self.origin}: layer {layer.digest}: {exc}") from None
        except LayerCollision as exc:
            raise UnsafeArchiveError(f"{self.origin}: two layers provide {exc.name!r}") from None
        self.remaining -= sum(size for _hex, size in files.values())
        self.index.update(files)

    def commit(
        self, digest: str, manifest_bytes: bytes, annotations: Mapping[str, str]
    ) -> CachedTree:
        """Everything is verified: from here on the cache changes."""
        for temp, blob_digest in self.staged_blobs:
            self.blob_paths[blob_digest] = self.cache.commit_blob(temp, blob_digest)
        manifest_temp = self.staging / "manifest"
        manifest_temp.write_bytes(manifest_bytes)
        self.cache.commit_blob(manifest_temp, digest)
        for name, blob_digest in self.link_later:
            _link_or_copy(self.blob_paths[blob_digest], self.files_dir / name)
        tree_staging = self.cache.staging_dir()
        os.rename(self.files_dir, tree_staging / "files")
        return self.cache.commit_tree(digest, tree_staging, self.index, annotations)


# -- shared: proving a cached tree against its digest ---------------------------------------------

# What a pinned digest fixes: the schema files (name -> (sha256 hex, size)) and annotations.
ContentsOf = Callable[[Cache, str, str, SourceOptions], tuple[FileIndex, Mapping[str, str]]]


def _cached_tree(
    cache: Cache,
    digest: str,
    origin: str,
    options: SourceOptions,
    contents: ContentsOf,
    *,
    refetch_offline: bool = False,
) -> CachedTree | None:
    """The cached tree of ``digest`` once it proved itself against it; ``None`` to fetch it.

    The cache is input (a CI cache may come from a store another branch wrote), so its index
    is not believed: ``contents`` re-derives what the digest fixes from blobs that hash to
    it, and the index and the ``files/`` listing must equal that. The files themselves are
    hashed against the derived index when read. An entry that fails is dropped; offline
    that is an ``IntegrityError`` (unless ``refetch_offline``: a local layout is read again),
    online it is fetched again.
    """
    try:
        claimed = cache.tree(digest)
        if claimed is None:
            return None
        files, annotations = contents(cache, digest, origin, options)
        difference = _index_difference(claimed.files, files)
        if difference:
            raise CorruptCacheEntry(
                f"its index differs from what the pinned layers hold ({difference})"
            )
        if dict(claimed.annotations) != dict(annotations):
            raise CorruptCacheEntry("its annotations differ from the pinned manifest's")
        tree = replace(claimed, files=files, annotations=dict(annotations))
        tree.check_listing()
        return tree
    except CorruptCacheEntry as exc:
        cache.drop_tree(digest)
        if options.offline and not refetch_offline:
            raise _unproven(origin, cache, str(exc)) from None
        return None


def _unproven(origin: str, cache: Cache, reason: str) -> IntegrityError:
    return IntegrityError(
        f"{origin}: the cache entry in {cache.root} fails verification against the pin: "
        f"{reason}; it was removed (pull once online to fetch it again)"
    )


def _index_difference(claimed: Mapping[str, tuple[str, int]], derived: FileIndex) -> str:
    extra = sorted(set(claimed) - set(derived))
    missing = sorted(set(derived) - set(claimed))
    changed = sorted(n for n in set(claimed) & set(derived) if claimed[n] != derived[n])
    parts = [
        f"{label}: {', '.join(names)}"
        for label, names in (("extra", extra), ("missing", missing), ("changed", changed))
        if names
    ]
    return "; ".join(parts)


def _manifest_contents(
    cache: Cache, digest: str, origin: str, options: SourceOptions
) -> tuple[FileIndex, Mapping[str, str]]:
    """The files and annotations a manifest digest fixes, from the cached manifest and blobs.

    A layer titled ``*.json`` fixes its file by its descriptor (the file is hashed when
    read); an archive layer's files are re-derived from its cached blob, which is hashed
    on the same pass.
    """
    manifest_bytes = cache.read_blob(digest, MAX_MANIFEST_BYTES)
    if manifest_bytes is None:
        raise CorruptCacheEntry("its manifest blob is missing or does not hash to the pin")
    manifest = parse_manifest(manifest_bytes, origin)
    files: FileIndex = {}
    remaining = options.max_unpacked_bytes
    for plan in plan_layers(manifest, origin):
        layer = plan.descriptor
        if plan.kind is LayerKind.FILE:
            assert plan.file_name is not None
            files[plan.file_name] = (digest_hex(layer.digest), layer.size)
            continue
        derived = _archive_contents(cache, layer, origin, remaining, set(files))
        remaining -= sum(size for _hex, size in derived.values())
        files.update(derived)
    return files, manifest.annotations


def _archive_contents(
    cache: Cache, layer: Descriptor, origin: str, budget: int, taken: set[str]
) -> FileIndex:
    """Hash the schema files of a cached archive layer (nothing written), and the blob itself."""
    blob = cache.blob_path(layer.digest)
    blob_hasher = hashlib.sha256()
    seen = 0

    def hashed_chunks() -> Iterator[bytes]:
        nonlocal seen
        for chunk in file_chunks(blob):
            blob_hasher.update(chunk)
            seen += len(chunk)
            yield chunk

    try:
        chunks = hashed_chunks()
        files = LayerUnpack(None, f"{origin}: layer {layer.digest}", budget, taken).unpack(chunks)
        for _rest in chunks:  # bytes after the gzip end count for the digest too
            pass
        if seen != layer.size or "sha256:" + blob_hasher.hexdigest() != layer.digest:
            raise CorruptCacheEntry(f"layer blob {layer.digest} does not hash to its descriptor")
        if files is None:  # not gzip: a plain tar, or another compression
            files = _unpack_other(blob, None, budget, taken)
    except OSError:
        raise CorruptCacheEntry(f"layer blob {layer.digest} is missing or unreadable") from None
    except (UnsafeArchiveError, LayerCollision):
        # The pinned blob passed these checks when it was cached: this one is not that blob.
        raise CorruptCacheEntry(f"layer blob {layer.digest} is not the archive it was") from None
    return files


def _release_contents(
    cache: Cache, digest: str, origin: str, options: SourceOptions
) -> tuple[FileIndex, Mapping[str, str]]:
    """The files a release tarball's digest fixes, re-read from the cached tarball."""
    blob = cache.verified_blob(digest)
    if blob is None:
        raise CorruptCacheEntry("its release tarball is missing or does not hash to the pin")
    try:
        members = read_schema_files(blob, max_unpacked_bytes=options.max_unpacked_bytes)
    except UnsafeArchiveError:
        raise CorruptCacheEntry("its release tarball is not the archive it was") from None
    return {name: (_sha256_hex(data), len(data)) for name, data in members.items()}, {}


def _unpack_other(
    blob: Path, files_dir: Path | None, max_unpacked_bytes: int, taken: set[str]
) -> dict[str, tuple[str, int]]:
    """An archive layer that is not gzip, read whole by ``archive.read_schema_files``.

    With ``files_dir`` ``None`` the files are only hashed (proving a cached tree).
    """
    members = read_schema_files(blob, max_unpacked_bytes=max_unpacked_bytes)
    files: dict[str, tuple[str, int]] = {}
    for name, data in members.items():
        if name in taken:
            raise LayerCollision(name)
        if files_dir is not None:
            (files_dir / name).write_bytes(data)
        files[name] = (_sha256_hex(data), len(data))
    return files


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    """Both live in the cache and are never modified in place, so a hard link is safe."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _origin(reference: OciReference, digest: str) -> str:
    return str(OciReference(reference.host, reference.repository, reference.tag, digest))


# -- registries ----------------------------------------------------------------------------------


def _materialize_registry(
    spec: SourceSpec, reference: OciReference, options: SourceOptions
) -> Materialized:
    cache = Cache.from_options(options)
    if reference.digest is None:
        if options.frozen:
            raise ConfigError(
                f"{spec.text}: --frozen needs a digest-pinned reference "
                "(host/repo:tag@sha256:…); run `tc-schema lock` to pin it"
            )
        if options.offline:
            raise OfflineError(
                f"{spec.text}: offline mode needs a digest-pinned reference; a tag can only be "
                "resolved by the registry"
            )
        with Transport(options) as transport:
            client = RegistryClient(reference, transport, insecure=options.insecure)
            digest, manifest_bytes = client.resolve(reference.tag or "latest")
            origin = _origin(reference, digest)
            tree = _cached_tree(cache, digest, origin, options, _manifest_contents)
            if tree is not None:
                return Materialized(digest, tree, origin)
            with cache.lock(digest):
                tree = _cached_tree(cache, digest, origin, options, _manifest_contents)
                if tree is None:
                    tree = _build_tree(
                        cache,
                        digest,
                        manifest_bytes,
                        _registry_fetcher(client, options),
                        options,
                        origin,
                    )
            return Materialized(digest, tree, origin)

    digest = check_digest(reference.digest, spec.text)
    origin = _origin(reference, digest)
    tree = _cached_tree(cache, digest, origin, options, _manifest_contents)
    if tree is not None:
        return Materialized(digest, tree, origin)
    if options.offline:
        raise OfflineError(
            f"{origin}: not in the cache at {cache.root} and --offline forbids the network "
            "(pull it once online, or point --cache-dir at a cache that has it)"
        )
    with cache.lock(digest):
        # Another process may have fetched it while this one waited for the lock.
        tree = _cached_tree(cache, digest, origin, options, _manifest_contents)
        if tree is not None:
            return Materialized(digest, tree, origin)
        with Transport(options) as transport:
            client = RegistryClient(reference, transport, insecure=options.insecure)
            manifest_bytes, _header = client.get_manifest(digest)
            verify_bytes(manifest_bytes, digest, None, f"manifest {origin}")
            tree = _build_tree(
                cache, digest, manifest_bytes, _registry_fetcher(client, options), options, origin
            )
    return Materialized(digest, tree, origin)


def _registry_fetcher(client: RegistryClient, options: SourceOptions) -> BlobFetcher:
    def fetch(layer: Descriptor, destination: Path, sink: ChunkSink | None) -> None:
        client.download_blob(
            layer.digest,
            layer.size,
            destination,
            limit=options.max_unpacked_bytes,
            progress=options.progress,
            sink=sink,
        )

    return fetch


# -- OCI image layouts ---------------------------------------------------------------------------


def _read_limited(path: Path, limit: int, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise SourceError(f"{what}: {path} does not exist") from None
    except OSError as exc:
        raise SourceError(f"{what}: cannot read {path} ({exc.strerror})") from None
    if len(data) > limit:
        raise IntegrityError(f"{what}: {path} is larger than {limit} bytes")
    return data


def _layout_blob(root: Path, digest: str) -> Path:
    # The digest was validated, so this stays inside blobs/sha256.
    return root / "blobs" / "sha256" / check_digest(digest, str(root)).removeprefix("sha256:")


def _select_layout_manifest(spec: SourceSpec, root: Path) -> tuple[str, int | None]:
    where = f"{root}/index.json"
    try:
        index = json.loads(_read_limited(root / "index.json", MAX_MANIFEST_BYTES, str(root)))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{where}: not JSON ({exc})") from None
    entries_value = index.get("manifests") if isinstance(index, dict) else None
    if not isinstance(entries_value, list):
        raise IntegrityError(f"{where}: no manifests list")
    entries = [
        parse_descriptor(entry, f"{where}#/manifests/{position}")
        for position, entry in enumerate(entries_value)
    ]
    if spec.digest is not None:
        wanted = check_digest(spec.digest, spec.text)
        for entry in entries:
            if entry.digest == wanted:
                return entry.digest, entry.size
        return wanted, None
    candidates = [e for e in entries if e.media_type in (OCI_MANIFEST, OCI_INDEX)]
    if spec.reference is not None:
        tagged = [e for e in candidates if e.annotations.get(ANNOTATION_REF_NAME) == spec.reference]
        if not tagged:
            tags = sorted({t for e in candidates if (t := e.annotations.get(ANNOTATION_REF_NAME))})
            raise SourceError(
                f"{spec.text}: no manifest tagged {spec.reference!r} in {where} "
                f"(tags: {', '.join(tags) or 'none'})"
            )
        candidates = tagged
    if len(candidates) != 1:
        raise SourceError(
            f"{spec.text}: {where} lists {len(candidates)} manifests; name one with "
            "oci-layout:PATH:tag or oci-layout:PATH@sha256:…"
        )
    return candidates[0].digest, candidates[0].size


def _materialize_layout(spec: SourceSpec, options: SourceOptions) -> Materialized:
    assert spec.path is not None
    root = spec.path
    marker = root / "oci-layout"
    if not marker.is_file():
        raise SourceError(f"{spec.text}: {root} is not an OCI image layout (no oci-layout file)")
    try:
        version = json.loads(_read_limited(marker, 4096, spec.text)).get("imageLayoutVersion")
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        version = None
    if version != "1.0.0":
        raise SourceError(f"{marker}: unsupported imageLayoutVersion {version!r}")
    digest, size = _select_layout_manifest(spec, root)
    origin = f"oci-layout:{root}@{digest}"
    cache = Cache.from_options(options)
    tree = _cached_tree(cache, digest, origin, options, _manifest_contents, refetch_offline=True)
    if tree is not None:
        return Materialized(digest, tree, origin)
    manifest_bytes = _read_limited(_layout_blob(root, digest), MAX_MANIFEST_BYTES, origin)
    verify_bytes(manifest_bytes, digest, size, f"manifest {origin}")

    def fetch(layer: Descriptor, destination: Path, sink: ChunkSink | None) -> None:
        _copy_verified(_layout_blob(root, layer.digest), destination, layer, origin, sink)

    with cache.lock(digest):
        tree = _cached_tree(
            cache, digest, origin, options, _manifest_contents, refetch_offline=True
        )
        if tree is None:
            tree = _build_tree(cache, digest, manifest_bytes, fetch, options, origin)
    return Materialized(digest, tree, origin)


def _copy_verified(
    source: Path, destination: Path, layer: Descriptor, origin: str, sink: ChunkSink | None
) -> None:
    if sink is not None:
        sink.reset()
    hasher = hashlib.sha256()
    copied = 0
    what = f"{origin}: blob {layer.digest}"
    try:
        with source.open("rb") as reader, destination.open("wb") as writer:
            while chunk := reader.read(CHUNK_SIZE):
                copied += len(chunk)
                if copied > layer.size:
                    raise IntegrityError(f"{what}: larger than its descriptor's {layer.size} bytes")
                hasher.update(chunk)
                writer.write(chunk)
                if sink is not None:
                    sink.feed(chunk)
    except FileNotFoundError:
        raise SourceError(f"{what}: missing from the layout") from None
    except IntegrityError:
        destination.unlink(missing_ok=True)
        raise
    actual = "sha256:" + hasher.hexdigest()
    if copied != layer.size or actual != layer.digest:
        destination.unlink(missing_ok=True)
        detail = (
            f"expected {layer.size} bytes, got {copied}"
            if copied != layer.size
            else f"digest mismatch (got {actual})"
        )
        raise IntegrityError(f"{what}: {detail}; nothing was used")


# -- release tarballs ----------------------------------------------------------------------------


def _materialize_release(spec: SourceSpec, options: SourceOptions) -> Materialized:
    assert spec.url is not None
    digest = check_digest(spec.digest, spec.text)
    origin = f"{spec.url}#sha256={digest.removeprefix('sha256:')}"
    cache = Cache.from_options(options)
    tree = _cached_tree(cache, digest, origin, options, _release_contents)
    if tree is not None:
        return Materialized(digest, tree, origin)
    if options.offline:
        raise OfflineError(
            f"{origin}: not in the cache at {cache.root} and --offline forbids the network"
        )
    with cache.lock(digest), naming_os_errors(cache.root):
        tree = _cached_tree(cache, digest, origin, options, _release_contents)
        if tree is not None:
            return Materialized(digest, tree, origin)
        blob = cache.verified_blob(digest)
        staging = cache.staging_dir()
        try:
            if blob is None:
                temp = staging / "release.tar.gz"
                with Transport(options) as transport:
                    # Release assets are public or pre-signed; registry credentials stay home.
                    response = transport.request("GET", spec.url, stream=True, authenticate=False)
                    if response.status_code != 200:
                        try:
                            raise status_error(response, f"release asset {spec.url}", None)
                        finally:
                            response.close()
                    stream_to_file(
                        response,
                        temp,
                        digest=digest,
                        size=None,
                        limit=options.max_unpacked_bytes,
                        what=f"release asset {spec.url}",
                        progress=options.progress,
                    )
                archive_path = temp
            else:
                archive_path = blob
            files = read_schema_files(archive_path, max_unpacked_bytes=options.max_unpacked_bytes)
            if blob is None:
                cache.commit_blob(archive_path, digest)
            tree_staging = cache.staging_dir()
            (tree_staging / "files").mkdir()
            index: dict[str, tuple[str, int]] = {}
            for name, data in files.items():
                (tree_staging / "files" / name).write_bytes(data)
                index[name] = (_sha256_hex(data), len(data))
            tree = cache.commit_tree(digest, tree_staging, index, {})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Materialized(digest, tree, origin)


# -- pull ----------------------------------------------------------------------------------------


def pull(source: str | SourceSpec, options: SourceOptions, out: Path | None = None) -> PullResult:
    """Fetch and verify a source; with ``out``, replace that folder with its schema files.

    Without ``out`` only the cache is filled (what ``--offline`` runs need later). ``out`` is
    swapped in whole (temp folder + rename); it must be absent, empty, or a folder an earlier
    pull wrote (its ``.tc-schema-pull`` manifest records every file in it, by sha256), so a
    mistyped ``--out`` cannot wipe a project.
    """
    spec = parse_source(source) if isinstance(source, str) else source
    if spec.kind in REMOTE_KINDS:
        if out is None:
            materialized, _ = _consume(spec, options, lambda tree: tree.read_verified())
        else:
            materialized, _ = _consume(spec, options, lambda tree: _write_out(out, tree, None))
        tree = materialized.tree
        return PullResult(
            materialized.origin,
            materialized.digest,
            tuple(sorted(tree.files)),
            tree.annotations,
            out,
        )
    files = read_local_files(spec, options)
    if out is not None:
        _write_out(out, None, files)
    return PullResult(spec.text, None, tuple(sorted(files)), {}, out)


# Beside the schema files of a `pull --out` folder: the proof that tc-schema wrote it. No
# ".json" suffix, so nothing that reads the folder's "*.json" as schemas ever sees it.
PULL_MANIFEST = ".tc-schema-pull"
_PULL_FORMAT = "tc-schema pull --out"


def _pull_manifest(files: Mapping[str, str]) -> bytes:
    document = {"format": _PULL_FORMAT, "format_version": 1, "files": dict(sorted(files.items()))}
    return (json.dumps(document, indent=2) + "\n").encode()


def _recorded_pull_files(manifest: bytes) -> dict[str, str] | None:
    try:
        document = json.loads(manifest)
    except (ValueError, UnicodeDecodeError):
        return None
    if not (
        isinstance(document, dict)
        and document.get("format") == _PULL_FORMAT
        and document.get("format_version") == 1
        and isinstance(document.get("files"), dict)
        and all(isinstance(v, str) for v in document["files"].values())
    ):
        return None
    return {str(name): digest for name, digest in document["files"].items()}


def _write_out(out: Path, tree: CachedTree | None, contents: Mapping[str, bytes] | None) -> None:
    with output_errors(out):
        folder = output_folder(out)
    with output_errors(out), exclusive(folder):
        recover_directory(folder)
        require_owned(
            folder,
            f"--out {out}",
            PULL_MANIFEST,
            _recorded_pull_files,
            unproven="; a folder an older tc-schema pulled has none: delete it once",
        )
        staging = make_sibling_temp_dir(folder)
        try:
            digests: dict[str, str] = {}
            if tree is not None:
                tree.copy_verified(staging)
                digests.update((name, sha) for name, (sha, _size) in tree.files.items())
            for name, data in (contents or {}).items():
                (staging / name).write_bytes(data)
                digests[name] = _sha256_hex(data)
            (staging / PULL_MANIFEST).write_bytes(_pull_manifest(digests))
            replace_directory(folder, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
