"""OCI layouts, release tarballs, artifacts other tools push, and hostile artifacts."""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tc_contracts_py.archive import reproducible_targz
from tc_contracts_py.cli import ExitCode
from tc_contracts_py.errors import IntegrityError, SourceError
from tc_contracts_py.oci import (
    ANNOTATION_TITLE,
    OCI_LAYER_TAR,
    OCI_LAYER_TAR_GZIP,
)
from tc_contracts_py.oci.fetch import pull
from tc_contracts_py.oci.push import export_layout, push
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport, requests_sent
from tc_contracts_py.sources import OciReference, SourceOptions, load_schema_set
from tests.hostile.helpers import build_tar, tar_member
from tests.oci.helpers import cache_entries, file_hashes, push_manifest, serving_folder

OPTIONS = SourceOptions(insecure=True)


# -- OCI image layouts -----------------------------------------------------------------------


def test_layout_from_export_layout_reads_back_identically(schemas, tmp_path, run):
    layout = tmp_path / "layout"
    digest = export_layout(schemas, layout, version="1.0.0")
    export_layout(FIXTURES / "1.1.0", layout, version="1.1.0")
    index = json.loads((layout / "index.json").read_text())
    assert len(index["manifests"]) == 2

    by_tag = load_schema_set(f"oci-layout:{layout}:1.0.0")
    assert by_tag.version == "1.0.0"
    by_digest = load_schema_set(f"oci-layout:{layout}@{digest}")
    assert by_digest.digest == by_tag.digest
    result = run("pull", f"oci-layout:{layout}:1.0.0", "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.strip() == digest
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)


def test_layout_digest_equals_the_pushed_digest(registry, repo, schemas, tmp_path):
    pushed = push(schemas, f"{registry.host}/{repo}:1.0.0", OPTIONS)
    assert export_layout(schemas, tmp_path / "layout", version="1.0.0") == pushed.digest


def test_layout_with_several_tags_needs_a_name(schemas, tmp_path):
    layout = tmp_path / "layout"
    export_layout(schemas, layout, version="1.0.0")
    export_layout(FIXTURES / "1.1.0", layout, version="1.1.0")
    with pytest.raises(SourceError, match="lists 2 manifests"):
        load_schema_set(f"oci-layout:{layout}")
    with pytest.raises(SourceError, match=r"tags: 1\.0\.0, 1\.1\.0"):
        load_schema_set(f"oci-layout:{layout}:9.9.9")


