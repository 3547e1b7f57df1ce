"""``otelward slo``: ``validate``, ``rules``, ``dashboard`` and ``report`` (argparse wiring only).

Exit codes: 0 success; 1 ``report`` found an SLO at the ``--fail-on`` level (or without data);
2 a bad spec, output path or argument; 3 Prometheus unreachable or refusing a query.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["EXIT_PROMETHEUS", "EXIT_SPEC", "add_subparser"]

EXIT_SPEC = 2
EXIT_PROMETHEUS = 3


def add_subparser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``slo`` and its subcommands on ``subparsers``; each sets ``handler(args) -> int``."""
    slo = subparsers.add_parser(
        "slo",
        help="SLOs: validate a spec, generate Prometheus rules and a Grafana dashboard, report from Prometheus",
        description="Service level objectives from an slo.yaml spec (otelward or OpenSLO format); see docs/slo.md.",
    )
    sub = slo.add_subparsers(dest="slo_command", metavar="COMMAND", required=True)
    validate = sub.add_parser("validate", help="check spec files; print one line per problem")
    validate.add_argument("spec", nargs="+", help="slo.yaml files")
    validate.set_defaults(handler=_validate)
    for name, helptext, handler in (
        ("rules", "write the Prometheus rule file (recording rules and burn-rate alerts)", _rules),
        ("dashboard", "write the Grafana dashboard JSON", _dashboard),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("spec", help="slo.yaml")
        cmd.add_argument("-o", "--output", help="write to this file instead of stdout")
        cmd.set_defaults(handler=handler)
    report = sub.add_parser("report", help="current SLI, budget left and burn rates from a live Prometheus")
    report.add_argument("spec", help="slo.yaml")
    report.add_argument("--prometheus", required=True, metavar="URL", help="Prometheus base URL")
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.add_argument(
        "--fail-on",
        choices=("ticket", "page", "exhausted", "never"),
        default="exhausted",
        help="exit 1 when an SLO is at this state or worse (ok < ticket < page < exhausted); default: exhausted",
    )
    report.add_argument("--allow-no-data", action="store_true", help="do not exit 1 for an SLO without data")
    report.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="HTTP header for Prometheus (repeat)",
    )
    report.add_argument("--timeout", type=float, default=10.0, help="seconds per query (default 10)")
    report.set_defaults(handler=_report)
    return slo  # type: ignore[no-any-return]


def _fail(message: str, code: int = EXIT_SPEC) -> int:
    print(f"otelward: {message}", file=sys.stderr)
    return code


def _emit(text: str, output: str | None) -> int:
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as err:
        return _fail(f"cannot write {output}: {err.strerror or err}")
    return 0


def _load(path: str) -> Any:
    from otelward.slo import load_spec, spec_warnings

    spec = load_spec(path)
    for note in spec_warnings(spec):
        print(f"otelward: warning: {note}", file=sys.stderr)
    return spec


def _describe(slo: Any) -> str:
    from otelward.slo._durations import format_duration

    extra = f", good under {slo.sli.threshold_s:g}s" if slo.sli.kind == "latency" else ""
    return f"{slo.name} ({slo.sli.kind}, {slo.objective:g}% over {format_duration(slo.period_s)}{extra})"


_LISTED = 5


def _summary(path: str, spec: Any) -> str:
    # One line whatever the spec's size: 18,000 SLOs must not print a 400 KB line.
    from otelward.slo._errors import shown

    slos = ", ".join(_describe(s) for s in spec.slos[:_LISTED])
    if len(spec.slos) > _LISTED:
        slos += f", and {len(spec.slos) - _LISTED} more"
    services = ", ".join(shown(s, 40) for s in spec.services[:_LISTED])
    if len(spec.services) > _LISTED:
        services += f" and {len(spec.services) - _LISTED} more"
    noun = "service" if len(spec.services) == 1 else "services"
    return f"{path}: OK: {noun} {services}, {len(spec.slos)} SLO(s): {slos}"


def _validate(args: argparse.Namespace) -> int:
    from otelward.slo import SpecError

    code = 0
    for path in args.spec:
        try:
            spec = _load(path)
        except SpecError as err:
            code = _fail(str(err))
            continue
        print(_summary(path, spec))
    return code


def _rules(args: argparse.Namespace) -> int:
    from otelward.slo import SpecError, render_rules

    try:
        return _emit(render_rules(_load(args.spec)), args.output)
    except SpecError as err:
        return _fail(str(err))


def _dashboard(args: argparse.Namespace) -> int:
    from otelward.slo import SpecError
    from otelward.slo._dashboard import build_dashboard

    try:
        return _emit(json.dumps(build_dashboard(_load(args.spec)), indent=2) + "\n", args.output)
    except SpecError as err:
        return _fail(str(err))


def _report(args: argparse.Namespace) -> int:
    from otelward.slo import SpecError
    from otelward.slo._prometheus import PrometheusError, instant_query
    from otelward.slo._report import evaluate, exit_code, to_json, to_table

    headers = {}
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            return _fail(f"--header {item.split(':')[0]!r}... must be NAME:VALUE")
        headers[name.strip()] = value.strip()
    try:
        spec = _load(args.spec)
        report = evaluate(spec, instant_query(args.prometheus, headers, args.timeout))
    except SpecError as err:
        return _fail(str(err))
    except PrometheusError as err:
        return _fail(str(err), EXIT_PROMETHEUS)
    code = exit_code(report, args.fail_on, args.allow_no_data)
    sys.stdout.write(to_json(report, code) + "\n" if args.json else to_table(report))
    return code
