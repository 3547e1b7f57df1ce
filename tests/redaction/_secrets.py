"""Hypothesis strategies for every secret kind the engine must catch, and helpers to plant them."""

from __future__ import annotations

import base64
import json
import random

from hypothesis import assume
from hypothesis import strategies as st

__all__ = ["SECRET_KINDS", "luhn_complete", "planted", "secret"]

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _chars(alphabet: str, n: int, m: int | None = None) -> st.SearchStrategy[str]:
    # Secrets are random: drawn from a seeded generator, so shrinking cannot turn them into "AAAA…",
    # which the engine keeps on purpose (placeholders, see test_detectors.PLACEHOLDERS).
    def build(seed: int, size: int) -> str:
        rng = random.Random(seed)
        return "".join(rng.choice(alphabet) for _ in range(size))

    return st.builds(build, st.integers(0, 2**32), st.integers(n, m if m is not None else n))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def luhn_complete(prefix: str, length: int, body: str) -> str:
    """Return a ``length``-digit number starting with ``prefix`` with a valid Luhn check digit."""
    digits = (prefix + body)[: length - 1]
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


@st.composite
def _jwt(draw: st.DrawFn) -> tuple[str, str]:
    claims = draw(st.dictionaries(_chars(_ALNUM, 1, 8), _chars(_ALNUM, 0, 12), min_size=1, max_size=4))
    sig = draw(st.binary(min_size=16, max_size=48))
    token = ".".join(
        [_b64url(b'{"alg":"HS256","typ":"JWT"}'), _b64url(json.dumps(claims).encode()), _b64url(sig)]
    )
    return token, token


@st.composite
def _card(draw: st.DrawFn) -> tuple[str, str]:
    prefix, length = draw(st.sampled_from([("4", 16), ("51", 16), ("2221", 16), ("37", 15), ("6011", 16)]))
    number = luhn_complete(prefix, length, draw(_chars("0123456789", 18)))
    sep = draw(st.sampled_from(["", " ", "-"]))
    if sep and length == 16:
        number = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    elif sep:
        number = sep.join([number[:4], number[4:10], number[10:]])
    return number, number


@st.composite
def _ssn(draw: st.DrawFn) -> tuple[str, str]:
    area = draw(st.integers(1, 899).filter(lambda a: a != 666))
    value = f"{area:03d}-{draw(st.integers(1, 99)):02d}-{draw(st.integers(1, 9999)):04d}"
    return value, value


@st.composite
def _aws_secret(draw: st.DrawFn) -> tuple[str, str]:
    body = draw(_chars(_ALNUM + "/+", 37))
    value = "A" + body[:18] + "z" + body[18:] + "7"
    return value, value


@st.composite
def _pair(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(
        st.sampled_from(
            ["password", "passwd", "pwd", "client_secret", "api_key", "access_token", "DB_PASSWORD"]
        )
    )
    value = draw(_chars(_ALNUM + "!#%*", 8, 20))
    sep = draw(st.sampled_from(["=", ": ", "="]))
    return f"{key}{sep}{value}", value


@st.composite
def _userinfo(draw: st.DrawFn) -> tuple[str, str]:
    scheme = draw(st.sampled_from(["postgresql", "mysql", "redis", "https", "amqp"]))
    pw = draw(_chars(_ALNUM, 8, 16))
    return f"{scheme}://svc:{pw}@db.internal:5432/app", pw


@st.composite
def _query(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(
        st.sampled_from(["access_token", "api_key", "sig", "X-Amz-Signature", "Signature", "password"])
    )
    value = draw(_chars(_ALNUM, 8, 24))
    return f"https://api.example.com/v1/items?page=2&{name}={value}&q=x", value


def _fixed(prefix: str, alphabet: str, n: int, m: int | None = None) -> st.SearchStrategy[tuple[str, str]]:
    return _chars(alphabet, n, m).map(lambda body: (prefix + body, prefix + body))


SECRET_KINDS: dict[str, st.SearchStrategy[tuple[str, str]]] = {
    "jwt": _jwt(),
    "bearer": _chars(_ALNUM, 12, 40).map(lambda t: (f"Bearer {t}9", f"{t}9")),
    "basic": st.tuples(_chars(_ALNUM, 3, 8), _chars(_ALNUM, 6, 12))
    .map(lambda up: base64.b64encode(f"{up[0]}:{up[1]}".encode()).decode())
    .map(lambda cred: (f"Basic {cred}", cred)),
    "pem": _chars(_ALNUM + "/+", 64, 200).map(
        lambda b: (f"-----BEGIN RSA PRIVATE KEY-----\n{b}\n-----END RSA PRIVATE KEY-----", b)
    ),
    "aws_id": _fixed("AKIA", _UPPER_DIGITS, 16),
    "aws_secret": _aws_secret(),
    "github": _fixed("ghp_", _ALNUM, 36),
    "gitlab": _fixed("glpat-", _ALNUM, 20, 24),
    "slack": _fixed("xoxb-", _ALNUM, 24, 40),
    "stripe": _fixed("sk_live_", _ALNUM, 24, 32),
    "google": _fixed("AIza", _ALNUM, 35),
    "password_pair": _pair(),
    "url_userinfo": _userinfo(),
    "url_query": _query(),
    "credit_card": _card(),
    "ssn": _ssn(),
    "email": st.tuples(_chars("abcdefghij", 2, 10), _chars("klmnopqrst", 2, 10)).map(
        lambda p: (f"{p[0]}@{p[1]}.example", f"{p[0]}@{p[1]}.example")
    ),
}
"""kind -> strategy of (planted text, the part that must not survive)."""

# Words the carriers themselves print (rule names, audit paths, keys): a "secret" equal to one of them
# would be found in the output without having leaked.
_VOCABULARY = (
    "otelward.redacted url_credentials url_query password_pairs vendor_tokens credit_card exception.message "
    "exception.stacktrace exception.type status.description nested_note link.note events links detail "
    "user said failed error with runtimeerror valueerror bad input redacted"
).lower()
_FILLER = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,!?-0123456789", max_size=40)
_SEPARATORS = st.sampled_from([" ", "\n", ", ", "; ", " (", ") ", ' "', '" ', " '", "\t", " | "])


@st.composite
def planted(draw: st.DrawFn, kind: str | None = None) -> tuple[str, str]:
    """Return (text with one secret at a random position in random prose, the secret part)."""
    chosen = kind if kind is not None else draw(st.sampled_from(sorted(SECRET_KINDS)))
    text, secret_part = draw(SECRET_KINDS[chosen])
    before, after = draw(_FILLER), draw(_FILLER)
    assume(secret_part not in before and secret_part not in after and secret_part.lower() not in _VOCABULARY)
    return f"{before}{draw(_SEPARATORS)}{text}{draw(_SEPARATORS)}{after}", secret_part


def secret() -> st.SearchStrategy[tuple[str, str]]:
    """Any secret kind, planted in random text."""
    return planted()
