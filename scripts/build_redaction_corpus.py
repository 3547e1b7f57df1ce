"""Build the redaction corpora in tests/redaction/corpus/ from public secret-scanner rule sets (data only).

    python scripts/build_redaction_corpus.py --gitleaks <git dir> --detect-secrets <git dir>

The git directories are snapshots of github.com/gitleaks/gitleaks and github.com/Yelp/detect-secrets
(the search tool's ``fetch`` gives them). Nothing of their code is run or copied: this script reads their
rule definitions' *test data* (gitleaks' true-positive and false-positive samples, the sample templates of
``GenerateSampleSecrets``, detect-secrets' ``(payload, should_flag)`` tables) and generates fresh fakes
from the rules' regular expressions with our own seeded generator. Output: ``secrets.json`` (kind, source,
text, secret) and ``benign.json`` (source, text), deterministic for a given pair of snapshots.
"""

from __future__ import annotations

import argparse
import ast
import codecs
import itertools
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

try:
    import re._parser as sre  # type: ignore[import-not-found]
    from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812
except ImportError:  # Python < 3.11
    import sre_constants as C  # type: ignore[no-redef]  # noqa: N812
    import sre_parse as sre  # type: ignore[no-redef]

from _redaction_corpus_own import own_corpus  # a sibling module of this script

SEED = 20261201
OUT = Path(__file__).resolve().parent.parent / "tests" / "redaction" / "corpus"

# gitleaks rule id (prefix) -> our kind. Only families otelward claims; the rest feed the benign corpus.
KINDS = {
    "aws-access-token": "aws",
    "github-": "github",
    "gitlab-": "gitlab",
    "slack-": "slack",
    "stripe-": "stripe",
    "gcp-api-key": "google",
    "openai-": "openai",
    "anthropic-": "anthropic",
    "npm-": "npm",
    "pypi-": "pypi",
    "huggingface-": "huggingface",
    "sendgrid-": "sendgrid",
    "jwt": "jwt",
    "private-key": "pem",
    "twilio-": "twilio",
    "telegram-": "telegram",
    "mailchimp-": "mailchimp",
    "shopify-": "shopify",
    "discord-": "discord",
    "curl-auth-user": "curl",
    "curl-auth-header": "curl",
    "azure-ad-client-secret": "azure",
    "generic-api-key": "generic",
}
RULE_FILES = sorted(
    {
        "aws", "github", "gitlab", "slack", "stripe", "gcp", "openai", "anthropic", "npm", "pypi",
        "huggingface", "sendgrid", "jwt", "privatekey", "twilio", "telegram", "mailchimp", "shopify",
        "discord", "curl", "azure", "generic",
    }
)  # fmt: skip
# detect-secrets plugin test -> (our kind, how to find the secret in a positive payload)
DETECT_SECRETS = {
    "aws_key_test.py": "aws",
    "azure_storage_key_test.py": "azure",
    "basic_auth_test.py": "url_userinfo",
    "discord_test.py": "discord",
    "github_token_test.py": "github",
    "gitlab_token_test.py": "gitlab",
    "jwt_test.py": "jwt",
    "mailchimp_key_test.py": "mailchimp",
    "npm_test.py": "npm",
    "openai_test.py": "openai",
    "pypi_token_test.py": "pypi",
    "sendgrid_test.py": "sendgrid",
    "slack_test.py": "slack",
    "stripe_key_test.py": "stripe",
    "telegram_token_test.py": "telegram",
    "twilio_test.py": "twilio",
}
_UTILS = {
    "Numeric": "[0-9]{%s}",
    "Hex": "[a-f0-9]{%s}",
    "AlphaNumeric": "[a-z0-9]{%s}",
    "AlphaNumericExtendedShort": "[a-z0-9_-]{%s}",
    "AlphaNumericExtended": "[a-z0-9=_\\-]{%s}",
    "AlphaNumericExtendedLong": "[a-z0-9\\/=_\\+\\-]{%s}",
}


