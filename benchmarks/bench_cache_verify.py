"""What proving a cached tree against its pin costs on every read (issue #16).

Two artifacts in the package's own format (one ``schemas.tar.gz`` layer) in an OCI layout:
a realistic 100-schema set (``synth``) and 53 MB of incompressible JSON in 8 files. After
one cold pull, medians of warm reads of the pinned digest (no network either way):

- ``warm pull``: ``pull`` into a fresh ``--out``, as a CI run does;
- ``re-derive``: the proof alone (``fetch._manifest_contents``): the manifest blob by its
  sha256, then the layer blob hashed and inflated, every file hashed, nothing written;
- ``index only``: the other option (trust a per-file index stored beside the tree): read
  ``tree.json`` and compare. Cheap, but a writer of the cache can rewrite the index, the
  files and any digest stored with them consistently, so it proves nothing to a pin;
- ``unproven pull``: the warm pull with the proof replaced by believing ``tree.json`` (the
  behaviour before), for the ratio.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_oci import random_json  # noqa: E402
from benchmarks.synth import write_schema_set  # noqa: E402
from tc_contracts_py.oci import fetch  # noqa: E402
from tc_contracts_py.oci.cache import Cache  # noqa: E402
from tc_contracts_py.oci.push import export_layout  # noqa: E402
from tc_contracts_py.oci.transport import requests_sent  # noqa: E402
from tc_contracts_py.sources import SourceOptions  # noqa: E402

RUNS = 7
BIG_FILES = 8
BIG_TOTAL = 53 * 1000 * 1000


def median_ms(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(name: str, schemas: Path, work: Path) -> list[str]:
    layout = work / f"{name}-layout"
    digest = export_layout(schemas, layout, version="1.0.0")
    source = f"oci-layout:{layout}@{digest}"
    options = SourceOptions(cache_dir=work / f"{name}-cache")
    fetch.pull(source, options)  # cold: fills the cache
    cache = Cache(work / f"{name}-cache")
    out = work / f"{name}-out"
    origin = f"oci-layout:{layout}@{digest}"

    def warm_pull() -> None:
        shutil.rmtree(out, ignore_errors=True)
        fetch.pull(source, options, out)

    def rederive() -> None:
        fetch._manifest_contents(cache, digest, origin, options)

    def index_only() -> None:
        claimed = cache.tree(digest)
        assert claimed is not None
        assert claimed.files

    def believed(
        cache: Cache, digest: str, origin: str, options: SourceOptions
    ) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
        claimed = cache.tree(digest)
        assert claimed is not None
        return dict(claimed.files), dict(claimed.annotations)

    before = requests_sent()
    proven = median_ms(warm_pull)
    assert requests_sent() == before, "a warm pull made HTTP requests"
    derive = median_ms(rederive)
    index = median_ms(index_only)
    with mock.patch.object(fetch, "_manifest_contents", believed):
        unproven = median_ms(warm_pull)
    size = sum(p.stat().st_size for p in schemas.iterdir())
    files = len(list(schemas.iterdir()))
    return [
        f"{name}: {files} files, {size / 1e6:.1f} MB unpacked",
        f"  warm pull (proven)    {proven:8.1f} ms",
        f"  warm pull (unproven)  {unproven:8.1f} ms   ratio {proven / unproven:.2f}x",
        f"  re-derive alone       {derive:8.1f} ms",
        f"  index only            {index:8.1f} ms",
    ]


def main() -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="bench-cache-verify-"))
    try:
        realistic = write_schema_set(work / "schemas-100", 100)
        big = work / "schemas-53mb"
        big.mkdir()
        for index in range(BIG_FILES):
            (big / f"Big{index}.json").write_bytes(random_json(BIG_TOTAL // BIG_FILES, index))
        lines = measure("100 schemas", realistic, work) + measure("53 MB", big, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for line in lines:
        print(line)
    return lines


if __name__ == "__main__":
    main()
