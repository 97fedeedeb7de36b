"""What the tc-schema GitHub Action runs: one tc-schema command, its annotations, the job
summary and one sticky pull-request comment.

Run by ``action.yml`` with the ``TC_ACTION_*`` inputs and GitHub's own variables
(``GITHUB_EVENT_PATH``, ``GITHUB_REPOSITORY``, ``GITHUB_API_URL``, ``GITHUB_STEP_SUMMARY``).
It exits with the command's code, so a failed gate fails the job; a comment that cannot be
posted is a warning, never a pass or a failure of the gate.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

MARKER = "<!-- tc-schema: contracts diff -->"
_TIMEOUT = 30


def _tc_schema(*args: str) -> list[str]:
    return [sys.executable, "-m", "tc_contracts_py", *args]


def main() -> int:
    command = os.environ.get("TC_ACTION_COMMAND", "diff")
    extra = shlex.split(os.environ.get("TC_ACTION_ARGS", ""))
    if command == "gen-check":
        return subprocess.run(_tc_schema("gen", "--check", *extra), check=False).returncode
    if command == "upgrade":
        return subprocess.run(_tc_schema("upgrade", *extra), check=False).returncode
    if command != "diff":
        print(
            f"::error title=tc-schema action::unknown command {command!r} (diff, gen-check, upgrade)"
        )
        return 2
    return _diff(extra)


def _diff(extra: list[str]) -> int:
    sources = [os.environ.get("TC_ACTION_AGAINST", "git:contracts-v*:schemas"),
               os.environ.get("TC_ACTION_SCHEMAS", "schemas/")]  # fmt: skip
    # Annotations on stdout and the job summary (the CLI writes it under GITHUB_STEP_SUMMARY).
    gate = subprocess.run(_tc_schema("diff", *sources, "--format", "github", *extra), check=False)
    token = os.environ.get("TC_ACTION_TOKEN", "")
    pull_request = _pull_request_number()
    if token and pull_request is not None and gate.returncode in (0, 1):
        markdown = subprocess.run(
            _tc_schema("diff", *sources, "--format", "markdown", *extra),
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        verdict = "passed" if gate.returncode == 0 else "failed"
        body = f"{MARKER}\n**tc-schema: the semver gate {verdict}.**\n\n{markdown.stdout}"
        try:
            _upsert_comment(token, pull_request, body)
        except requests.RequestException as exc:
            print(f"::warning title=tc-schema action::PR comment not posted ({type(exc).__name__})")
    return gate.returncode


def _pull_request_number() -> int | None:
    event_path = os.environ.get("GITHUB_EVENT_PATH")
    if not event_path:
        return None
    try:
        event: dict[str, Any] = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    number = (event.get("pull_request") or {}).get("number")
    return number if isinstance(number, int) else None


def _upsert_comment(token: str, number: int, body: str) -> None:
    """Edit the comment that carries the marker, or create it: one comment per pull request."""
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repository = os.environ["GITHUB_REPOSITORY"]
    session = requests.Session()
    session.headers.update({
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    })  # fmt: skip
    existing = _find_marked(session, f"{api}/repos/{repository}/issues/{number}/comments")
    if existing is None:
        url, method = f"{api}/repos/{repository}/issues/{number}/comments", "POST"
    else:
        url, method = f"{api}/repos/{repository}/issues/comments/{existing}", "PATCH"
    response = session.request(method, url, json={"body": body}, timeout=_TIMEOUT)
    response.raise_for_status()


def _find_marked(session: requests.Session, url: str) -> int | None:
    next_url: str | None = f"{url}?per_page=100"
    while next_url:
        response = session.get(next_url, timeout=_TIMEOUT)
        response.raise_for_status()
        for comment in response.json():
            if MARKER in (comment.get("body") or ""):
                return int(comment["id"])
        next_url = response.links.get("next", {}).get("url")
    return None


if __name__ == "__main__":
    sys.exit(main())
