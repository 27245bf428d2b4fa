"""One module per benchmark suite; each has ``run(config) -> dict`` (see benchmarks.run)."""
