"""OTLP log records: the formatted message, extra= fields and exception text are redacted."""

from __future__ import annotations

from otelward.redaction import RedactionEngine
from otelward.redaction._logs import log_transform
from otelward.redaction._spans import AUDIT_ATTRIBUTE
from tests.redaction._carriers import log_item

ENGINE = RedactionEngine()
EMAIL = "ada@example.com"


def test_body_extra_and_exception_are_redacted_in_a_new_record() -> None:
    item = log_item("charged %s", EMAIL, db_password="hunter2", order="ord-1", card_no=4111111111111111)
    [out] = log_transform(ENGINE)([item])
    assert out is not item
    record = out.log_record
    assert record.body == "charged [REDACTED]"
    attrs = dict(record.attributes or {})
    assert attrs["db_password"] == "[REDACTED]"
    assert attrs["order"] == "ord-1"
    assert attrs["exception.message"] == "bad input [REDACTED]"
    assert EMAIL not in attrs["exception.stacktrace"]
    assert "ValueError" in attrs["exception.stacktrace"]
    assert attrs["card_no"] == "[REDACTED]"
    assert set(attrs[AUDIT_ATTRIBUTE]) == {
        "body:email",
        "db_password:key",
        "card_no:credit_card",
        "exception.message:email",
        "exception.stacktrace:email",
    }
    assert item.log_record.body == f"charged {EMAIL}"  # the original is not edited in place
    assert out.resource is item.resource
    assert record.trace_id == item.log_record.trace_id
    assert record.severity_number == item.log_record.severity_number


def test_clean_records_pass_through() -> None:
    item = log_item("served user %s", 42)
    assert log_transform(ENGINE)([item])[0] is item


def test_structured_bodies_are_walked() -> None:
    item = log_item("x")
    item.log_record.body = {"user": "ada", "token": "abc123xyz", "list": [EMAIL]}
    [out] = log_transform(ENGINE)([item])
    assert out.log_record.body == {"user": "ada", "token": "[REDACTED]", "list": ["[REDACTED]"]}
