"""The end-to-end benchmark harness used by ``benchmarks/run.py``."""
