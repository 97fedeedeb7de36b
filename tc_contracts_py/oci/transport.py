"""HTTP for registries and release assets: timeouts, bounded retries, auth, redaction.

Every request of this package goes through ``Transport``:

- connect and read timeouts on every request (``requests`` has none by default);
- bounded retries with short backoff on connection errors and 5xx, none on a connect
  timeout (it already waited), so a dead registry fails in about a second;
- auth: anonymous, basic, and the bearer-token challenge (GHCR, Docker Hub): the first
  401 names the scheme; basic is then sent pre-emptively, tokens are fetched per scope;
- credentials from ``TC_CONTRACTS_REGISTRY_USERNAME``/``_PASSWORD`` or ``_TOKEN``, else the
  Docker config (``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``: ``auths``,
  ``credHelpers``, ``credsStore``); every secret is registered for redaction at once.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters

from tc_contracts_py.errors import RegistryError
from tc_contracts_py.redaction import redact, register_secret
from tc_contracts_py.sources import SourceOptions

ENV_USERNAME = "TC_CONTRACTS_REGISTRY_USERNAME"
ENV_PASSWORD = "TC_CONTRACTS_REGISTRY_PASSWORD"  # noqa: S105 - a variable name, not a secret
ENV_TOKEN = "TC_CONTRACTS_REGISTRY_TOKEN"  # noqa: S105 - a variable name, not a secret
RETRY_BACKOFF_SECONDS = 0.25
_CREDENTIAL_HELPER_TIMEOUT = 10.0
_USER_AGENT = "tc-contracts-py"
# Docker Hub's credentials live under its v1 index URL whatever host serves the API.
_HOST_ALIASES = {
    "docker.io": ("index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"),
    "registry-1.docker.io": ("docker.io", "index.docker.io", "https://index.docker.io/v1/"),
    "index.docker.io": ("docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"),
    "localhost": ("127.0.0.1",),
    "127.0.0.1": ("localhost",),
}

_counter_lock = threading.Lock()
_requests_sent = 0


def requests_sent() -> int:
    """HTTP requests this process has sent through any ``Transport`` (retries included)."""
    with _counter_lock:
        return _requests_sent


def _count_request() -> None:
    global _requests_sent
    with _counter_lock:
        _requests_sent += 1


@dataclass(frozen=True)
class Credentials:
    """What to authenticate with. ``origin`` says where it came from, never what it is."""

    username: str | None = None
    password: str | None = None
    token: str | None = None
    origin: str = ""

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, origin={self.origin!r})"

    def basic_header(self) -> str | None:
        secret = self.password if self.password is not None else self.token
        if secret is None:
            return None
        # Token services (GHCR, Docker Hub) take a token as the password of any user name.
        user = self.username or ("token" if self.password is None else "")
        encoded = base64.b64encode(f"{user}:{secret}".encode()).decode()
        register_secret(encoded)
        return f"Basic {encoded}"


def _register(credentials: Credentials) -> Credentials:
    register_secret(credentials.password)
    register_secret(credentials.token)
    return credentials


def credentials_for(host: str, environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for ``host``: the environment first, then the Docker config."""
    env = os.environ if environ is None else environ
    token = env.get(ENV_TOKEN)
    if token:
        return _register(Credentials(username=env.get(ENV_USERNAME), token=token, origin=ENV_TOKEN))
    password = env.get(ENV_PASSWORD)
    if password is not None and env.get(ENV_USERNAME):
        return _register(
            Credentials(username=env[ENV_USERNAME], password=password, origin=ENV_PASSWORD)
        )
    return _from_docker_config(host, env)


def docker_config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    folder = env.get("DOCKER_CONFIG")
    if folder:
        return Path(folder) / "config.json"
    return Path.home() / ".docker" / "config.json"


def _normalize_server(key: str) -> str:
    """``https://host/v1/`` and ``host`` name the same server in a Docker config."""
    if "://" in key:
        key = urlsplit(key).netloc or key
    return key.split("/", 1)[0].lower()


def _from_docker_config(host: str, env: Mapping[str, str]) -> Credentials | None:
    path = docker_config_path(env)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        # The file may hold secrets: name it, never quote it.
        raise RegistryError(f"{path}: unreadable Docker config ({type(exc).__name__})") from None
    if not isinstance(config, dict):
        return None
    names = (host.lower(), *_HOST_ALIASES.get(host.lower(), ()))
    wanted = {_normalize_server(name) for name in names}

    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key, helper in helpers.items():
            if _normalize_server(key) in wanted and isinstance(helper, str):
                return _run_credential_helper(helper, key, path)
    auths = config.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if _normalize_server(key) in wanted and isinstance(entry, dict):
                found = _from_auth_entry(entry, path, key)
                if found is not None:
                    return found
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        for name in names:
            found = _run_credential_helper(store, name, path, missing_ok=True)
            if found is not None:
                return found
    return None


