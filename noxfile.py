"""Developer and CI sessions. `nox -s lint typecheck tests` is what CI runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = Path(__file__).parent
PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite, including the real-registry tests (they fail under CI=true without one)."""
    session.install("-e", ".[dev]")
    _npm_tools(session)
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.8")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: each prints ratios against a baseline measured in the same run."""
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=False)
def fixtures(session: nox.Session) -> None:
    """Regenerate fixtures/schemas and fixtures/payloads with the real Zod toolchain (needs node)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        session.error("node and npm are needed to regenerate the Zod fixtures")
    zod = ROOT / "fixtures" / "zod"
    session.chdir(zod)
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    session.run("node", "generate.mjs", external=True)


@nox.session(python=PYTHON)
def renovate(session: nox.Session) -> None:
    """The Renovate preset run by the real Renovate (tools/renovate: node 24 + renovate) on a local registry."""
    if shutil.which("npm") is None:
        session.error("npm is needed to install Renovate and node 24 into tools/renovate")
    session.install("-e", ".[dev]")
    tools = str(ROOT / "tools" / "renovate")
    session.run(
        "npm", "ci", "--prefix", tools, "--no-audit", "--no-fund", "--loglevel=error", external=True
    )
    session.run("pytest", "-q", *(session.posargs or ["tests/integration/test_renovate.py"]))


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Long fuzzing run: hypothesis over loader, diff engine and strategies."""
    session.install("-e", ".[dev]")
    env = {"TC_FUZZ_EXAMPLES": os.environ.get("TC_FUZZ_EXAMPLES", "10000")}
    session.run("pytest", "-q", "-m", "fuzz", *session.posargs, "tests", env=env)


# The npm packages some tests run for real: @changesets/parse, and Renovate with node 24.
NPM_TOOLS = (ROOT / "tests" / "diff" / "changesets_node", ROOT / "tools" / "renovate")


def _npm_tools(session: nox.Session) -> None:
    """Install what a fresh clone lacks, where npm is at hand (tests skip, outside CI, without)."""
    if shutil.which("npm") is None:
        session.warn("npm not found: the @changesets/parse and Renovate tests will skip")
        return
    for folder in NPM_TOOLS:
        if not (folder / "node_modules").is_dir():
            session.run(
                "npm", "ci", "--prefix", str(folder), "--no-audit", "--no-fund",
                "--loglevel=error", external=True,
            )  # fmt: skip
