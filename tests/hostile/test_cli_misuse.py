"""Every command, misused: exit 2, one line on stderr starting with ``error:``, no traceback.

Placeholders in the argument lists are filled per test: ``{src}`` a valid schema folder,
``{tgz}`` a valid tarball, ``{file}`` a plain text file, ``{missing}`` a path that does not
exist, ``{out}`` a fresh output folder, ``{dir}`` an empty folder, ``{models}`` a generated
package. Nothing reaches the network: hosts are 127.0.0.1:9 (discard), and an attempt to
connect would show up as exit 3, not 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tc_contracts_py.archive import reproducible_targz
from tests.hostile.helpers import GOOD_SCHEMA, INPUT, assert_refused, invoke

NOWHERE = "127.0.0.1:9"
DIGEST = "sha256:" + "a" * 64

SOURCES_MALFORMED = {
    "empty": "",
    "missing-dir": "{missing}",
    "plain-file": "{file}",
    "oci-scheme-only": "oci://",
    "oci-no-repo": f"oci://{NOWHERE}",
    "oci-uppercase-repo": f"oci://{NOWHERE}/Repo:1.0.0",
    "oci-short-digest": f"{NOWHERE}/repo:1.0.0@sha256:abc",
    "oci-bad-digest-alg": f"{NOWHERE}/repo:1.0.0@md5:" + "a" * 32,
    "oci-bad-tag": f"oci://{NOWHERE}/repo:-bad",
    "oci-layout-empty": "oci-layout:",
    "oci-layout-bad-digest": "oci-layout:{dir}@sha256:zz",
    "oci-layout-not-a-layout": "oci-layout:{dir}",
    "https-without-hash": "https://127.0.0.1:9/schemas.tar.gz",
    "https-short-hash": "https://127.0.0.1:9/schemas.tar.gz#sha256=abc",
    "git-empty": "git:",
    "git-no-path": "git:main",
    "version-two-parts": "1.2",
    "version-x": "v1.x",
    "version-leading-zero": "01.2.3",
}

CASES: dict[str, list[str]] = {
    # -- the group itself
    "group-unknown-option": ["--bogus"],
    "group-unknown-command": ["no-such-command"],
    # -- gen
    "gen-unknown-flag": ["gen", "{src}", "--out", "{out}", "--bogus"],
    "gen-extra-argument": ["gen", "{src}", "extra", "--out", "{out}"],
    "gen-out-is-a-file": ["gen", "{src}", "--out", "{file}"],
    "gen-package-digit": ["gen", "{src}", "--out", "{out}", "--package", "1bad"],
    "gen-package-keyword": ["gen", "{src}", "--out", "{out}", "--package", "class"],
    "gen-package-dash": ["gen", "{src}", "--out", "{out}", "--package", "a-b"],
    "gen-package-dotted": ["gen", "{src}", "--out", "{out}", "--package", "a.b"],
    "gen-policy-unknown": ["gen", "{src}", "--out", "{out}", "--unknown-properties", "maybe"],
    "gen-timeout-text": ["gen", "{src}", "--out", "{out}", "--timeout", "abc"],
    "gen-timeout-negative": ["gen", "{src}", "--out", "{out}", "--timeout", "-1"],
    "gen-config-missing": ["gen", "{src}", "--out", "{out}", "--config", "{missing}"],
    "gen-config-directory": ["gen", "{src}", "--out", "{out}", "--config", "{dir}"],
    "gen-config-bad-toml": ["gen", "{src}", "--out", "{out}", "--config", "{bad_toml}"],
    "gen-config-wrong-types": ["gen", "{src}", "--out", "{out}", "--config", "{wrong_types}"],
    "gen-ca-file-missing": ["gen", "{src}", "--out", "{out}", "--ca-file", "{missing}"],
    "gen-no-out": ["gen", "{src}"],
    "gen-out-not-ours": ["gen", "{src}", "--out", "{foreign}"],
    **{f"gen-source-{k}": ["gen", v, "--out", "{out}"] for k, v in SOURCES_MALFORMED.items()},
    # -- pull
    "pull-unknown-flag": ["pull", "{src}", "--bogus"],
    "pull-no-source": ["pull"],
    "pull-out-is-a-file": ["pull", "{src}", "--out", "{file}"],
    "pull-out-not-ours": ["pull", "{src}", "--out", "{foreign}"],
    "pull-frozen-unpinned": ["pull", f"oci://{NOWHERE}/repo:1.0.0", "--frozen"],
    "pull-timeout-zero": ["pull", "{src}", "--timeout", "0"],
    **{f"pull-source-{k}": ["pull", v] for k, v in SOURCES_MALFORMED.items()},
    # -- push
    "push-missing-directory": ["push", "{missing}", f"{NOWHERE}/repo:1.0.0"],
    "push-directory-is-file": ["push", "{file}", f"{NOWHERE}/repo:1.0.0"],
    "push-no-reference": ["push", "{src}"],
    "push-reference-garbage": ["push", "{src}", "not a reference"],
    "push-reference-no-tag": ["push", "{src}", f"{NOWHERE}/repo"],
    "push-reference-digest": ["push", "{src}", f"{NOWHERE}/repo@{DIGEST}"],
    "push-tag-two-parts": ["push", "{src}", f"{NOWHERE}/repo:1.2"],
    "push-tag-x": ["push", "{src}", f"{NOWHERE}/repo:v1.x"],
    "push-tag-leading-zero": ["push", "{src}", f"{NOWHERE}/repo:01.2.3"],
    "push-version-two-parts": ["push", "{src}", f"{NOWHERE}/repo:1.0.0", "--version", "1.2"],
    "push-version-x": ["push", "{src}", f"{NOWHERE}/repo:1.0.0", "--version", "v1.x"],
    "push-version-leading-zero": [
        "push", "{src}", f"{NOWHERE}/repo:1.0.0", "--version", "01.2.3",
    ],
    "push-empty-directory": ["push", "{dir}", f"{NOWHERE}/repo:1.0.0"],
    "push-invalid-schema": ["push", "{bad_src}", f"{NOWHERE}/repo:1.0.0"],
    "push-ca-file-missing": ["push", "{src}", f"{NOWHERE}/repo:1.0.0", "--ca-file", "{missing}"],
    # -- lock
    "lock-config-missing": ["lock", "--config", "{missing}"],
    "lock-no-artifact": ["lock", "--config", "{no_artifact}"],
    "lock-artifact-malformed": ["lock", "--config", "{bad_artifact}"],
    "lock-unknown-flag": ["lock", "--bogus"],
    # -- diff
    "diff-one-source": ["diff", "{src}"],
    "diff-missing-old": ["diff", "{missing}", "{src}"],
    "diff-plain-file": ["diff", "{file}", "{src}"],
    "diff-format-unknown": ["diff", "{src}", "{src}", "--format", "yaml"],
    "diff-zero-major-unknown": ["diff", "{src}", "{src}", "--zero-major", "loose"],
    "diff-waivers-missing": ["diff", "{src}", "{src}", "--waivers", "{missing}"],
    "diff-waivers-bad-toml": ["diff", "{src}", "{src}", "--waivers", "{bad_toml}"],
    **{
        f"diff-{flag}-{name}": ["diff", "{src}", "{src}", f"--{flag}", value]
        for flag in ("from-version", "to-version")
        for name, value in {
            "two-parts": "1.2",
            "x": "v1.x",
            "leading-zero": "01.2.3",
            "empty": "",
            "trailing-dash": "1.2.3-",
            "garbage": "latest",
        }.items()
    },
    **{f"diff-source-{k}": ["diff", v, "{src}"] for k, v in SOURCES_MALFORMED.items() if v},
    # -- non-finite timeouts: FloatRange lets them through, sockets then crash (exit 3)
    **{
        f"{command}-timeout-{value}": [*args, "--timeout", value]
        for command, args in {
            "gen": ["gen", "{src}", "--out", "{out}"],
            "pull": ["pull", f"oci://{NOWHERE}/repo:1.0.0@{DIGEST}"],
            "diff": ["diff", "{src}", "{src}"],
            "check-models": ["check-models", "{src}", "{models}"],
            "push": ["push", "{src}", f"{NOWHERE}/repo:1.0.0"],
            "lock": ["lock", "--config", "{pinned}"],
        }.items()
        for value in ("nan", "inf")
    },
    # -- rules
    "rules-format-unknown": ["rules", "--format", "yaml"],
    "rules-extra-argument": ["rules", "extra"],
    # -- check-models
    "check-models-missing-source": ["check-models", "{missing}", "{models}"],
    "check-models-missing-package": ["check-models", "{src}", "{missing}"],
    "check-models-package-not-models": ["check-models", "{src}", "{dir}"],
    "check-models-unimportable-name": ["check-models", "{src}", "no_such_module_xyz"],
    "check-models-examples-zero": ["check-models", "{src}", "{models}", "--examples", "0"],
    "check-models-examples-text": ["check-models", "{src}", "{models}", "--examples", "many"],
    "check-models-unknown-schema": ["check-models", "{src}", "{models}", "--schema", "Nope"],
    "check-models-payloads-missing": ["check-models", "{src}", "{models}", "--payloads", "{missing}"],
    "check-models-payloads-bad-json": [
        "check-models", "{src}", "{models}", "--payloads", "{bad_payloads}",
    ],
    "check-models-semantics-unknown": [
        "check-models", "{src}", "{models}", "--semantics", "python",
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("misuse")
    src = root / "schemas"
    src.mkdir()
    (src / "Athlete.json").write_bytes(GOOD_SCHEMA)
    bad_src = root / "bad_schemas"
    bad_src.mkdir()
    (bad_src / "Bad.json").write_text('{"type": "nonsense"}')
    tgz = root / "schemas.tar.gz"
    tgz.write_bytes(reproducible_targz({"Athlete.json": GOOD_SCHEMA}))
    plain = root / "notes.txt"
    plain.write_text("not a schema source")
    empty = root / "empty"
    empty.mkdir()
    foreign = root / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("user data")
    bad_toml = root / "bad.toml"
    bad_toml.write_text("[tool.tc-contracts\nout = ")
    wrong_types = root / "wrong-types.toml"
    wrong_types.write_text('[tool.tc-contracts]\nout = 5\nunknown-properties = "maybe"\n')
    no_artifact = root / "no-artifact" / "pyproject.toml"
    no_artifact.parent.mkdir()
    no_artifact.write_text('[project]\nname = "x"\n\n[tool.tc-contracts]\nout = "models"\n')
    bad_artifact = root / "bad-artifact" / "pyproject.toml"
    bad_artifact.parent.mkdir()
    bad_artifact.write_text('[tool.tc-contracts]\nartifact = "not a reference at all"\n')
    pinned = root / "pinned" / "pyproject.toml"
    pinned.parent.mkdir()
    pinned.write_text(f'[tool.tc-contracts]\nartifact = "{NOWHERE}/repo:1.0.0"\n')
    bad_payloads = root / "payloads"
    bad_payloads.mkdir()
    (bad_payloads / "Athlete.json").write_text("{not json")
    models = root / "models_pkg"
    generated = invoke(["gen", str(src), "--out", str(models)])
    assert generated.exit_code == 0, generated.stderr
    return {
        "src": str(src),
        "bad_src": str(bad_src),
        "tgz": str(tgz),
        "file": str(plain),
        "dir": str(empty),
        "foreign": str(foreign),
        "bad_toml": str(bad_toml),
        "wrong_types": str(wrong_types),
        "no_artifact": str(no_artifact),
        "bad_artifact": str(bad_artifact),
        "bad_payloads": str(bad_payloads),
        "models": str(models),
        "pinned": str(pinned),
        "root": str(root),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_misuse_is_one_line_and_exit_2(case, places, tmp_path, workdir, monkeypatch):
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "cache"))
    fill = {**places, "out": str(tmp_path / "out"), "missing": str(tmp_path / "does-not-exist")}
    args = [arg.format(**fill) for arg in CASES[case]]
    foreign = Path(places["foreign"])
    result = invoke(args)
    assert_refused(result, INPUT)
    # A refused command changes nothing it was pointed at.
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "does-not-exist").exists()
    assert sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]
    assert list(workdir.iterdir()) == []


def test_bare_group_shows_help_and_exits_2():
    result = invoke([])
    assert result.exit_code == INPUT
    assert "Commands:" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "command", ["gen", "pull", "push", "lock", "diff", "rules", "check-models"]
)
def test_help_of_every_command_exits_0(command):
    result = invoke([command, "--help"])
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout


def test_undecodable_argument_bytes_are_one_line(tmp_path):
    """A path that is not UTF-8 (surrogate-escaped by Python) must not crash the printer."""
    from tests.hostile.helpers import assert_one_line, run_module

    name = tmp_path.as_posix().encode() + b"/\xff\xfe-missing"
    completed = run_module(
        ["gen", name.decode("utf-8", "surrogateescape"), "--out", "m"], cwd=tmp_path
    )
    assert completed.returncode == INPUT, completed.stderr
    assert_one_line(completed.stdout, completed.stderr, "no such directory or file")


def test_config_that_is_json_not_toml(tmp_path):
    config = tmp_path / "tc-contracts.toml"
    config.write_text(json.dumps({"out": "models"}))
    result = invoke(["gen", "--config", str(config)])
    assert_refused(result, INPUT)


def test_offline_with_an_unpinned_tag_is_the_documented_exit_3(tmp_path, monkeypatch):
    """docs/oci.md: `--offline` that cannot be served from the cache exits 3, in one line."""
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "cache"))
    result = invoke(["pull", f"oci://{NOWHERE}/repo:1.0.0", "--offline"])
    assert_refused(result, 3, "offline")


def _run_with_reader_gone(args: list[str], closed: str = "stdout") -> tuple[int, str]:
    """Run ``tc-schema ARGS`` with the reader of ``closed`` gone before the first write."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "tc_contracts_py", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    gone, kept = (
        (process.stdout, process.stderr) if closed == "stdout" else (process.stderr, process.stdout)
    )
    gone.close()
    text = kept.read().decode()
    return process.wait(timeout=120), text


