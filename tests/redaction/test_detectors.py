"""Value detectors fire on their secret shape wherever it appears, and not on look-alikes."""

from __future__ import annotations

import pytest

from otelward.redaction import RedactionEngine
from otelward.redaction._personal import luhn_ok
from otelward.redaction._replace import Replacer

ENGINE = RedactionEngine()
SHOW = RedactionEngine(replacer=Replacer(show_rule=True))

FOUND = [
    ("jwt", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok", "tok [REDACTED:jwt] ok"),
    ("bearer", "Authorization: Bearer abc123.def-456", "Authorization: [REDACTED:password_pairs]"),
    ("bearer-free", "sent bearer 9f8e7d6c5b4a to upstream", "sent bearer [REDACTED:bearer] to upstream"),
    ("basic", "Basic dXNlcjpwYXNzd29yZA== was sent", "Basic [REDACTED:bearer] was sent"),
    ("token-scheme-after-dash", "x-token 9f8e7d6c5b4a sent", "x-token [REDACTED:bearer] sent"),
    ("pem", "k=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0\n-----END PRIVATE KEY----- end", "k=[REDACTED:pem] end"),
    ("pem-truncated", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r", "[REDACTED:pem]"),
    ("aws-id", "key AKIAIOSFODNN7EXAMPL3 used", "key [REDACTED:aws] used"),
    ("aws-secret", "s wJalrXUtnFEMI/K7MDENG/bPxRfiCY7q2Lm9Zk4Q x", "s [REDACTED:aws] x"),
    ("github", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 push", "[REDACTED:vendor_tokens] push"),
    ("github-pat", "github_pat_11AQ7TV2Y0nKq8Zx3Wm5pL_7rQe2VbN9sXc4Hd6Jf1Gk", "[REDACTED:vendor_tokens]"),
    ("gitlab", "glpat-Xq7Lm2Rt9Vb4Nc6Kp1Zs", "[REDACTED:vendor_tokens]"),
    ("slack", "xoxb-7812365427-2364535789-GkwFDQoHqzXDVsC6", "[REDACTED:vendor_tokens]"),
    ("slack-webhook", "https://hooks.slack.com/services/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", "https://hooks.slack.com/services/[REDACTED:vendor_tokens]"),
    ("stripe", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED:vendor_tokens]"),
    ("google", "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-", "[REDACTED:vendor_tokens]"),
    ("openai", "sk-proj-Xi8tdMjHV6pmbBbwilTeT3BlbkFJ3UDnpd", "[REDACTED:vendor_tokens]"),
    # issue 17, cause 3: shapes the docs claimed but the patterns missed
    ("stripe-rk-prod", "key rk_prod_51OuEMLAlTWGaDypquDn9aZigaJ", "key [REDACTED:vendor_tokens]"),
    ("google-ya29-c", "ya29.c.b0Aaek7Ff3Yq.Lm2Rt9Vb4Nc6Kp1Zs8Hd ok", "[REDACTED:vendor_tokens] ok"),
    ("cli-password", "pg_dump --password=Hs8!kq2Lm --host=db", "pg_dump --password=[REDACTED:password_pairs] --host=db"),
    ("cli-password-space", "backup --password Hs8!kq2Lm -v", "backup --password [REDACTED:password_pairs] -v"),
    ("json-in-text", 'note: {"credentials":{"pass":"Hs8!kq2Lm"}} saved', 'note: {"credentials":[REDACTED:password_pairs]} saved'),
    # issue 17, cause 4: families not covered before
    ("iban", "refund to DE89370400440532013000 today", "refund to [REDACTED:iban] today"),
    ("iban-spaced", "IBAN GB82 WEST 1234 5698 7654 32.", "IBAN [REDACTED:iban]."),
    ("twilio", "sid SK8f3b2a9c4d5e6f708192a3b4c5d6e7f8 ok", "sid [REDACTED:vendor_tokens] ok"),
    ("discord", "bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", "bot [REDACTED:vendor_tokens]"),
    ("mailchimp", "mc 343ea45721923ed956e2b38c31db76aa-us30", "mc [REDACTED:vendor_tokens]"),
    ("telegram", "bot 7213808860:AAH1bjqpKKW3maRSPAxzIU-0v6xNuq2-NjM", "bot [REDACTED:vendor_tokens]"),
    ("shopify", "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", "[REDACTED:vendor_tokens]"),
    ("azure-account-key", "AccountName=acme;AccountKey=lJzRc1YdHaAA2KCNJJ1tkYwF/+mKK6Ygw0NGe170Xu59==;EndpointSuffix=x", "AccountName=acme;AccountKey=[REDACTED:vendor_tokens];EndpointSuffix=x"),
    ("gitlab-runner", "glrt-2CR8_eVxiioB1QmzPZwa", "[REDACTED:vendor_tokens]"),
    ("gitlab-runner-registration", "GR1348941Zk3fQ9wLmT2xR7vB1nC8", "[REDACTED:vendor_tokens]"),
    ("curl-user", "curl -u deploy:Hs8kq2Lm9 https://ci/x", "curl -u deploy:[REDACTED:password_pairs] https://ci/x"),
    ("creds", "creds = Hs8kq2Lm9", "creds = [REDACTED:password_pairs]"),
    ("db-pass", "db_pass: Hs8kq2Lm9", "db_pass: [REDACTED:password_pairs]"),
    ("json-patch", '[{"op":"replace","path":"/password","value":"Hs8kq2Lm9"}]', '[{"op": "replace", "path": "/password", "value": "[REDACTED:key]"}]'),
    ("json-patch-in-text", 'PATCH body=[{"op":"add","path":"/password","value":"Hs8kq2Lm9"}]', 'PATCH body=[{"op":"add","path":"/password","value":"[REDACTED:password_pairs]"}]'),
    ("connect-sid", "set connect.sid=s%3AHs8kq2Lm9.abc for x", "set connect.sid=[REDACTED:password_pairs] for x"),
    ("laravel-session", "laravel_session=eyJpdiI6Ikx0Zk5 ok", "laravel_session=[REDACTED:password_pairs] ok"),
    # issue 17, cause 2: percent-escapes next to a token
    ("escaped-gitlab", "q=GITLAB_TOKEN%3Dglpat-Xq7Lm2Rt9Vb4Nc6Kp1Zs&p=1", "q=GITLAB_TOKEN%3D[REDACTED:vendor_tokens]&p=1"),
    ("escaped-aws", "q=%22AKIAQ7TV2Y3NKZXW5PLM%22", "q=%22[REDACTED:aws]%22"),
    ("escaped-anthropic", "q=%27sk-ant-api03-Xq7Lm2Rt9Vb4Nc6Kp1ZsHd6Jf1Gk%27", "q=%27[REDACTED:vendor_tokens]%27"),
    ("escaped-pair", "q=password%3DHs8kq2Lm9&p=1", "q=password%3D[REDACTED:password_pairs]&p=1"),
    ("form-encoded-pair", "q=password+%3D+Hs8kq2Lm9&p=1", "q=password+%3D[REDACTED:password_pairs]&p=1"),
    ("json-escaped-pair", '{"m": "login \\"password\\": \\"Hs8kq2Lm9\\""}', '{"m": "login \\"password\\": \\"[REDACTED:password_pairs]\\""}'),
    ("json-unicode-escaped", 'b="{\\u0022token\\u0022: \\u0022Hs8kq2Lm9\\u0022}"', 'b="{\\u0022token\\u0022: \\u0022[REDACTED:password_pairs]\\u0022}"'),
    ("email-in-form-encoded-sql", "q=select+*+from+customers+where+email%3D%27ada%40example.com%27", "q=select+*+from+customers+where+email%3D%27[REDACTED:email]%27"),
    ("jwt-escaped", "q=jwt%3DeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "q=jwt%3D[REDACTED:jwt]"),
    ("pair", "login password=hunter2; ok", "login password=[REDACTED:password_pairs]; ok"),
    ("pair-json", '{"client_secret": "s3cr3t"}', '{"client_secret": "[REDACTED:key]"}'),
    ("pair-json-in-text", 'body {"client_secret": "s3cr3t"', 'body {"client_secret": "[REDACTED:password_pairs]"'),
    ("pair-conn", "Server=db;User Id=app;Password=p@ss;", "Server=db;User Id=app;Password=[REDACTED:password_pairs];"),
    ("userinfo", "postgresql://app:pw0rd@db:5432/shop", "postgresql://REDACTED:REDACTED@db:5432/shop"),
    ("query", "GET /cb?code=abc123&state=xyz", "GET /cb?code=REDACTED&state=xyz"),
    ("card-spaces", "card 4111 1111 1111 1111 ok", "card [REDACTED:credit_card] ok"),
    ("card-plain", "card 5500000000000004", "card [REDACTED:credit_card]"),
    ("card-amex", "amex 3782-822463-10005", "amex [REDACTED:credit_card]"),
    ("ssn", "ssn 219-09-9999.", "ssn [REDACTED:ssn]."),
    ("email", "mail ada.l+x@example.co.uk now", "mail [REDACTED:email] now"),
    ("email-encoded", "to=ada%40example.com", "to=[REDACTED:email]"),
]  # fmt: skip

KEPT = [
    # issue 16 item 6: a path ending in a scheme word before the protocol is an access line, not a credential
    ("access-line-oauth-token", '10.0.0.1 - - [01/Dec/2026:08:00:01 +0000] "POST /oauth/token HTTP/1.1" 200 87 "-" "-"'),
    ("access-line-basic", '"GET /auth/basic HTTP/2.0" 401 0'),
    ("uvicorn-access-token", 'INFO:     127.0.0.1:51234 - "POST /token HTTP/1.1" 200 OK'),
    ("uuid", "req 550e8400-e29b-41d4-a716-446655440000 done"),
    ("trace-id", "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7"),
    ("sha1", "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
    ("sha256", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("epoch-ms", "at 1732550000123 and 1732550000123456789"),
    ("luhn-bad", "card 4111 1111 1111 1112"),
    ("no-prefix", "order 9111111111111111"),
    ("date", "on 2026-11-25 at 12:00:01"),
    ("ssn-invalid", "id 000-12-3456 and 666-12-3456"),
    ("prose-bearer", "the bearer instrument and basic authentication"),
    ("decorator", "@app.get and user@localhost"),
    ("tokens", "input_tokens=512 output_tokens=128 max_tokens=4096"),
    ("key-prose", "session: started; token: expired"),
    ("phone", "call +1 415 555 0100"),  # phone is opt-in (OTELWARD_REDACTION_ENABLE=phone)
    # issue 17: false redactions
    ("base64-of-text", "VGhlIG9yZGVyIHdhcyBzaGlwcGVkIHRvIHRoZSBj"),
    ("password-changed", "password: changed"),
    ("token-refreshed", "token: refreshed"),
    ("token-type", "token_type=bearer expires_in=3600"),
    ("auth-ok", "auth=ok user=42"),
    ("credentials-id", "credentialsId: '3f2b8c1e-9a4d-4e6f-b2a1-7c8d9e0f1a2b'"),
    ("sql-placeholder", "SELECT id FROM sessions WHERE token_hash = %s"),
    ("secrets-manager-arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"),
    ("objc-identifier", "-[HFTableViewController hf_reloadDataPreservingSelectionAnimatedCompletion]"),
    ("pgp-public-key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBGSVV4YBDAClvRnxezIRy2Yv7SFlzC0iFiRF\nO/jePSw+XYhvcrTaqSYTGic\n-----END PGP PUBLIC KEY BLOCK-----"),
    ("form-encoded-sql", "q=select+*+from+customers+where+email%3D%27x%27&limit=10"),
    # placeholders in a token's shape are documentation, not secrets
    ("placeholder-github", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("placeholder-slack", "xoxb-1234567890-abcdefghij"),
    ("placeholder-aws-example", "AKIAIOSFODNN7EXAMPLE"),
    ("placeholder-pair", "password=${DB_PASSWORD} api_key=<your key> token=%s"),
    ("placeholder-curl", "curl -u $USER:$PASSWORD https://ci/x"),
    ("ip", "client 10.0.0.12:51234 -> 192.168.1.1"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in FOUND], ids=[c[0] for c in FOUND])
def test_detectors_replace_the_secret_only(text: str, expected: str) -> None:
    assert SHOW.redact_text(text) == expected


@pytest.mark.parametrize("text", [c[1] for c in KEPT], ids=[c[0] for c in KEPT])
def test_look_alikes_are_kept(text: str) -> None:
    assert ENGINE.redact_text(text) == text


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
    ids=str,
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


def test_a_credential_url_parameter_is_masked_even_when_its_value_looks_made_up() -> None:
    # The demo's api_key=sk_live_51Hdemo0123456789abcdef reached the collector: the placeholder heuristics
    # (ascending runs) kept it although the parameter name says it is a credential.
    from otelward.config import Settings
    from otelward.redaction import build_redactor

    engine = build_redactor(Settings.from_env({}))
    assert engine is not None
    out = engine.redact_value("url.query", "email=a&api_key=sk_live_51Hdemo0123456789abcdef")
    assert "sk_live_51Hdemo0123456789abcdef" not in str(out)
