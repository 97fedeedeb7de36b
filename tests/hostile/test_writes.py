"""What ``tc-schema`` writes into a user's tree, and what it refuses to touch.

Report files (``diff --output``) go where the user pointed: through a symlink, into a
device or fifo in place, to standard output for ``-`` and ``/dev/stdout``; regular files
are replaced atomically. ``gen`` and ``pull --out`` replace only a folder that is absent,
empty, or proven theirs by a manifest whose sha256 digests match every file present; a
symlinked ``--out`` is followed and kept. Everything is created under the umask, staged
files are fsync-ed before the swap, and locks are ``0600`` files beside the output, never
followed through a symlink.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tc_contracts_py import atomic
from tc_contracts_py.oci.fetch import PULL_MANIFEST
from tc_contracts_py.oci.push import export_layout
from tests.hostile.helpers import (
    INPUT,
    OPERATIONAL,
    SECRET_ENV,
    assert_refused,
    describe,
    invoke,
    package_files,
    run_module,
    small_schema_set,
    tree,
    write_files,
)


def _gen(source: Path, out: Path, *extra: str):
    return invoke(["gen", str(source), "--out", str(out), "--package", "models", *extra])


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def diff_sources(tmp_path):
    old = write_files(tmp_path / "old", small_schema_set(1))
    new = write_files(tmp_path / "new", small_schema_set(2))
    return ["diff", str(old), str(new), "--from-version", "1.0.0", "--to-version", "2.0.0"]


@pytest.fixture
def report(diff_sources):
    """The report as printed on stdout, to compare every --output destination against."""
    printed = invoke(diff_sources)
    assert printed.exit_code in (0, 1), describe(printed)
    assert printed.stdout
    return printed.stdout


# -- diff --output ------------------------------------------------------------------------------


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(
    diff_sources, report, tmp_path
):
    target = tmp_path / "reports" / "diff.txt"
    target.parent.mkdir()
    target.write_text("old report")
    link = tmp_path / "diff.txt"
    link.symlink_to(target)
    result = invoke([*diff_sources, "--output", str(link)])
    assert result.exit_code in (0, 1), describe(result)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert target.read_text() == report
    assert [p.name for p in target.parent.iterdir()] == ["diff.txt"]  # no temp file left


def test_output_through_a_dangling_symlink_creates_its_target(diff_sources, report, tmp_path):
    target = tmp_path / "reports" / "diff.txt"
    target.parent.mkdir()
    link = tmp_path / "diff.txt"
    link.symlink_to(target)
    assert invoke([*diff_sources, "--output", str(link)]).exit_code in (0, 1)
    assert link.is_symlink()
    assert target.read_text() == report


@pytest.mark.parametrize("spelling", ["-", "/dev/stdout"])
def test_dash_and_dev_stdout_are_standard_output(spelling, diff_sources, report):
    result = invoke([*diff_sources, "--output", spelling])
    assert result.exit_code in (0, 1), describe(result)
    assert result.stdout == report


def test_dev_stdout_in_a_real_process_prints_and_is_left_alone(diff_sources, report, tmp_path):
    """The CI idiom: before, it printed nothing, exited 0 and (as root) replaced /dev/stdout."""
    before = os.lstat("/dev/stdout")
    captured = tmp_path / "captured.txt"
    with captured.open("w") as sink:
        completed = subprocess.run(
            [sys.executable, "-m", "tc_contracts_py", *diff_sources, "--output", "/dev/stdout"],
            env={**os.environ, **SECRET_ENV},
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode in (0, 1), completed.stderr
    assert captured.read_text() == report
    after = os.lstat("/dev/stdout")
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_dev_stderr_gets_the_report(diff_sources, report):
    completed = run_module([*diff_sources, "--output", "/dev/stderr"])
    assert completed.returncode in (0, 1), completed.stderr
    assert completed.stdout == ""
    assert completed.stderr == report


def test_a_fifo_is_written_in_place(diff_sources, report, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = invoke([*diff_sources, "--output", str(fifo)])
    reader.join(timeout=60)
    assert result.exit_code in (0, 1), describe(result)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received == [report.encode()]


def test_output_to_a_folder_is_refused(diff_sources, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    result = invoke([*diff_sources, "--output", str(folder)])
    assert result.exit_code == INPUT, describe(result)
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_report_file_gets_the_umask_mode(mask, expected, diff_sources, tmp_path):
    out = tmp_path / "diff.txt"
    with _umask(mask):
        assert invoke([*diff_sources, "--output", str(out)]).exit_code in (0, 1)
    assert _mode(out) == expected


def test_a_replaced_report_file_keeps_its_mode(diff_sources, report, tmp_path):
    out = tmp_path / "diff.txt"
    out.write_text("old")
    out.chmod(0o664)
    with _umask(0o077):
        assert invoke([*diff_sources, "--output", str(out)]).exit_code in (0, 1)
    assert out.read_text() == report
    assert _mode(out) == 0o664


# -- which folders gen and pull --out replace ----------------------------------------------------


def test_gen_refuses_a_folder_with_a_stray_empty_manifest(gen_versions, tmp_path):
    """The issue's case: an empty _manifest.json beside src/main.py, replaced with exit 0."""
    sources, _, _ = gen_versions
    out = tmp_path / "project"
    (out / "src").mkdir(parents=True)
    (out / "src" / "main.py").write_text("print('mine')\n")
    (out / "_manifest.json").write_text("")
    before = tree(out)
    result = _gen(sources[1], out)
    line = assert_refused(
        result, INPUT, str(out), "_manifest.json", "not a manifest tc-schema wrote"
    )
    assert "choose a new or empty folder" in line
    assert tree(out) == before


