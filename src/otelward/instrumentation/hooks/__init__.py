"""Request/response hooks shared by otelward features, adapted to each instrumentor's hook signature.

Features register library-neutral callbacks here (a header getter or setter, not a framework object):

* ``server_request(span, get_header)``: an incoming request started (read ``X-Request-ID``...).
* ``server_response(span, add_header)``: the response headers are about to be sent (``traceresponse``...).
* ``client_request(span, set_header)``: an outgoing request is about to be sent.
* ``client_response(span, get_header)``: an outgoing request got its response (read ``traceresponse``).

One module per library (``_flask.py``, ``_requests.py``...) turns these into the keyword arguments its
instrumentor takes; :func:`instrumentor_kwargs` is what the distro passes to ``instrument()``.
"""

from __future__ import annotations

from otelward.instrumentation.hooks._registry import (
    HeaderGetter,
    HeaderSetter,
    HookKind,
    clear,
    instrumentor_kwargs,
    register,
    run_get,
    run_set,
)

__all__ = [
    "HeaderGetter",
    "HeaderSetter",
    "HookKind",
    "clear",
    "instrumentor_kwargs",
    "register",
    "run_get",
    "run_set",
]