def test_layout_with_a_tampered_blob_is_refused(schemas, tmp_path, run, isolated_environment):
    layout = tmp_path / "layout"
    export_layout(schemas, layout, version="1.0.0")
    manifest_digest = json.loads((layout / "index.json").read_text())["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_digest[7:]).read_bytes())
    blob = layout / "blobs" / "sha256" / manifest["layers"][0]["digest"][7:]
    data = bytearray(blob.read_bytes())
    data[100] ^= 0x01
    blob.write_bytes(bytes(data))
    result = run("pull", f"oci-layout:{layout}:1.0.0", "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "digest mismatch" in result.stderr
    assert not (tmp_path / "out").exists()
    assert cache_entries(isolated_environment) == []


def test_layout_digest_that_is_a_path_is_refused(schemas, tmp_path):
    layout = tmp_path / "layout"
    export_layout(schemas, layout, version="1.0.0")
    index = json.loads((layout / "index.json").read_text())
    index["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
    (layout / "index.json").write_text(json.dumps(index))
    with pytest.raises(IntegrityError, match="is not a sha256 digest"):
        load_schema_set(f"oci-layout:{layout}:1.0.0")


def test_layout_written_by_skopeo(registry, repo, schemas, tmp_path):
    import subprocess

    from tests.oci.conftest import _require

    _require("skopeo")  # .ci/run installs it; fails rather than skips under CI=true

    pushed = push(schemas, f"{registry.host}/{repo}:1.0.0", OPTIONS)
    layout = tmp_path / "skopeo-layout"
    subprocess.run(
        [
            "skopeo", "copy", "--insecure-policy", "--src-tls-verify=false",
            f"docker://{registry.host}/{repo}:1.0.0", f"oci:{layout}:1.0.0",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    result = pull(f"oci-layout:{layout}:1.0.0", SourceOptions(), tmp_path / "out")
    assert result.digest == pushed.digest
    assert result.annotations["org.opencontainers.image.version"] == "1.0.0"
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)


# -- release tarballs over https/http -------------------------------------------------------------


@pytest.fixture
def asset_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "served"
    folder.mkdir()
    with serving_folder(folder) as url:
        yield url, folder


def _release(schemas: Path, folder: Path) -> str:
    data = reproducible_targz({p.name: p.read_bytes() for p in sorted(schemas.glob("*.json"))})
    (folder / "schemas.tar.gz").write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_release_tarball_with_the_right_hash(asset_server, schemas, tmp_path, run):
    url, folder = asset_server
    hex_digest = _release(schemas, folder)
    source = f"{url}/schemas.tar.gz#sha256={hex_digest}"
    result = run("pull", source, "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.strip() == f"sha256:{hex_digest}"
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)

    # Cached by digest: the asset may vanish, the next read needs no request.
    (folder / "schemas.tar.gz").unlink()
    before = requests_sent()
    schema_set = load_schema_set(source)
    assert requests_sent() == before
    assert len(schema_set) == len(file_hashes(schemas))


def test_release_tarball_with_a_wrong_hash(
    asset_server, schemas, tmp_path, run, isolated_environment
):
    url, folder = asset_server
    _release(schemas, folder)
    wrong = hashlib.sha256(b"something else").hexdigest()
    result = run("pull", f"{url}/schemas.tar.gz#sha256={wrong}", "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "digest mismatch" in result.stderr
    assert not (tmp_path / "out").exists()
    assert cache_entries(isolated_environment) == []


def test_release_url_without_hash_is_an_input_error(run):
    result = run("pull", "https://example.invalid/schemas.tar.gz")
    assert result.exit_code == ExitCode.INPUT
    assert "#sha256=" in result.stderr


def test_release_asset_missing_is_operational(asset_server, run):
    url, _ = asset_server
    result = run("pull", f"{url}/nope.tar.gz#sha256={'a' * 64}")
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "not found" in result.stderr


# -- what other tools push --------------------------------------------------------------------


def test_one_layer_per_file_as_oras_cli_pushes(registry, repo, schemas, tmp_path):
    # `oras push REF schemas/*.json`: media type ...layer.v1.tar although each blob is the file,
    # titles as given on the command line (relative paths).
    layers = [
        (path.read_bytes(), OCI_LAYER_TAR, {ANNOTATION_TITLE: f"schemas/{path.name}"})
        for path in sorted(schemas.glob("*.json"))
    ]
    layers.append((b"# readme\n", "text/markdown", {ANNOTATION_TITLE: "README.md"}))
    digest = push_manifest(registry, repo, "1.0.0", layers)
    result = pull(f"{registry.host}/{repo}:1.0.0@{digest}", OPTIONS, tmp_path / "out")
    assert result.files == tuple(sorted(file_hashes(schemas)))
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)


def test_oras_py_push_of_files_and_of_a_folder(registry, repo, schemas, tmp_path, monkeypatch):
    oras_provider = pytest.importorskip("oras.provider")

    class NoRetryRegistry(oras_provider.Registry):
        # oras-py retries every failure for ~131 s; a failing test should fail at once.
        do_request = oras_provider.Registry.do_request.__wrapped__

    client = NoRetryRegistry(hostname=registry.host, insecure=True)
    monkeypatch.chdir(schemas)
    files = sorted(p.name for p in schemas.glob("*.json"))
    client.push(target=f"{registry.host}/{repo}:files", files=files, quiet=True)
    monkeypatch.chdir(schemas.parent)
    client.push(target=f"{registry.host}/{repo}:folder", files=[schemas.name], quiet=True)

    for tag in ("files", "folder"):
        result = pull(f"{registry.host}/{repo}:{tag}", OPTIONS, tmp_path / tag)
        assert file_hashes(tmp_path / tag) == file_hashes(schemas), tag
        assert result.digest is not None


def test_standard_tar_gzip_layer(registry, repo, schemas, tmp_path):
    data = build_tar([tar_member(p.name, p.read_bytes()) for p in sorted(schemas.glob("*.json"))])
    digest = push_manifest(registry, repo, "1.0.0", [(data, OCI_LAYER_TAR_GZIP, {})])
    pull(f"{registry.host}/{repo}@{digest}", OPTIONS, tmp_path / "out")
    assert file_hashes(tmp_path / "out") == file_hashes(schemas)


# -- hostile artifacts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("../evil.json", "escapes the destination"),
        ("/etc/evil.json", "absolute path"),
        ("a\\..\\evil.json", "backslash"),
        ("schemas/.hidden.json", "not a plain file name"),
    ],
)
def test_hostile_layer_titles_are_refused(
    registry, repo, tmp_path, title, message, isolated_environment
):
    layers = [(b'{"type": "string"}', OCI_LAYER_TAR, {ANNOTATION_TITLE: title})]
    digest = push_manifest(registry, f"{repo}-{abs(hash(title))}", "1.0.0", layers)
    with pytest.raises(IntegrityError, match=message):
        pull(f"{registry.host}/{repo}-{abs(hash(title))}@{digest}", OPTIONS, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.json").exists()
    assert cache_entries(isolated_environment) == []


def test_two_layers_with_the_same_title_are_refused(registry, repo, tmp_path):
    layers = [
        (b'{"type": "string"}', OCI_LAYER_TAR, {ANNOTATION_TITLE: "A.json"}),
        (b'{"type": "number"}', OCI_LAYER_TAR, {ANNOTATION_TITLE: "x/A.json"}),
    ]
    digest = push_manifest(registry, repo, "1.0.0", layers)
    with pytest.raises(IntegrityError, match="two layers are titled 'A.json'"):
        pull(f"{registry.host}/{repo}@{digest}", OPTIONS)


def _symlink_member() -> tuple[tarfile.TarInfo, bytes]:
    return tar_member("schemas/link.json", type=tarfile.SYMTYPE, linkname="/etc/passwd")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([tar_member("../escape.json", b"{}")], "escapes the destination"),
        ([tar_member("/abs.json", b"{}")], "absolute path"),
        ([tar_member("A.json", b"{}"), _symlink_member()], "is a link"),
        ([tar_member("A.json", b"{}"), tar_member("A.json", b"[]")], "duplicate member"),
    ],
    ids=["dotdot", "absolute", "symlink", "duplicate"],
)
def test_hostile_tar_layers_are_refused_and_nothing_written(
    registry, repo, tmp_path, members, message, isolated_environment
):
    data = build_tar(members)
    name = f"{repo}-{hashlib.sha256(data).hexdigest()[:8]}"
    digest = push_manifest(registry, name, "1.0.0", [(data, OCI_LAYER_TAR_GZIP, {})])
    with pytest.raises(IntegrityError, match=message):
        pull(f"{registry.host}/{name}@{digest}", OPTIONS, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escape.json").exists()
    assert cache_entries(isolated_environment) == []


def test_size_cap_stops_a_gzip_bomb(registry, repo, tmp_path):
    bomb = build_tar([tar_member("Big.json", b" " * (8 * 1024 * 1024))])
    assert len(bomb) < 64 * 1024
    digest = push_manifest(registry, repo, "1.0.0", [(bomb, OCI_LAYER_TAR_GZIP, {})])
    small = SourceOptions(insecure=True, max_unpacked_bytes=1024 * 1024)
    with pytest.raises(IntegrityError, match="unpacks to more than"):
        pull(f"{registry.host}/{repo}@{digest}", small, tmp_path / "out")


def test_an_image_index_is_refused_with_a_hint(registry, repo):
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [],
        }
    ).encode()
    with Transport(OPTIONS) as transport:
        client = RegistryClient(OciReference(registry.host, repo, "idx"), transport, insecure=True)
        client.put_manifest("idx", index, "application/vnd.oci.image.index.v1+json")
    with pytest.raises(SourceError, match="image index"):
        pull(f"{registry.host}/{repo}:idx", OPTIONS)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "zod-to-json-schema"
