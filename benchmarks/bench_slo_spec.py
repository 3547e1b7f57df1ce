"""Validating a 5 MB spec of 18,000 SLOs, against a plain PyYAML load of the same text in the same run.

Run:  .venv/bin/python benchmarks/bench_slo_spec.py [SLOS]

Prints the median CPU time of 3 rounds, interleaved, of
- ``baseline``: ``yaml.load(text, Loader=yaml.CSafeLoader)`` (libyaml's parser, PyYAML's constructor),
- ``otelward``: ``parse_spec(parse_documents(text))``: the bounded one-pass build plus full validation,
and their ratio. Before the hardening of issue 20 validation took about 12 s (pure-Python loader and a
quadratic duplicate-name check); the target is under the baseline, which only loads.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from otelward.slo import parse_spec
from otelward.slo._yamlio import parse_documents
from tests.slo.hostile import big_spec


def _cpu(func: object) -> float:
    start = time.process_time()
    func()  # type: ignore[operator]
    return time.process_time() - start


def main() -> None:
    """Print the medians and their ratio."""
    slos = int(sys.argv[1]) if len(sys.argv) > 1 else 18_000
    text = big_spec(slos)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    base, ours = [], []
    for _ in range(3):
        base.append(_cpu(lambda: yaml.load(text, Loader=loader)))
        ours.append(_cpu(lambda: parse_spec(parse_documents(text, "big.yaml"), "big.yaml")))
    b, o = statistics.median(base), statistics.median(ours)
    print(
        f"{slos} SLOs, {len(text) / 1e6:.1f} MB: baseline {b:.2f} s, otelward validate {o:.2f} s, ratio {o / b:.2f}"
    )


if __name__ == "__main__":
    main()
