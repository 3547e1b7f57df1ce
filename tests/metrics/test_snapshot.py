"""Snapshots: what /metrics sums over worker processes must add up exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from otelward.metrics._snapshot import (
    OVERFLOW_ATTR,
    PID_LABEL,
    attr_key,
    cap_series,
    family_key,
    label_gauges,
    merge,
    monotonic_only,
    subtract,
)


def _family(name, kind, unit, points):
    return {
        family_key(name, kind): {
            "name": name,
            "unit": unit,
            "description": "",
            "kind": kind,
            "scope": {"name": "", "version": "", "schema_url": ""},
            "points": {attr_key(p["attrs"]): p for p in points},
        }
    }


def _key(name, kind):
    return family_key(name, kind)


def _counter(name, series):
    return _family(name, "counter", "1", [{"attrs": a, "value": v} for a, v in series])


def _hist(name, series, bounds=(0.1, 1.0)):
    points = [
        {"attrs": a, "bounds": list(bounds), "counts": c, "sum": s, "count": sum(c)} for a, c, s in series
    ]
    return _family(name, "histogram", "s", points)


def _gauge(name, value, kind="gauge"):
    return _family(name, kind, "By", [{"attrs": {}, "value": value}])


def _values(snap, name, kind):
    return sorted(p["value"] for p in snap[_key(name, kind)]["points"].values())


def test_merge_sums_counters_and_histograms_per_series() -> None:
    a = {**_counter("c", [({"r": "/a"}, 2)]), **_hist("h", [({"r": "/a"}, [1, 0, 1], 1.5)]), **_gauge("g", 5)}
    b = {**_counter("c", [({"r": "/a"}, 3), ({"r": "/b"}, 1)]), **_hist("h", [({"r": "/a"}, [0, 2, 0], 0.8)])}
    out = merge([a, b])
    points = {p["attrs"]["r"]: p["value"] for p in out[_key("c", "counter")]["points"].values()}
    assert points == {"/a": 5, "/b": 1}
    (h,) = out[_key("h", "histogram")]["points"].values()
    assert (h["counts"], h["count"], round(h["sum"], 6)) == ([1, 2, 1], 4, 2.3)
    assert _values(out, "g", "gauge") == [5]


def test_two_workers_reading_41_5_do_not_show_83() -> None:
    # the bug of issue 18: gauges were summed over workers
    a, b = _gauge("hw.temperature", 41.5), _gauge("hw.temperature", 41.5)
    out = merge([label_gauges(a, 101), label_gauges(b, 102)])
    points = out[_key("hw.temperature", "gauge")]["points"].values()
    assert sorted((p["attrs"][PID_LABEL], p["value"]) for p in points) == [("101", 41.5), ("102", 41.5)]
    # even unlabelled, a merge never adds two readings
    assert _values(merge([a, b]), "hw.temperature", "gauge") == [41.5]


def test_up_down_counters_add_over_live_processes_and_leave_with_an_exited_one() -> None:
    a, b = _gauge("active", 3, "updowncounter"), _gauge("active", 2, "updowncounter")
    assert _values(merge([label_gauges(a, 1), label_gauges(b, 2)]), "active", "updowncounter") == [5]
    assert monotonic_only(a) == {}


def test_a_bucket_keeps_the_newest_exemplar_of_any_process() -> None:
    def hist(time_ns, trace):
        (fam,) = _hist("h", [({}, [0, 1, 0], 0.5)]).values()
        (point,) = fam["points"].values()
        point["exemplars"] = {"1": {"value": 0.5, "time_ns": time_ns, "trace_id": trace, "span_id": "1"}}
        return {_key("h", "histogram"): fam}

    for order in ([hist(5, "new"), hist(1, "old")], [hist(1, "old"), hist(5, "new")]):
        (point,) = merge(order)[_key("h", "histogram")]["points"].values()
        assert point["exemplars"]["1"]["trace_id"] == "new"
        assert point["counts"] == [0, 2, 0]


def test_merge_does_not_mutate_its_inputs() -> None:
    a = _hist("h", [({}, [1, 0, 0], 0.05)])
    merge([a, a, a])
    assert next(iter(a[_key("h", "histogram")]["points"].values()))["counts"] == [1, 0, 0]


def test_merge_never_mixes_histograms_with_different_bounds() -> None:
    a = _hist("h", [({}, [1, 0, 0], 0.05)], bounds=(0.1, 1.0))
    b = _hist("h", [({}, [0, 0, 1], 5.0)], bounds=(0.5, 2.0))
    (h,) = merge([a, b])[_key("h", "histogram")]["points"].values()
    assert h["bounds"] == [0.1, 1.0]
    assert h["count"] == 1


def test_exited_process_keeps_counters_but_not_gauges() -> None:
    snap = {**_counter("c", [({}, 7)]), **_gauge("g", 100)}
    assert set(monotonic_only(snap)) == {_key("c", "counter")}


def test_subtract_removes_what_a_forked_child_inherited() -> None:
    inherited = {**_counter("c", [({}, 3)]), **_hist("h", [({}, [1, 0, 0], 0.05)]), **_gauge("g", 9)}
    now = {
        **_counter("c", [({}, 5), ({"new": "x"}, 2)]),
        **_hist("h", [({}, [1, 1, 0], 0.5)]),
        **_gauge("g", 12),
    }
    out = subtract(now, inherited)
    values = sorted(p["value"] for p in out[_key("c", "counter")]["points"].values())
    assert values == [2, 2]
    (h,) = out[_key("h", "histogram")]["points"].values()
    assert (h["counts"], h["count"]) == ([0, 1, 0], 1)
    assert _values(out, "g", "gauge") == [12]


def test_cap_folds_extra_series_into_one_overflow_series() -> None:
    snap = _counter("c", [({"user": str(i)}, 1) for i in range(25)])
    capped, folded = cap_series(snap, 10)
    points = capped[_key("c", "counter")]["points"].values()
    assert len(points) == 10
    overflow = [p for p in points if p["attrs"] == {OVERFLOW_ATTR: "true"}]
    assert overflow[0]["value"] == 16
    assert folded == {"c": 16}


@given(
    st.lists(st.tuples(st.text(max_size=3), st.integers(0, 1000)), max_size=60, unique_by=lambda t: t[0]),
    st.integers(2, 20),
)
def test_cap_never_loses_a_count(series, limit) -> None:
    snap = _counter("c", [({"k": k}, v) for k, v in series])
    capped, _ = cap_series(snap, limit)
    total = sum(p["value"] for p in capped[_key("c", "counter")]["points"].values())
    assert total == sum(v for _, v in series)
    assert len(capped[_key("c", "counter")]["points"]) <= limit
