"""The suggested mapping is right, unedited, for Google Forms and Microsoft Forms exports."""

import tomllib

import pytest
from forms_helpers import FORMS

from matcher.io.mapping import load_mapping
from matcher.io.mapping_file import mapping_text, quote
from matcher.io.sheets import read_people
from matcher.io.suggest import closest_field, flavour, slug, suggest
from matcher.io.xlsx import read_sheet

GOOGLE = {
    "Timestamp": {"ignore": True},
    "Email Address": {"field": ["id", "email"]},
    "Full name": {"field": "name"},
    "Are you signing up as a mentor or a mentee?": {
        "field": "role",
        "values": {"A mentor": "mentor", "A mentee": "mentee"},
    },
    "Which skills would you like to learn or can you teach? (choose up to 3)": {
        "field": "skills",
        "separator": [", "],
    },
    "What are your career goals?": {"field": "goals", "separator": [", "]},
    "How many mentees can you take on?": {"field": "capacity", "role": "mentor", "ranges": "high"},
    "Years of professional experience": {"field": "seniority", "ranges": "middle"},
    "Department": {"field": "department"},
    "Time zone": {"field": "timezone"},
    "Which languages do you speak?": {"field": "languages", "separator": [", "]},
    "Manager's email": {"field": "manager_id", "match_on": "email"},
    "Hobbies and interests": {
        "attribute": "hobbies_interests",
        "type": "multi-choice",
        "separator": [", "],
    },
    "Preferred meeting format": {"attribute": "preferred_meeting_format", "type": "choice"},
    "Anything else you'd like us to know?": {"attribute": "anything_else_know", "type": "text"},
}
MICROSOFT = {
    "ID": {"ignore": True},
    "Start time": {"ignore": True},
    "Completion time": {"ignore": True},
    "Email": {"field": "email"},
    "Name": {"field": "name"},
    "Last modified time": {"ignore": True},
    "Employee ID": {"field": "id"},
    "I'd like to join the programme as": {
        "field": "role",
        "values": {
            "Mentor (I want to guide someone)": "mentor",
            "Mentee (I want to learn)": "mentee",
        },
    },
    "Which skills can you teach? (select up to 3)": {
        "field": "skills",
        "role": "mentor",
        "separator": [";"],
    },
    "Which skills do you want to learn? (select up to 3)": {
        "field": "skills",
        "role": "mentee",
        "separator": [";"],
    },
    "How many mentees could you take on?": {
        "field": "capacity",
        "role": "mentor",
        "ranges": "high",
    },
    "Current level": {"field": "seniority", "levels": ["Junior", "Mid", "Senior", "Lead"]},
    "Department": {"field": "department"},
    "Time zone": {"field": "timezone"},
    "Languages you speak": {"field": "languages", "separator": [";"]},
    "Line manager (employee ID)": {"field": "manager_id"},
    "Preferred meeting format": {"attribute": "preferred_meeting_format", "type": "choice"},
}
EXPORTS = [
    ("google-signup.csv", GOOGLE, "google"),
    ("google-signup.xlsx", GOOGLE, "google"),
    ("microsoft-signup.csv", MICROSOFT, "microsoft"),
    ("microsoft-signup.xlsx", MICROSOFT, "microsoft"),
]


@pytest.mark.parametrize(("name", "expected", "tool"), EXPORTS)
def test_every_column_is_suggested_right(name, expected, tool):
    table = read_sheet(FORMS / name, "cohort")
    suggestions, zones, found = suggest(table)
    assert found == tool and flavour(table) == tool
    assert {s.header: s.settings for s in suggestions} == expected
    assert zones == {}


@pytest.mark.parametrize(("name", "expected", "tool"), EXPORTS)
def test_the_written_file_reads_back_as_suggested_and_reads_the_sheet(name, expected, tool):
    table = read_sheet(FORMS / name, "cohort")
    suggestions, zones, found = suggest(table)
    text = mapping_text(suggestions, zones, name=name, tool=found)
    assert f"mentormatch validate {name} --map mapping.toml" in text
    mapping = load_mapping(tomllib.loads(text))
    assert [c.header for c in mapping.columns] == list(expected)
    cohort, _ = read_people(FORMS / name, mapping=mapping)
    assert len(cohort.mentors) == (8 if tool == "google" else 6)
    assert len(cohort.mentees) == (16 if tool == "google" else 8)


