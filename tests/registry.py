"""A throwaway local OCI registry for the tests and benchmarks (test tooling, not shipped) (Debian's ``docker-registry``).

Distribution 2.8 is one static binary: no Docker engine. It binds ``127.0.0.1:0`` (the
kernel picks the port, read back from its log, so there is no free-port race), keeps its
data in a temp folder and stops on SIGTERM. Optionally TLS with a fresh self-signed
certificate and htpasswd (bcrypt) basic auth.
"""

from __future__ import annotations

import re
import secrets
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tc_contracts_py.errors import OperationalError

REGISTRY_BINARY = "docker-registry"
_READY_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class TokenAuth:
    """Where the registry sends clients for bearer tokens, and whose signatures it trusts."""

    realm: str
    service: str
    issuer: str
    root_certificate: Path


@dataclass
class LocalRegistry:
    host: str  # "127.0.0.1:PORT"
    url: str  # "http(s)://127.0.0.1:PORT"
    root: Path  # the folder the registry was started in
    process: subprocess.Popen[bytes]
    log: IO[str]
    ca_file: Path | None = None
    username: str | None = None
    password: str | None = None

    @property
    def storage(self) -> Path:
        return self.root / "data" / "docker" / "registry" / "v2"

    def blob_data_path(self, digest: str) -> Path:
        hex_digest = digest.removeprefix("sha256:")
        return self.storage / "blobs" / "sha256" / hex_digest[:2] / hex_digest / "data"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # 2.8 has no graceful drain: exits at once with -15
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()

    def log_text(self) -> str:
        return (self.root / "registry.log").read_text(encoding="utf-8", errors="replace")


def registry_binary() -> str | None:
    return shutil.which(REGISTRY_BINARY)


def _write_self_signed(root: Path) -> Path:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
            "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return root / "cert.pem"


def _config_lines(
    root: Path, ca_file: Path | None, htpasswd: Path | None, token_auth: TokenAuth | None
) -> list[str]:
    lines = [
        "version: 0.1",
        "log:", "  level: info", "  accesslog:", "    disabled: true",
        "storage:", "  filesystem:", f"    rootdirectory: {root / 'data'}",
        "  delete:", "    enabled: true",
        "  maintenance:", "    uploadpurging:", "      enabled: false",
        "http:", "  addr: 127.0.0.1:0", "  secret: test-only-secret",
    ]  # fmt: skip
    if ca_file is not None:
        lines += ["  tls:", f"    certificate: {ca_file}", f"    key: {root / 'key.pem'}"]
    if htpasswd is not None:
        lines += ["auth:", "  htpasswd:", "    realm: test-realm", f"    path: {htpasswd}"]
    elif token_auth is not None:
        lines += [
            "auth:", "  token:", f"    realm: {token_auth.realm}",
            f"    service: {token_auth.service}", f"    issuer: {token_auth.issuer}",
            f"    rootcertbundle: {token_auth.root_certificate}",
        ]  # fmt: skip
    return lines


def _write_htpasswd(root: Path, username: str, password: str) -> Path:
    import bcrypt

    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()
    path = root / "htpasswd"
    path.write_text(f"{username}:{hashed}\n", encoding="utf-8")
    return path


def _serves(url: str, context: ssl.SSLContext | None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1, context=context):  # noqa: S310 - local URL
            return True
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code == 401  # htpasswd on: a 401 already means it serves
    except OSError:
        return False


def _wait_until_ready(
    process: subprocess.Popen[bytes], log: IO[str], scheme: str, context: ssl.SSLContext | None
) -> int:
    """The port the registry picked, once it answers; stops it and raises otherwise."""
    port: int | None = None
    deadline = time.monotonic() + _READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            text = log.read()
            log.close()
            raise OperationalError(
                f"docker-registry exited with {process.returncode}: {text[-2000:]}"
            )
        if port is None:
            log.seek(0)
            match = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read())
            port = int(match.group(1)) if match else None
        if port is not None and _serves(f"{scheme}://127.0.0.1:{port}/v2/", context):
            return port
        time.sleep(0.01)
    process.kill()
    process.wait()
    log.close()
    raise OperationalError("docker-registry did not become ready")


def start_registry(
    root: Path,
    *,
    tls: bool = False,
    auth: bool = False,
    username: str = "tcuser",
    password: str | None = None,
    token_auth: TokenAuth | None = None,
) -> LocalRegistry:
    """Start a registry storing under ``root``; ready when this returns. Call ``stop()``.

    ``auth`` turns on htpasswd basic auth; ``token_auth`` the bearer-token flow against a
    token service the caller runs (``auth`` and ``token_auth`` exclude each other).
    """
    binary = registry_binary()
    if binary is None:
        raise OperationalError(
            "docker-registry is not installed (apt-get install -y docker-registry)"
        )
    root.mkdir(parents=True, exist_ok=True)
    ca_file = _write_self_signed(root) if tls else None
    if auth:
        password = password or secrets.token_urlsafe(18)
    htpasswd = _write_htpasswd(root, username, password) if auth and password else None
    lines = _config_lines(root, ca_file, htpasswd, token_auth)
    (root / "config.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    log = (root / "registry.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [binary, "serve", str(root / "config.yml")],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    scheme = "https" if tls else "http"
    context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None
    port = _wait_until_ready(process, log, scheme, context)
    return LocalRegistry(
        host=f"127.0.0.1:{port}",
        url=f"{scheme}://127.0.0.1:{port}",
        root=root,
        process=process,
        log=log,
        ca_file=ca_file,
        username=username if auth else None,
        password=password if auth else None,
    )
