"""Build Python objects from a YAML event stream in one bounded, iterative pass.

PyYAML's loaders compose a node tree and then construct it recursively: 10,000 nested brackets
raise ``RecursionError``, a list as a mapping key raises ``TypeError``, and the constructor costs
most of the time of a large file. Here libyaml's parser (when PyYAML has it) feeds a loop that keeps
its own stack and refuses, as one line with the line number, nesting deeper than ``MAX_DEPTH``, more
than ``MAX_NODES`` nodes after expanding aliases (the billion-laughs bomb), duplicate or unhashable
keys, recursive aliases and tags a spec has no use for. Scalars resolve exactly as ``SafeLoader``
resolves them (PyYAML's own resolver and constructors).
"""

from __future__ import annotations

from typing import Any

from otelward.slo._errors import shown

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlLimitError", "build_documents"]

MAX_DEPTH = 64
MAX_NODES = 2_000_000
_STR = "tag:yaml.org,2002:str"
_MAP = ("tag:yaml.org,2002:map", None, "!")
_SEQ = ("tag:yaml.org,2002:seq", None, "!")
_MERGE = "tag:yaml.org,2002:merge"


class YamlLimitError(ValueError):
    """The stream is valid YAML that a spec must not be; ``str(err)`` is one line."""


def _line(event: Any) -> str:
    mark = getattr(event, "start_mark", None)
    return f"line {mark.line + 1}: " if mark is not None else ""


class _Open:
    """A collection being built: its value, its size so far, and for mappings the pending key."""

    __slots__ = ("anchor", "explicit", "is_map", "key", "merges", "size", "value")

    def __init__(self, is_map: bool, anchor: str | None) -> None:
        self.is_map = is_map
        self.anchor = anchor
        self.value: Any = {} if is_map else []
        self.size = 1
        self.key: Any = _NO_KEY
        self.merges: list[dict[Any, Any]] = []
        self.explicit: set[Any] = set()


_NO_KEY = object()


class _Builder:
    """The state of one pass: the open collections, the anchors, the node count."""

    def __init__(self, yaml: Any) -> None:
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.scalar_node = yaml.nodes.ScalarNode
        self.docs: list[object] = []
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.total = 0

    def _expecting_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY

    def add(self, value: Any, size: int, new: int, event: Any, is_merge: bool = False) -> None:
        """Attach ``value`` (``size`` nodes expanded, ``new`` of them not counted yet) to the open collection."""
        self.total += new
        if self.total > MAX_NODES:
            raise YamlLimitError(f"{_line(event)}expands to more than {MAX_NODES:,} nodes (YAML aliases?)")
        if not self.stack:
            self.docs.append(value)
            return
        top = self.stack[-1]
        top.size += size
        if not top.is_map:
            top.value.append(value)
        elif top.key is _NO_KEY:
            top.key = _MERGE if is_merge else self._key(top, value, event)
        else:
            key, top.key = top.key, _NO_KEY
            if key is not _MERGE:
                top.value[key] = value
                return
            merges = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merges):
                raise YamlLimitError(f"{_line(event)}a merge key (<<) must refer to mappings")
            top.merges.extend(merges)

    @staticmethod
    def _key(top: _Open, value: Any, event: Any) -> Any:
        try:
            hash(value)
        except TypeError:
            kind = type(value).__name__
            raise YamlLimitError(
                f"{_line(event)}a mapping key is a {kind}; keys must be plain values"
            ) from None
        if value in top.explicit:
            raise YamlLimitError(f"{_line(event)}key {shown(value)} appears twice in one mapping")
        top.explicit.add(value)
        return value

    def scalar(self, event: Any) -> None:
        """Resolve and build a scalar as SafeLoader does."""
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(self.scalar_node, event.value, event.implicit)
        is_merge = tag == _MERGE and self._expecting_key()
        if tag == _STR:
            value: Any = event.value
        elif is_merge:
            value = None
        else:
            node = self.scalar_node(tag, event.value, event.start_mark, event.end_mark)
            value = self.constructor.construct_object(node)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self.add(value, 1, 1, event, is_merge)

    def start(self, event: Any, is_map: bool) -> None:
        """Open a mapping or a sequence."""
        if event.tag not in (_MAP if is_map else _SEQ):
            raise YamlLimitError(f"{_line(event)}tag {shown(event.tag)} is not used in a spec")
        if len(self.stack) >= MAX_DEPTH:
            raise YamlLimitError(f"{_line(event)}nests deeper than {MAX_DEPTH} levels")
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Open(is_map, event.anchor))

    def end(self, event: Any) -> None:
        """Close the innermost collection, applying its merge keys (its own keys win)."""
        done = self.stack.pop()
        if done.merges:
            merged: dict[Any, Any] = {}
            for mapping in reversed(done.merges):
                merged.update(mapping)
            merged.update(done.value)
            done.value = merged
        if done.anchor:
            self.open_anchors.discard(done.anchor)
            self.anchors[done.anchor] = (done.value, done.size)
        self.add(done.value, done.size, 1, event)

    def alias(self, event: Any) -> None:
        """Attach the anchored value again, counting every node it expands to."""
        if event.anchor in self.open_anchors:
            raise YamlLimitError(
                f"{_line(event)}alias *{shown(event.anchor)} refers to a node that contains it"
            )
        if event.anchor not in self.anchors:
            raise YamlLimitError(f"{_line(event)}alias *{shown(event.anchor)} has no anchor before it")
        value, size = self.anchors[event.anchor]
        self.add(value, size, size, event)


def build_documents(events: Any, yaml: Any) -> list[object]:
    """Return the documents of ``events`` (from ``yaml.parse``), refusing what a spec must not hold.

    Raises:
        YamlLimitError: a limit or rule above, as one line naming the line.
        yaml.YAMLError: the stream is not YAML (from the parser), or a scalar's tag cannot be built.
    """
    builder = _Builder(yaml)
    kinds = yaml.events
    for event in events:
        if isinstance(event, kinds.ScalarEvent):
            builder.scalar(event)
        elif isinstance(event, kinds.MappingStartEvent | kinds.SequenceStartEvent):
            builder.start(event, isinstance(event, kinds.MappingStartEvent))
        elif isinstance(event, kinds.MappingEndEvent | kinds.SequenceEndEvent):
            builder.end(event)
        elif isinstance(event, kinds.AliasEvent):
            builder.alias(event)
        elif isinstance(event, kinds.DocumentStartEvent):
            builder.anchors.clear()
    return builder.docs
