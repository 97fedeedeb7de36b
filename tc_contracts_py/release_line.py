"""Loading and diffing what ``tc-schema diff`` compares: one release, or a release line.

A release line is an OLD that names many releases: ``oci://host/repo`` without a tag
(every semver tag of the repository) or ``git:contracts-v*:schemas`` (every tag the glob
matches). Pairwise, a git line means its newest release. Transitive
(``diff.transitive``), the line's tags are listed, the releases NEW owes compatibility to
are loaded, and the pure engine compares NEW with each.
"""

from __future__ import annotations

from tc_contracts_py.diff import diff_schema_sets
from tc_contracts_py.diff.model import DiffReport
from tc_contracts_py.diff.policy import Compatibility, DiffPolicy
from tc_contracts_py.diff.transitive import diff_release_line, plan_line
from tc_contracts_py.errors import ConfigError, OfflineError
from tc_contracts_py.local_sources import (
    git_release_source,
    git_releases,
    is_git_line,
    latest_release_source,
)
from tc_contracts_py.oci.reference import OciReference
from tc_contracts_py.schemaset import SchemaSet
from tc_contracts_py.source_spec import (
    Release,
    SourceKind,
    SourceOptions,
    SourceSpec,
    parse_source,
    releases_among,
)
from tc_contracts_py.sources import load_schema_set

EMPTY = "<empty>"  # the OLD of a first release
LINE_FORMS = "oci://host/repo (no tag) or git:contracts-v*:schemas"


def line_spec(source: str) -> SourceSpec | None:
    """The parsed source when it names a release line, else ``None``."""
    spec = parse_source(source)
    if is_git_line(spec):
        return spec
    if spec.kind is SourceKind.OCI and spec.oci is not None:
        return spec if spec.oci.tag is None and spec.oci.digest is None else None
    return None


def line_releases(spec: SourceSpec, options: SourceOptions) -> list[tuple[Release, str]]:
    """Every release of a line, oldest first, with the source that names it alone."""
    if spec.kind is SourceKind.GIT:
        return [(r, git_release_source(spec, r)) for r in git_releases(spec)]
    assert spec.oci is not None
    if options.offline:
        raise OfflineError(f"{spec.text}: listing a release line's tags needs the registry")
    # Deliberately lazy, as in sources: the OCI client pulls in requests.
    from tc_contracts_py.oci.registry import RegistryClient
    from tc_contracts_py.oci.transport import Transport

    with Transport(options) as transport:
        tags = RegistryClient(spec.oci, transport, insecure=options.insecure).list_tags()
    releases = releases_among(tags)
    if not releases:
        raise ConfigError(
            f"{spec.text}: no release tag (X.Y.Z) in the repository "
            "(for a first release, use --from-empty)"
        )
    prefix = "oci://" if spec.text.startswith("oci://") else ""
    return [
        (r, f"{prefix}{OciReference(spec.oci.host, spec.oci.repository, r.tag)}") for r in releases
    ]


def diff_sources(
    old_source: str | None,
    new_source: str,
    policy: DiffPolicy,
    options: SourceOptions,
    compatibility: Compatibility = Compatibility.PAIRWISE,
) -> tuple[DiffReport, SchemaSet]:
    """Load both sides and diff them; ``old_source`` ``None`` is a first release. Returns the
    report and NEW's schema set."""
    if old_source is None:
        new = load_schema_set(new_source, options)
        old = SchemaSet({}, origin=EMPTY)
        return diff_schema_sets(old, new, policy, old_source=EMPTY, new_source=new_source), new
    if compatibility is Compatibility.TRANSITIVE:
        return _diff_line(old_source, new_source, policy, options)
    old_source = latest_release_source(old_source)  # its version comes from the tag
    old = load_schema_set(old_source, options, allow_empty=True)
    new = load_schema_set(new_source, options)
    return diff_schema_sets(old, new, policy, old_source=old_source, new_source=new_source), new


def _diff_line(
    line_source: str, new_source: str, policy: DiffPolicy, options: SourceOptions
) -> tuple[DiffReport, SchemaSet]:
    spec = line_spec(line_source)
    if spec is None:
        raise ConfigError(
            f"{line_source}: names one release, and a transitive check needs a release line "
            f"({LINE_FORMS}); pass --pairwise to compare with one release"
        )
    if policy.from_version is not None:
        raise ConfigError("--from-version: on a release line, each release's version is its tag's")
    listed = line_releases(spec, options)
    new = load_schema_set(new_source, options)
    plan = plan_line([str(r.version) for r, _ in listed], new, policy, new_source)
    sources = {str(r.version): source for r, source in listed}
    loaded = {
        v: (sources[v], load_schema_set(sources[v], options, allow_empty=True))
        for v in plan.compare
    }
    report = diff_release_line(
        plan, loaded, new, policy, line_source=line_source, new_source=new_source
    )
    return report, new
