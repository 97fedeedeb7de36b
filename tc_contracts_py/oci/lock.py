"""``tc-schema lock``: resolve the pinned tag and write its manifest digest into the config.

The pin reads ``artifact = "ghcr.io/org/contracts-schemas:0.3.2@sha256:<manifest digest>"``.
The tag is for people and Renovate (its docker datasource updates tag and digest
together); the digest is what ``pull`` trusts. ``lock`` computes the digest from the
manifest bytes itself (not from a header), fetches and verifies the whole artifact into the
cache, and only then rewrites the one string in the TOML file, keeping every comment and
space around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions

from tc_contracts_py.atomic import atomic_write_bytes
from tc_contracts_py.config import PYPROJECT, ProjectConfig, load_config
from tc_contracts_py.errors import ConfigError, ProtectedTagError, SourceError, naming_os_errors
from tc_contracts_py.oci.fetch import materialize
from tc_contracts_py.oci.reference import OciReference, is_release_tag
from tc_contracts_py.oci.registry import RegistryClient
from tc_contracts_py.oci.transport import Transport
from tc_contracts_py.source_spec import SourceKind, SourceOptions, SourceSpec, parse_source


@dataclass(frozen=True)
class LockResult:
    config_path: Path
    previous: str
    pinned: str
    digest: str
    changed: bool


@dataclass(frozen=True)
class Pin:
    """The ``artifact`` pin of a config file, which ``lock`` and ``upgrade`` start from."""

    config: ProjectConfig
    path: Path  # the config file the pin is written in
    text: str  # the artifact string as written
    reference: OciReference
    tag: str  # the reference's tag: a pin without one is refused

    def spelled(self, reference: OciReference) -> str:
        """``reference`` as the pin would be written, keeping an ``oci://`` prefix."""
        prefix = "oci://" if self.text.startswith("oci://") else ""
        return f"{prefix}{reference}"


def load_pin(config_path: Path | None) -> Pin:
    """The pin of the config at ``config_path`` (default: the nearest one)."""
    config = load_config(config_path)
    if config.path is None:
        raise ConfigError(
            "no tc-contracts.toml or pyproject.toml with [tool.tc-contracts] found; pass --config"
        )
    text, reference = _pin_reference(config)
    assert reference.tag is not None
    return Pin(config, config.path, text, reference, reference.tag)


def _pin_reference(config: ProjectConfig) -> tuple[str, OciReference]:
    artifact = config.artifact
    if artifact is None:
        raise ConfigError(
            f"{config.path or '<no config file>'}: no `artifact` to lock "
            '(add artifact = "host/repo:X.Y.Z" to [tool.tc-contracts])'
        )
    try:
        spec = parse_source(artifact)
    except SourceError as exc:
        raise ConfigError(f"{config.path}: artifact: {exc}") from None
    if spec.kind is not SourceKind.OCI or spec.oci is None:
        raise ConfigError(
            f"{config.path}: artifact {artifact!r} is a {spec.kind.value} source; only OCI "
            "references are locked (release URLs carry their #sha256= already)"
        )
    if spec.oci.tag is None:
        raise ConfigError(f"{config.path}: artifact {artifact!r} has no tag to resolve")
    return artifact, spec.oci


def lock(config_path: Path | None, options: SourceOptions) -> LockResult:
    """Resolve the tag of the configured pin, verify the artifact, write the digest."""
    pin = load_pin(config_path)
    reference = pin.reference
    with Transport(options) as transport:
        client = RegistryClient(reference, transport, insecure=options.insecure)
        digest, _manifest = client.resolve(pin.tag)
    if is_release_tag(pin.tag) and reference.digest not in (None, digest):
        raise ProtectedTagError(
            f"{reference.host}/{reference.repository}:{pin.tag} now points at {digest}, "
            f"not at the pinned {reference.digest}: the tag was moved, or edited without its digest. "
            "To take what the tag names now, remove the @sha256 part and lock again"
        )
    pinned_ref = OciReference(reference.host, reference.repository, pin.tag, digest)
    pinned = pin.spelled(pinned_ref)
    # Fetch and verify everything now: a pin that cannot be pulled must not be written.
    materialize(SourceSpec(SourceKind.OCI, pinned, oci=pinned_ref), options)
    changed = pinned != pin.text
    if changed:
        write_pin(pin.path, pinned)
    return LockResult(pin.path, pin.text, pinned, digest, changed)


def write_pin(path: Path, pinned: str) -> None:
    """Replace the ``artifact`` string in place; everything else in the file stays byte-equal."""
    try:
        # Bytes, not read_text: its newline translation would turn CRLF into LF.
        document = tomlkit.parse(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML ({exc})") from None
    table: Any = document
    if path.name == PYPROJECT or "tool" in document:
        try:
            table = document["tool"]["tc-contracts"]
        except KeyError:
            raise ConfigError(f"{path}: no [tool.tc-contracts] table") from None
    if "artifact" not in table:
        raise ConfigError(f"{path}: no artifact key to update")
    table["artifact"] = pinned
    with naming_os_errors(path):
        atomic_write_bytes(path, tomlkit.dumps(document).encode("utf-8"))
