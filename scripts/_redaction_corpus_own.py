"""otelward's own groups of the redaction corpora: issue 17's cases, PII and benign telemetry values.

Generated with the builder's seeded generator (see build_redaction_corpus.py); data only.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["own_corpus"]


def _iban(rng: random.Random, country: str, length: int) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(length - 4))
    if country == "GB":
        bban = "NWBK" + bban[4:]
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(digits) % 97
    return f"{country}{check:02d}{bban}"


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


OWN_TEMPLATES: dict[str, list[str]] = {
    # issue 17, causes 2-4: escapes next to a token, shapes missed, families not covered
    "password_pairs": [
        "exec: pg_dump --password={s} --host=db",
        "running backup --password {s} --verbose",
        "creds = {s}",
        "db_pass: {s}",
        "DB_PASS={s}",
        'note: {{"credentials":{{"pass":"{s}"}}}} saved',
        'patch [{{"op":"replace","path":"/password","value":"{s}"}}]',
        'PATCH /users/7 body=[{{"op": "add", "path": "/credentials/secret", "value": "{s}"}}]',
        "Cookie: connect.sid=s%3A{s}; theme=dark",
        "set connect.sid={s} for the browser",
        "laravel_session={s}",
        "PHPSESSID={s}; path=/",
        "password={s}",
        "user.password: '{s}'",
        "smtp_pass => '{s}'",
        'System.setProperty("DB_PASSWORD", "{s}")',
    ],
    "curl": ["curl -u deploy:{s} https://ci.internal/api", "curl --user 'ops:{s}' -X POST https://h/x"],
    "url_query_escaped": [
        "GET /search?q=GITLAB_TOKEN%3D{gl}&page=1",
        "GET /search?q=%22{aws}%22",
        "GET /search?q=%27{ant}%27",
        "GET /search?q=key%3D{hf}",
        "GET /hook?q=secret%3D{wh}",
        "GET /x?q=token%3D{xoxe}",
        "GET /x?q=k%3D{aiza}",
        "GET /x?q=jwt%3D{jwt}",
        "GET /x?data=%7B%22password%22%3A%22{s}%22%7D",
        "GET /x?q=password+%3D+{s}",
    ],
    "json_escaped": [
        '{{"msg": "login with \\"password\\": \\"{s}\\""}}',
        '"payload": "{{\\"api_key\\":\\"{s}\\"}}"',
        'body="{{\\u0022token\\u0022: \\u0022{s}\\u0022}}"',
    ],
}


def own_corpus(rng: random.Random) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    def rand(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    hexd = "0123456789abcdef"
    b64 = alnum + "+/"
    out: list[dict[str, str]] = []

    def add(kind: str, text: str, secret: str, source: str = "otelward:own") -> None:
        out.append({"kind": kind, "source": source, "text": text, "secret": secret})

    for kind, templates in OWN_TEMPLATES.items():
        for tpl in templates:
            for _ in range(2):
                s = rand(alnum, 10) + rng.choice("!#*@^") + rand(alnum, 5)
                tokens = {
                    "gl": "glpat-" + rand(alnum, 20),
                    "aws": "AKIA" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
                    "ant": "sk-ant-api03-" + rand(alnum + "_-", 93) + "AA",
                    "hf": "hf_" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34),
                    "wh": "whsec_" + rand(alnum, 32),
                    "xoxe": "xoxe-1-" + rand(alnum, 146),
                    "aiza": "AIza" + rand(alnum + "_-", 35),
                    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI"
                    + rand(alnum, 12)
                    + "In0."
                    + rand(alnum + "_-", 43),
                }
                if kind == "url_query_escaped" and "{s}" not in tpl:
                    name = next(k for k in tokens if "{" + k + "}" in tpl)
                    add(kind, tpl.format(**tokens), tokens[name])
                else:
                    add(kind, tpl.format(s=s, **tokens), s)
    for _ in range(4):
        add("stripe", "rk_prod_" + rand(alnum, 40), "")
        add("google", "ya29.c." + rand(alnum + "_-", 60) + "." + rand(alnum + "_-", 40), "")
        add("twilio", "SK" + rand(hexd, 32), "")
        add("mailchimp", rand(hexd, 32) + "-us" + str(rng.randint(1, 21)), "")
        add("telegram", f"{rng.randint(10**8, 10**10)}:AA" + rand(alnum + "_-", 33), "")
        add("shopify", rng.choice(["shpat_", "shpss_", "shpca_", "shppa_"]) + rand(hexd, 32), "")
        add("discord", "M" + rand(alnum, 23) + "." + rand(alnum + "_-", 6) + "." + rand(alnum + "_-", 27), "")
        add("gitlab", "glrt-" + rand(alnum + "_-", 20), "")
        add("gitlab", "GR1348941" + rand(alnum + "_-", 20), "")
        key = rand(b64, 86) + "=="
        add(
            "azure",
            f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={key};EndpointSuffix=core.windows.net",
            key,
        )
        add("aws", "aws_secret_access_key = " + rand(b64, 40), "")
        add("bearer", "Authorization: Bearer " + rand(alnum, 30) + "." + rand(alnum, 12), "")
        pw = rand(alnum, 14)
        add("url_userinfo", f"postgresql://app:{pw}@db.internal:5432/shop", pw)
        for country, length in (("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("IT", 27)):
            iban = _iban(rng, country, length)
            spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
            add("iban", f"refund to {iban} today", iban)
            add("iban", f"IBAN: {spaced}", spaced)
        d = [str(rng.randint(0, 9)) for _ in range(10)]
        area = str(rng.randint(201, 989))
        for phone in (
            f"+1{area}555{''.join(d[:4])}",
            f"+44 20 {''.join(d[:4])} {''.join(d[4:8])}",
            f"({area}) 555-{''.join(d[:4])}",
            f"{area}-555-{''.join(d[4:8])}",
            f"+33 1 {d[0]}{d[1]} {d[2]}{d[3]} {d[4]}{d[5]} {d[6]}{d[7]}",
            f"0{d[0]}{d[1]} {''.join(d[2:6])} {''.join(d[6:10])}",
            f"+49 30 {''.join(d[:8])}",
        ):
            add("phone", f"call me on {phone} after 5", phone)
        card = _luhn(rng.choice(["4", "51", "37", "6011"]), 16, rng)
        add("credit_card", f"card {card} declined", card)
        add("email", f"sent to {rand('abcdefghij', 6)}.{rand('klmnop', 4)}@example.org", "")
        add("ssn", f"ssn {rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)} on file", "")
    # Cases read from pydantic/logfire's tests/test_secret_scrubbing.py (its scrubber's own examples)
    for text in ("User: [{'name': 'John', 'password': 'hunter2'}]", "PasswordError: Password: hunter2"):
        add("password_pairs", text, "hunter2", "logfire:tests/test_secret_scrubbing.py")
    add(
        "url_userinfo",
        "connect config_url=postgresql://admin:s3cr3t_pass@db.internal:5432/mydb",
        "s3cr3t_pass",
        "logfire:tests/test_secret_scrubbing.py",
    )
    for item in out:
        if not item["secret"]:
            # the whole token is the secret, minus the surrounding words
            item["secret"] = max(item["text"].replace("=", " ").split(), key=len)
    return out, own_benign(rng)


def own_benign(rng: random.Random) -> list[dict[str, str]]:
    """Log lines, SQL, URLs, identifiers, base64 of text, hashes, UUIDs, ARNs: what telemetry is full of."""
    import base64
    import hashlib
    import uuid

    words = [
        "the",
        "order",
        "was",
        "shipped",
        "to",
        "the",
        "customer",
        "after",
        "payment",
        "cleared",
        "and",
        "the",
        "invoice",
        "was",
        "sent",
        "by",
        "mail",
        "retry",
        "later",
        "because",
        "upstream",
        "timed",
        "out",
        "while",
        "reading",
        "the",
        "response",
        "body",
        "from",
        "the",
        "cache",
    ]
    out: list[dict[str, str]] = []

    def add(group: str, text: str) -> None:
        out.append({"source": f"otelward:own:{group}", "text": text})

    for i in range(40):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(6, 14)))
        add("base64-of-text", base64.b64encode(sentence.encode()).decode())
        add("base64-of-text", base64.b64encode(sentence[:30].encode()).decode())
        add("hash", hashlib.sha256(sentence.encode()).hexdigest())
        add("hash", hashlib.sha1(sentence.encode()).hexdigest())
        add("hash", hashlib.md5(sentence.encode()).hexdigest())
        add("uuid", str(uuid.UUID(int=rng.getrandbits(128))))
        account = rng.randint(10**11, 10**12 - 1)
        add(
            "arn",
            f"arn:aws:secretsmanager:eu-west-1:{account}:secret:prod/db-{''.join(rng.choice('ABCDEFabcdef') for _ in range(6))}",
        )
        add("arn", f"arn:aws:iam::{account}:role/service-role/lambda-{i}")
        add("arn", f"arn:aws:sns:us-east-1:{account}:orders-topic")
    log_lines = [
        'token_type=bearer expires_in=3600 scope="read write"',
        "password: changed",
        "password: reset requested for user 42",
        "token: refreshed",
        "auth=ok user=42",
        "credentialsId: '3f2b8c1e-9a4d-4e6f-b2a1-7c8d9e0f1a2b'",
        "SELECT id FROM sessions WHERE token_hash = %s AND expires_at > now()",
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        "GET /search?q=select+*+from+customers+where+email%3D%27x%27&limit=10",
        "-[HFTableViewController hf_reloadDataPreservingSelectionAnimatedCompletion]",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBGS"
        + base64.b64encode(bytes(rng.getrandbits(8) for _ in range(300))).decode()[:200]
        + "\n-----END PGP PUBLIC KEY BLOCK-----",
        "-----BEGIN CERTIFICATE-----\nMIID"
        + base64.b64encode(bytes(rng.getrandbits(8) for _ in range(300))).decode()[:200]
        + "\n-----END CERTIFICATE-----",
        '127.0.0.1 - - [01/Dec/2026:08:00:01 +0000] "GET /api/v1/orders?page=2 HTTP/1.1" 200 512 "-" "curl/8.4.0"',
        "2026-12-01 08:00:01,123 INFO [celery.worker] Task orders.sync[3f2b8c1e-9a4d-4e6f-b2a1-7c8d9e0f1a2b] succeeded in 0.41s",
        "LOG:  duration: 12.345 ms  statement: SELECT * FROM orders WHERE customer_id = 42",
        "Warning: FailedScheduling pod/web-7d9f8b6c5d-x2k4j 0/3 nodes are available",
        "django.request: Not Found: /favicon.ico",
        "Connection pool full, discarding connection: api.stripe.com",
        "Retrying (Retry(total=2, connect=None, read=None)) after connection broken",
        "user_id=42 session_count=3 auth_method=password result=success",
        "password_reset_sent=true for account 42",
        "tests: pass=120 fail=0 skip=3",
        "secret: none configured, using the default provider",
        "token: expired, requesting a new one",
        "api_key: missing",
        "Authorization: <redacted>",
        "curl -u $USER:$PASSWORD https://ci.internal/api",
        "password=${DB_PASSWORD}",
        "db_pass: {{ .Values.db.password }}",
        "Build 1.4.2 (commit 3f2b8c1e9a4d) deployed to eu-west-1",
        "phone support opens at 09:00, call 0800 123 456 between 9-17",
        "version 2026.11.30 build 20261130.4",
        "order 1234-5678 shipped in 3-5 days",
        "latency p99=412ms p50=35ms over 10000 requests",
        "INSERT INTO audit (actor, action) VALUES ('svc-billing', 'refund')",
        "GET https://www.googleapis.com/storage/v1/b/acme-assets/o?prefix=img%2F2026%2F",
        "ya29 is the prefix of Google OAuth access tokens",
        "module github.com/acme/shop/internal/auth v0.0.0-20261130120000-3f2b8c1e9a4d",
        'Traceback (most recent call last):\n  File "/app/views.py", line 42, in checkout\n    raise PaymentError(code)',
    ]
    for line in log_lines:
        add("log-lines", line)
    # logfire's scrubber keeps these on purpose (tests/test_secret_scrubbing.py); so do we
    for line in (
        "Author: Alice1",
        "authors: Alice2",
        "mode: password",
        "event.name: Password: {user_password}",
    ):
        out.append({"source": "logfire:tests/test_secret_scrubbing.py", "text": line})
    for _ in range(12):
        # numbers telemetry is full of, in the shapes phone numbers take
        a, b, c = rng.randint(100, 999), rng.randint(100, 999), rng.randint(1000, 9999)
        add("numbers", f"order {a}-{b}-{c} shipped")
        add("numbers", f"amount {rng.randint(1, 99)} {a} {b}.{rng.randint(10, 99)} EUR")
        add("numbers", f"latency buckets {a} {b} {c} ms")
        add("numbers", f"release 20{rng.randint(10, 26)}.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}")
        add(
            "numbers",
            f"peer 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}:{rng.randint(1024, 65535)}",
        )
        add("numbers", f"invoice +{rng.randint(1, 9)} items, total {a}.{rng.randint(10, 99)}")
        add(
            "numbers",
            f"at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} took {a} {b} {c} ns",
        )
    for i in range(30):
        add(
            "identifiers",
            rng.choice(
                [
                    "getUserSessionTokenCount",
                    "parse_auth_header_v2",
                    "PasswordResetController",
                    "api_key_rotation_job",
                    "SecretManagerClientFactory",
                    "TokenBucketRateLimiter",
                ]
            )
            + f"_{i}",
        )
        add(
            "urls",
            f"https://shop.example.com/products/{rng.randint(1, 9999)}?color=blue&size=m&utm_source=newsletter",
        )
        add(
            "sql",
            f"SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id = {rng.randint(1, 9999)} LIMIT 50",
        )
    _access_lines(rng, add)
    return out


def _access_lines(rng: random.Random, add: Callable[[str, str], None]) -> None:
    """Add combined-log-format lines (gunicorn, nginx, Apache) whose paths end in credential words (issue 16)."""
    paths = [
        "/oauth/token",
        "/oauth2/token",
        "/api/v1/auth/token",
        "/token",
        "/auth/token/refresh",
        "/session",
        "/api/session",
        "/password/reset",
        "/accounts/password/change/",
        "/login",
        "/admin/login/?next=/admin/",
        "/api/keys",
        "/secret",
        "/basic",
        "/.well-known/openid-configuration",
    ]
    agents = ["curl/8.4.0", "python-requests/2.32.3", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "-"]
    for path in paths:
        for proto in ("HTTP/1.0", "HTTP/1.1", "HTTP/2.0"):
            method = rng.choice(["GET", "POST", "PUT", "DELETE"])
            ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            when = f"{rng.randint(1, 28):02d}/Dec/2026:{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 +0000"
            status, size = rng.choice([200, 201, 204, 302, 400, 401, 404, 500]), rng.randint(0, 9999)
            agent = rng.choice(agents)
            add("access-lines", f'{ip} - - [{when}] "{method} {path} {proto}" {status} {size} "-" "{agent}"')
    add(
        "access-lines",
        '127.0.0.1 - - [01/Dec/2026:08:00:01 +0000] "POST /oauth/token HTTP/1.1" 200 87 "-" "-"',
    )
    add("access-lines", 'INFO:     127.0.0.1:51234 - "POST /token HTTP/1.1" 200 OK')
