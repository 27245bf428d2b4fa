"""Answers as people write them on sign-up forms: numbers, ranges, roles, levels.

:func:`parse_number` reads "3", "3+", "10+ years", "up to 2", "at most 2", "less than 1
year", "1-2", "1 to 2", "two", "none" (0). A range is read by the column's ``ranges``
setting: ``"high"`` (the most: a capacity), ``"low"`` or ``"middle"`` (rounded down: years
of experience). :func:`role_word` recognises how forms phrase mentor and mentee answers,
and :func:`level_rank` orders job-level names (Junior < Mid < Senior < Lead) for
suggesting a seniority scale; both are used by :mod:`matcher.io.suggest` only, so what a
sheet means is always written in its mapping rather than guessed while reading.
"""

from __future__ import annotations

import math
import re

RANGES = ("high", "low", "middle")
NUMBER_EXPECTED = "expected a number such as 2, '3+', 'up to 2', '1-2' or 'none'"

_WORDS = {
    "none": 0,
    "zero": 0,
    "no": 0,
    "nil": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b")
_UNITS = re.compile(
    r"\s*(?:years?|yrs?|y|mentees?|mentors?|people|persons?|hours?|hrs?|h|months?|"
    r"sessions?)\b\.?(?:\s+(?:of\s+)?(?:professional\s+|work\s+)?experience)?"
    r"(?:\s+(?:per|a|each)\s+\w+)?\s*$"
)
_NUM = r"(\d+(?:\.\d+)?)"
_FORMS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(rf"{_NUM}"), "exact"),
    (re.compile(rf"{_NUM}\s*\+|{_NUM}\s+or\s+more|{_NUM}\s+and\s+(?:above|over|up)"), "exact"),
    (re.compile(rf"(?:at\s+least|min(?:imum)?)\s+{_NUM}"), "exact"),
    (re.compile(rf"(?:more\s+than|over|above|>)\s*{_NUM}"), "above"),
    (
        re.compile(rf"(?:up\s+to|at\s+most|max(?:imum)?|no\s+more\s+than|<=|\u2264)\s*{_NUM}"),
        "exact",
    ),
    (re.compile(rf"(?:less\s+than|fewer\s+than|under|below|<)\s*{_NUM}"), "below"),
    (re.compile(rf"{_NUM}\s*(?:-|to)\s*{_NUM}"), "range"),
)


def _clean(text: str) -> str:
    text = " ".join(text.casefold().replace("\u2013", "-").replace("\u2014", "-").split())
    text = text.replace("\u2212", "-").rstrip(".")
    text = _UNITS.sub("", text) or text
    return _WORD.sub(lambda m: str(_WORDS[m.group(1)]), text).strip()


def parse_number(
    text: str, ranges: str = "high", whole: bool = True, floor: bool = False
) -> int | float:
    """A number from a form answer.

    Parameters
    ----------
    text : the answer, e.g. ``"3+"``, ``"up to 2"``, ``"1-2"``, ``"none"``, ``"5 years"``.
    ranges : how ``"a-b"`` is read: ``"high"`` (b), ``"low"`` (a) or ``"middle"``.
    whole : True for counts: the result is an int; a decimal is an error for exact
        numbers and rounded down for "middle" and "less than".
    floor : with ``whole``, round every decimal down instead (years: "2.5" is 2).

    Returns
    -------
    int or float
        ``"more than 3"`` is 4, ``"less than 1"`` is 0 (never below 0).

    Raises
    ------
    ValueError
        With :data:`NUMBER_EXPECTED` when the answer is none of these forms.
    """
    cleaned = _clean(text)
    for pattern, kind in _FORMS:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        numbers = [float(g) for g in match.groups() if g is not None]
        if kind == "range":
            low, high = sorted(numbers)
            value = {"high": high, "low": low, "middle": (low + high) / 2}[ranges]
            if whole:
                value = math.floor(value)
        elif kind == "above":
            value = math.floor(numbers[0]) + 1 if whole else numbers[0]
        elif kind == "below":
            value = max(math.ceil(numbers[0]) - 1, 0) if whole else numbers[0]
        else:
            value = numbers[0]
        if whole:
            if value != int(value) and not floor:
                raise ValueError("expected a whole number")
            return math.floor(value)
        return float(value)
    raise ValueError(NUMBER_EXPECTED)


def looks_numeric(text: str) -> bool:
    """True when :func:`parse_number` reads ``text`` (decimals allowed)."""
    try:
        parse_number(text, whole=False)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- roles

_ROLE_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"mentee|\bbe(?:ing)? mentored"), "mentee"),
    (re.compile(r"\b(?:be|become|being|as)\s+(?:an?\s+)?mentor\b"), "mentor"),
    (re.compile(r"\b(?:find|get|have|want|need|like|looking for)\b.*\bmentor\b"), "mentee"),
    (re.compile(r"\bmentor\b|\bmentoring\b|\bteach|\bguide"), "mentor"),
    (re.compile(r"\blearn|\bbe guided"), "mentee"),
)


def role_word(answer: str) -> str | None:
    """``"mentor"``, ``"mentee"`` or None (unclear, e.g. "Both") for a role answer.

    "A mentor", "Mentor (I want to guide someone)" and "I'd like to be a mentor" are
    mentors; "A mentee", "I want to find a mentor" and "I'd like to be mentored" are
    mentees.
    """
    text = " ".join(answer.casefold().replace("\u2019", "'").split())
    words = re.findall(r"\w+", text)
    if not text or "both" in words or ("mentor" in words and "mentee" in words):
        return None
    for pattern, role in _ROLE_RULES:
        if pattern.search(text):
            return role
    return None


# --------------------------------------------------------------------------- levels

_LEVELS: tuple[tuple[str, ...], ...] = (
    ("intern", "student", "apprentice", "trainee"),
    ("graduate", "entry", "junior", "jr", "associate", "beginner", "early career"),
    ("mid", "intermediate", "regular", "experienced", "mid-level", "midlevel"),
    ("senior", "sr", "advanced", "expert"),
    ("staff", "lead", "team lead", "tech lead", "specialist"),
    ("principal", "architect", "manager"),
    ("senior manager", "head", "director"),
    ("senior director", "vp", "vice president", "executive", "c-level", "chief"),
)


def level_rank(name: str) -> int | None:
    """The rank (0 = intern ... 7 = executive) of a job-level name, or None if unknown.

    The most senior word found wins: "Senior Manager" ranks above "Manager", "Team
    Lead" as "lead".
    """
    text = " ".join(re.sub(r"[()/,.-]", " ", name.casefold()).split())
    best = None
    for rank, words in enumerate(_LEVELS):
        for word in words:
            if re.search(rf"\b{re.escape(word)}\b", text):
                best = rank
    return best
