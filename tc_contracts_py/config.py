"""Project configuration: ``[tool.tc-contracts]`` in ``pyproject.toml`` or a ``tc-contracts.toml``.

Keys (kebab-case, as in TOML):

- ``artifact``: the pinned schema source, e.g. ``ghcr.io/org/contracts-schemas:0.3.2@sha256:…``
- ``out``: where ``tc-schema gen`` writes the models package (relative to the config file)
- ``package``: the models package name (default: the ``out`` folder's name)
- ``unknown-properties``: ``strip`` (default) or ``reject``
- ``cache-dir``: override of the artifact cache location
- ``insecure``, ``ca-file``, ``timeout``: how registries are reached (``registry_settings``
  adds the ``TC_CONTRACTS_*`` variables and the command line)
- sub-tables ``diff`` and ``testing``: read by their own modules

``data/config.schema.json`` describes every key (``tc-schema config-schema`` prints it, for
editors); a key it does not know is refused when the file is read, so a typo never passes
silently.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tc_contracts_py.errors import ConfigError

PYPROJECT = "pyproject.toml"
STANDALONE = "tc-contracts.toml"


class UnknownProperties(StrEnum):
    """What a reader does with a property its schema does not declare.

    ``strip``: drop it, like a plain ``z.object()`` and Pydantic ``extra='ignore'``.
    ``reject``: refuse the payload, enforcing ``additionalProperties: false`` literally.
    """

    STRIP = "strip"
    REJECT = "reject"


@dataclass(frozen=True)
class ProjectConfig:
    """The ``[tool.tc-contracts]`` table, with paths resolved against its file's folder."""

    path: Path | None = None
    table: Mapping[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def get_str(self, key: str) -> str | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{self._where(key)}: expected a string, got {type(value).__name__}")
        return value

    def get_bool(self, key: str) -> bool | None:
        value = self.table.get(key)
        if value is not None and not isinstance(value, bool):
            raise ConfigError(f"{self._where(key)}: expected true or false")
        return value

    def get_number(self, key: str) -> float | None:
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{self._where(key)}: expected a number")
        return float(value)

    def get_path(self, key: str) -> Path | None:
        value = self.get_str(key)
        return (self.root / value) if value is not None else None

    def section(self, key: str) -> Mapping[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self._where(key)}: expected a table")
        return value

    @property
    def artifact(self) -> str | None:
        return self.get_str("artifact")

    @property
    def out(self) -> Path | None:
        return self.get_path("out")

    @property
    def package(self) -> str | None:
        return self.get_str("package")

    @property
    def cache_dir(self) -> Path | None:
        return self.get_path("cache-dir")

    @property
    def unknown_properties(self) -> UnknownProperties:
        value = self.get_str("unknown-properties") or UnknownProperties.STRIP.value
        try:
            return UnknownProperties(value)
        except ValueError:
            raise ConfigError(
                f"{self._where('unknown-properties')}: {value!r} is not one of strip, reject"
            ) from None

    def unknown_properties_or(self, flag: str | None) -> UnknownProperties:
        """The policy a command uses: its option when given, else this config's."""
        return UnknownProperties(flag) if flag else self.unknown_properties

    def _where(self, key: str) -> str:
        prefix = "" if self.path is None or self.path.name == STANDALONE else "tool.tc-contracts."
        return f"{self.path or '<config>'}: {prefix}{key}"


ENV_INSECURE = "TC_CONTRACTS_INSECURE"
ENV_CA_FILE = "TC_CONTRACTS_CA_FILE"
ENV_TIMEOUT = "TC_CONTRACTS_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT = 3.0
MIN_CONNECT_TIMEOUT = 0.1
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class RegistrySettings:
    """How registries are reached: each from its flag, else its variable, else the config."""

    insecure: bool = False
    ca_file: Path | None = None
    timeout: float = DEFAULT_CONNECT_TIMEOUT


def _timeout(value: float, where: str) -> float:
    if not math.isfinite(value) or value < MIN_CONNECT_TIMEOUT:
        raise ConfigError(f"{where}: {value!r} is not a number of seconds >= {MIN_CONNECT_TIMEOUT}")
    return value


def registry_settings(
    config: ProjectConfig | None,
    *,
    insecure: bool | None = None,
    ca_file: Path | None = None,
    timeout: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> RegistrySettings:
    """``insecure``, ``ca-file`` and ``timeout``: flag > ``TC_CONTRACTS_*`` > config > default.

    ``None`` means the flag was not given. One function, so every command and the pytest
    plugin agree.
    """
    env = os.environ if environ is None else environ
    table = config or ProjectConfig()
    if insecure is None:
        text = env.get(ENV_INSECURE)
        if text is not None:
            lowered = text.strip().lower()
            if lowered not in _TRUE + _FALSE:
                raise ConfigError(f"{ENV_INSECURE}={text!r}: expected 1 or 0 (true or false)")
            insecure = lowered in _TRUE
        else:
            insecure = table.get_bool("insecure")
    if ca_file is None:
        text = env.get(ENV_CA_FILE)
        ca_file = Path(text) if text else table.get_path("ca-file")
        where = ENV_CA_FILE if text else table._where("ca-file")
        if ca_file is not None and not ca_file.is_file():
            raise ConfigError(f"{where}: {ca_file}: no such file")
    if timeout is None:
        text = env.get(ENV_TIMEOUT)
        if text:
            try:
                timeout = _timeout(float(text), ENV_TIMEOUT)
            except ValueError:
                raise ConfigError(f"{ENV_TIMEOUT}={text!r}: not a number of seconds") from None
        else:
            configured = table.get_number("timeout")
            if configured is not None:
                timeout = _timeout(configured, table._where("timeout"))
    return RegistrySettings(
        insecure=bool(insecure),
        ca_file=ca_file,
        timeout=DEFAULT_CONNECT_TIMEOUT if timeout is None else timeout,
    )


@cache
def config_schema_text() -> str:
    """The JSON Schema of ``[tool.tc-contracts]``."""
    return resources.files("tc_contracts_py").joinpath("data/config.schema.json").read_text()


def _refuse_unknown_keys(
    table: Mapping[str, Any], schema: Mapping[str, Any], path: Path, prefix: str
) -> None:
    known = schema.get("properties", {})
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in known:
            names = ", ".join(sorted(known))
            raise ConfigError(f"{path}: {dotted}: unknown key (known here: {names})")
        child = known[key]
        if isinstance(value, Mapping) and child.get("type") == "object":
            _refuse_unknown_keys(value, child, path, dotted)


def read_config_file(path: Path) -> ProjectConfig:
    """Read a given file: a ``pyproject.toml`` (its ``[tool.tc-contracts]``) or a standalone file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    if path.name == PYPROJECT or "tool" in data:
        table = data.get("tool", {}).get("tc-contracts", {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.tc-contracts] must be a table")
    prefix = "" if table is data else "tool.tc-contracts"
    _refuse_unknown_keys(table, json.loads(config_schema_text()), path, prefix)
    return ProjectConfig(path=path.resolve(), table=table)


def find_config(start: Path | None = None) -> ProjectConfig:
    """The nearest ``tc-contracts.toml`` or ``pyproject.toml`` with a ``[tool.tc-contracts]`` table.

    Searches ``start`` (default: the working directory) and its parents; an empty config if none.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        standalone = folder / STANDALONE
        if standalone.is_file():
            return read_config_file(standalone)
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            config = read_config_file(pyproject)
            if config.table:
                return config
    return ProjectConfig()


def load_config(explicit: Path | None = None) -> ProjectConfig:
    return read_config_file(explicit) if explicit is not None else find_config()