def test_gen_refuses_a_forged_manifest_that_does_not_record_every_file(gen_versions, tmp_path):
    sources, _, _ = gen_versions
    out = tmp_path / "models"
    assert _gen(sources[1], out).exit_code == 0
    (out / "notes.md").write_text("my notes")
    before = tree(out)
    result = _gen(sources[2], out)
    assert_refused(result, INPUT, "notes.md", "not a file tc-schema wrote", "move it elsewhere")
    assert tree(out) == before


def test_gen_refuses_files_that_differ_from_the_recorded_digests(gen_versions, tmp_path):
    """A real manifest copied beside hand-written files of the same names proves nothing."""
    sources, references, _ = gen_versions
    out = tmp_path / "models"
    assert _gen(sources[1], out).exit_code == 0
    for name in references[1]:
        if name.endswith(".py"):
            (out / name).write_text("# my own code\n")
    before = tree(out)
    result = _gen(sources[2], out)
    assert_refused(result, INPUT, "changed since tc-schema wrote it", "restore or delete")
    assert tree(out) == before


def test_gen_into_an_empty_or_absent_folder_and_over_its_own_package(gen_versions, tmp_path):
    sources, references, _ = gen_versions
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _gen(sources[1], empty).exit_code == 0
    assert package_files(empty) == references[1]
    assert _gen(sources[2], empty).exit_code == 0  # its own package, after an import
    assert package_files(empty) == references[2]
    absent = tmp_path / "deep" / "absent"
    assert _gen(sources[1], absent).exit_code == 0
    assert package_files(absent) == references[1]


def test_pull_refuses_a_folder_of_unrelated_json(tmp_path):
    source = write_files(tmp_path / "schemas", small_schema_set(1))
    out = write_files(
        tmp_path / "web", {"package.json": b'{"name": "web"}', "tsconfig.json": b"{}"}
    )
    before = tree(out)
    result = invoke(["pull", str(source), "--out", str(out)])
    assert_refused(result, INPUT, str(out), PULL_MANIFEST, "did not write it")
    assert tree(out) == before


def test_pull_replaces_its_own_folder_and_refuses_an_added_file(tmp_path):
    first = write_files(tmp_path / "v1", small_schema_set(1))
    second = write_files(tmp_path / "v2", small_schema_set(2))
    out = tmp_path / "schemas"
    assert invoke(["pull", str(first), "--out", str(out)]).exit_code == 0
    assert package_files(out) == small_schema_set(1)
    recorded = json.loads((out / PULL_MANIFEST).read_text())["files"]
    assert sorted(recorded) == sorted(small_schema_set(1))
    assert invoke(["pull", str(second), "--out", str(out)]).exit_code == 0
    assert package_files(out) == small_schema_set(2)
    (out / "extra.json").write_text("{}")
    before = tree(out)
    result = invoke(["pull", str(first), "--out", str(out)])
    assert_refused(result, INPUT, "extra.json", "not a file tc-schema wrote")
    assert tree(out) == before