def git_show(git_dir: str, path: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], capture_output=True, text=True, check=True
    ).stdout


def git_head(git_dir: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", git_dir, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


# -- a tiny Go tokenizer (strings, identifiers, punctuation) ----------------------------------------
_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*[\s\S]*?\*/)|(?P<raw>`[^`]*`)|(?P<str>\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<rune>'(?:[^'\\\n]|\\.)*')|(?P<ident>[A-Za-z_][\w.]*)|(?P<num>\d+)|(?P<op>:=|\.\.\.|[^\s])"
)


def go_tokens(src: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(src):
        kind = m.lastgroup or ""
        if kind in ("ws", "comment"):
            continue
        text = m.group()
        if kind == "raw":
            out.append(("str", text[1:-1]))
        elif kind == "str":
            out.append(
                ("str", codecs.decode(text[1:-1].encode("latin-1", "backslashreplace"), "unicode_escape"))
            )
        else:
            out.append((kind, text))
    return out


def split_args(
    tokens: list[tuple[str, str]], start: int, close: str
) -> tuple[list[list[tuple[str, str]]], int]:
    """Split tokens from ``start`` (just after an opening bracket) into top-level comma elements."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth = 0
    elems: list[list[tuple[str, str]]] = [[]]
    i = start
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "op" and text in pairs:
            depth += 1
        elif kind == "op" and text in pairs.values():
            if depth == 0:
                return [e for e in elems if e], i
            depth -= 1
        if kind == "op" and text == "," and depth == 0:
            elems.append([])
        else:
            elems[-1].append((kind, text))
        i += 1
    return [e for e in elems if e], i


# -- our own generator: random strings matching a (Python-syntax) regular expression ----------------
def _class_chars(items: list[Any]) -> list[str]:
    chars: list[str] = []
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            chars.append(chr(av))
        elif op is C.RANGE:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op is C.CATEGORY:
            chars.extend(_category(av))
    if negate:
        banned = set(chars)
        return [c for c in map(chr, range(33, 127)) if c not in banned]
    return chars


def _category(cat: Any) -> list[str]:
    if cat is C.CATEGORY_DIGIT:
        return list("0123456789")
    if cat is C.CATEGORY_SPACE:
        return [" "]
    if cat is C.CATEGORY_WORD:
        return list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
    return list("abcdefghijklmnopqrstuvwxyz")


def _emit(parsed: Any, rng: random.Random, folded: bool) -> str:
    out: list[str] = []
    for op, av in parsed:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append(rng.choice([c for c in "abcdefXYZ0129" if ord(c) != av]))
        elif op is C.ANY:
            out.append(".")  # rule sets write hooks.slack.com with bare dots
        elif op is C.IN:
            chars = _class_chars(av)
            if folded:
                chars = sorted(set(chars) | {c.upper() for c in chars if c.isalpha()})
            out.append(rng.choice(chars))
        elif op is C.CATEGORY:
            out.append(rng.choice(_category(av)))
        elif op is C.BRANCH:
            out.append(_emit(rng.choice(av[1]), rng, folded))
        elif op is C.SUBPATTERN:
            add_flags = av[1] or 0
            del_flags = av[2] or 0
            sub_folded = (folded or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
            out.append(_emit(av[3], rng, sub_folded))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, sub = av
            high = low + 12 if high is C.MAXREPEAT else high
            count = rng.randint(low, min(high, low + 24))
            out.append("".join(_emit(sub, rng, folded) for _ in range(count)))
        # AT (anchors), ASSERT, ASSERT_NOT, GROUPREF: nothing to emit
    return "".join(out)


def generate(pattern: str, rng: random.Random) -> str:
    """Return a random string matching ``pattern`` (anchors and look-arounds are ignored)."""
    folded = pattern.startswith("(?i)")
    parsed = sre.parse(pattern[4:] if folded else pattern)
    return _emit(parsed, rng, folded)


# -- gitleaks -----------------------------------------------------------------------------------------
def to_python_regex(go: str) -> str:
    py = go.replace(r"\z", r"\Z")
    if "(?i)" in py[1:]:
        py = "(?i)" + py.replace("(?i)", "")
    return py


class Gitleaks:
    def __init__(self, git_dir: str, rng: random.Random) -> None:
        self.git_dir = git_dir
        self.rng = rng
        toks = go_tokens(git_show(git_dir, "cmd/generate/config/utils/generate.go"))
        i = next(i for i, t in enumerate(toks) if t == ("ident", "samples"))
        brace = next(j for j in range(i, len(toks)) if toks[j] == ("op", "{"))
        elems, _ = split_args(toks, brace + 1, "}")
        self.templates = [e[2][1] for e in elems if len(e) == 3 and e[0][0] == "str" and e[2][0] == "str"]

    def _regex_expr(self, expr: list[tuple[str, str]]) -> str | None:
        """Evaluate a Go regex expression: literals, utils.X("n"), concatenation."""
        parts: list[str] = []
        i = 0
        while i < len(expr):
            kind, text = expr[i]
            if kind == "str":
                parts.append(text)
                i += 1
            elif kind == "ident" and text.startswith("utils.") and text[6:] in _UTILS:
                parts.append(_UTILS[text[6:]] % expr[i + 2][1])
                i += 4
            elif (kind, text) == ("op", "+"):
                i += 1
            else:
                return None
        return "".join(parts) if parts else None

    def value(self, expr: list[tuple[str, str]]) -> tuple[str, str] | None:
        """Evaluate a tps/fps element to (text, generated part); None when it is not plain data."""
        parts: list[str] = []
        generated = ""
        i = 0
        while i < len(expr):
            kind, text = expr[i]
            if kind == "str":
                parts.append(text)
                i += 1
            elif (kind, text) == ("op", "+"):
                i += 1
            elif text == "secrets.NewSecret" and expr[i + 1] == ("op", "("):
                args, end = split_args(expr, i + 2, ")")
                regex = self._regex_expr(args[0]) if len(args) == 1 else None
                if regex is None:
                    return None
                generated = generate(to_python_regex(regex), self.rng)
                parts.append(generated)
                i = end + 1
            else:
                return None
        return "".join(parts), generated

    def rule_regex(self, toks: list[tuple[str, str]], i: int) -> re.Pattern[str] | None:
        text = toks[i][1]
        args, _ = split_args(toks, i + 2, ")")
        try:
            if text == "regexp.MustCompile" and len(args) == 1:
                src = self._regex_expr(args[0])
            elif text == "utils.GenerateUniqueTokenRegex":
                inner = self._regex_expr(args[0])
                flag = "(?i)" if args[1] == [("ident", "true")] else ""
                src = None if inner is None else flag + r"\b(" + inner + r")(?:[\x60'\"\s;]|\\[nr]|$)"
            elif text == "utils.GenerateSemiGenericRegex":
                ids = [t[1] for t in args[0] if t[0] == "str"]
                inner = self._regex_expr(args[1])
                src = None
                if inner is not None:
                    src = (
                        r"(?i)[\w.-]{0,50}?(?:" + "|".join(ids) + r")(?:[ \t\w.-]{0,20})[\s'\"]{0,3}"
                        r"(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'\"\s=]{0,5}("
                        + inner
                        + r")(?:[\x60'\"\s;]|\\[nr]|$)"
                    )
            else:
                src = None
            return None if src is None else re.compile(to_python_regex(src))
        except (re.error, IndexError):
            return None

    def rules(self, name: str) -> list[dict[str, Any]]:
        toks = go_tokens(git_show(self.git_dir, f"cmd/generate/config/rules/{name}.go"))
        funcs = [i for i, t in enumerate(toks) if t == ("ident", "func")] + [len(toks)]
        out = []
        for a, b in itertools.pairwise(funcs):
            body = toks[a:b]
            rule: dict[str, Any] = {"file": name, "id": None, "regex": None, "tps": [], "fps": []}
            for i, (kind, text) in enumerate(body):
                if text == "RuleID" and body[i + 1] == ("op", ":"):
                    rule["id"] = body[i + 2][1]
                elif text == "Regex" and body[i + 1] == ("op", ":") and rule["regex"] is None:
                    rule["regex"] = self.rule_regex(body, i + 2)
                elif text in ("tps", "fps") and kind == "ident":
                    self._collect(body, i, rule[text])
            if rule["id"]:
                out.append(rule)
        return out

    def _collect(self, body: list[tuple[str, str]], i: int, into: list[tuple[str, str, str]]) -> None:
        # tps := []string{...} | tps = append(tps, a, b, f(...)...)
        nxt = body[i + 1 : i + 6]
        if nxt[:1] == [("op", ":=")] and nxt[1:4] == [("op", "["), ("op", "]"), ("ident", "string")]:
            elems, _ = split_args(body, i + 6, "}")
        elif nxt[:1] == [("op", ":=")] or nxt[:2] == [("op", "="), ("ident", "append")]:
            start = i + 2 if nxt[0] == ("op", ":=") else i + 4
            if body[start] == ("ident", "append"):
                start += 2
            elems, _ = split_args(body, start, ")")
            if elems and elems[0] in ([("ident", "tps")], [("ident", "fps")]):
                elems = elems[1:]
        else:
            return
        for raw in elems:
            elem = raw[:-1] if raw and raw[-1] == ("op", "...") else raw
            if elem and elem[0][1] == "utils.GenerateSampleSecrets":
                args, _ = split_args(elem, 2, ")")
                if len(args) == 2 and args[0][0][0] == "str":
                    secret = self.value(args[1])
                    if secret is not None:
                        ident = args[0][0][1]
                        # A few of the ~30 carrier templates per secret keep the corpus small.
                        for tpl in self.rng.sample(self.templates, min(6, len(self.templates))):
                            text = (
                                tpl.replace("{i}", ident)
                                .replace("{I}", ident.upper())
                                .replace("{s}", secret[0])
                            )
                            into.append((text, secret[0], "sample"))
                continue
            got = self.value(elem)
            if got is not None:
                into.append((got[0], got[1], "literal"))


def secret_in(rule: dict[str, Any], text: str, generated: str) -> str | None:
    """Return the part of a gitleaks true positive that must not survive redaction."""
    if rule["id"] == "curl-auth-user":
        m = re.search(r"(?:-u|--user)(?:=|[ \t]{0,5})(\S+)", text)
        if not m:
            return None
        cred = m.group(1).replace('"', "").replace("'", "")
        password = cred.partition(":")[2] or cred.partition(":")[0]
        return password.strip("{}") or None
    if rule["id"] == "private-key":
        body = re.search(r"-----\n([\s\S]+?)\n-----END", text)
        return body.group(1).strip() if body else None
    if rule["id"] == "curl-auth-header":
        m = re.search(
            r"(?i)(?:Authorization:[ \t]{0,5}(?:(?:Basic|Bearer|(?:Api-)?Token)[ \t])?|(?:X-[a-z]+-)?(?:Api-?)?(?:Key|Token):[ \t]{0,5})"
            r"([\w=~@.+/-]{8,})",
            text,
        )
        return m.group(1) if m else None
    if generated and rule["file"] != "curl":
        return generated
    pattern = rule["regex"]
    if pattern is None:
        return None
    m = pattern.search(text)
    if m is None:
        return None
    groups = [g for g in m.groups() if g]
    if groups:
        return groups[-1].strip("\"'`")
    found = m.group().strip("\"'`")
    # A rule matching "name=value" or a URL: the secret is the value, the last path part
    tail = re.split(r"=|/(?:services|workflows|triggers)/", found)
    return tail[-1] or None


