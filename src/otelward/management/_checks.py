"""Readiness checks: TCP, HTTP(S), PostgreSQL, and app-registered callables, run off the request path."""

from __future__ import annotations

import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from otelward._ratelimit import log_once
from otelward._threads import TelemetryThread, block_sigterm
from otelward.management._health import CheckResult

__all__ = [
    "CheckRunner",
    "app_checks",
    "build_check",
    "register_readiness_check",
    "unregister_readiness_check",
]

_log = logging.getLogger("otelward.management")

Check = Callable[[], "bool | str | None"]
"""A check returns True/None (pass), False (fail) or a string (warn with that output); raising is a fail."""

_app_checks: dict[str, Check] = {}
_app_lock = threading.Lock()


def register_readiness_check(name: str, check: Check) -> None:
    """Add an app check to readiness: ``check()`` returns True/None to pass, False to fail, a str to warn.

    It runs on otelward's checker thread with the readiness timeout, never on a request. A name that is not a
    string, or a check that is not callable, is refused with one warning (never an exception).
    """
    if type(name) is not str or not name or not callable(check):
        log_once(
            _log,
            "bad-readiness-check",
            "otelward: register_readiness_check needs a non-empty str name and a callable; ignoring this call",
        )
        return
    with _app_lock:
        _app_checks[name[:100]] = check


def unregister_readiness_check(name: str) -> None:
    """Remove an app check (no error if it is not registered, or if ``name`` is not a string)."""
    if type(name) is not str:
        return
    with _app_lock:
        _app_checks.pop(name[:100], None)


def app_checks() -> dict[str, Check]:
    """Return a copy of the app-registered checks."""
    with _app_lock:
        return dict(_app_checks)


def _tcp(host: str, port: int, timeout_s: float) -> bool:
    with socket.create_connection((host, port), timeout=timeout_s):
        return True


def _http(url: str, timeout_s: float) -> bool:
    # Imported here: urllib.request costs ~50 ms at start-up (http.client, email) in every process.
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "otelward-readiness"})  # noqa: S310 - http(s) only
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - scheme checked by config
        status = int(resp.status)
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    return True


def _driver(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _postgres(dsn: str, timeout_s: float) -> bool | str:
    psycopg = _driver("psycopg")
    if psycopg is not None:
        with psycopg.connect(dsn, connect_timeout=max(1, round(timeout_s))) as conn:
            conn.execute("SELECT 1")
        return True
    psycopg2 = _driver("psycopg2")
    if psycopg2 is None:
        parsed = urllib.parse.urlsplit(dsn)
        _tcp(parsed.hostname or "localhost", parsed.port or 5432, timeout_s)
        return "no PostgreSQL driver installed: checked the TCP connection only"
    conn = psycopg2.connect(dsn, connect_timeout=max(1, round(timeout_s)))
    try:
        conn.cursor().execute("SELECT 1")
    finally:
        conn.close()
    return True


def build_check(target: str, timeout_s: float) -> Check:
    """Return the check for a configured target URL (``tcp://``, ``http(s)://``, ``postgres(ql)://``)."""
    parsed = urllib.parse.urlsplit(target)
    scheme = parsed.scheme.lower()
    if scheme == "tcp":
        host, port = parsed.hostname or "localhost", parsed.port or 0
        return lambda: _tcp(host, port, timeout_s)
    if scheme in ("http", "https"):
        return lambda: _http(target, timeout_s)
    return lambda: _postgres(target, timeout_s)


def _run_one(name: str, check: Check) -> CheckResult:
    start = time.monotonic()
    try:
        outcome = check()
    except Exception as err:  # noqa: BLE001 - a failing check is a result, not a crash
        output = f"{type(err).__name__}: {err}"[:200]
        return CheckResult(name, "fail", output, observed_at=time.time(), duration_s=time.monotonic() - start)
    if isinstance(outcome, str):
        status, output = "warn", outcome
    else:
        status, output = ("fail", "check returned False") if outcome is False else ("pass", "")
    return CheckResult(name, status, output, observed_at=time.time(), duration_s=time.monotonic() - start)


class CheckRunner:
    """Run the configured and app checks on a daemon thread every ``interval_s``; keep the last results.

    Probes only read the cached results, so a slow dependency never slows a probe down; a check that
    outlives its timeout is reported as a failure (its thread finishes on its own).
    """

    def __init__(
        self,
        configured: Sequence[tuple[str, str]],
        timeout_s: float,
        interval_s: float = 2.0,
        extra: Callable[[], dict[str, Check]] = app_checks,
    ) -> None:
        self._configured = {name: build_check(target, timeout_s) for name, target in configured}
        self._timeout = timeout_s
        self._interval = interval_s
        self._extra = extra
        self._results: list[CheckResult] | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pool = ThreadPoolExecutor(
            max_workers=4, thread_name_prefix="otelward-check", initializer=block_sigterm
        )
        self.thread = TelemetryThread(self._loop, name="otelward-readiness")

    def start(self) -> CheckRunner:
        """Start the checker thread."""
        self.thread.start()
        return self

    def results(self) -> list[CheckResult] | None:
        """Return the latest results (None until the first round finished)."""
        return self._results

    def run_once(self) -> list[CheckResult]:
        """Run every check now (in parallel, each bounded by the timeout) and store the results."""
        checks = {**self._configured, **self._extra()}
        futures = {name: self._pool.submit(_run_one, name, check) for name, check in checks.items()}
        results = []
        deadline = time.monotonic() + self._timeout + 0.5
        for name, fut in futures.items():
            try:
                results.append(fut.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                results.append(
                    CheckResult(name, "fail", f"timed out after {self._timeout:g}s", observed_at=time.time())
                )
        self._results = results
        return results

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the checker must outlive any one bad round
                log_once(_log, "readiness-round", "otelward: a readiness round failed", exc_info=True)
            self._wake.wait(self._interval)
            self._wake.clear()

    def stop(self) -> None:
        """Stop the thread after its current round."""
        self._stop.set()
        self._wake.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
