"""A click CLI whose ``serve`` command runs a Flask server until the process stops (issue 16 item 2)."""

from __future__ import annotations

import click
from flask import Flask, abort

app = Flask(__name__)


@app.get("/hello/<int:n>")
def hello(n: int) -> str:
    return f"hello {n}"


@app.get("/fail")
def fail() -> str:
    abort(500)


@click.group()
def cli() -> None:
    """The shop's command line."""


@cli.command()
@click.option("--port", type=int, required=True)
def serve(port: int) -> None:
    """Run the web server."""
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    cli()
