"""An in-process management server on a free loopback port, fed by a real meter provider."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from opentelemetry.sdk.metrics import MeterProvider

from harness.collector import free_port
from otelward.config import Settings
from otelward.management import Management, start_management
from otelward.metrics import build_readers, build_views
from otelward.redaction import build_redactor


@dataclass
class Running:
    handle: Management
    meters: MeterProvider
    port: int

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def health(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        status, _, body = self.get(path, headers)
        return status, json.loads(body)


@pytest.fixture
def management() -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(**env: str) -> Running:
        port = free_port()
        settings = Settings.from_env({"OTELWARD_MANAGEMENT_PORT": str(port), **env})
        readers = build_readers(settings, build_redactor(settings))
        meters = MeterProvider(metric_readers=readers, views=build_views(settings))
        handle = start_management(settings, readers=readers, process_hooks=False)
        assert handle is not None
        running = Running(handle, meters, port)
        started.append(running)
        return running

    yield start
    for running in started:
        running.handle.stop()
        running.meters.shutdown()