_FIXTURE_WORDS = frozenset(
    [
        "hello",
        "world",
        "test",
        "testin",
        "testing",
        "token",
        "tokens",
        "long",
        "longer",
        "pretty",
        "fake",
        "example",
        "chars",
        "exactly",
        "need",
        "else",
        "fail",
        "failing",
        "check",
        "checking",
        "length",
        "prefix",
        "here",
        "random",
        "string",
        "initial",
        "correct",
    ]
)


def fixture(secret: str) -> bool:
    """Return True for a rule-set test fixture built of words or sequences (``glsoat-PREfix_helloworld380_
    testin_pretty_long_token_long``, ``sk-ant-api03-abc123xyz-456def789ghij-…``): documentation-grade
    strings a redactor treats as placeholders, not secrets."""
    words = [w for w in re.findall(r"[a-z]{4,}", secret.lower()) if any(f in w for f in _FIXTURE_WORDS)]
    ascending = sum(
        len(r)
        for r in re.findall(
            r"(?:abcd|bcde|cdef|defg|efgh|fghi|ghij|hijk|ijkl|jklm|klmn|lmno|mnop|nopq|opqr|pqrs|qrst|rstu|stuv|tuvw|uvwx|vwxy|wxyz|0123|1234|2345|3456|4567|5678|6789)+",
            secret.lower(),
        )
    )
    return len(words) >= 2 or ascending >= 0.25 * len(secret)


