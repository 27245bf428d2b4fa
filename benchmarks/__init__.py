"""Benchmark programs for mentormatch: ``python -m benchmarks.run`` runs them all."""
