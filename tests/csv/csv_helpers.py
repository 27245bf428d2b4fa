"""Shared helpers for the CSV tests (the ``rejected`` fixture is in tests/conftest.py)."""


def lines(*rows: str, sep: str = "\n") -> bytes:
    """A CSV file's bytes from its lines (UTF-8, no BOM, final newline)."""
    return (sep.join(rows) + sep).encode("utf-8")
