"""examples/ai-coach/scripts/regenerate-on-bump.sh on a real git repository whose pin changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "ai-coach" / "scripts" / "regenerate-on-bump.sh"
SCHEMAS = ROOT / "fixtures" / "schemas" / "zod-to-json-schema"


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env |= {
        "GIT_AUTHOR_NAME": "renovate", "GIT_AUTHOR_EMAIL": "bot@example.invalid",
        "GIT_COMMITTER_NAME": "renovate", "GIT_COMMITTER_EMAIL": "bot@example.invalid",
        "TC_CONTRACTS_CACHE_DIR": str(tmp / "cache"),
        "TC_SCHEMA": f"{sys.executable} -m tc_contracts_py",
    }  # fmt: skip
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    done = _run(["git", *args], repo, env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _pin(repo: Path, version: str) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0"\n\n[tool.tc-contracts]\n'
        f'artifact = "{SCHEMAS / version}"\nout = "src/consumer/models"\n',
        encoding="utf-8",
    )


@pytest.fixture
def bumped_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Models generated and committed for 1.0.0, then a Renovate-style commit moving the pin to 1.1.0."""
    if shutil.which("git") is None:
        pytest.fail("git is needed")
    env = _env(tmp_path)
    repo = tmp_path / "consumer"
    repo.mkdir()
    _git(repo, env, "init", "-q", "-b", "main")
    _pin(repo, "1.0.0")
    gen = _run([sys.executable, "-m", "tc_contracts_py", "gen"], repo, env)
    assert gen.returncode == 0, gen.stderr
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "contracts 1.0.0")
    _git(repo, env, "switch", "-q", "-c", "renovate/contracts-1.x")
    _pin(repo, "1.1.0")
    _git(repo, env, "commit", "-q", "-am", "chore(deps): update contracts to 1.1.0")
    return repo, env


def test_regenerates_and_commits_the_models_for_the_new_pin(
    bumped_repo: tuple[Path, dict[str, str]],
) -> None:
    repo, env = bumped_repo
    stale = _run([sys.executable, "-m", "tc_contracts_py", "gen", "--check"], repo, env)
    assert stale.returncode == 1, stale.stdout + stale.stderr  # the pin moved, the models did not

    done = _run(["bash", str(SCRIPT)], repo, env)
    assert done.returncode == 0, done.stdout + done.stderr

    assert _git(repo, env, "log", "-1", "--format=%s").strip() == (
        "chore(contracts): regenerate models for 1.1.0"
    )
    changed = _git(repo, env, "show", "--name-only", "--format=", "HEAD").split()
    assert changed
    assert all(name.startswith("src/consumer/models/") for name in changed), changed
    assert _git(repo, env, "status", "--porcelain") == ""
    check = _run([sys.executable, "-m", "tc_contracts_py", "gen", "--check"], repo, env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_second_run_commits_nothing(bumped_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = bumped_repo
    assert _run(["bash", str(SCRIPT)], repo, env).returncode == 0
    head = _git(repo, env, "rev-parse", "HEAD")
    again = _run(["bash", str(SCRIPT)], repo, env)
    assert again.returncode == 0, again.stderr
    assert "already match" in again.stdout
    assert _git(repo, env, "rev-parse", "HEAD") == head
