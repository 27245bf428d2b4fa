"""Custom attributes on people, and list cells that use ',' where ';' separates items."""

from matcher.io.cohort_csv import read_cohort
from matcher.io.records import cohort_from_records, cohort_to_records


def _people(mentor_attributes, mentee_attributes=None):
    mentee = {"id": "e1", "role": "mentee"}
    if mentee_attributes is not None:
        mentee["attributes"] = mentee_attributes
    return [{"id": "m1", "role": "mentor", "attributes": mentor_attributes}, mentee]


def test_attributes_are_typed_trimmed_and_kept_in_order():
    given = {"Hobbies": ["Hiking", " hiking ", "Chess"], "hours": 3, "format": " Video  call "}
    cohort = cohort_from_records(_people(given, {"format": "", "hours": 2.5}))
    mentor, mentee = cohort.mentors[0], cohort.mentees[0]
    assert mentor.attributes == (
        ("Hobbies", ("Hiking", "Chess")),
        ("hours", 3.0),
        ("format", "Video call"),
    )
    assert mentee.attributes == (("hours", 2.5),)  # an unanswered question is left out
    assert mentor.attribute("hours") == 3.0 and mentee.attribute("format") is None


def test_attributes_survive_the_records_round_trip():
    cohort = cohort_from_records(_people({"Hobbies": ["Hiking"], "hours": 3}))
    records = cohort_to_records(cohort)
    assert records[0]["attributes"] == {"Hobbies": ["Hiking"], "hours": 3.0}
    assert "attributes" not in records[1]  # people without any keep the old record shape
    assert cohort_from_records(records) == cohort


def test_bad_attributes_are_each_reported(rejected):
    people = _people({"": 1, "flag": True, "x": float("nan")}, [1])
    problems = rejected(cohort_from_records, people)
    assert [(p.row, p.column) for p in problems] == [(0, "attributes")] * 3 + [(1, "attributes")]
    assert "attribute 'flag': expected text, a list of texts, or a number" in problems[1].message
    assert problems[3].message == "expected attributes as {name: value}"


def test_a_csv_attributes_column_is_still_unknown(rejected):
    problems = rejected(read_cohort, b"id,role,attributes\nm1,mentor,x\ne1,mentee,y\n")
    assert [p.column for p in problems] == ["attributes"]
    assert problems[0].message.startswith("unknown column")


def test_commas_in_a_list_column_are_one_problem_listing_the_lines(rejected):
    data = (
        b'id,role,skills,languages\nm1,mentor,"Stakeholder management, Negotiation",english\n'
        b'e1,mentee,python,"English, Hindi"\ne2,mentee,"a,b",english\n'
    )
    problems = rejected(read_cohort, data)
    assert [(p.line, p.column) for p in problems] == [(2, "skills"), (3, "languages")]
    assert problems[0].message.startswith("2 cell(s) contain ',' but items are separated by ';'")
    assert "(lines 2, 4)" in problems[0].message and "mentormatch map" in problems[0].message
    assert problems[1].value == "English, Hindi"


def test_comma_lines_past_ten_are_counted(rejected):
    rows = "".join(f'm{k},mentor,"a, b"\n' for k in range(12))
    problems = rejected(read_cohort, f"id,role,goals\n{rows}e1,mentee,a\n".encode())
    assert "(lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more)" in problems[0].message


def test_json_lists_with_commas_inside_an_item_are_taken_as_given():
    people = [
        {"id": "m1", "role": "mentor", "goals": ["lead, manage"]},
        {"id": "e1", "role": "mentee"},
    ]
    assert cohort_from_records(people).mentors[0].goals == ("lead, manage",)
