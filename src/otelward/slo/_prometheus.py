"""A minimal Prometheus HTTP API client: instant queries returning one number (or None for no data)."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import urlencode, urlsplit

__all__ = ["PrometheusError", "instant_query"]


class PrometheusError(RuntimeError):
    """Prometheus could not be reached or refused a query; ``str(err)`` is one line."""


def _parse(base: str, body: bytes) -> float | None:
    try:
        doc = json.loads(body)
    except ValueError:
        raise PrometheusError(f"{base} did not answer with Prometheus API JSON") from None
    if doc.get("status") != "success":
        raise PrometheusError(f"{base} refused a query: {doc.get('error', 'unknown error')}")
    data = doc.get("data", {})
    if data.get("resultType") == "scalar":
        return float(data["result"][1])
    result = data.get("result", [])
    if not result:
        return None
    if len(result) > 1:
        raise PrometheusError(
            f"a query returned {len(result)} series; an SLI query must aggregate to one (sum)"
        )
    return float(result[0]["value"][1])


def instant_query(
    base_url: str, headers: Mapping[str, str] | None = None, timeout_s: float = 10.0
) -> Callable[[str], float | None]:
    """Return ``query(promql)`` that evaluates ``promql`` now on the Prometheus at ``base_url``.

    Raises:
        PrometheusError: ``base_url`` is not http(s); later, from ``query``, any failure to get a number.
    """
    base = base_url.rstrip("/")
    if urlsplit(base).scheme not in ("http", "https"):
        raise PrometheusError(f"--prometheus {base_url!r} must be an http:// or https:// URL")

    def query(promql: str) -> float | None:
        url = f"{base}/api/v1/query?{urlencode({'query': promql})}"
        request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as resp:  # noqa: S310 - scheme checked above
                return _parse(base, resp.read())
        except urllib.error.HTTPError as err:
            detail = err.read()[:500].decode("utf-8", "replace")
            with contextlib.suppress(ValueError, AttributeError):
                detail = str(json.loads(detail).get("error", detail))
            raise PrometheusError(f"{base} answered HTTP {err.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise PrometheusError(f"cannot reach Prometheus at {base}: {reason}") from None

    return query
