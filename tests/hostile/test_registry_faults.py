"""Registry faults through a fault-injecting proxy in front of a real docker-registry.

Transient faults (a few 5xx, one reset, one truncated body) must be retried and the pull
must succeed. Persistent ones must fail with one line and exit 3, and never leave a partial
cache entry or ``--out`` folder. Hostile registry content (digest and size mismatches,
oversized or foreign manifests, hostile layer titles, redirects elsewhere) is refused.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from tc_contracts_py.errors import OperationalError
from tc_contracts_py.oci import OCI_MANIFEST
from tc_contracts_py.oci.fetch import pull
from tc_contracts_py.sources import SourceOptions
from tests.hostile.faultproxy import Fault
from tests.hostile.helpers import (
    INPUT,
    OPERATIONAL,
    assert_no_secret,
    assert_refused,
    invoke,
    package_files,
    tree,
)

REPO = "hostile/contracts"
MANIFEST = r"^GET /v2/hostile/contracts/manifests/"
BLOB = r"^GET /v2/hostile/contracts/blobs/sha256:"


def _registry_get(host: str, path: str, accept: str = OCI_MANIFEST) -> bytes:
    request = urllib.request.Request(f"http://{host}{path}", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return response.read()


@pytest.fixture(scope="module")
def artifact(hostile_registry):
    registry, pushed = hostile_registry
    digest = pushed["1.0.0"]
    manifest = _registry_get(registry.host, f"/v2/{REPO}/manifests/{digest}")
    layer = json.loads(manifest)["layers"][0]
    return {
        "digest": digest,
        "manifest": manifest,
        "layer": layer,
        "other_manifest": _registry_get(registry.host, f"/v2/{REPO}/manifests/{pushed['2.0.0']}"),
    }


@pytest.fixture
def proxy(fault_proxy, monkeypatch, tmp_path):
    monkeypatch.setenv("TC_CONTRACTS_CACHE_DIR", str(tmp_path / "cache"))
    fault_proxy.reset()
    yield fault_proxy
    fault_proxy.reset()


def _pull(proxy, artifact, tmp_path, *, pinned: bool = True, extra: tuple[str, ...] = ()):
    reference = f"oci://{proxy.host}/{REPO}:1.0.0"
    if pinned:
        reference += f"@{artifact['digest']}"
    return invoke(["pull", reference, "--insecure", "--out", str(tmp_path / "schemas"), *extra])


def _assert_nothing_partial(tmp_path: Path) -> None:
    """No --out folder, no verified blob or tree, no staging leftovers in the cache."""
    assert not (tmp_path / "schemas").exists()
    cache = tmp_path / "cache"
    entries = tree(cache)
    committed = [
        name
        for name in entries
        if name.startswith(("v1/blobs/sha256/", "v1/trees/sha256/", "v1/tmp/"))
    ]
    assert committed == [], committed
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".schemas")]


def _assert_pulled(result, tmp_path):
    assert result.exit_code == 0, result.stderr
    assert_no_secret(result.stdout, result.stderr)
    names = sorted(package_files(tmp_path / "schemas"))
    assert names == ["Athlete.json", "Event.json", "Feedback.json", "Session.json"]


def test_clean_pull_through_the_proxy(proxy, artifact, tmp_path):
    result = _pull(proxy, artifact, tmp_path)
    _assert_pulled(result, tmp_path)
    assert proxy.actions()
    assert set(proxy.actions()) == {"pass"}


TRANSIENT = {
    "manifest-503-once": Fault(MANIFEST, "status", 1, {"code": 503}),
    "manifest-500-twice": Fault(MANIFEST, "status", 2, {"code": 500}),
    "blob-502-once": Fault(BLOB, "status", 1, {"code": 502}),
    "blob-503-twice": Fault(BLOB, "status", 2, {"code": 503}),
    "blob-slow": Fault(BLOB, "slow", 1, {"chunk": 32, "interval": 0.002}),
    "manifest-slow": Fault(MANIFEST, "slow", 1, {"chunk": 16, "interval": 0.002}),
    "blob-reset-mid-body-once": Fault(BLOB, "reset_after", 1, {"after": 200}),
    "blob-truncated-once": Fault(BLOB, "truncate_after", 1, {"after": 200}),
    "manifest-reset-mid-body-once": Fault(MANIFEST, "reset_after", 1, {"after": 50}),
    "manifest-reset-before-answer-twice": Fault(MANIFEST, "reset_now", 2),
    "blob-reset-before-answer-once": Fault(BLOB, "reset_now", 1),
}


@pytest.mark.registry
@pytest.mark.parametrize("case", sorted(TRANSIENT))
def test_transient_faults_are_retried_and_the_pull_succeeds(case, proxy, artifact, tmp_path):
    fault = TRANSIENT[case]
    proxy.reset(Fault(fault.pattern, fault.action, fault.times, dict(fault.params)))
    result = _pull(proxy, artifact, tmp_path)
    _assert_pulled(result, tmp_path)
    assert fault.action in proxy.actions(), proxy.actions()


PERSISTENT = {
    "manifest-503": (Fault(MANIFEST, "status", None, {"code": 503}), "HTTP 503"),
    "manifest-500": (Fault(MANIFEST, "status", None, {"code": 500}), "HTTP 500"),
    "manifest-404": (Fault(MANIFEST, "status", None, {"code": 404}), "not found"),
    "manifest-403": (Fault(MANIFEST, "status", None, {"code": 403}), "denied"),
    "blob-500": (Fault(BLOB, "status", None, {"code": 500}), "HTTP 500"),
    "blob-404": (Fault(BLOB, "status", None, {"code": 404}), "not found"),
    "blob-reset-mid-body": (Fault(BLOB, "reset_after", None, {"after": 200}), ""),
    "blob-truncated": (Fault(BLOB, "truncate_after", None, {"after": 200}), ""),
    "blob-content-length-too-long": (Fault(BLOB, "header", None, {"length_delta": 64}), ""),
    "blob-content-length-too-short": (
        Fault(BLOB, "header", None, {"length_delta": -64}),
        "expected",
    ),
    "blob-corrupt": (Fault(BLOB, "corrupt", None), "digest mismatch"),
    "manifest-corrupt": (Fault(MANIFEST, "corrupt", None), ""),
    "manifest-reset": (Fault(MANIFEST, "reset_after", None, {"after": 50}), ""),
    "manifest-reset-before-answer": (Fault(MANIFEST, "reset_now", None), "after 3 attempts"),
}


@pytest.mark.registry
@pytest.mark.parametrize("case", sorted(PERSISTENT))
def test_persistent_faults_fail_cleanly_with_nothing_partial(case, proxy, artifact, tmp_path):
    fault, needle = PERSISTENT[case]
    proxy.reset(Fault(fault.pattern, fault.action, None, dict(fault.params)))
    result = _pull(proxy, artifact, tmp_path)
    assert_refused(result, OPERATIONAL, needle)
    _assert_nothing_partial(tmp_path)
    # Bounded: the default is 2 retries, so no request is sent more than 3 times.
    counts: dict[str, int] = {}
    for hit in proxy.hits:
        counts[hit.path] = counts.get(hit.path, 0) + 1
    assert max(counts.values()) <= 3, counts


def _library_pull(proxy, artifact, tmp_path, **options):
    reference = f"{proxy.host}/{REPO}:1.0.0@{artifact['digest']}"
    settings = SourceOptions(insecure=True, cache_dir=tmp_path / "cache", progress=False, **options)
    return pull(reference, settings, tmp_path / "schemas")


@pytest.mark.registry
def test_stalled_blob_fails_on_the_read_timeout(proxy, artifact, tmp_path):
    proxy.reset(Fault(BLOB, "stall_after", None, {"after": 100, "seconds": 8}))
    with pytest.raises(OperationalError) as caught:
        _library_pull(proxy, artifact, tmp_path, read_timeout=0.5, retries=0)
    message = str(caught.value)
    assert "timeout" in message.lower() or "within" in message, message
    _assert_nothing_partial(tmp_path)


@pytest.mark.registry
def test_stalled_manifest_fails_on_the_read_timeout(proxy, artifact, tmp_path):
    proxy.reset(Fault(MANIFEST, "stall_after", None, {"after": 20, "seconds": 8}))
    with pytest.raises(OperationalError) as caught:
        _library_pull(proxy, artifact, tmp_path, read_timeout=0.5, retries=0)
    message = str(caught.value)
    assert "timeout" in message.lower() or "within" in message, message
    _assert_nothing_partial(tmp_path)


@pytest.mark.registry
def test_drip_fed_blob_is_abandoned_by_the_client(proxy, artifact, tmp_path):
    """One byte every 0.2 s never trips a per-read timeout; only an overall deadline ends it.

    The proxy drips for at most 6 s (a 1.2 KB blob would take minutes). If the client waits that out, the proxy finishes its
    drip and the pull ends with a truncated body; the proxy's record shows who hung up.
    """
    proxy.reset(Fault(BLOB, "drip", None, {"interval": 0.2, "for_seconds": 6}))
    with pytest.raises(OperationalError):
        _library_pull(proxy, artifact, tmp_path, read_timeout=1.0, retries=0)
    _assert_nothing_partial(tmp_path)
    # The proxy learns of the hang-up on its next write or two (0.2 s apart); the drip itself
    # would only end on its own 6 s after it began.
    for _ in range(15):
        if proxy.client_hung_up_during_drip:
            break
        time.sleep(0.1)
    assert proxy.client_hung_up_during_drip, "no overall deadline: the client sat through the drip"


# --- hostile manifests (served for an unpinned tag, so the content is the attacker's) ---------


def _manifest_with(artifact, **changes) -> bytes:
    document = json.loads(artifact["manifest"])
    layer = dict(document["layers"][0])
    layer.update(changes.pop("layer", {}))
    document["layers"] = changes.pop("layers", [layer])
    document.update(changes)
    return json.dumps(document).encode()


def _hostile_manifests(artifact) -> dict[str, tuple[bytes, str, int, str]]:
    layer = artifact["layer"]
    title_layer = lambda title: {  # noqa: E731
        **layer,
        "mediaType": "application/json",
        "annotations": {"org.opencontainers.image.title": title},
    }
    return {
        "oversized-5MiB": (
            b'{"schemaVersion": 2, "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}',
            OCI_MANIFEST,
            OPERATIONAL,
            "larger than",
        ),
        "not-json": (b"<html>login page</html>", "text/html", OPERATIONAL, "not JSON"),
        "json-array": (b"[]", OCI_MANIFEST, OPERATIONAL, "not a JSON object"),
        "docker-v1-media-type": (
            _manifest_with(
                artifact, mediaType="application/vnd.docker.distribution.manifest.v1+json"
            ),
            OCI_MANIFEST,
            INPUT,
            "unsupported manifest media type",
        ),
        "image-index": (
            json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [],
                }
            ).encode(),
            OCI_MANIFEST,
            INPUT,
            "image index",
        ),
        "schema-version-1": (
            _manifest_with(artifact, schemaVersion=1),
            OCI_MANIFEST,
            OPERATIONAL,
            "schemaVersion",
        ),
        "layer-digest-malformed": (
            _manifest_with(artifact, layer={"digest": "sha256:../../etc/passwd"}),
            OCI_MANIFEST,
            OPERATIONAL,
            "",
        ),
        "layer-size-negative": (
            _manifest_with(artifact, layer={"size": -1}),
            OCI_MANIFEST,
            OPERATIONAL,
            "",
        ),
        "layer-size-huge": (
            _manifest_with(artifact, layer={"size": 50 * 1024**3}),
            OCI_MANIFEST,
            OPERATIONAL,
            "cap",
        ),
        "layer-size-wrong": (
            _manifest_with(artifact, layer={"size": layer["size"] + 1}),
            OCI_MANIFEST,
            OPERATIONAL,
            "",
        ),
        "layer-digest-of-other-blob": (
            _manifest_with(
                artifact, layer={"digest": json.loads(artifact["manifest"])["config"]["digest"]}
            ),
            OCI_MANIFEST,
            OPERATIONAL,
            "",
        ),
        "title-dotdot": (
            _manifest_with(artifact, layers=[title_layer("../../evil.json")]),
            OCI_MANIFEST,
            OPERATIONAL,
            "'..'",
        ),
        "title-absolute": (
            _manifest_with(artifact, layers=[title_layer("/tmp/evil.json")]),
            OCI_MANIFEST,
            OPERATIONAL,
            "absolute",
        ),
        "title-backslash": (
            _manifest_with(artifact, layers=[title_layer("..\\evil.json")]),
            OCI_MANIFEST,
            OPERATIONAL,
            "backslash",
        ),
        "title-duplicate": (
            _manifest_with(artifact, layers=[title_layer("A.json"), title_layer("A.json")]),
            OCI_MANIFEST,
            OPERATIONAL,
            "two layers",
        ),
        "annotations-not-strings": (
            _manifest_with(artifact, annotations={"org.opencontainers.image.version": 1}),
            OCI_MANIFEST,
            OPERATIONAL,
            "annotations",
        ),
        "no-layers": (_manifest_with(artifact, layers=[]), OCI_MANIFEST, INPUT, ""),
    }


HOSTILE_MANIFESTS = sorted(
    [
        "oversized-5MiB", "not-json", "json-array", "docker-v1-media-type", "image-index",
        "schema-version-1", "layer-digest-malformed", "layer-size-negative", "layer-size-huge",
        "layer-size-wrong", "layer-digest-of-other-blob", "title-dotdot", "title-absolute",
        "title-backslash", "title-duplicate", "annotations-not-strings", "no-layers",
    ]
)  # fmt: skip


@pytest.mark.registry
@pytest.mark.parametrize("case", HOSTILE_MANIFESTS)
def test_hostile_manifest_for_a_tag_is_refused(case, proxy, artifact, tmp_path):
    body, content_type, code, needle = _hostile_manifests(artifact)[case]
    proxy.reset(Fault(MANIFEST, "replace", None, {"body": body, "content_type": content_type}))
    result = _pull(proxy, artifact, tmp_path, pinned=False)
    assert_refused(result, code, needle)
    _assert_nothing_partial(tmp_path)


@pytest.mark.registry
def test_pinned_manifest_swapped_for_another_valid_one_is_refused(proxy, artifact, tmp_path):
    """The registry answers the pinned digest with v2's (valid) manifest: digest mismatch."""
    proxy.reset(
        Fault(
            MANIFEST,
            "replace",
            None,
            {"body": artifact["other_manifest"], "content_type": OCI_MANIFEST},
        )
    )
    result = _pull(proxy, artifact, tmp_path)
    assert_refused(result, OPERATIONAL, artifact["digest"][:15])
    _assert_nothing_partial(tmp_path)


