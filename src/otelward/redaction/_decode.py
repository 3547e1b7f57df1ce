"""Decoded views of a string for detection: URL percent-encoding, ``+`` for space, JSON string escapes.

A secret written ``q=GITLAB_TOKEN%3Dglpat-…`` or ``{\\"password\\": \\"…\\"}`` is found in the decoded
text; each decoded character remembers the span of the original it came from, so a hit is mapped back and
masked in the original form (the escape sequences included), never re-encoded.
"""

from __future__ import annotations

import re

__all__ = ["View", "decoded_views", "map_hit"]

View = tuple[str, list[int], list[int]]
"""(decoded text, start offset in the original of each decoded char, end offset of each)."""

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_JSON_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|[\"'\\/bfnrt])")
_SIMPLE = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decode(text: str, pattern: re.Pattern[str], plus: bool) -> View | None:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        for i in range(pos, m.start()):
            ch = text[i]
            chars.append(" " if plus and ch == "+" else ch)
            starts.append(i)
            ends.append(i + 1)
        token = m.group()
        if token[0] == "%":
            chars.append(chr(int(token[1:], 16)))
        elif token[1] == "u":
            chars.append(chr(int(token[2:], 16)))
        else:
            chars.append(_SIMPLE[token[1]])
        starts.append(m.start())
        ends.append(m.end())
        pos = m.end()
    if not starts and not (plus and "+" in text):
        return None
    for i in range(pos, len(text)):
        ch = text[i]
        chars.append(" " if plus and ch == "+" else ch)
        starts.append(i)
        ends.append(i + 1)
    return "".join(chars), starts, ends


def _compose(outer: View, inner: View) -> View:
    """Return ``inner`` (a view of ``outer``'s text) with offsets in ``outer``'s original."""
    text, starts, ends = inner
    return text, [outer[1][s] for s in starts], [outer[2][e - 1] for e in ends]


def decoded_views(text: str) -> list[View]:
    """Return the decoded views worth scanning besides ``text`` itself (usually none)."""
    views: list[View] = []
    if "%" in text and _PERCENT.search(text):
        percent = _decode(text, _PERCENT, plus=False)
        if percent is not None:
            views.append(percent)
            if "+" in text:
                plus = _decode(text, _PERCENT, plus=True)
                if plus is not None:
                    views.append(plus)
            if "%25" in text:  # encoded twice (a URL inside a query parameter)
                twice = _decode(percent[0], _PERCENT, plus=False)
                if twice is not None:
                    views.append(_compose(percent, twice))
    # JSON escapes, in the text itself or inside its percent-decoded form (a JSON body in a query).
    identity: View = (text, list(range(len(text))), list(range(1, len(text) + 1)))
    for base in [identity, *views[:1]]:
        if "\\" in base[0] and _JSON_ESCAPE.search(base[0]):
            unescaped = _decode(base[0], _JSON_ESCAPE, plus=False)
            if unescaped is not None:
                views.append(unescaped if base is identity else _compose(base, unescaped))
                if base is not identity and "+" in text:
                    plus = _decode(unescaped[0], _PERCENT, plus=True)
                    if plus is not None:
                        views.append(_compose(views[-1], plus))
                break
    if not views and "+" in text and "=" in text:
        # form encoding without any %XX: "q=a+password=x+y"
        plus = _decode(text, _PERCENT, plus=True)
        if plus is not None:
            views.append(plus)
    return views


def map_hit(view: View, start: int, end: int) -> tuple[int, int]:
    """Return the original span of decoded span ``[start, end)``."""
    return view[1][start], view[2][end - 1]
