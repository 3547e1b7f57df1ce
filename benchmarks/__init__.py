"""Benchmarks: the end-to-end harness (``run.py``) and pytest-benchmark micro suites (``bench_*.py``)."""
