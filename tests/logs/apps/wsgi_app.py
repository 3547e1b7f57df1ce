"""A Flask app for the gunicorn logger and hostile-input tests; knows nothing about otelward."""

from __future__ import annotations

import logging
from urllib.parse import unquote_to_bytes

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger("app.wsgi")


@app.get("/work")
def work() -> dict[str, str]:
    logging.getLogger("gunicorn.error").info("gunicorn logger inside request")
    log.info("app logger inside request")
    return {"ok": "yes"}


@app.get("/echo")
def echo() -> dict[str, int]:
    # the raw query, undecodable bytes kept as surrogates: newlines, ANSI escapes, invalid UTF-8
    raw = unquote_to_bytes(request.query_string).decode("utf-8", "surrogateescape")
    log.warning("echo %s", raw, extra={"raw": raw})
    return {"len": len(raw)}


@app.get("/boom")
def boom() -> dict[str, str]:
    # Flask logs "Exception on /boom [GET]" with the traceback through its default_handler, whose stream
    # (a LocalProxy to wsgi.errors) is gunicorn's WSGIErrorsWrapper inside a request.
    token = request.args.get("t", "")
    raise RuntimeError(f"upstream refused credential {token}")
