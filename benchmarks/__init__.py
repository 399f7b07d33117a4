"""Benchmarks: a synthetic dataset generator and ``make bench`` (see benchmarks/RESULTS.md)."""
