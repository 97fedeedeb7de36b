"""HTTP for registries and release assets: timeouts, bounded retries, auth, redaction.

Every request of this package goes through ``Transport``:

- connect and read timeouts on every request (``requests`` has none by default);
- bounded retries with short backoff on connection errors and 5xx, none on a connect
  timeout (it already waited), so a dead registry fails in about a second;
- auth: anonymous, basic, and the bearer-token challenge (GHCR, Docker Hub): the first
  401 names the scheme; basic is then sent pre-emptively, tokens are fetched per scope;
- credentials from ``TC_CONTRACTS_REGISTRY_USERNAME``/``_PASSWORD`` or ``_TOKEN``, else the
  Docker config (``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``: ``auths``,
  ``credHelpers``, ``credsStore``); every secret is registered for redaction at once;
- scoping: a credential belongs to one registry host and is sent only to it and to the token
  realm that host's own challenge names; redirects are followed here, and a redirect to
  another host (or from https to http) carries no credential and gets no challenge answered;
- one deadline per exchange (``deadline.Exchange``) covering connect, headers and body.
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
from urllib.parse import urljoin, urlsplit

import requests

from tc_contracts_py.errors import IntegrityError, RegistryError
from tc_contracts_py.oci.deadline import (
    MIN_THROUGHPUT_BYTES_PER_SECOND,
    Exchange,
    WatchedAdapter,
    exchange_of,
)
from tc_contracts_py.redaction import install_log_filter, redact, register_secret
from tc_contracts_py.source_spec import SourceOptions

ENV_USERNAME = "TC_CONTRACTS_REGISTRY_USERNAME"
ENV_PASSWORD = "TC_CONTRACTS_REGISTRY_PASSWORD"  # noqa: S105 - a variable name, not a secret
ENV_TOKEN = "TC_CONTRACTS_REGISTRY_TOKEN"  # noqa: S105 - a variable name, not a secret
# The one registry host the three variables above belong to (see docs/oci.md).
ENV_HOST = "TC_CONTRACTS_REGISTRY_HOST"
# A token answer is a small JSON document; anything larger is refused unread.
MAX_TOKEN_RESPONSE_BYTES = 256 * 1024
_MAX_REDIRECTS = 5
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


def credentials_for(
    host: str, environ: Mapping[str, str] | None = None, *, command_line_host: str | None = None
) -> Credentials | None:
    """Credentials that belong to ``host``: the environment's, then the Docker config's.

    The ``TC_CONTRACTS_REGISTRY_*`` variables belong to ``TC_CONTRACTS_REGISTRY_HOST``, else to
    ``command_line_host`` (the registry a ``push``/``pull`` command line names), never to a
    host read from a config file a pull request could edit.
    """
    env = os.environ if environ is None else environ
    if same_registry(host, env_credentials_host(env, command_line_host)):
        found = _from_environment(env)
        if found is not None:
            return found
    return _from_docker_config(host, env)


def env_credentials_host(
    environ: Mapping[str, str], command_line_host: str | None = None
) -> str | None:
    """The registry host the ``TC_CONTRACTS_REGISTRY_*`` credentials belong to, if any."""
    explicit = environ.get(ENV_HOST, "").strip()
    return explicit or command_line_host


def same_registry(host: str, other: str | None) -> bool:
    """``host`` and ``other`` name one registry (``docker.io`` and its API hosts do)."""
    if not other:
        return False
    names = (host.lower(), *_HOST_ALIASES.get(host.lower(), ()))
    return _normalize_server(other) in {_normalize_server(name) for name in names}


def _from_environment(env: Mapping[str, str]) -> Credentials | None:
    token = env.get(ENV_TOKEN)
    if token:
        return _register(Credentials(username=env.get(ENV_USERNAME), token=token, origin=ENV_TOKEN))
    # An empty password is "not set" (a CI secret that did not resolve), never "alice:".
    password = env.get(ENV_PASSWORD)
    username = env.get(ENV_USERNAME)
    if password and username:
        return _register(Credentials(username=username, password=password, origin=ENV_PASSWORD))
    return None


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


class DownloadInterrupted(RegistryError):
    """The body broke off or came up short: worth one more try, unlike a digest mismatch."""


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def same_origin(url: str, other: str) -> bool:
    first, second = urlsplit(url), urlsplit(other)
    return (first.scheme, first.netloc.lower()) == (second.scheme, second.netloc.lower())


def _without_authorization(headers: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key.lower() != "authorization"}


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An auth hook that adds nothing: with no auth given, requests would add ``~/.netrc``'s."""
    return request