def gitleaks_corpus(
    git_dir: str, rng: random.Random
) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, int]]:
    gl = Gitleaks(git_dir, rng)
    secrets: list[dict[str, str]] = []
    benign: list[dict[str, str]] = []
    skipped = {"no secret found": 0, "placeholder": 0}
    all_files = sorted(
        p.removeprefix("cmd/generate/config/rules/").removesuffix(".go")
        for p in subprocess.run(
            ["git", "--git-dir", git_dir, "ls-tree", "--name-only", "HEAD", "cmd/generate/config/rules/"],
            capture_output=True, text=True, check=True,
        ).stdout.split()
        if p.endswith(".go")
    )  # fmt: skip
    for name in all_files:
        for rule in gl.rules(name):
            kind = next((k for prefix, k in KINDS.items() if rule["id"].startswith(prefix)), None)
            source = f"gitleaks:{name}.go:{rule['id']}"
            for text, _, _how in rule["fps"]:
                benign.append({"source": f"{source}:fp", "text": text})
            if kind is None or name not in RULE_FILES or "client-id" in rule["id"]:
                continue  # client ids are public identifiers, not secrets
            for text, generated, how in rule["tps"]:
                secret = secret_in(rule, text, generated)
                if not secret:
                    skipped["no secret found"] += 1
                    print(f"  no secret found: {source}: {text[:80]!r}", file=sys.stderr)
                    continue
                if len(set(secret.lower())) < 6 or fixture(secret):
                    skipped["placeholder"] += 1  # xxxxxxxx, 000000, word-built fixtures
                    continue
                secrets.append({"kind": kind, "source": f"{source}:tp:{how}", "text": text, "secret": secret})
            # Keyword-anchored rules (a hex string next to "discord") generate noise, not log lines: their
            # samples above cover them.
            semi_generic = rule["regex"] is not None and "|=>|" in rule["regex"].pattern
            if (
                rule["regex"] is not None
                and kind not in ("generic", "curl", "pem", "jwt")
                and not semi_generic
            ):
                # Fresh fakes from the rule's own pattern, a few per rule.
                for _ in range(3):
                    fake = generate(rule["regex"].pattern, rng).strip("\"'`; \n")
                    m = rule["regex"].search(fake)
                    if m is None:
                        continue
                    value = secret_in(rule, fake, "")
                    if value and len(set(value.lower())) >= 6:
                        secrets.append(
                            {"kind": kind, "source": f"{source}:generated", "text": fake, "secret": value}
                        )
    return secrets, benign, skipped


