"""Key rules: compound and camelCase keys are caught; look-alikes (tokens counts, author) are not."""

from __future__ import annotations

import pytest

from otelward.redaction._gates import has_key_hint
from otelward.redaction._keys import URL_PARAMS, classify_key, is_url_param, key_words

SENSITIVE = [
    "password", "db.password", "DB_PASSWORD", "dbpassword", "passwd", "pwd", "user.passphrase",
    "client_secret", "secretKey", "AWS_SECRET_ACCESS_KEY", "access_token", "refreshToken", "id_token",
    "api-token", "api_key", "apiKey", "x-api-key", "X-API-KEY", "private_key", "auth", "authorization",
    "http.request.header.authorization", "proxy_authorization", "credentials", "session", "sessionid",
    "session_id", "x-session-id", "JSESSIONID", "cookie", "set_cookie", "csrf_token", "xsrf", "jwt",
    "ssn", "credit_card", "creditCardNumber", "card_number", "cvv", "signature",
    # issue 17: short forms and session cookies by name
    "creds", "db_pass", "smtp_pass", "connect.sid", "laravel_session", "_gitlab_session", "PHPSESSID",
    "wordpress_logged_in", "_myapp_session",
]  # fmt: skip
BENIGN = [
    "input_tokens", "gen_ai.usage.input_tokens", "max_tokens", "output_tokens", "token_count",
    "llm.token_count.prompt", "token_type", "author", "authors", "authority", "session_count",
    "session.duration", "browserSessionId", "auth_method", "password_policy", "cache_key",
    "messaging.kafka.message.key", "api_key_name", "http.route", "user.id", "tokenizer", "keyboard",
    "cookie_consent", "passenger", "bypass", "secretary_name",
]  # fmt: skip


@pytest.mark.parametrize("key", SENSITIVE, ids=SENSITIVE)
def test_sensitive_keys_are_caught(key: str) -> None:
    assert classify_key(key)


@pytest.mark.parametrize("key", BENIGN, ids=BENIGN)
def test_look_alike_keys_are_not(key: str) -> None:
    assert not classify_key(key)


@pytest.mark.parametrize(
    ("key", "words"),
    [("refreshToken", ["refresh", "token"]), ("X-API-Key", ["x", "api", "key"]), ("APIKey", ["api", "key"])],
    ids=["camel", "header", "acronym"],
)
def test_key_words(key: str, words: list[str]) -> None:
    assert key_words(key) == words


@pytest.mark.parametrize(
    ("name", "redacted"),
    [
        ("AWSAccessKeyId", True),
        ("Signature", True),
        ("sig", True),
        ("X-Goog-Signature", True),
        ("X-Amz-Credential", True),
        ("X-Amz-Security-Token", True),
        ("access_token", True),
        ("page", False),
        ("q", False),
        ("max_tokens", False),
    ],
    ids=str,
)
def test_url_params(name: str, redacted: bool) -> None:
    assert is_url_param(name) is redacted


@pytest.mark.parametrize("key", SENSITIVE + sorted(URL_PARAMS), ids=SENSITIVE + sorted(URL_PARAMS))
def test_the_free_text_gate_lets_every_sensitive_key_through(key: str) -> None:
    # Free text is only searched for key=value pairs when it contains a key hint; a sensitive key
    # without one would silently escape the password_pairs and url_query detectors.
    assert has_key_hint(key)
