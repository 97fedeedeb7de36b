"""Eight ``gen`` processes on one output folder at once: one consistent result, no error."""

from __future__ import annotations

import os
import subprocess
import sys

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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]


def test_two_versions_racing_leave_one_whole_package(gen_versions, tmp_path):
    folders, references, _ = gen_versions
    out = tmp_path / "models"
    # Half as many: each one really regenerates, so they serialise on the folder's lock.
    commands = [_gen_args(folders[1 + index % 2], out) for index in range(PROCESSES // 2)]
    results = _run_together(commands)
    for code, _, stderr in results:
        assert code == 0, stderr
    assert package_files(out) in (references[1], references[2])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]
    # Whichever won, a final run of v2 converges on exactly v2.
    completed = invoke(_gen_args(folders[2], out))
    assert completed.exit_code == 0, completed.stderr
    assert package_files(out) == references[2]
