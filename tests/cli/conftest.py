"""The command line, invoked in-process."""

import pytest
from click.testing import CliRunner

from matcher.cli import main


@pytest.fixture
def run():
    """``run(*args)``: the CLI's result (exit code, stdout, stderr) for ``args``."""

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
