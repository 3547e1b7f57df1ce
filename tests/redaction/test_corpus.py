"""The field's corpora through every carrier the docs claim: zero leaks, false redaction at most 1%.

Corpora and their sources: tests/redaction/corpus/README.md. The table and rate are printed by
``python -m tests.redaction._corpus``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from otelward.redaction import RedactionEngine
from tests.redaction._corpus import CARRIERS, benign_items, disputed, false_redactions, leaks, secret_items

ENGINE = RedactionEngine()
WITH_PHONE = RedactionEngine(disabled=frozenset())


def test_the_corpora_are_the_size_the_docs_report() -> None:
    secrets = secret_items()
    kinds = Counter(x["kind"] for x in secrets)
    assert len(secrets) >= 800
    assert len(kinds) >= 30
    assert min(kinds.values()) >= 2
    assert len(benign_items()) >= 850
    sources = {x["source"].split(":")[0] for x in secrets + benign_items()}
    assert sources == {"gitleaks", "detect-secrets", "logfire", "otelward"}


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_no_secret_leaks_through_any_claimed_carrier(carrier: str) -> None:
    _, leaked = leaks(ENGINE, secret_items(), [carrier])
    assert leaked == []


def test_false_redaction_is_at_most_one_percent_of_benign_values() -> None:
    benign = benign_items()
    changed = false_redactions(ENGINE, benign)
    assert len(changed) <= 0.01 * len(benign), [x["text"][:60] for x in changed]


def test_disputed_negatives_are_the_ones_redacted_on_purpose() -> None:
    # Each entry documents a redaction we want; one that is no longer redacted must leave the list.
    kept = [text[:60] for text in disputed() if ENGINE.redact_text(text) == text]
    assert kept == []


def test_phone_numbers_are_caught_when_enabled() -> None:
    _, leaked = leaks(WITH_PHONE, secret_items(opt_in=True))
    assert leaked == []
    assert all(ENGINE.redact_text(x["text"]) == x["text"] for x in secret_items(opt_in=True))


def test_phone_detection_misses_the_precision_target_so_it_is_off_by_default() -> None:
    # ddd-ddd-dddd order ids read exactly like US numbers: the measured rate is why phone is opt-in.
    benign = benign_items()
    assert len(false_redactions(WITH_PHONE, benign)) > 0.01 * len(benign)


def test_combined_log_format_access_lines_are_never_changed() -> None:
    # Issue 16 item 6: "POST /oauth/token HTTP/1.1" became "POST /oauth/token [REDACTED]" before the fix.
    lines = [x for x in benign_items() if x["source"] == "otelward:own:access-lines"]
    assert len(lines) >= 40
    assert false_redactions(ENGINE, lines) == []
