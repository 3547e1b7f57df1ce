"""Path segments bound to sensitive route parameters: ``/reset/<token>`` puts the token in the path.

The route template (``http.route``) names each segment; a segment whose parameter name is sensitive
(``passwd``, ``token``, ``api_key``) is masked wherever the request path appears: ``url.path``,
``url.full``, ``http.target`` and the span name. Pure functions; the span redactor applies them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["mask_segments", "route_params", "sensitive_segments"]

# Flask/Werkzeug and Django ``<conv:name>``, Starlette/FastAPI ``{name:conv}``, Express-style ``:name``,
# Django regex ``(?P<name>...)``: a parameter that fills the whole segment.
_PARAM = re.compile(r"<(?:[^:<>]+:)?(\w+)>|\{(\w+)(?::[^{}]*)?\}|:(\w+)|\(\?P<(\w+)>.*\)")
_EDGES = "^$/"


def _segments(path: str) -> list[str]:
    return path.strip(_EDGES).split("/")


def _param(segment: str) -> str | None:
    m = _PARAM.fullmatch(segment)
    return None if m is None else next(g for g in m.groups() if g)


def route_params(route: str) -> list[str]:
    """Return the parameter names of ``route`` that fill a whole path segment, in order."""
    if "<" not in route and "{" not in route and ":" not in route:
        return []
    return [name for name in map(_param, _segments(route)) if name is not None]


def sensitive_segments(route: str, path: str, sensitive: Callable[[str], bool]) -> tuple[str, ...]:
    """Return the values in ``path`` bound to the route parameters of ``route`` that are sensitive.

    Args:
        route: the route template, e.g. ``/basic-auth/<user>/<passwd>``.
        path: the request path, e.g. ``/basic-auth/ada/s3cret`` (a query string is ignored).
        sensitive: the key rule (``RedactionEngine.is_sensitive_key``).

    Returns:
        The segment values to mask, empty when the route does not line up with the path.
    """
    if "<" not in route and "{" not in route and ":" not in route:
        return ()
    names = _segments(route)
    values = _segments(path.split("?", 1)[0].split("#", 1)[0])
    if len(names) != len(values):
        return ()  # a catch-all ({rest:path}) or a mismatch: nothing is known about the segments
    out = []
    for name, value in zip(names, values, strict=True):
        param = _param(name)
        if param is not None and value and sensitive(param):
            out.append(value)
    return tuple(out)


def mask_segments(text: str, values: tuple[str, ...], marker: Callable[[str], str]) -> str:
    """Return ``text`` with every whole path segment equal to one of ``values`` replaced by its marker."""
    for value in values:
        pattern = r"(?<=/)" + re.escape(value) + r"(?=[/?#\s\"]|$)"
        text = re.sub(pattern, lambda m: marker(m.group(0)), text)
    return text
