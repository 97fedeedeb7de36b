"""Validator classes that read contracts the way their producer, Zod, does.

Two semantics are offered:

``"zod"`` (the default everywhere in ``tc_contracts_py.testing``)
    ``pattern`` is evaluated as ECMA-262 (as the JSON Schema spec and Zod say), so
    ``\\d`` means ASCII digits and ``$`` means end of input. Formats mean what Zod
    checks: in a draft-07 document (zod-to-json-schema, which writes ``format``
    alone) ``date-time`` must end in ``Z``, as Zod's ``.datetime()`` demands, and
    ``email`` is Zod's e-mail rule (a domain with a TLD), not JSON Schema's "has an
    @"; in a 2020-12 document Zod 4 wrote its own check as the ``pattern`` beside
    the format (an offset it allows included), so ``date-time`` and ``email`` keep
    their generic meaning there. ``time``, ``duration``, ``ipv4`` and ``ipv6`` are
    Zod's regexes in both (``tc_contracts_py.zod_formats``).
``"jsonschema"``
    What the ``jsonschema`` library does out of the box: Python ``re`` and
    RFC 3339 date-times with any offset. Useful to show where the two part.

In both, formats are really checked, with the generic ``FormatChecker`` (which,
unlike ``Draft7Validator.FORMAT_CHECKER``, knows ``uuid``). ``date-time`` needs
``rfc3339-validator``: ``require_format_support`` fails loudly when it is
missing rather than leave ``date-time`` silently unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import jsonschema
import jsonschema.protocols
import jsonschema.validators

from tc_contracts_py.ecma_regex import ecma_search, python_search, regex_keywords
from tc_contracts_py.errors import ContractsError
from tc_contracts_py.schemaset import Dialect
from tc_contracts_py.zod_formats import ZOD_FORMAT_REGEX


@dataclass(frozen=True)
class Violation:
    """One reason a payload fails its schema."""

    pointer: str  # JSON pointer into the payload ("" is the root)
    message: str
    keyword: str  # the schema keyword that failed: required, type, pattern, …
    schema_pointer: str  # JSON pointer into the schema document

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


Semantics = Literal["zod", "jsonschema"]
SEMANTICS: tuple[Semantics, ...] = ("zod", "jsonschema")

# The formats Zod emits that a contract test must really check.
REQUIRED_FORMATS = ("date-time", "date", "email", "uuid", "uri", "ipv4", "ipv6")
# Zod's .datetime() without options: seconds required, fraction optional, `Z` only.
_ZOD_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z", re.ASCII)
# Zod 3's .email() (zod 4 emits an equivalent pattern): a dotted local part and a domain
# with a TLD of two or more letters. JSON Schema's checker only asks for an "@".
_ZOD_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}",
    re.ASCII | re.IGNORECASE,
)

FORMAT_CHECKER = jsonschema.FormatChecker()


def _zod_format_checker(*, beside_zod4_patterns: bool) -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    for name, source in ZOD_FORMAT_REGEX.items():
        checker.checks(name)(_zod_regex_check(source))
    if beside_zod4_patterns:
        return checker
    rfc3339 = checker.checkers["date-time"][0] if "date-time" in checker.checkers else None

    @checker.checks("date-time")
    def zod_date_time(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        if _ZOD_DATE_TIME.fullmatch(instance) is None:
            return False
        return rfc3339 is None or bool(rfc3339(instance))

    @checker.checks("email")
    def zod_email(instance: object) -> bool:
        return not isinstance(instance, str) or _ZOD_EMAIL.fullmatch(instance) is not None

    return checker


def _zod_regex_check(source: str) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        return not isinstance(instance, str) or ecma_search(source, instance)

    return check


ZOD_FORMAT_CHECKER = _zod_format_checker(beside_zod4_patterns=False)
ZOD4_FORMAT_CHECKER = _zod_format_checker(beside_zod4_patterns=True)


class FormatSupportMissing(ContractsError):
    """A format checker dependency is not installed, so a format would go unchecked."""


def require_format_support() -> None:
    missing = [name for name in REQUIRED_FORMATS if name not in FORMAT_CHECKER.checkers]
    if missing:
        raise FormatSupportMissing(
            f"format checks unavailable for {', '.join(missing)}: "
            "install jsonschema[format-nongpl] (rfc3339-validator, rfc3986-validator)"
        )


def format_checker(
    semantics: Semantics = "zod", dialect: Dialect | None = None
) -> jsonschema.FormatChecker:
    """The format checker for documents of ``dialect`` (a draft-07 one when not given)."""
    if _checked(semantics) == "jsonschema":
        return FORMAT_CHECKER
    return ZOD4_FORMAT_CHECKER if dialect is Dialect.DRAFT2020_12 else ZOD_FORMAT_CHECKER


def _checked(semantics: str) -> Semantics:
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {', '.join(SEMANTICS)}, not {semantics!r}")
    return semantics


@cache
def validator_class(
    dialect: Dialect, semantics: Semantics = "zod"
) -> type[jsonschema.protocols.Validator]:
    """The validator class for a dialect under the given semantics (format checker aside)."""
    base = dialect.validator_class
    # Patterns within the match budget (the library's own keywords would backtrack for
    # minutes on ``^(a+)+$``), read as ECMA-262 under Zod's semantics.
    search = python_search if _checked(semantics) == "jsonschema" else ecma_search
    extended: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        base, regex_keywords(search)
    )
    return extended
