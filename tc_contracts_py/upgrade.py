"""``tc-schema upgrade``: move the pin to the newest release, regenerate, say what changes.

1. read the ``artifact`` pin (an OCI reference with a release tag);
2. list the repository's tags and take the newest release of the same major (any major with
   ``major=True``; exactly ``to`` when given); prereleases only when named;
3. resolve that tag's digest from the manifest bytes, fetch and verify both releases;
4. diff them and read the diff from this service's side (``diff.impact``);
5. unless ``dry_run``: regenerate the models package, then rewrite the pin's tag and digest
   in place (``oci.lock.write_pin``). Models first: a release whose schemas cannot be
   generated leaves both the pin and the package as they were.

``impact`` computes step 4 for any two sources. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import semver

from tc_contracts_py.codegen import GenOptions, GenResult, generate_from_source
from tc_contracts_py.config import ProjectConfig
from tc_contracts_py.diff.engine import diff_schema_sets
from tc_contracts_py.diff.impact import Impact, impact_of
from tc_contracts_py.diff.policy import policy_from_config
from tc_contracts_py.errors import ConfigError
from tc_contracts_py.oci.lock import load_pin, write_pin
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport
from tc_contracts_py.sources import SourceKind, SourceOptions, SourceSpec, load_schema_set

__all__ = ["UpgradeResult", "choose_release", "impact", "upgrade", "used_schemas"]


@dataclass(frozen=True)
class UpgradeResult:
    config_path: Path
    previous: str
    pinned: str
    from_tag: str
    to_tag: str
    digest: str
    changed: bool  # the pin is (or, with dry_run, would be) rewritten
    dry_run: bool
    impact: Impact | None  # None when the release stays the same
    models: GenResult | None  # None with dry_run, or without `out`
    out: Path | None  # the models package regenerated (or that would be)


def _version(tag: str) -> semver.Version | None:
    try:
        return semver.Version.parse(tag.removeprefix("v"))
    except ValueError:
        return None


def choose_release(
    tags: Iterable[str], current: str, *, to: str | None = None, major: bool = False
) -> str:
    """The tag to pin: ``to`` if it is a tag, else the newest release at or above ``current``
    of its major (of any major with ``major``). Prereleases are taken only when named."""
    available = list(tags)
    if to is not None:
        if to not in available:
            raise ConfigError(f"--to {to}: no such tag in the repository")
        if _version(to) is None:
            raise ConfigError(f"--to {to}: not a release tag (X.Y.Z)")
        return to
    base = _version(current)
    if base is None:
        raise ConfigError(
            f"the pin's tag {current!r} is not a release (X.Y.Z); name one with --to TAG"
        )
    candidates = [
        (version, tag)
        for tag in available
        if (version := _version(tag)) is not None
        and not version.prerelease
        and (major or version.major == base.major)
        and version >= base
    ]
    if not candidates:
        return current
    # Equal versions: the spelling of the current pin (1.2.0 over v1.2.0) keeps its style.
    best = max(candidates, key=lambda item: (item[0], item[1] == current, item[1]))
    return best[1]


def used_schemas(config: ProjectConfig) -> list[str] | None:
    """``[tool.tc-contracts.testing] schemas``, without ``exclude``; ``None`` means all."""
    testing = config.section("testing")
    names = testing.get("schemas")
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    exclude = testing.get("exclude") or []
    if isinstance(exclude, str):
        exclude = [exclude]
    return [str(name) for name in names if name not in set(exclude)]


def impact(
    old: str | SourceSpec,
    new: str | SourceSpec,
    options: SourceOptions,
    config: ProjectConfig | None = None,
) -> Impact:
    """What moving from ``old`` to ``new`` means for the service ``config`` describes."""
    config = config or ProjectConfig()
    old_set = load_schema_set(old, options)
    new_set = load_schema_set(new, options)
    policy = policy_from_config(config, gate=False)
    report = diff_schema_sets(
        old_set,
        new_set,
        policy,
        old_source=old if isinstance(old, str) else old.text,
        new_source=new if isinstance(new, str) else new.text,
    )
    return impact_of(report, used_schemas(config))


def upgrade(
    config_path: Path | None,
    options: SourceOptions,
    *,
    to: str | None = None,
    major: bool = False,
    dry_run: bool = False,
) -> UpgradeResult:
    pin = load_pin(config_path)
    config, reference = pin.config, pin.reference
    with Transport(options) as transport:
        client = RegistryClient(reference, transport, insecure=options.insecure)
        tag = choose_release(client.list_tags(), pin.tag, to=to, major=major)
        digest, _manifest = client.resolve(tag)
    target = OciReference(reference.host, reference.repository, tag, digest)
    pinned = pin.spelled(target)
    changed = pinned != pin.text
    same_release = tag == pin.tag and reference.digest in (None, digest)
    found = None
    if not same_release:
        found = impact(pin.text, SourceSpec(SourceKind.OCI, pinned, oci=target), options, config)
    out = config.out
    models = None
    if changed and not dry_run:
        if out is not None:
            models = generate_from_source(
                SourceSpec(SourceKind.OCI, pinned, oci=target),
                out,
                GenOptions(package=config.package, unknown_properties=config.unknown_properties),
                source_options=options,
            )
        write_pin(pin.path, pinned)
    return UpgradeResult(
        pin.path,
        pin.text,
        pinned,
        pin.tag,
        tag,
        digest,
        changed,
        dry_run,
        found,
        models,
        out,
    )