def _from_auth_entry(entry: Mapping[str, Any], path: Path, key: str) -> Credentials | None:
    origin = f"{path} auths[{key!r}]"
    registry_token = entry.get("registrytoken")
    if isinstance(registry_token, str) and registry_token:
        return _register(Credentials(token=registry_token, origin=origin))
    identity = entry.get("identitytoken")
    username = entry.get("username")
    password = entry.get("password")
    encoded = entry.get("auth")
    if isinstance(encoded, str) and encoded:
        register_secret(encoded)
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise RegistryError(f"{origin}: 'auth' is not base64 of user:password") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise RegistryError(f"{origin}: 'auth' is not base64 of user:password")
    if isinstance(identity, str) and identity:
        return _register(
            Credentials(
                username=username if isinstance(username, str) else None,
                token=identity,
                origin=origin,
            )
        )
    if isinstance(username, str) and isinstance(password, str):
        return _register(Credentials(username=username, password=password, origin=origin))
    return None


def _run_credential_helper(
    helper: str, server: str, config_path: Path, *, missing_ok: bool = False
) -> Credentials | None:
    if not re.fullmatch(r"[A-Za-z0-9._-]+", helper):
        raise RegistryError(f"{config_path}: credential helper name {helper!r} is not allowed")
    program = f"docker-credential-{helper}"
    try:
        result = subprocess.run(
            [program, "get"],
            input=server.encode(),
            capture_output=True,
            timeout=_CREDENTIAL_HELPER_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        if missing_ok:
            return None
        raise RegistryError(
            f"{config_path}: credential helper {program} is not installed"
        ) from None
    except subprocess.TimeoutExpired:
        raise RegistryError(
            f"{program} get: no answer within {_CREDENTIAL_HELPER_TIMEOUT:.0f} s"
        ) from None
    if result.returncode != 0:
        # The helper's output may echo secrets; report only that it found nothing.
        if missing_ok or b"not found" in result.stdout.lower() + result.stderr.lower():
            return None
        raise RegistryError(f"{program} get failed for {server} (exit {result.returncode})")
    try:
        answer = json.loads(result.stdout)
        username = answer.get("Username")
        secret = answer.get("Secret")
    except (json.JSONDecodeError, AttributeError):
        raise RegistryError(f"{program} get: answer is not JSON with Username/Secret") from None
    if not isinstance(secret, str) or not secret:
        return None
    origin = f"{program} ({server})"
    if username == "<token>":
        return _register(Credentials(token=secret, origin=origin))
    return _register(
        Credentials(
            username=username if isinstance(username, str) else "", password=secret, origin=origin
        )
    )


_CHALLENGE_PARAM_RE = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``('bearer', {'realm': …, 'service': …, 'scope': …})`` from a ``WWW-Authenticate`` value."""
    scheme, _, rest = header.strip().partition(" ")
    params = {
        match.group(1).lower(): match.group(2) if match.group(2) is not None else match.group(3)
        for match in _CHALLENGE_PARAM_RE.finditer(rest)
    }
    return scheme.lower(), params


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if match:
        return match.group(1).strip()
    for marker in ("Connection refused", "Name or service not known", "timed out", "reset"):
        if marker.lower() in text.lower():
            return marker
    return type(exc).__name__


class Transport:
    """One ``requests`` session with the package's timeouts, retries and auth."""

    def __init__(self, options: SourceOptions, credentials: Credentials | None = None) -> None:
        self.options = options
        self.timeout = (options.connect_timeout, options.read_timeout)
        self.session = requests.Session()
        # Retries are ours (bounded, with backoff); urllib3's would multiply them.
        adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=8)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = _USER_AGENT
        if options.ca_file is not None:
            self.session.verify = str(options.ca_file)
        self._explicit_credentials = credentials
        self._credentials: dict[str, Credentials | None] = {}
        self._authorization: dict[str, str] = {}
        self._tokens: dict[tuple[str, str, str], str] = {}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def credentials(self, host: str) -> Credentials | None:
        if self._explicit_credentials is not None:
            return self._explicit_credentials
        if host not in self._credentials:
            self._credentials[host] = credentials_for(host)
        return self._credentials[host]

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        stream: bool = False,
        authenticate: bool = True,
    ) -> requests.Response:
        """Send with retries; answer one auth challenge. The caller checks the status."""
        host = urlsplit(url).netloc
        sent_headers = dict(headers or {})
        if authenticate and host in self._authorization:
            sent_headers["Authorization"] = self._authorization[host]
        response = self._send(method, url, sent_headers, data, stream)
        if response.status_code == 401 and authenticate:
            authorization = self._answer_challenge(host, response)
            if authorization is not None:
                response.close()
                self._authorization[host] = authorization
                sent_headers["Authorization"] = authorization
                response = self._send(method, url, sent_headers, data, stream)
        return response

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None,
        stream: bool,
    ) -> requests.Response:
        host = urlsplit(url).netloc
        attempt = 0
        while True:
            _count_request()
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=headers,
                    data=data,
                    stream=stream,
                    timeout=self.timeout,
                    allow_redirects=True,
                )
            except requests.exceptions.SSLError as exc:
                raise RegistryError(
                    f"{host}: TLS verification failed ({_short_reason(exc)}); "
                    "pass --ca-file or set REQUESTS_CA_BUNDLE, or --insecure for a plain-http registry"
                ) from None
            except requests.exceptions.ConnectTimeout:
                raise RegistryError(
                    f"{host}: no connection within {self.timeout[0]:g} s (registry down or unreachable)"
                ) from None
            except requests.exceptions.ConnectionError as exc:
                if attempt < self.options.retries:
                    attempt += 1
                    time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
                    continue
                raise RegistryError(
                    f"{host}: cannot connect ({_short_reason(exc)}) after {attempt + 1} attempts"
                ) from None
            except requests.exceptions.Timeout:
                raise RegistryError(f"{host}: no answer within {self.timeout[1]:g} s") from None
            except requests.exceptions.RequestException as exc:
                raise RegistryError(f"{host}: request failed ({redact(str(exc))[:200]})") from None
            retryable = response.status_code >= 500 and response.status_code != 501
            if retryable and attempt < self.options.retries:
                response.close()
                attempt += 1
                time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
                continue
            return response

    def _answer_challenge(self, host: str, response: requests.Response) -> str | None:
        header = response.headers.get("WWW-Authenticate", "")
        scheme, params = parse_challenge(header)
        credentials = self.credentials(host)
        if scheme == "basic":
            return credentials.basic_header() if credentials else None
        if scheme == "bearer":
            return self._bearer_token(host, params, credentials)
        return None

    def _bearer_token(
        self, host: str, params: Mapping[str, str], credentials: Credentials | None
    ) -> str | None:
        realm = params.get("realm", "")
        if urlsplit(realm).scheme not in ("https", "http"):
            raise RegistryError(f"{host}: bearer challenge without a usable realm URL")
        service = params.get("service", "")
        scope = params.get("scope", "")
        key = (realm, service, scope)
        if key in self._tokens:
            return f"Bearer {self._tokens[key]}"
        query: dict[str, str] = {}
        if service:
            query["service"] = service
        if scope:
            query["scope"] = scope
        headers: dict[str, str] = {}
        if credentials is not None:
            basic = credentials.basic_header()
            if basic:
                headers["Authorization"] = basic
        request = requests.Request("GET", realm, params=query).prepare()
        assert request.url is not None
        answer = self._send("GET", request.url, headers, None, False)
        if answer.status_code in (401, 403):
            if credentials is not None and credentials.token:
                # Not exchangeable: it may already be a registry token; present it as one.
                return f"Bearer {credentials.token}"
            raise RegistryError(
                f"{host}: the token service refused the credentials"
                f"{' from ' + credentials.origin if credentials else ' (anonymous)'} "
                f"(HTTP {answer.status_code})"
            )
        if answer.status_code != 200:
            raise RegistryError(f"{host}: token service answered HTTP {answer.status_code}")
        try:
            body = answer.json()
        except ValueError:
            raise RegistryError(f"{host}: token service answer is not JSON") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{host}: token service answer has no token")
        register_secret(token)
        self._tokens[key] = token
        return f"Bearer {token}"


def registry_error_detail(response: requests.Response) -> str:
    """The registry's own error code and message, if it sent the standard JSON body."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return ""
    code = str(errors[0].get("code", ""))
    message = str(errors[0].get("message", ""))
    return redact(f"{code}: {message}".strip(": "))[:200]


def status_error(
    response: requests.Response, what: str, credentials: Credentials | None
) -> RegistryError:
    """A ``RegistryError`` for an unexpected status, without any secret in it."""
    status = response.status_code
    detail = registry_error_detail(response)
    suffix = f" ({detail})" if detail else ""
    if status == 401:
        if credentials is None:
            return RegistryError(
                f"{what}: authentication required (HTTP 401); set {ENV_USERNAME}/{ENV_PASSWORD} "
                f"or {ENV_TOKEN}, or log in with docker"
            )
        return RegistryError(
            f"{what}: authentication failed with credentials from {credentials.origin} (HTTP 401)"
        )
    if status == 403:
        return RegistryError(f"{what}: access denied (HTTP 403){suffix}")
    if status == 404:
        return RegistryError(f"{what}: not found (HTTP 404){suffix}")
    return RegistryError(f"{what}: HTTP {status}{suffix}")
