"""Summing worker processes: live workers whole, exited workers' counters kept, their gauges dropped."""

from __future__ import annotations

import json
import subprocess
import sys

from otelward.management._roles import ENV_MARK, WORKERS_MARK, forked_by_prefork_server, role_from_env
from otelward.management._workers import SnapshotWriter, WorkerSnapshots
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


def test_a_periodic_write_in_flight_never_replaces_the_final_snapshot(tmp_path) -> None:
    # Under load the periodic thread took its snapshot (old counts), the final write at exit went first, and
    # the periodic write then replaced the file: a worker replaced after --max-requests lost its last counts.
    import os
    import threading

    taking = threading.Event()
    release = threading.Event()
    calls = {"n": 0}

    def take() -> dict:
        calls["n"] += 1
        if calls["n"] == 1:  # the periodic write: blocks after taking the old snapshot
            taking.set()
            release.wait(5)
            return _snap(1, 0)
        return _snap(2, 0)  # the final snapshot, taken later

    writer = SnapshotWriter(tmp_path, take, interval_s=0.01).start()
    assert taking.wait(5)
    stopper = threading.Thread(target=writer.stop)
    stopper.start()
    stopper.join(0.2)  # the final write waits for the one in flight (bounded) ...
    release.set()
    stopper.join(5)
    writer.thread.join(5)
    doc = json.loads((tmp_path / f"{os.getpid()}.json").read_text())
    assert _value(doc["metrics"], REQ) == 2  # ... and lands last


def test_shutdown_writes_the_final_worker_snapshot_before_it_returns() -> None:
    from otelward.config import Settings
    from otelward.startup._runtime import Runtime

    written: list[str] = []

    class _Management:
        def write_final(self) -> None:
            written.append("final")

        def stop(self) -> None:
            pass

    rt = Runtime(settings=Settings.from_env({}))
    rt.management = _Management()  # type: ignore[assignment]
    rt.shutdown(timeout_s=1.0)
    assert written == ["final"]


def test_a_spawned_process_is_a_worker_only_of_its_spawning_parent(tmp_path) -> None:
    import os

    parent = os.getppid()
    mark = f"{parent}:{tmp_path}"
    assert role_from_env({}) == ("server", None)
    assert role_from_env({ENV_MARK: f"{os.getpid()}:{tmp_path}"}) == ("server", None)
    assert role_from_env({ENV_MARK: f"{_dead_pid()}:{tmp_path}"}) == ("server", None)
    # a live serving ancestor that is not spawning workers: a child of its own (a spawn Pool, a helper)
    assert role_from_env({ENV_MARK: mark}) == ("child", None)
    assert role_from_env({ENV_MARK: mark, WORKERS_MARK: "1"}) == ("child", None)
    env = {ENV_MARK: mark, WORKERS_MARK: str(parent)}
    assert role_from_env(env) == ("worker", str(tmp_path))
    assert WORKERS_MARK not in env  # its own children are not workers


def test_only_a_fork_inside_a_servers_spawn_worker_is_a_worker() -> None:
    assert forked_by_prefork_server() is False

    def spawn_worker() -> bool:
        return forked_by_prefork_server()

    # The name alone is not enough: the frame must be gunicorn's.
    assert spawn_worker() is False
    code = spawn_worker.__code__.replace(co_filename="/site-packages/gunicorn/arbiter.py")
    assert type(spawn_worker)(code, globals())() is True