def test_a_reader_that_stops_early_is_no_error():
    """`tc-schema rules | head -1`: before the fix, 'internal error: BrokenPipeError', exit 3."""
    code, stderr = _run_with_reader_gone(["rules", "--format", "json"])
    assert code == 0, stderr
    assert stderr == ""


FIXTURE_SCHEMAS = Path(__file__).resolve().parents[2] / "fixtures" / "schemas"


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
@pytest.mark.parametrize("report", ["text", "json", "junit"])
def test_a_failed_gate_still_exits_1_when_nobody_reads_the_report(closed, report):
    """`tc-schema diff … | true` under pipefail: before the fix a closed pipe made it exit 0."""
    versions = FIXTURE_SCHEMAS / "zod-to-json-schema"
    args = ["diff", str(versions / "1.1.1"), str(versions / "2.0.0"), "--format", report]
    code, _ = _run_with_reader_gone(
        [*args, "--from-version", "1.1.1", "--to-version", "1.2.0"], closed
    )
    assert code == 1


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_stale_models_still_exit_1_when_nobody_reads_the_list(tmp_path, closed):
    """`tc-schema gen --check | head -1` on stale models: before the fix, exit 0."""
    versions = FIXTURE_SCHEMAS / "zod-to-json-schema"
    out = tmp_path / "models"
    assert invoke(["gen", str(versions / "1.0.0"), "--out", str(out)]).exit_code == 0
    code, _ = _run_with_reader_gone(
        ["gen", str(versions / "1.1.0"), "--out", str(out), "--check"], closed
    )
    assert code == 1
