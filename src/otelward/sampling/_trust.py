"""Which peers otelward trusts to steer its sampling (pure: no I/O, no globals).

A caller's ``ot=rv:`` randomness and a downstream's ``traceresponse`` rescue decide what is kept; from an
outsider (a public client, a third-party API) they would let anyone force keeps or starve the error budget.
Trusted by default: loopback and private addresses, single-label host names (``orders``) and cluster-internal
names (``*.svc``, ``*.cluster.local``, ``*.internal``, ``*.local``); ``OTELWARD_TRUSTED_HOSTS`` adds exact names,
``*.suffix`` wildcards and CIDR networks.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Trust", "peer_of"]

_INTERNAL_SUFFIXES = (".svc", ".cluster.local", ".internal", ".local", ".localdomain")
# RFC 1918, shared address space (RFC 6598: Kubernetes pods on some clouds), unique local IPv6. Spelled out:
# Python's `is_private` also counts the documentation ranges (203.0.113.0/24...), which are public in tests.
_PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")


class Trust:
    """Answer whether a peer (host name or IP address, no port) is trusted.

    Args:
        hosts: extra trusted hosts: exact names, ``*.example.com`` wildcards, IP addresses or CIDR networks.
    """

    def __init__(self, hosts: tuple[str, ...] = ()) -> None:
        import ipaddress

        self._exact: set[str] = set()
        self._suffixes: list[str] = list(_INTERNAL_SUFFIXES)
        self._networks: list[Any] = [ipaddress.ip_network(n) for n in _PRIVATE_NETWORKS]
        for raw in hosts:
            host = raw.strip().lower()
            if not host:
                continue
            if host.startswith("*."):
                self._suffixes.append(host[1:])
                continue
            try:
                self._networks.append(ipaddress.ip_network(host, strict=False))
            except ValueError:
                self._exact.add(host)
        self._cache: dict[str, bool] = {}

    def trusts(self, host: object) -> bool:
        """Return whether ``host`` is a trusted peer; an unknown or malformed peer is not trusted."""
        if not isinstance(host, str) or not host or len(host) > 253:
            return False
        known = self._cache.get(host)
        if known is None:
            known = self._judge(host.strip("[]").lower())
            if len(self._cache) < 4096:
                self._cache[host] = known
        return known

    def _judge(self, host: str) -> bool:
        import ipaddress

        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if host in self._exact or "." not in host:
                return True
            return host.endswith(tuple(self._suffixes))
        if address.is_loopback or address.is_link_local:
            return True
        return any(address.version == network.version and address in network for network in self._networks)


def peer_of(attributes: Any) -> str | None:
    """Return the host a client span calls (some instrumentations set only the URL when their hooks run)."""
    host = attributes.get("server.address") or attributes.get("net.peer.name")
    if host:
        return str(host)
    url = attributes.get("url.full") or attributes.get("http.url")
    if not isinstance(url, str):
        return None
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
