"""Benchmarks: `python -m bench.<name>` prints its figures (not timed tests)."""
