"""Health documents (draft-inadarei-api-health-check): pure functions from check results to a response."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CONTENT_TYPE", "CheckResult", "health_document", "http_status", "worst"]

CONTENT_TYPE = "application/health+json"
_RANK = {"pass": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``status`` is pass, warn or fail; ``output`` says why (never a secret)."""

    name: str
    status: str
    output: str = ""
    component_type: str = "component"
    observed_at: float = 0.0
    duration_s: float = 0.0


def worst(statuses: Sequence[str]) -> str:
    """Return the worst of ``statuses`` (pass when empty)."""
    return max(statuses, key=lambda s: _RANK.get(s, 2), default="pass")


def http_status(status: str) -> int:
    """Map a health status to the HTTP status Kubernetes probes act on (warn still passes)."""
    return 503 if status == "fail" else 200


def health_document(
    results: Sequence[CheckResult], details: bool, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build the health+json body; without ``details`` only the overall status is returned."""
    status = worst([r.status for r in results])
    doc: dict[str, Any] = {"status": status}
    if not details:
        return doc
    checks: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        entry: dict[str, Any] = {"componentId": r.name, "componentType": r.component_type, "status": r.status}
        if r.output:
            entry["output"] = r.output
        if r.observed_at:
            entry["time"] = _iso(r.observed_at)
            entry["observedValue"] = round(r.duration_s * 1000, 3)
            entry["observedUnit"] = "ms"
        checks.setdefault(r.name, []).append(entry)
    doc["checks"] = checks
    if extra:
        doc.update(extra)
    return doc


def _iso(ts: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc).isoformat(timespec="seconds")
