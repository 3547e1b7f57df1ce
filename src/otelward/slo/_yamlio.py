"""Read spec files and write rule files as YAML (PyYAML is imported only here, and only when used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from otelward.slo._errors import SpecError
from otelward.slo._yamlbuild import YamlLimitError, build_documents

__all__ = ["MAX_BYTES", "dump_yaml", "load_documents", "parse_documents"]

# A spec of 18,000 SLOs is about 5 MiB; anything far larger is a mistake (or an attack).
MAX_BYTES = 16 * 2**20

_INSTALL = "the SLO tools need PyYAML: pip install 'otelward[slo]'"


def _yaml(source: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise SpecError(source, _INSTALL) from None
    return yaml


def parse_documents(text: str, source: str) -> list[object]:
    """Return the non-empty YAML documents in ``text``, with libyaml's parser when PyYAML has it.

    Raises:
        SpecError: not valid YAML, over a limit of ``_yamlbuild``, or empty.
    """
    yaml = _yaml(source)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        docs = [doc for doc in build_documents(yaml.parse(text, Loader=loader), yaml) if doc is not None]
    except YamlLimitError as err:
        raise SpecError(source, str(err)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SpecError(source, f"not valid YAML: {where}{problem}") from None
    except (RecursionError, MemoryError, OverflowError, ValueError) as err:
        # a scalar PyYAML's constructors cannot build (e.g. a timestamp out of range)
        raise SpecError(source, f"not valid YAML: {type(err).__name__}: {str(err)[:200]}") from None
    if not docs:
        raise SpecError(source, "is empty; see docs/slo.md for an example spec")
    return docs


def load_documents(path: str | Path) -> list[object]:
    """Return the YAML documents in ``path``; a duplicated key is an error, not a silent overwrite.

    Raises:
        SpecError: the file cannot be read, is larger than ``MAX_BYTES``, or is not valid YAML.
    """
    source = str(path)
    _yaml(source)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise SpecError(source, f"cannot read the file ({err.strerror or err})") from None
    if len(data) > MAX_BYTES:
        raise SpecError(source, f"is larger than {MAX_BYTES // 2**20} MiB, the limit for a spec")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(source, f"cannot read the file (not UTF-8: byte {err.start})") from None
    return parse_documents(text, source)


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
