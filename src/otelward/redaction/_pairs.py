"""Secrets found by their key in free text: ``key=value`` in every syntax logs and configs use.

Covered: ``k=v``, ``k: v``, ``"k": "v"``, ``k := v`` / ``::=`` / ``?=`` / ``.=`` / ``=>`` / ``==``,
``var k string = "v"``, ``--k=v`` and ``--k v`` (command lines), ``("K", "v")`` (setProperty, getenv
defaults), ``<k>v</k>`` (XML), ``curl -u user:pass``, a JSON object under a sensitive key inside longer text
(masked whole), and JSON Patch operations whose ``path`` names a sensitive field (the ``value`` is masked).

Precision rules: the key is judged by the key rules (``_keys``); a value that is a status word (``ok``,
``changed``, ``expired``), a placeholder (``%s``, ``?``, ``$1``, ``${VAR}``, ``<password>``, ``{{ .x }}``,
``***``) or has no letter or digit is not a secret; a weak key (``token``, ``session``, ``auth``…) written
``key: value`` needs a value with a digit or 16+ characters (``token: expired`` is prose).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from otelward.redaction._shapes import placeholder_token

__all__ = ["PAIR_TRIGGER", "balanced_end", "pairs", "placeholder"]

Hit = tuple[int, int, str, str]

_KEY = r"[A-Za-z_][\w.-]{0,63}"
_PAIR = re.compile(
    # not inside a word or a dotted name
    r"(?<![\w.])([\"'`]?)(" + _KEY + r")\1"
    r"(?:[ \t]{1,3}(?:string|String|str|char\s?\*))?[ \t]{0,3}"
    r"(:{1,3}=|\?=|\.=|\+=|=>|!==?|===?|[:=])[ \t]{0,3}"
    # The value sits in a lookahead so a non-secret "key:" does not swallow a "password=..." after it.
    r"(?=(\"(?:[^\"\\\n]|\\.){1,1024}\"|'(?:[^'\\\n]|\\.){1,1024}'|`[^`\n]{1,1024}`|[{\[]"
    r"|(?:(?i:Bearer|Basic|Token|Digest|Negotiate)[ \t]{1,3})?[^\s,;&\"'`<>(){}]{1,1024}))"
)
_CLI = re.compile(
    r"(?<!\S)--?([A-Za-z][\w-]{1,40})[ \t]{1,3}(\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'|[^\s\"'-][^\s]{0,1023})"
)
_CALL = re.compile(r"([\"'])(" + _KEY + r")\1[ \t]{0,3},[ \t]{0,3}([\"'])((?:(?!\3)[^\\\n]|\\.){1,1024})\3")
_XML = re.compile(r"<(" + _KEY + r")(?:\s[^<>]{0,256})?>\s{0,64}([^<\s][^<]{0,1024}?)\s{0,64}</\1>")
_CURL = re.compile(r"\bcurl\b[\s\S]{0,2048}?[ \t\n](?:-u|--user)(?:=|[ \t]{1,5})(\S{1,512})")
_PATCH_OP = re.compile(r"\{[^{}]{0,2048}\"path\"\s{0,3}:\s{0,3}\"([^\"]{1,256})\"[^{}]{0,2048}\}")
_PATCH_VALUE = re.compile(r"\"value\"\s{0,3}:\s{0,3}(\"(?:[^\"\\\n]|\\.){0,1024}\"|[^,}\s]{1,1024})")
_ARN = re.compile(r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d{0,12}:\S{1,1024}")
PAIR_TRIGGER = re.compile(r"[=:]|--|\",|',|</|curl")

_STATUS = frozenset(
    [
        "ok",
        "true",
        "false",
        "none",
        "null",
        "nil",
        "yes",
        "no",
        "on",
        "off",
        "enabled",
        "disabled",
        "required",
        "optional",
        "changed",
        "reset",
        "updated",
        "expired",
        "refreshed",
        "revoked",
        "rotated",
        "missing",
        "invalid",
        "valid",
        "set",
        "unset",
        "empty",
        "redacted",
        "hidden",
        "masked",
        "success",
        "successful",
        "failed",
        "failure",
        "error",
        "pending",
        "granted",
        "denied",
        "configured",
        "default",
        "unknown",
        "started",
        "stopped",
        "created",
        "deleted",
        "removed",
        "sent",
        "received",
        "accepted",
        "rejected",
        "n/a",
        "na",
        "-",
        "present",
        "absent",
        "provided",
        "supplied",
        "requested",
        "needed",
        "ignored",
        "skipped",
        "bearer",
        "basic",
        "token",
        "digest",
        "negotiate",
    ]
)
_PLACEHOLDER = re.compile(
    r"%[sd]|%\(\w+\)[sd]|\?|:\w+|\$\d+|\$\{?\w+\}?|\$\([^)]*\)|\$\{\{[^}]*\}\}|\{\{[^}]*\}\}|\{[A-Za-z_]*\}"
    r"|<[^<>]*>?|\[[A-Z_ ]+\]|\*+|x+|X+|\.\.\.|#+|•+"
)
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_SCHEME = re.compile(r"(?i)(?:bearer|basic|token|digest|negotiate)[ \t]+")
_PLACEHOLDER_WORDS = ("example", "sample", "dummy", "placeholder", "your_", "your-", "changeme", "notreal")
_WEAK = frozenset({"auth", "session", "cookie", "signature", "token", "secret", "credentials"})
# gitleaks' curl allowlist: placeholder passwords in documentation
_CURL_PLACEHOLDER = re.compile(r"(?i)(?:change(?:it|me)|pass(?:word)?|pwd|test|token|\*+|x+|y+)")


def placeholder(value: str, min_len: int = 2, shapes: bool = True) -> bool:
    """Return True when ``value`` is a status word, a placeholder or has no letter or digit.

    ``shapes=False`` skips the token-shape heuristics (``xxxx…``, ascending runs): under a key that names a
    credential (a URL's ``api_key=``) a token-shaped value is masked even if it looks made up.
    """
    v = _SCHEME.sub("", value.strip().strip("\"'`"), count=1)
    low = v.lower()
    if (
        len(v) < min_len
        or low in _STATUS
        or _PLACEHOLDER.fullmatch(v) is not None
        or not any(c.isalnum() for c in v)
    ):
        return True
    if any(w in low for w in _PLACEHOLDER_WORDS) or _ENV_NAME.fullmatch(v) is not None:
        return True  # documentation values; a variable's name (ACCESS_TOKEN, PASSWORD)
    if not shapes:
        return False
    if len(v) >= 12 and " " not in v and placeholder_token("k-" + v, wordy=False):
        return True  # xxxx…, 1234567890…, a token shape padded with ###
    return len(v) >= 12 and (len(set(v)) <= 5 or _ascending_share(v) >= 0.5)


def _ascending_share(v: str) -> float:
    """Return the share of ``v`` in runs of 4+ consecutive characters (123456…, abcdef…)."""
    seq = 0
    run = 1
    for a, b in itertools.pairwise(v):
        if ord(b) - ord(a) == 1:
            run += 1
            continue
        seq += run if run >= 4 else 0
        run = 1
    seq += run if run >= 4 else 0
    return seq / len(v)


def balanced_end(text: str, start: int, limit: int = 4096) -> int:
    """Return the end of the JSON-ish object or array opening at ``start`` (string-aware), or -1."""
    depth = 0
    in_str = False
    i = start
    stop = min(len(text), start + limit)
    while i < stop:
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _value_span(text: str, start: int, end: int) -> tuple[int, int]:
    if end - start >= 2 and text[start] in "\"'`" and text[end - 1] == text[start]:
        return start + 1, end - 1
    return start, end


def _weak_ok(value: str) -> bool:
    return any(c.isdigit() for c in value) or len(value) >= 16


def _pair_hits(text: str, sensitive: Callable[[str], bool], out: list[Hit]) -> None:
    arns = [(a.start(), a.end()) for a in _ARN.finditer(text)] if "arn:" in text else []
    for m in _PAIR.finditer(text):
        key, sep, value = m.group(2), m.group(3), m.group(4)
        if not sensitive(key) or any(a <= m.start() < b for a, b in arns):
            continue  # arn:aws:secretsmanager:…:secret:name names a secret
        vstart = m.start(4)
        if value in ("{", "["):
            end = balanced_end(text, vstart)
            # JSON-ish ({"pass": …}), not a template ({{ .Values.x }}) or a placeholder ({SumoKey})
            if (
                end > vstart + 2
                and text[vstart + 1] != "{"
                and ('"' in text[vstart:end] or ":" in text[vstart:end])
            ):
                out.append((vstart, end, "password_pairs", "mask"))
            continue
        start, end = _value_span(text, vstart, m.end(4))
        inner = text[start:end]
        if placeholder(inner) or (text[vstart] == "`" and " " in inner):
            continue  # a `command` the shell runs
        if sep == ":" and m.group(1) == "" and key.lower() in _WEAK and not _weak_ok(inner):
            continue  # "session: started", "token: expired" read as prose in log lines
        out.append((start, end, "password_pairs", "mask"))


def _cli_hits(text: str, sensitive: Callable[[str], bool], out: list[Hit]) -> None:
    for m in _CLI.finditer(text):
        if sensitive(m.group(1)) and not placeholder(m.group(2)):
            start, end = _value_span(text, m.start(2), m.end(2))
            out.append((start, end, "password_pairs", "mask"))


def _call_hits(text: str, sensitive: Callable[[str], bool], out: list[Hit]) -> None:
    for m in _CALL.finditer(text):
        if sensitive(m.group(2)) and not placeholder(m.group(4)):
            out.append((m.start(4), m.end(4), "password_pairs", "mask"))


def _xml_hits(text: str, sensitive: Callable[[str], bool], out: list[Hit]) -> None:
    for m in _XML.finditer(text):
        if sensitive(m.group(1)) and not placeholder(m.group(2)):
            out.append((m.start(2), m.end(2), "password_pairs", "mask"))


def _curl_hits(text: str, out: list[Hit]) -> None:
    for m in _CURL.finditer(text):
        start, end = _value_span(text, m.start(1), m.end(1))
        user, colon, password = text[start:end].partition(":")
        if not colon:
            continue  # no password on the command line
        if password:
            start += len(user) + 1
        else:
            end = start + len(user)  # "secret:" (an empty user name written the other way round)
            password = user
        bare = password.strip("\"'{}")
        if (
            placeholder(text[m.start(1) : m.end(1)])
            or placeholder(password.strip("\"'"))
            or placeholder(bare)
        ):
            continue
        if _CURL_PLACEHOLDER.fullmatch(bare):
            continue
        out.append((start, end, "password_pairs", "mask"))


def _patch_hits(text: str, sensitive: Callable[[str], bool], out: list[Hit]) -> None:
    for m in _PATCH_OP.finditer(text):
        segments = [s for s in m.group(1).split("/") if s]
        if not any(sensitive(s) for s in segments):
            continue
        v = _PATCH_VALUE.search(text, m.start(), m.end())
        if v is not None:
            start, end = _value_span(text, v.start(1), v.end(1))
            if end > start and not placeholder(text[start:end]):
                out.append((start, end, "password_pairs", "mask"))


def pairs(text: str, sensitive: Callable[[str], bool], out: list[Hit]) -> None:
    """Append a hit for every value that a sensitive key names in ``text``."""
    _pair_hits(text, sensitive, out)
    if "-" in text:
        _cli_hits(text, sensitive, out)
        if "curl" in text:
            _curl_hits(text, out)
    if "," in text:
        _call_hits(text, sensitive, out)
    if "</" in text:
        _xml_hits(text, sensitive, out)
    if '"path"' in text and '"value"' in text:
        _patch_hits(text, sensitive, out)
