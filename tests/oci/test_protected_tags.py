"""Release tags never move: push, lock and pull against a real docker-registry."""

from __future__ import annotations

from pathlib import Path

from tc_contracts_py.cli import ExitCode
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport
from tc_contracts_py.sources import SourceOptions

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "schemas" / "zod-to-json-schema"


def _tag_digest(host: str, repo: str, tag: str) -> str | None:
    reference = OciReference(host, repo, tag)
    with Transport(SourceOptions(insecure=True)) as transport:
        return RegistryClient(reference, transport, insecure=True).tag_digest(tag)


def test_push_refuses_to_move_a_release_tag(run, registry, repo):
    ref = f"{registry.host}/{repo}:1.0.0"
    first = run("push", "--insecure", FIXTURES / "1.0.0", ref)
    assert first.exit_code == ExitCode.OK, first.output
    digest = first.stdout.strip()

    moved = run("push", "--insecure", "--version", "1.0.0", FIXTURES / "1.1.0", ref)

    assert moved.exit_code == ExitCode.CHECK_FAILED, moved.output
    assert f"already points at {digest}" in moved.stderr
    assert "--force" in moved.stderr
    assert len(moved.stderr.strip().splitlines()) == 1
    assert moved.stdout == ""
    assert _tag_digest(registry.host, repo, "1.0.0") == digest


def test_push_of_the_same_content_again_is_fine(run, registry, repo):
    ref = f"{registry.host}/{repo}:1.0.0"
    first = run("push", "--insecure", FIXTURES / "1.0.0", ref).stdout.strip()
    again = run("push", "--insecure", FIXTURES / "1.0.0", ref)
    assert again.exit_code == ExitCode.OK, again.output
    assert again.stdout.strip() == first


def test_push_force_moves_a_release_tag_deliberately(run, registry, repo):
    ref = f"{registry.host}/{repo}:1.0.0"
    old = run("push", "--insecure", FIXTURES / "1.0.0", ref).stdout.strip()
    forced = run("push", "--insecure", "--force", "--version", "1.0.0", FIXTURES / "1.1.0", ref)
    assert forced.exit_code == ExitCode.OK, forced.output
    new = forced.stdout.strip()
    assert new != old
    assert _tag_digest(registry.host, repo, "1.0.0") == new


def test_a_floating_tag_moves_without_force(run, registry, repo):
    ref = f"{registry.host}/{repo}:latest"
    old = run("push", "--insecure", "--version", "1.0.0", FIXTURES / "1.0.0", ref).stdout.strip()
    moved = run("push", "--insecure", "--version", "1.1.0", FIXTURES / "1.1.0", ref)
    assert moved.exit_code == ExitCode.OK, moved.output
    assert moved.stdout.strip() != old


def test_push_refuses_a_release_tag_that_disagrees_with_the_version(run, registry, repo):
    ref = f"{registry.host}/{repo}:2.0.0"
    result = run("push", "--insecure", "--version", "2.1.0", FIXTURES / "1.1.0", ref)
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "'2.0.0' and --version '2.1.0' disagree" in result.stderr
    assert _tag_digest(registry.host, repo, "2.0.0") is None


def test_lock_refuses_to_follow_a_moved_release_tag(run, registry, repo, tmp_path):
    ref = f"{registry.host}/{repo}:1.0.0"
    old = run("push", "--insecure", FIXTURES / "1.0.0", ref).stdout.strip()
    run("push", "--insecure", "--force", "--version", "1.0.0", FIXTURES / "1.1.0", ref)
    config = tmp_path / "tc-contracts.toml"
    text = f'artifact = "{ref}@{old}"\n'
    config.write_text(text)

    result = run("lock", "--insecure", "--config", config)

    assert result.exit_code == ExitCode.CHECK_FAILED, result.output
    assert f"not at the pinned {old}" in result.stderr
    assert config.read_text() == text


def test_pull_refuses_a_pin_whose_tag_names_another_release(run, registry, repo, tmp_path):
    old_ref = f"{registry.host}/{repo}:1.0.0"
    old = run("push", "--insecure", FIXTURES / "1.0.0", old_ref).stdout.strip()
    run("push", "--insecure", FIXTURES / "1.1.0", f"{registry.host}/{repo}:1.1.0")
    wrong_pin = f"{registry.host}/{repo}:1.1.0@{old}"

    for command in (["pull", wrong_pin], ["gen", wrong_pin, "--out", tmp_path / "m"]):
        result = run(*command[:1], "--insecure", *command[1:])
        assert result.exit_code == ExitCode.INPUT, result.output
        assert "the tag says 1.1.0 but the artifact it pins is version 1.0.0" in result.stderr
    assert not (tmp_path / "m").exists()
