"""``tc_contracts_py.changesets`` against the real ``@changesets/parse`` (npm, run by node).

``tests/diff/changesets_node`` pins the package (package.json + package-lock.json);
``.ci/run`` installs it with ``npm ci``. Under ``CI=true`` a missing node or package
fails; elsewhere the test skips, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tc_contracts_py.changesets import parse_changeset, read_changesets
from tc_contracts_py.diff import Bump
from tc_contracts_py.errors import InputError

NODE_DIR = Path(__file__).parent / "changesets_node"

# name -> bytes: what a .changeset folder holds in practice, and the edges of the format.
CASES: dict[str, bytes] = {
    "several-packages.md": b'---\n"@tc/contracts": minor\n"@tc/web-ui": patch\nunquoted-pkg: major\n---\n\nAdd TrainingEventV2.\n',
    "single-quoted.md": b"---\n'@tc/contracts': patch\n---\n\nFix a description.\n",
    "unquoted.md": b"---\ntc-contracts: major\n---\n\nDrop draft sessions.\n",
    "empty-front-matter.md": b"---\n---\n\nNothing to release.\n",
    "summary-with-rules.md": b'---\n"@tc/contracts": major\n---\n\nBreaking.\n\n---\n\nMore text after a rule.\n---\n',
    "crlf.md": b'---\r\n"@tc/contracts": minor\r\nother: patch\r\n---\r\n\r\nWindows line ends.\r\n',
    "none-bump.md": b'---\n"@tc/contracts": none\n---\n\nNo release.\n',
    "leading-blank-lines.md": b'\n\n  ---\n"@tc/contracts": patch\n---\nsummary right after\n',
    "yaml-1.2-scalars.md": b"---\nyes: minor\non: patch\n017: major\n0x1F: patch\n---\n\nScalars YAML 1.1 reads otherwise.\n",
    "comment-and-flow.md": b"---\n{a: major, b: minor} # flow style\n---\n",
    "no-front-matter.md": b"Just a summary.\n",
    "bad-bump.md": b'---\n"@tc/contracts": Major\n---\n',
    "missing-bump.md": b'---\n"@tc/contracts":\n---\n',
    "empty-name.md": b'---\n"": major\n---\n',
    "null-name.md": b"---\n~: major\n---\n",
    "duplicate-name.md": b"---\na: major\na: minor\n---\n",
    "unquoted-at.md": b"---\n@tc/contracts: major\n---\n",
    "a-list.md": b"---\n- a\n---\n",
    "a-scalar.md": b"---\njust text\n---\n",
}


def _node() -> str:
    node = shutil.which("node")
    installed = (NODE_DIR / "node_modules" / "@changesets" / "parse" / "package.json").is_file()
    if node and installed:
        return node
    reason = (
        "node is not installed"
        if node is None
        else f"@changesets/parse is not installed: run `npm ci` in {NODE_DIR}"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (.ci/run installs it)")
    pytest.skip(reason)


def _run_reference(files: list[Path]) -> dict[str, dict[str, Any]]:
    node = _node()
    result = subprocess.run(
        [node, str(NODE_DIR / "parse.mjs"), *map(str, files)],
        capture_output=True,
        check=True,
        timeout=60,
        cwd=NODE_DIR,
    )
    return {Path(k).name: v for k, v in json.loads(result.stdout).items()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What the real parser makes of every case: releases and summary, or an error."""
    folder = tmp_path_factory.mktemp("cases")
    for name, data in CASES.items():
        (folder / name).write_bytes(data)
    return _run_reference([folder / name for name in sorted(CASES)])


def test_the_parser_agrees_with_changesets_parse(reference: dict[str, dict[str, Any]]) -> None:
    assert set(reference) == set(CASES)
    for name, data in CASES.items():
        expected = reference[name]
        if "error" in expected:
            with pytest.raises(InputError, match=name):
                parse_changeset(data.decode(), name)
            continue
        releases = [(r["name"], r["type"]) for r in expected["releases"]]
        assert parse_changeset(data.decode(), name) == releases, name
    # the set exercises both sides: files the parser reads and files it refuses
    refused = [n for n, v in reference.items() if "error" in v]
    assert 5 <= len(refused) <= len(CASES) - 8


def test_the_highest_bump_across_files_is_the_reference_one(
    tmp_path: Path, reference: dict[str, dict[str, Any]]
) -> None:
    folder = tmp_path / ".changeset"
    folder.mkdir()
    readable = {n: v for n, v in reference.items() if "error" not in v}
    for name in readable:
        (folder / name).write_bytes(CASES[name])
    (folder / "README.md").write_text("# not a changeset\n")
    (folder / "config.json").write_text("{}\n")
    order = ["none", "patch", "minor", "major"]
    for package in ("@tc/contracts", "other", "unquoted-pkg", "17", "yes"):
        bumps = [
            r["type"] for v in readable.values() for r in v["releases"] if r["name"] == package
        ]
        release = read_changesets(start=tmp_path, package=package)
        assert release is not None
        assert release.bump is Bump.from_label(max(bumps, key=order.index)), package
    contracts = read_changesets(start=tmp_path, package="@tc/contracts")
    assert contracts is not None
    assert contracts.files == (".changeset/summary-with-rules.md",)
