"""Whole-process wall times of the everyday commands: what a user waits for.

Every row is one ``tc-schema`` (or ``pytest``) process, start-up and imports included,
next to a baseline process measured in the same run:

- ``gen`` cold over 100 synthetic schemas vs one Python process calling
  datamodel-code-generator's ``generate()`` per file with the same options (target <= 0.5x);
  no-op and ``--check`` vs a process that only hashes the inputs.
- ``diff`` of the fixture corpus, and of two 1000- and 5000-schema sets (10% changed),
  vs a process that only ``json.load``s both sets (target <= 6x at 1000).
- ``pull`` warm (cache filled, digest pinned) from a local registry, or from the example's
  OCI layout when no registry binary is installed, vs ``python -c pass``.
- the pytest plugin over ``examples/ai-coach``.
- ``diff --transitive`` over a git line of 20 releases of 50 schemas (each release changes
  a few), vs the pairwise ``diff`` with the newest release.

Each time is the minimum of TC_BENCH_REPEAT runs (default 3): on a shared machine the
minimum is the run least disturbed by others. CPU seconds (user + system, children
included) are printed too; they vary less than wall time when cores are contended.

Run: ``python benchmarks/bench_process.py [gen diff transitive pull plugin]`` (default:
all; or ``nox -s bench -- process``).
"""

from __future__ import annotations

import copy
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_diff import build_sets, mutate, write  # noqa: E402
from synth import generate_schema_set, write_schema_set  # noqa: E402

BIN = Path(sys.executable).parent
PY = sys.executable
REPEAT = int(os.environ.get("TC_BENCH_REPEAT", "3"))
CORPUS = ROOT / "fixtures" / "schemas" / "zod-to-json-schema"

JSON_LOAD = """
import json, sys
from pathlib import Path
for folder in sys.argv[1:]:
    for path in sorted(Path(folder).glob("*.json")):
        with path.open("rb") as handle:
            json.load(handle)
"""
HASH = """
import hashlib, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.json")):
    hashlib.sha256(path.read_bytes()).hexdigest()
"""
# The generator as a script would call it: one process, generate() per file, the options
# tc-schema gen uses (so that both produce the same models), its built-in formatter.
GENERATE = """
import json, sys, warnings
from pathlib import Path
from datamodel_code_generator import PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, InputFileType, StrictTypes
from datamodel_code_generator.format import Formatter
from tc_contracts_py.codegen.engine import GENERATOR_OPTIONS
options = dict(GENERATOR_OPTIONS)
options["target_python_version"] = PythonVersion.PY_311
options["strict_types"] = [StrictTypes(name) for name in GENERATOR_OPTIONS["strict_types"]]
options["field_extra_keys"] = set(GENERATOR_OPTIONS["field_extra_keys"])
warnings.simplefilter("ignore")
for path in sorted(Path(sys.argv[1]).glob("*.json")):
    generate(json.loads(path.read_text()), input_file_type=InputFileType.JsonSchema,
             output_model_type=DataModelType.PydanticV2BaseModel,
             formatters=[Formatter.BUILTIN], class_name=path.stem, **options)
"""


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(
    argv: list[str], *, cwd: Path | None = None, ok: tuple[int, ...] = (0,)
) -> tuple[float, float]:
    cpu = _cpu_of_children()
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in ok:
        raise RuntimeError(
            f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-800:]}"
        )
    return wall, _cpu_of_children() - cpu


def best(
    argv: list[str], *, before: Callable[[], None] | None = None, **kwargs: object
) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(REPEAT):
        if before is not None:
            before()
        wall, cpu = run_once(argv, **kwargs)  # type: ignore[arg-type]
        walls.append(wall)
        cpus.append(cpu)
    return min(walls), min(cpus)


def tc(*args: str) -> list[str]:
    return [str(BIN / "tc-schema"), *args]


class Table:
    """Rows printed as they are measured: a slow row never hides the ones before it."""

    WIDTH = 52

    def __init__(self) -> None:
        print(f"{'command':<{self.WIDTH}}  {'wall s':>7}  {'cpu s':>7}  vs baseline", flush=True)

    def add(self, label: str, timing: tuple[float, float], note: str = "") -> None:
        wall, cpu = timing
        print(f"{label:<{self.WIDTH}}  {wall:7.2f}  {cpu:7.2f}  {note}", flush=True)


def ratio(ours: tuple[float, float], base: tuple[float, float], target: str = "") -> str:
    text = f"{ours[0] / base[0]:.2f}x wall, {ours[1] / base[1]:.2f}x cpu"
    return f"{text} ({target})" if target else text


def bench_gen(work: Path, table: Table) -> None:
    schemas = write_schema_set(work / "set100", 100)
    out = work / "models"

    def wipe() -> None:
        shutil.rmtree(out, ignore_errors=True)

    baseline = best([PY, "-c", GENERATE, str(schemas)])
    table.add("generate() per file, 100 schemas (baseline)", baseline)
    cold = best(tc("gen", str(schemas), "--out", str(out)), before=wipe)
    table.add("tc-schema gen, cold", cold, ratio(cold, baseline, "target <= 0.5x"))
    hashing = best([PY, "-c", HASH, str(schemas)])
    table.add("hash the 100 inputs (baseline)", hashing)
    noop = best(tc("gen", str(schemas), "--out", str(out)))
    table.add("tc-schema gen, no-op", noop, ratio(noop, hashing))
    check = best(tc("gen", str(schemas), "--out", str(out), "--check"))
    table.add("tc-schema gen --check, up to date", check, ratio(check, hashing))


