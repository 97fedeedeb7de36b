"""A poisoned cache is never trusted (issue #16).

CI caches are restored from shared stores, so whatever sits in the cache must prove itself
against the pinned digest on every read. Each case pulls a real artifact from a real
``docker-registry`` (or reads a real OCI layout or release tarball), tampers with the
cache the way a foreign writer could, then checks: offline, one clear error (exit 3) and
no output; online, the entry is dropped and fetched again, and the output is the pinned
content exactly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tc_contracts_py.archive import reproducible_targz
from tc_contracts_py.oci import ANNOTATION_TITLE, OCI_LAYER_TAR
from tc_contracts_py.oci.transport import requests_sent
from tests.hostile.helpers import (
    OPERATIONAL,
    assert_refused,
    build_tar,
    describe,
    invoke,
    package_files,
    small_schema_set,
    tar_member,
)
from tests.oci.helpers import serving_folder, write_layout

pytestmark = pytest.mark.registry

Tamper = Callable[[Path], None]  # receives the tree folder of the pinned digest


def _index(tree: Path) -> dict:
    return json.loads((tree / "tree.json").read_text())


def _write_index(tree: Path, index: dict) -> None:
    (tree / "tree.json").write_text(json.dumps(index, indent=2))


def _drop_two_index_entries(tree: Path) -> None:
    index = _index(tree)
    for name in sorted(index["files"])[:2]:
        del index["files"][name]
        (tree / "files" / name).unlink()
    _write_index(tree, index)


def _drop_two_entries_keep_files(tree: Path) -> None:
    index = _index(tree)
    for name in sorted(index["files"])[:2]:
        del index["files"][name]
    _write_index(tree, index)


def _alter_a_file(tree: Path) -> None:
    victim = tree / "files" / "Athlete.json"
    data = bytearray(victim.read_bytes())
    data[10] ^= 0x01  # same size, one bit off
    victim.unlink()  # break a hard link first, so only the tree copy changes
    victim.write_bytes(bytes(data))


def _forge_a_file_and_its_index_entry(tree: Path) -> None:
    """The foreign writer is careful: new content and a matching sha256 and size."""
    forged = b'{"type": "object", "properties": {"pwned": {"type": "string"}}}'
    victim = tree / "files" / "Athlete.json"
    victim.unlink()
    victim.write_bytes(forged)
    index = _index(tree)
    index["files"]["Athlete.json"] = {
        "sha256": hashlib.sha256(forged).hexdigest(),
        "size": len(forged),
    }
    _write_index(tree, index)


def _add_a_file(tree: Path) -> None:
    (tree / "files" / "Injected.json").write_text('{"type": "object"}')


def _add_a_file_and_its_index_entry(tree: Path) -> None:
    data = b'{"type": "object"}'
    (tree / "files" / "Injected.json").write_bytes(data)
    index = _index(tree)
    index["files"]["Injected.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    _write_index(tree, index)


def _remove_a_file(tree: Path) -> None:
    (tree / "files" / "Session.json").unlink()


def _edit_the_annotations(tree: Path) -> None:
    index = _index(tree)
    index["annotations"]["org.opencontainers.image.version"] = "9.9.9"
    _write_index(tree, index)


def _unparsable_index(tree: Path) -> None:
    (tree / "tree.json").write_text("{not json")


def _file_replaced_by_a_symlink(tree: Path) -> None:
    victim = tree / "files" / "Feedback.json"
    target = tree.parent / "elsewhere.json"
    shutil.copyfile(victim, target)  # same bytes, so only the link itself is wrong
    victim.unlink()
    victim.symlink_to(target)


def _forge_the_layer_blob_too(tree: Path) -> None:
    """Rewrite the layer blob consistently with a forged tree: the manifest still pins it."""
    cache_v1 = tree.parents[2]
    forged = {"Athlete.json": b'{"type": "string"}'}
    layer = reproducible_targz(forged)
    manifest_hex = tree.name
    manifest = json.loads((cache_v1 / "blobs" / "sha256" / manifest_hex).read_bytes())
    layer_hex = manifest["layers"][0]["digest"].removeprefix("sha256:")
    blob = cache_v1 / "blobs" / "sha256" / layer_hex
    blob.unlink()
    blob.write_bytes(layer)
    shutil.rmtree(tree / "files")
    (tree / "files").mkdir()
    (tree / "files" / "Athlete.json").write_bytes(forged["Athlete.json"])
    index = _index(tree)
    index["files"] = {
        "Athlete.json": {
            "sha256": hashlib.sha256(forged["Athlete.json"]).hexdigest(),
            "size": len(forged["Athlete.json"]),
        }
    }
    _write_index(tree, index)


def _swap_in_another_release(tree: Path, other: Path) -> None:
    """The whole entry of another digest (manifest blob and tree) under the pinned name."""
    cache_v1 = tree.parents[2]
    shutil.rmtree(tree)
    shutil.copytree(other, tree)
    blobs = cache_v1 / "blobs" / "sha256"
    (blobs / tree.name).unlink()
    shutil.copyfile(blobs / other.name, blobs / tree.name)


TAMPERS: dict[str, Tamper] = {
    "index-drops-two-entries-and-files": _drop_two_index_entries,
    "index-drops-two-entries": _drop_two_entries_keep_files,
    "file-altered": _alter_a_file,
    "file-and-index-entry-forged": _forge_a_file_and_its_index_entry,
    "file-added": _add_a_file,
    "file-and-index-entry-added": _add_a_file_and_its_index_entry,
    "file-removed": _remove_a_file,
    "annotations-edited": _edit_the_annotations,
    "index-unparsable": _unparsable_index,
    "file-is-a-symlink": _file_replaced_by_a_symlink,
    "layer-blob-and-tree-forged": _forge_the_layer_blob_too,
}


@pytest.fixture
def pulled(hostile_registry, tmp_path: Path) -> tuple[str, Path, Path, dict[str, bytes]]:
    """A cold pull of the pinned 1.0.0: (pinned reference, cache, its tree, expected files)."""
    registry, pushed = hostile_registry
    digest = pushed["1.0.0"]
    reference = f"{registry.host}/hostile/contracts:1.0.0@{digest}"
    cache = tmp_path / "cache"
    first = invoke(["pull", reference, "--insecure", "--cache-dir", str(cache)])
    assert first.exit_code == 0, describe(first)
    tree = cache / "v1" / "trees" / "sha256" / digest.removeprefix("sha256:")
    assert (tree / "tree.json").is_file()
    return reference, cache, tree, small_schema_set(1)


def _pull(reference: str, cache: Path, out: Path, *extra: str):
    return invoke(
        ["pull", reference, "--insecure", "--cache-dir", str(cache), "--out", str(out), *extra]
    )


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampered_cache_is_refused_offline(case: str, pulled, tmp_path: Path) -> None:
    reference, cache, tree, _expected = pulled
    TAMPERS[case](tree)
    result = _pull(reference, cache, tmp_path / "out", "--offline")
    assert_refused(result, OPERATIONAL, "fails verification against the pin", "pull once online")
    assert not (tmp_path / "out").exists()
    assert not tree.exists(), "the poisoned entry stays in the cache"


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampered_cache_is_fetched_again_online(case: str, pulled, tmp_path: Path) -> None:
    reference, cache, tree, expected = pulled
    TAMPERS[case](tree)
    result = _pull(reference, cache, tmp_path / "out")
    assert result.exit_code == 0, describe(result)
    assert package_files(tmp_path / "out") == expected
    # The cache holds the pinned content again: an offline pull now works.
    again = _pull(reference, cache, tmp_path / "out2", "--offline")
    assert again.exit_code == 0, describe(again)
    assert package_files(tmp_path / "out2") == expected


def test_an_entry_of_another_digest_swapped_in_is_refused(hostile_registry, tmp_path) -> None:
    registry, pushed = hostile_registry
    cache = tmp_path / "cache"
    trees = cache / "v1" / "trees" / "sha256"
    for tag in ("1.0.0", "2.0.0"):
        pinned = f"{registry.host}/hostile/contracts:{tag}@{pushed[tag]}"
        assert invoke(["pull", pinned, "--insecure", "--cache-dir", str(cache)]).exit_code == 0
    wanted = trees / pushed["1.0.0"].removeprefix("sha256:")
    _swap_in_another_release(wanted, trees / pushed["2.0.0"].removeprefix("sha256:"))
    reference = f"{registry.host}/hostile/contracts:1.0.0@{pushed['1.0.0']}"
    offline = _pull(reference, cache, tmp_path / "out", "--offline")
    assert_refused(offline, OPERATIONAL, "manifest blob")
    online = _pull(reference, cache, tmp_path / "out")
    assert online.exit_code == 0, describe(online)
    assert package_files(tmp_path / "out") == small_schema_set(1)


def test_gen_from_a_tampered_cache(pulled, tmp_path: Path) -> None:
    """The issue's report: a dropped index entry made `gen` generate from 14 of 16 files."""
    reference, cache, tree, expected = pulled
    _drop_two_index_entries(tree)
    args = ["gen", reference, "--insecure", "--cache-dir", str(cache), "--package", "models"]
    offline = invoke([*args, "--out", str(tmp_path / "m1"), "--offline"])
    assert_refused(offline, OPERATIONAL, "fails verification against the pin")
    assert not (tmp_path / "m1").exists()
    online = invoke([*args, "--out", str(tmp_path / "m2")])
    assert online.exit_code == 0, describe(online)
    modules = {p.stem for p in (tmp_path / "m2").glob("*.py")} - {"__init__"}
    assert {"athlete", "session", "feedback", "event"} <= modules, modules


