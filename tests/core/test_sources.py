from __future__ import annotations

import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tc_contracts_py.archive import UnsafeArchiveError, read_schema_files, reproducible_targz
from tc_contracts_py.errors import SchemaError, SourceError
from tc_contracts_py.sources import OciReference, SourceKind, load_schema_set, parse_source

DIGEST = "sha256:" + "ab" * 32


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("oci://ghcr.io/org/contracts-schemas:0.3.2", SourceKind.OCI),
        ("ghcr.io/org/contracts-schemas:0.3.2@" + DIGEST, SourceKind.OCI),
        ("127.0.0.1:5000/tc/contracts:1.0.0", SourceKind.OCI),
        ("localhost/tc/contracts@" + DIGEST, SourceKind.OCI),
        ("oci-layout:/tmp/layout:1.0.0", SourceKind.OCI_LAYOUT),
        ("oci-layout:/tmp/layout@" + DIGEST, SourceKind.OCI_LAYOUT),
        ("https://example.com/schemas.tar.gz#sha256=" + "cd" * 32, SourceKind.HTTPS),
        ("git:contracts-v1.2.3:schemas", SourceKind.GIT),
    ],
)
def test_source_spellings(text, kind):
    assert parse_source(text).kind is kind


def test_oci_reference_parts():
    ref = OciReference.parse("oci://ghcr.io/org/contracts-schemas:0.3.2@" + DIGEST)
    assert (ref.host, ref.repository, ref.tag, ref.digest) == (
        "ghcr.io",
        "org/contracts-schemas",
        "0.3.2",
        DIGEST,
    )
    assert ref.reference == DIGEST
    assert str(ref) == "ghcr.io/org/contracts-schemas:0.3.2@" + DIGEST


def test_layout_tag_and_digest():
    spec = parse_source("oci-layout:/tmp/some/layout:1.2.3")
    assert (spec.path, spec.reference) == (Path("/tmp/some/layout"), "1.2.3")
    spec = parse_source("oci-layout:/tmp/some/layout@" + DIGEST)
    assert (spec.path, spec.digest) == (Path("/tmp/some/layout"), DIGEST)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://example.com/schemas.tar.gz",  # the hash is mandatory
        "https://example.com/schemas.tar.gz#sha256=1234",
        "git:onlyref",
        "oci-layout:/x@sha256:nothex",
        "no/such/dir",
        "ghcr.io/Org/UPPER:1.0",
    ],
)
def test_bad_sources_are_input_errors(text):
    with pytest.raises(SourceError):
        parse_source(text)


def test_plain_file_that_is_not_an_archive(tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(SourceError, match="must be a .tar.gz"):
        parse_source(str(tmp_path / "x.json"))


def test_tarball_source_with_schemas_folder(tmp_path):
    data = reproducible_targz(
        {"User.json": b'{"type": "object"}', "Tag.json": b'{"type": "string"}'}
    )
    archive = tmp_path / "schemas.tar.gz"
    archive.write_bytes(data)
    schema_set = load_schema_set(str(archive))
    assert schema_set.names == ["Tag", "User"]


def test_reproducible_tarball_is_byte_identical():
    files = {"B.json": b"{}", "A.json": b'{"type": "string"}'}
    assert reproducible_targz(files) == reproducible_targz(dict(reversed(files.items())))
    assert reproducible_targz(files) != reproducible_targz({**files, "A.json": b"{}"})


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: [(_file("../evil.json"), b"{}")], "escapes"),
        (lambda: [(_file("/abs.json"), b"{}")], "absolute"),
        (lambda: [(_file("a.json"), b"{}"), (_file("./a.json"), b"{}")], "duplicate"),
    ],
)
def test_hostile_members_are_refused(tmp_path, build, fragment):
    archive = _tar(tmp_path / "bad.tar.gz", build())
    with pytest.raises(UnsafeArchiveError, match=fragment):
        read_schema_files(archive)


@pytest.mark.parametrize(
    "kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE]
)
def test_links_devices_and_fifos_are_refused(tmp_path, kind):
    info = _file("x.json")
    info.type = kind
    info.linkname = "/etc/passwd"
    archive = _tar(tmp_path / "bad.tar.gz", [(info, None)])
    with pytest.raises(UnsafeArchiveError, match="refused"):
        read_schema_files(archive)


def test_decompressed_size_cap(tmp_path):
    big = b" " * (2 * 1024 * 1024)
    archive = _tar(tmp_path / "bomb.tar.gz", [(_file("A.json"), b"{}" + big)])
    assert archive.stat().st_size < 64 * 1024
    with pytest.raises(UnsafeArchiveError, match="unpacks to more than"):
        read_schema_files(archive, max_unpacked_bytes=1024 * 1024)


def test_corrupt_archive_is_refused(tmp_path):
    archive = tmp_path / "junk.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08junkjunkjunk")
    with pytest.raises(UnsafeArchiveError):
        read_schema_files(archive)


def test_schema_error_inside_tarball_names_archive_and_file(tmp_path):
    archive = tmp_path / "s.tar.gz"
    archive.write_bytes(reproducible_targz({"Bad.json": b'{"type": 7}'}))
    with pytest.raises(SchemaError) as info:
        load_schema_set(str(archive))
    assert "s.tar.gz:Bad.json" in str(info.value)
    assert info.value.pointer == "/type"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_git_source_reads_a_tagged_folder(tmp_path, monkeypatch):
    repo = tmp_path / "contracts"
    (repo / "schemas").mkdir(parents=True)
    (repo / "schemas" / "User.json").write_text(json.dumps({"type": "object"}))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "v1")
    _git(repo, "tag", "contracts-v1.0.0")
    (repo / "schemas" / "User.json").write_text(json.dumps({"type": "string"}))
    (repo / "schemas" / "Extra.json").write_text(json.dumps({"type": "string"}))
    monkeypatch.chdir(repo)
    old = load_schema_set("git:contracts-v1.0.0:schemas")
    assert old.names == ["User"]
    assert old["User"].document == {"type": "object"}
    with pytest.raises(SourceError, match="git:no-such-tag:schemas"):
        load_schema_set("git:no-such-tag:schemas")
