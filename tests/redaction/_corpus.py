"""The field's corpora (tests/redaction/corpus/*.json) pushed through every carrier the docs claim.

A carrier is one place a value reaches an exporter or the console: a span attribute under a neutral or a
sensitive key, a span name, a status description, a link's attributes, an event, an exception message and its stack trace, a log body and an ``extra=`` field, a
URL's query and path, a captured header, a metric label, and a console (JSON) line. A secret *leaks*
through a carrier when any 10-character window of it survives in what that carrier exports.

``python -m tests.redaction._corpus`` prints the per-kind and per-carrier table and the false-redaction rate.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.trace import Link, StatusCode

from otelward.logs._format import JsonFormatter
from otelward.redaction import RedactionEngine, redact_metrics_data
from otelward.redaction._logs import redact_log_record
from otelward.redaction._spans import redact_span
from tests.redaction._carriers import log_item

__all__ = [
    "CARRIERS",
    "OPT_IN_KINDS",
    "WINDOW",
    "benign_items",
    "disputed",
    "false_redactions",
    "leaks",
    "secret_items",
]

CORPUS = Path(__file__).parent / "corpus"
WINDOW = 10
# Words the carriers print themselves: a "secret" made of them would be found without having leaked.
_CARRIER_WORDS = ("password", "exception", "REDACTED", "note", "search", "items", "failed")

_provider = TracerProvider()
_tracer = _provider.get_tracer("corpus")


@lru_cache(maxsize=1)
def _load(name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((CORPUS / name).read_text(encoding="utf-8"))["items"]
    return items


OPT_IN_KINDS = frozenset({"phone"})
"""Kinds whose detector is off by default (measured separately)."""


def secret_items(opt_in: bool = False) -> list[dict[str, Any]]:
    """Return the secret corpus: dicts with kind, source, text and the secret that must not survive."""
    return [
        x
        for x in _load("secrets.json") + _load("own_secrets.json")
        if not any(w.lower() in x["secret"].lower() for w in _CARRIER_WORDS)
        and (x["kind"] in OPT_IN_KINDS) == opt_in
    ]


def disputed() -> dict[str, str]:
    """Return {text: reason} for rule-set negatives redacted on purpose (excluded from the rate)."""
    return {x["text"]: x["reason"] for x in _load("disputed.json")}


def benign_items(include_disputed: bool = False) -> list[dict[str, Any]]:
    """Return the benign corpus: dicts with source and text."""
    skip = set() if include_disputed else set(disputed())
    return [x for x in _load("benign.json") + _load("own_benign.json") if x["text"] not in skip]


def _span(build: Callable[[Any], None]) -> ReadableSpan:
    with _tracer.start_as_current_span("op") as span:
        build(span)
    assert isinstance(span, ReadableSpan)
    return span


def _attr(key: str) -> Callable[[RedactionEngine, str], str]:
    def carrier(engine: RedactionEngine, text: str) -> str:
        span = redact_span(engine, _span(lambda s: s.set_attribute(key, text)))
        return repr(dict(span.attributes or {}))

    return carrier


def _span_name(engine: RedactionEngine, text: str) -> str:
    with _tracer.start_as_current_span(text) as span:
        pass
    assert isinstance(span, ReadableSpan)
    return redact_span(engine, span).name


def _status(engine: RedactionEngine, text: str) -> str:
    span = redact_span(engine, _span(lambda s: s.set_status(StatusCode.ERROR, text)))
    return str(span.status.description)


def _link(engine: RedactionEngine, text: str) -> str:
    with _tracer.start_as_current_span("other") as other:
        ctx = other.get_span_context()
    with _tracer.start_as_current_span("op", links=[Link(ctx, {"link.note": text})]) as span:
        pass
    assert isinstance(span, ReadableSpan)
    return repr([dict(lk.attributes or {}) for lk in redact_span(engine, span).links])


def _event(engine: RedactionEngine, text: str) -> str:
    span = redact_span(engine, _span(lambda s: s.add_event("evt", {"detail": text})))
    return repr([dict(e.attributes or {}) for e in span.events])


def _exception_part(part: str) -> Callable[[RedactionEngine, str], str]:
    def build(span: Any, text: str) -> None:
        try:
            raise RuntimeError(text)
        except RuntimeError as err:
            span.record_exception(err)

    def carrier(engine: RedactionEngine, text: str) -> str:
        span = redact_span(engine, _span(lambda s: build(s, text)))
        return str((span.events[0].attributes or {}).get(part))

    return carrier


def _log_body(engine: RedactionEngine, text: str) -> str:
    return repr(redact_log_record(engine, log_item("user said %s", text)).log_record.body)


def _log_extra(engine: RedactionEngine, text: str) -> str:
    record = redact_log_record(engine, log_item("event", detail=text)).log_record
    return repr({k: v for k, v in (record.attributes or {}).items() if k == "detail"})


def _metric(engine: RedactionEngine, text: str) -> str:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    provider.get_meter("t").create_counter("c").add(1, {"label": text})
    data = redact_metrics_data(engine, reader.get_metrics_data())
    provider.shutdown()
    return repr([p.attributes for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics for p in m.data.data_points])  # fmt: skip


def _console(engine: RedactionEngine, text: str) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(engine))
    logger = logging.Logger("corpus-console")
    logger.addHandler(handler)
    try:
        raise ValueError(text)
    except ValueError:
        logger.exception("request failed: %s", text, extra={"detail": text})
    return stream.getvalue()


CARRIERS: dict[str, Callable[[RedactionEngine, str], str]] = {
    "span.attr.neutral": _attr("app.note"),
    "span.attr.sensitive": _attr("app.password"),
    "span.name": _span_name,
    "span.status": _status,
    "span.link": _link,
    "span.event": _event,
    "exception.message": _exception_part("exception.message"),
    "exception.stacktrace": _exception_part("exception.stacktrace"),
    "log.body": _log_body,
    "log.extra": _log_extra,
    "url.query": lambda e, t: _attr("url.full")(e, "https://api.example.com/search?q=" + quote_plus(t) + "&page=2"),
    "url.path": lambda e, t: _attr("url.path")(e, "/v1/items/" + quote(t, safe="") + "/history"),
    "header": _attr("http.request.header.x-debug-context"),
    "metric.attr": _metric,
    "console": _console,
}  # fmt: skip
"""carrier name -> (engine, text) -> everything that carrier would export, as text."""


def leaked(secret: str, exported: str) -> bool:
    """Return True when any WINDOW-character run of ``secret`` survives in ``exported``."""
    k = min(WINDOW, len(secret))
    return any(secret[i : i + k] in exported for i in range(len(secret) - k + 1))


def leaks(
    engine: RedactionEngine, items: Iterable[dict[str, Any]], carriers: Iterable[str] = tuple(CARRIERS)
) -> tuple[dict[tuple[str, str], list[int]], list[tuple[str, str, str]]]:
    """Return {(kind, carrier): [leaks, total]} and the leaked (carrier, source, text) triples."""
    table: dict[tuple[str, str], list[int]] = {}
    leaked_items: list[tuple[str, str, str]] = []
    for item in items:
        for name in carriers:
            cell = table.setdefault((item["kind"], name), [0, 0])
            cell[1] += 1
            if leaked(item["secret"], CARRIERS[name](engine, item["text"])):
                cell[0] += 1
                leaked_items.append((name, item["source"], item["text"]))
    return table, leaked_items


def false_redactions(engine: RedactionEngine, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the benign items the engine changes (as free text and as a neutral attribute)."""
    return [x for x in items if engine.redact_text(x["text"]) != x["text"] or engine.redact_value("app.note", x["text"]) != x["text"]]  # fmt: skip


