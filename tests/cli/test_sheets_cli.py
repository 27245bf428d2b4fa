"""From a sign-up form to introductions: map, validate --map, match --map, intros."""

import csv
import io
import json
from pathlib import Path

import pytest

from matcher.checker import check
from matcher.io.cohort_csv import read_assignments, read_cohort
from matcher.io.mapping import load_mapping
from matcher.io.policy import preset
from matcher.solve import solve

FORMS = Path(__file__).resolve().parents[1] / "data" / "forms"


@pytest.fixture
def mapped(run, tmp_path):
    """Map a form export with `mentormatch map`, unedited; return the mapping's path."""

    def make(name):
        mapping = tmp_path / f"{Path(name).stem}.toml"
        result = run("map", FORMS / name, "-o", mapping)
        assert result.exit_code == 0, result.output
        assert "the sheet reads with this mapping" in result.stderr
        return mapping

    return make


@pytest.mark.parametrize(
    ("name", "mentees"),
    [
        ("google-signup.csv", 16),
        ("google-signup.xlsx", 16),
        ("microsoft-signup.csv", 8),
        ("microsoft-signup.xlsx", 8),
    ],
)
def test_map_then_match_pairs_every_mentee_by_the_rules(run, mapped, tmp_path, name, mentees):
    mapping = mapped(name)
    pairs = tmp_path / "pairs.csv"
    result = run("match", FORMS / name, "--map", mapping, "--program", "mentoring", "-o", pairs)
    assert result.exit_code == 0, result.output
    records = read_assignments(pairs)
    assert len(records) == mentees and all(r["mentor_id"] for r in records)
    cohort = read_cohort(FORMS / name, mapping=load_mapping(mapping))
    managers = {p.id: p.manager_id for p in cohort.mentees}
    assert all(managers[r["mentee_id"]] != r["mentor_id"] for r in records)  # not one's manager
    assert all(r["mentee_email"] and r["mentor_name"] for r in records)
    policy = preset("mentoring")
    assert check(cohort, policy, solve(cohort, policy)) == []


def test_multi_selects_split_change_who_matches(run, mapped, tmp_path):
    mapping = mapped("google-signup.csv")
    pairs = tmp_path / "pairs.csv"
    run("match", FORMS / "google-signup.csv", "--map", mapping, "-o", pairs)
    chloe = next(r for r in read_assignments(pairs) if r["mentee_name"] == "Chloe Martin")
    # "Stakeholder management, Negotiation" is two skills that Tom teaches.
    assert chloe["mentor_name"] == "Tom Becker" and chloe["skills"] == 1.0


def test_validate_with_the_mapping_says_what_it_understood(run, mapped):
    mapping = mapped("google-signup.xlsx")
    result = run("validate", FORMS / "google-signup.xlsx", "--map", mapping)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "OK: 16 mentees, 8 mentors, 16 mentor places, 16 wanted places"
    assert (
        "  Which skills would you like to learn or can you teach? (choose up to 3) -> skills: "
        "16 distinct, most common public speaking \u00d76, python \u00d75, negotiation \u00d75"
    ) in lines
    assert "  How many mentees can you take on? -> capacity (mentors): mentors 1 \u00d72, " in (
        result.stderr
    )
    assert "Central European Time -> Europe/Paris (UTC+01:00) \u00d74" in result.stderr
    assert lines[-1] == "  ignored: Timestamp"
    assert "@" not in result.stderr  # never an email


def test_a_form_export_without_a_mapping_points_to_map(run):
    result = run("validate", FORMS / "google-signup.csv")
    assert result.exit_code == 2
    assert (
        "google-signup.csv, line 1, column 'Email Address': unknown column; expected one of id, "
    ) in result.stderr
    assert "it looks like field 'email'; for a form's own headers, write a mapping with " in (
        result.stderr
    )
    assert "`mentormatch map SHEET -o mapping.toml` and read the sheet with --map" in result.stderr
    assert "column 'Timestamp': unknown column" in result.stderr
    assert "it looks like form metadata to ignore" in result.stderr


