"""Check a spec's own PromQL and templates with ``promtool check rules`` when promtool is installed.

otelward's parser (``_promql_parse``) is the guarantee everywhere; this is the second opinion of
Prometheus' own parser, for the SLOs whose rules carry user text (raw queries, regex selectors,
alert labels and annotations). Without promtool on PATH, or if it cannot run, nothing is probed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from otelward.slo._model import Slo, Spec

__all__ = ["MAX_PROBED", "PROBE_TIMEOUT_S", "probe_with_promtool", "user_text"]

PROBE_TIMEOUT_S = 60.0
# Past this many SLOs with their own text, the rest rely on otelward's parser alone (time, not safety).
MAX_PROBED = 1000
_GROUP = re.compile(r'group "(?P<group>[^"]*)", rule (?P<rule>\d+), [^:]*: (?P<problem>.*)')


def user_text(slo: Slo) -> bool:
    """Return whether the rules of ``slo`` carry text from the spec beyond names and plain label values.

    Filters (routes, methods, ...) become regexes of escaped values: otelward's text, not the spec's.
    """
    regex = any(m.op in ("=~", "!~") for m in slo.selector)
    templated = any(a.labels or a.annotations for a in slo.alerts)
    return slo.sli.kind == "raw" or regex or templated


def _probed(spec: Spec) -> tuple[Slo, ...]:
    # One SLO per distinct piece of user text: a file-wide annotation is probed once, not per SLO.
    seen: set[object] = set()
    chosen = []
    for slo in spec.slos:
        if not user_text(slo):
            continue
        key = (slo.sli if slo.sli.kind == "raw" else None, slo.selector, slo.alerts)
        if key not in seen:
            seen.add(key)
            chosen.append(slo)
        if len(chosen) == MAX_PROBED:
            break
    return tuple(chosen)


def probe_with_promtool(spec: Spec, promtool: str | None = None) -> tuple[str, str] | None:
    """Return ``(slo name, promtool's complaint)`` for the first SLO whose rules promtool refuses, else None.

    ``promtool`` defaults to the one on PATH; without one, or when it cannot run, the answer is None.
    """
    from otelward.slo._rules import build_rules
    from otelward.slo._yamlio import dump_yaml

    binary = promtool or shutil.which("promtool")
    probed = _probed(spec)
    if binary is None or not probed:
        return None
    rules = build_rules(Spec(spec.source, spec.service, spec.selector, probed, spec.buckets))
    owners = {f"otelward-slo-{slo.service}-{slo.name}": slo.name for slo in probed}
    with tempfile.TemporaryDirectory(prefix="otelward-probe-") as tmp:
        path = Path(tmp) / "probe.yml"
        path.write_text(dump_yaml(rules), encoding="utf-8")
        try:
            result = subprocess.run(
                [binary, "check", "rules", str(path)],
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    if result.returncode == 0:
        return None
    output = result.stdout + result.stderr
    match = _GROUP.search(output)
    if match is None:
        lines = [ln.strip() for ln in output.splitlines() if ln.strip() and "Checking" not in ln]
        return probed[0].name, (lines[-1] if lines else f"exit status {result.returncode}")[:300]
    return owners.get(match["group"], probed[0].name), match["problem"][:300]
