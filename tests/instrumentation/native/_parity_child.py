"""Run one parity scenario in a fresh process and print its spans as JSON: ``python -m ... SUITE MODE``.

``upstream`` is what otelward's fallback runs (``OTELWARD_NATIVE_INSTRUMENTATION=false``): upstream's
instrumentor with otelward's hook adapters and fix-ups; ``native`` is otelward's own. Instrumentation cannot
be undone reliably in place, hence one process per run. Volatile values (ids, ports, stack traces, times)
are normalised so that the two runs compare equal where they behave the same.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

ENV = {
    "OTEL_SEMCONV_STABILITY_OPT_IN": "http,database",
    "OTEL_PYTHON_EXCLUDED_URLS": "healthz",
    "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST": "x-custom,authorization",
    "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE": "content-type",
    "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS": "authorization",
}
_VOLATILE = {"network.peer.port", "exception.stacktrace", "otelward.request.id", "http.request.id"}


def providers() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    """Install global SDK tracer and meter providers over memory; return the exporter and the reader."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return exporter, reader


def _settings_from_env() -> None:
    # No runtime in this process: let the native instrumentations read the settings a runtime would have.
    import otelward.config

    settings = otelward.config.Settings.from_env(dict(os.environ))
    otelward.config.defaults = lambda: settings  # type: ignore[assignment]


def _hooks() -> None:
    _settings_from_env()
    from otelward.instrumentation import hooks
    from otelward.logs._request_id import RequestIdHooks

    ids = RequestIdHooks()
    hooks.register("server_request", ids.on_request)
    hooks.register("server_response", ids.on_response)


def _value(key: str, value: Any) -> Any:
    if key in _VOLATILE:
        return "<volatile>"
    return list(value) if isinstance(value, tuple) else value


def shape(spans: Iterable[ReadableSpan]) -> list[dict[str, Any]]:
    """Return the spans in start order as comparable dicts (parents as indexes, volatile values masked)."""
    ordered = sorted(spans, key=lambda s: s.start_time or 0)
    index = {s.context.span_id: i for i, s in enumerate(ordered)}
    out = []
    for s in ordered:
        out.append(
            {
                "name": s.name,
                "kind": s.kind.name,
                "parent": index.get(s.parent.span_id) if s.parent is not None else None,
                "remote_parent": bool(s.parent is not None and s.parent.is_remote),
                "status": [s.status.status_code.name, s.status.description],
                "events": [
                    [e.name, {k: _value(k, v) for k, v in (e.attributes or {}).items()}] for e in s.events
                ],
                "attributes": {k: _value(k, v) for k, v in (s.attributes or {}).items()},
            }
        )
    return out


def durations(
    reader: InMemoryMetricReader, name: str = "http.server.request.duration"
) -> list[dict[str, Any]]:
    """Return the attribute dicts of the points of the histogram ``name``, sorted."""
    data = reader.get_metrics_data()
    found: list[dict[str, Any]] = []
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == name:
                    found += [dict(p.attributes or {}) for p in metric.data.data_points]
    return sorted(found, key=lambda a: json.dumps(a, sort_keys=True))


# ---- Flask ------------------------------------------------------------------------------------------


def _flask_app() -> Any:
    from flask import Flask, redirect

    app = Flask("parity")
    tracer = trace.get_tracer("parity")

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    @app.get("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, int]:
        with tracer.start_as_current_span("lookup"):
            return {"id": user_id}

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("view failed")

    @app.get("/old")
    def old() -> Any:
        return redirect("/hello")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app


def _environ(method: str, path: str, query: str = "", **headers: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": f"{path}?{query}" if query else path,  # gunicorn's (upstream sets url.* only with it)
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "REMOTE_PORT": "50123",
        "HTTP_HOST": "shop.example:8000",
        "HTTP_USER_AGENT": "parity/1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    return environ


FLASK_REQUESTS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "static": ("GET", "/hello", "", {}),
    "templated": ("GET", "/users/42", "verbose=1", {"X_CUSTOM": "v1", "AUTHORIZATION": "Bearer s3cret"}),
    "not-found": ("GET", "/nope-1fd3", "", {}),
    "method-not-allowed": ("POST", "/hello", "", {}),
    "raising-view": ("GET", "/boom", "", {}),
    "raising-view-propagated": ("GET", "/boom", "", {}),
    "head": ("HEAD", "/hello", "", {}),
    "redirect": ("GET", "/old", "", {}),
    "excluded": ("GET", "/healthz", "", {}),
    "remote-parent": (
        "GET",
        "/hello",
        "",
        {"TRACEPARENT": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    ),
}


def _recorder(seen: list[Any]) -> Callable[..., None]:
    def start_response(status: str, hdrs: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen[:] = [status, hdrs]

    return start_response


def run_flask(mode: str) -> dict[str, Any]:
    """Serve every request of :data:`FLASK_REQUESTS` once; return spans, status and headers per request."""
    exporter, reader = providers()
    _hooks()
    if mode == "native":
        from otelward.instrumentation.native import _flask

        _flask.instrument()
    else:
        from opentelemetry.instrumentation.flask import FlaskInstrumentor

        from otelward.instrumentation.hooks import instrumentor_kwargs

        FlaskInstrumentor().instrument(**instrumentor_kwargs("flask"))
    app = _flask_app()
    propagating = _flask_app()
    propagating.config["PROPAGATE_EXCEPTIONS"] = True  # as under TESTING or DEBUG: the view's error escapes
    results: dict[str, Any] = {}
    for case, (method, path, query, headers) in FLASK_REQUESTS.items():
        exporter.clear()
        seen: list[Any] = ["(none)", []]
        served = propagating if case.endswith("-propagated") else app
        try:
            body = served(_environ(method, path, query, **headers), _recorder(seen))
            try:
                b"".join(body)
            finally:
                getattr(body, "close", lambda: None)()
        except RuntimeError as err:
            seen[0] = f"raised {err}"
        results[case] = {
            "status": seen[0],
            "response_headers": sorted(k.lower() for k, _ in seen[1]),
            "spans": shape(exporter.get_finished_spans()),
        }
    results["durations"] = durations(reader)
    return results


def main() -> int:
    """Print the JSON of one suite (``flask`` or ``sqlite3``) under one mode (``upstream`` or ``native``)."""
    suite, mode = sys.argv[1], sys.argv[2]
    os.environ.update(ENV)
    from tests.instrumentation.native._parity_db import run_psycopg, run_sqlite3

    result = {"flask": run_flask, "sqlite3": run_sqlite3, "psycopg": run_psycopg}[suite](mode)
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
