"""What Zod means by the string formats it emits: one table, read by the validators and by
codegen so that the schema checks and the generated models agree.

zod-to-json-schema (draft-07) writes ``format`` alone; Zod 4's ``z.toJSONSchema`` (2020-12)
writes its own regex as ``pattern`` beside every format it checks. So the regexes below are
Zod 3's (``zod/v3/types.js``), and each admits everything Zod 4's narrower pattern for the
same format admits: checked together, a Zod 4 document means what its pattern says.

The sources are ECMA-262, as Zod compiles them, and go through ``ecma_regex``.
"""

from __future__ import annotations

from typing import Final

# `format` -> Zod's regex, for the formats whose generic JSON Schema meaning is not Zod's:
# `time` in JSON Schema needs an offset, and Zod's has none and may omit the seconds;
# `duration` and the IP formats are Zod's regexes, not ISO 8601 or Python's `ipaddress`.
ZOD_FORMAT_REGEX: Final[dict[str, str]] = {
    "time": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
    "duration": (
        r"^[-+]?P(?!$)(?:(?:[-+]?\d+Y)|(?:[-+]?\d+[.,]\d+Y$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?"
        r"(?:(?:[-+]?\d+W)|(?:[-+]?\d+[.,]\d+W$))?(?:(?:[-+]?\d+D)|(?:[-+]?\d+[.,]\d+D$))?"
        r"(?:T(?=[\d+-])(?:(?:[-+]?\d+H)|(?:[-+]?\d+[.,]\d+H$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?"
        r"(?:[-+]?\d+(?:[.,]\d+)?S)?)??$"
    ),
    "ipv4": (
        r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}"
        r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$"
    ),
    "ipv6": (
        r"^(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:"
        r"|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}"
        r"|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}"
        r"|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})"
        r"|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}"
        r"|::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}"
        r"(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|([0-9a-fA-F]{1,4}:){1,4}:"
        r"((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))$"
    ),
}

_ZOD4_DATE = (
    r"(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29"
    r"|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|(?:02)-(?:0[1-9]|1\d|2[0-8])))"
)
# The pattern Zod 4 writes beside a format for its default check, which the models' type
# for that format already makes (codegen/engine.py): `z.iso.datetime()` (seconds, any
# fraction, `Z`) and `z.iso.date()`. Any other pattern there (a precision, an offset) is
# a check the type does not make.
ZOD4_DEFAULT_PATTERNS: Final[dict[str, str]] = {
    "date-time": rf"^{_ZOD4_DATE}T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$",
    "date": rf"^{_ZOD4_DATE}$",
}
