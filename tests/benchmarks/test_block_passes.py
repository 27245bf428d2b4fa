"""The block-pass benchmark runs on a small cohort, compares equal passes and writes JSON."""

import json

from benchmarks import block_passes


def test_block_passes_times_both_passes_and_finds_them_equal(tmp_path):
    out = tmp_path / "block_passes.json"
    found = block_passes.main(
        ["--mentees", "300", "--mentors", "60", "--rows", "0", "--out", str(out)]
    )
    assert found["per-mentor lists equal"] is True
    assert found["mentees timed"] == 300
    assert set(found["seconds"]) == {"score numpy", "score compiled", "read numpy", "read compiled"}
    assert all(value >= 0 for value in found["seconds"].values())
    assert len(found["start-up s (first call, import), fresh processes"]) == 3
    assert json.loads(out.read_text()) == found
