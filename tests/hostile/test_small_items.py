"""Small faults of issue #16: each one is refused or reported, never bent or crashed on."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.hostile.helpers import (
    GOOD_SCHEMA,
    INPUT,
    describe,
    invoke,
    run_module,
    write_files,
)

pytest_plugins = ["pytester"]


# -- check-models: a validator that raises TypeError ------------------------------------------

CRASHING_MODELS = textwrap.dedent(
    """
    from pydantic import BaseModel, ConfigDict, field_validator


    class Athlete(BaseModel):
        model_config = ConfigDict(extra="forbid")
        id: str

        @field_validator("id")
        @classmethod
        def _crash(cls, value: str) -> str:
            raise TypeError("validator bug: cannot handle " + type(value).__name__)
    """
)


def test_check_models_reports_a_model_that_raises_type_error(tmp_path: Path) -> None:
    source = write_files(tmp_path / "schemas", {"Athlete.json": GOOD_SCHEMA})
    package = tmp_path / "crashing_models"
    package.mkdir()
    (package / "__init__.py").write_text(CRASHING_MODELS)
    result = invoke(["check-models", str(source), str(package), "--examples", "3"])
    assert result.exit_code == 1, describe(result)
    assert "internal error" not in result.stderr
    assert "raised TypeError" in result.stdout
    assert "validator bug" in result.stdout


# -- lock keeps CRLF line ends -----------------------------------------------------------------


def test_lock_keeps_crlf_line_ends(tmp_path: Path, hostile_registry) -> None:
    registry, pushed = hostile_registry
    reference = f"{registry.host}/hostile/contracts:1.0.0"
    config = tmp_path / "tc-contracts.toml"
    original = (
        f'# the schemas pin\r\nartifact = "{reference}"   # renovate\r\n\r\nout = "models"\r\n'
    ).encode()
    config.write_bytes(original)
    result = invoke(
        ["lock", "--config", str(config), "--insecure", "--cache-dir", str(tmp_path / "cache")]
    )
    assert result.exit_code == 0, describe(result)
    expected = original.replace(reference.encode(), f"{reference}@{pushed['1.0.0']}".encode())
    assert config.read_bytes() == expected


# -- git: refs that look like options ----------------------------------------------------------


def _git_repo(root: Path) -> Path:
    write_files(root / "schemas", {"Athlete.json": GOOD_SCHEMA})
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "v1"]):
        subprocess.run(
            ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    return root


@pytest.mark.parametrize("ref", ["--output=stolen.txt", "-h", "--format=%(objectname)"])
def test_git_ref_starting_with_a_dash_never_reaches_git_as_an_option(
    tmp_path: Path, ref: str
) -> None:
    repo = _git_repo(tmp_path / "repo")
    before = sorted(p.name for p in repo.iterdir())
    completed = run_module(["pull", f"git:{ref}:schemas", "--out", "out"], cwd=repo)
    assert completed.returncode == INPUT, completed.stderr
    assert completed.stderr.startswith("error: "), completed.stderr
    assert "starts with '-'" in completed.stderr
    assert sorted(p.name for p in repo.iterdir()) == before


def test_git_reader_passes_the_revision_after_end_of_options(tmp_path: Path) -> None:
    """Below the parser too: ``read_git_folder`` never lets git read the revision as an option."""
    from tc_contracts_py.errors import SourceError
    from tc_contracts_py.sources import SourceKind, SourceSpec, read_git_folder

    repo = _git_repo(tmp_path / "repo")
    spec = SourceSpec(
        SourceKind.GIT, "git:--output=x:schemas", path=Path("schemas"), reference="--output=x"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo)
        with pytest.raises(SourceError, match="Not a valid object name"):
            read_git_folder(spec)
    assert not (repo / "x").exists()


# -- --tc-examples and its fallbacks ------------------------------------------------------------


def _plugin_project(pytester: pytest.Pytester) -> Path:
    schemas = pytester.path / "schemas"
    write_files(schemas, {"Athlete.json": GOOD_SCHEMA})
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    return schemas


@pytest.mark.parametrize(
    ("value", "reason"),
    [("-1", "at least 1"), ("0", "at least 1"), ("many", "'many' is not a whole number")],
)
def test_tc_examples_refuses_what_is_not_a_positive_count(
    pytester: pytest.Pytester, value: str, reason: str
) -> None:
    schemas = _plugin_project(pytester)
    result = pytester.runpytest_subprocess(f"--tc-contracts={schemas}", f"--tc-examples={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = "\n".join(result.errlines)
    assert "--tc-examples" in errors
    assert reason in errors


@pytest.mark.parametrize("value", ["0", "lots"])
def test_tc_fuzz_examples_refuses_a_bad_count_by_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    schemas = _plugin_project(pytester)
    monkeypatch.setenv("TC_FUZZ_EXAMPLES", value)
    result = pytester.runpytest_subprocess(f"--tc-contracts={schemas}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "TC_FUZZ_EXAMPLES" in "\n".join(result.errlines)


def test_config_examples_refuses_a_bad_count_by_name(pytester: pytest.Pytester) -> None:
    schemas = _plugin_project(pytester)
    pytester.makefile(
        ".toml",
        **{"tc-contracts": f'[testing]\nsource = "{schemas.as_posix()}"\nexamples = 0\n'},
    )
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "[tool.tc-contracts.testing] examples" in "\n".join(result.errlines)


def test_tc_fuzz_examples_of_another_suite_is_left_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without contract tests asked for, the plugin does not judge the variable."""
    _plugin_project(pytester)
    monkeypatch.setenv("TC_FUZZ_EXAMPLES", "lots")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_tc_examples_counts_as_given(pytester: pytest.Pytester) -> None:
    schemas = _plugin_project(pytester)
    result = pytester.runpytest_subprocess(
        f"--tc-contracts={schemas}", "--tc-examples=2", "-p", "no:cacheprovider", "-v"
    )
    # test_app and the schema's self-check (no models package given).
    result.assert_outcomes(passed=2)
