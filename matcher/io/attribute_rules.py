"""Rules over the programme's own questions, as a policy file or a sheet mapping says them.

A policy file lists them as an array of tables::

    [[attributes]]
    attribute = "interests"          # the mentees' answers (Person.attributes name)
    rule = "overlap"                 # same, different, overlap, closeness, similar,
    weight = 0.5                     #   must_match, must_differ; weight: soft rules only
    [[attributes]]
    attribute = "wants_help_with"
    mentor_attribute = "can_help_with"   # a mentor question paired with a mentee one
    rule = "overlap"
    [[attributes]]
    attribute = "hours_per_month"
    rule = "closeness"
    within = 4                       # full credit when equal, none at 4 apart

A sheet mapping may carry the same on an attribute column (``rule``, ``weight``,
``pair_with``); :func:`rules_from_mapping` turns those into the same rules, so
``--map`` alone makes the programme's questions count (:func:`with_mapping_rules` adds them
to a policy, the policy's own winning: ``match --map`` and the API's runs on a cohort
uploaded with a mapping).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from matcher.io.mapping import SheetMapping
from matcher.io.policy_checks import Checker
from matcher.model import AttributeMatch, AttributeRule, Policy

KEYS = ("attribute", "rule", "weight", "mentor_attribute", "within")


def parse_attribute_rules(v: Checker, value: object) -> tuple[AttributeRule, ...] | None:
    """The ``[[attributes]]`` array of a policy file, every problem added to ``v``.

    Parameters
    ----------
    v : collects problems (key path ``attributes[k].key``).
    value : the parsed array.

    Returns
    -------
    tuple of AttributeRule, or None when a problem was found.
    """
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        v.add("attributes", value, "expected an array of [[attributes]] tables")
        return None
    before = len(v.problems)
    out, seen = [], set()
    for k, item in enumerate(value):
        where = f"attributes[{k}]"
        if not isinstance(item, Mapping):
            v.add(where, item, "expected a table with attribute and rule")
            continue
        v.unknown_keys(item, KEYS, where + ".")
        rule = _one(v, where, item)
        if rule is None:
            continue
        key = (rule.attribute, rule.mentor_name, rule.rule)
        if key in seen:
            v.add(where, rule.label, "this question already has this rule")
        seen.add(key)
        out.append(rule)
    return tuple(out) if len(v.problems) == before else None


def _one(v: Checker, where: str, item: Mapping) -> AttributeRule | None:
    """One table as a rule; every problem of it is added to ``v`` (None if any)."""
    before = len(v.problems)
    names = {}
    for key in ("attribute", "mentor_attribute"):
        name = item.get(key)
        if name is None and key == "mentor_attribute":
            names[key] = None
        elif not isinstance(name, str) or not name.strip():
            v.add(f"{where}.{key}", name, "expected the name of a custom question")
        else:
            names[key] = name.strip()
    match = None
    if "rule" in item:
        match = v.choice(f"{where}.rule", item["rule"], AttributeMatch)
    else:
        kinds = ", ".join(m.value for m in AttributeMatch)
        v.add(f"{where}.rule", None, f"expected one of: {kinds}")
    weight = v.number(f"{where}.weight", item.get("weight", 1.0), low=0.0)
    within = v.number(f"{where}.within", item.get("within", 1.0), low=0.0, open_low=True)
    if "within" in item and match is not None and match is not AttributeMatch.CLOSENESS:
        v.add(f"{where}.within", item["within"], "only a closeness rule takes within")
    if len(v.problems) > before:
        return None
    return AttributeRule(names["attribute"], match, weight, names["mentor_attribute"], within)


def attribute_rules_to_list(rules: Sequence[AttributeRule]) -> list[dict]:
    """The ``[[attributes]]`` tables of ``rules`` (the inverse of the parser)."""
    out = []
    for r in rules:
        item = {"attribute": r.attribute, "rule": r.rule.value, "weight": float(r.weight)}
        if r.mentor_attribute is not None:
            item["mentor_attribute"] = r.mentor_attribute
        if r.rule is AttributeMatch.CLOSENESS:
            item["within"] = float(r.within)
        out.append(item)
    return out


def rules_from_mapping(mapping: SheetMapping) -> tuple[AttributeRule, ...]:
    """The attribute rules a sheet mapping's columns declare (``rule``/``weight``/``pair_with``).

    A rule on a mentor-only column reads that column from mentors and ``pair_with`` (or
    the same name) from mentees; any other column is the mentee side. A pair declared on
    both of its columns counts once.
    """
    out: dict[tuple[str, str, AttributeMatch], AttributeRule] = {}
    for column in mapping.columns:
        if column.attribute is None or column.rule is None:
            continue
        own, other = column.attribute, column.pair_with or column.attribute
        mentee, mentor = (other, own) if column.role == "mentor" else (own, other)
        match = AttributeMatch(column.rule)
        rule = AttributeRule(
            mentee,
            match,
            1.0 if column.weight is None else column.weight,
            None if mentor == mentee else mentor,
        )
        out.setdefault((mentee, mentor, match), rule)
    return tuple(out.values())


def with_mapping_rules(policy: Policy, mapping: SheetMapping) -> Policy:
    """``policy`` plus the question rules ``mapping`` declares; the policy's own win.

    A mapping rule is left out when the policy already has a rule of the same kind on the
    same question pair (so a policy file, or an API run's body, can reweigh it: weight 0
    turns it off).

    Parameters
    ----------
    policy : the run's policy.
    mapping : the checked mapping the cohort was read with.

    Returns
    -------
    Policy
        ``policy`` itself when the mapping adds nothing.
    """
    own = {(r.attribute, r.mentor_name, r.rule) for r in policy.attributes}
    extra = tuple(
        r for r in rules_from_mapping(mapping) if (r.attribute, r.mentor_name, r.rule) not in own
    )
    return replace(policy, attributes=policy.attributes + extra) if extra else policy
