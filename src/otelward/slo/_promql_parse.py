"""A small, strict PromQL parser: syntax and types, so a spec's queries are checked before any rule is written.

It accepts a subset of what Prometheus 2.x parses (no native-histogram literals, no functions newer
than 2.42, regexes limited to what both Python's ``re`` and Go's RE2 take) and refuses everything
else with one line, so a query it accepts is one ``promtool check rules`` accepts. Iterative where
input controls the depth, with a nesting limit where it recurses.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from otelward.slo._promql_funcs import AGG_PARAM as _AGG_PARAM
from otelward.slo._promql_funcs import AGGREGATORS as _AGGREGATORS
from otelward.slo._promql_funcs import COMPARISON as _COMPARISON
from otelward.slo._promql_funcs import FUNCS as _FUNCS
from otelward.slo._promql_funcs import KEYWORDS as _KEYWORDS
from otelward.slo._promql_funcs import LEVELS as _LEVELS
from otelward.slo._promql_funcs import SET as _SET
from otelward.slo._promql_funcs import STR, M, S, V

__all__ = [
    "MAX_QUERY",
    "PromQLError",
    "check_regex",
    "is_plain_selector",
    "parse_type",
    "split_aggregated_selector",
]

MAX_QUERY = 20_000
_MAX_NESTING = 64
_MAX_DURATION_S = 2**63 / 1e9  # Go's time.Duration


_TOKEN = re.compile(
    r"""(?P<space>\s+|\#[^\n]*)
    |(?P<duration>(?:\d+(?:ms|s|m|h|d|w|y))+(?![\w.]))
    |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<ident>[a-zA-Z_][a-zA-Z0-9_:]*)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
    |(?P<op>==|!=|<=|>=|=~|!~|[-+*/%^<>=(){}\[\],:@])""",
    re.VERBOSE,
)
_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
_ESCAPE = re.compile(r"\\(?:[abfnrtv]|x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")
_RE2_MISSING = re.compile(
    r"\(\?(?:[=!>(#]|<[=!]|P=)"  # lookaround, atomic group, conditional, comment, named backreference
    r"|\(\?[a-zA-Z-]*[aLux][a-zA-Z-]*[:)]"  # inline flags RE2 lacks (it has i, m, s, U)
    r"|\\[1-9]|\\Z|[*+?}]\+"  # backreference, \Z, possessive quantifiers
)
_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


class PromQLError(ValueError):
    """Not a query Prometheus accepts; ``str(err)`` is one line with the position."""


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


def check_regex(pattern: str) -> str | None:
    """Return why ``pattern`` is not a regex both Python and Go's RE2 accept, or None."""
    if _RE2_MISSING.search(pattern):
        return (
            "uses a construct Go's RE2 (Prometheus) lacks (lookaround, backreference, \\Z, possessive, flags)"
        )
    if any(int(n) > 1000 for m in _REPEAT.finditer(pattern) for n in m.groups() if n):
        return "repeats more than 1000 times, which Go's RE2 (Prometheus) refuses"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            re.compile(pattern)
    except (re.error, FutureWarning, DeprecationWarning, RecursionError, OverflowError) as err:
        return f"is not a regular expression ({err})"
    return None


