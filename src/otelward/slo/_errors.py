"""The one exception the SLO tools raise for a bad spec, and the helpers that phrase it."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Mapping
from typing import NoReturn

__all__ = ["MAX_MESSAGE", "Fail", "SpecError", "check_keys", "shown"]

# A message is one line a terminal shows whole; a spec value can be megabytes (or an alias bomb).
MAX_MESSAGE = 1000
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 2, 60, 60, 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4


def shown(value: object, limit: int = 60) -> str:
    """Return a short repr of ``value`` that costs the same for a huge value as for a small one."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _name(text: str) -> str:
    return repr(text) if len(text) <= 200 else shown(text, 200)


def _one_line(text: str) -> str:
    flat = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return flat if len(flat) <= MAX_MESSAGE else flat[: MAX_MESSAGE - 3] + "..."


class SpecError(ValueError):
    """A spec that cannot be used; ``str(err)`` is one line naming the file, the SLO and the field."""

    def __init__(self, source: str, problem: str, slo: str | None = None, field: str | None = None) -> None:
        """Build the message ``<file>: SLO '<name>': field '<field>': <problem>``."""
        where = [source]
        if slo is not None:
            where.append(f"SLO {_name(slo)}")
        if field is not None:
            where.append(f"field {_name(field)}")
        super().__init__(_one_line(": ".join([*where, problem])))
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
    known = set(accepted)
    for key in data:
        if key not in known:
            # A long key is no typo of a short one; difflib's cost grows with its length.
            typo = isinstance(key, str) and len(key) < 100
            close = difflib.get_close_matches(key, accepted, n=1) if typo else []
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            label = shown(key, 60) if not isinstance(key, str) or len(key) > 60 else key
            name = f"{path}.{label}" if path else label
            fail(name, f"unknown field{hint}; accepted here: {', '.join(accepted)}")
