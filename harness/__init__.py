"""The process-level harness shared by the tests, the benchmarks and the demo: a real collector (rotel) and
the example service under otelward. Not shipped with the package."""
