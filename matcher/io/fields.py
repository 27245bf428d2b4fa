"""Cell-level parsing of cohort records: one function per kind of value.

Every parser takes a raw value as it arrives (a ``str`` cell from CSV, or a typed value
from JSON: int, list of str, list of ``{"name", "level"}``) and returns the parsed value,
or raises :class:`FieldError` listing every issue found in that one cell. Record-level and
cohort-level rules (required fields, unique ids, who may be excluded) live in
:mod:`matcher.io.records`; this module knows nothing about rows or lines.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from matcher.model import Skill

MAX_FIELD = 1000  # characters in any cell
MAX_ID = 64  # characters in an id
MAX_COUNT = 1_000_000  # largest whole number accepted (capacity, seniority)
SEPARATOR = ";"

_OFFSET = re.compile(r"(?:(?:UTC|GMT)\s*)?([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# Windows and Microsoft Forms list zones as "(UTC-08:00) Pacific Time (US & Canada)".
_DISPLAY = re.compile(r"\(\s*((?:UTC|GMT)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)\s*\)\s*(.*)", re.I)
_WHOLE = re.compile(r"\+?[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f]")  # line breaks, tabs: characters below " "
_SKILL_KEYS = frozenset({"name", "level"})
_LEVELS = {str(level): level for level in range(1, 6)}
_REFERENCE_DAY = datetime(2026, 1, 15, 12, tzinfo=UTC)
_NOT_ZONES = frozenset({"localtime", "factory", "posixrules", "posix/localtime"})
TIMEZONE_EXPECTED = (
    "expected a UTC offset such as +05:30, -0800 or UTC+2, a time zone name such as "
    "Europe/Paris, or a common abbreviation or name such as PST or Central European Time"
)


class FieldError(ValueError):
    """One cell is wrong; ``issues`` holds (message, offending value) for each reason."""

    def __init__(self, issues):
        self.issues: tuple[tuple[str, object], ...] = tuple(issues)
        super().__init__("; ".join(message for message, _ in self.issues))


def _fail(message: str, value: object):
    raise FieldError([(message, value)])


@contextmanager
def no_gc():
    """Pause the cyclic garbage collector while building many small objects (2-3x faster
    for large files); it is switched back on afterwards if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- tags


def _collapse(text: str) -> str:
    return " ".join(text.lower().split())


def alias_table(aliases: Mapping[str, str] | None) -> dict[str, str]:
    """Aliases with both sides normalised, ready for repeated lookups.

    Parameters
    ----------
    aliases : mapping (or iterable of pairs) from a tag to its canonical form, or None.

    Returns
    -------
    dict
        ``{normalised tag: normalised canonical tag}``.
    """
    if not aliases:
        return {}
    pairs = aliases.items() if isinstance(aliases, Mapping) else aliases
    return {_collapse(str(k)): _collapse(str(v)) for k, v in pairs}


def normalise_tag(text: str, aliases: Mapping[str, str] | None = None) -> str:
    """A tag in canonical form: lower case, trimmed, inner whitespace collapsed, aliased.

    Parameters
    ----------
    text : the tag as written.
    aliases : optional mapping from a tag to its canonical form; keys and values are
        normalised the same way before the lookup.

    Returns
    -------
    str
        The canonical tag (empty when ``text`` is blank).
    """
    tag = _collapse(text)
    if aliases:
        return alias_table(aliases).get(tag, tag)
    return tag


# --------------------------------------------------------------------------- time zones


@cache
def _zone_names() -> dict[str, str]:
    names = available_timezones()
    return {n.lower(): n for n in names if n.lower() not in _NOT_ZONES}


