"""``tc-schema diff --transitive oci://host/repo NEW`` against a real docker-registry: the
line is every semver tag of the repository (prereleases and floating tags left out)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tc_contracts_py.cli import ExitCode
from tests.diff.test_transitive import BYPASS


def _folder(root: Path, documents: dict[str, Any]) -> Path:
    root.mkdir(parents=True)
    for name, document in documents.items():
        (root / f"{name}.json").write_text(json.dumps(document))
    return root


def _push_line(run: Any, registry: Any, repo: str, tmp_path: Path) -> None:
    for version, documents in BYPASS.items():
        folder = _folder(tmp_path / "releases" / version, documents)
        pushed = run("push", "--insecure", folder, f"{registry.host}/{repo}:{version}")
        assert pushed.exit_code == ExitCode.OK, pushed.output
    # neither a prerelease nor a floating tag is a release of the line
    odd = _folder(tmp_path / "releases" / "rc", {"Order": {"type": "boolean"}})
    for tag in ("1.3.0-rc.1", "latest"):
        version = "1.3.0-rc.1"
        pushed = run(
            "push", "--insecure", "--version", version, odd, f"{registry.host}/{repo}:{tag}"
        )
        assert pushed.exit_code == ExitCode.OK, pushed.output


def test_an_oci_line_catches_the_bypass(run, registry, repo, tmp_path):
    _push_line(run, registry, repo, tmp_path)
    new = _folder(tmp_path / "new", BYPASS["1.2.0"])
    line = f"oci://{registry.host}/{repo}"

    pairwise = run("diff", "--insecure", f"{line}:1.2.0", new, "--declared-bump", "minor")
    assert pairwise.exit_code == ExitCode.OK, pairwise.output

    result = run(
        "diff",
        "--insecure",
        "--transitive",
        line,
        new,
        "--declared-bump",
        "minor",
        "--format",
        "json",
    )
    assert result.exit_code == ExitCode.CHECK_FAILED, result.output
    report = json.loads(result.stdout)
    releases = report["compatibility"]["releases"]
    assert [(r["version"], r["source"]) for r in releases] == [
        (v, f"{line}:{v}") for v in ("1.0.0", "1.1.0", "1.2.0")
    ]
    assert [c["against"] for c in report["changes"] if c["rule"] == "type-changed"] == [["1.0.0"]]

    major = run("diff", "--insecure", "--transitive", line, new, "--to-version", "2.0.0")
    assert major.exit_code == ExitCode.OK, major.output
    assert "owes no release" in major.stdout


def test_an_oci_line_without_releases_is_bad_input(run, registry, repo, tmp_path):
    folder = _folder(tmp_path / "rc", BYPASS["1.0.0"])
    pushed = run(
        "push",
        "--insecure",
        "--version",
        "1.0.0-rc.1",
        folder,
        f"{registry.host}/{repo}:1.0.0-rc.1",
    )
    assert pushed.exit_code == ExitCode.OK, pushed.output
    result = run("diff", "--insecure", "--transitive", f"oci://{registry.host}/{repo}", folder)
    assert result.exit_code == ExitCode.INPUT
    assert "--from-empty" in result.stderr


def test_listing_a_line_needs_the_network(run, registry, repo, tmp_path):
    folder = _folder(tmp_path / "new", BYPASS["1.0.0"])
    result = run("diff", "--offline", "--transitive", f"oci://{registry.host}/{repo}", folder)
    assert result.exit_code == ExitCode.OPERATIONAL
    assert "needs the registry" in result.stderr
