"""The mapping file ``mentormatch map`` writes: commented TOML a coordinator can edit.

:func:`mapping_text` turns the suggestions of :mod:`matcher.io.suggest` into a file that
:func:`matcher.io.mapping.load_mapping` reads back unchanged: a header comment saying
how to use it and every key a column may have, then one ``[columns."<header>"]`` table
per column in sheet order with notes on its answers, then ``[timezones]`` with the
choices for any ambiguous time-zone answer (commented out: a person must pick).
"""

from __future__ import annotations

from matcher.io.suggest import Suggestion

_HEAD = """\
# mentormatch mapping for {name}{tool}
# Written by `mentormatch map`: check it, edit what is wrong, then use it with
#   mentormatch validate {name} --map {mapping}
#   mentormatch match {name} --map {mapping} -o pairs.xlsx
#
# One [columns."<header>"] table per column of the sheet says what the column feeds:
#   field = "skills"        id, role, name, email, seniority, skills, goals, capacity,
#                           min_capacity, department, location, timezone, languages,
#                           manager_id, exclude, prefer; or a list: ["id", "email"]
#   attribute = "hobbies"   a question of your own, carried with each person, with
#   type = "multi-choice"   choice, multi-choice, number or text
#   ignore = true           not used
# and how its answers are read:
#   role = "mentor"         read for mentors only ("mentee": for mentees only)
#   separator = ", "        how a multi-select joins its answers (a list for several)
#   values = {{ "A mentor" = "mentor" }}   an answer read as another value
#   levels = ["Junior", "Mid", "Senior", "Lead"]   seniority from levels, lowest = 1
#   ranges = "high"         "1-2" read as 2 ("low": 1, "middle": 1.5 rounded down)
#   match_on = "email"      a manager given by email, matched to the email column
# and, for your own questions, how they count in matching (a policy may say the same):
#   rule = "overlap"        same, different, overlap (multi-choice), closeness (numbers),
#                           similar (free text), must_match, must_differ (hard rules)
#   weight = 0.5            how much it weighs beside the policy's weights (default 1)
#   pair_with = "offers"    compare with another question (mentors' "can help with"
#                           against mentees' "wants help with")
# Numbers may be written "3", "3+", "up to 2", "1-2", "less than 1 year" or "none".

mapping = 1
"""


def quote(text: str) -> str:
    """``text`` as a TOML basic string."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char < " " or char == "\x7f":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}"))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{quote(k)} = {_value(v)}" for k, v in value.items()) + " }"
    return quote(str(value))


_ORDER = ("field", "attribute", "type", "ignore", "role", "separator", "ranges", "match_on")


def _table(s: Suggestion) -> list[str]:
    lines = [f"[columns.{quote(s.header)}]"]
    for key in _ORDER:
        if key in s.settings:
            value = s.settings[key]
            if key == "separator" and len(value) == 1:
                value = value[0]
            if key == "field" and isinstance(value, list) and len(value) == 1:
                value = value[0]
            lines.append(f"{key} = {_value(value)}")
    if s.settings.get("levels"):
        lines.append(f"levels = {_value(s.settings['levels'])}")
    values = s.settings.get("values")
    if values:
        if len(values) <= 3 and sum(len(k) for k in values) < 60:
            lines.append(f"values = {_value(values)}")
        else:
            lines.append("[columns." + quote(s.header) + ".values]")
            lines.extend(f"{quote(k)} = {_value(v)}" for k, v in values.items())
    lines.extend(f"# {note}" for note in s.notes)
    hint = _RULE_HINTS.get(s.settings.get("type")) if "attribute" in s.settings else None
    if hint:
        lines.append(f"# {hint}")
    return lines


_RULE_HINTS = {
    "choice": 'rule = "same"          # uncomment to prefer equal answers (must_match: require)',
    "multi-choice": 'rule = "overlap"       # uncomment to prefer pairs that share answers',
    "number": 'rule = "closeness"     # uncomment to prefer close numbers',
    "text": 'rule = "similar"       # uncomment to prefer similar free text',
}


def mapping_text(
    suggestions: list[Suggestion],
    zones: dict,
    *,
    name: str,
    tool: str,
    sheet: str | None = None,
    mapping_name: str = "mapping.toml",
) -> str:
    """The commented TOML mapping for a sheet.

    Parameters
    ----------
    suggestions, zones, tool : from :func:`matcher.io.suggest.suggest`.
    name : the sheet's file name (for the usage lines).
    sheet : the workbook sheet read, written as ``sheet = ...`` when given.
    mapping_name : the mapping's file name (for the usage lines).

    Returns
    -------
    str
        TOML text ending with a newline.
    """
    label = {"google": " (a Google Forms export)", "microsoft": " (a Microsoft Forms export)"}
    parts = [_HEAD.format(name=name, tool=label.get(tool, ""), mapping=mapping_name)]
    if sheet is not None:
        parts.append(f"sheet = {quote(sheet)}\n")
    for s in suggestions:
        parts.append("\n" + "\n".join(_table(s)) + "\n")
    parts.append("\n[timezones]\n")
    if not zones:
        parts.append("# answers that name several zones (IST, BST, ...) are resolved here\n")
    for answer, choices in zones.items():
        parts.append(f"# {answer} is ambiguous in this sheet: keep the line that is meant\n")
        for zone, meaning in choices:
            parts.append(f"# {quote(answer)} = {quote(zone)}  # {meaning}\n")
    return "".join(parts)