@pytest.mark.parametrize("command", ["gen", "pull"])
def test_a_symlinked_out_is_followed_and_kept(command, gen_versions, tmp_path):
    """Before: the link was swapped for a real folder and a `.tmp` link was left behind."""
    sources, references, _ = gen_versions
    real = tmp_path / "real" / "target"
    real.parent.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    real.mkdir()
    for version in (1, 2):
        package = ["--package", "models"] if command == "gen" else []
        result = invoke([command, str(sources[version]), "--out", str(link), *package])
        assert result.exit_code == 0, describe(result)
        assert link.is_symlink()
        assert os.readlink(link) == str(real)
        expected = references[version] if command == "gen" else small_schema_set(version)
        assert package_files(real) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]  # no `.link.*.tmp`
    assert sorted(p.name for p in real.parent.iterdir()) == [".target.lock", "target"]


def test_a_symlinked_out_to_a_foreign_folder_is_refused(gen_versions, tmp_path):
    sources, _, _ = gen_versions
    real = tmp_path / "mine"
    real.mkdir()
    (real / "keep.txt").write_text("keep me")
    link = tmp_path / "models"
    link.symlink_to(real, target_is_directory=True)
    result = _gen(sources[1], link)
    assert_refused(result, INPUT, str(link), "did not write it")
    assert link.is_symlink()
    assert tree(real) == {"keep.txt": tree(real)["keep.txt"]}


@pytest.mark.parametrize("command", ["gen", "pull"])
def test_an_out_that_is_no_folder_is_refused_before_anything_is_made_beside_it(
    command, gen_versions, tmp_path
):
    sources, _, _ = gen_versions
    report = tmp_path / "report.txt"
    report.write_text("mine")
    link = tmp_path / "link"
    link.symlink_to(report)
    # click refuses a file, also through a link; a device is tc-schema's to refuse.
    for out in (report, link, Path("/dev/null")):
        result = invoke([command, str(sources[1]), "--out", str(out)])
        needles = ("not a directory",) if out.is_char_device() else ("is a file",)
        assert_refused(result, INPUT, str(out), *needles)
        assert not (out.parent / f".{out.name}.lock").exists()
    assert report.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "report.txt"]


def test_a_folder_an_older_pull_wrote_is_refused_with_what_to_do(tmp_path):
    source = write_files(tmp_path / "schemas", small_schema_set(2))
    out = write_files(tmp_path / "pulled", small_schema_set(1))  # no manifest: pre-manifest
    result = invoke(["pull", str(source), "--out", str(out)])
    assert_refused(result, INPUT, str(out), "older tc-schema pulled", "delete it once")
    assert package_files(out) == small_schema_set(1)


# -- modes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)]
)
@pytest.mark.parametrize("command", ["gen", "pull"])
def test_outputs_get_ordinary_modes_under_the_umask(
    command, mask, file_mode, dir_mode, gen_versions, tmp_path
):
    """Before: 0700 packages (unreadable to another user in a container) and 0600 files."""
    sources, _, _ = gen_versions
    out = tmp_path / "models"
    with _umask(mask):
        result = invoke([command, str(sources[1]), "--out", str(out)])
        assert result.exit_code == 0, describe(result)
        # A second run replaces the folder: the new one gets the same modes.
        result = invoke([command, str(sources[2]), "--out", str(out)])
        assert result.exit_code == 0, describe(result)
    assert _mode(out) == dir_mode
    files = [p for p in out.iterdir() if p.is_file()]
    assert files
    assert {p.name: _mode(p) for p in files} == {p.name: file_mode for p in files}


def test_a_lock_file_is_private_and_beside_the_output(gen_versions, tmp_path):
    sources, _, _ = gen_versions
    out = tmp_path / "models"
    with _umask(0o000):
        assert _gen(sources[1], out).exit_code == 0
    lock = tmp_path / ".models.lock"
    assert lock.is_file()
    assert not lock.is_symlink()
    assert _mode(lock) == 0o600


# -- gen --check ---------------------------------------------------------------------------------


