"""The ``otelward`` command: ``run``, ``doctor``, ``--version`` and the ``slo`` tools."""

from __future__ import annotations

import os
import sys

from otelward._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:  # `otelward run` starts every app: keep its imports to os and sys
    import argparse
    from collections.abc import Mapping, Sequence

__all__ = ["main", "run_command"]


def _parser() -> argparse.ArgumentParser:
    import argparse

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
    run = sub.add_parser(
        "run",
        help="run a command with otelward started in it, without opentelemetry-instrument's loader",
        description="Run COMMAND with otelward started in its Python process (and in forked workers): "
        "`otelward run -- gunicorn app:app`. Same settings as under opentelemetry-instrument; faster start-up.",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="COMMAND", help="the command and its arguments")
    from otelward.slo.cli import add_subparser

    add_subparser(sub)
    return parser


def run_command(cmd: Sequence[str], environ: Mapping[str, str]) -> int:
    """Replace this process with ``cmd``, otelward's ``sitecustomize`` first on its ``PYTHONPATH``.

    Returns:
        Only on error: 2 without a command, 127 when the command is not found, 126 when it cannot run.
    """
    import shutil

    from otelward.startup._boot import with_bootstrap

    args = list(cmd[1:] if cmd and cmd[0] == "--" else cmd)
    if not args:
        print("otelward run: no command given; usage: otelward run -- python app.py", file=sys.stderr)
        return 2
    program = shutil.which(args[0], path=environ.get("PATH"))
    if program is None:
        print(f"otelward run: command not found: {args[0]!r} (not on PATH)", file=sys.stderr)
        return 127
    env = dict(environ)
    env["PYTHONPATH"] = with_bootstrap(env.get("PYTHONPATH", ""))
    try:
        os.execve(program, args, env)  # noqa: S606 - the user's command, exactly as given
    except OSError as err:
        print(f"otelward run: cannot run {args[0]!r}: {err.strerror}", file=sys.stderr)
        return 126
    return 0  # pragma: no cover - execve does not return


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["run"]:
        # Before argparse and the sub-command imports: this path is paid on every start of the app.
        return run_command(argv[1:], os.environ)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from otelward.cli._doctor import run

        return run(os.environ, sys.stdout, as_json=args.json)
    handler = getattr(args, "handler", None)
    if handler is not None:
        code: int = handler(args)
        return code
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
