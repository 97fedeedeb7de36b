"""Reading the pending release of one package from a Changesets folder (``.changeset/``).

A changeset is a markdown file whose front matter maps package names to a bump
(``"@tc/contracts": minor``). The files are selected the way ``@changesets/read`` 1.0
selects them and parsed the way ``@changesets/parse`` 1.0 parses them (the first
``---`` block is YAML 1.2; names must be non-empty strings, bumps one of
major/minor/patch/none); ``tests/diff/test_changesets_reference.py`` checks this against
the real package. The result is a ``ChangesetRelease`` the semver gate consumes.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

from tc_contracts_py.diff.model import Bump, ChangesetRelease
from tc_contracts_py.errors import ConfigError, InputError

FOLDER = ".changeset"
VERSION_TYPES = ("major", "minor", "patch", "none")

# JavaScript's \s, which the reference regex uses (Python's \s differs: \x1c-\x1f, \ufeff).
_JS_SPACE = r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
# @changesets/parse's /\s*---([^]*?)\r?\n\s*---(\s*(?:\n|$)[^]*)/, unanchored as there.
_FRONT_MATTER = re.compile(
    rf"{_JS_SPACE}*---([\s\S]*?)\r?\n{_JS_SPACE}*---({_JS_SPACE}*(?:\n|\Z)[\s\S]*)"
)
# @changesets/read skips these names (the first case-insensitively) and dot files.
_IGNORED_NAMES = ("AGENTS.md", "CLAUDE.md", "GEMINI.md")


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars, as the ``yaml`` npm package
    reads them: ``yes``/``on`` are strings, ``017`` is 17, no timestamps, no ``<<`` merges,
    and a repeated key is an error."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                # JS would stringify a collection key; no package is named like that.
                raise yaml.constructor.ConstructorError(
                    None, None, "a package name must be a scalar", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"map keys must be unique ({key!r})", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).lstrip("+")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _core_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text.endswith(".nan"):
        return math.nan
    return float(text)


for _tag, _pattern, _first in (
    ("null", r"^(?:~|null|Null|NULL)?$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _core_float)


def _js_key(key: Any) -> str:
    """The property name JavaScript gives a YAML key (``Object.entries`` sees strings)."""
    if key is None:
        return ""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _js_entries(data: dict[Any, Any]) -> list[tuple[str, Any]]:
    """``Object.entries`` order: integer-like names ascending first, then insertion order."""
    entries = [(_js_key(key), value) for key, value in data.items()]
    merged: dict[str, Any] = {}
    for name, value in entries:  # two keys may name one property ("1" and 1): the last wins
        merged[name] = value

    def index(name: str) -> int | None:
        if (
            name.isascii()
            and name.isdigit()
            and (name == "0" or not name.startswith("0"))
            and int(name) < 2**32 - 1
        ):
            return int(name)
        return None

    indexed = sorted((n for n in merged if index(n) is not None), key=lambda n: index(n) or 0)
    return [(n, merged[n]) for n in indexed] + [
        (n, v) for n, v in merged.items() if index(n) is None
    ]


def _js_falsy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return True
    return isinstance(value, int | float) and (value == 0 or math.isnan(value))


def parse_changeset(text: str, where: str) -> list[tuple[str, str]]:
    """The ``(package, bump)`` pairs of one changeset, in file order.

    Raises ``InputError`` naming ``where`` when ``@changesets/parse`` would refuse the file.
    """
    match = _FRONT_MATTER.search(text)
    if match is None:
        raise InputError(f"{where}: not a changeset: no front matter delimited by '---'")
    try:
        data = yaml.load(match.group(1), Loader=_Yaml12Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise InputError(
            f"{where}: invalid YAML in the changeset's front matter ({reason})"
        ) from None
    if _js_falsy(data):
        return []
    if not isinstance(data, dict):
        raise InputError(
            f"{where}: a changeset's front matter maps package names to bumps "
            '("package-name": patch)'
        )
    releases: list[tuple[str, str]] = []
    for name, bump in _js_entries(data):
        if not name.strip():
            raise InputError(f"{where}: invalid package name {name!r} in the front matter")
        if bump not in VERSION_TYPES:
            raise InputError(
                f"{where}: invalid bump {json.dumps(bump)} for {name!r} "
                f"(one of {', '.join(VERSION_TYPES)})"
            )
        releases.append((name, str(bump)))
    return releases


def changeset_files(folder: Path) -> list[Path]:
    """The changesets in a ``.changeset`` folder and its ``pre/``, as ``@changesets/read``
    lists them: ``*.md`` but dot files, README.md and the agent instruction files."""
    found: list[Path] = []
    for directory in (folder, folder / "pre"):
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            name = entry.name
            if name.startswith(".") or not name.endswith(".md") or not entry.is_file():
                continue
            if name.lower() == "readme.md" or name in _IGNORED_NAMES:
                continue
            found.append(entry)
    return found


def find_changeset_folder(start: Path) -> Path | None:
    """The ``.changeset`` folder of ``start`` or of its nearest parent that has one."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / FOLDER
        if candidate.is_dir():
            return candidate
    return None


def _package_json_name(folder: Path) -> str | None:
    manifest = folder.parent / "package.json"
    if not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{manifest}: cannot read the package name ({exc})") from None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else None


def read_changesets(
    *, start: Path, folder: Path | None = None, package: str | None = None
) -> ChangesetRelease | None:
    """What the pending changesets declare for ``package`` (default: the ``name`` of the
    ``package.json`` beside the folder). ``None`` when there is no ``.changeset`` folder.

    ``folder`` is an explicit ``.changeset`` folder; otherwise the nearest one at or above
    ``start`` is used.
    """
    if folder is not None:
        if not folder.is_dir():
            raise ConfigError(f"--changesets {folder}: not a directory")
        where = folder
    else:
        found = find_changeset_folder(start)
        if found is None:
            return None
        where = found
    name = package or _package_json_name(where)
    shown = _shown(where, start)
    bump: Bump | None = None
    declaring: list[str] = []
    for path in changeset_files(where):
        label = f"{shown}/{path.relative_to(where).as_posix()}"
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({exc.strerror})") from None
        for release_name, release_type in parse_changeset(text, label):
            if release_name != name:
                continue
            this = Bump.from_label(release_type)
            if bump is None or this.value > bump.value:
                bump, declaring = this, [label]
            elif this is bump and label not in declaring:
                declaring.append(label)
    return ChangesetRelease(folder=shown, package=name, bump=bump, files=tuple(declaring))


def _shown(folder: Path, start: Path) -> str:
    """The folder as a report shows it: relative to the working directory."""
    return Path(os.path.relpath(folder.resolve(), start.resolve())).as_posix()