def test_check_is_not_fooled_by_a_hand_edit_with_updated_manifest_hashes(gen_versions, tmp_path):
    sources, references, _ = gen_versions
    out = tmp_path / "models"
    assert _gen(sources[1], out).exit_code == 0
    module = next(name for name in references[1] if name.endswith(".py") and name != "__init__.py")
    edited = (out / module).read_bytes() + b"\nBACKDOOR = True\n"
    (out / module).write_bytes(edited)
    manifest = json.loads((out / "_manifest.json").read_text())
    digest = hashlib.sha256(edited).hexdigest()
    manifest["outputs"][module] = digest
    for entry in manifest["schemas"].values():
        if entry["module"] == module:
            entry["output_sha256"] = digest
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")

    check = _gen(sources[1], out, "--check")
    assert check.exit_code == 1, describe(check)
    assert check.stderr.splitlines() == [
        f"{out}: stale; these files would change:",
        f"  {out / '_manifest.json'}",
        f"  {out / module}",
        "run `tc-schema gen` to regenerate",
    ]


def test_check_output_of_a_clean_package_is_unchanged(gen_versions, tmp_path):
    sources, _, _ = gen_versions
    out = tmp_path / "models"
    assert _gen(sources[1], out).exit_code == 0
    check = _gen(sources[1], out, "--check")
    assert check.exit_code == 0, describe(check)
    assert check.stdout == f"{out}: up to date (4 schemas)\n"
    assert check.stderr == ""


# -- staging is durable before the swap ----------------------------------------------------------


def test_staged_files_and_folder_are_fsynced_before_the_swap(gen_versions, tmp_path, monkeypatch):
    sources, references, _ = gen_versions
    out = tmp_path / "models"
    assert _gen(sources[1], out).exit_code == 0
    events: list[tuple[str, str]] = []
    real_fsync = os.fsync
    real_exchange = atomic._renameat2_exchange

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def exchange(first: Path, second: Path) -> bool:
        events.append(("swap", str(first)))
        return real_exchange(first, second)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(atomic, "_renameat2_exchange", exchange)
    assert _gen(sources[2], out).exit_code == 0
    swaps = [index for index, (kind, _) in enumerate(events) if kind == "swap"]
    assert len(swaps) == 1, events
    staging = events[swaps[0]][1]
    synced = {path for kind, path in events[: swaps[0]] if kind == "fsync"}
    assert {f"{staging}/{name}" for name in references[2]} <= synced
    assert staging in synced


# -- locks ---------------------------------------------------------------------------------------


def test_a_planted_symlink_as_the_output_lock_is_never_followed(gen_versions, tmp_path):
    sources, _, _ = gen_versions
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    lock = tmp_path / ".models.lock"
    lock.symlink_to(victim)
    out = tmp_path / "models"
    result = _gen(sources[1], out)
    assert_refused(result, OPERATIONAL, str(lock), "symbolic link", "remove it")
    assert victim.read_text() == "untouched"
    assert not out.exists()


def test_a_planted_symlink_as_a_cache_lock_is_never_followed(tmp_path):
    source = write_files(tmp_path / "schemas", small_schema_set(1))
    layout = tmp_path / "layout"
    digest = export_layout(source, layout, version="1.0.0")
    cache = tmp_path / "cache"
    locks = cache / "v1" / "locks"
    locks.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    lock = locks / f"{digest.removeprefix('sha256:')}.lock"
    lock.symlink_to(victim)
    result = invoke(["pull", f"oci-layout:{layout}@{digest}", "--cache-dir", str(cache)])
    assert_refused(result, OPERATIONAL, str(lock), "symbolic link")
    assert not victim.exists()


def test_a_lock_made_by_another_account_is_a_clear_error(gen_versions, tmp_path):
    """On a shared runner another account pre-creates the lock in a sticky folder such as
    /tmp (where it could swap the file during our hold): exit 3 naming it, not a crash."""
    if os.geteuid() != 0:
        pytest.fail("needs root, to give the lock file to another account")
    sources, _, _ = gen_versions
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    lock = shared / ".models.lock"
    lock.write_text("")
    os.chown(lock, 12345, 12345)
    out = shared / "models"
    result = _gen(sources[1], out)
    line = assert_refused(result, OPERATIONAL, str(lock), "cannot create or open the lock file")
    assert "internal error" not in line
    assert not out.exists()
