"""The process's resource attributes as console log lines need them: known at start-up, renewed after a fork.

Console formats that name the service (ECS ``service.version``, OTLP-JSON's ``resource``) read these
attributes from the event's ``resource``, which the :func:`~otelward.logs._processors.add_resource`
processor sets to the same read-only mapping for every record; renderers encode what they take from it once
per mapping, not per record. After a fork the start-up code hands the renewed resource (``process.pid``,
``service.instance.id``) to :meth:`LogResource.update`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["PROCESS_RESOURCE", "LogResource"]


class LogResource:
    """A replaceable, read-only snapshot of resource attributes.

    Args:
        attributes: the resource attributes (copied).
    """

    __slots__ = ("attributes",)

    def __init__(self, attributes: Mapping[str, Any] | None = None) -> None:
        self.attributes: Mapping[str, Any] = MappingProxyType(dict(attributes or {}))

    def update(self, attributes: Mapping[str, Any]) -> None:
        """Replace the snapshot with ``attributes`` (copied); events rendered from now on carry it."""
        self.attributes = MappingProxyType(dict(attributes))


PROCESS_RESOURCE = LogResource()
"""This process's snapshot: set by ``install_logging``, renewed after a fork by the runtime."""
