"""Unpacking tar.gz layers front to back, from a file or while they download.

The streamed reader must accept exactly what ``archive.read_schema_files`` accepts and
refuse the rest; a refused or unverified layer leaves nothing behind: no staged files,
no cache entry, no --out.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

import tc_contracts_py.archive as archive_module
from tc_contracts_py.archive import (
    GunzipStream,
    UnsafeArchiveError,
    read_schema_files,
    reproducible_targz,
    stream_schema_files,
)
from tc_contracts_py.errors import IntegrityError
from tc_contracts_py.oci import (
    LAYER_MEDIA_TYPE,
)
from tc_contracts_py.oci.digest import sha256_digest
from tc_contracts_py.oci.fetch import pull
from tc_contracts_py.oci.unpack import LayerCollision, LayerUnpack, StreamingUnpack
from tc_contracts_py.sources import SourceOptions
from tests.hostile.helpers import GOOD_SCHEMA, OPERATIONAL, build_tar, tar_member
from tests.hostile.test_archives import HOSTILE
from tests.oci.helpers import cache_entries, out_files, push_manifest

MiB = 1024 * 1024


def _chunks(data: bytes, size: int):
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _streamed(data: bytes, *, chunk: int = 7919, use_isal: bool = True) -> dict[str, bytes]:
    """What ``stream_schema_files`` hands out, as ``{name: bytes}``."""
    files: dict[str, io.BytesIO] = {}

    def open_file(name: str, size: int):
        files[name] = io.BytesIO()
        return files[name].write

    stream = GunzipStream(_chunks(data, chunk), "layer", use_isal=use_isal)
    stream_schema_files(stream, "layer", open_file=open_file)
    return {name: buffer.getvalue() for name, buffer in files.items()}


def _whole(data: bytes) -> dict[str, bytes]:
    return read_schema_files(Path("layer"), fileobj=io.BytesIO(data))


GOOD_ARCHIVES = {
    "reproducible": reproducible_targz(
        {"A.json": GOOD_SCHEMA, "B.json": b'{"type": "string"}' * 5000, "Empty.json": b""}
    ),
    "flat": reproducible_targz({"A.json": GOOD_SCHEMA}, prefix=""),
    "hidden-and-other-files": build_tar(
        [
            tar_member("schemas/A.json", GOOD_SCHEMA),
            tar_member("schemas/._A.json", b"resource fork"),
            tar_member("schemas/README.md", b"x" * 3000),
            tar_member("schemas/sub/", type=tarfile.DIRTYPE),
        ]
    ),
    "gnu-long-names": build_tar(
        [tar_member("d" * 150 + "/Long.json", GOOD_SCHEMA)], fmt=tarfile.GNU_FORMAT
    ),
    "concatenated-gzip-members": gzip.compress(
        tar_member("A.json", GOOD_SCHEMA)[0].tobuf(tarfile.PAX_FORMAT)
        + GOOD_SCHEMA
        + b"\0" * (-len(GOOD_SCHEMA) % 512)
    )
    + gzip.compress(b"\0" * 1024),
}


@pytest.mark.parametrize("use_isal", [True, False], ids=["isal", "zlib"])
@pytest.mark.parametrize("chunk", [1, 7919, MiB])
@pytest.mark.parametrize("case", sorted(GOOD_ARCHIVES))
def test_streamed_reader_gives_what_the_whole_reader_gives(case, chunk, use_isal):
    data = GOOD_ARCHIVES[case]
    assert _streamed(data, chunk=chunk, use_isal=use_isal) == _whole(data)


def test_zlib_is_the_fallback_without_isal(monkeypatch):
    monkeypatch.setattr(archive_module, "_isal_zlib", None)
    data = GOOD_ARCHIVES["reproducible"]
    assert _streamed(data) == _whole(data)


STREAM_REFUSED = sorted(
    case
    for case, (data, code, _) in HOSTILE.items()
    if code == OPERATIONAL and data[:2] == b"\x1f\x8b" and case != "not-gzip"
)


@pytest.mark.parametrize("write_thread", [True, False], ids=["write-thread", "inline"])
@pytest.mark.parametrize("case", STREAM_REFUSED)
def test_layer_unpack_refuses_what_archive_refuses_and_leaves_nothing(case, write_thread, tmp_path):
    data, _, needle = HOSTILE[case]
    folder = tmp_path / "files"
    folder.mkdir()
    unpack = LayerUnpack(folder, "layer", 256 * MiB, set(), write_thread=write_thread)
    with pytest.raises(UnsafeArchiveError) as caught:
        unpack.unpack(_chunks(data, MiB))
    assert needle in str(caught.value) or "corrupt" in str(caught.value)
    assert list(folder.iterdir()) == []
    assert not (tmp_path.parent / "evil.json").exists()


def test_gzip_bomb_of_undeclared_padding_is_cut_while_inflating(tmp_path):
    """Honest headers, then gigabytes of zeros after the end of the tar: the inflate cap."""
    tar = build_tar([tar_member("schemas/A.json", GOOD_SCHEMA)])
    zeros = gzip.compress(b"\0" * MiB, compresslevel=9)
    bomb = tar + zeros * 300  # 300 MiB inflated, well over 2 MiB + slack
    folder = tmp_path / "files"
    folder.mkdir()
    unpack = LayerUnpack(folder, "layer", 2 * MiB, set())
    with pytest.raises(UnsafeArchiveError, match="unpacks to more than"):
        unpack.unpack(_chunks(bomb, MiB))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("write_thread", [True, False], ids=["write-thread", "inline"])
def test_layer_unpack_writes_the_files_with_their_hashes(write_thread, tmp_path):
    data = GOOD_ARCHIVES["reproducible"]
    folder = tmp_path / "files"
    folder.mkdir()
    unpack = LayerUnpack(folder, "layer", 256 * MiB, set(), write_thread=write_thread)
    index = unpack.unpack(_chunks(data, 4096))
    whole = _whole(data)
    assert index == {n: (hashlib.sha256(b).hexdigest(), len(b)) for n, b in whole.items()}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == whole


@pytest.mark.parametrize("write_thread", [True, False], ids=["write-thread", "inline"])
def test_a_write_error_surfaces_and_removes_what_was_written(write_thread, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "B.json").write_bytes(b"not ours")  # the second file cannot be created
    unpack = LayerUnpack(folder, "layer", 256 * MiB, set(), write_thread=write_thread)
    with pytest.raises(FileExistsError):
        unpack.unpack(_chunks(GOOD_ARCHIVES["reproducible"], 4096))
    assert sorted(p.name for p in folder.iterdir()) == ["B.json"]
    assert (folder / "B.json").read_bytes() == b"not ours"


def test_a_name_an_earlier_layer_took_is_a_collision(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "A.json").write_bytes(b"{}")
    unpack = LayerUnpack(folder, "layer", 256 * MiB, {"A.json"})
    with pytest.raises(LayerCollision):
        unpack.unpack(_chunks(GOOD_ARCHIVES["reproducible"], MiB))
    assert sorted(p.name for p in folder.iterdir()) == ["A.json"]
    assert (folder / "A.json").read_bytes() == b"{}"


def test_not_gzip_is_left_to_the_whole_reader(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    plain = gzip.decompress(GOOD_ARCHIVES["flat"])
    assert LayerUnpack(folder, "layer", MiB, set()).unpack(_chunks(plain, MiB)) is None
    assert list(folder.iterdir()) == []


def test_streaming_unpack_restarts_cleanly_and_aborts_without_leftovers(tmp_path):
    data = GOOD_ARCHIVES["reproducible"]
    expected = {
        name: (hashlib.sha256(body).hexdigest(), len(body)) for name, body in _whole(data).items()
    }
    folder = tmp_path / "files"
    folder.mkdir()
    with StreamingUnpack(LayerUnpack(folder, "layer", 256 * MiB, set())) as streaming:
        # A first attempt breaks off halfway; the retry starts over from the first byte.
        streaming.reset()
        for chunk in list(_chunks(data, 4096))[:3]:
            streaming.feed(chunk)
        streaming.reset()
        for chunk in _chunks(data, 4096):
            streaming.feed(chunk)
        assert streaming.finish() == expected
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)

    other = tmp_path / "other"
    other.mkdir()
    streaming = StreamingUnpack(LayerUnpack(other, "layer", 256 * MiB, set()))
    streaming.reset()
    for chunk in _chunks(data, 4096):
        streaming.feed(chunk)
    streaming.abort()
    assert list(other.iterdir()) == []


def test_a_refused_archive_does_not_stop_the_download(tmp_path):
    """The worker fails early; feeding goes on (the digest is checked first), finish raises."""
    data = HOSTILE["dotdot"][0] + b"\0" * (4 * MiB)  # trailing bytes to feed after failing
    folder = tmp_path / "files"
    folder.mkdir()
    streaming = StreamingUnpack(LayerUnpack(folder, "layer", 256 * MiB, set()))
    streaming.reset()
    for chunk in _chunks(data, 64 * 1024):
        streaming.feed(chunk)
    with pytest.raises(UnsafeArchiveError, match=r"'\.\.'"):
        streaming.finish()
    assert list(folder.iterdir()) == []


# -- through a real registry -------------------------------------------------------------------


def _push_layer(registry, repo: str, blob: bytes) -> str:
    """One tar+gzip layer in the package's own media type, pushed as is; the manifest digest."""
    return push_manifest(registry, repo, "1.0.0", [(blob, LAYER_MEDIA_TYPE, None)])


