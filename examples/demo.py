"""The otelward demo: the example shop under `opentelemetry-instrument gunicorn`, a real collector, and a
readable view of what arrived: each trace as a tree with its log lines, and a metrics summary.

Run it with `bash scripts/demo.sh` (sets up .venv first) or `.venv/bin/python examples/demo.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.app import base_env, serve  # noqa: E402
from harness.collector import Received, free_port, run_collector  # noqa: E402

SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXNlY3JldA"
# A realistic fake: a key of ascending runs (sk_live_0123456789abcdef) reads as a documentation placeholder and is
# kept by the precision rules (docs/redaction.md), unless it sits under a credential key such as `api_key=`.
API_KEY = "sk_live_51HqT9kLmR2vXc8ZpW4yNb7eJd"
TRAFFIC = [
    ("/users/1", {}),
    ("/users/2", {}),
    ("/users/99", {}),
    ("/boom", {}),
    ("/slow?s=1.1", {}),
    # As if an upstream service had sampled this trace (W3C sampled flag): it is kept, so its redacted
    # URL, header, SQL and log line are on screen whatever the 25% ratio picks.
    (
        f"/search?email=ada@example.com&api_key={API_KEY}",
        {
            "Authorization": f"Bearer {SECRET_TOKEN}",
            "traceparent": "00-5ec2e7a1d2b94c1f8e0a6b3c4d5e6f70-00f067aa0ba902b7-01",
        },
    ),
] + [(f"/profile/{i}", {}) for i in range(3, 23)]

BOLD, DIM, RED, GREEN, YELLOW, RESET = "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m", "\033[0m"
if not sys.stdout.isatty():
    BOLD = DIM = RED = GREEN = YELLOW = RESET = ""

SHOWN_ATTRS = (
    "http.route",
    "http.response.status_code",
    "url.full",
    "url.query",
    "db.query.text",
    "db.statement",
    "error.type",
    "otelward.redacted",
    "http.request.header.authorization",
)


def _ms(span: dict) -> float:
    return (span["end"] - span["start"]) / 1e6


def _status(span: dict) -> str:
    code = span["status"].get("code", "")
    if code == "STATUS_CODE_ERROR":
        return f"{RED}ERROR{RESET}"
    return f"{GREEN}ok{RESET}"


def _highlight(value: object) -> str:
    text = str(value)
    return (
        text.replace("[REDACTED", f"{YELLOW}[REDACTED").replace("]", f"]{RESET}")
        if "[REDACTED" in text
        else text
    )


def render_trace(spans: list[dict], logs: list[dict]) -> list[str]:
    """Return the lines of one trace drawn as an indented tree, logs under the span that wrote them."""
    by_parent: dict[str, list[dict]] = {}
    ids = {s["span_id"] for s in spans}
    for s in sorted(spans, key=lambda s: s["start"]):
        parent = s["parent_span_id"] if s["parent_span_id"] in ids else ""
        by_parent.setdefault(parent, []).append(s)
    logs_by_span: dict[str, list[dict]] = {}
    for rec in logs:
        logs_by_span.setdefault(rec["span_id"], []).append(rec)
    lines: list[str] = []

    def walk(span: dict, depth: int) -> None:
        pad = "   " * depth
        kind = span["kind"].replace("SPAN_KIND_", "").lower()
        lines.append(
            f"{pad}{BOLD}{span['name']}{RESET}  {DIM}{kind}{RESET}  {_ms(span):.1f} ms  {_status(span)}"
        )
        for key in SHOWN_ATTRS:
            if key in span["attributes"]:
                lines.append(f"{pad}   {DIM}{key}={RESET}{_highlight(span['attributes'][key])}")
        for event in span["events"]:
            if event["name"] == "exception":
                msg = event["attributes"].get("exception.message", "")
                lines.append(
                    f"{pad}   {RED}exception{RESET} {event['attributes'].get('exception.type', '')}: {msg}"
                )
        for rec in logs_by_span.get(span["span_id"], []):
            lines.append(f"{pad}   {DIM}log{RESET} {rec['severity_text'] or '-'}: {_highlight(rec['body'])}")
        for child in by_parent.get(span["span_id"], []):
            walk(child, depth + 1)

    for root in by_parent.get("", []):
        walk(root, 0)
    return lines


def render_metrics(received: Received) -> list[str]:
    """Return a short summary: request counts and mean latency per route and status from the last export."""
    latest: dict[tuple, dict] = {}
    for point in received.metric("http.server.request.duration"):
        a = point["attributes"]
        key = (
            a.get("http.route", "?"),
            a.get("http.response.status_code", "?"),
            point["resource"].get("process.pid"),
        )
        latest[key] = point["value"]
    totals: dict[tuple, list[float]] = {}
    for (route, status, _pid), value in latest.items():
        acc = totals.setdefault((route, status), [0, 0.0])
        acc[0] += value["count"]
        acc[1] += value["sum"]
    lines = [f"{'route':<28} {'status':>6} {'requests':>9} {'mean ms':>9}"]
    for (route, status), (count, total) in sorted(totals.items(), key=lambda kv: str(kv[0])):
        mean = 1000 * total / count if count else 0.0
        lines.append(f"{route!s:<28} {status!s:>6} {count:>9} {mean:>9.1f}")
    names = sorted({m["name"] for m in received.metrics})
    lines.append(f"{DIM}metric names received: {', '.join(names)}{RESET}")
    return lines


def main() -> int:
    """Run the demo; return the exit code."""
    with tempfile.TemporaryDirectory() as tmp, run_collector(Path(tmp)) as collector:
        port = free_port()
        env = base_env(collector, OTEL_SERVICE_NAME="shop", PORT=str(port), OTELWARD_SAMPLING_RATIO="0.25")
        argv = [
            "gunicorn",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "examples.flask_app.app:app",
        ]
        print(
            f"{BOLD}otelward demo{RESET}: shop under `opentelemetry-instrument gunicorn -w 2`, collector on "
            f"{collector.http_endpoint}"
        )
        with serve(argv, env, port) as app:
            for path, headers in TRAFFIC:
                status, _, _ = app.get(path, headers)
                print(f"  GET {path[:60]:<60} -> {status}")
            time.sleep(1.5)
        stdout_lines = app.stdout.splitlines()
        collector.wait_for(lambda r: bool(r.spans) and bool(r.metrics), timeout_s=15)
        received = collector.received
        traces = received.traces()
        print(
            f"\n{BOLD}Traces kept{RESET}: {len(traces)} of {len(TRAFFIC)} requests "
            f"(errors and slow requests always; 25% of the rest by trace id)\n"
        )
        for trace_id, spans in sorted(traces.items(), key=lambda kv: min(s["start"] for s in kv[1])):
            print(f"{DIM}trace {trace_id}{RESET}")
            logs = [rec for rec in received.logs if rec["trace_id"] == trace_id]
            print("\n".join(render_trace(spans, logs)))
            print()
        print(f"{BOLD}Metrics{RESET} (RED, from every request, before sampling)")
        print("\n".join(render_metrics(received)))
        print(f"\n{BOLD}Console logs{RESET} (first 3 JSON lines the app wrote)")
        for line in [ln for ln in stdout_lines if ln.startswith("{")][:3]:
            print(f"  {line[:200]}")
        leaked = [s for s in (SECRET_TOKEN, API_KEY) if s in collector.debug_text()]
        verdict = f"{RED}LEAKED{RESET}" if leaked else f"{GREEN}none{RESET}"
        print(f"\n{BOLD}Secrets found in what the collector received{RESET}: {verdict}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
