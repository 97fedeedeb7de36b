"""Keep credentials out of every message.

Code that learns a secret (a registry password or token) registers it here;
the CLI passes every line it prints through ``redact``, so a secret echoed by
a server, a URL or an exception never reaches a terminal or a CI log.
"""

from __future__ import annotations

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
_USERINFO_RE = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]+@", re.IGNORECASE)
_AUTH_HEADER_RE = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+"
)

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
    return _AUTH_HEADER_RE.sub(lambda m: f"{m.group(1)}{m.group(2)} {MASK}", text)
