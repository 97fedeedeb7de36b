"""Ordinary OS errors are named, not "internal" (issue #16).

A full disk, a read-only or immutable folder, a name too long, an output path with no name
of its own, a dangling symlink, a read-only cache: each is one line naming the path and what
to do, exit 3 (the OS refused) or exit 2 (the path given cannot be used), and the previous
output and the cache stay as they were. The conditions are real: tmpfs mounts (full, and
read-only), ``chattr +i``, real over-long names. They need root; without it the tests fail
under CI and are skipped elsewhere, like the registry tests.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.helpers import (
    INPUT,
    OPERATIONAL,
    assert_refused,
    describe,
    invoke,
    package_files,
    small_schema_set,
    write_files,
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "256k") -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    if mounted.returncode != 0:
        _unavailable(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        _run("umount", "-l", str(where))


def remount_read_only(where: Path) -> None:
    completed = _run("mount", "-o", "remount,ro", str(where))
    assert completed.returncode == 0, completed.stderr


@contextlib.contextmanager
def read_only_bind(source: Path, where: Path) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    bound = _run("mount", "--bind", str(source), str(where))
    if bound.returncode != 0:
        _unavailable(f"cannot bind-mount here: {bound.stderr.strip()}")
    try:
        assert _run("mount", "-o", "remount,bind,ro", str(where)).returncode == 0
        yield where
    finally:
        _run("umount", "-l", str(where))


@contextlib.contextmanager
def immutable(folder: Path) -> Iterator[Path]:
    made = _run("chattr", "+i", str(folder))
    if made.returncode != 0:
        _unavailable(f"cannot chattr +i here: {made.stderr.strip()}")
    try:
        yield folder
    finally:
        _run("chattr", "-i", str(folder))


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte; returns the filler to delete."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while handle.write(b"\0" * 1024):  # unbuffered: nothing is left to fail on close
            pass
    return filler


def _gen(source: Path, out: Path, *extra: str):
    return invoke(["gen", str(source), "--out", str(out), "--package", "models", *extra])


# -- full disk --------------------------------------------------------------------------------


def test_gen_on_a_full_disk_is_named_and_keeps_the_previous_models(gen_versions, tmp_path):
    sources, references, _ = gen_versions
    with tmpfs(tmp_path / "small", "512k") as disk:
        out = disk / "models"
        assert _gen(sources[1], out).exit_code == 0
        fill(disk)
        result = _gen(sources[2], out)
        line = assert_refused(result, OPERATIONAL, str(out), "no space left on the device")
        assert "internal error" not in line
        assert package_files(out) == references[1]
        assert sorted(p.name for p in disk.iterdir()) == [".models.lock", "filler", "models"]


def test_pull_to_a_full_disk_keeps_the_cache_entry_for_an_offline_retry(hostile_registry, tmp_path):
    """The issue's report: a full --out disk was taken for cache damage and the entry deleted."""
    registry, pushed = hostile_registry
    reference = f"{registry.host}/hostile/contracts:1.0.0@{pushed['1.0.0']}"
    cache = tmp_path / "cache"
    assert invoke(["pull", reference, "--insecure", "--cache-dir", str(cache)]).exit_code == 0
    cached = package_files(cache / "v1")
    with tmpfs(tmp_path / "small", "64k") as disk:
        filler = fill(disk)
        args = ["pull", reference, "--offline", "--cache-dir", str(cache), "--out"]
        result = invoke([*args, str(disk / "schemas")])
        assert_refused(result, OPERATIONAL, str(disk / "schemas"), "no space left")
        assert package_files(cache / "v1") == cached
        filler.unlink()  # space freed: the offline CI run can now recover
        again = invoke([*args, str(disk / "schemas")])
        assert again.exit_code == 0, describe(again)
        assert package_files(disk / "schemas") == small_schema_set(1)


# -- read-only and immutable folders ------------------------------------------------------------


def test_gen_into_a_read_only_file_system(gen_versions, tmp_path):
    sources, references, _ = gen_versions
    with tmpfs(tmp_path / "ro") as disk:
        out = disk / "models"
        assert _gen(sources[1], out).exit_code == 0
        remount_read_only(disk)
        result = _gen(sources[2], out)
        assert_refused(result, OPERATIONAL, str(out), "read-only file system")
        assert package_files(out) == references[1]


