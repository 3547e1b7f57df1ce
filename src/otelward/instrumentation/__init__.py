"""Instrumentation: lazy loading of the installed instrumentations, and otelward's own on top of them.

* :mod:`~otelward.instrumentation._lazy` arms a post-import hook per installed instrumentation, so a library is
  instrumented when the app imports it (:mod:`~otelward.instrumentation._post_import`,
  :mod:`~otelward.instrumentation._entry_points`).
* :mod:`~otelward.instrumentation.hooks` adapts library-neutral request/response callbacks to each
  instrumentor's hook arguments.
* Fix-up modules (``_sqlite3.py``...) expose ``apply() -> None`` (idempotent, never raises into the app); the
  table in :mod:`~otelward.instrumentation._lazy` names the module to run after an entry point's ``instrument()``.
"""

from __future__ import annotations

__all__: list[str] = []
