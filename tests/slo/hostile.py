"""Spec texts an attacker (or an accident) could feed ``otelward slo``: shared by the tests and the benchmark."""

from __future__ import annotations


def big_spec(slos: int) -> str:
    """Return a valid spec of ``slos`` availability SLOs (18,000 of them are about 5 MB)."""
    parts = ["service: shop\nperiod: 30d\nslos:\n"]
    for i in range(slos):
        parts.append(
            f"  - name: slo-{i:05d}\n"
            f"    description: Users can load page {i} of the catalogue without errors, most of the time.\n"
            "    objective: 99.5\n"
            f"    labels: {{team: team-{i % 40}, tier: gold}}\n"
            "    sli:\n"
            "      availability:\n"
            f'        routes: ["/catalogue/{i}/<int:item_id>", "/catalogue/{i}/list"]\n'
            "        methods: [GET, POST]\n"
        )
    return "".join(parts)


def alias_bomb(levels: int = 9) -> str:
    """Return the billion-laughs document: 10 ** ``levels`` strings from a few hundred bytes, as a value."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    last = chr(97 + levels)
    return "\n".join(lines) + f"\nservice: *{last}\nslos: *{last}\n"


HOSTILE = {
    "alias-bomb": alias_bomb(),
    "deep-flow-nesting": "service: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep-block-nesting": "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x: 1\n",
    "list-as-key": "service: shop\n? [a, b]\n: 1\nslos: []\n",
    "mapping-as-key": "service: shop\n? {a: 1}\n: 1\n",
    "recursive-alias": "service: &s [*s]\n",
    "huge-value": "service: shop\nslos:\n  - name: a\n    objective: " + "9" * 2_000_000 + "x\n",
    "huge-key": "service: shop\n? " + "k" * 2_000_000 + "\n: 1\n",
    "huge-name": "service: shop\nslos:\n  - name: " + "n" * 1_000_000 + "\n",
    "python-tag": "service: !!python/object/apply:os.system [echo]\n",
    "set-tag": "service: !!set {a, b}\n",
    "binary-junk": "service: \x00\x01\x02\n",
    "control-chars-in-key": 'service: shop\n"bad\\nkey\\u001b[31m": 1\n',
    "merge-of-scalar": "service: shop\nx:\n  <<: 5\n",
    "undefined-alias": "service: *nothing\n",
    "timestamp-out-of-range": "service: shop\nslos:\n  - name: a\n    objective: 2001-99-99\n",
}