@pytest.mark.parametrize("stem", ["google-signup", "microsoft-signup"])
def test_csv_and_xlsx_exports_give_the_same_cohort(stem):
    def cohort(suffix):
        table = read_sheet(FORMS / f"{stem}{suffix}", "cohort")
        suggestions, zones, tool = suggest(table)
        mapping = load_mapping(tomllib.loads(mapping_text(suggestions, zones, name="s", tool=tool)))
        return read_people(FORMS / f"{stem}{suffix}", mapping=mapping)[0]

    assert cohort(".csv") == cohort(".xlsx")


def test_the_google_cohort_reads_multi_selects_and_zones_right():
    table = read_sheet(FORMS / "google-signup.csv", "cohort")
    suggestions, zones, tool = suggest(table)
    mapping = load_mapping(tomllib.loads(mapping_text(suggestions, zones, name="s", tool=tool)))
    cohort, _ = read_people(FORMS / "google-signup.csv", mapping=mapping)
    chloe = next(p for p in cohort.mentees if p.name == "Chloe Martin")
    assert [s.name for s in chloe.skills] == ["stakeholder management", "negotiation"]
    assert chloe.languages == ("english", "french")
    farah = next(p for p in cohort.mentees if p.name == "Farah Haddad")
    assert farah.manager_id == "olivia.brown@acme.example"
    offsets = {p.name: p.utc_offset_minutes for p in (*cohort.mentors, *cohort.mentees)}
    assert offsets["Lucía Fernández"] == -180  # "UTC−3" with a Unicode minus
    assert offsets["Ivan Petrov"] == -360  # CST
    assert offsets["Quentin Moreau"] == 60  # Central European Time
    assert next(p for p in cohort.mentees if p.name == "Quentin Moreau").seniority == 0


def test_ambiguous_zones_are_offered_commented_out():
    data = b"Email,Role,Time zone\na@x,A mentor,IST\nb@x,A mentee,PST\n"
    table = read_sheet(data, "cohort")
    suggestions, zones, tool = suggest(table)
    assert list(zones) == ["IST"]
    text = mapping_text(suggestions, zones, name="s.csv", tool=tool)
    assert '# "IST" = "Asia/Kolkata"  # India Standard Time' in text
    assert load_mapping(tomllib.loads(text)).timezones == ()  # a person must pick


def test_free_text_goals_are_kept_as_text_not_tags():
    answers = [
        "I want to become a better people leader within two years",
        "Learn how to present to executives without notes",
        "Move from support into a product management role next year",
    ]
    rows = "".join(f'p{k}@x,A mentee,"{a}"\n' for k, a in enumerate(answers))
    table = read_sheet(f"Email,Role,What are your career goals?\n{rows}".encode(), "cohort")
    goals = suggest(table)[0][2]
    assert goals.settings == {"attribute": "career_goals", "type": "text"}


def test_closest_field_and_slug():
    assert closest_field("Email Address") == "field 'email'"
    assert closest_field("Timestamp") == "form metadata to ignore"
    assert closest_field("Are you signing up as a mentor or a mentee?") == "field 'role'"
    assert closest_field("Favourite colour") == "a question of your own (an attribute)"
    assert slug("What is your preferred meeting format?") == "preferred_meeting_format"


def test_toml_strings_are_escaped():
    text = 'say "hi" \\ then\ttab\nline'
    assert tomllib.loads("x = " + quote(text))["x"] == text


def test_a_trailing_column_without_header_or_answers_needs_no_decision():
    data = b"Email,Role,\na@x,A mentor,\nb@x,A mentee,\n"
    suggestions, zones, tool = suggest(read_sheet(data, "cohort"))
    assert [s.header for s in suggestions] == ["Email", "Role"]
    mapping = load_mapping(tomllib.loads(mapping_text(suggestions, zones, name="s", tool=tool)))
    assert read_people(data, mapping=mapping)[0].mentee_ids == ("b@x",)