class Transport:
    """One ``requests`` session with the package's timeouts, deadlines, retries and auth."""

    def __init__(self, options: SourceOptions) -> None:
        install_log_filter()  # urllib3 logs request paths, pre-signed queries included
        self.options = options
        self.timeout = (options.connect_timeout, options.read_timeout)
        self.session = requests.Session()
        # Retries are ours (bounded, with backoff); urllib3's would multiply them.
        adapter = WatchedAdapter(max_retries=0, pool_connections=4, pool_maxsize=8)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = _USER_AGENT
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
        # a session-level verify, and --ca-file must win over the environment.
        self._verify: str | bool = str(options.ca_file) if options.ca_file is not None else True
        self._credentials: dict[str, Credentials | None] = {}
        self._authorization: dict[str, str] = {}
        self._tokens: dict[tuple[str, str, str], str] = {}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def grace_seconds(self) -> float:
        """What an exchange may take besides moving its body: connect, then the answer."""
        return self.timeout[0] + self.timeout[1]

    def credentials(self, host: str) -> Credentials | None:
        """The credentials that belong to ``host`` (see ``credentials_for``)."""
        host = host.lower()
        if host not in self._credentials:
            self._credentials[host] = credentials_for(
                host, command_line_host=self.options.command_line_host
            )
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
        body_bytes: int | None = None,
    ) -> requests.Response:
        """Send with retries and redirects; answer one auth challenge. The caller checks the status.

        Credentials go to ``url``'s host only: a redirect elsewhere carries none, and a
        challenge from elsewhere is not answered. The deadline allows a streamed body its
        ``Content-Length``, at most ``body_bytes`` (default: the size cap).
        """
        host = _host(url)
        sent_headers = dict(headers or {})
        if authenticate and host in self._authorization:
            sent_headers["Authorization"] = self._authorization[host]
        response = self._follow(method, url, sent_headers, data, stream, body_bytes)
        if response.status_code == 401 and authenticate and same_origin(response.url, url):
            authorization = self._answer_challenge(host, url, response)
            if authorization is not None:
                response.close()
                self._authorization[host] = authorization
                sent_headers["Authorization"] = authorization
                response = self._follow(method, url, sent_headers, data, stream, body_bytes)
        return response

    def _follow(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        data: bytes | None,
        stream: bool,
        body_bytes: int | None,
    ) -> requests.Response:
        """Follow redirects of GET and HEAD; the ``Authorization`` stays with its own origin."""
        current, sent = url, dict(headers)
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._send(method, current, sent, data, stream, body_bytes)
            location = response.headers.get("Location")
            if not (response.is_redirect and location and method in ("GET", "HEAD")):
                return response
            response.close()
            target = urljoin(current, location)
            if not same_origin(target, url):
                sent = _without_authorization(sent)
            current = target
        raise RegistryError(f"{_host(url)}: more than {_MAX_REDIRECTS} redirects")

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None,
        stream: bool,
        body_bytes: int | None = None,
    ) -> requests.Response:
        host = _host(url)
        attempt = 0
        while True:
            _count_request()
            upload_seconds = len(data or b"") / MIN_THROUGHPUT_BYTES_PER_SECOND
            exchange = Exchange(self.grace_seconds + upload_seconds)
            try:
                with exchange.active():
                    response = self.session.request(
                        method,
                        url,
                        headers=headers,
                        data=data,
                        stream=stream,
                        timeout=self.timeout,
                        allow_redirects=False,
                        verify=self._verify,
                        auth=_no_netrc,
                    )
            except requests.exceptions.RequestException as exc:
                exchange.close()
                if exchange.expired:
                    raise too_slow(host, exchange) from None
                if _retryable(exc) and attempt < self.options.retries:
                    attempt += 1
                    time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
                    continue
                raise self._request_error(host, exc, attempt) from None
            retryable = response.status_code >= 500 and response.status_code != 501
            if retryable and attempt < self.options.retries:
                exchange.close()
                response.close()
                attempt += 1
                time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
                continue
            if not stream:
                exchange.close()
                return response
            exchange.allow_body(self._body_allowance(response, body_bytes))
            exchange.attach(response)
            return response

    def _body_allowance(self, response: requests.Response, body_bytes: int | None) -> int:
        """The declared ``Content-Length``, at most ``body_bytes`` (else the size cap)."""
        cap = self.options.max_unpacked_bytes if body_bytes is None else body_bytes
        declared = response.headers.get("Content-Length", "")
        return min(int(declared), cap) if declared.isdigit() else cap

    def _request_error(
        self, host: str, exc: requests.exceptions.RequestException, attempt: int
    ) -> RegistryError:
        if isinstance(exc, requests.exceptions.SSLError):
            return RegistryError(
                f"{host}: TLS verification failed ({_short_reason(exc)}); "
                "trust its CA with ca-file in [tool.tc-contracts] or TC_CONTRACTS_CA_FILE "
                "(or REQUESTS_CA_BUNDLE); for a plain-http registry set insecure = true in "
                "[tool.tc-contracts] or TC_CONTRACTS_INSECURE=1"
            )
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return RegistryError(
                f"{host}: no connection within {self.timeout[0]:g} s (registry down or unreachable)"
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            return RegistryError(
                f"{host}: cannot connect ({_short_reason(exc)}) after {attempt + 1} attempts"
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return RegistryError(f"{host}: no answer within {self.timeout[1]:g} s")
        return RegistryError(f"{host}: request failed ({redact(str(exc))[:200]})")

    def _answer_challenge(self, host: str, url: str, response: requests.Response) -> str | None:
        header = response.headers.get("WWW-Authenticate", "")
        scheme, params = parse_challenge(header)
        credentials = self.credentials(host)
        if scheme == "basic":
            return credentials.basic_header() if credentials else None
        if scheme == "bearer":
            return self._bearer_token(host, url, params, credentials)
        return None

    def _bearer_token(
        self, host: str, url: str, params: Mapping[str, str], credentials: Credentials | None
    ) -> str | None:
        realm = params.get("realm", "")
        realm_scheme = urlsplit(realm).scheme
        if realm_scheme not in ("https", "http"):
            raise RegistryError(f"{host}: bearer challenge without a usable realm URL")
        if credentials is not None and realm_scheme == "http" and urlsplit(url).scheme == "https":
            raise RegistryError(
                f"{host}: its token realm {_host(realm)} is plain http; the credentials from "
                f"{credentials.origin} are not sent in cleartext"
            )
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
        answer = self._follow("GET", request.url, headers, None, True, MAX_TOKEN_RESPONSE_BYTES)
        try:
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
            text = read_body(
                answer, MAX_TOKEN_RESPONSE_BYTES, f"{host}: token service answer", self
            )
        finally:
            answer.close()
        token = _token_from(text, host)
        register_secret(token)
        self._tokens[key] = token
        return f"Bearer {token}"


def _token_from(text: bytes, host: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        raise RegistryError(f"{host}: token service answer is not JSON") from None
    token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise RegistryError(f"{host}: token service answer has no token")
    return token


def _retryable(exc: requests.exceptions.RequestException) -> bool:
    """Refused or reset connections; not TLS failures, and not a connect timeout (it waited)."""
    return isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
        exc, requests.exceptions.SSLError | requests.exceptions.ConnectTimeout
    )


def too_slow(what: str, exchange: Exchange) -> RegistryError:
    return RegistryError(
        f"{what}: too slow, not received within the {exchange.seconds:g} s deadline"
    )


def interruption(
    exc: requests.exceptions.RequestException, what: str, transport: Transport
) -> DownloadInterrupted:
    if "timed out" in str(exc).lower():
        return DownloadInterrupted(
            f"{what}: no data within {transport.timeout[1]:g} s (read timeout)"
        )
    return DownloadInterrupted(f"{what}: download interrupted ({type(exc).__name__})")


def read_body(response: requests.Response, limit: int, what: str, transport: Transport) -> bytes:
    """A small streamed body, read whole: at most ``limit`` bytes, within its deadline."""
    exchange = exchange_of(response)
    body = bytearray()
    try:
        for chunk in response.iter_content(64 * 1024):
            body.extend(chunk)
            if len(body) > limit:
                raise IntegrityError(f"{what}: larger than {limit} bytes; refused")
    except requests.exceptions.RequestException as exc:
        if exchange is not None and exchange.expired:
            raise too_slow(what, exchange) from None
        raise interruption(exc, what, transport) from None
    if exchange is not None and exchange.expired:
        raise too_slow(what, exchange)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and len(body) < int(declared):
        raise DownloadInterrupted(
            f"{what}: body ended early (expected {declared} bytes, got {len(body)})"
        )
    return bytes(body)


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
