"""The pre-commit hooks, run by the real ``pre-commit try-repo`` on temp git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.gitrepo import FIXTURE, commit_all, git, replace_schemas, tagged_contracts_repo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's files as one commit, so that every try-repo shares one hook env."""
    if shutil.which("git") is None:
        pytest.fail("git is needed")
    copy = tmp_path_factory.mktemp("hooks") / "tc-contracts-py"
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
        capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    commit_all(copy, "hooks")
    return copy


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(
    project: Path, hook_repo: Path, home: Path, hook: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hook runs the package pre-commit installed
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_gen_check_hook_passes_when_fresh_and_fails_when_stale(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    project = tmp_path / "consumer"
    shutil.copytree(FIXTURE / "1.1.0", project / "contracts")
    (project / "pyproject.toml").write_text(
        '[tool.tc-contracts]\nartifact = "contracts"\nout = "models"\n'
    )
    subprocess.run([sys.executable, "-m", "tc_contracts_py", "gen"], cwd=project, check=True)
    commit_all(project, "models")

    fresh = try_repo(project, hook_repo, pre_commit_home, "tc-schema-gen-check")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "tc-schema gen --check" in fresh.stdout
    assert "Passed" in fresh.stdout

    schema = project / "contracts" / "AthleteProfile.json"
    document = json.loads(schema.read_text())
    document["description"] = "edited after the models were generated"
    schema.write_text(json.dumps(document))
    stale = try_repo(project, hook_repo, pre_commit_home, "tc-schema-gen-check")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert "athlete_profile.py" in stale.stdout


def test_diff_hook_gates_the_working_tree_against_the_last_release(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    project = tagged_contracts_repo(tmp_path / "contracts")
    git(project, "tag", "contracts-v1.2.0-rc.1")  # a prerelease is not the last release

    unchanged = try_repo(project, hook_repo, pre_commit_home, "tc-schema-diff")
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr

    replace_schemas(project, "2.0.0")
    breaking = try_repo(project, hook_repo, pre_commit_home, "tc-schema-diff")
    assert breaking.returncode == 1, breaking.stdout + breaking.stderr
    assert "1.1.1" in breaking.stdout
    assert "major" in breaking.stdout

    (project / ".changeset" / "big-break.md").write_text(
        '---\n"@tc/contracts": major\n---\n\nBreak.\n'
    )
    declared = try_repo(project, hook_repo, pre_commit_home, "tc-schema-diff")
    assert declared.returncode == 0, declared.stdout + declared.stderr
