"""Start-up: the entry points, the ``otelward run`` launcher's bootstrap, the runtime and its lifecycle.

Deliberately empty: the launcher imports :mod:`otelward.startup._boot`, which must cost no more than ``os``.
"""

__all__: list[str] = []
