"""The one place that reads the environment: typed, frozen settings built from a mapping.

``Settings.from_env(os.environ)`` parses every variable declared in :mod:`otelward.config._vars`. A bad value
never raises here: it becomes one line in :attr:`Settings.problems` and the declared default is used, so
telemetry stays on for everything else. :func:`report_problems` prints those lines (and exits in strict mode).

Defaults live in the declarations only: ``Settings()`` is ``Settings.from_env({})``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TextIO

from otelward.config import _read
from otelward.config._env_vars import BY_NAME
from otelward.config._parsing import ConfigValueError, parse_value
from otelward.config._settings import (
    ExportSettings,
    GeneralSettings,
    LogSettings,
    ManagementSettings,
    MetricsSettings,
    OtlpSignal,
    RedactionSettings,
    SamplingSettings,
)

__all__ = [
    "ExportSettings",
    "GeneralSettings",
    "LogSettings",
    "ManagementSettings",
    "MetricsSettings",
    "OtlpSignal",
    "RedactionSettings",
    "SamplingSettings",
    "Settings",
    "StrictModeError",
    "defaults",
    "read_flag",
    "report_problems",
]


class StrictModeError(SystemExit):
    """Raised by :func:`report_problems` when ``OTELWARD_STRICT=true`` and a variable is invalid."""


@functools.cache
def defaults() -> Settings:
    """Return the settings of an empty environment: every declared default, parsed once."""
    return Settings.from_env({})


@dataclass(frozen=True)
class Settings:
    """Everything otelward is configured with, parsed once at start-up."""

    general: GeneralSettings = field(default_factory=lambda: defaults().general)
    traces: OtlpSignal = field(default_factory=lambda: defaults().traces)
    metrics_export: OtlpSignal = field(default_factory=lambda: defaults().metrics_export)
    logs_export: OtlpSignal = field(default_factory=lambda: defaults().logs_export)
    sampling: SamplingSettings = field(default_factory=lambda: defaults().sampling)
    redaction: RedactionSettings = field(default_factory=lambda: defaults().redaction)
    logs: LogSettings = field(default_factory=lambda: defaults().logs)
    metrics: MetricsSettings = field(default_factory=lambda: defaults().metrics)
    management: ManagementSettings = field(default_factory=lambda: defaults().management)
    export: ExportSettings = field(default_factory=lambda: defaults().export)
    problems: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Parse ``environ``; invalid values are listed in :attr:`problems` and replaced by defaults."""
        r = _read.Reader(environ)
        settings = cls(
            general=_read.read_general(r),
            traces=_read.read_signal(r, "traces"),
            metrics_export=_read.read_signal(r, "metrics"),
            logs_export=_read.read_signal(r, "logs"),
            sampling=_read.read_sampling(r),
            redaction=_read.read_redaction(r),
            logs=_read.read_logs(r),
            metrics=_read.read_metrics(r),
            management=_read.read_management(r),
            export=_read.read_export(r),
        )
        return replace(settings, problems=tuple(r.problems))


def read_flag(environ: Mapping[str, str], name: str) -> bool:
    """Return the boolean variable ``name`` of ``environ`` parsed as :class:`Settings` parses it.

    For the few flags start-up needs before the settings exist; a bad value gives the declared default here and
    is reported once, by :meth:`Settings.from_env`.
    """
    var = BY_NAME[name]
    raw = environ.get(name)
    if raw is not None and raw.strip():
        try:
            return bool(parse_value(var, raw))
        except ConfigValueError:
            pass
    return bool(parse_value(var, var.default or "false"))


def report_problems(settings: Settings, stream: TextIO | None = None) -> None:
    """Print each configuration problem on its own line; in strict mode, exit with status 2 after.

    Raises:
        StrictModeError: ``OTELWARD_STRICT=true`` and at least one variable was invalid.
    """
    out = stream if stream is not None else sys.stderr
    for line in settings.problems:
        print(line, file=out)
    if settings.problems and settings.general.strict:
        print("otelward: OTELWARD_STRICT=true: refusing to start with invalid configuration", file=out)
        raise StrictModeError(2)