def _standard_offset_minutes(name: str) -> int:
    moment = _REFERENCE_DAY.astimezone(ZoneInfo(name))
    offset = moment.utcoffset() or timedelta(0)
    dst = moment.dst() or timedelta(0)
    # Negative "DST" (Europe/Dublin's winter time) is the standard time people mean.
    standard = offset - max(dst, timedelta(0))
    return int(standard.total_seconds() // 60)


@lru_cache(maxsize=4096)
def parse_timezone(text: str) -> tuple[str, int]:
    """Canonical text and UTC offset in minutes of a time zone cell.

    Parameters
    ----------
    text : a UTC offset (``+05:30``, ``-0800``, ``UTC+2``, ``GMT-3``, ``UTC\u22123`` with a
        Unicode minus, ``Z``), an IANA name (``Europe/Paris``, matched case-insensitively),
        a Windows display name (``(UTC-08:00) Pacific Time (US & Canada)``), or an
        abbreviation, name or city as people write them (``PST``, ``Pacific Time``,
        ``Central European Time``, ``London``; see :mod:`matcher.io.timezones`).

    Returns
    -------
    tuple of (str, int)
        Offsets become ``"UTC+05:30"`` (``"UTC+00:00"`` for Z/UTC/GMT); IANA names keep
        their official spelling, and abbreviations and names become one (``PST`` ->
        ``America/Los_Angeles``). The offset of a zone is its standard (non-DST) offset on
        2026-01-15, so results do not depend on the day they are computed.

    Raises
    ------
    ValueError
        If the text is none of these, is ambiguous (``IST``: the message lists the zones
        it may mean and how a mapping picks one), or the offset lies outside
        -12:00..+14:00; the message says what was expected.
    """
    from matcher.io.timezones import zone_for

    cleaned = " ".join(text.replace("\u2212", "-").replace("\u2013", "-").split())
    if cleaned.upper() in {"Z", "UTC", "GMT"}:
        return "UTC+00:00", 0
    match = _OFFSET.fullmatch(cleaned)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if minutes >= 60:
            raise ValueError("expected minutes from 00 to 59 in the UTC offset")
        total = (-1 if sign == "-" else 1) * (hours * 60 + minutes)
        if not -720 <= total <= 840:
            raise ValueError("expected a UTC offset within -12:00..+14:00")
        return f"UTC{'-' if total < 0 else '+'}{abs(total) // 60:02d}:{abs(total) % 60:02d}", total
    name = _zone_names().get(cleaned.lower())
    if name is not None:
        return name, _standard_offset_minutes(name)
    display = _DISPLAY.fullmatch(cleaned)
    if display:
        named = zone_for(display.group(2)) if display.group(2) else None
        return (named, _standard_offset_minutes(named)) if named else parse_timezone(display[1])
    named = zone_for(cleaned)
    if named is None:
        raise ValueError(TIMEZONE_EXPECTED)
    return named, _standard_offset_minutes(named)


# --------------------------------------------------------------------------- cells


def is_empty(value: object) -> bool:
    """True for "not given": None, a blank string, or an empty list."""
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    if kind is int or kind is dict:
        return False
    return isinstance(value, list | tuple) and len(value) == 0


def _as_text(value: object, limit: int = MAX_FIELD) -> str:
    if type(value) is str:
        text = value.strip()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        _fail("expected text", value)
    if len(text) > limit:
        _fail(f"expected at most {limit} characters (got {len(text)})", value)
    return text


def parse_text(value: object) -> str:
    """A free-text cell (name, email), trimmed; at most MAX_FIELD characters."""
    return _as_text(value)


def parse_id(value: object) -> str:
    """One id: trimmed, 1 to MAX_ID characters, without the list separator ``;``."""
    text = _as_text(value, MAX_FIELD)
    if not text or len(text) > MAX_ID:
        _fail(f"expected an id of 1 to {MAX_ID} characters", value)
    if SEPARATOR in text:
        _fail("expected an id without ';'", value)
    if _CONTROL.search(text):
        _fail("expected an id without line breaks or tabs", value)
    return text


def parse_count(value: object) -> int:
    """A whole number from 0 to MAX_COUNT (str digits, int, or an integral float)."""
    if type(value) is int and 0 <= value <= MAX_COUNT:  # JSON's usual case
        return value
    if isinstance(value, bool):
        _fail("expected a whole number >= 0", value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        _fail("expected a whole number >= 0", value)
    if number < 0:
        _fail("expected a whole number >= 0", value)
    if number > MAX_COUNT:
        _fail(f"expected a whole number <= {MAX_COUNT}", value)
    return number


def _items(value: object) -> list[object] | tuple[object, ...]:
    """The items of a list cell: a ``;``-separated string, or a JSON list of items."""
    if isinstance(value, str):
        if len(value) > MAX_FIELD:
            _fail(f"expected at most {MAX_FIELD} characters (got {len(value)})", value)
        return value.split(SEPARATOR)
    if isinstance(value, list | tuple):
        bad = [v for v in value if isinstance(v, str) and SEPARATOR in v]
        if bad:
            raise FieldError([("expected one item without ';'", v) for v in bad])
        return value
    _fail("expected a ';'-separated list", value)


def _unique(values):
    return tuple(dict.fromkeys(values))


def collapsed(text: str, seen: dict[str, str] | None) -> str:
    """``text`` lower-cased with its whitespace collapsed, remembered in ``seen`` (a dict
    kept for one validation: a cohort writes the same few tags hundreds of times)."""
    if seen is None:
        return _collapse(text)
    tag = seen.get(text)
    if tag is None:
        tag = seen[text] = _collapse(text)
    return tag


def parse_tag(value: object, table: Mapping[str, str], seen=None) -> str:
    """One tag (department, location), normalised; ``table`` from :func:`alias_table`."""
    if type(value) is str and len(value) <= MAX_FIELD:  # the usual case, without _as_text
        tag = collapsed(value, seen)
    else:
        tag = _collapse(_as_text(value))
    return table.get(tag, tag) if table else tag


def parse_tags(value: object, table: Mapping[str, str], seen=None) -> tuple[str, ...]:
    """A list of tags (goals, languages): normalised, blanks dropped, duplicates collapsed."""
    tags, issues = [], []
    for item in _items(value):
        if type(item) is str and len(item) <= MAX_FIELD:  # parse_tag's usual case, inline
            tag = collapsed(item, seen)
            if tag:
                tags.append(table.get(tag, tag) if table else tag)
            continue
        try:
            tag = parse_tag(item, table)
        except FieldError as error:
            issues.extend(error.issues)
            continue
        if tag:
            tags.append(tag)
    if issues:
        raise FieldError(issues)
    return _unique(tags)


def _skill(item: object, table: Mapping[str, str]) -> Skill | None:
    if type(item) is dict or isinstance(item, Mapping):
        name, level = item.get("name"), item.get("level")
        if not _SKILL_KEYS.issuperset(item) or is_empty(name):
            _fail("expected a skill as {'name': ..., 'level': 1-5}", str(item))
        level = None if level is None or is_empty(level) else level
    else:
        text = _as_text(item)
        if not text:
            return None
        name, colon, level = text.rpartition(":") if ":" in text else (text, "", None)
        if colon and not name.strip():
            _fail("expected a skill name before ':'", text)
    if type(level) is int and 1 <= level <= 5:  # JSON's usual case
        pass
    elif level is not None:
        if isinstance(level, bool) or not isinstance(level, int | str):
            _fail("expected a skill level from 1 to 5 after ':'", item)
        level_text = str(level).strip()
        if not (level_text.isascii() and level_text.isdigit() and 1 <= int(level_text) <= 5):
            _fail("expected a skill level from 1 to 5 after ':'", item)
        level = int(level_text)
    tag = parse_tag(name, table)
    if ":" in tag:
        _fail("expected a skill name without ':'", item)
    return Skill(tag, level)


def _plain_skill(item: object, seen: dict | None = None) -> tuple[str | None, int | None]:
    """(tag before aliases, level) of a skill in its usual form, or (None, None): a JSON
    ``{"name", "level"}`` or a ``name[:level]`` text; anything else is left to _skill."""
    if type(item) is dict:
        name, level = item.get("name"), item.get("level")
        if type(name) is not str or len(name) > MAX_FIELD or not _SKILL_KEYS.issuperset(item):
            return None, None
        if level is not None and (type(level) is not int or not 1 <= level <= 5):
            return None, None
    elif type(item) is str and len(item) <= MAX_FIELD:
        name, colon, level = item.rpartition(":")
        if not colon:
            name, level = level, None
        elif (level := _LEVELS.get(level.strip())) is None:
            return None, None
    else:
        return None, None
    return collapsed(name, seen) or None, level


@lru_cache(maxsize=65_536)
def _shared_skill(tag: str, level: int | None) -> Skill:
    """One Skill per (tag, level), shared by every record that has it: a frozen
    dataclass costs 0.6 us to build, a cache hit 0.1 us (1,400 skills in 200 records)."""
    return Skill(tag, level)


def parse_skills(value: object, table: Mapping[str, str], seen=None) -> tuple[Skill, ...]:
    """Skills: ``name`` or ``name:level`` items (level 1-5); the first of a name wins.
    ``seen`` as :func:`collapsed` takes it."""
    skills, issues = {}, []
    for item in _items(value):
        tag, level = _plain_skill(item, seen)
        if tag:
            tag = table.get(tag, tag) if table else tag
            if ":" not in tag:
                if tag not in skills:
                    skills[tag] = _shared_skill(tag, level)
                continue
        try:
            skill = _skill(item, table)
        except FieldError as error:
            issues.extend(error.issues)
            continue
        if skill is not None and skill.name:
            skills.setdefault(skill.name, skill)
    if issues:
        raise FieldError(issues)
    return tuple(skills.values())


def parse_ids(value: object) -> tuple[str, ...]:
    """A list of ids (exclude, prefer): trimmed, blanks dropped, duplicates collapsed."""
    ids, issues = [], []
    for item in _items(value):
        if is_empty(item):
            continue
        try:
            ids.append(parse_id(item))
        except FieldError as error:
            issues.extend(error.issues)
    if issues:
        raise FieldError(issues)
    return _unique(ids)
