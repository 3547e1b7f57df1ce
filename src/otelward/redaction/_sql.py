"""Replace the literal values of a SQL statement with ``?``, keeping its shape.

``SELECT * FROM users WHERE email = 'ada@example.com' AND age > 30`` becomes
``SELECT * FROM users WHERE email = ? AND age > ?``, as the OTel database conventions ask for
``db.query.text``. Identifiers (``"quoted"``, `` `backticked` ``), placeholders (``?``, ``%s``, ``:name``,
``$1``) and comments are kept; comments are still scanned by the value detectors afterwards.
"""

from __future__ import annotations

import re

__all__ = ["sanitize_sql"]

_TOKENS = re.compile(
    r"(?P<comment>--[^\n]*|/\*[\s\S]*?(?:\*/|\Z))"
    r"|(?P<ident>\"(?:[^\"]|\"\")*\"?|`[^`]*`?)"
    r"|(?P<dollar>\$(?P<tag>[A-Za-z_]{0,32})\$[\s\S]*?(?:\$(?P=tag)\$|\Z))"
    r"|(?P<string>(?<![\w])[NnEeBbXx]?'(?:[^'\\]|\\[\s\S]|'')*(?:'|\Z))"
    r"|(?P<number>(?<![\w$.:@?%])(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)(?![\w.]))"
)


def _replace(m: re.Match[str]) -> str:
    return "?" if m.lastgroup in ("string", "number", "dollar") else m.group()


def sanitize_sql(statement: str) -> str:
    """Return ``statement`` with string, number and dollar-quoted literals replaced by ``?``."""
    return _TOKENS.sub(_replace, statement)
