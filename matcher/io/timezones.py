"""Time zones as people write them on a form: abbreviations, names, cities.

:func:`zone_for` turns ``PST``, ``Pacific Time``, ``Central European Summer Time``,
``India Standard Time``, ``London`` or ``New York time`` into an IANA zone name. Every
abbreviation of a zone's standard and daylight time is known (PST and PDT, EST and EDT,
CET and CEST, ...), so that if one passes its sibling passes too. Abbreviations that name
several zones (IST: India, Israel or Ireland) are never guessed: :class:`AmbiguousZone`
lists the choices, and a mapping's ``[timezones]`` table picks one for a whole sheet.

Offsets (``UTC-3``, ``GMT+1``, ``+05:30``) and exact IANA names are handled by
:func:`matcher.io.fields.parse_timezone`, which calls this module for everything else.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones


class AmbiguousZone(ValueError):
    """A time-zone text that names several zones; ``choices`` are (IANA name, meaning)."""

    def __init__(self, text: str, choices: tuple[tuple[str, str], ...]):
        self.text = text
        self.choices = choices
        listed = ", ".join(f"{zone} ({meaning})" for zone, meaning in choices)
        example = f'[timezones] {text.strip().upper()} = "{choices[0][0]}"'
        super().__init__(
            f"'{text.strip()}' is ambiguous: it may mean {listed}; write the zone name in "
            f"the sheet, or pick one for the whole sheet in the mapping: {example}"
        )


# One entry per zone: its IANA name, then every abbreviation and name people use for it.
# Names are matched without case; "standard", "daylight" and "summer" variants of each
# "<x> time" name are added automatically.
_ZONES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("America/Los_Angeles", ("PST", "PDT", "PT", "Pacific", "Pacific Time", "US Pacific")),
    ("America/Denver", ("MST", "MDT", "MT", "Mountain", "Mountain Time", "US Mountain")),
    ("America/Phoenix", ("Arizona", "Arizona Time")),
    ("America/Chicago", ("CST", "CDT", "CT", "Central", "Central Time", "US Central")),
    ("America/New_York", ("EST", "EDT", "ET", "Eastern", "Eastern Time", "US Eastern")),
    ("America/Halifax", ("ADT", "Atlantic Time")),
    ("America/St_Johns", ("NST", "NDT", "Newfoundland Time")),
    ("America/Anchorage", ("AKST", "AKDT", "Alaska Time")),
    ("Pacific/Honolulu", ("HST", "HDT", "Hawaii Time", "Hawaii-Aleutian Time")),
    ("America/Mexico_City", ("Mexico City Time",)),
    ("America/Bogota", ("COT", "Colombia Time")),
    ("America/Lima", ("PET", "Peru Time")),
    ("America/Santiago", ("CLT", "CLST", "Chile Time")),
    ("America/Sao_Paulo", ("BRT", "Brasilia Time", "Brasília Time", "Brazil Time")),
    ("America/Argentina/Buenos_Aires", ("ART", "Argentina Time")),
    ("Europe/London", ("UK Time", "British Time", "London Time")),
    ("Europe/Dublin", ("Irish Time", "Irish Standard Time")),
    ("Europe/Lisbon", ("WET", "WEST", "Western European Time")),
    ("Europe/Paris", ("CET", "CEST", "MET", "MEST", "Central European Time")),
    ("Europe/Athens", ("EET", "EEST", "Eastern European Time")),
    ("Europe/Istanbul", ("TRT", "Turkey Time")),
    ("Europe/Moscow", ("MSK", "Moscow Time")),
    ("Africa/Lagos", ("WAT", "West Africa Time")),
    ("Africa/Maputo", ("CAT", "Central Africa Time")),
    ("Africa/Johannesburg", ("SAST", "South Africa Time", "South African Time")),
    ("Africa/Nairobi", ("EAT", "East Africa Time")),
    ("Asia/Jerusalem", ("IDT", "Israel Time")),
    ("Asia/Riyadh", ("Arabia Time", "Arabian Time")),
    ("Asia/Dubai", ("GST", "Gulf Time", "Gulf Standard Time")),
    ("Asia/Tehran", ("IRST", "IRDT", "Iran Time")),
    ("Asia/Karachi", ("PKT", "Pakistan Time")),
    ("Asia/Kolkata", ("India Time", "Indian Time")),
    ("Asia/Kathmandu", ("NPT", "Nepal Time")),
    ("Asia/Dhaka", ("Bangladesh Time",)),
    ("Asia/Bangkok", ("ICT", "Indochina Time")),
    ("Asia/Jakarta", ("WIB", "Western Indonesia Time")),
    ("Asia/Singapore", ("SGT", "Singapore Time")),
    ("Asia/Kuala_Lumpur", ("MYT", "Malaysia Time")),
    ("Asia/Hong_Kong", ("HKT", "Hong Kong Time")),
    ("Asia/Shanghai", ("China Time", "Beijing Time")),
    ("Asia/Manila", ("PHT", "PHST", "Philippine Time", "Philippines Time")),
    ("Asia/Tokyo", ("JST", "Japan Time")),
    ("Asia/Seoul", ("KST", "Korea Time", "Korean Time")),
    ("Australia/Perth", ("AWST", "Australian Western Time")),
    ("Australia/Adelaide", ("ACST", "ACDT", "Australian Central Time")),
    ("Australia/Sydney", ("AEST", "AEDT", "AET", "Australian Eastern Time")),
    ("Pacific/Auckland", ("NZST", "NZDT", "New Zealand Time")),
)

# Abbreviations with more than one common meaning: never guessed.
AMBIGUOUS: dict[str, tuple[tuple[str, str], ...]] = {
    "ist": (
        ("Asia/Kolkata", "India Standard Time"),
        ("Asia/Jerusalem", "Israel Standard Time"),
        ("Europe/Dublin", "Irish Standard Time"),
    ),
    "bst": (
        ("Europe/London", "British Summer Time"),
        ("Asia/Dhaka", "Bangladesh Standard Time"),
    ),
    "ast": (
        ("America/Halifax", "Atlantic Standard Time"),
        ("Asia/Riyadh", "Arabia Standard Time"),
    ),
    "sst": (
        ("Pacific/Pago_Pago", "Samoa Standard Time"),
        ("Asia/Singapore", "Singapore Standard Time"),
    ),
    "amt": (
        ("Asia/Yerevan", "Armenia Time"),
        ("America/Manaus", "Amazon Time"),
    ),
}

_QUALIFIERS = ("standard time", "daylight time", "summer time", "daylight saving time")
_NOISE = re.compile(r"\((?:us|u\.s\.)\s*(?:&|and)\s*canada\)|\.|,")


def normalise(text: str) -> str:
    """Lower case, inner whitespace collapsed, dots and "(US & Canada)" removed."""
    return " ".join(_NOISE.sub(" ", text.casefold()).split())


@cache
def _table() -> dict[str, str]:
    """Every known spelling (normalised) -> IANA name."""
    table: dict[str, str] = {}
    names = available_timezones()
    # Cities last in priority: "London", "New York", "Kolkata" (only when unique).
    cities: dict[str, set[str]] = {}
    for name in names:
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "Canada/")):
            cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").casefold(), set()).add(name)
    for city, zones in cities.items():
        if len(zones) == 1:
            (zone,) = zones
            table[city] = zone
            table[f"{city} time"] = zone
    for zone, spellings in _ZONES:
        for spelling in spellings:
            key = normalise(spelling)
            table[key] = zone
            if key.endswith(" time"):
                stem = key[: -len(" time")]
                for qualifier in _QUALIFIERS:
                    table[f"{stem} {qualifier}"] = zone
    table["india standard time"] = "Asia/Kolkata"
    table["israel standard time"] = "Asia/Jerusalem"
    table["israel daylight time"] = "Asia/Jerusalem"
    table["china standard time"] = "Asia/Shanghai"
    table["arabia standard time"] = "Asia/Riyadh"
    table["bangladesh standard time"] = "Asia/Dhaka"
    table["british summer time"] = "Europe/London"
    table["greenwich mean time"] = "Europe/London"
    return table


def zone_for(text: str) -> str | None:
    """The IANA zone name a written time zone stands for.

    Parameters
    ----------
    text : an abbreviation (``PST``), a name (``Pacific Time``, ``Central European Summer
        Time``, ``Eastern Time (US & Canada)``) or a city (``London``, ``New York time``).

    Returns
    -------
    str or None
        The IANA name (``America/Los_Angeles``); None when the text is none of these.

    Raises
    ------
    AmbiguousZone
        For abbreviations with several common meanings (IST, BST, AST, SST, AMT).
    """
    key = normalise(text)
    if key in AMBIGUOUS:
        raise AmbiguousZone(text, AMBIGUOUS[key])
    found = _table().get(key)
    if found is None and key.endswith(" timezone"):
        found = _table().get(key[: -len(" timezone")])
    return found


def known_spellings() -> tuple[str, ...]:
    """Every abbreviation and name listed above, as written (for documentation and tests)."""
    return tuple(s for _, spellings in _ZONES for s in spellings)
