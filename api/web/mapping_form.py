"""The mapping step as a form: one fieldset per column of the sheet, to and from the
mapping data :func:`matcher.io.mapping.load_mapping` checks.

A column feeds a field (and optionally a second one, as the email that is also the id),
is a question of the programme's own (an attribute with its type and, to count in
matching, its rule, weight and the question it pairs with), or is ignored; it may be
read for mentors or mentees only, split by a separator, and read through answer values,
level names, number ranges or manager emails. Field names of the form are ``c<k>-<key>``
for the sheet's column ``k``; headers always come from the stored sheet, never the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.io.forms import RANGES
from matcher.io.mapping import KINDS, RULES
from matcher.io.validate import COLUMNS

FIELDS = tuple(COLUMNS)
SEPARATORS = ((";", "semicolon ;"), (", ", "comma and space , "), (",", "comma ,"), ("|", "bar |"))
_WHERE = re.compile(r'^columns\."(?P<header>(?:[^"\\]|\\.)*)"')


@dataclass
class ColumnForm:
    """One column's settings as the form shows them."""

    k: int
    header: str
    feeds: str = "ignore"  # a field name, "attribute" or "ignore"
    also: str = ""  # a second field
    attribute: str = ""
    kind: str = "choice"
    role: str = ""  # "", mentor, mentee
    separator: str = ""
    values: str = ""  # "answer = value" lines
    levels: str = ""  # one per line, lowest first
    ranges: str = ""
    match_on: bool = False
    rule: str = ""  # "" when the question does not count in matching
    weight: str = ""  # "" for the default (1)
    pair_with: str = ""  # the other side's question ("" for the same name)
    notes: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    @property
    def separators(self) -> tuple[tuple[str, str], ...]:
        known = tuple(s for s, _ in SEPARATORS)
        extra = ((self.separator, f"as found: {self.separator!r}"),)
        return SEPARATORS + (extra if self.separator and self.separator not in known else ())


def from_settings(k: int, header: str, settings: dict, notes=(), samples=()) -> ColumnForm:
    """A column's form from its mapping settings (a suggestion, a template, a draft)."""
    out = ColumnForm(k, header, notes=list(notes), samples=list(samples))
    if settings.get("ignore"):
        return out
    if "attribute" in settings:
        out.feeds = "attribute"
        out.attribute = str(settings.get("attribute") or "")
        out.kind = settings.get("type") or "choice"
        out.rule = str(settings.get("rule") or "")
        weight = settings.get("weight")
        out.weight = "" if weight is None else f"{weight:g}" if _number(weight) else str(weight)
        out.pair_with = str(settings.get("pair_with") or "")
    else:
        fields = settings.get("field") or []
        fields = [fields] if isinstance(fields, str) else list(fields)
        out.feeds = fields[0] if fields else "ignore"
        out.also = fields[1] if len(fields) > 1 else ""
    out.role = settings.get("role") or ""
    separator = settings.get("separator") or []
    separator = [separator] if isinstance(separator, str) else list(separator)
    out.separator = separator[0] if separator else ""
    values = settings.get("values") or {}
    out.values = "\n".join(f"{answer} = {value}" for answer, value in values.items())
    out.levels = "\n".join(settings.get("levels") or [])
    out.ranges = settings.get("ranges") or ""
    out.match_on = settings.get("match_on") == "email"
    return out


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def to_settings(form, k: int) -> dict:
    """The mapping settings of column ``k`` from the submitted form (checked later, as a
    whole, by :func:`matcher.io.mapping.load_mapping`)."""

    def get(key: str) -> str:
        return (form.get(f"c{k}-{key}") or "").strip()

    feeds = get("feeds") or "ignore"
    if feeds == "ignore":
        return {"ignore": True}
    if feeds == "attribute":
        out = {"attribute": get("attribute"), "type": get("type")}
        if get("rule"):
            out["rule"] = get("rule")
        if get("weight"):
            out["weight"] = _value(get("weight"))  # not a number: the mapping check says so
        if get("pair_with"):
            out["pair_with"] = get("pair_with")
    else:
        also = get("also")
        out = {"field": [feeds, also] if also and also != feeds else feeds}
    if get("role"):
        out["role"] = get("role")
    separator = form.get(f"c{k}-separator") or ""  # spaces matter: ", "
    listed = feeds in ("skills", "goals", "languages", "exclude", "prefer") or (
        feeds == "attribute" and get("type") == "multi-choice"
    )
    if separator and listed:
        out["separator"] = separator
    values = {}
    for line in get("values").splitlines():
        answer, sep, value = line.partition("=")
        if sep and answer.strip():
            values[answer.strip()] = _value(value) if feeds != "role" else value.strip()
    if values:
        out["values"] = values
    if levels := [line.strip() for line in get("levels").splitlines() if line.strip()]:
        out["levels"] = levels
    if get("ranges") in RANGES:
        out["ranges"] = get("ranges")
    if get("match_on"):
        out["match_on"] = "email"
    return out


def mapping_data(form, headers: list[tuple[int, str]], zones: dict) -> dict:
    """The whole mapping from the form: every column of ``headers`` ((k, header) pairs)
    and the chosen meaning of each ambiguous time-zone answer."""
    columns = {header: to_settings(form, k) for k, header in headers}
    chosen = {}
    for n, answer in enumerate(zones):
        if zone := (form.get(f"tz{n}") or "").strip():
            chosen[answer] = zone
    data = {"mapping": 1, "columns": columns}
    if chosen:
        data["timezones"] = chosen
    return data


def column_of(where: str | None, headers: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The (k, header) a mapping problem's ``column`` path is about, if any."""
    match = _WHERE.match(where or "")
    if not match:
        return None
    header = match.group("header").replace('\\"', '"')
    return next(((k, h) for k, h in headers if h == header), None)


KIND_CHOICES = KINDS
RANGE_CHOICES = RANGES
RULE_CHOICES = RULES
