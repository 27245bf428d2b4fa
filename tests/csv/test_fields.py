"""Cell parsers: tags, time zones, skills, counts."""

import pytest

from matcher.io.fields import FieldError, parse_count, parse_ids, parse_skills
from matcher.io.records import normalise_tag, parse_timezone
from matcher.model import Skill


def test_normalise_tag_lowers_trims_and_collapses_whitespace():
    assert normalise_tag("  Machine \t  LEARNING ") == "machine learning"


def test_normalise_tag_applies_aliases_with_normalised_keys_and_values():
    aliases = {"ML": "Machine  Learning", "js": "javascript"}
    assert normalise_tag(" ml ", aliases) == "machine learning"
    assert normalise_tag("JS", aliases) == "javascript"
    assert normalise_tag("python", aliases) == "python"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+05:30", ("UTC+05:30", 330)),
        ("-0800", ("UTC-08:00", -480)),
        ("UTC+2", ("UTC+02:00", 120)),
        ("gmt-3", ("UTC-03:00", -180)),
        ("Z", ("UTC+00:00", 0)),
        ("UTC", ("UTC+00:00", 0)),
        ("UTC-05:00", ("UTC-05:00", -300)),
        ("\u22124", ("UTC-04:00", -240)),
        ("-12:00", ("UTC-12:00", -720)),
        ("+14:00", ("UTC+14:00", 840)),
        ("+05:45", ("UTC+05:45", 345)),
    ],
)
def test_parse_timezone_offsets(text, expected):
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Paris", ("Europe/Paris", 60)),
        ("europe/paris", ("Europe/Paris", 60)),
        ("Asia/Kolkata", ("Asia/Kolkata", 330)),
        ("America/New_York", ("America/New_York", -300)),
        # In January Sydney is on summer time (+11); the standard offset is +10.
        ("Australia/Sydney", ("Australia/Sydney", 600)),
        # Dublin's winter time is GMT (tzdata calls it negative DST): people mean +0.
        ("Europe/Dublin", ("Europe/Dublin", 0)),
    ],
)
def test_parse_timezone_names_use_the_standard_offset(text, expected):
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("+15:00", "expected a UTC offset within -12:00..+14:00"),
        ("-12:30", "expected a UTC offset within -12:00..+14:00"),
        ("+05:75", "expected minutes from 00 to 59 in the UTC offset"),
        ("Mars/Olympus", "expected a UTC offset such as +05:30"),
        ("localtime", "expected a UTC offset such as +05:30"),
        ("", "expected a UTC offset such as +05:30"),
    ],
)
def test_parse_timezone_rejections_say_what_was_expected(text, message):
    with pytest.raises(ValueError, match=message.replace("+", r"\+").replace(".", r"\.")):
        parse_timezone(text)


def test_parse_skills_levels_duplicates_and_blanks():
    got = parse_skills("Python:3; SQL ;;python:5; Data  Viz:1;", {"sql": "databases"})
    assert got == (Skill("python", 3), Skill("databases"), Skill("data viz", 1))


def test_parse_skills_typed_forms():
    got = parse_skills(["go:2", {"name": "Rust", "level": 4}, {"name": "c", "level": None}], {})
    assert got == (Skill("go", 2), Skill("rust", 4), Skill("c"))


def test_parse_skills_reports_every_bad_item():
    with pytest.raises(FieldError) as info:
        parse_skills("a:0;b:six;:3;c:2", {})
    assert info.value.issues == (
        ("expected a skill level from 1 to 5 after ':'", "a:0"),
        ("expected a skill level from 1 to 5 after ':'", "b:six"),
        ("expected a skill name before ':'", ":3"),
    )


@pytest.mark.parametrize(("value", "expected"), [("0", 0), (" 7 ", 7), ("+2", 2), (3, 3), (4.0, 4)])
def test_parse_count_accepts_whole_numbers(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", ["-1", "2.5", "three", True, 2.5, "١"])
def test_parse_count_rejects_the_rest(value):
    with pytest.raises(FieldError, match="expected a whole number >= 0"):
        parse_count(value)


def test_parse_count_has_an_upper_limit():
    with pytest.raises(FieldError, match="expected a whole number <= 1000000"):
        parse_count("1000001")


def test_parse_ids_trims_drops_blanks_and_collapses_duplicates():
    assert parse_ids(" m2 ;m1;;m2") == ("m2", "m1")
    assert parse_ids(["m1", 7]) == ("m1", "7")
