"""Who may read /metrics and health details: a pure decision from the bind address, token and header."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from enum import Enum

__all__ = ["Access", "credentials_match", "decide", "is_loopback"]


class Access(Enum):
    """The outcome of an authorisation decision."""

    GRANTED = "granted"
    DENIED = "denied"
    NO_TOKEN = "no_token"  # noqa: S105 - an enum label, not a secret
    """Bound beyond loopback with no token configured: protected endpoints refuse everyone."""


def is_loopback(host: str) -> bool:
    """Return whether ``host`` is a loopback address (only this machine can connect)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def credentials_match(authorization: str | None, token: str) -> bool:
    """Return whether an ``Authorization`` header carries ``token``, compared in constant time.

    Accepted: ``Bearer <token>``, or ``Basic`` with any user name and ``token`` as the password.
    """
    if not authorization:
        return False
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    expected = token.encode("utf-8")
    if scheme.lower() == "bearer":
        return hmac.compare_digest(value.encode("utf-8"), expected)
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        _, sep, password = decoded.partition(b":")
        return bool(sep) and hmac.compare_digest(password, expected)
    return False


def decide(host: str, token: str | None, authorization: str | None) -> Access:
    """Decide access to a protected endpoint.

    A configured token is always required. Without one, a loopback bind is open (only local processes
    reach it) and any other bind refuses: an unauthenticated endpoint never faces the network.
    """
    if token:
        return Access.GRANTED if credentials_match(authorization, token) else Access.DENIED
    return Access.GRANTED if is_loopback(host) else Access.NO_TOKEN