def _nothing_left(cache: Path, out: Path) -> None:
    assert not out.exists()
    assert cache_entries(cache) == []
    staging = cache / "v1" / "tmp"
    assert not staging.exists() or list(staging.iterdir()) == []


def _options(cache: Path) -> SourceOptions:
    return SourceOptions(insecure=True, cache_dir=cache, progress=False, retries=0)


@pytest.mark.registry
def test_streamed_pull_of_a_big_layer_matches_the_archive(registry, repo, tmp_path):
    files = {
        f"S{i}.json": json.dumps({"description": "x" * (3 * MiB + i)}).encode() for i in range(3)
    }
    digest = _push_layer(registry, repo, reproducible_targz(files))
    out = tmp_path / "out"
    pull(f"{registry.host}/{repo}:1.0.0@{digest}", _options(tmp_path / "cache"), out)
    assert out_files(out) == files


@pytest.mark.registry
def test_valid_archive_with_the_wrong_digest_leaves_no_staging_cache_or_out(
    registry, repo, tmp_path
):
    """The substitute unpacks fine while it streams; only the digest betrays it."""
    genuine = reproducible_targz({"A.json": GOOD_SCHEMA, "B.json": GOOD_SCHEMA * 20})
    # Same size as the genuine blob, so only the digest can tell them apart.
    filler = b"".join(hashlib.sha256(b"%d" % i).hexdigest().encode() for i in range(100))
    substitute = next(
        candidate
        for width in range(len(filler))
        if len(candidate := reproducible_targz({"A.json": b'"%s"' % filler[:width]}))
        == len(genuine)
    )
    digest = _push_layer(registry, repo, genuine)
    blob = registry.blob_data_path(sha256_digest(genuine))
    blob.write_bytes(substitute)
    try:
        cache, out = tmp_path / "cache", tmp_path / "out"
        with pytest.raises(IntegrityError, match="digest mismatch"):
            pull(f"{registry.host}/{repo}:1.0.0@{digest}", _options(cache), out)
        _nothing_left(cache, out)
    finally:
        blob.write_bytes(genuine)


@pytest.mark.registry
@pytest.mark.parametrize("case", ["dotdot", "gzip-bomb-1.1GiB", "symlink-dir-escape"])
def test_hostile_layer_with_a_correct_digest_is_refused_while_streaming(
    case, registry, repo, tmp_path
):
    data, _, needle = HOSTILE[case]
    digest = _push_layer(registry, repo, data)
    cache, out = tmp_path / "cache", tmp_path / "out"
    with pytest.raises(UnsafeArchiveError) as caught:
        pull(f"{registry.host}/{repo}:1.0.0@{digest}", _options(cache), out)
    assert needle in str(caught.value)
    _nothing_left(cache, out)
    assert not (tmp_path.parent / "evil.json").exists()
