"""``kill -9`` at random points: the previous models (and cache) stay whole, the next run works.

Each kill targets the version that is *not* on disk, so every iteration is a real
replacement in flight. After each kill the folder must be byte-identical to one of the two
complete reference packages, never a mix, never missing.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.helpers import (
    INPUT,
    SECRET_ENV,
    assert_refused,
    invoke,
    package_files,
    run_module,
)

KILLS = int(os.environ.get("TC_HOSTILE_KILLS", "8"))
SEED = int(os.environ.get("TC_HOSTILE_SEED", "20261123"))


def _gen_args(source: Path, out: Path) -> list[str]:
    return ["gen", str(source), "--out", str(out), "--package", "models"]


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tc_contracts_py", *args],
        env={**os.environ, **SECRET_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_kill_9_during_gen_leaves_a_whole_package(gen_versions, tmp_path):
    sources, references, durations = gen_versions
    rng = random.Random(SEED)
    out = tmp_path / "project" / "models"
    first = run_module(_gen_args(sources[1], out))
    assert first.returncode == 0, first.stderr
    on_disk = 1
    outcomes = {"old": 0, "new": 0, "finished": 0}
    scale = 1.0
    for _ in range(KILLS):
        target = 2 if on_disk == 1 else 1
        # Imports take the first third; the writes and the swap happen near the end.
        delay = rng.uniform(0.4, 1.05) * durations[target] * scale
        process = _start(_gen_args(sources[target], out))
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        else:
            outcomes["finished"] += 1
            # The machine is faster now than when the durations were measured (CI load
            # varies): aim earlier, so that the kills keep landing inside the runs.
            scale *= 0.7
        process.wait()
        process.stderr.close()
        files = package_files(out)
        assert files in (references[1], references[2]), sorted(files)
        now = 1 if files == references[1] else 2
        outcomes["new" if now == target else "old"] += 1
        on_disk = now
    # The next run after all that works and yields exactly the reference package.
    completed = run_module(_gen_args(sources[2], out))
    assert completed.returncode == 0, completed.stderr
    assert package_files(out) == references[2]
    leftovers = [p.name for p in out.parent.iterdir() if p.name not in ("models", ".models.lock")]
    assert leftovers == [], leftovers
    # The seeded delays must really have cut runs short, or the test proved nothing.
    assert outcomes["old"] + outcomes["new"] - outcomes["finished"] >= KILLS // 2, outcomes


def test_interrupted_two_step_swap_is_recovered(gen_versions, tmp_path):
    """The fallback swap parks the old tree as ``<out>.tc-old``; a crash between its two
    renames leaves no ``<out>``. The next run must put it back, then regenerate."""
    sources, references, _ = gen_versions
    out = tmp_path / "models"
    assert invoke(_gen_args(sources[1], out)).exit_code == 0
    out.rename(tmp_path / "models.tc-old")
    stale = tmp_path / ".models.abc123.tmp"
    stale.mkdir()
    (stale / "half.py").write_text("half written")

    completed = invoke(_gen_args(sources[2], out))

    assert completed.exit_code == 0, completed.stderr
    assert package_files(out) == references[2]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".models.lock", "models"]


def test_truncated_module_on_disk_is_detected_and_repaired(gen_versions, tmp_path):
    """A file damaged after generation (or by a crash of another tool) is detected, not trusted:
    `--check` lists it, `gen` refuses to destroy bytes it did not write and says what to do,
    and once that is done the next run restores the package."""
    sources, references, _ = gen_versions
    out = tmp_path / "models"
    assert invoke(_gen_args(sources[1], out)).exit_code == 0
    victim = out / "athlete.py"
    victim.write_bytes(victim.read_bytes()[:40])

    check = invoke([*_gen_args(sources[1], out), "--check"])
    assert check.exit_code == 1, check.stderr
    assert "athlete.py" in check.stderr

    damaged = package_files(out)
    refused = invoke(_gen_args(sources[1], out))
    assert_refused(refused, INPUT, "athlete.py", "changed since tc-schema wrote it", "delete")
    assert package_files(out) == damaged

    victim.unlink()
    completed = invoke(_gen_args(sources[1], out))
    assert completed.exit_code == 0, completed.stderr
    assert package_files(out) == references[1]


@pytest.mark.registry
def test_kill_9_during_pull_leaves_cache_and_out_whole(hostile_registry, fault_proxy, tmp_path):
    """Pulls through the proxy with a slowed blob, so kills land inside the transfer too."""
    from tests.hostile.faultproxy import Fault

    _, pushed = hostile_registry
    digest = pushed["1.0.0"]
    reference = f"oci://{fault_proxy.host}/hostile/contracts:1.0.0@{digest}"
    cache = tmp_path / "cache"
    out = tmp_path / "schemas"
    args = ["pull", reference, "--insecure", "--cache-dir", str(cache), "--out", str(out)]
    rng = random.Random(SEED + 1)
    fault_proxy.reset(Fault(r"/blobs/", "slow", None, {"chunk": 16, "interval": 0.004}))
    try:
        started = time.monotonic()
        reference_run = run_module(
            ["pull", reference, "--insecure", "--cache-dir", str(tmp_path / "ref-cache"),
             "--out", str(tmp_path / "ref")]
        )  # fmt: skip
        duration = time.monotonic() - started
        assert reference_run.returncode == 0, reference_run.stderr
        expected = package_files(tmp_path / "ref")
        for _ in range(KILLS):
            shutil.rmtree(cache, ignore_errors=True)  # a cold cache each time: a real download
            process = _start(args)
            time.sleep(rng.uniform(0.2, 1.05) * duration)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait()
            process.stderr.close()
            # --out is absent or whole; a cache tree, if any, is whole and verifies.
            if out.exists():
                assert package_files(out) == expected
            _assert_cache_whole(cache, digest, expected)
        completed = run_module(args)
        assert completed.returncode == 0, completed.stderr
        assert package_files(out) == expected
        _assert_cache_whole(cache, digest, expected, required=True)
    finally:
        fault_proxy.reset()


def _assert_cache_whole(cache, digest, expected, *, required=False):
    trees = cache / "v1" / "trees" / "sha256"
    folder = trees / digest.removeprefix("sha256:")
    if not folder.exists():
        assert not required, "the final pull left no cache tree"
        return
    assert package_files(folder / "files") == expected
    assert (folder / "tree.json").is_file()
