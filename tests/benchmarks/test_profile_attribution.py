"""benchmarks/profile_worker.py attributes each py-spy sample to where the app entered telemetry code."""

from __future__ import annotations

from benchmarks.profile_worker import attribute

SP = "/venv/lib/python3.11/site-packages"
APP = f"handle (/{SP}/gunicorn/workers/sync.py:1);wsgi_app ({SP}/flask/app.py:2)"
RAW = "\n".join(
    [
        f"{APP};get_user (/repo/benchmarks/app.py:3) 5",
        f"{APP};_before_request ({SP}/opentelemetry/instrumentation/flask/__init__.py:4);"
        f"start_span ({SP}/opentelemetry/sdk/trace/__init__.py:5) 3",
        f"{APP};get_user (/repo/benchmarks/app.py:3);execute ({SP}/opentelemetry/instrumentation/dbapi/__init__.py:6) 2",
        f"{APP};info (/py/logging/__init__.py:7);callHandlers (/repo/src/otelward/logs/_bridge.py:8) 4",
        f"run (/py/threading.py:9);__wrap_threading_run ({SP}/opentelemetry/instrumentation/threading/__init__.py:10);"
        f"_run (/repo/src/otelward/export/_batch.py:11) 1",
        f"{APP};close_graceful ({SP}/gunicorn/util.py:12) 9",
        "malformed line",
    ]
)


def test_samples_go_to_the_first_telemetry_frame_entered_from_app_code() -> None:
    groups, busy = attribute(RAW)
    assert busy == 15  # close_graceful (waiting for the client) is not busy time
    assert groups == {
        "the app (gunicorn, Flask, sqlite3, logging)": 5,
        "stock Flask/WSGI instrumentation": 3,
        "stock dbapi instrumentation": 2,
        "otelward on the request thread": 4,
        "otelward export and background threads": 1,
    }
