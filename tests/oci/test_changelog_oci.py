"""`tc-schema changelog --since-tag` over an OCI repository: the registry's tag list is the history."""

from __future__ import annotations

import json

from tc_contracts_py.cli import ExitCode
from tests.oci.conftest import FIXTURE_SCHEMAS


def test_since_tag_reads_the_releases_from_the_registry(registry, repo, run):
    # a prerelease and a floating tag beside three releases: neither is a release
    for version, tag in [
        ("1.1.1", "1.1.1"),
        ("1.0.0", "1.0.0"),
        ("1.1.0", "1.1.0"),
        ("2.0.0", "1.2.0-rc.1"),
        ("2.0.0", "latest"),
    ]:
        ref = f"{registry.host}/{repo}:{tag}"
        label = [] if tag[0].isdigit() else ["--version", version]
        pushed = run("push", "--insecure", FIXTURE_SCHEMAS / version, ref, *label)
        assert pushed.exit_code == ExitCode.OK, pushed.output
    where = f"oci://{registry.host}/{repo}"
    result = run("changelog", "--since-tag", "1.0.0", where, "--insecure", "--format", "json")
    assert result.exit_code == ExitCode.OK, result.output
    releases = json.loads(result.output)["releases"]
    assert [(r["old"]["source"], r["new"]["source"]) for r in releases] == [
        (f"{where}:1.1.0", f"{where}:1.1.1"),
        (f"{where}:1.0.0", f"{where}:1.1.0"),
    ]
    assert [r["new"]["version"] for r in releases] == ["1.1.1", "1.1.0"]
    assert [r["required_bump"] for r in releases] == ["patch", "minor"]
    tagged = run("changelog", "--since-tag", "1.0.0", f"{where}:1.0.0", "--insecure")
    assert tagged.exit_code == ExitCode.INPUT
    assert "name the repository without a tag or digest" in tagged.output
    missing = run("changelog", "--since-tag", "0.9.0", where, "--insecure")
    assert missing.exit_code == ExitCode.INPUT
    assert "--since-tag 0.9.0: no such tag" in missing.output
