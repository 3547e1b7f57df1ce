"""Summing worker processes: live workers whole, exited workers' counters kept, their gauges dropped."""

from __future__ import annotations

import json
import subprocess
import sys

from otelward.management._workers import SnapshotWriter, WorkerSnapshots, parent_from_env
from otelward.metrics._snapshot import attr_key, family_key

REQ, RSS = family_key("req", "counter"), family_key("rss", "gauge")


def _snap(requests: int, rss: int) -> dict:
    return {
        REQ: {
            "name": "req",
            "unit": "1",
            "description": "",
            "kind": "counter",
            "points": {attr_key({}): {"attrs": {}, "value": requests}},
        },
        RSS: {
            "name": "rss",
            "unit": "By",
            "description": "",
            "kind": "gauge",
            "points": {attr_key({}): {"attrs": {}, "value": rss}},
        },
    }


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write(directory, pid, snap) -> None:
    doc = {"pid": pid, "time": 0.0, "metrics": snap, "checks": []}
    (directory / f"{pid}.json").write_text(json.dumps(doc))


def _value(snap, key) -> float:
    return next(iter(snap[key]["points"].values()))["value"]


def test_exited_workers_counts_survive_their_files_and_later_scrapes(tmp_path) -> None:
    import os

    dead = _dead_pid()
    _write(tmp_path, dead, _snap(5, 1000))
    _write(tmp_path, os.getpid(), _snap(2, 300))
    reader = WorkerSnapshots(tmp_path)
    summed, workers = reader.read()
    assert _value(summed, REQ) == 7
    (gauge,) = summed[RSS]["points"].values()
    assert gauge == {"attrs": {"pid": str(os.getpid())}, "value": 300}
    assert [w["pid"] for w in workers] == [os.getpid()]
    assert not (tmp_path / f"{dead}.json").exists()
    # the exited worker's counts stay in the total on every later scrape
    summed, _ = reader.read()
    assert _value(summed, REQ) == 7


def test_writer_subtracts_what_a_forked_child_inherited(tmp_path) -> None:
    import os

    current = {"snap": _snap(10, 50)}
    writer = SnapshotWriter(tmp_path, lambda: current["snap"], interval_s=60)
    writer._baseline = _snap(4, 0)
    writer.write()
    doc = json.loads((tmp_path / f"{os.getpid()}.json").read_text())
    assert _value(doc["metrics"], REQ) == 6
    assert _value(doc["metrics"], RSS) == 50


def test_a_process_is_a_worker_only_of_a_live_other_parent(tmp_path) -> None:
    import os

    assert parent_from_env({}) is None
    assert parent_from_env({"_OTELWARD_MANAGEMENT_PARENT": f"{os.getpid()}:{tmp_path}"}) is None
    assert parent_from_env({"_OTELWARD_MANAGEMENT_PARENT": f"{_dead_pid()}:{tmp_path}"}) is None
    parent = os.getppid()
    assert parent_from_env({"_OTELWARD_MANAGEMENT_PARENT": f"{parent}:{tmp_path}"}) == (parent, tmp_path)