def test_a_warm_pull_still_makes_no_request(pulled, tmp_path: Path) -> None:
    """Verification is local: an unreachable registry host and no request counted."""
    from tc_contracts_py.oci.fetch import pull
    from tc_contracts_py.sources import SourceOptions

    reference, cache, _tree, expected = pulled
    digest = reference.rpartition("@")[2]
    unreachable = f"127.0.0.1:9/hostile/contracts:1.0.0@{digest}"
    before = requests_sent()
    result = pull(unreachable, SourceOptions(insecure=True, cache_dir=cache), tmp_path / "out")
    assert requests_sent() == before
    assert result.digest == digest
    assert package_files(tmp_path / "out") == expected


def test_an_output_write_failure_leaves_a_good_cache_entry(pulled, tmp_path: Path) -> None:
    """--out that cannot be written is not cache damage: the entry stays for the next run."""
    reference, cache, tree, expected = pulled
    before = package_files(tree)
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    result = _pull(reference, cache, blocker / "out", "--offline")
    assert result.exit_code in (2, 3), describe(result)
    assert "fails verification" not in result.stderr
    assert package_files(tree) == before
    again = _pull(reference, cache, tmp_path / "out", "--offline")
    assert again.exit_code == 0, describe(again)
    assert package_files(tmp_path / "out") == expected


