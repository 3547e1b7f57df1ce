"""Read spec files and write rule files as YAML (PyYAML is imported only here, and only when used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from otelward.slo._errors import SpecError

__all__ = ["dump_yaml", "load_documents"]

_INSTALL = "the SLO tools need PyYAML: pip install 'otelward[slo]'"


def _yaml(source: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise SpecError(source, _INSTALL) from None
    return yaml


def load_documents(path: str | Path) -> list[object]:
    """Return the YAML documents in ``path``; a duplicated key is an error, not a silent overwrite.

    Raises:
        SpecError: the file cannot be read or is not valid YAML.
    """
    source = str(path)
    yaml = _yaml(source)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(source, f"cannot read the file ({getattr(err, 'strerror', None) or err})") from None

    class _StrictLoader(yaml.SafeLoader):  # type: ignore[misc, name-defined]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[object] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise SpecError(source, f"line {line}: key {key!r} appears twice in one mapping")
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    try:
        docs = [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise SpecError(source, f"not valid YAML: {where}{problem}") from None
    if not docs:
        raise SpecError(source, "is empty; see docs/slo.md for an example spec")
    return docs


def dump_yaml(data: object, header: str = "") -> str:
    """Return ``data`` as block-style YAML, multi-line strings as literal blocks, keys in given order."""
    yaml = _yaml("<output>")

    class _Dumper(yaml.SafeDumper):  # type: ignore[misc, name-defined]
        def ignore_aliases(self, data: Any) -> bool:
            # Rules repeat the same label mapping; anchors (&id001) would make the file hard to read.
            return True

    def _str(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=1_000_000, allow_unicode=True)
    return header + str(body)
