"""The management HTTP server: stdlib ``http.server`` on a daemon thread, no framework, no tracing."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from otelward._ratelimit import log_once
from otelward._threads import TelemetryThread
from otelward.management._auth import Access, decide
from otelward.management._health import CONTENT_TYPE, http_status

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["ManagementServer", "Routes"]

_log = logging.getLogger("otelward.management")


class Routes:
    """What the server answers; each callable is cheap (cached results, in-memory snapshots).

    Args:
        metrics: ``(accept_header) -> (body, content_type)`` for /metrics.
        health: ``(probe, details) -> document`` for ``/health``, ``/health/live``, ``/health/ready``.
    """

    def __init__(
        self,
        host: str,
        token: str | None,
        metrics: Callable[[str], tuple[bytes, str]],
        health: Callable[[str, bool], dict[str, Any]],
    ) -> None:
        self.host = host
        self.token = token
        self.metrics = metrics
        self.health = health


_PROBES = {"/health": "health", "/health/live": "live", "/health/ready": "ready"}
_ALLOW = "GET, HEAD"


def _handler(routes: Routes) -> type[BaseHTTPRequestHandler]:
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        server_version = "otelward"
        sys_version = ""
        head = False

        def _path(self) -> str:
            return self.path.split("?", 1)[0].rstrip("/") or "/"

        def do_HEAD(self) -> None:
            """Answer like GET, headers (Content-Length included) without the body (RFC 9110 9.3.2)."""
            self.head = True
            self.do_GET()

        def _not_allowed(self) -> None:
            path = self._path()
            if path != "/metrics" and path not in _PROBES:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
                return
            self.send_response(405)
            self.send_header("Allow", _ALLOW)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815 - http.server's dispatch names
        do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed  # noqa: N815

        def do_GET(self) -> None:
            path = self._path()
            try:
                if path == "/metrics":
                    self._metrics()
                elif path in _PROBES:
                    self._health(_PROBES[path])
                else:
                    self._send(404, b"not found\n", "text/plain; charset=utf-8")
            except Exception:  # noqa: BLE001 - one bad request must not take the server down
                log_once(_log, "mgmt-request", "otelward: management request failed", exc_info=True)
                self._send(500, b"internal error\n", "text/plain; charset=utf-8")

        def _access(self) -> Access:
            return decide(routes.host, routes.token, self.headers.get("Authorization"))

        def _metrics(self) -> None:
            access = self._access()
            if access is Access.NO_TOKEN:
                self._send(
                    403, b"set OTELWARD_MANAGEMENT_TOKEN to expose /metrics beyond loopback\n", "text/plain"
                )
                return
            if access is Access.DENIED:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Bearer realm="otelward"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, ctype = routes.metrics(self.headers.get("Accept", ""))
            self._send(200, body, ctype, compress=True)

        def _health(self, probe: str) -> None:
            details = self._access() is Access.GRANTED
            doc = routes.health(probe, details)
            body = json.dumps(doc, separators=(",", ":")).encode("utf-8")
            self._send(http_status(doc["status"]), body, CONTENT_TYPE)

        def _send(self, status: int, body: bytes, ctype: str, compress: bool = False) -> None:
            if compress and "gzip" in self.headers.get("Accept-Encoding", ""):
                import gzip  # on the first compressed scrape, not in every process at start-up

                body = gzip.compress(body, compresslevel=5)
                self.send_response(status)
                self.send_header("Content-Encoding", "gzip")
            else:
                self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not self.head:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Probes every few seconds must not flood the app's logs."""

    return Handler


class ManagementServer:
    """A bound, listening socket; :meth:`start` builds the HTTP server on a daemon thread and serves.

    ``http.server`` (and the http.client, e-mail and ssl modules it imports) loads on that thread rather
    than at start-up, where every process would wait ~10 ms for it; a probe arriving meanwhile waits in the
    listen backlog. The port is bound here, so a port already in use is reported at start-up.
    """

    def __init__(self, host: str, port: int, routes: Routes) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=64)
        self.port = int(self.socket.getsockname()[1])
        self.httpd: ThreadingHTTPServer | None = None
        self._host = host
        self._routes = routes
        self._built = threading.Event()
        self.thread = TelemetryThread(self._serve, name="otelward-management")

    def _serve(self) -> None:
        try:
            from http.server import ThreadingHTTPServer

            httpd = ThreadingHTTPServer(
                (self._host, self.port), _handler(self._routes), bind_and_activate=False
            )
            httpd.socket.close()  # the unbound one it made: serve ours
            httpd.socket = self.socket
            httpd.server_name, httpd.server_port = self._host, self.port
            httpd.daemon_threads = True
            self.httpd = httpd
        finally:
            self._built.set()
        httpd.serve_forever(poll_interval=0.5)

    def start(self) -> ManagementServer:
        """Serve on the daemon thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self.thread.is_alive() and self._built.wait(2.0) and self.httpd is not None:
            self.httpd.shutdown()
        self.socket.close()

    def close_inherited(self) -> None:
        """In a forked child: release the copy of the listening socket without touching the parent's."""
        self.socket.close()