def bench_diff(work: Path, table: Table) -> None:
    versions = ["--from-version", "1.0.0", "--to-version", "2.0.0"]
    old, new = CORPUS / "1.0.0", CORPUS / "2.0.0"
    base = best([PY, "-c", JSON_LOAD, str(old), str(new)])
    ours = best(tc("diff", str(old), str(new)), ok=(0, 1))
    table.add("json.load fixture corpus 1.0.0 + 2.0.0 (baseline)", base)
    table.add("tc-schema diff, fixture corpus", ours, ratio(ours, base))
    for count, target in ((1000, "target <= 6x"), (5000, "")):
        old_docs, new_docs = build_sets(count)
        old_dir = write(work / f"old{count}", old_docs)
        new_dir = write(work / f"new{count}", new_docs)
        base = best([PY, "-c", JSON_LOAD, str(old_dir), str(new_dir)])
        ours = best(tc("diff", str(old_dir), str(new_dir), *versions), ok=(0, 1))
        table.add(f"json.load {count} + {count} schemas (baseline)", base)
        table.add(f"tc-schema diff, {count} schemas", ours, ratio(ours, base, target))


def _git_line(root: Path, releases: int, schemas: int) -> Path:
    """A contracts repository with tags contracts-v1.0.0 … contracts-v1.<releases-1>.0, each
    release changing 3 schemas; the working tree changes 3 more."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@e", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@e"}  # fmt: skip

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    root.mkdir()
    git("init", "-q")
    documents = generate_schema_set(schemas)
    rng = random.Random("bench-transitive")
    for minor in range(releases + 1):
        if minor:
            documents = copy.deepcopy(documents)
            for name in rng.sample(sorted(documents), 3):
                mutate(documents[name], rng)
        folder = root / "schemas"
        folder.mkdir(exist_ok=True)
        for name, document in documents.items():
            (folder / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
        if minor < releases:
            git("add", "-A")
            git("commit", "-q", "-m", f"1.{minor}.0")
            git("tag", f"contracts-v1.{minor}.0")
    return root


def bench_transitive(work: Path, table: Table) -> None:
    repo = _git_line(work / "line", 20, 50)
    newest = "git:contracts-v1.19.0:schemas"
    pairwise = best(tc("diff", newest, "schemas", "--to-version", "1.20.0"), cwd=repo, ok=(0, 1))
    table.add("tc-schema diff, pairwise, 50 schemas (baseline)", pairwise)
    line = "git:contracts-v*:schemas"
    ours = best(
        tc("diff", "--transitive", line, "schemas", "--to-version", "1.20.0"), cwd=repo, ok=(0, 1)
    )
    table.add("tc-schema diff --transitive, 20 releases", ours, ratio(ours, pairwise))


def _pinned_layout(work: Path) -> str:
    example = ROOT / "examples" / "ai-coach"
    shutil.copytree(example / "contracts-layout", work / "layout")
    pin = next(
        line.split("@", 1)[1].strip().strip('"')
        for line in (example / "pyproject.toml").read_text().splitlines()
        if line.startswith("artifact = ")
    )
    return f"oci-layout:{work / 'layout'}@{pin}"


def bench_pull(work: Path, table: Table) -> None:
    from tests.registry import registry_binary, start_registry

    cache = work / "cache"
    registry = None
    try:
        if registry_binary() is not None:
            from tc_contracts_py.oci.push import push
            from tc_contracts_py.sources import SourceOptions

            registry = start_registry(work / "registry")
            pushed = push(
                work / "set100",
                f"{registry.host}/bench/process:1.0.0",
                SourceOptions(insecure=True),
            )
            source, label, extra = str(pushed.reference), "local registry", ["--insecure"]
        else:
            source, label, extra = _pinned_layout(work), "OCI layout (no registry binary)", []
        pull = tc("pull", source, "--cache-dir", str(cache), "--out", str(work / "pulled"), *extra)
        run_once(pull)  # fills the cache
        startup = best([PY, "-c", "pass"])
        table.add("python -c pass (baseline)", startup)
        warm = best(pull)
        table.add(f"tc-schema pull, warm, {label}", warm, ratio(warm, startup))
    finally:
        if registry is not None:
            registry.stop()


def bench_plugin(work: Path, table: Table) -> None:
    example = work / "ai-coach"
    shutil.copytree(ROOT / "examples" / "ai-coach", example)
    run_once(tc("gen"), cwd=example)
    plugin = best([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=example)
    table.add("pytest with the plugin, examples/ai-coach", plugin)


BENCHES: dict[str, Callable[[Path, Table], None]] = {
    "gen": bench_gen,
    "diff": bench_diff,
    "transitive": bench_transitive,
    "pull": bench_pull,
    "plugin": bench_plugin,
}


def main() -> None:
    wanted = [name for name in sys.argv[1:] if name in BENCHES] or list(BENCHES)
    print(f"min of {REPEAT} runs each, wall and CPU seconds of the whole process", flush=True)
    table = Table()
    with tempfile.TemporaryDirectory(prefix="bench-process-") as temp:
        work = Path(temp)
        if "pull" in wanted and "gen" not in wanted:
            write_schema_set(work / "set100", 100)  # what pull pushes
        for name in wanted:
            BENCHES[name](work, table)


if __name__ == "__main__":
    main()
