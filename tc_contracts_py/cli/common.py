"""Options and helpers shared by several commands."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import click

from tc_contracts_py.config import (
    DEFAULT_CONNECT_TIMEOUT,
    MIN_CONNECT_TIMEOUT,
    ProjectConfig,
    UnknownProperties,
    load_config,
    registry_settings,
)
from tc_contracts_py.errors import (
    CheckFailure,
    ConfigError,
    ContractsError,
    InputError,
    OperationalError,
)
from tc_contracts_py.redaction import redact
from tc_contracts_py.source_spec import ENV_CACHE_DIR, SourceKind, SourceOptions, parse_source


class ExitCode(IntEnum):
    """Exit codes of every ``tc-schema`` command."""

    OK = 0
    CHECK_FAILED = 1  # a gate failed, models are stale, a round trip failed
    INPUT = 2  # usage error or invalid input (file, schema, ref, option)
    OPERATIONAL = 3  # network, registry, integrity, filesystem; also any unexpected crash


def exit_code_for(error: BaseException) -> ExitCode:
    if isinstance(error, InputError):
        return ExitCode.INPUT
    if isinstance(error, OperationalError):
        return ExitCode.OPERATIONAL
    if isinstance(error, CheckFailure):
        return ExitCode.CHECK_FAILED
    # A ContractsError outside both families, or an unexpected crash: never 1, which
    # would read as "the check ran and failed".
    return ExitCode.OPERATIONAL


def one_line(text: str) -> str:
    return " ".join(redact(text).split())


class CheckFailed(click.exceptions.Exit):
    """Raised by a command whose check ran and failed (exit 1), after it reported why."""

    def __init__(self) -> None:
        super().__init__(ExitCode.CHECK_FAILED)


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="pyproject.toml with [tool.tc-contracts], or a tc-contracts.toml (default: nearest one).",
)

unknown_properties_option = click.option(
    "--unknown-properties",
    type=click.Choice([p.value for p in UnknownProperties]),
    default=None,
    help="strip: readers drop undeclared properties (plain z.object()); "
    "reject: additionalProperties:false is enforced. Default: config, else strip.",
)


def finite_seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """FloatRange lets nan and inf through (comparisons with nan are false); sockets do not."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a finite number of seconds")
    return value


insecure_option = click.option(
    "--insecure",
    is_flag=True,
    help="Plain http to the registry (local registries only). "
    "Also TC_CONTRACTS_INSECURE=1 or insecure = true in the config.",
)
ca_file_option = click.option(
    "--ca-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="CA bundle to trust for the registry. Also TC_CONTRACTS_CA_FILE, ca-file in the "
    "config, REQUESTS_CA_BUNDLE.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=MIN_CONNECT_TIMEOUT),
    default=None,
    callback=finite_seconds,
    help=f"Connect timeout in seconds (default: TC_CONTRACTS_TIMEOUT, timeout in the config, "
    f"else {DEFAULT_CONNECT_TIMEOUT:g}).",
)
offline_option = click.option(
    "--offline", is_flag=True, help="Use the cache only; never touch the network."
)
cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Artifact cache (default: $TC_CONTRACTS_CACHE_DIR, config cache-dir, or the user cache dir).",
)


@dataclass(frozen=True)
class FetchFlags:
    """The command line's options for reaching remote sources (False/None: not given)."""

    offline: bool = False
    cache_dir: Path | None = None
    insecure: bool = False
    ca_file: Path | None = None
    timeout: float | None = None

    def source_options(
        self,
        config: ProjectConfig | None,
        *,
        frozen: bool = False,
        command_line_source: str | None = None,
    ) -> SourceOptions:
        """The flags over the variables and the config (see ``source_options_from``)."""
        return source_options_from(
            config,
            offline=self.offline,
            cache_dir=self.cache_dir,
            insecure=self.insecure,
            ca_file=self.ca_file,
            timeout=self.timeout,
            frozen=frozen,
            command_line_source=command_line_source,
        )


_FETCH_OPTIONS: dict[str, Callable[[Callable[..., None]], Callable[..., None]]] = {
    "offline": offline_option,
    "cache_dir": cache_dir_option,
    "insecure": insecure_option,
    "ca_file": ca_file_option,
    "timeout": timeout_option,
}


def _fetch_flag_options(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator adding the options ``names`` (in that order) and handing the command one
    ``fetch: FetchFlags`` argument in their place."""

    def decorate(function: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(function)
        def command(*args: Any, **kwargs: Any) -> None:
            flags = FetchFlags(**{name: kwargs.pop(name) for name in names})
            function(*args, fetch=flags, **kwargs)

        decorated: Callable[..., None] = command
        for name in reversed(names):
            decorated = _FETCH_OPTIONS[name](decorated)
        return decorated

    return decorate


# Every option for reaching remote sources (OCI registries, release assets).
fetch_flags = _fetch_flag_options(*_FETCH_OPTIONS)
# lock and upgrade always reach the registry: no --offline.
registry_fetch_flags = _fetch_flag_options("cache_dir", "insecure", "ca_file", "timeout")
# push writes to the registry and reads no cache.
push_fetch_flags = _fetch_flag_options("insecure", "ca_file", "timeout")


def source_options_from(
    config: ProjectConfig | None,
    *,
    offline: bool = False,
    cache_dir: Path | None = None,
    insecure: bool = False,
    ca_file: Path | None = None,
    timeout: float | None = None,
    frozen: bool = False,
    command_line_source: str | None = None,
) -> SourceOptions:
    """``command_line_source``: a source the user typed (never one read from a config file);
    the TC_CONTRACTS_REGISTRY_* credentials may go to its registry.

    ``insecure``, ``ca_file``, ``timeout`` are the flags (False/None: not given); the
    variables and the config fill in the rest (``config.registry_settings``)."""
    registry = registry_settings(
        config, insecure=insecure or None, ca_file=ca_file, timeout=timeout
    )
    # --cache-dir, then $TC_CONTRACTS_CACHE_DIR, then the config's cache-dir, then the default.
    env_cache = os.environ.get(ENV_CACHE_DIR)
    chosen_cache = cache_dir or (Path(env_cache) if env_cache else None)
    if chosen_cache is None and config is not None:
        chosen_cache = config.cache_dir
    return SourceOptions(
        offline=offline,
        frozen=frozen,
        cache_dir=chosen_cache,
        insecure=registry.insecure,
        ca_file=registry.ca_file,
        connect_timeout=registry.timeout,
        command_line_host=_registry_host(command_line_source),
    )


def _registry_host(source: str | None) -> str | None:
    if not source:
        return None
    try:
        spec = parse_source(source)
    except ContractsError:
        return None  # reported when the command parses it
    return spec.oci.host if spec.kind is SourceKind.OCI and spec.oci is not None else None


def require_source(source: str | None, config: ProjectConfig) -> str:
    if source:
        return source
    if config.artifact:
        return config.artifact
    raise ConfigError(
        "no schema source given and no `artifact` pin in [tool.tc-contracts] "
        '(pass SOURCE or add artifact = "host/repo:X.Y.Z@sha256:…")'
    )


def load_project_config(config_path: Path | None) -> ProjectConfig:
    return load_config(config_path)
