"""Keep credentials out of every message.

Code that learns a secret (a registry password or token) registers it here;
the CLI passes every line it prints through ``redact``, every ``ContractsError``
message is redacted when it is made, and ``install_log_filter`` does the same for
the HTTP library's log records, so a secret echoed by a server, a URL or an
exception never reaches a terminal, a CI log or a caller.

Besides registered secrets, URLs are scrubbed of what may be secret in them:
userinfo (``user:password@`` or a token alone, ``token@``) and the values of
query parameters (pre-signed storage URLs carry their signature there), except
the few the OCI distribution API uses for public data.
"""

from __future__ import annotations

import logging
import os
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
# Secrets shorter than this are not scrubbed: redacting "a" would mangle every message.
_MIN_SECRET_LENGTH = 4
_SECRET_ENV_VARS = (
    "TC_CONTRACTS_REGISTRY_PASSWORD",
    "TC_CONTRACTS_REGISTRY_TOKEN",
)
_URL_CHARS = r"[^\s'\"<>`]"
_USERINFO_RE = re.compile(
    rf"(?P<scheme>[a-z][a-z0-9+.-]*://)(?:(?![/?#@]){_URL_CHARS})+@", re.IGNORECASE
)
# A URL, or a request line as urllib3 logs it ("GET /path?query HTTP/1.1"), up to its query.
_QUERY_RE = re.compile(
    rf"(?P<head>(?:[a-z][a-z0-9+.-]*://|\b(?:GET|HEAD|PUT|POST|PATCH|DELETE) /)"
    rf"(?:(?![?#]){_URL_CHARS})*\?)(?P<query>(?:(?!#){_URL_CHARS})*)",
    re.IGNORECASE,
)
_QUERY_PARAM_RE = re.compile(r"(?P<name>[^&;=]*)=(?P<value>[^&;]*)")
# Query parameters of the distribution API and token services: never secret, useful to see.
_PUBLIC_QUERY_PARAMS = frozenset({"digest", "service", "scope", "n", "last", "mount", "from"})
_AUTH_HEADER_RE = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+"
)
_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "requests")

MASK = "***"


def register_secret(value: str | None) -> None:
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    for name in _SECRET_ENV_VARS:
        register_secret(os.environ.get(name))
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    text = _USERINFO_RE.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
    text = _QUERY_RE.sub(lambda m: m.group("head") + _redact_query(m.group("query")), text)
    return _AUTH_HEADER_RE.sub(lambda m: f"{m.group(1)}{m.group(2)} {MASK}", text)


def _redact_query(text: str) -> str:
    # Punctuation that ends the sentence around the URL ("…?sig=x: HTTP 404") is kept.
    query = text.rstrip(":,.;)]'")
    trailer = text[len(query) :]

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        if name.lower() in _PUBLIC_QUERY_PARAMS or not match.group("value"):
            return match.group(0)
        return f"{name}={MASK}"

    return _QUERY_PARAM_RE.sub(value, query) + trailer


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


_FILTER = _RedactingFilter()


def install_log_filter() -> None:
    """Redact the records of the HTTP libraries' loggers (they log request paths with queries)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
