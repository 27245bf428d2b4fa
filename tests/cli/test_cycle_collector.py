"""One-shot commands run with the cycle collector off and leave it as they found it."""

import gc

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.cli.common import without_cycle_collector


def test_the_collector_is_off_inside_and_back_on_after_a_failure():
    seen = []

    @without_cycle_collector
    def command():
        seen.append(gc.isenabled())
        raise ValueError("boom")

    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"):
        command()
    assert seen == [False] and gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    try:
        without_cycle_collector(lambda: None)()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_match_runs_and_restores_the_collector(tmp_path):
    out = tmp_path / "pairs.csv"
    done = CliRunner().invoke(main, ["match", "data/coaching-sample.csv", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8-sig").startswith("mentee_id") and gc.isenabled()
