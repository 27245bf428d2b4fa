"""Accepted inputs: encodings, delimiters, header spellings, quoting and line numbers."""

import io
from pathlib import Path

import pytest
from csv_helpers import lines

from matcher.io.cohort_csv import read_cohort, read_cohort_files
from matcher.model import Mentee, Mentor, Skill

DATA = Path(__file__).parent.parent / "data" / "csv"
TEXT = "id,role,name,skills\nm1,mentor,Zoë Ångström,Python:4\ne1,mentee,Łukasz,python\n"


def check_small(cohort):
    assert cohort.mentors == (Mentor(id="m1", name="Zoë Ångström", skills=(Skill("python", 4),)),)
    assert cohort.mentees == (Mentee(id="e1", name="Łukasz", skills=(Skill("python"),)),)


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom"],
)
def test_accepted_encodings(encoded, tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_bytes(encoded)
    check_small(read_cohort(path))
    check_small(read_cohort(encoded))


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_accepted_delimiters(sep):
    check_small(read_cohort(TEXT.replace(",", sep).encode()))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_endings(newline):
    check_small(read_cohort(TEXT.replace("\n", newline).encode()))


def test_sniffing_prefers_the_delimiter_that_keeps_rows_consistent():
    # ';' is more frequent in the header, but only ',' gives every row the header's width.
    data = lines("id,role,notes;a;b;c", "m1,mentor,x", "e1,mentee,y")
    cohort = read_cohort(data, ignore_unknown=True)
    assert (cohort.mentor_ids, cohort.mentee_ids) == (("m1",), ("e1",))


def test_sniffing_picks_the_most_frequent_consistent_delimiter():
    data = lines("id;role;a,b", "m1;mentor;1,2", "e1;mentee;3,4")
    cohort = read_cohort(data, ignore_unknown=True)
    assert cohort.mentor_ids == ("m1",)


def test_sniffing_ties_go_to_the_comma(rejected):
    # ',' and ';' occur once each and both split every row in two: the comma wins.
    problems = rejected(read_cohort, lines("id;role,x", "m1;mentor,1", "e1;mentee,2"))
    assert [(p.line, p.column) for p in problems] == [
        (1, "id"),  # no 'id' column
        (1, "role"),  # no 'role' column
        (1, "id;role"),  # unknown
        (1, "x"),  # unknown
    ]


def test_header_spellings_are_equivalent():
    data = lines(
        " ID ,ROLE,Min Capacity,max-capacity,manager_ID,Time-Zone,E-Mail",
        "m1,mentor,1,2,boss,+1,a@b.c",
        "e1,mentee,,1,,,",
    )
    cohort = read_cohort(data, ignore_unknown=True)
    assert cohort.mentors[0].email == "a@b.c"
    assert cohort.mentors[0].min_capacity == 1
    assert cohort.mentors[0].manager_id == "boss"
    assert cohort.mentors[0].utc_offset_minutes == 60


def test_min_capacity_header_variants():
    for header in ("Min Capacity", "min-capacity", "MIN_CAPACITY", "min  _ capacity"):
        cohort = read_cohort(lines(f"id,role,capacity,{header}", "m1,mentor,3,2", "e1,mentee,1,"))
        assert cohort.mentors[0].min_capacity == 2


def test_embedded_newlines_keep_physical_line_numbers(rejected):
    data = lines(
        "id,role,name,capacity",
        'm1,mentor,"Ann',
        'Smith",2',
        'e1,mentee,"Bob',
        "",
        'Jones",1',
        "e2,mentee,Cy,many",
    )
    problems = rejected(read_cohort, data)
    assert [(p.line, p.column, p.value) for p in problems] == [(7, "capacity", "many")]


def test_embedded_newlines_are_kept_in_the_value():
    cohort = read_cohort(lines("id,role,name", 'm1,mentor,"Ann\r\nSmith"', "e1,mentee,Bob"))
    assert cohort.mentors[0].name == "Ann\r\nSmith"


def test_blank_rows_are_skipped_and_line_numbers_stay_physical(rejected):
    data = lines("", "id,role,capacity", "", "m1,mentor,1", ",,", "e1,mentee,x")
    problems = rejected(read_cohort, data)
    assert [(p.line, p.column) for p in problems] == [(6, "capacity")]


def test_cells_made_inert_by_our_writer_read_back_without_the_apostrophe():
    data = lines("id,role,name,timezone", "'-m1,mentor,'=cmd,'-05:00", "e1,mentee,''@x,")
    cohort = read_cohort(data)
    assert cohort.mentors[0].id == "-m1"
    assert cohort.mentors[0].name == "=cmd"
    assert cohort.mentors[0].timezone == "UTC-05:00"
    assert cohort.mentees[0].name == "'@x"


def test_an_apostrophe_before_ordinary_text_is_kept():
    cohort = read_cohort(lines("id,role,name", "m1,mentor,'Ann", "e1,mentee,Bob"))
    assert cohort.mentors[0].name == "'Ann"


def test_excel_fixture_semicolon_bom_crlf():
    cohort = read_cohort(DATA / "cohort_excel_semicolon_bom.csv")
    ana, kofi = cohort.mentors
    mei, lars = cohort.mentees
    assert ana == Mentor(
        id="m-001",
        name="Ana Lima",
        email="ana@example.org",
        seniority=6,
        skills=(Skill("python", 5), Skill("sql", 4)),
        goals=("leadership",),
        capacity=2,
        min_capacity=1,
        department="data",
        location="lisbon",
        timezone="Europe/Lisbon",
        utc_offset_minutes=0,
        languages=("portuguese", "english"),
        exclude=("e-002",),
    )
    assert kofi.name == "Kofi\nMensah" and kofi.timezone == "UTC+00:00"
    assert kofi.manager_id == "m-001"
    assert mei.prefer == ("m-002", "m-001") and mei.utc_offset_minutes == 480
    assert mei.languages == ("english", "mandarin")
    assert lars.goals == ("public speaking",) and lars.utc_offset_minutes == 60


def test_aliases_apply_to_every_tag():
    data = lines(
        "id,role,skills,goals,department,languages", "m1,mentor,JS:3,ML,R&D,EN", "e1,mentee,,,,"
    )
    aliases = {"js": "javascript", "ml": "machine learning", "r&d": "research", "en": "english"}
    mentor = read_cohort(data, aliases=aliases).mentors[0]
    assert mentor.skills == (Skill("javascript", 3),)
    assert (mentor.goals, mentor.department, mentor.languages) == (
        ("machine learning",),
        "research",
        ("english",),
    )


def test_two_file_form_utf16_tab_fixture():
    cohort = read_cohort_files(DATA / "mentors_utf16le_tab.csv", DATA / "mentees_utf16le_tab.csv")
    assert cohort.mentor_ids == ("m-001", "m-002")
    assert cohort.mentee_ids == ("e-001", "e-002")
    assert cohort.mentors[0].capacity == 2 and cohort.mentors[0].min_capacity == 0
    assert cohort.mentees[1].skills == (Skill("go"),)


def test_org_chart_is_stored_on_the_cohort():
    chart = (("m1", "boss"),)
    cohort = read_cohort(lines("id,role", "m1,mentor", "e1,mentee"), org_chart=chart)
    assert cohort.org_chart == chart


def test_binary_stream_input():
    check_small(read_cohort(io.BytesIO(TEXT.encode("utf-8"))))
