"""The policy step as a form: weights as sliders, hard rules as switches, the programme's
own questions with their rule, to and from the policy data
:func:`matcher.io.policy.policy_from_dict` checks (the JSON API's ``PolicyIn`` body).

Only what a coordinator decides is sent: the programme preset plus the values shown. An
empty number box means "no limit". Problems come back with the policy's dotted key paths
(``weights.skills``), which :data:`LABELS` names in the words of the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.io.attribute_rules import attribute_rules_to_list, rules_from_mapping
from matcher.io.mapping import load_mapping
from matcher.io.policy import policy_to_dict, preset
from matcher.model import AttributeMatch

WEIGHTS = (
    ("skills", "Skills the mentee wants and the mentor has"),
    ("goals", "Shared career goals"),
    ("seniority", "A healthy seniority gap"),
    ("timezone", "Close time zones"),
    ("language", "A shared language"),
    ("location", "The same location"),
    ("department", "Department preference"),
    ("preference", "People's stated preferences"),
)
SWITCHES = (
    ("honour_exclude", "Never pair people who excluded each other"),
    ("no_reporting_chain", "Never pair a mentee with someone in their management chain"),
    ("require_shared_language", "Only pair people who share a language"),
)
NUMBERS = (
    ("seniority", "min_gap", "Mentor at least this many levels above the mentee"),
    ("seniority", "max_gap", "Mentor at most this many levels above the mentee"),
    ("seniority", "ideal_gap", "Ideal seniority gap"),
    ("rules", "max_timezone_diff_hours", "Time zones at most this many hours apart"),
    ("rules", "max_per_department", "At most this many mentees of one department per mentor"),
)
DEPARTMENT = (
    ("any", "any department"),
    ("same", "the same department"),
    ("different", "another department"),
)
OBJECTIVES = (
    ("total", "Match as many as possible, then the highest total score"),
    ("fair", "Match as many as possible, then raise the worst score first"),
    ("stable", "A stable matching (nobody would both rather have each other)"),
)
RULES_BY_TYPE = {
    "choice": ("same", "different", "must_match", "must_differ"),
    "multi-choice": ("overlap", "must_match", "must_differ"),
    "number": ("closeness", "must_match", "must_differ"),
    "text": ("similar",),
}
RULE_WORDS = {
    "same": "the same answer scores higher",
    "different": "a different answer scores higher",
    "overlap": "shared answers score higher",
    "closeness": "close numbers score higher",
    "similar": "similar words score higher",
    "must_match": "must answer the same (hard rule)",
    "must_differ": "must answer differently (hard rule)",
}
LABELS = {f"weights.{k}": text for k, text in WEIGHTS}
LABELS.update({f"rules.{k}": text for k, text in SWITCHES})
LABELS.update({f"{s}.{k}": text for s, k, text in NUMBERS})


@dataclass(frozen=True)
class Question:
    """One of the programme's own questions as the policy form shows it."""

    n: int
    attribute: str
    kind: str
    rule: str  # "" for not used in matching
    weight: float
    pair_with: str
    within: float

    @property
    def rules(self) -> tuple[str, ...]:
        return RULES_BY_TYPE.get(self.kind, ())


def shown(data: dict, questions: list[dict]) -> dict:
    """What the form shows: ``data`` in the policy file's form (a preset's, an earlier
    run's, or a rejected submission over its preset), and the questions with their rules."""
    rules = {r["attribute"]: r for r in data.get("attributes") or ()}
    asked = []
    for n, q in enumerate(q for q in questions if q.get("role") != "mentor"):
        rule = rules.get(q["attribute"], {})
        asked.append(
            Question(
                n,
                q["attribute"],
                q.get("type") or "choice",
                rule.get("rule", ""),
                rule.get("weight", 0.5),
                rule.get("mentor_attribute") or "",
                rule.get("within", 1.0),
            )
        )
    others = [q["attribute"] for q in questions]
    return {"data": data, "questions": asked, "others": others}


def over_preset(data: dict) -> dict:
    """Submitted policy data over its preset's, section by section (to show it again)."""
    program = data.get("program")
    base = policy_to_dict(preset(program if program in ("coaching", "mentoring") else "coaching"))
    for key, value in data.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) else value
    return base


def _number(text: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text  # the core names it: expected a number
    return int(value) if value.is_integer() else value


def policy_data(form, questions: list[dict]) -> dict:
    """The policy data of a submitted form (checked by the core, all problems at once)."""
    program = form.get("program") or "coaching"
    data: dict = {"program": program, "weights": {}, "seniority": {}, "rules": {}}
    for key, _ in WEIGHTS:
        data["weights"][key] = _number(form.get(f"w-{key}", "0")) or 0
    for key, _ in SWITCHES:
        data["rules"][key] = form.get(key) == "on"
    for section, key, _ in NUMBERS:
        value = _number(form.get(f"{section}-{key}", ""))
        if key == "ideal_gap" and value is None:
            continue
        data[section][key] = value
    data["rules"]["department"] = form.get("department") or "any"
    data["preferences"] = {"department": form.get("department_preference") or "any"}
    data["solver"] = {"objective": form.get("objective") or "total"}
    attributes = []
    mentee_side = [q for q in questions if q.get("role") != "mentor"]
    for n, q in enumerate(mentee_side):
        rule = form.get(f"q{n}-rule") or ""
        if not rule:
            continue
        item = {"attribute": q["attribute"], "rule": rule}
        if rule not in ("must_match", "must_differ"):
            item["weight"] = _number(form.get(f"q{n}-weight", "")) or 0
        if pair := (form.get(f"q{n}-pair_with") or "").strip():
            item["mentor_attribute"] = pair
        if rule == "closeness":
            item["within"] = _number(form.get(f"q{n}-within", "")) or 1
        attributes.append(item)
    data["attributes"] = attributes
    return data


def starting_data(program: str, earlier: dict | None, mapping: dict | None = None) -> dict:
    """An earlier run's policy of the same programme, else the preset's data with the
    question rules the cohort's mapping declares (a sheet uploaded through the API)."""
    if earlier and earlier.get("program") == program:
        return earlier
    data = policy_to_dict(preset(program))
    if mapping is not None:
        rules = rules_from_mapping(load_mapping(mapping))
        data["attributes"] = attribute_rules_to_list(rules)
    return data


ATTRIBUTE_RULES = tuple(m.value for m in AttributeMatch)
