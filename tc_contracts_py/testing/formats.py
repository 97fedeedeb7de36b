"""Hypothesis strategies for string formats, in the form Zod accepts.

Every value here is accepted by Zod (v3 and v4), by ``jsonschema``'s format checker
and by the Pydantic types datamodel-code-generator maps the formats to, and it
survives a Pydantic dump unchanged where possible (lower-case hex, lower-case
domains, ``Z`` offsets) so round trips compare cleanly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from hypothesis import strategies as st

_TLDS = ("com", "org", "net", "io", "dev")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _label() -> st.SearchStrategy[str]:
    # Letters first and last keep labels valid for every hostname rule in play.
    inner = st.text(alphabet=_LOWER_ALNUM + "-", max_size=6)
    return st.builds(
        lambda first, middle, last: first + middle.strip("-") + last,
        st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
        inner,
        st.text(alphabet=_LOWER_ALNUM, max_size=1),
    )


def _domain() -> st.SearchStrategy[str]:
    return st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(_label(), min_size=1, max_size=2),
        st.sampled_from(_TLDS),
    )


def _email() -> st.SearchStrategy[str]:
    local = st.builds(
        lambda parts: ".".join(parts),
        st.lists(
            st.text(alphabet=_LOWER_ALNUM + "_+", min_size=1, max_size=8), min_size=1, max_size=2
        ),
    )
    return st.builds(lambda user, domain: f"{user}@{domain}", local, _domain())


def _fraction(digits: int, microsecond: int) -> str:
    return "" if digits == 0 else "." + f"{microsecond:06d}"[:digits]


def _date_time() -> st.SearchStrategy[str]:
    # Zod's .datetime() wants a `Z`; its v4 pattern also wants a four-digit year.
    return st.builds(
        lambda moment, digits: (
            f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
            + _fraction(digits, moment.microsecond)
            + "Z"
        ),
        st.datetimes(),
        st.sampled_from((0, 3, 6)),
    )


def _date() -> st.SearchStrategy[str]:
    return st.dates().map(dt.date.isoformat)


def _time() -> st.SearchStrategy[str]:
    return st.times().map(lambda moment: moment.strftime("%H:%M:%S"))


def _uri() -> st.SearchStrategy[str]:
    path = st.lists(st.text(alphabet=_LOWER_ALNUM, min_size=1, max_size=6), min_size=1, max_size=3)
    return st.builds(
        lambda scheme, host, segments: f"{scheme}://{host}/{'/'.join(segments)}",
        st.sampled_from(("https", "http")),
        _domain(),
        path,
    )


def _duration() -> st.SearchStrategy[str]:
    return st.builds(
        lambda days, hours, minutes: f"P{days}DT{hours}H{minutes}M",
        st.integers(0, 400),
        st.integers(0, 23),
        st.integers(0, 59),
    )


_BUILDERS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "email": _email,
    "idn-email": _email,
    "uuid": lambda: st.uuids(version=4).map(str),
    "date-time": _date_time,
    "date": _date,
    "time": _time,
    "uri": _uri,
    "url": _uri,
    "iri": _uri,
    "uri-reference": _uri,
    "iri-reference": _uri,
    "hostname": _domain,
    "idn-hostname": _domain,
    "ipv4": lambda: st.ip_addresses(v=4).map(str),
    "ipv6": lambda: st.ip_addresses(v=6).map(str),
    "duration": _duration,
    "regex": lambda: st.sampled_from(("^[a-z]+$", "[0-9]{2,4}", "^a|b$")),
    "json-pointer": lambda: st.lists(st.text(alphabet=_LOWER_ALNUM, max_size=4), max_size=3).map(
        lambda parts: "".join("/" + part for part in parts)
    ),
}

# Strings no validator in the chain accepts for the format; used for near misses.
NOT_A = {
    "email": "not-an-email",
    "idn-email": "not-an-email",
    "uuid": "not-a-uuid",
    "date-time": "2024-13-45T25:61:00Z",
    "date": "2024-13-45",
    "time": "25:61:00",
    "uri": "not a uri",
    "url": "not a uri",
    "iri": "not a uri",
    "hostname": "-bad-.host-",
    "idn-hostname": "-bad-.host-",
    "ipv4": "256.1.1.1",
    "ipv6": "1:2:3:::x",
    "duration": "P1X",
    "regex": "(unclosed",
    "json-pointer": "no-leading-slash",
}


@cache
def format_strategy(name: str) -> st.SearchStrategy[str] | None:
    builder = _BUILDERS.get(name)
    return builder() if builder else None
