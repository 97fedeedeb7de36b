"""One deadline per HTTP exchange, covering connect, response headers and body together.

Per-read timeouts never fire on a server that drips one byte at a time, so each exchange
also gets an overall deadline: the connect timeout plus the read timeout, plus the time its
body takes at a floor throughput. When it passes, the exchange's socket is shut down from a
timer thread; that unblocks a read stuck anywhere (headers, token body, blob body) and the
reader sees the connection end while ``Exchange.expired`` says why.

The socket is learnt through connection classes that report to the exchange active in the
calling thread, so this works for every request ``requests`` sends through ``WatchedAdapter``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MIN_THROUGHPUT_BYTES_PER_SECOND = 64 * 1024
_RESPONSE_ATTRIBUTE = "_tc_exchange"
_current = threading.local()


class Exchange:
    """The deadline of one request; ``close`` it when its response is done."""

    def __init__(self, grace_seconds: float) -> None:
        self._started = time.monotonic()
        self._grace = grace_seconds
        self.seconds = grace_seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        self._arm()

    def allow_body(self, body_bytes: int) -> None:
        """Extend the deadline by the time ``body_bytes`` take at the floor throughput."""
        with self._lock:
            if self.expired or self._timer is None:
                return
            self._timer.cancel()
            self.seconds = self._grace + body_bytes / MIN_THROUGHPUT_BYTES_PER_SECOND
            self._arm()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._sockets.clear()

    @contextlib.contextmanager
    def active(self) -> Iterator[Exchange]:
        """Connections opened or reused in this thread meanwhile belong to this exchange."""
        previous = getattr(_current, "exchange", None)
        _current.exchange = self
        try:
            yield self
        finally:
            _current.exchange = previous

    def attach(self, response: requests.Response) -> None:
        """Keep the deadline running while the caller streams the body; closing ends it."""
        setattr(response, _RESPONSE_ATTRIBUTE, self)
        original_close = response.close

        def close() -> None:
            self.close()
            original_close()

        response.close = close  # type: ignore[method-assign]

    def _arm(self) -> None:
        delay = max(0.0, self._started + self.seconds - time.monotonic())
        self._timer = threading.Timer(delay, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def exchange_of(response: requests.Response) -> Exchange | None:
    found = getattr(response, _RESPONSE_ATTRIBUTE, None)
    return found if isinstance(found, Exchange) else None


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it unblocks a reader in another
    # thread without touching the TLS object that reader is using.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _report(sock: socket.socket | None) -> None:
    exchange = getattr(_current, "exchange", None)
    if isinstance(exchange, Exchange):
        exchange.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _report(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self.sock)  # a kept-alive connection: connect() is not called again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _report(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _WatchedHTTPPool,
    "https": _WatchedHTTPSPool,
}


class WatchedAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose connections report their sockets to the active ``Exchange``."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager
