"""False positives: a benign corpus stays unchanged; the rate is computed here and reported in the docs."""

from __future__ import annotations

import pytest

from otelward.redaction import RedactionEngine
from tests.redaction._benign import BENIGN_ATTRIBUTES, BENIGN_TEXT, DOCUMENTED_CHANGES

ENGINE = RedactionEngine()


def false_redaction_rate() -> tuple[int, int, list[str]]:
    """Return (changed, total, changed items) over the benign corpus, values and attribute sets.

    ``python -c "from tests.redaction.test_benign import report; report()"`` prints the rate.
    """
    changed = [t for t in BENIGN_TEXT if ENGINE.redact_text(t) != t]
    total = len(BENIGN_TEXT)
    for attrs in BENIGN_ATTRIBUTES:
        for key, value in attrs.items():
            total += 1
            if ENGINE.redact_value(key, value) != value:
                changed.append(f"{key}={value!r}")
    return len(changed), total, changed


def test_benign_corpus_is_unchanged_apart_from_documented_cases() -> None:
    n, total, changed = false_redaction_rate()
    assert total > 500
    undocumented = [c for c in changed if c not in DOCUMENTED_CHANGES]
    assert undocumented == [], f"false redactions: {n}/{total}"


@pytest.mark.parametrize("text", list(DOCUMENTED_CHANGES), ids=list(DOCUMENTED_CHANGES))
def test_documented_cases_are_redacted_as_documented(text: str) -> None:
    assert ENGINE.redact_text(text) == DOCUMENTED_CHANGES[text]


def report() -> None:
    """Print the false-redaction rate (used for the figure in docs/redaction.md)."""
    n, total, changed = false_redaction_rate()
    print(f"false redactions: {n}/{total} = {n / total:.2%}")
    for item in changed:
        print("  ", item)
