"""Shared helpers for the CSV and records tests."""

import pytest

from matcher.model import InputError


@pytest.fixture
def rejected():
    """Call a reader that must fail; return its problems (and check no Cohort came back)."""

    def run(call, *args, **kwargs):
        with pytest.raises(InputError) as info:
            call(*args, **kwargs)
        problems = info.value.problems
        assert problems, "an InputError must carry at least one problem"
        return list(problems)

    return run


def lines(*rows: str, sep: str = "\n") -> bytes:
    """A CSV file's bytes from its lines (UTF-8, no BOM, final newline)."""
    return (sep.join(rows) + sep).encode("utf-8")