def test_map_keeps_an_edited_mapping_unless_forced(run, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("# my edits\n", encoding="utf-8")
    refused = run("map", FORMS / "google-signup.csv", "-o", mapping)
    assert refused.exit_code == 2 and "exists" in refused.stderr
    assert mapping.read_text(encoding="utf-8") == "# my edits\n"
    assert run("map", FORMS / "google-signup.csv", "-o", mapping, "--force").exit_code == 0
    assert mapping.read_text(encoding="utf-8").startswith("# mentormatch mapping for google")


def test_map_names_the_workbook_sheet_and_prints_to_stdout(run):
    result = run("map", FORMS / "microsoft-signup.xlsx")
    assert result.exit_code == 0
    assert 'sheet = "Sheet1"' in result.stdout
    assert "# mentormatch mapping for microsoft-signup.xlsx (a Microsoft Forms export)" in (
        result.stdout
    )


def test_a_mapping_with_an_ambiguous_zone_is_fixed_in_the_mapping(run, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("Email,Role,Time zone\na@x,A mentor,IST\nb@x,A mentee,IST\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    made = run("map", sheet, "-o", mapping)
    assert "with this mapping the sheet has 2 problem(s)" in made.stderr
    rejected = run("validate", sheet, "--map", mapping)
    assert rejected.exit_code == 2
    assert "s.csv, line 2, column 'Time zone': 'IST' is ambiguous" in rejected.stderr
    text = mapping.read_text(encoding="utf-8").replace(
        '# "IST" = "Asia/Kolkata"', '"IST" = "Asia/Kolkata"'
    )
    mapping.write_text(text, encoding="utf-8")
    assert run("validate", sheet, "--map", mapping).exit_code == 0


def test_match_writes_a_workbook_and_intros_follow(run, mapped, tmp_path):
    mapping = mapped("microsoft-signup.xlsx")
    workbook = tmp_path / "pairs.xlsx"
    result = run("match", FORMS / "microsoft-signup.xlsx", "--map", mapping, "-o", workbook)
    assert result.exit_code == 0
    intros = tmp_path / "intros.csv"
    made = run("intros", workbook, "-o", intros)
    assert made.exit_code == 0 and made.stderr == f"wrote 8 introductions to {intros}\n"
    rows = list(csv.DictReader(io.StringIO(intros.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 8
    deepa = next(r for r in rows if r["mentee_name"] == "Deepa Iyer")
    assert deepa["mentee_email"] == "deepa.iyer@contoso.example"
    assert (deepa["mentor_name"], deepa["mentor_email"]) == (
        "Arjun Nair",
        "arjun.nair@contoso.example",
    )
    assert deepa["shared_ground"] == (
        "Arjun can help Deepa with sql and data analysis; you share a time zone."
    )
    # Ana's line manager (Sofia, 10231) mentors too: the reporting-chain rule keeps them apart.
    ana = next(r for r in rows if r["mentee_name"] == "Ana Souza")
    assert ana["mentor_id"] != "10231"


def test_usage_errors_for_sheets(run, tmp_path):
    csv_sheet = FORMS / "google-signup.csv"
    on_csv = run("validate", csv_sheet, "--sheet", "Form Responses 1")
    assert on_csv.exit_code == 2 and "--sheet is for .xlsx, .xls and .ods files" in on_csv.stderr
    mapping = tmp_path / "m.toml"
    run("map", csv_sheet, "-o", mapping)
    both = run("validate", csv_sheet, "--map", mapping, "--ignore-unknown-columns")
    assert both.exit_code == 2 and "drop --ignore-unknown-columns" in both.stderr
    no_emails = tmp_path / "pairs.csv"
    no_emails.write_text("mentee_id,mentor_id,score,pinned,explanation\nE1,M1,0.5,false,x\n")
    assert "no mentee_email and mentor_email columns" in run("intros", no_emails).stderr


def test_the_summary_counts_mentees_that_add_up(run, tmp_path):
    sheet = tmp_path / "c.csv"
    sheet.write_text(
        "id,role,capacity,skills\nM1,mentor,1,go\nE1,mentee,2,go\nE2,mentee,1,go\nE3,mentee,0,go\n",
        encoding="utf-8",
    )
    result = run("match", sheet, "-o", tmp_path / "p.csv", "--json")
    summary = json.loads(result.stdout)
    counts = summary["mentee_counts"]
    assert sum(counts.values()) == summary["metrics"]["mentees"] == 3
    assert counts["sitting_out"] == 1
    assert (
        counts["partly_matched"] + counts["fully_matched"] == summary["metrics"]["matched_mentees"]
    )
    assert "mentees (people)" in result.stderr and " = 3" in result.stderr
    assert "places matched" in result.stderr
