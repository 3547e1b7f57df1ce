"""A Flask service that leaks secrets everywhere a real app might; otelward must keep them all in.

Run it instrumented:  opentelemetry-instrument python examples/secrets_app/app.py
Every secret below is a fake made for the redaction tests.
"""

from __future__ import annotations

import logging
import os
import sqlite3

import requests
from flask import Flask, request
from opentelemetry import metrics, trace

app = Flask(__name__)
log = logging.getLogger("secrets")
PORT = int(os.environ.get("PORT", "8000"))

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEtbG92ZWxhY2UiLCJyb2xlIjoiYWRtaW4ifQ"
    ".c2lnbmF0dXJlLW9mLXRoZS1leGFtcGxlLWp3dA"
)
STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dcXYZ"
GITHUB_TOKEN = "ghp_" + "R2D2C3POBB8Yoda4Luke5Leia6HanSolo7Ch"
DB_PASSWORD = "Tr0ub4dor-and-3"
CARD = "4539 1488 0343 6467"
EMAIL = "ada.lovelace@analytical.example"
AWS_KEY_ID = "AKIAZ7X4Q2M9EXAMPL3Q"
SSN = "219-09-9999"

meter = metrics.get_meter("secrets")
logins = meter.create_counter("demo.logins", description="logins by api key (a bad label choice)")


@app.get("/checkout")
def checkout():
    span = trace.get_current_span()
    span.set_attribute("payment.card", f"card {CARD} for order 1234")
    span.set_attribute("customer.note", f"contact {EMAIL} ssn {SSN}")
    span.set_attribute("order.id", "ord-1234")
    conn = sqlite3.connect(":memory:")
    cur = conn.cursor()
    cur.execute("CREATE TABLE users (email TEXT, api_key TEXT, plan TEXT)")
    cur.execute(f"INSERT INTO users VALUES ('{EMAIL}', '{STRIPE_KEY}', 'gold')")
    cur.execute(f"SELECT plan FROM users WHERE email = '{EMAIL}' AND api_key = '{STRIPE_KEY}'")
    cur.fetchall()
    conn.close()
    logins.add(1, {"api_key": STRIPE_KEY, "plan": "gold"})
    # Outgoing call with credentials in the URL userinfo and query string.
    downstream = f"http://svc:{DB_PASSWORD}@127.0.0.1:{PORT}/inventory?access_token={GITHUB_TOKEN}&item=42"
    requests.get(downstream, timeout=5)
    log.info("charged card %s for %s with token %s", CARD, EMAIL, JWT)
    log.info("checkout done", extra={"db_password": DB_PASSWORD, "aws_key": AWS_KEY_ID, "items": 3})
    return {"ok": True, "auth_seen": bool(request.headers.get("Authorization"))}


@app.get("/inventory")
def inventory():
    return {"item": request.args.get("item")}


@app.get("/fail")
def fail():
    try:
        raise RuntimeError(f"payment gateway rejected key {STRIPE_KEY} for {EMAIL}")
    except RuntimeError:
        log.exception("payment failed for order 1234")
        raise


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT, threaded=True)
