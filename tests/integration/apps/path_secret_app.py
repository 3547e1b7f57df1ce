"""A Flask app whose routes carry secrets in the path (issue 16 item 5)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/basic-auth/<user>/<passwd>")
def basic_auth(user: str, passwd: str) -> dict[str, object]:
    return {"authenticated": True, "user": user}


@app.get("/reset/<token>")
def reset(token: str) -> str:
    return "reset link accepted"
