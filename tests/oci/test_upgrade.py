"""`tc-schema upgrade` against a real registry: the consumer's one-command bump."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tc_contracts_py.cli import ExitCode
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport
from tc_contracts_py.sources import SourceOptions
from tc_contracts_py.upgrade import choose_release
from tests.oci.conftest import FIXTURE_SCHEMAS

USED = ["AthleteProfile", "CoachAdviceRequest", "User", "WhatIfSimulationResponse"]
# Changed between 1.0.0 and 1.1.0 (and used): each gains an optional property.
CHANGED_AND_USED = ["AthleteProfile", "CoachAdviceRequest", "WhatIfSimulationResponse"]


@pytest.fixture
def releases(registry, repo, run) -> dict[str, str]:
    """1.0.0, 1.1.0 and 2.0.0 of the fixtures in one repository: tag -> manifest digest."""
    digests = {}
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        ref = f"{registry.host}/{repo}:{version}"
        result = run("push", "--insecure", FIXTURE_SCHEMAS / version, ref)
        assert result.exit_code == ExitCode.OK, result.output
        digests[version] = result.stdout.strip()
    return digests


def _consumer(folder: Path, artifact: str, *, comment: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "pyproject.toml"
    used = ", ".join(f'"{name}"' for name in USED)
    config.write_bytes(
        (
            '[project]\nname = "svc"\n\n'
            "[tool.tc-contracts]\n"
            + ("# the contracts release this service speaks\n" if comment else "")
            + f'artifact = "{artifact}"   # bumped by tc-schema upgrade\n'
            'out = "models"\n'
            "insecure = true\n\n"
            f"[tool.tc-contracts.testing]\nschemas = [{used}]\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )
    return config


def test_upgrade_bumps_the_pin_regenerates_and_reports(registry, repo, releases, run, tmp_path):
    config = _consumer(tmp_path / "svc", f"{registry.host}/{repo}:1.0.0")
    before = config.read_bytes()
    started = time.perf_counter()
    result = run("upgrade", "--config", config)
    elapsed = time.perf_counter() - started
    assert result.exit_code == ExitCode.OK, result.output
    pinned = f"{registry.host}/{repo}:1.1.0@{releases['1.1.0']}"
    # Only the pin changed: comments, CRLF and the other keys are as they were.
    assert config.read_bytes() == before.replace(
        f"{registry.host}/{repo}:1.0.0".encode(), pinned.encode()
    )
    models = tmp_path / "svc" / "models"
    manifest = json.loads((models / "_manifest.json").read_text())
    assert manifest["source"] == {
        "artifact": pinned,
        "digest": releases["1.1.0"],
        "version": "1.1.0",
    }
    init = (models / "__init__.py").read_text()
    assert 'CONTRACTS_VERSION: str | None = "1.1.0"' in init
    assert f'CONTRACTS_ARTIFACT: str | None = "{pinned}"' in init
    check = run("gen", "--check", "--config", config)
    assert check.exit_code == ExitCode.OK, check.output
    # The report names each used schema that changed, and no schema the service does not use.
    for name in CHANGED_AND_USED:
        assert f"  {name} (" in result.stdout
    assert "Exercise" not in result.stdout
    assert "3 of the 4 schemas this service uses changed, none breaks it" in result.stdout
    print(f"upgrade wall time: {elapsed:.2f} s")


def test_gen_check_names_the_moved_pin(registry, repo, releases, run, tmp_path):
    config = _consumer(tmp_path / "svc", f"{registry.host}/{repo}:1.0.0@{releases['1.0.0']}")
    assert run("gen", "--config", config).exit_code == ExitCode.OK
    text = config.read_text().replace(f":1.0.0@{releases['1.0.0']}", f":1.1.0@{releases['1.1.0']}")
    config.write_text(text)
    check = run("gen", "--check", "--config", config)
    assert check.exit_code == ExitCode.CHECK_FAILED
    first = check.stderr.splitlines()[0]
    assert first.endswith(
        f"models were generated from 1.0.0 ({releases['1.0.0'][:19]}…), "
        f"the pin is 1.1.0 ({releases['1.1.0'][:19]}…); run `tc-schema gen`"
    )
    assert "__init__.py" in check.stderr  # the file list follows, as before


def test_dry_run_changes_nothing(registry, repo, releases, run, tmp_path):
    config = _consumer(tmp_path / "svc", f"{registry.host}/{repo}:1.0.0@{releases['1.0.0']}")
    assert run("gen", "--config", config).exit_code == ExitCode.OK
    models = tmp_path / "svc" / "models"
    before = {p.name: p.read_bytes() for p in models.iterdir() if p.is_file()}
    config_before = config.read_bytes()
    result = run("upgrade", "--dry-run", "--config", config)
    assert result.exit_code == ExitCode.OK, result.output
    assert config.read_bytes() == config_before
    assert {p.name: p.read_bytes() for p in models.iterdir() if p.is_file()} == before
    assert f"would pin {registry.host}/{repo}:1.1.0@{releases['1.1.0']}" in result.stderr
    assert "would regenerate" in result.stderr
    assert "  AthleteProfile (" in result.stdout


def test_major_is_crossed_only_when_asked(registry, repo, releases, run, tmp_path):
    config = _consumer(tmp_path / "svc", f"{registry.host}/{repo}:1.1.0@{releases['1.1.0']}")
    result = run("upgrade", "--config", config)
    assert result.exit_code == ExitCode.OK, result.output
    assert "already at the newest release" in result.stderr
    assert f":1.1.0@{releases['1.1.0']}" in config.read_text()
    result = run("upgrade", "--major", "--format", "json", "--config", config)
    assert result.exit_code == ExitCode.OK, result.output
    assert f":2.0.0@{releases['2.0.0']}" in config.read_text()
    report = json.loads(result.stdout)
    assert report["breaks_this_service"] is True
    user = next(s for s in report["schemas"] if s["name"] == "User")
    assert user["breaks_this_service_as"] == ["writes"]
    assert any(c["witness"] for c in user["changes"])


def test_to_an_unknown_tag_is_bad_input(registry, repo, releases, run, tmp_path):
    config = _consumer(tmp_path / "svc", f"{registry.host}/{repo}:1.0.0")
    result = run("upgrade", "--to", "9.9.9", "--config", config)
    assert result.exit_code == ExitCode.INPUT
    assert "9.9.9: no such tag" in result.stderr


def test_an_unreachable_registry_is_operational(own_registry, tmp_path, run):
    host = own_registry.host
    own_registry.stop()
    config = _consumer(tmp_path / "svc", f"{host}/tests/gone:1.0.0")
    result = run("upgrade", "--timeout", "0.5", "--config", config)
    assert result.exit_code == ExitCode.OPERATIONAL


def test_tag_list_follows_link_pages(registry, repo, releases):
    reference = OciReference(registry.host, repo)
    with Transport(SourceOptions(insecure=True)) as transport:
        client = RegistryClient(reference, transport, insecure=True)
        import tc_contracts_py.oci.registry as registry_module

        saved = registry_module.TAGS_PAGE_SIZE
        registry_module.TAGS_PAGE_SIZE = 1  # distribution answers with a Link to the next page
        try:
            tags = client.list_tags()
        finally:
            registry_module.TAGS_PAGE_SIZE = saved
    assert sorted(tags) == ["1.0.0", "1.1.0", "2.0.0"]


@pytest.mark.parametrize(
    ("tags", "current", "major", "expected"),
    [
        (["1.0.0", "1.1.0", "1.10.0", "1.9.3", "2.0.0"], "1.0.0", False, "1.10.0"),
        (["1.0.0", "1.1.0", "2.0.0"], "1.0.0", True, "2.0.0"),
        (["1.0.0", "1.2.0-rc.1", "latest"], "1.0.0", False, "1.0.0"),
        (["v1.0.0", "v1.3.0", "1.2.0"], "v1.0.0", False, "v1.3.0"),
        (["0.9.0", "1.0.0"], "1.0.0", False, "1.0.0"),
    ],
)
def test_choose_release(tags, current, major, expected):
    assert choose_release(tags, current, major=major) == expected


pytest_plugins = ["pytester"]
# In a subprocess: an in-process run drops the modules it imported, and a later `gen` in
# this process would then mix two copies of datamodel-code-generator's enums.


def _plugin_project(pytester: pytest.Pytester, artifact: str, *, insecure: bool) -> Path:
    pytester.makepyprojecttoml(
        f'[tool.tc-contracts]\nartifact = "{artifact}"\nout = "svc_models"\n'
        + ("insecure = true\n" if insecure else "")
        + '\n[tool.tc-contracts.testing]\nschemas = ["User"]\nexamples = 3\n'
    )
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    return pytester.path / "pyproject.toml"


def test_plugin_reads_insecure_from_the_config(registry, repo, releases, run, pytester):
    pinned = f"{registry.host}/{repo}:1.0.0@{releases['1.0.0']}"
    config = _plugin_project(pytester, pinned, insecure=True)
    assert run("gen", "--config", config).exit_code == ExitCode.OK
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)  # test_app, round trip and agreement of User


def test_plugin_error_names_the_setting_not_a_flag(
    registry, repo, releases, pytester, monkeypatch, tmp_path
):
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "empty-cache"))
    _plugin_project(pytester, f"{registry.host}/{repo}:1.0.0@{releases['1.0.0']}", insecure=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stderr.str()
    assert "set insecure = true in [tool.tc-contracts] or TC_CONTRACTS_INSECURE=1" in text
    assert "--insecure" not in text
    monkeypatch.setenv("TC_CONTRACTS_INSECURE", "1")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)  # test_app and, without models, test_payloads[User]


def test_plugin_says_the_models_are_from_another_release(registry, repo, releases, run, pytester):
    old = f"{registry.host}/{repo}:1.0.0@{releases['1.0.0']}"
    config = _plugin_project(pytester, old, insecure=True)
    generated = run("gen", "--config", config)
    assert generated.exit_code == ExitCode.OK, generated.output
    config.write_text(
        config.read_text().replace(old, f"{registry.host}/{repo}:1.1.0@{releases['1.1.0']}")
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            f"*User: models were generated from 1.0.0 ({releases['1.0.0'][:19]}…), "
            f"the pin is 1.1.0 ({releases['1.1.0'][:19]}…); run `tc-schema gen`*"
        ]
    )
