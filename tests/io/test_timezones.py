"""Time zones as people write them: abbreviations, names, Windows display names, cities."""

import pytest

from matcher.io.cohort_csv import read_cohort
from matcher.io.fields import parse_timezone
from matcher.io.timezones import AMBIGUOUS, AmbiguousZone, known_spellings, zone_for


@pytest.mark.parametrize(
    ("text", "zone", "offset"),
    [
        ("PST", "America/Los_Angeles", -480),
        ("PDT", "America/Los_Angeles", -480),
        ("pst", "America/Los_Angeles", -480),
        ("EDT", "America/New_York", -300),
        ("CST", "America/Chicago", -360),
        ("CDT", "America/Chicago", -360),
        ("MDT", "America/Denver", -420),
        ("CEST", "Europe/Paris", 60),
        ("Pacific Time", "America/Los_Angeles", -480),
        ("pacific standard time", "America/Los_Angeles", -480),
        ("Eastern Time", "America/New_York", -300),
        ("Eastern Time (US & Canada)", "America/New_York", -300),
        ("Central European Time", "Europe/Paris", 60),
        ("Central European Summer Time", "Europe/Paris", 60),
        ("India Standard Time", "Asia/Kolkata", 330),
        ("AEST", "Australia/Sydney", 600),
        ("London", "Europe/London", 0),
        ("New York time", "America/New_York", -300),
        ("(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles", -480),
    ],
)
def test_abbreviations_and_names_become_iana_zones(text, zone, offset):
    assert parse_timezone(text) == (zone, offset)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GMT+1", ("UTC+01:00", 60)),
        ("UTC\u22123", ("UTC-03:00", -180)),  # a Unicode minus, as word processors write it
        ("UTC \u2013 3", ("UTC-03:00", -180)),  # an en dash
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", ("UTC+05:30", 330)),
        ("(UTC) Coordinated Universal Time", ("UTC+00:00", 0)),
    ],
)
def test_offsets_in_every_written_form(text, expected):
    assert parse_timezone(text) == expected


def test_iana_abbreviation_zones_keep_their_name():
    # EST, MST and CET are IANA names; they keep reading as before.
    assert parse_timezone("EST") == ("EST", -300)
    assert parse_timezone("MST") == ("MST", -420)
    assert parse_timezone("CET") == ("CET", 60)


def test_every_standard_abbreviation_has_its_daylight_sibling():
    pairs = [("PST", "PDT"), ("EST", "EDT"), ("CST", "CDT"), ("MST", "MDT"), ("CET", "CEST")]
    for standard, daylight in pairs:
        assert parse_timezone(standard)[1] == parse_timezone(daylight)[1]


def test_every_listed_spelling_is_read():
    for spelling in known_spellings():
        assert parse_timezone(spelling)[1] is not None, spelling


@pytest.mark.parametrize("text", ["IST", "ist", "BST", "AST"])
def test_ambiguous_abbreviations_are_errors_that_list_the_choices(text):
    with pytest.raises(ValueError) as info:
        parse_timezone(text)
    message = str(info.value)
    for zone, meaning in AMBIGUOUS[text.lower()]:
        assert zone in message and meaning in message
    assert f'[timezones] {text.upper()} = "' in message


def test_zone_for_raises_the_typed_ambiguity():
    with pytest.raises(AmbiguousZone) as info:
        zone_for("IST")
    assert [zone for zone, _ in info.value.choices] == [
        "Asia/Kolkata",
        "Asia/Jerusalem",
        "Europe/Dublin",
    ]


def test_unknown_names_still_say_what_was_expected():
    with pytest.raises(ValueError, match="common abbreviation or name such as PST"):
        parse_timezone("Middle Earth Time")


def test_a_plain_cohort_sheet_reads_written_zones_and_rejects_ist_with_its_line(rejected):
    data = (
        "id,role,timezone\nm1,mentor,PST\nm2,mentor,Pacific Time\ne1,mentee,UTC\u22123\n"
        "e2,mentee,IST\n"
    ).encode()
    problems = rejected(read_cohort, data)
    assert len(problems) == 1
    assert (problems[0].line, problems[0].column, problems[0].value) == (5, "timezone", "IST")
    assert "Asia/Kolkata (India Standard Time)" in problems[0].message
    cohort = read_cohort(data.replace(b"IST", b"Asia/Kolkata"))
    assert [m.timezone for m in cohort.mentors] == ["America/Los_Angeles"] * 2
    assert cohort.mentees[0].utc_offset_minutes == -180
