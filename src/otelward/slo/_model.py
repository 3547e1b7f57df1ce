"""The validated SLO spec: frozen dataclasses the generators read, and the burn-rate arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_RUNBOOK_URL",
    "DEFAULT_WINDOWS",
    "BurnWindow",
    "Matcher",
    "Sli",
    "Slo",
    "Spec",
]

# Where the generated alerts point; each alert adds its own anchor in the playbook section of docs/slo.md.
DEFAULT_RUNBOOK_URL = "https://github.com/otelward/otelward/blob/main/docs/slo.md"


@dataclass(frozen=True)
class Matcher:
    """One PromQL label matcher such as ``job="shop"`` or ``http_route=~"/a|/b"``."""

    label: str
    op: str
    value: str

    def render(self) -> str:
        """Return the matcher as PromQL text, the value escaped as a Go string."""
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.label}{self.op}"{escaped}"'


@dataclass(frozen=True)
class BurnWindow:
    """One multi-window alert condition: burning ``budget_consumed`` of the budget within ``long_s``.

    The SRE workbook's pairs for a 30-day period: page when 2% of the budget burns in 1h (checked
    over 5m as well, so the alert resets quickly) or 5% in 6h (30m); ticket when 10% burns in 1d (2h)
    or in 3d (6h).
    """

    severity: str
    long_s: int
    short_s: int
    budget_consumed: float

    def factor(self, period_s: int) -> float:
        """Return the burn rate that consumes ``budget_consumed`` of a ``period_s`` budget in ``long_s``."""
        return self.budget_consumed * period_s / self.long_s


DEFAULT_WINDOWS: tuple[BurnWindow, ...] = (
    BurnWindow("page", 3600, 300, 0.02),
    BurnWindow("page", 6 * 3600, 1800, 0.05),
    BurnWindow("ticket", 86400, 2 * 3600, 0.10),
    BurnWindow("ticket", 3 * 86400, 6 * 3600, 0.10),
)


@dataclass(frozen=True)
class Sli:
    """What counts as a good event.

    ``kind`` is ``availability`` (good = not 5xx, or outcome ok for operations), ``latency`` (good = in
    the histogram bucket ``le=threshold_s``) or ``raw`` (the user's PromQL for error and total rates,
    with ``{{window}}`` where the range goes). ``source`` is ``http`` or ``operation`` (empty for raw).
    """

    kind: str
    source: str = ""
    matchers: tuple[Matcher, ...] = ()
    threshold_s: float | None = None
    errors_query: str = ""
    total_query: str = ""


@dataclass(frozen=True)
class Slo:
    """One objective over one SLI."""

    name: str
    objective: float  # percent, strictly between 0 and 100
    period_s: int
    sli: Sli
    description: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    runbook_url: str = DEFAULT_RUNBOOK_URL

    @property
    def budget(self) -> float:
        """Return the error budget as a ratio (``99.5`` → ``0.005``)."""
        return round(1.0 - self.objective / 100.0, 12)


@dataclass(frozen=True)
class Spec:
    """A validated ``slo.yaml``: the service, how to select its series, its SLOs and alert windows."""

    source: str
    service: str
    selector: tuple[Matcher, ...]
    slos: tuple[Slo, ...]
    windows: tuple[BurnWindow, ...] = DEFAULT_WINDOWS
    buckets: tuple[float, ...] = ()

    def raw_windows(self, slo: Slo) -> tuple[int, ...]:
        """Return the windows whose error ratio is computed from raw series, shortest first.

        The period is left out: its ratio is summed from the shortest window's recorded rates, which
        is far cheaper than a 30-day range over raw series.
        """
        spans = {w.long_s for w in self.windows} | {w.short_s for w in self.windows}
        return tuple(sorted(spans - {slo.period_s}))
