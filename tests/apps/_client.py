"""A tiny HTTP client for the published-app tests: no redirects followed, cookies kept, bodies as bytes."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field

__all__ = ["Reply", "Session", "normalized"]

# Per-run values the apps put in their pages (Django's CSRF tokens, the server's own port in pypiserver's
# install instructions); masked before comparing bodies.
_RANDOM = (
    re.compile(rb"(127\.0\.0\.1:)\d+"),
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(rb"(csrftoken=)[A-Za-z0-9]+"),
)


def normalized(body: bytes) -> bytes:
    """Return ``body`` with per-response random tokens masked."""
    for pattern in _RANDOM:
        body = pattern.sub(rb"\1<random>", body)
    return body


@dataclass
class Reply:
    """One response: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Session:
    """Requests to one server on 127.0.0.1, carrying the cookies it sets."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Reply:
        """Send one request and return the reply (no redirect followed)."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            data = resp.read()
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.partition(";")[0]
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()