@pytest.mark.registry
def test_lying_digest_header_for_a_tag_is_refused(proxy, artifact, tmp_path):
    lie = "sha256:" + "0" * 64
    proxy.reset(Fault(MANIFEST, "header", None, {"headers": {"Docker-Content-Digest": lie}}))
    result = _pull(proxy, artifact, tmp_path, pinned=False)
    assert_refused(result, OPERATIONAL, lie)
    _assert_nothing_partial(tmp_path)


@pytest.mark.registry
def test_redirect_to_another_host_gets_no_credentials(proxy, artifact, tmp_path, recording_server):
    """A registry may redirect blobs to storage; the secret must not follow to another host."""
    before = len(recording_server.requests)
    proxy.reset(
        Fault(BLOB, "redirect", None, {"location": f"{recording_server.url}/stolen-blob"}),
        require_basic=True,
    )
    result = _pull(proxy, artifact, tmp_path)
    # The recording server answers with the wrong bytes: the digest check refuses them.
    assert_refused(result, OPERATIONAL)
    seen = recording_server.requests[before:]
    assert seen, "the redirect was not followed at all"
    for _, headers in seen:
        assert "authorization" not in {k.lower() for k in headers}, headers
        assert_no_secret(json.dumps(headers))
    assert "challenge" in proxy.actions()
    _assert_nothing_partial(tmp_path)


@pytest.mark.registry
@pytest.mark.parametrize("target", ["manifest", "blob"])
def test_registry_echoing_the_credentials_does_not_leak_them(target, proxy, artifact, tmp_path):
    pattern = MANIFEST if target == "manifest" else BLOB
    proxy.reset(Fault(pattern, "echo_auth", None, {"code": 403}), require_basic=True)
    result = _pull(proxy, artifact, tmp_path)
    assert_refused(result, OPERATIONAL, "denied")
    sent = [hit.headers.get("Authorization", "") for hit in proxy.hits]
    assert any(sent), "the client never authenticated, so nothing was tested"
    _assert_nothing_partial(tmp_path)