def test_pull_into_a_read_only_file_system(tmp_path):
    source = write_files(tmp_path / "schemas", small_schema_set(1))
    with tmpfs(tmp_path / "ro") as disk:
        remount_read_only(disk)
        result = invoke(["pull", str(source), "--out", str(disk / "schemas")])
        assert_refused(result, OPERATIONAL, str(disk / "schemas"), "read-only file system")


@pytest.mark.parametrize("command", ["gen", "pull"])
def test_an_immutable_output_folder(command, gen_versions, tmp_path):
    sources, _references, _ = gen_versions
    parent = tmp_path / "locked"
    parent.mkdir()
    out = parent / "out"
    args = [command, str(sources[1]), "--out", str(out)]
    assert invoke(args).exit_code == 0
    before = package_files(out)
    with immutable(parent):
        result = invoke([command, str(sources[2]), "--out", str(out)])
        assert_refused(result, OPERATIONAL, str(out), "operation not permitted", "chattr -i")
    assert package_files(out) == before


def test_a_read_only_cache_on_a_cold_pull(hostile_registry, tmp_path):
    registry, pushed = hostile_registry
    reference = f"{registry.host}/hostile/contracts:1.0.0@{pushed['1.0.0']}"
    with tmpfs(tmp_path / "empty-ro") as disk:
        remount_read_only(disk)
        result = invoke(["pull", reference, "--insecure", "--cache-dir", str(disk / "cache")])
        assert_refused(result, OPERATIONAL, str(disk / "cache"), "read-only file system")
    # A cache folder that exists, with its layout, on a read-only mount (a restored CI cache).
    populated = tmp_path / "populated"
    for sub in ("blobs/sha256", "trees/sha256", "tmp", "locks"):
        (populated / "v1" / sub).mkdir(parents=True)
    with read_only_bind(populated, tmp_path / "ro-cache") as cache:
        result = invoke(["pull", reference, "--insecure", "--cache-dir", str(cache)])
        assert_refused(result, OPERATIONAL, str(cache), "read-only file system")


# -- paths that cannot be used --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["gen", "pull"])
def test_an_output_path_with_a_name_too_long(command, tmp_path, workdir):
    source = write_files(tmp_path / "schemas", small_schema_set(1))
    out = tmp_path / ("n" * 300) / "models"
    result = invoke([command, str(source), "--out", str(out)])
    assert_refused(result, INPUT, "file name too long", "at most 255 bytes")
    assert list(tmp_path.iterdir()) == [tmp_path / "schemas", workdir]


def test_a_schema_whose_module_name_grows_past_255_bytes(tmp_path):
    """240 bytes of CamelCase make 360 bytes of snake_case: a name the OS refuses."""
    name = "Aa" * 120
    schema = b'{"type": "object", "properties": {"id": {"type": "string"}}}'
    source = write_files(tmp_path / "schemas", {f"{name}.json": schema})
    out = tmp_path / "models"
    result = _gen(source, out)
    line = assert_refused(result, INPUT, str(out), "file name too long", "aa_aa_aa")
    assert len(line) < 1000
    assert not out.exists()


@pytest.mark.parametrize("command", ["gen", "pull"])
@pytest.mark.parametrize("spelling", [".", "..", "sub/.."])
def test_an_output_path_that_names_no_folder_of_its_own(command, spelling, tmp_path, workdir):
    source = write_files(tmp_path / "schemas", small_schema_set(1))
    (workdir / "sub").mkdir()
    package = ["--package", "models"] if command == "gen" else []
    result = invoke([command, str(source), "--out", spelling, *package])
    assert_refused(result, INPUT)
    assert sorted(p.name for p in workdir.iterdir()) == ["sub"]
    assert list((workdir / "sub").iterdir()) == []


@pytest.mark.parametrize("command", ["gen", "pull"])
def test_a_dangling_symlink_as_out(command, tmp_path):
    source = write_files(tmp_path / "schemas", small_schema_set(1))
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    result = invoke([command, str(source), "--out", str(link)])
    assert_refused(result, INPUT, str(link), "symbolic link", "does not exist")
    assert link.is_symlink()
    assert not (tmp_path / "nowhere").exists()
