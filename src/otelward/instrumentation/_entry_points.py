"""Read what otelward needs of the installed distributions directly from their metadata directories.

``importlib.metadata`` reads the metadata of every installed distribution and imports the e-mail parser to
do it: tens of milliseconds in every process, at start-up. otelward needs one section of a few small
``entry_points.txt`` files and, for ``service.version``, one distribution's version (in its directory name).
The full metadata is read only when an instrumentation is actually loaded.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["EntryPoint", "installed_version", "parse", "scan"]

_SUFFIXES = (".dist-info", ".egg-info")
_SECTION = re.compile(r"^\[\s*([^\]]+?)\s*\]$")


@dataclass(frozen=True)
class EntryPoint:
    """An entry point as ``importlib.metadata`` would give it: ``name``, ``value``, ``load()``, ``dist``."""

    name: str
    value: str
    group: str
    path: str
    """The ``.dist-info`` or ``.egg-info`` directory that declared it."""

    def load(self) -> Any:
        """Import the module and return the object named by ``value`` (``module:attr.attr``)."""
        module, _, attrs = self.value.partition(":")
        obj: Any = importlib.import_module(module.strip())
        for part in attrs.strip().split("."):
            if part:
                obj = getattr(obj, part)
        return obj

    @property
    def dist(self) -> Any:
        """Return the ``importlib.metadata.Distribution`` that declared this entry point."""
        from importlib.metadata import Distribution

        return Distribution.at(self.path)


def _project(dirname: str) -> str:
    # "opentelemetry_instrumentation_flask-0.66b1.dist-info" -> "opentelemetry_instrumentation_flask"
    stem = dirname.rsplit(".", 1)[0]
    return re.sub(r"[-_.]+", "_", stem.split("-", 1)[0]).lower()


def parse(text: str, group: str, path: str) -> list[EntryPoint]:
    """Return the entry points of ``group`` declared in the text of one ``entry_points.txt``."""
    found: list[EntryPoint] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        match = _SECTION.match(line)
        if match:
            section = match.group(1)
            continue
        if section == group and "=" in line:
            name, _, value = line.partition("=")
            found.append(EntryPoint(name.strip(), value.strip(), group, path))
    return found


@functools.lru_cache(maxsize=64)
def _metadata_dirs(entry: str) -> tuple[str, ...]:
    # Cached: start-up reads the path twice (instrumentations, then service.version) in every process.
    try:
        names = sorted(os.listdir(entry or "."))
    except OSError:
        return ()  # a zip file or a missing directory: nothing installed there the way pip installs
    return tuple(n for n in names if n.endswith(_SUFFIXES))


def _distributions(paths: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """Yield (project, directory name, path) per distribution; the first one on ``paths`` wins."""
    seen: set[str] = set()
    for entry in paths:
        for dirname in _metadata_dirs(entry):
            project = _project(dirname)
            if project not in seen:
                seen.add(project)
                yield project, dirname, os.path.join(entry, dirname)


def scan(group: str, paths: Iterable[str]) -> dict[str, EntryPoint]:
    """Return the entry points of ``group`` by name; the first distribution found on ``paths`` wins.

    Args:
        group: the entry point group, e.g. ``opentelemetry_instrumentor``.
        paths: where to look, in order (normally ``sys.path``).
    """
    found: dict[str, EntryPoint] = {}
    for _, _, path in _distributions(paths):
        try:
            with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        for ep in parse(text, group, path):
            found.setdefault(ep.name, ep)
    return found


def installed_version(name: str, paths: Iterable[str]) -> str | None:
    """Return the version of the installed distribution ``name`` (any spelling), or None."""
    wanted = re.sub(r"[-_.]+", "_", name).lower()
    for project, dirname, path in _distributions(paths):
        if project != wanted:
            continue
        parts = dirname.rsplit(".", 1)[0].split("-")
        if len(parts) > 1:
            return parts[1]
        try:  # a development egg-info ("name.egg-info") keeps its version inside only
            with open(os.path.join(path, "PKG-INFO"), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.partition(":")[2].strip()
        except OSError:
            pass
        return None
    return None
