"""otelward's PromQL parser against promtool's: whatever ours accepts, promtool accepts too."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from otelward.slo._promql_parse import PromQLError, check_regex, parse_type, split_aggregated_selector
from otelward.slo._yamlio import dump_yaml

VALID = {
    'sum(rate(http_requests_total{job="api",code=~"5.."}[5m]))': "instant vector",
    "sum by (le) (rate(x_bucket[5m]))": "instant vector",
    'histogram_quantile(0.99, sum(rate(x_bucket{a!="b"}[1h30m])) by (le))': "instant vector",
    "rate(x[5m] offset 1h)": "instant vector",
    "rate(x[5m] offset -1h)": "instant vector",
    "max_over_time(sum(rate(x[5m]))[1h:])": "instant vector",
    "rate(x[5m:])": "instant vector",
    "max_over_time(sum(rate(x[5m]))[1h:5m])": "instant vector",
    "a / on(job) group_left(team) b": "instant vector",
    "a + ignoring(code) b": "instant vector",
    "a > bool 0.5": "instant vector",
    "1 > bool 2": "scalar",
    "a and b or c unless d": "instant vector",
    "topk(5, x)": "instant vector",
    'count_values("version", build_info)': "instant vector",
    "quantile(0.5, x) without (instance)": "instant vector",
    "vector(1) or 0 * sum(x)": "instant vector",
    "-x ^ 2": "instant vector",
    "2 ^ 3 ^ 2": "scalar",
    "time() - process_start_time_seconds": "instant vector",
    "scalar(sum(x))": "scalar",
    'label_replace(up, "host", "$1", "instance", "(.*):.*")': "instant vector",
    "label_join(up, 'all', ',', 'job', 'instance', 'env')": "instant vector",
    "round(x, 0.1)": "instant vector",
    "round(x)": "instant vector",
    "day_of_week()": "instant vector",
    "absent(x{job='a'})": "instant vector",
    "x @ 1700000000": "instant vector",
    "rate(x[5m] @ end())": "instant vector",
    "namespace:http_requests:rate5m": "instant vector",
    '{__name__=~"http_.*"}': "instant vector",
    '{job="a",}': "instant vector",
    'x{a=~"(?i)get|post", b!~"a{2,1000}", c=~"(?s:.)+"}': "instant vector",
    "x[5m]": "range vector",
    "0x1F + 1e3 + .5 + Inf - NaN": "scalar",
    '"a string"': "string",
    "`raw \\ string`": "string",
    "sum(x) # a comment": "instant vector",
    "(((x)))": "instant vector",
    "clamp(x, 0, 1)": "instant vector",
    "predict_linear(x[1h], 3600)": "instant vector",
    "x atan2 y": "instant vector",
}

INVALID = [
    "rate(sum(x{a='b'})[5m])",  # OpenSLO's counter example wrapped naively
    "sum(rate(x[5m])",
    "sum(rate(x[5m])))",
    "x{",
    'x{a="b"',
    'x{a="b}',
    "x[5m",
    "{}",
    '{a=""}',
    '{a=~".*"}',
    "rate(x)",
    "rate(x[5m5m])",
    "rate(x[0s])",
    "sum(x[5m])",
    "1 > 2",
    "x and 1",
    "sum(x) offset 5m",
    "unknown_function(x)",
    "rate(x[5])",
    'x{a=~"(?=b)"}',
    'x{a=~"(a)\\\\1"}',
    'x{a=~"("}',
    'x{a=~"(?x)a b"}',
    'x{a=~"(?a)b"}',
    'x{a=~"a(?#comment)"}',
    'x{a=~"a{1001}"}',
    'x{a=~"a{2,1001}"}',
    '"bad \\q escape"',
    "histogram_quantile(x)",
    "topk(x)",
    "x +",
    "* x",
    "sum by (a (x)",
    "x[5m] + 1",
    "",
]

# characters and fragments whose insertion tends to produce near-miss queries
_FRAGMENTS = [
    *"(){}[],:\"'`=~!+-*/^<> @",
    "by",
    "on",
    "bool",
    "offset",
    "[5m]",
    "[5m:]",
    "sum(",
    "5m",
    "1",
]


def _promtool_accepts(exprs: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run scripts/setup.sh (Debian package prometheus)"
    groups = [{"name": f"g{i}", "rules": [{"record": "probe", "expr": e}]} for i, e in enumerate(exprs)]
    path = tmp / "probe.yml"
    path.write_text(dump_yaml({"groups": groups}))
    return subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(("query", "kind"), list(VALID.items()), ids=range(len(VALID)))
def test_valid_queries_parse_to_their_type(query: str, kind: str) -> None:
    assert parse_type(query) == kind


@pytest.mark.parametrize("query", INVALID, ids=range(len(INVALID)))
def test_invalid_queries_are_refused_in_one_line(query: str) -> None:
    with pytest.raises(PromQLError) as err:
        parse_type(query)
    assert "\n" not in str(err.value)


def test_promtool_agrees_with_the_corpus(tmp_path: Path) -> None:
    assert _promtool_accepts(list(VALID), tmp_path).returncode == 0
    # one file: promtool names every rule it refuses
    result = _promtool_accepts(INVALID, tmp_path)
    refused = {int(m) for m in re.findall(r'group "g(\d+)"', result.stdout + result.stderr)}
    assert refused == set(range(len(INVALID))), result.stdout[-3000:]


@st.composite
def _mutant(draw: st.DrawFn) -> str:
    query = draw(st.sampled_from(list(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(query)))
        action = draw(st.sampled_from(["insert", "delete", "swap"]))
        if action == "insert":
            query = query[:at] + draw(st.sampled_from(_FRAGMENTS)) + query[at:]
        elif action == "delete":
            query = query[:at] + query[at + draw(st.integers(1, 4)) :]
        else:
            query = query[at:] + query[:at]
    return query


# No shrinking: each step would run promtool; the failing batch is printed whole.
@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(_mutant(), min_size=150, max_size=150))
def test_every_mutant_otelward_accepts_promtool_accepts(tmp_path: Path, mutants: list[str]) -> None:
    accepted = []
    for query in mutants:
        try:
            parse_type(query)
        except PromQLError:
            continue
        if query.strip():
            accepted.append(query)
    result = _promtool_accepts(accepted, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize(
    ("query", "selector"),
    [
        ('sum(localhost_server_requests{code=~"2xx|3xx"})', 'localhost_server_requests{code=~"2xx|3xx"}'),
        ("sum ( x )", "x"),
        ("sum(rate(x[5m]))", None),
        ("sum by (a) (x)", None),
        ("sum(x) / sum(y)", None),
        ("x", None),
    ],
)
def test_a_sum_of_one_selector_is_recognised(query: str, selector: str | None) -> None:
    assert split_aggregated_selector(query) == selector


_REGEX_CHARS = "ab()[]{}|*+?.\\^$-,019:<>=!#PiLsxUuZdwzAbB"


@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.text(_REGEX_CHARS, min_size=1, max_size=12), min_size=200, max_size=200))
def test_every_regex_otelward_accepts_promtool_accepts(tmp_path: Path, patterns: list[str]) -> None:
    accepted = [p for p in patterns if check_regex(p) is None]
    exprs = ['x{a=~"%s"}' % p.replace("\\", "\\\\").replace('"', '\\"') for p in accepted]  # noqa: UP031
    result = _promtool_accepts(exprs, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
