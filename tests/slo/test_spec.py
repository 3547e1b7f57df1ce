"""Spec validation: every malformed spec gets one line naming the file, the SLO and the field, and exit 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from otelward import cli
from otelward.slo import Matcher, SpecError, load_spec, parse_spec
from otelward.slo._spec import _SLO as SLO_FIELDS
from otelward.slo._spec import default_buckets

GOOD = """\
service: shop
slos:
  - name: availability
    objective: 99.5
    sli:
      availability:
        routes: ["/users/<int:user_id>"]
"""


def _spec(body: str) -> str:
    return textwrap.dedent(body)


def _slo(sli: str, objective: str = "99", extra: str = "") -> str:
    return f"service: shop\n{extra}slos:\n  - name: api\n    objective: {objective}\n    sli:\n{textwrap.indent(sli, '      ')}"


# (id, spec text, SLO named in the message or None, field named or None, words the message must contain)
MALFORMED = [
    ("not-a-mapping", "- a\n- b\n", None, None, "mapping"),
    ("empty-file", "", None, None, "empty"),
    ("bad-yaml", "service: [shop\n", None, None, "not valid YAML: line"),
    ("duplicate-key", "service: a\nservice: b\nslos: []\n", None, None, "appears twice"),
    ("unknown-top-field", GOOD + "sevrice: x\n", None, "sevrice", "did you mean 'service'"),
    ("missing-service", "slos: []\n", None, "service", "non-empty string"),
    ("no-slos", "service: shop\nslos: []\n", None, "slos", "non-empty list"),
    (
        "missing-objective",
        "service: shop\nslos:\n  - name: api\n    sli: {availability: {}}\n",
        "api",
        "objective",
        "required",
    ),
    ("objective-100", _slo("availability: {}\n", "100"), "api", "objective", "strictly between 0 and 100"),
    ("objective-0", _slo("availability: {}\n", "0"), "api", "objective", "strictly between 0 and 100"),
    (
        "objective-negative",
        _slo("availability: {}\n", "-5"),
        "api",
        "objective",
        "strictly between 0 and 100",
    ),
    ("objective-ratio", _slo("availability: {}\n", "0.995"), "api", "objective", "write 99.5"),
    ("objective-string", _slo("availability: {}\n", '"99.5%"'), "api", "objective", "must be a number"),
    ("objective-bool", _slo("availability: {}\n", "true"), "api", "objective", "must be a number"),
    (
        "unknown-slo-field",
        _slo("availability: {}\n") + "    objetive: 1\n",
        "api",
        "objetive",
        "did you mean 'objective'",
    ),
    (
        "bad-name",
        "service: s\nslos:\n  - name: 'a b'\n    objective: 99\n    sli: {availability: {}}\n",
        None,
        "slos[0].name",
        "letters",
    ),
    (
        "duplicate-name",
        GOOD + "  - name: availability\n    objective: 99\n    sli: {availability: {}}\n",
        None,
        "slos[1].name",
        "unique",
    ),
    ("missing-sli", "service: shop\nslos:\n  - name: api\n    objective: 99\n", "api", "sli", "required"),
    ("two-slis", _slo("availability: {}\nlatency: {threshold: 300ms}\n"), "api", "sli", "exactly one"),
    ("unknown-sli-kind", _slo("errors: {}\n"), "api", "sli.errors", "unknown field"),
    (
        "unknown-route-field",
        _slo("availability:\n  route: ['/a']\n"),
        "api",
        "sli.availability.route",
        "did you mean 'routes'",
    ),
    (
        "routes-not-list",
        _slo("availability:\n  routes: /a\n"),
        "api",
        "sli.availability.routes",
        "list of strings",
    ),
    (
        "routes-empty-string",
        _slo("availability:\n  routes: ['']\n"),
        "api",
        "sli.availability.routes[0]",
        "non-empty",
    ),
    (
        "routes-duplicate",
        _slo("availability:\n  routes: [/a, /a]\n"),
        "api",
        "sli.availability.routes",
        "twice",
    ),
    (
        "bad-method",
        _slo("availability:\n  methods: [get]\n"),
        "api",
        "sli.availability.methods",
        "is not accepted here; accepted: CONNECT",
    ),
    (
        "bad-source",
        _slo("availability:\n  source: grpc\n"),
        "api",
        "sli.availability.source",
        "http or operation",
    ),
    (
        "operations-on-http",
        _slo("availability:\n  operations: [charge]\n"),
        "api",
        "sli.availability.operations",
        "source http",
    ),
    (
        "routes-on-operation",
        _slo("availability:\n  source: operation\n  routes: [/a]\n"),
        "api",
        "sli.availability.routes",
        "source operation",
    ),
    (
        "bad-span-kind",
        _slo("availability:\n  source: operation\n  span_kinds: [client]\n"),
        "api",
        "sli.availability.span_kinds",
        "is not accepted here; accepted: consumer, server",
    ),
    ("latency-no-threshold", _slo("latency: {}\n"), "api", "sli.latency.threshold", "required"),
    (
        "latency-not-a-bucket",
        _slo("latency: {threshold: 200ms}\n"),
        "api",
        "sli.latency.threshold",
        "not a histogram bucket boundary",
    ),
    (
        "latency-bad-duration",
        _slo("latency: {threshold: fast}\n"),
        "api",
        "sli.latency.threshold",
        "not a duration",
    ),
    (
        "latency-custom-buckets",
        _slo("latency: {threshold: 300ms}\n", extra="buckets: [0.1, 0.5]\n"),
        "api",
        "sli.latency.threshold",
        "nearest: 0.1s",
    ),
    (
        "buckets-unsorted",
        _slo("availability: {}\n", extra="buckets: [0.5, 0.1]\n"),
        None,
        "buckets",
        "strictly increasing",
    ),
    ("buckets-negative", _slo("availability: {}\n", extra="buckets: [-1]\n"), None, "buckets[0]", "positive"),
    (
        "raw-missing-window",
        _slo("raw: {errors: 'sum(rate(e[5m]))', total: 'sum(rate(t[{{window}}]))'}\n"),
        "api",
        "sli.raw.errors",
        "{{window}}",
    ),
    (
        "raw-missing-total",
        _slo("raw: {errors: 'sum(rate(e[{{window}}]))'}\n"),
        "api",
        "sli.raw.total",
        "non-empty string",
    ),
    ("bad-period", _slo("availability: {}\n", extra="period: 30 days\n"), None, "period", "not a duration"),
    (
        "period-too-short",
        _slo("availability: {}\n", extra="period: 12h\n"),
        "api",
        "period",
        "12h is too short for default alert windows",
    ),
    (
        "selector-bad-label",
        _slo("availability: {}\n", extra="selector: {'bad-label': x}\n"),
        None,
        "selector.bad-label",
        "label name",
    ),
    (
        "selector-bad-regex",
        _slo("availability: {}\n", extra="selector: {env: '=~(prod'}\n"),
        None,
        "selector.env",
        "regular expression",
    ),
    (
        "selector-number",
        _slo("availability: {}\n", extra="selector: {env: 1}\n"),
        None,
        "selector.env",
        "quote it",
    ),
    (
        "reserved-label",
        _slo("availability: {}\n") + "    labels: {severity: low}\n",
        "api",
        "labels.severity",
        "reserved",
    ),
    (
        "window-short-not-shorter",
        _slo(
            "availability: {}\n",
            extra="alerting: {windows: [{severity: page, long: 1h, short: 1h, budget_percent: 2}]}\n",
        ),
        None,
        "alerting.windows[0].short",
        "shorter than long",
    ),
    (
        "window-bad-severity",
        _slo(
            "availability: {}\n",
            extra="alerting: {windows: [{severity: warn, long: 1h, short: 5m, budget_percent: 2}]}\n",
        ),
        None,
        "alerting.windows[0].severity",
        "page or ticket",
    ),
    ("bad-version", "version: 2\n" + GOOD, None, "version", "must be 1"),
]


@pytest.mark.parametrize(
    ("text", "slo", "field", "words"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_spec_gets_one_line_naming_file_slo_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    slo: str | None,
    field: str | None,
    words: str,
) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert words in message
    if slo is not None:
        assert f"SLO {slo!r}" in message
    if field is not None:
        assert f"field {field!r}" in message
    # the CLI prints exactly that line and exits non-zero, for every subcommand that reads a spec
    for argv in (["validate", str(path)], ["rules", str(path)], ["dashboard", str(path)]):
        assert cli.main(["slo", *argv]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err == f"otelward: {message}\n"


def test_good_spec_defaults() -> None:
    spec = parse_spec([yaml.safe_load(GOOD)], "slo.yaml")
    (slo,) = spec.slos
    assert spec.selector == (Matcher("job", "=", "shop"),)
    assert slo.period_s == 30 * 86400
    assert slo.budget == pytest.approx(0.005)
    assert spec.buckets == default_buckets()
    assert 0.3 in spec.buckets


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_objective_is_accepted_only_strictly_between_1_and_100(objective: float) -> None:
    doc = yaml.safe_load(GOOD)
    doc["slos"][0]["objective"] = objective
    if 1 <= objective < 100 and round(1 - objective / 100, 12) > 0:
        assert 0 < parse_spec([doc], "slo.yaml").slos[0].budget <= 0.99
    else:
        with pytest.raises(SpecError, match="field 'objective'"):
            parse_spec([doc], "slo.yaml")


# The parser's own list of SLO fields: a copy here went stale when `alerting` was added, and the test drew it.
_FIELDS = SLO_FIELDS


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
        lambda k: k not in _FIELDS
    )
)
def test_any_unknown_slo_field_is_named(key: str) -> None:
    doc = yaml.safe_load(GOOD)
    doc["slos"][0][key] = 1
    with pytest.raises(SpecError) as info:
        parse_spec([doc], "slo.yaml")
    assert f"field {key!r}: unknown field" in str(info.value)
    assert "SLO 'availability'" in str(info.value)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(default_buckets()), st.booleans())
def test_every_default_bucket_is_a_valid_threshold(bound: float, as_ms: bool) -> None:
    threshold = f"{bound * 1000:g}ms" if as_ms else bound
    doc = yaml.safe_load(GOOD)
    doc["slos"][0]["sli"] = {"latency": {"threshold": threshold}}
    assert parse_spec([doc], "slo.yaml").slos[0].sli.threshold_s == bound


@pytest.mark.parametrize(
    ("errors", "words"),
    [
        ("sum(rate(x{code=~'5..'}[{{window}}])", "expected , or ) at position 37"),
        ("sum(rate(x[{{window}}])) and 1", "needs instant vectors on both sides"),
        ("scalar(sum(rate(x[{{window}}])))", "is a scalar; it must be an instant vector"),
        ("rate(sum(x)[{{window}}])", "a range [..] needs a metric selector"),
        ("sum(rate(x{a=~'(?!b)'}[{{window}}]))", "RE2"),
    ],
    ids=["unclosed-paren", "set-with-scalar", "scalar", "range-of-expression", "lookahead"],
)
def test_raw_sli_queries_are_parsed_at_validation(errors: str, words: str) -> None:
    # Before: an unclosed parenthesis validated, and promtool refused the rules.
    doc = {
        "service": "s",
        "slos": [
            {
                "name": "raw",
                "objective": 99,
                "sli": {"raw": {"errors": errors, "total": "sum(rate(x[{{window}}]))"}},
            }
        ],
    }
    with pytest.raises(SpecError) as err:
        parse_spec([doc], "slo.yaml")
    assert "field 'sli.raw.errors': " in str(err.value)
    assert words in str(err.value)
