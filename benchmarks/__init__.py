"""Benchmarks for dlcli: `make bench` (or `python -m benchmarks`) runs them all."""
