"""Shared assertions and builders for the hostile suite.

Every refusal is checked the same way: the documented exit code, exactly one line on
stderr that starts with ``error:`` (never ``internal error:``), no traceback, and no
trace of the registry secret anywhere in the output.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tc_contracts_py.cli import cli
from tc_contracts_py.oci.fetch import PULL_MANIFEST

# A value that can only appear in output if something leaked it. Set as the registry
# password and token for every hostile test (see conftest.py).
SECRET = "tc-hostile-S3cr3t-7f1d2a9c5e"
SECRET_ENV = {
    "TC_CONTRACTS_REGISTRY_PASSWORD": SECRET,
    "TC_CONTRACTS_REGISTRY_TOKEN": SECRET,
}

INPUT = 2
OPERATIONAL = 3


def invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Result:
    """Run ``tc-schema ARGS`` in-process with separate stdout and stderr."""
    return CliRunner().invoke(cli, list(args), env=dict(env or {}), catch_exceptions=True)


def describe(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout: {result.stdout!r}\nstderr: {result.stderr!r}"


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for form in secret_forms():
            assert form not in text, f"secret leaked: {text!r}"


def assert_refused(result: Result, code: int, *needles: str) -> str:
    """One clear line on stderr, the documented exit code, no traceback, no secret."""
    assert result.exit_code == code, describe(result)
    # CliRunner stores any exception that escaped click; only SystemExit is legitimate.
    assert result.exception is None or isinstance(result.exception, SystemExit), describe(result)
    return assert_one_line(result.stdout, result.stderr, *needles)


def assert_one_line(stdout: str, stderr: str, *needles: str) -> str:
    assert_no_secret(stdout, stderr)
    assert "Traceback" not in stdout + stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    line = lines[0]
    assert line.startswith("error: "), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def run_module(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m tc_contracts_py ARGS`` in a fresh interpreter (real argv, real exit)."""
    full_env = {**os.environ, **SECRET_ENV, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tc_contracts_py", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def tree(root: Path, *, skip: Iterable[Path] = ()) -> dict[str, str]:
    """Every entry under ``root`` with a digest of its content (links by target)."""
    skipped = {p.resolve() for p in skip}
    result: dict[str, str] = {}
    if not root.exists():
        return result
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in skipped]
        for name in dirnames + filenames:
            path = here / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                result[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                result[rel] = "dir"
            elif path.is_file():
                result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                result[rel] = "special"
    return result


def package_files(folder: Path) -> dict[str, bytes]:
    """The generated package's (or pulled folder's) files, byte for byte (bytecode caches
    and the manifest that proves a `pull --out` folder is tc-schema's excluded)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != PULL_MANIFEST
    }


# --- tar builders -----------------------------------------------------------------------


def tar_member(name: str, data: bytes = b"", **attrs: Any) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    if info.type != tarfile.REGTYPE:
        info.size = 0
        data = b""
    return info, data


def build_tar(
    members: Iterable[tuple[tarfile.TarInfo, bytes]],
    *,
    compression: str = "gz",
    fmt: int = tarfile.PAX_FORMAT,
) -> bytes:
    buffer = io.BytesIO()
    mode = f"w:{compression}" if compression else "w"
    with tarfile.open(fileobj=buffer, mode=mode, format=fmt) as tar:  # type: ignore[call-overload]
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


GOOD_SCHEMA = (
    b'{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",'
    b' "properties": {"id": {"type": "string"}}, "required": ["id"],'
    b' "additionalProperties": false}'
)


def import_in_subprocess(
    package_dir: Path,
    code: str = "",
    *,
    extra_path: Sequence[Path] = (),
    cwd: Path | None = None,
    flags: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Import a generated package in a fresh interpreter, then run ``code`` with it as ``pkg``."""
    paths = [str(package_dir.parent), *map(str, extra_path)]
    script = (
        "import importlib, sys\n"
        f"sys.path[:0] = {paths!r}\n"
        f"pkg = importlib.import_module({package_dir.name!r})\n" + code
    )
    return subprocess.run(
        [sys.executable, "-I", *flags, "-c", script],
        cwd=cwd or package_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def small_schema_set(version: int) -> dict[str, bytes]:
    """Four small zod-style schemas; ``version`` 2 changes two of them and adds one."""
    import json

    def obj(properties: dict[str, Any], required: list[str]) -> bytes:
        document = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        return json.dumps(document, indent=2).encode()

    files = {
        "Athlete.json": obj(
            {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}},
            ["id", "name"],
        ),
        "Session.json": obj(
            {
                "id": {"type": "string"},
                "kind": {"type": "string", "enum": ["run", "ride", "swim"]},
                "minutes": {"type": "integer", "minimum": 0},
            },
            ["id", "kind"],
        ),
        "Feedback.json": obj({"text": {"type": "string", "maxLength": 500}}, ["text"]),
        "Event.json": obj(
            {
                "at": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            ["at"],
        ),
    }
    if version == 2:
        files["Athlete.json"] = obj(
            {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string"},
                "team": {"type": "string"},
            },
            ["id", "name"],
        )
        files["Feedback.json"] = obj(
            {"text": {"type": "string", "maxLength": 1000}, "score": {"type": "number"}}, ["text"]
        )
        files["Plan.json"] = obj({"weeks": {"type": "integer", "minimum": 1}}, ["weeks"])
    return files


def write_files(folder: Path, files: Mapping[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def secret_forms() -> list[str]:
    """The secret and the Basic-auth encodings a client could build from it."""
    import base64

    forms = [SECRET]
    for user in ("token", "", "tcuser"):
        forms.append(base64.b64encode(f"{user}:{SECRET}".encode()).decode())
    return forms
