"""The pytest plugin, driven through pytester (in-process runs of a scratch project)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import hypothesis.strategies  # noqa: F401 - see below
import pytest

from .conftest import SCHEMAS
from .hand_models import USER_SCHEMA

pytest_plugins = ["pytester"]
# Imported above so that pytester's in-process runs, which drop every module a run
# imports, do not import hypothesis afresh each time (~2.5 s a run).

FAITHFUL = textwrap.dedent(
    """
    from typing import Annotated
    from uuid import UUID
    from pydantic import (
        MISSING,
        AnyUrl,
        AwareDatetime,
        BaseModel,
        BeforeValidator,
        ConfigDict,
        EmailStr,
        Field,
        StrictStr,
    )

    def _zulu(value):
        # Zod's .datetime(): a string ending in Z, not a number and not another offset.
        if not isinstance(value, str) or not value.endswith("Z"):
            raise ValueError("expected an ISO date-time ending in Z")
        return value

    ZuluDatetime = Annotated[AwareDatetime, BeforeValidator(_zulu)]


    class User(BaseModel):
        model_config = ConfigDict(extra="forbid")
        id: UUID
        email: EmailStr
        handle: Annotated[StrictStr, Field(min_length=3, max_length=20, pattern="^[a-z0-9_]+$")]
        age: Annotated[int, Field(ge=0, le=150, strict=True)]
        weight: Annotated[float, Field(gt=0, strict=True)]
        homepage: AnyUrl | MISSING = MISSING
        createdAt: ZuluDatetime
        nickname: Annotated[StrictStr, Field(max_length=10)] | MISSING = MISSING
    """
)
LOOSE = FAITHFUL.replace("min_length=3, max_length=20, ", "").replace("ge=0, le=150, ", "")


def _project(pytester: pytest.Pytester, package: str, models: str) -> Path:
    schemas = pytester.path / "schemas"
    schemas.mkdir()
    (schemas / "User.json").write_text(json.dumps(USER_SCHEMA))
    target = pytester.path / package
    target.mkdir()
    (target / "__init__.py").write_text(models)
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    return schemas


def test_generates_round_trip_and_agreement_tests(pytester: pytest.Pytester) -> None:
    schemas = _project(pytester, "faithful_pkg", FAITHFUL)
    result = pytester.runpytest(
        f"--tc-contracts={schemas}",
        f"--tc-models={pytester.path / 'faithful_pkg'}",
        "--tc-examples=15",
        "-v",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*tc-contracts::test_round_trip?User? PASSED*",
            "*tc-contracts::test_agreement?User? PASSED*",
        ]
    )


def test_agreement_failure_lists_findings_with_payloads(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    schemas = _project(pytester, "loose_pkg", LOOSE)
    args = (
        f"--tc-contracts={schemas}",
        f"--tc-models={pytester.path / 'loose_pkg'}",
        "-k",
        "agreement",
    )
    first = pytester.runpytest(*args, "--tc-examples=40")
    first.assert_outcomes(failed=1, deselected=2)
    first.stdout.fnmatch_lines(
        [
            "*User: * disagreement(s)*",
            "*User: looser: model accepts what the schema rejects: * at /age*",
            "*payload: {*",
        ]
    )
    # Derandomized under CI: a second run reports the same payloads.
    second = pytester.runpytest(*args, "--tc-examples=40")
    findings = [line for line in first.outlines if "payload:" in line]
    assert findings
    assert findings == [line for line in second.outlines if "payload:" in line]


def test_round_trip_failure_is_readable(pytester: pytest.Pytester) -> None:
    lossy = FAITHFUL + textwrap.dedent(
        """
        _Base = User

        class User(_Base):
            def model_post_init(self, context):
                object.__setattr__(self, "handle", self.handle[:3])
        """
    )
    schemas = _project(pytester, "lossy_pkg", lossy)
    result = pytester.runpytest(
        f"--tc-contracts={schemas}",
        f"--tc-models={pytester.path / 'lossy_pkg'}",
        "--tc-examples=30",
        "-k",
        "round_trip",
    )
    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        ["*round trip of User failed at compare*", "*/handle: *->*", "*payload=*"]
    )


def test_config_table_fixtures_and_relative_source(pytester: pytest.Pytester) -> None:
    _project(pytester, "cfg_models", FAITHFUL)
    pytester.makepyprojecttoml(
        textwrap.dedent(
            """
            [tool.tc-contracts]
            artifact = "schemas"
            package = "cfg_models"
            out = "cfg_models"

            [tool.tc-contracts.testing]
            examples = 5
            """
        )
    )
    pytester.makepyfile(
        test_uses_fixtures=textwrap.dedent(
            """
            import pytest
            from tc_contracts_py.testing.contracts import ContractViolation

            def test_fixtures(contracts, contract_models):
                assert contracts.names == ["User"]
                assert contract_models.User is contracts.model("User")
                with pytest.raises(ContractViolation):
                    contracts.validate("User", {"id": 1})
            """
        )
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_round_trip?User? PASSED*"])


def test_without_models_the_schemas_payloads_are_self_checked(pytester: pytest.Pytester) -> None:
    source = SCHEMAS / "zod4" / "2.0.0"
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    result = pytester.runpytest(
        f"--tc-contracts={source}", "--tc-examples=3", "-k", "User or Exercise"
    )
    result.assert_outcomes(passed=2, deselected=15)


def test_inert_when_not_configured(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="def test_plain():\n    assert True\n\ndef test_wants(contracts):\n    pass\n"
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*tc-contracts is not configured*"])


def test_selected_node_ids_get_no_generated_tests(pytester: pytest.Pytester) -> None:
    schemas = _project(pytester, "node_pkg", FAITHFUL)
    result = pytester.runpytest(
        f"--tc-contracts={schemas}",
        f"--tc-models={pytester.path / 'node_pkg'}",
        "test_app.py::test_app",
    )
    result.assert_outcomes(passed=1)


def test_bad_source_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    result = pytester.runpytest(f"--tc-contracts={pytester.path / 'missing'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tc-contracts: *missing*"])


def test_allowed_gaps_warn_instead_of_failing(pytester: pytest.Pytester) -> None:
    _project(pytester, "allow_pkg", LOOSE)
    pytester.makepyprojecttoml(
        textwrap.dedent(
            """
            [tool.tc-contracts]
            artifact = "schemas"
            out = "allow_pkg"

            [tool.tc-contracts.testing]
            examples = 40
            allow = ["User:looser:minimum:/age", "User:looser:maximum", "*:looser:*Length:*"]
            """
        )
    )
    result = pytester.runpytest("-k", "agreement", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    # Whatever the remaining (pattern) findings, the allowed ones only warn.
    assert outcomes.get("warnings", 0) >= 1
    result.stdout.fnmatch_lines(["*AllowedContractGap: User: looser: * at /age*"])
    assert not any("at /age" in line for line in result.outlines if line.startswith("User: looser"))


def test_a_schema_that_admits_no_value_fails_with_one_line_naming_its_file(
    pytester: pytest.Pytester,
) -> None:
    schemas = pytester.path / "schemas"
    schemas.mkdir()
    empty = {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": "^[]$"}},
        "required": ["code"],
    }
    (schemas / "Empty.json").write_text(json.dumps(empty))
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    result = pytester.runpytest(f"--tc-contracts={schemas}", "--tc-examples=5")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Empty.json: no payload could be generated*"])
    result.stdout.no_fnmatch_line("*Unsatisfiable*")
