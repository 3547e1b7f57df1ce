"""Key rules: decide from an attribute or parameter name alone whether its value is a secret.

Keys are split into lowercase words (``x-api-key`` -> x, api, key; ``refreshToken`` -> refresh, token;
``DBPASSWORD`` -> dbpassword) and matched word by word, so ``input_tokens``, ``author`` or
``session_count`` are not caught by ``token``, ``auth`` or ``session``.
"""

from __future__ import annotations

import itertools
import re

__all__ = [
    "ALWAYS_SAFE_KEYS",
    "SENSITIVE_HEADERS",
    "SQL_KEYS",
    "URL_KEYS",
    "URL_PARAMS",
    "classify_key",
    "header_name",
    "is_url_param",
    "key_words",
]

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# A sensitive word followed by one of these names something *about* the secret, not the secret.
_BENIGN_NEXT = frozenset(
    [
        "count",
        "counts",
        "type",
        "types",
        "method",
        "methods",
        "scheme",
        "mode",
        "provider",
        "policy",
        "enabled",
        "required",
        "status",
        "result",
        "length",
        "len",
        "size",
        "limit",
        "budget",
        "usage",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "url",
        "uri",
        "endpoint",
        "name",
        "names",
        "format",
        "version",
        "strategy",
        "consent",
        "index",
        "idx",
        "position",
        "estimate",
        "header",
        "headers",
        "timeout",
        "source",
        "sources",
        "file",
        "path",
        "dir",
        "store",
        "vault",
        "variable",
        "var",
        "field",
        "param",
        "parameter",
        "prompt",
        "hint",
        "label",
        "placeholder",
        "column",
    ]
)
_AUTH_WORDS = frozenset(
    [
        "auth",
        "authz",
        "authn",
        "authorization",
        "proxyauthorization",
        "authkey",
        "authtoken",
        "authcode",
        "basicauth",
        "xauth",
    ]
)
_KEY_QUALIFIERS = frozenset(
    [
        "api",
        "access",
        "private",
        "secret",
        "signing",
        "encryption",
        "master",
        "client",
        "license",
        "ssh",
        "app",
        "subscription",
    ]
)
_SESSION_WORDS = frozenset({"session", "sessionid", "sessid", "jsessionid", "phpsessid"})
_SESSION_NEXT = frozenset({"", "id", "key", "token", "cookie", "secret"})
_CARD = ("creditcard", "cardnumber", "ccnumber")
# Session cookies by name (frameworks' defaults), whatever words they split into.
_SESSION_COOKIES = frozenset(
    {
        "connect.sid", "sid", "express.sid", "express:sess", "koa.sess", "koa:sess", "asp.net_sessionid",
        ".aspnetcore.session", "laravel_session", "ci_session", "rack.session", "_session_id", "sessid",
        "_gitlab_session", "remember_token", "remember_user_token", "__session", "wordpress_logged_in",
    }
)  # fmt: skip
# "credentials_id", "token_arn": the name of a secret, not the secret (Vault's secret_id is a secret).
_ABOUT_SECRET = frozenset({"id", "ids", "arn", "ref", "refs"})

SQL_KEYS = frozenset({"db.statement", "db.query.text"})
"""Attributes holding query text, whose literals are replaced with ``?``."""

URL_KEYS = frozenset(
    {
        "url.full",
        "url.path",
        "url.query",
        "url.original",
        "http.url",
        "http.target",
        "http.request.uri",
        "url",
    }
)
"""Attributes holding URLs or query strings."""

ALWAYS_SAFE_KEYS = frozenset(
    {
        # Template-shaped or id-shaped by definition: a hash or hex id there is not a secret.
        "http.route",
        "url.template",
        "trace_id",
        "span_id",
        "otelTraceID",
        "otelSpanID",
        "trace.id",
        "span.id",
        # OTel semconv telemetry sessions (RUM), not authentication sessions.
        "session.id",
        "session.previous_id",
        "otelward.redacted",
    }
)
"""Keys exempt from key rules and value detectors."""

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy_authorization", "cookie", "set_cookie", "x_api_key", "x_auth_token", "api_key"}
)
"""Captured header names (normalised: lowercase, ``-`` -> ``_``) whose values are always redacted."""

URL_PARAMS = frozenset(
    {
        "awsaccesskeyid",
        "signature",
        "sig",
        "x-goog-signature",
        "x-goog-credential",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "code",
        "client_secret",
    }
)
"""Query parameter names (lowercase) redacted besides those matching the key rules (OTel semconv list+)."""


def key_words(key: str) -> list[str]:
    """Return the lowercase words of ``key`` (split on punctuation and camelCase)."""
    return [w.lower() for w in _WORD.findall(key)]


def _is_sensitive_word(words: list[str], i: int, segment_start: bool) -> bool:
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    prev = words[i - 1] if i else ""
    if nxt in _BENIGN_NEXT:
        return False
    if "password" in w or "passwd" in w or "passphrase" in w or w in {"pwd", "passcode", "passwort"}:
        return True
    if w == "pass" and prev:  # db_pass, smtp_pass; a lone "pass" counts tests
        return True
    if prev in {"public", "publishable"} or w == "jsonwebtoken":
        return False  # public keys and tokens are published on purpose; a library's name
    if w in {"creds", "cred"} and nxt not in _ABOUT_SECRET:
        return True
    if (w.endswith("token") or w.startswith("credential")) and nxt in _ABOUT_SECRET:
        return False
    if w.startswith("secret") and nxt in (_ABOUT_SECRET if w == "secrets" else _ABOUT_SECRET - {"id", "ids"}):
        return False  # Vault's secret_id is a secret; UserSecretsId names a store
    if w.startswith("secret") or w.endswith("secret"):
        return True
    if w.endswith("token") or w.startswith("credential"):
        return True
    if w in _AUTH_WORDS or w.endswith(("apikey", "privatekey", "accesskey", "secretkey")):
        return True
    if w == "key" and prev in _KEY_QUALIFIERS and nxt not in {"id"}:
        return True
    if "cookie" in w or "csrf" in w or "xsrf" in w or "jwt" in w:
        return True
    if w in _SESSION_WORDS and nxt in _SESSION_NEXT and (segment_start or w != "session"):
        return True
    return w in {"ssn", "cvv", "cvc", "signature", "otp"} or w.endswith(_CARD) or w == "pan"


def classify_key(key: str) -> bool:
    """Return True when ``key`` names a secret or personal value (e.g. ``db_password``, ``X-Api-Key``)."""
    low = key.lower()
    if low in _SESSION_COOKIES or low.startswith("__host-") or (low[:1] == "_" and low.endswith("_session")):
        return True
    words: list[str] = []
    starts: set[int] = set()
    for segment in key.split("."):
        seg_words = key_words(segment)
        # A leading "x" (x-session-id) does not count as a qualifier.
        first = 1 if len(seg_words) > 1 and seg_words[0] == "x" else 0
        starts.add(len(words) + first)
        words.extend(seg_words)
    pairs = set(itertools.pairwise(words))
    if ("credit", "card") in pairs or ("card", "number") in pairs:
        return True
    return any(_is_sensitive_word(words, i, i in starts) for i in range(len(words)))


def is_url_param(name: str) -> bool:
    """Return True when a query parameter called ``name`` carries a credential."""
    low = name.lower()
    return low in URL_PARAMS or low.startswith("x-amz-") or classify_key(name)


def header_name(key: str) -> str | None:
    """Return the captured header name in ``http.request.header.<name>`` keys, else None."""
    for prefix in ("http.request.header.", "http.response.header.", "rpc.grpc.request.metadata."):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return None