# -- detect-secrets -----------------------------------------------------------------------------------
def _parametrize_tables(src: str) -> list[list[tuple[Any, ...]]]:
    tables = []
    for node in ast.walk(ast.parse(src)):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "parametrize"
            and len(node.args) >= 2
        ):
            try:
                rows = ast.literal_eval(node.args[1])
            except ValueError:
                continue
            tables.append([r if isinstance(r, tuple) else (r,) for r in rows])
    return tables


def ds_secret(kind: str, payload: str) -> str | None:
    if kind == "url_userinfo":
        m = re.search(r"://[^:/\s]+:([^@\s]+)@", payload)
        return m.group(1) if m else None
    if kind == "azure":
        return payload.partition("AccountKey=")[2] or None
    payload = re.split(r"(?<=[a-z])=", payload)[-1]  # "…_authToken=npm_…": the value
    runs = re.findall(r"[A-Za-z0-9_\-.+/~]{16,}", payload)
    return max(runs, key=len).strip(".:") if runs else None


DS_SKIPPED = [0]


def detect_secrets_corpus(git_dir: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    secrets, benign = [], []
    for name, kind in DETECT_SECRETS.items():
        src = git_show(git_dir, f"tests/plugins/{name}")
        for table in _parametrize_tables(src):
            for row in table:
                if len(row) < 2 or not isinstance(row[0], str) or not isinstance(row[1], bool):
                    continue
                payload, flagged = row[0], row[1]
                source = f"detect-secrets:tests/plugins/{name}"
                if flagged:
                    secret = ds_secret(kind, payload)
                    if secret and len(set(secret.lower())) >= 6 and not fixture(secret):
                        secrets.append({"kind": kind, "source": source, "text": payload, "secret": secret})
                    else:
                        DS_SKIPPED[0] += 1
                else:
                    benign.append({"source": f"{source}:negative", "text": payload})
    return secrets, benign


def _write_own() -> None:
    own_secrets, own_benign_items = own_corpus(random.Random(SEED + 1))  # scripts/_redaction_corpus_own.py
    own_meta = {"seed": SEED + 1}
    (OUT / "own_secrets.json").write_text(
        json.dumps({"meta": own_meta, "items": own_secrets}, indent=0) + "\n"
    )
    (OUT / "own_benign.json").write_text(
        json.dumps({"meta": own_meta, "items": own_benign_items}, indent=0) + "\n"
    )
    print(f"own: {len(own_secrets)} secrets, {len(own_benign_items)} benign")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gitleaks")
    parser.add_argument("--detect-secrets")
    parser.add_argument("--own-only", action="store_true", help="rebuild only own_secrets/own_benign.json")
    args = parser.parse_args(argv)
    if args.own_only:
        _write_own()
        return 0
    if not args.gitleaks or not args.detect_secrets:
        parser.error("--gitleaks and --detect-secrets are required (or --own-only)")
    rng = random.Random(SEED)
    gl_secrets, gl_benign, skipped = gitleaks_corpus(args.gitleaks, rng)
    ds_secrets, ds_benign = detect_secrets_corpus(args.detect_secrets)
    skipped["detect-secrets fixtures"] = DS_SKIPPED[0]
    secrets = _dedupe(gl_secrets + ds_secrets)
    benign = _dedupe(gl_benign + ds_benign)
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {
        "gitleaks": git_head(args.gitleaks),
        "detect-secrets": git_head(args.detect_secrets),
        "seed": SEED,
        "skipped": skipped,
    }
    (OUT / "secrets.json").write_text(json.dumps({"meta": meta, "items": secrets}, indent=0) + "\n")
    (OUT / "benign.json").write_text(json.dumps({"meta": meta, "items": benign}, indent=0) + "\n")
    _write_own()
    kinds: dict[str, int] = {}
    for s in secrets:
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    print(f"secrets: {len(secrets)} in {len(kinds)} kinds {kinds}; benign: {len(benign)}; skipped {skipped}")
    return 0


def _dedupe(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item["text"] not in seen:
            seen.add(item["text"])
            out.append(item)
    return out


if __name__ == "__main__":
    sys.exit(main())
