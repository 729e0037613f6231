"""Benchmarks, run on demand (never as timed unit tests). See bench/README.md."""
