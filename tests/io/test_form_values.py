"""Answers as people write them: number forms, role answers, level names."""

import pytest

from matcher.io.forms import NUMBER_EXPECTED, level_rank, parse_number, role_word


@pytest.mark.parametrize(
    ("text", "high", "middle"),
    [
        ("3", 3, 3),
        (" 2 ", 2, 2),
        ("3+", 3, 3),
        ("3 or more", 3, 3),
        ("10+ years", 10, 10),
        ("up to 2", 2, 2),
        ("Up to 3 mentees", 3, 3),
        ("At most 2", 2, 2),
        ("none", 0, 0),
        ("None", 0, 0),
        ("zero", 0, 0),
        ("Two", 2, 2),
        ("1-2", 2, 1),
        ("1 \u2013 2", 2, 1),  # an en dash, as forms and word processors write it
        ("1 to 2", 2, 1),
        ("3-5 years of experience", 5, 4),
        ("0-2 years", 2, 1),
        ("less than 1 year", 0, 0),
        ("More than 10 years", 11, 11),
        ("1 mentee", 1, 1),
    ],
)
def test_number_forms(text, high, middle):
    assert parse_number(text, "high") == high
    assert parse_number(text, "middle") == middle


def test_ranges_low():
    assert parse_number("3-5", "low") == 3


def test_decimals_are_exact_for_counts_and_rounded_down_for_years():
    with pytest.raises(ValueError, match="expected a whole number"):
        parse_number("2.5")
    assert parse_number("2.5 years", floor=True) == 2
    assert parse_number("2.5", whole=False) == 2.5


@pytest.mark.parametrize("text", ["maybe", "I can take 2", "2-", "lots", ""])
def test_unreadable_numbers_say_what_was_expected(text):
    with pytest.raises(ValueError) as info:
        parse_number(text)
    assert str(info.value) == NUMBER_EXPECTED


@pytest.mark.parametrize(
    ("answer", "role"),
    [
        ("A mentor", "mentor"),
        ("Mentee ", "mentee"),
        ("A mentee", "mentee"),
        ("Mentor (I want to guide someone)", "mentor"),
        ("Mentee (I want to learn)", "mentee"),
        ("I would like to be a mentor", "mentor"),
        ("I want to find a mentor", "mentee"),
        ("I\u2019d like to be mentored", "mentee"),
        ("Both", None),
        ("Mentor & mentee", None),
        ("Not sure yet", None),
    ],
)
def test_role_answers(answer, role):
    assert role_word(answer) == role


def test_levels_order_junior_mid_senior_lead():
    names = ["Lead", "Junior", "Senior", "Mid"]
    assert sorted(names, key=level_rank) == ["Junior", "Mid", "Senior", "Lead"]
    assert level_rank("Senior Manager") > level_rank("Manager") > level_rank("Team Lead")
    assert level_rank("Wizard") is None
