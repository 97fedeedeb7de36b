"""Hostile schema tarballs: every one refused with one line, nothing written anywhere.

Tarballs reach ``gen`` as a source (read in memory, never extracted) and the OCI cache
through ``archive.extract_safely``; both paths are attacked here.
"""

from __future__ import annotations

import gzip
import tarfile

import pytest

from tc_contracts_py.archive import (
    UnsafeArchiveError,
    extract_safely,
    read_schema_files,
)
from tests.hostile.helpers import (
    GOOD_SCHEMA,
    INPUT,
    OPERATIONAL,
    assert_refused,
    build_tar,
    invoke,
    tar_member,
    tree,
)

GiB = 1024**3
MiB = 1024**2


def _pax_override() -> bytes:
    info, data = tar_member("schemas/Ok.json", GOOD_SCHEMA)
    info.pax_headers = {"path": "../../evil.json"}
    return build_tar([(info, data)])


def _declared_bomb() -> bytes:
    """A header announcing 1.1 GiB followed by real zeros: ~1 MB on disk, 1.1 GiB inflated.

    Built from concatenated gzip members (which gzip readers join), so it costs nothing
    to make.
    """
    size = int(1.1 * GiB)
    info = tarfile.TarInfo("schemas/Bomb.json")
    info.size = size
    zeros = gzip.compress(b"\0" * MiB, compresslevel=9)
    return gzip.compress(info.tobuf(tarfile.PAX_FORMAT)) + zeros * (size // MiB + 1)


# name -> (archive bytes, exit code, text the one line must contain)
HOSTILE: dict[str, tuple[bytes, int, str]] = {
    "dotdot": (build_tar([tar_member("../evil.json", GOOD_SCHEMA)]), OPERATIONAL, "'..'"),
    "nested-dotdot": (
        build_tar([tar_member("schemas/../../evil.json", GOOD_SCHEMA)]),
        OPERATIONAL,
        "'..'",
    ),
    "absolute": (build_tar([tar_member("/tmp/evil.json", GOOD_SCHEMA)]), OPERATIONAL, "absolute"),
    "drive-letter": (build_tar([tar_member("C:/evil.json", GOOD_SCHEMA)]), OPERATIONAL, "absolute"),
    "backslash": (
        build_tar([tar_member("..\\evil.json", GOOD_SCHEMA)]),
        OPERATIONAL,
        "backslash",
    ),
    "pax-path-override": (_pax_override(), OPERATIONAL, "'..'"),
    "gnu-longname-dotdot": (
        build_tar(
            [tar_member("a" * 120 + "/../../../evil.json", GOOD_SCHEMA)], fmt=tarfile.GNU_FORMAT
        ),
        OPERATIONAL,
        "'..'",
    ),
    "symlink-absolute": (
        build_tar([tar_member("schemas/A.json", type=tarfile.SYMTYPE, linkname="/etc/passwd")]),
        OPERATIONAL,
        "is a link",
    ),
    "symlink-dir-escape": (
        build_tar(
            [
                tar_member("schemas", type=tarfile.SYMTYPE, linkname="../../.."),
                tar_member("schemas/A.json", GOOD_SCHEMA),
            ]
        ),
        OPERATIONAL,
        "is a link",
    ),
    "hardlink-outside": (
        build_tar([tar_member("schemas/A.json", type=tarfile.LNKTYPE, linkname="/etc/passwd")]),
        OPERATIONAL,
        "is a link",
    ),
    "hardlink-inside": (
        build_tar(
            [
                tar_member("schemas/A.json", GOOD_SCHEMA),
                tar_member("schemas/B.json", type=tarfile.LNKTYPE, linkname="schemas/A.json"),
            ]
        ),
        OPERATIONAL,
        "is a link",
    ),
    "char-device": (
        build_tar([tar_member("schemas/A.json", type=tarfile.CHRTYPE, devmajor=1, devminor=3)]),
        OPERATIONAL,
        "device or fifo",
    ),
    "block-device": (
        build_tar([tar_member("schemas/A.json", type=tarfile.BLKTYPE, devmajor=8, devminor=0)]),
        OPERATIONAL,
        "device or fifo",
    ),
    "fifo": (
        build_tar([tar_member("schemas/A.json", type=tarfile.FIFOTYPE)]),
        OPERATIONAL,
        "device or fifo",
    ),
    "duplicate": (
        build_tar([tar_member("schemas/A.json", GOOD_SCHEMA), tar_member("schemas/A.json", b"{}")]),
        OPERATIONAL,
        "duplicate",
    ),
    "duplicate-after-normalising": (
        build_tar(
            [tar_member("schemas/A.json", GOOD_SCHEMA), tar_member("./schemas//A.json", b"{}")]
        ),
        OPERATIONAL,
        "duplicate",
    ),
    "same-basename-two-folders": (
        build_tar([tar_member("a/A.json", GOOD_SCHEMA), tar_member("b/A.json", GOOD_SCHEMA)]),
        OPERATIONAL,
        "two schema files",
    ),
    "gzip-bomb-1.1GiB": (_declared_bomb(), OPERATIONAL, "unpacks to more than"),
    "truncated-gzip": (
        build_tar([tar_member("schemas/A.json", GOOD_SCHEMA * 50)])[:-40],
        OPERATIONAL,
        "corrupt",
    ),
    "not-gzip": (b"\x1f\x8bthis is not deflate at all" * 10, OPERATIONAL, "not a readable tar"),
    "random-bytes": (bytes(range(256)) * 8, OPERATIONAL, "not a readable tar"),
    "empty-file": (b"", OPERATIONAL, "not a readable tar"),
    "no-json-inside": (build_tar([tar_member("README.md", b"hi")]), INPUT, "no *.json"),
    "non-utf8-member-name": (
        build_tar([tar_member("schemas/\udcff\udcfe.json", GOOD_SCHEMA)], fmt=tarfile.GNU_FORMAT),
        INPUT,
        "not a usable identifier",
    ),
    "non-utf8-content": (
        build_tar([tar_member("schemas/A.json", b'{"title": "\xff\xfe"}')]),
        INPUT,
        "not UTF-8",
    ),
    "not-json": (build_tar([tar_member("schemas/A.json", b"{'a': 1,}")]), INPUT, "invalid JSON"),
    "json-array-not-schema": (
        build_tar([tar_member("schemas/A.json", b"[1, 2, 3]")]),
        INPUT,
        "must be a JSON object",
    ),
    "deep-nesting-10000": (
        build_tar([tar_member("schemas/A.json", b'{"not":' * 10_000 + b"{}" + b"}" * 10_000)]),
        INPUT,
        "nested",
    ),
    "deep-arrays-100000": (
        build_tar([tar_member("schemas/A.json", b"[" * 100_000 + b"]" * 100_000)]),
        INPUT,
        "nested",
    ),
    "huge-json-40MiB": (
        build_tar([tar_member("schemas/A.json", b"{" + b" " * (40 * MiB) + b"}")]),
        INPUT,
        "larger than",
    ),
    "case-collision": (
        build_tar(
            [tar_member("schemas/Order.json", GOOD_SCHEMA), tar_member("order.json", GOOD_SCHEMA)]
        ),
        INPUT,
        "same module",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_gen_refuses_hostile_tarball(case, tmp_path, workdir):
    data, code, needle = HOSTILE[case]
    archive = tmp_path / "in" / "contracts-schemas.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(data)
    out = tmp_path / "dest" / "models"
    before = tree(tmp_path)

    result = invoke(["gen", str(archive), "--out", str(out)])

    assert_refused(result, code, needle)
    assert not out.exists()
    assert tree(tmp_path) == before, "something was written around the destination"
    assert not (tmp_path.parent / "evil.json").exists()


@pytest.mark.parametrize(
    "case",
    sorted(
        c
        for c, (_, code, _) in HOSTILE.items()
        # two folders holding A.json extract fine; only the flat schema set cannot hold both
        if code == OPERATIONAL and c != "same-basename-two-folders"
    ),
)
def test_extract_safely_writes_nothing_for_hostile_tarball(case, tmp_path):
    data, _, needle = HOSTILE[case]
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(data)
    destination = tmp_path / "cache" / "entry"
    destination.mkdir(parents=True)
    before = tree(tmp_path)

    with pytest.raises(UnsafeArchiveError) as caught:
        extract_safely(archive, destination)

    assert needle in str(caught.value)
    assert tree(tmp_path) == before
    assert list(destination.iterdir()) == []


def test_many_members_bomb_is_cut_at_the_cap(tmp_path):
    """Each member is honest about its size; together they exceed the cap, so reading stops."""
    zeros = gzip.compress(b"\0" * MiB, compresslevel=9)
    parts = []
    for index in range(1100):  # 1.1 GiB inflated, ~1.2 MB on disk
        info = tarfile.TarInfo(f"schemas/blob{index}.bin")
        info.size = MiB
        parts.append(gzip.compress(info.tobuf(tarfile.PAX_FORMAT)) + zeros)
    archive = tmp_path / "bomb.tar.gz"
    archive.write_bytes(b"".join(parts))
    assert archive.stat().st_size < 4 * MiB

    with pytest.raises(UnsafeArchiveError, match="unpacks to more than"):
        read_schema_files(archive, max_unpacked_bytes=64 * MiB)


def test_member_count_cap(tmp_path, monkeypatch):
    import tc_contracts_py.archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 50)
    archive = tmp_path / "many.tar.gz"
    archive.write_bytes(build_tar([tar_member(f"d{i}/", type=tarfile.DIRTYPE) for i in range(51)]))
    with pytest.raises(UnsafeArchiveError, match="more than 50 members"):
        read_schema_files(archive)


def test_header_size_larger_than_data_is_refused(tmp_path):
    info, _ = tar_member("schemas/A.json", GOOD_SCHEMA)
    raw = info.tobuf(tarfile.PAX_FORMAT)
    # The header promises len(GOOD_SCHEMA) bytes; only 10 follow, then the stream ends.
    archive = tmp_path / "short.tar.gz"
    archive.write_bytes(gzip.compress(raw + GOOD_SCHEMA[:10]))
    result = invoke(["gen", str(archive), "--out", str(tmp_path / "m")])
    assert_refused(result, OPERATIONAL)
    assert not (tmp_path / "m").exists()


def test_hidden_and_non_json_members_are_ignored_not_extracted(tmp_path, workdir):
    archive = tmp_path / "ok.tar.gz"
    archive.write_bytes(
        build_tar(
            [
                tar_member("schemas/A.json", GOOD_SCHEMA),
                tar_member("schemas/._A.json", b"\x00\x05\x16\x07 mac resource fork"),
                tar_member("schemas/evil.py", b"raise SystemExit('imported!')"),
            ]
        )
    )
    out = tmp_path / "models"
    result = invoke(["gen", str(archive), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "__init__.py",
        "_manifest.json",
        "a.py",
        "py.typed",
    ]
    assert list(workdir.iterdir()) == []
