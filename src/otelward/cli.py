"""The ``otelward`` command: ``doctor``, ``--version`` and the ``slo`` tools."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from otelward._version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="otelward", description="otelward: an OpenTelemetry distro for Python."
    )
    parser.add_argument("--version", action="version", version=f"otelward {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    doctor = sub.add_parser(
        "doctor",
        help="show the effective configuration, instrumentations, distro conflicts and endpoint reachability",
    )
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    from otelward.slo.cli import add_subparser

    add_subparser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from otelward._doctor import run

        return run(os.environ, sys.stdout, as_json=args.json)
    handler = getattr(args, "handler", None)
    if handler is not None:
        code: int = handler(args)
        return code
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
