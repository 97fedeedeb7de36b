"""The GitHub Action's script, run as GitHub would: a real git repo, GITHUB_* variables, and a
loopback stand-in for the comments API (the only part of GitHub faked)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.core.fake_github import FakeGitHub
from tests.gitrepo import FIXTURE, replace_schemas, tagged_contracts_repo

SCRIPT = ROOT / "action" / "tc_action.py"
TOKEN = "ghs_not-a-real-token-0123456789"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    """A contracts repo: release 1.1.1 tagged, the working tree at 2.0.0 (a major break)."""
    repo = tagged_contracts_repo(tmp_path / "contracts")
    replace_schemas(repo, "2.0.0")
    return repo


def run_action(
    repo: Path, github: FakeGitHub, tmp_path: Path, **inputs: str
) -> subprocess.CompletedProcess[str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    env = {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "org/tc-contracts",
        "GITHUB_API_URL": github.url,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "TC_ACTION_TOKEN": TOKEN,
        **{f"TC_ACTION_{key.upper()}": value for key, value in inputs.items()},
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_major_break_fails_with_annotations_a_summary_and_one_comment(
    contracts: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    result = run_action(contracts, github, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "::error " in result.stdout
    summary = (tmp_path / "summary.md").read_text()
    assert "1.1.1" in summary
    assert "major" in summary
    [comment] = github.comments.values()
    assert "the semver gate failed" in comment["body"]
    assert "Witness" in comment["body"] or "witness" in comment["body"]
    assert TOKEN not in result.stdout + result.stderr
    assert {auth for _, _, auth in github.requests} == {f"Bearer {TOKEN}"}


def test_a_second_run_edits_the_comment_instead_of_adding_one(
    contracts: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    run_action(contracts, github, tmp_path)
    (contracts / ".changeset" / "break.md").write_text(
        '---\n"@tc/contracts": major\n---\n\nBreak.\n'
    )

    second = run_action(contracts, github, tmp_path)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "::error " not in second.stdout
    assert len(github.comments) == 1
    [comment] = github.comments.values()
    assert "the semver gate passed" in comment["body"]
    methods = [method for method, _, _ in github.requests]
    assert methods == ["GET", "POST", "GET", "PATCH"]


def test_without_a_token_no_request_is_made(
    contracts: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    result = run_action(contracts, github, tmp_path, token="")
    assert result.returncode == 1
    assert github.requests == []
    assert (tmp_path / "summary.md").read_text()


def test_gen_check_passes_the_exit_code_through(github: FakeGitHub, tmp_path: Path) -> None:
    consumer = tmp_path / "consumer"
    shutil.copytree(FIXTURE / "1.1.0", consumer / "contracts")
    (consumer / "pyproject.toml").write_text(
        '[tool.tc-contracts]\nartifact = "contracts"\nout = "m"\n'
    )
    subprocess.run([sys.executable, "-m", "tc_contracts_py", "gen"], cwd=consumer, check=True)
    assert run_action(consumer, github, tmp_path, command="gen-check").returncode == 0
    (consumer / "m" / "py.typed").unlink()
    assert run_action(consumer, github, tmp_path, command="gen-check").returncode == 1
    assert github.requests == []


def test_action_yml_runs_the_script_with_every_input() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    run_step = action["runs"]["steps"][-1]
    assert "action/tc_action.py" in run_step["run"]
    for name in ("command", "against", "schemas", "args", "token"):
        assert name in action["inputs"]
        assert run_step["env"][f"TC_ACTION_{name.upper()}"] == f"${{{{ inputs.{name} }}}}"
