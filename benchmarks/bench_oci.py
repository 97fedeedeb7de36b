"""Pulling a 50 MB artifact from a local registry: verified pull vs ``curl -o``, and warm pulls.

Starts its own ``docker-registry`` on 127.0.0.1 and pushes two 50 MB artifacts of random
(incompressible) JSON:

- ``raw``: one large blob layer titled ``Big.json`` (the shape ``oras push REF Big.json``
  makes). A verified pull streams it into the cache while hashing, then materialises the
  out folder; the baseline is ``curl -o`` of the same blob (a process spawn included).
- ``targz``: the package's own format, one ``schemas.tar.gz`` layer of 50 MB. The pull
  unpacks it while it downloads (inflate, tar checks, hashing and writing each file
  overlap with the transfer in worker threads), then commits the tree and fills --out. Its
  floor is inflating the layer at all: with incompressible content, inflating it in memory
  (1 MiB steps, ISA-L when ``isal`` is installed, as the pull does) is printed too, as its
  own ratio to ``curl -o``; the pull cannot beat that on any number of cores.

Then a warm pull of each pinned digest into a fresh --out, counting HTTP requests (must be
0). Every ratio is printed on its own line; medians of interleaved runs.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tc_contracts_py.archive as archive_module  # noqa: E402
from tc_contracts_py.oci import (  # noqa: E402
    ANNOTATION_TITLE,
    ANNOTATION_VERSION,
    EMPTY_CONFIG,
    EMPTY_CONFIG_MEDIA_TYPE,
    OCI_LAYER_TAR,
    OCI_MANIFEST,
)
from tc_contracts_py.oci.digest import sha256_digest  # noqa: E402
from tc_contracts_py.oci.fetch import pull  # noqa: E402
from tc_contracts_py.oci.push import push  # noqa: E402
from tc_contracts_py.oci.registry import RegistryClient  # noqa: E402
from tc_contracts_py.oci.transport import Transport, requests_sent  # noqa: E402
from tc_contracts_py.sources import OciReference, SourceOptions  # noqa: E402
from tests.registry import registry_binary, start_registry  # noqa: E402

SIZE = 50 * 1024 * 1024
RUNS = 5


def random_json(size: int, seed: int) -> bytes:
    """A JSON Schema document of about ``size`` bytes whose bulk is base64 of random bytes."""
    rng = __import__("random").Random(seed)
    payload = base64.b64encode(rng.randbytes(size * 3 // 4)).decode()
    document = {"$schema": "http://json-schema.org/draft-07/schema#", "description": payload}
    return json.dumps(document).encode()


def push_raw_layer(host: str, repository: str, tag: str, data: bytes) -> str:
    """Push one file as one layer, as ``oras push REF Big.json`` does; return the digest."""
    reference = OciReference(host, repository, tag)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.unknown.artifact.v1",
        "config": {
            "mediaType": EMPTY_CONFIG_MEDIA_TYPE,
            "digest": sha256_digest(EMPTY_CONFIG),
            "size": len(EMPTY_CONFIG),
        },
        "layers": [
            {
                "mediaType": OCI_LAYER_TAR,
                "digest": sha256_digest(data),
                "size": len(data),
                "annotations": {ANNOTATION_TITLE: "Big.json"},
            }
        ],
        "annotations": {ANNOTATION_VERSION: tag},
    }
    body = json.dumps(manifest).encode()
    with Transport(SourceOptions(insecure=True)) as transport:
        client = RegistryClient(reference, transport, insecure=True)
        client.upload_blob(sha256_digest(EMPTY_CONFIG), EMPTY_CONFIG)
        client.upload_blob(sha256_digest(data), data)
        client.put_manifest(tag, body, OCI_MANIFEST)
    return sha256_digest(body)


def inflater_name() -> str:
    return "zlib" if archive_module._isal_zlib is None else "ISA-L"


def inflate_whole(blob: bytes) -> int:
    """Inflate a gzip blob in 1 MiB steps with the decompressor the pull uses; its length."""
    module = zlib if archive_module._isal_zlib is None else archive_module._isal_zlib
    decompressor = module.decompressobj(wbits=31)
    step = 1024 * 1024
    return sum(
        len(decompressor.decompress(blob[start : start + step]))
        for start in range(0, len(blob), step)
    )


def median_seconds(
    action: Callable[[], object], setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``action``; ``setup`` runs before each sample, untimed."""
    samples = []
    for _ in range(RUNS):
        if setup is not None:
            setup()
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> list[str]:
    if registry_binary() is None or shutil.which("curl") is None:
        return ["bench_oci: skipped (needs docker-registry and curl)"]
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-oci-") as temp:
        work = Path(temp)
        registry = start_registry(work / "registry")
        try:
            host = registry.host
            raw = random_json(SIZE, seed=1)
            raw_digest = push_raw_layer(host, "bench/raw", "1.0.0", raw)
            raw_blob = sha256_digest(raw)

            # The tar.gz of random base64 is ~76 % of its content: size the content so the
            # layer blob itself is about 50 MB.
            folder = work / "targz-src"
            folder.mkdir()
            # Three files: one schema file may not exceed 32 MiB.
            per_file = SIZE * 4 // 3 // 3
            for index in range(3):
                (folder / f"Big{index}.json").write_bytes(random_json(per_file, seed=10 + index))
            pushed = push(folder, f"{host}/bench/targz:1.0.0", SourceOptions(insecure=True))
            targz_digest = pushed.digest
            targz_blob = pushed.artifact.layer_digest
            lines.append(
                f"artifacts: raw layer {len(raw) / 1e6:.1f} MB, tar.gz layer "
                f"{len(pushed.artifact.layer) / 1e6:.1f} MB"
            )

            def curl(repository: str, blob: str) -> Callable[[], object]:
                url = f"{registry.url}/v2/{repository}/blobs/{blob}"
                target = work / "curl.out"
                return lambda: subprocess.run(["curl", "-sSf", "-o", str(target), url], check=True)

            cold_cache = work / "cache-cold"
            cold_out = work / "out-cold"

            def empty_cache_and_out() -> None:
                shutil.rmtree(cold_cache, ignore_errors=True)
                shutil.rmtree(cold_out, ignore_errors=True)

            def cold_pull(repository: str, digest: str) -> Callable[[], object]:
                options = SourceOptions(insecure=True, cache_dir=cold_cache, progress=False)
                return lambda: pull(f"{host}/{repository}:1.0.0@{digest}", options, cold_out)

            cases = {
                "raw": (curl("bench/raw", raw_blob), cold_pull("bench/raw", raw_digest)),
                "targz": (curl("bench/targz", targz_blob), cold_pull("bench/targz", targz_digest)),
            }
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
            # Interleave the rounds so drift on a shared machine hits both sides alike.
            for _round in range(2):
                for name, (baseline, candidate) in cases.items():
                    results[name].append(
                        (median_seconds(baseline), median_seconds(candidate, empty_cache_and_out))
                    )
            inflate_s = median_seconds(lambda: inflate_whole(pushed.artifact.layer))
            for name, rounds in results.items():
                curl_s = min(r[0] for r in rounds)
                pull_s = min(r[1] for r in rounds)
                lines.append(
                    f"{name}: cold verified+extracted pull {pull_s * 1000:.0f} ms, "
                    f"curl -o {curl_s * 1000:.0f} ms"
                )
                lines.append(f"ratio cold pull / curl -o ({name} layer): {pull_s / curl_s:.2f}x")
                if name == "targz":
                    lines.append(
                        f"floor: inflating the tar.gz alone, in memory ({inflater_name()}): "
                        f"{inflate_s * 1000:.0f} ms = {inflate_s / curl_s:.2f}x curl -o"
                    )

            # Warm: the cache of a cold pull, a fresh --out, the registry reachable.
            for name, repository, digest in (
                ("raw", "bench/raw", raw_digest),
                ("targz", "bench/targz", targz_digest),
            ):
                cache = work / f"cache-warm-{name}"
                options = SourceOptions(insecure=True, cache_dir=cache, progress=False)
                ref = f"{host}/{repository}:1.0.0@{digest}"
                pull(ref, options)
                before = requests_sent()
                warm_s = median_seconds(lambda: pull(ref, options, work / "out-warm"))  # noqa: B023
                made = requests_sent() - before
                lines.append(f"warm pull of pinned digest ({name}): {warm_s * 1000:.0f} ms")
                lines.append(f"HTTP requests during {RUNS} warm pulls ({name}): {made}")
        finally:
            registry.stop()
    return lines


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for line in main():
        print(line, flush=True)
