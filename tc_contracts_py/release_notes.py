"""``tc-schema changelog``: load releases, diff each with its predecessor, keep every change.

``changelog_between`` describes one release (any two sources ``tc-schema diff`` takes);
``changelog_since`` a history: the release tags from ``since`` on, read from the current
git repository (``git:TAG:PATH``) or listed by an OCI repository, one section per
consecutive pair, newest first. The diff is the diff engine's, ungated: a changelog is not
a gate. The model and its renderers are ``diff.changelog``; nothing here prints.
"""

from __future__ import annotations

from tc_contracts_py.config import ProjectConfig
from tc_contracts_py.diff.changelog import Changelog, release_notes, release_pairs
from tc_contracts_py.diff.engine import diff_schema_sets
from tc_contracts_py.diff.policy import DiffPolicy, policy_from_config
from tc_contracts_py.errors import ConfigError
from tc_contracts_py.local_sources import git_tags, latest_release_source
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.schemaset import SchemaSet
from tc_contracts_py.sources import SourceOptions, load_schema_set

__all__ = ["changelog_between", "changelog_since"]


def _policy(
    config: ProjectConfig, unknown_properties: str | None, to_version: str | None = None
) -> DiffPolicy:
    return policy_from_config(
        config, unknown_properties=unknown_properties, to_version=to_version, gate=False
    )


def changelog_between(
    old: str,
    new: str,
    options: SourceOptions,
    config: ProjectConfig | None = None,
    *,
    unknown_properties: str | None = None,
    to_version: str | None = None,
) -> Changelog:
    """The notes of the release ``new`` relative to ``old`` (a glob revision: the newest tag)."""
    policy = _policy(config or ProjectConfig(), unknown_properties, to_version)
    old = latest_release_source(old)
    old_set = load_schema_set(old, options, allow_empty=True)
    new_set = load_schema_set(new, options)
    report = diff_schema_sets(old_set, new_set, policy, old_source=old, new_source=new)
    return Changelog((release_notes(report),))


def changelog_since(
    since: str,
    options: SourceOptions,
    config: ProjectConfig | None = None,
    *,
    repository: str | None = None,
    path: str = "schemas",
    unknown_properties: str | None = None,
) -> Changelog:
    """Every release from the tag ``since`` on, newest first.

    ``repository``: an OCI repository (``oci://host/repo``) whose tags are the releases;
    without it, the current git repository's tags, with the schemas at ``path``.
    """
    policy = _policy(config or ProjectConfig(), unknown_properties)
    if repository is None:
        pairs = release_pairs(git_tags(f"--since-tag {since}"), since)
        sources = {tag: f"git:{tag}:{path}" for pair in pairs for tag in pair}
    else:
        pairs, sources = _oci_history(repository, since, options)
    loaded: dict[str, SchemaSet] = {}

    def schema_set(tag: str) -> SchemaSet:
        if tag not in loaded:
            loaded[tag] = load_schema_set(sources[tag], options, allow_empty=True)
        return loaded[tag]

    releases = []
    for older, newer in pairs:
        report = diff_schema_sets(
            schema_set(older),
            schema_set(newer),
            policy,
            old_source=sources[older],
            new_source=sources[newer],
        )
        releases.append(release_notes(report))
    return Changelog(tuple(releases))


def _oci_history(
    repository: str, since: str, options: SourceOptions
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    reference = OciReference.parse(repository)
    if reference.tag is not None or reference.digest is not None:
        raise ConfigError(
            f"{repository}: with --since-tag, name the repository without a tag or digest"
        )
    # Deliberately lazy: the OCI client pulls in requests, which git histories never need.
    from tc_contracts_py.oci.registry import RegistryClient
    from tc_contracts_py.oci.transport import Transport

    with Transport(options) as transport:
        tags = RegistryClient(reference, transport, insecure=options.insecure).list_tags()
    pairs = release_pairs(tags, since)
    prefix = "oci://" if repository.startswith("oci://") else ""
    sources = {
        tag: f"{prefix}{OciReference(reference.host, reference.repository, tag)}"
        for pair in pairs
        for tag in pair
    }
    return pairs, sources
