"""The validated SLO spec: frozen dataclasses the generators read, and the burn-rate arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_ALERTS",
    "DEFAULT_RUNBOOK_URL",
    "DEFAULT_WINDOWS",
    "Alert",
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
    """One multi-window alert condition: the burn rate over ``long_s`` and over ``short_s`` above ``factor``.

    A burn rate of 1 spends exactly the error budget over the period. The SRE workbook's 30-day pairs:
    page at 14.4x over 1h (2% of the budget spent, checked over 5m as well so the alert resets quickly)
    or 6x over 6h/30m (5%); ticket at 3x over 1d/2h or 1x over 3d/6h (10%).
    """

    severity: str
    long_s: int
    short_s: int
    factor: float

    def budget_consumed(self, period_s: int) -> float:
        """Return the share of a ``period_s`` budget spent by burning at ``factor`` for ``long_s``."""
        return self.factor * self.long_s / period_s


DEFAULT_WINDOWS: tuple[BurnWindow, ...] = (
    BurnWindow("page", 3600, 300, 14.4),
    BurnWindow("page", 6 * 3600, 1800, 6.0),
    BurnWindow("ticket", 86400, 2 * 3600, 3.0),
    BurnWindow("ticket", 3 * 86400, 6 * 3600, 1.0),
)


@dataclass(frozen=True)
class Alert:
    """How one severity's alert of an SLO is generated: its name, whether at all, extra labels and annotations."""

    severity: str
    name: str
    enabled: bool = True
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()


DEFAULT_ALERTS: tuple[Alert, ...] = (Alert("page", "SLOBurnRatePage"), Alert("ticket", "SLOBurnRateTicket"))


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
    """One objective over one SLI of one service (``selector`` picks the service's series)."""

    name: str
    objective: float  # percent, strictly between 0 and 100
    period_s: int
    sli: Sli
    description: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    runbook_url: str = DEFAULT_RUNBOOK_URL
    windows: tuple[BurnWindow, ...] = DEFAULT_WINDOWS
    alerts: tuple[Alert, ...] = DEFAULT_ALERTS
    service: str = ""
    selector: tuple[Matcher, ...] = ()

    @property
    def budget(self) -> float:
        """Return the error budget as a ratio (``99.5`` → ``0.005``)."""
        return round(1.0 - self.objective / 100.0, 12)


@dataclass(frozen=True)
class Spec:
    """A validated ``slo.yaml``: its SLOs, each of one service.

    ``service`` and ``selector`` are the first service's (a file may hold several; each SLO names its own).
    """

    source: str
    service: str
    selector: tuple[Matcher, ...]
    slos: tuple[Slo, ...]
    buckets: tuple[float, ...] = ()

    @property
    def services(self) -> tuple[str, ...]:
        """Return the services of the SLOs, in the order they first appear."""
        return tuple(dict.fromkeys(slo.service for slo in self.slos))

    def raw_windows(self, slo: Slo) -> tuple[int, ...]:
        """Return the windows whose error ratio is computed from raw series, shortest first.

        The period is left out: its ratio is summed from the shortest window's recorded rates, which
        is far cheaper than a 30-day range over raw series.
        """
        spans = {w.long_s for w in slo.windows} | {w.short_s for w in slo.windows}
        return tuple(sorted(spans - {slo.period_s}))