# -- layouts with one layer per file, and release tarballs ------------------------------------


def _layout(root: Path, layers: list[tuple[bytes, str, str]]) -> str:
    """An OCI layout of one manifest with these (data, media type, title) layers."""
    return write_layout(
        root,
        [(data, media_type, {ANNOTATION_TITLE: title}) for data, media_type, title in layers],
        {"org.opencontainers.image.version": "1.0.0"},
    )


def _per_file_layout(root: Path, files: dict[str, bytes]) -> str:
    """One blob per schema file, titled like `oras push schemas/*.json` does."""
    return _layout(
        root, [(data, "application/schema+json", name) for name, data in sorted(files.items())]
    )


@pytest.mark.parametrize(
    "case", ["index-drops-two-entries", "file-and-index-entry-forged", "file-and-index-entry-added"]
)
def test_per_file_layout_cache_is_read_again_from_the_layout(case: str, tmp_path: Path) -> None:
    expected = small_schema_set(1)
    digest = _per_file_layout(tmp_path / "layout", expected)
    source = f"oci-layout:{tmp_path / 'layout'}@{digest}"
    cache = tmp_path / "cache"
    assert invoke(["pull", source, "--cache-dir", str(cache)]).exit_code == 0
    tree = cache / "v1" / "trees" / "sha256" / digest.removeprefix("sha256:")
    TAMPERS[case](tree)
    result = invoke(["pull", source, "--cache-dir", str(cache), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, describe(result)
    assert package_files(tmp_path / "out") == expected
    assert package_files(tree / "files") == expected


@pytest.fixture
def release_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "served"
    folder.mkdir()
    with serving_folder(folder) as url:
        yield url, folder


@pytest.mark.parametrize("case", ["index-drops-two-entries", "file-and-index-entry-forged"])
def test_release_tarball_cache_proves_itself(case: str, release_server, tmp_path: Path) -> None:
    url, folder = release_server
    expected = small_schema_set(1)
    data = reproducible_targz(expected)
    (folder / "schemas.tar.gz").write_bytes(data)
    source = f"{url}/schemas.tar.gz#sha256={hashlib.sha256(data).hexdigest()}"
    cache = tmp_path / "cache"
    assert invoke(["pull", source, "--cache-dir", str(cache)]).exit_code == 0
    tree = cache / "v1" / "trees" / "sha256" / hashlib.sha256(data).hexdigest()
    TAMPERS[case](tree)
    offline = invoke(["pull", source, "--cache-dir", str(cache), "--offline"])
    assert_refused(offline, OPERATIONAL, "fails verification against the pin")
    online = invoke(["pull", source, "--cache-dir", str(cache), "--out", str(tmp_path / "out")])
    assert online.exit_code == 0, describe(online)
    assert package_files(tmp_path / "out") == expected


def test_a_plain_tar_layer_is_re_derived_too(tmp_path: Path) -> None:
    """A layer that is an uncompressed tar takes the other reader; it is proven the same way."""
    expected = small_schema_set(1)
    members = [tar_member(f"schemas/{name}", data) for name, data in sorted(expected.items())]
    layer = (build_tar(members, compression=""), OCI_LAYER_TAR, "schemas.tar")
    digest = _layout(tmp_path / "layout", [layer])
    source = f"oci-layout:{tmp_path / 'layout'}@{digest}"
    cache = tmp_path / "cache"
    assert invoke(["pull", source, "--cache-dir", str(cache)]).exit_code == 0
    tree = cache / "v1" / "trees" / "sha256" / digest.removeprefix("sha256:")
    _forge_a_file_and_its_index_entry(tree)
    result = invoke(["pull", source, "--cache-dir", str(cache), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, describe(result)
    assert package_files(tmp_path / "out") == expected
    assert package_files(tree / "files") == expected
