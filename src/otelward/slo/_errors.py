"""The one exception the SLO tools raise for a bad spec, and the helpers that phrase it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import NoReturn

__all__ = ["Fail", "SpecError", "check_keys"]


class SpecError(ValueError):
    """A spec that cannot be used; ``str(err)`` is one line naming the file, the SLO and the field."""

    def __init__(self, source: str, problem: str, slo: str | None = None, field: str | None = None) -> None:
        """Build the message ``<file>: SLO '<name>': field '<field>': <problem>``."""
        where = [source]
        if slo is not None:
            where.append(f"SLO {slo!r}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(": ".join([*where, problem]))
        self.source = source
        self.slo = slo
        self.field = field
        self.problem = problem


class Fail:
    """Raise :class:`SpecError` for one file and (optionally) one SLO."""

    def __init__(self, source: str, slo: str | None = None) -> None:
        """Remember where errors come from."""
        self.source = source
        self.slo = slo

    def __call__(self, field: str | None, problem: str) -> NoReturn:
        """Raise the error for ``field``."""
        raise SpecError(self.source, problem, self.slo, field)


def check_keys(data: Mapping[str, object], allowed: Iterable[str], path: str, fail: Fail) -> None:
    """Raise for the first key of ``data`` that is not ``allowed``, suggesting the closest allowed one."""
    accepted = sorted(allowed)
    for key in data:
        if key not in accepted:
            close = difflib.get_close_matches(str(key), accepted, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            name = f"{path}.{key}" if path else str(key)
            fail(name, f"unknown field{hint}; accepted here: {', '.join(accepted)}")
