"""A sign-up form's own questions count once the mapping gives them a rule."""

import csv
from pathlib import Path

FORMS = Path(__file__).resolve().parents[1] / "data" / "forms"


def test_uncommenting_a_rule_in_the_mapping_makes_a_question_count(run, tmp_path):
    mapping = tmp_path / "mapping.toml"
    sheet = FORMS / "google-signup.csv"
    assert run("map", sheet, "-o", mapping).exit_code == 0
    text = mapping.read_text()
    assert '# rule = "overlap"' in text
    mapping.write_text(text.replace('# rule = "overlap"', 'rule = "overlap"\nweight = 2 #'))
    out = tmp_path / "pairs.csv"
    result = run("match", sheet, "--map", mapping, "-o", out)
    assert result.exit_code == 0, result.stderr
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["mentor_id"]]
    assert rows and all(r["attributes"] != "" for r in rows)
    assert any("both chose" in r["explanation"] for r in rows)


def test_a_mapping_rule_on_a_question_nobody_answered_is_reported(run, tmp_path):
    mapping = tmp_path / "mapping.toml"
    sheet = FORMS / "google-signup.csv"
    run("map", sheet, "-o", mapping)
    text = mapping.read_text().replace(
        '# rule = "overlap"', 'rule = "overlap"\npair_with = "hobbys" #'
    )
    mapping.write_text(text)
    result = run("match", sheet, "--map", mapping, "-o", tmp_path / "pairs.csv")
    assert result.exit_code == 2
    assert "hobbys" in result.stderr and "pair_with" in result.stderr
