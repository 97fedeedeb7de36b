"""Eight ``gen`` processes on one output folder at once: one consistent result, no error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.hostile.helpers import (
    SECRET_ENV,
    assert_no_secret,
    invoke,
    package_files,
)

PROCESSES = 8


def _gen_args(source, out):
    return ["gen", str(source), "--out", str(out), "--package", "models"]


def _run_together(commands: list[list[str]]) -> list[tuple[int, str, str]]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tc_contracts_py", *args],
            env={**os.environ, **SECRET_ENV},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        results.append((process.returncode, stdout, stderr))
    return results


def test_eight_gens_of_one_source_into_one_folder(gen_versions, tmp_path):
    folders, references, _ = gen_versions
    out = tmp_path / "models"
    results = _run_together([_gen_args(folders[1], out)] * PROCESSES)
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert_no_secret(stdout, stderr)
    assert package_files(out) == references[1]
    # Exactly one of them wrote; the others found the package up to date.
    writers = [stdout for _, stdout, _ in results if "generated package" in stdout]
    assert len(writers) == 1, [stdout for _, stdout, _ in results]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".models.lock", "models"]


def test_two_versions_racing_leave_one_whole_package(gen_versions, tmp_path):
    folders, references, _ = gen_versions
    out = tmp_path / "models"
    # Half as many: each one really regenerates, so they serialise on the folder's lock.
    commands = [_gen_args(folders[1 + index % 2], out) for index in range(PROCESSES // 2)]
    results = _run_together(commands)
    for code, _, stderr in results:
        assert code == 0, stderr
    assert package_files(out) in (references[1], references[2])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".models.lock", "models"]
    # Whichever won, a final run of v2 converges on exactly v2.
    completed = invoke(_gen_args(folders[2], out))
    assert completed.exit_code == 0, completed.stderr
    assert package_files(out) == references[2]


@pytest.mark.registry
def test_eight_pulls_of_one_digest_share_one_cache(hostile_registry, tmp_path):
    registry, pushed = hostile_registry
    digest = pushed["1.0.0"]
    reference = f"oci://{registry.host}/hostile/contracts:1.0.0@{digest}"
    cache = tmp_path / "cache"
    commands = [
        # Half into one shared --out, half into their own.
        ["pull", reference, "--insecure", "--cache-dir", str(cache), "--out",
         str(tmp_path / ("shared" if index % 2 else f"own{index}"))]
        for index in range(PROCESSES)
    ]  # fmt: skip
    results = _run_together(commands)
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert_no_secret(stdout, stderr)
    outs = sorted(p for p in tmp_path.iterdir() if p.name != "cache" and p.suffix != ".lock")
    assert [p.name for p in outs] == ["own0", "own2", "own4", "own6", "shared"]
    locks = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".lock")
    assert locks == [f".{p.name}.lock" for p in outs]
    contents = {p.name: package_files(p) for p in outs}
    first = contents["shared"]
    assert sorted(first) == ["Athlete.json", "Event.json", "Feedback.json", "Session.json"]
    assert all(files == first for files in contents.values())
    trees = list((cache / "v1" / "trees" / "sha256").iterdir())
    assert [t.name for t in trees] == [digest.removeprefix("sha256:")]
    assert list((cache / "v1" / "tmp").iterdir()) == []