def _tokens(text: str) -> list[_Tok]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise PromQLError(f"unexpected character {text[pos]!r} at position {pos + 1}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Tok(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


def _unquote(tok: _Tok) -> str:
    text = tok.text
    if text[0] == "`":
        return text[1:-1]
    body, quote = text[1:-1], text[0]
    # PromQL takes Go's escapes, and of the two quotes only the one that delimits the string.
    rest = _ESCAPE.sub("", body.replace("\\\\", "").replace("\\" + quote, ""))
    if "\\" in rest or rest.count("\\" + ("'" if quote == '"' else '"')):
        raise PromQLError(f"bad escape in the string at position {tok.pos + 1}")
    return re.sub(r"\\(.)", r"\1", body)


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.take()
        if tok.text != text or tok.kind == "string":
            shown = tok.text[:20] or "the end"
            raise PromQLError(f"expected {text!r} at position {tok.pos + 1}, found {shown!r}")
        return tok

    def fail(self, what: str, tok: _Tok | None = None) -> PromQLError:
        tok = tok or self.peek()
        return PromQLError(f"{what} at position {tok.pos + 1}")

    def expr(self, level: int = 0) -> str:
        if level == len(_LEVELS):
            return self.unary()
        left = self.expr(level + 1)
        while self.peek().kind in ("op", "ident") and self.peek().text in _LEVELS[level]:
            op = self.take().text
            is_bool = self.peek().text == "bool" and op in _COMPARISON and bool(self.take())
            matching = self.vector_matching()
            right = self.expr(level + 1)
            left = self.binary(op, left, right, is_bool, matching)
        return left

    def vector_matching(self) -> bool:
        if self.peek().text not in ("on", "ignoring"):
            return False
        self.take()
        self.labels()
        if self.peek().text in ("group_left", "group_right"):
            self.take()
            if self.peek().text == "(":
                self.labels()
        return True

    def binary(self, op: str, left: str, right: str, is_bool: bool, matching: bool) -> str:
        for side in (left, right):
            if side not in (S, V):
                raise self.fail(f"binary {op!r} needs scalars or instant vectors, not {_a(side)}")
        if op in _SET and (left, right) != (V, V):
            raise self.fail(f"{op!r} needs instant vectors on both sides")
        if matching and (left, right) != (V, V):
            raise self.fail("on/ignoring need instant vectors on both sides")
        if op in _COMPARISON and (left, right) == (S, S) and not is_bool:
            raise self.fail("comparisons between scalars must use bool")
        return S if (left, right) == (S, S) else V

    def unary(self) -> str:
        if self.peek().text in ("+", "-") and self.peek().kind == "op":
            self.take()
            self.enter()
            kind = self.unary()
            self.depth -= 1
            if kind not in (S, V):
                raise self.fail(f"unary minus needs a scalar or an instant vector, not {_a(kind)}")
            return kind
        base = self.postfix()
        if self.peek().text == "^":
            self.take()
            matching = self.vector_matching()
            self.enter()
            right = self.unary()
            self.depth -= 1
            return self.binary("^", base, right, False, matching)
        return base

    def postfix(self) -> str:
        kind, is_selector = self.primary()
        modifiable = is_selector  # offset and @ follow a selector, a range or a subquery only, once each
        used: set[str] = set()
        while True:
            tok = self.peek()
            if tok.text == "[":
                self.take()
                self.duration()
                if self.peek().text == ":":
                    self.take()
                    if self.peek().kind == "duration":
                        self.duration()
                    if kind != V:
                        raise self.fail(f"a subquery needs an instant vector, not {_a(kind)}", tok)
                elif not is_selector:
                    raise self.fail("a range [..] needs a metric selector (or a subquery [range:])", tok)
                self.expect("]")
                kind, is_selector, modifiable = M, False, True
                used = set()
            elif tok.text in used and modifiable:
                raise self.fail(f"{tok.text} may be given once", tok)
            elif tok.text == "offset" and modifiable:
                used.add(self.take().text)
                if self.peek().text == "-":
                    self.take()
                self.duration()
                is_selector = False
            elif tok.text == "@" and modifiable:
                used.add(self.take().text)
                is_selector = False
                if self.peek().text in ("start", "end"):
                    self.take()
                    self.expect("(")
                    self.expect(")")
                else:
                    if self.peek().text in ("+", "-"):
                        self.take()
                    if self.take().kind != "number":
                        raise self.fail("@ needs a timestamp, start() or end()")
            else:
                return kind

    def duration(self) -> None:
        tok = self.take()
        if tok.kind != "duration":
            raise self.fail("expected a duration such as 5m", tok)
        if not _DURATION.match(tok.text) or not any(c in "123456789" for c in tok.text):
            raise self.fail(f"{tok.text!r} is not a duration (units once each, largest first, not 0)", tok)
        units = {"y": 31536000, "w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
        seconds = sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|[ywdhms])", tok.text))
        if seconds >= _MAX_DURATION_S:
            raise self.fail(f"{tok.text[:30]!r} is longer than Prometheus can represent", tok)

    def primary(self) -> tuple[str, bool]:
        tok = self.peek()
        if tok.kind == "number" or tok.text.lower() in ("inf", "nan"):
            self.take()
            return S, False
        if tok.kind == "string":
            self.take()
            _unquote(tok)
            return STR, False
        if tok.text == "(" and tok.kind == "op":
            self.take()
            self.enter()
            kind = self.expr()
            self.expect(")")
            self.depth -= 1
            return kind, False
        if tok.text == "{":
            self.selector(None)
            return V, True
        if tok.kind == "ident":
            nxt = self.peek(1).text
            if tok.text in _AGGREGATORS and (nxt in ("(", "by", "without")):
                return self.aggregation(), False
            if tok.text in _KEYWORDS or tok.text in _AGGREGATORS:
                raise self.fail(f"{tok.text!r} cannot start an expression")
            if nxt == "(" and self.peek(1).kind == "op":
                return self.call(), False
            self.take()
            self.selector(tok.text)
            return V, True
        raise self.fail(f"unexpected {tok.text[:20] or 'end of query'!r}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.fail(f"nests deeper than {_MAX_NESTING} levels")

    def selector(self, name: str | None) -> None:
        nonempty = name is not None
        if self.peek().text == "{":
            self.take()
            while self.peek().text != "}":
                label = self.take()
                if label.kind != "ident" or ":" in label.text:
                    raise self.fail("expected a label name", label)
                op = self.take()
                if op.text not in ("=", "!=", "=~", "!~"):
                    raise self.fail("expected =, !=, =~ or !~", op)
                value_tok = self.take()
                if value_tok.kind != "string":
                    raise self.fail("expected a quoted label value", value_tok)
                value = _unquote(value_tok)
                if op.text in ("=~", "!~") and (problem := check_regex(value)):
                    raise self.fail(f"the regex of {label.text} {problem}", value_tok)
                nonempty = nonempty or not re.fullmatch(value if "~" in op.text else re.escape(value), "")
                if self.peek().text == ",":
                    self.take()
                elif self.peek().text != "}":
                    raise self.fail("expected , or }")
            self.take()
        if not nonempty:
            raise self.fail(
                "a selector needs a metric name or a matcher that does not match the empty string"
            )

    def labels(self) -> None:
        self.expect("(")
        while self.peek().text != ")":
            label = self.take()
            if label.kind != "ident" or ":" in label.text:
                raise self.fail("expected a label name", label)
            if self.peek().text == ",":
                self.take()
            elif self.peek().text != ")":
                raise self.fail("expected , or )")
        self.take()

    def args(self) -> list[str]:
        self.expect("(")
        self.enter()
        kinds = []
        while self.peek().text != ")":
            kinds.append(self.expr())
            if self.peek().text == ",":
                self.take()
                if self.peek().text == ")":
                    raise self.fail("a trailing comma is not allowed in arguments")
            elif self.peek().text != ")":
                raise self.fail("expected , or )")
        self.take()
        self.depth -= 1
        return kinds

    def call(self) -> str:
        name = self.take()
        if name.text not in _FUNCS:
            raise self.fail(f"unknown function {name.text[:40]!r}", name)
        want, optional, result = _FUNCS[name.text]
        got = self.args()
        if optional == -1:
            want = want + (want[-1],) * max(0, len(got) - len(want))
        low = len(want) - max(optional, 0)
        if not low <= len(got) <= len(want):
            raise self.fail(f"{name.text}() takes {len(want)} arguments, got {len(got)}", name)
        for i, (w, g) in enumerate(zip(want, got, strict=False)):
            if w != g:
                raise self.fail(f"argument {i + 1} of {name.text}() must be {_a(w)}, not {_a(g)}", name)
        return result

    def aggregation(self) -> str:
        name = self.take()
        if self.peek().text in ("by", "without"):
            self.take()
            self.labels()
            got = self.args()
        else:
            got = self.args()
            if self.peek().text in ("by", "without"):
                self.take()
                self.labels()
        want = ((_AGG_PARAM[name.text],) if name.text in _AGG_PARAM else ()) + (V,)
        if tuple(got) != want:
            raise self.fail(f"{name.text}() takes ({', '.join(want)}), got ({', '.join(got)})", name)
        return V


def parse_type(text: str) -> str:
    """Return the type of the PromQL expression ``text`` (``scalar``, ``instant vector``, ...).

    Raises:
        PromQLError: not an expression Prometheus accepts, as one line with the position.
    """
    if len(text) > MAX_QUERY:
        raise PromQLError(f"is longer than {MAX_QUERY} characters")
    parser = _Parser(text)
    kind = parser.expr()
    if parser.peek().kind != "end":
        tok = parser.peek()
        raise PromQLError(f"unexpected {tok.text[:20]!r} at position {tok.pos + 1} (unbalanced brackets?)")
    return kind


_AGGREGATED = re.compile(r"^\s*sum\s*\((?P<inner>.*)\)\s*$", re.DOTALL)


def split_aggregated_selector(text: str) -> str | None:
    """Return ``x{...}`` from ``sum(x{...})`` (a sum of one plain selector), else None."""
    match = _AGGREGATED.match(text)
    if match is None:
        return None
    inner = match.group("inner").strip()
    return inner if is_plain_selector(inner) else None


def is_plain_selector(text: str) -> bool:
    """Return whether ``text`` is one instant-vector selector such as ``x{job="a"}``."""
    if len(text) > MAX_QUERY:
        return False
    try:
        parser = _Parser(text)
        kind, is_selector = parser.primary()
    except PromQLError:
        return False
    return is_selector and kind == V and parser.peek().kind == "end"
