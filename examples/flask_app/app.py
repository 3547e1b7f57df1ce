"""A small Flask service used by the demo and the integration tests. It knows nothing about otelward.

Run it instrumented:  opentelemetry-instrument python examples/flask_app/app.py
or under gunicorn:    opentelemetry-instrument gunicorn -w 2 -b 127.0.0.1:8000 examples.flask_app.app:app
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
log = logging.getLogger("shop")

DB_PATH = os.environ.get("SHOP_DB", ":memory:")
PORT = int(os.environ.get("PORT", "8000"))
DOWNSTREAM = os.environ.get("DOWNSTREAM_URL", f"http://127.0.0.1:{PORT}")


def _db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    cur = conn.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT, name TEXT)")
    cur.execute(
        "INSERT OR IGNORE INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob')"
    )
    return conn


@app.get("/")
def index():
    return {"service": "shop", "routes": ["/users/<id>", "/profile/<id>", "/search", "/boom", "/slow"]}


@app.get("/users/<int:user_id>")
def get_user(user_id: int):
    conn = _db()
    cur = conn.cursor()
    cur.execute("SELECT id, name FROM users WHERE id = ?", (user_id,))
    row = cur.fetchone()
    conn.close()
    if row is None:
        log.warning("user %s not found", user_id)
        return {"error": "not found"}, 404
    profile = requests.get(f"{DOWNSTREAM}/profile/{user_id}", timeout=5).json()
    log.info("served user %s", user_id)
    return jsonify(id=row[0], name=row[1], profile=profile)


@app.get("/profile/<int:user_id>")
def profile(user_id: int):
    if request.args.get("fail"):
        raise RuntimeError("profile service failed")
    log.info("profile lookup for %s", user_id)
    return {"user_id": user_id, "tier": "gold" if user_id % 2 else "silver"}


@app.get("/search")
def search():
    # Deliberately careless code, the kind otelward protects against: secrets in the URL, a literal in SQL,
    # personal data and a token in a log line. Nothing of it should leave the process unredacted.
    email = request.args.get("email", "")
    conn = _db()
    cur = conn.cursor()
    cur.execute(f"SELECT id, name FROM users WHERE email = '{email}'")
    rows = cur.fetchall()
    conn.close()
    log.info("search by %s with key %s", email, request.args.get("api_key"))
    return {"matches": len(rows)}


@app.get("/slow")
def slow():
    time.sleep(float(request.args.get("s", "1.2")))
    return {"slept": True}


@app.get("/boom")
def boom():
    log.info("about to fail")
    raise ValueError("something broke while charging the card")


if __name__ == "__main__":
    # threaded so that /users can call /profile on the same server
    app.run(host="127.0.0.1", port=PORT, threaded=True)
