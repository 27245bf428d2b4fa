"""The answers on the command line: tables on stderr, JSON on stdout, clear input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main

DATA = Path(__file__).resolve().parents[2] / "data"
SHEET = [DATA / "coaching-sample.csv", "--policy", DATA / "coaching.toml"]


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_why_not_json_has_the_documented_keys(run):
    result = run("explain", *SHEET, "E02", "--why-not", "M03", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data)[:8] == [
        "mentee", "mentor", "allowed", "rules", "reasons", "paired", "optimum",
        "optimum_with_pair",
    ]  # fmt: skip
    assert {"cost", "moves"} <= set(data)
    assert data["allowed"] and data["cost"]["places"] == 0 and data["cost"]["score"] > 0
    assert data["moves"][0] == {
        "mentee_id": "E02",
        "from_mentor": "M06",
        "to_mentor": "M03",
        "reason": "the pair asked about",
        "score_before": pytest.approx(0.883333),
        "score_after": pytest.approx(0.133333),
    }


def test_why_not_text_names_the_rule(run):
    result = run("explain", *SHEET, "E05", "--why-not", "M01")
    assert result.exit_code == 0
    assert "the reporting-chain rule: M01 and E05 are in one management chain" in result.stdout
    assert "@" not in result.output  # no emails


def test_unknown_ids_are_rejected_with_a_hint(run):
    result = run("explain", *SHEET, "E2", "--why-not", "m03")
    assert result.exit_code == 2
    assert "column 'MENTEE_ID': no mentee with this id in the cohort; did you mean" in (
        result.stderr
    )
    assert "column '--why-not': no mentor with this id in the cohort; did you mean 'M03'?" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_json_without_why_not_is_a_usage_error(run):
    assert run("explain", *SHEET, "E02", "--json").exit_code == 2


def test_alternatives_reject_k_0_and_a_negative_distance_together(run):
    result = run("alternatives", *SHEET, "-k", "0", "--within", "-1%")
    assert result.exit_code == 2
    assert "column 'k': expected a whole number >= 1 (got '0')" in result.stderr
    assert "column 'within': expected a distance >= 0" in result.stderr


def test_alternatives_write_checked_pairs_files(run, tmp_path):
    from matcher.io.cohort_csv import read_assignments

    out = tmp_path / "alt.csv"
    result = run("alternatives", *SHEET, "-k", "2", "--within", "3%", "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["alternatives"]) == len(data["written"]) >= 1
    for alt, path in zip(data["alternatives"], data["written"], strict=True):
        rows = [r for r in read_assignments(path) if r["mentor_id"]]
        assert len(rows) == alt["places"] == data["optimum"]["places"]
        assert alt["total"] >= data["floor"] - 1e-6


def test_prices_attrition_and_audit_print_tables_and_json(run):
    prices = run("prices", *SHEET, "--top", "3", "--hints", "1")
    assert prices.exit_code == 0
    assert "what each hard rule costs" in prices.stderr and "one more place" in prices.stderr
    data = json.loads(run("prices", *SHEET, "--top", "2", "--hints", "1", "--json").stdout)
    assert set(data) == {"optimum", "rules", "places", "recruiting"}
    assert "the reporting-chain rule" in {r["words"] for r in data["rules"]}
    risks = json.loads(run("attrition", *SHEET, "--top", "2", "--json").stdout)
    assert len(risks["risks"]) == 2 and "fragile" in risks
    assert "if this mentor left" in run("attrition", *SHEET, "--top", "1").stderr
    audit = run("audit", *SHEET)
    assert audit.exit_code == 0 and "equity audit" in audit.stderr
    assert "group(s) flagged" in audit.stderr
    assert json.loads(run("audit", *SHEET, "--json").stdout)["overall"]["mentees"] == 28
