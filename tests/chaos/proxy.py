"""A fault-injecting TCP proxy on loopback, put between an app and the real collector.

Modes (switchable at any time with :meth:`FaultProxy.set`):

- ``pass``: forward bytes both ways.
- ``down``: stop listening (connection refused); open connections are reset.
- ``blackhole``: accept and read, never forward and never answer.
- ``slow``: forward, delaying each request by ``delay_s`` before it reaches the collector.
- ``status``: answer every HTTP request itself with ``status`` (and ``Retry-After`` when given), without
  forwarding: 429 overload, 500/503 errors. HTTP/1.1 only (OTLP/HTTP); gRPC status faults are served by
  ``tests/export/grpc_faults.py``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

from harness.collector import free_port

__all__ = ["FaultProxy", "fault_proxy"]

_CHUNK = 65536


class FaultProxy:
    """Listen on a free loopback port and forward to ``upstream_port`` unless a fault is switched on."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = free_port()
        self.mode = "pass"
        self.delay_s = 0.0
        self.status = 503
        self.retry_after: int | None = None
        self.accepted = 0
        self.answered = 0
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)

    @property
    def endpoint(self) -> str:
        """The proxy's base URL, for OTEL_EXPORTER_OTLP_ENDPOINT."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        """Start listening."""
        self._listen()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close every connection."""
        self._stopping.set()
        self._close_listener()
        self._close_conns()
        self._thread.join(2)

    def set(
        self, mode: str, *, delay_s: float = 0.0, status: int = 503, retry_after: int | None = None
    ) -> None:
        """Switch to ``mode`` (see the module docstring)."""
        if mode not in ("pass", "down", "blackhole", "slow", "status"):
            raise ValueError(f"unknown fault mode {mode!r}")
        with self._lock:
            previous, self.mode = self.mode, mode
            self.delay_s, self.status, self.retry_after = delay_s, status, retry_after
        if mode == "down":
            self._close_listener()
            self._close_conns()
        elif previous == "down":
            self._listen()
        elif mode != previous:
            # Pooled connections would keep the old behaviour; the client reconnects and meets the new one.
            self._close_conns()

    # -- internals ---------------------------------------------------------------------------
    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 5
        while True:
            try:
                sock.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.listen(64)
        sock.settimeout(0.1)
        with self._lock:
            self._listener = sock

    def _close_listener(self) -> None:
        with self._lock:
            sock, self._listener = self._listener, None
        if sock is not None:
            sock.close()

    def _close_conns(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            self._track(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            while True:
                data = client.recv(_CHUNK)
                if not data:
                    return
                mode = self.mode
                if mode == "blackhole":
                    continue
                if mode == "status":
                    self._answer_status(client, data)
                    return
                if mode == "slow":
                    time.sleep(self.delay_s)
                if upstream is None:
                    upstream = socket.create_connection(self.upstream, timeout=10)
                    upstream.settimeout(None)
                    self._track(upstream)
                    threading.Thread(target=self._pump_back, args=(upstream, client), daemon=True).start()
                upstream.sendall(data)
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    def _pump_back(self, upstream: socket.socket, client: socket.socket) -> None:
        try:
            while True:
                data = upstream.recv(_CHUNK)
                if not data:
                    break
                if self.mode != "blackhole":
                    client.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)

    def _answer_status(self, client: socket.socket, first: bytes) -> None:
        """Read one whole HTTP request, answer it with the configured status, close the connection."""
        data = first
        while b"\r\n\r\n" not in data:
            more = client.recv(_CHUNK)
            if not more:
                return
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            more = client.recv(_CHUNK)
            if not more:
                return
            body += more
        extra = f"Retry-After: {self.retry_after}\r\n" if self.retry_after is not None else ""
        client.sendall(
            f"HTTP/1.1 {self.status} Fault\r\nContent-Length: 0\r\nConnection: close\r\n{extra}\r\n".encode()
        )
        self.answered += 1


@contextlib.contextmanager
def fault_proxy(upstream_port: int) -> Iterator[FaultProxy]:
    """Run a :class:`FaultProxy` in front of ``upstream_port`` for the duration of the block."""
    proxy = FaultProxy(upstream_port).start()
    try:
        yield proxy
    finally:
        proxy.stop()