def report() -> None:
    """Print the leak table by kind and carrier, the leaked items and the false-redaction rate."""
    engine = RedactionEngine()
    items = secret_items()
    table, leaked_items = leaks(engine, items)
    kinds = sorted({k for k, _ in table})
    print("kind".ljust(16), "n".rjust(4), *(c.split(".")[-1][:9].rjust(9) for c in CARRIERS))
    for kind in kinds:
        n = table[(kind, "console")][1]
        print(kind.ljust(16), str(n).rjust(4), *(str(table[(kind, c)][0]).rjust(9) for c in CARRIERS))
    total = sum(v[0] for v in table.values())
    print(
        f"secrets: {len(items)} of {len(kinds)} kinds; leaked cells: {total} of {sum(v[1] for v in table.values())}"
    )
    for carrier, source, text in leaked_items[:60]:
        print(f"  LEAK {carrier:22} {source:60} {text[:90]!r}")
    benign = benign_items()
    changed = false_redactions(engine, benign)
    everything = benign_items(include_disputed=True)
    print(
        f"false redactions: {len(changed)}/{len(benign)} = {len(changed) / len(benign):.2%}"
        f" ({len(everything) - len(benign)} disputed rule-set negatives excluded, see disputed.json;"
        f" counting them: {len(false_redactions(engine, everything))}/{len(everything)})"
    )
    for x in changed:
        print(f"  FP {x['source']:50} {x['text'][:80]!r} -> {engine.redact_text(x['text'])[:80]!r}")


if __name__ == "__main__":
    report()
