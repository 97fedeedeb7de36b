"""Git repositories for tests: a quiet ``git`` and a contracts repository with a release tag."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import SCHEMAS

FIXTURE = SCHEMAS / "zod-to-json-schema"
RELEASE_TAG = "contracts-v1.1.1"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` (failing the test when it fails) and return what it printed."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **_IDENTITY}, check=True, capture_output=True
    )
    return done.stdout.decode()


def commit_all(repo: Path, message: str) -> None:
    """``git init`` (when needed), then one commit of everything in ``repo``."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def tagged_contracts_repo(repo: Path) -> Path:
    """The contracts repository after release 1.1.1: schemas, package.json and .changeset/
    committed and tagged ``contracts-v1.1.1``."""
    shutil.copytree(FIXTURE / "1.1.1", repo / "schemas")
    (repo / "package.json").write_text('{"name": "@tc/contracts", "version": "1.1.1"}\n')
    (repo / ".changeset").mkdir()
    (repo / ".changeset" / "config.json").write_text("{}\n")
    commit_all(repo, "release 1.1.1")
    git(repo, "tag", RELEASE_TAG)
    return repo


def replace_schemas(repo: Path, version: str) -> None:
    """The working tree's ``schemas/`` becomes the fixture release ``version`` (uncommitted)."""
    shutil.rmtree(repo / "schemas")
    shutil.copytree(FIXTURE / version, repo / "schemas")
