"""Why a pair was made, in words: its strongest score components and its weakest one.

"skills 83% (python, sql), goals 50% (leadership), seniority gap 2 (ideal 2); but time
zones 9h apart": up to ``top`` components by weighted contribution, then the component
that costs the pair most, when it scores below one half. Shares are percentages, details
name what the two people have in common (ids and tags only, never names or emails).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matcher.encode.person_arrays import circular_minutes
from matcher.encode.prepare import Prepared
from matcher.model import COMPONENTS, History, Mentee, Mentor, Policy
from matcher.result.question_text import question_text

WEAK_BELOW = 0.5  # a component scoring under this is named as the pair's weak point
NEVER_WEAK = ("preference", "external")  # not listing each other is no weakness


def _listing(names: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" +{len(names) - most} more" if len(names) > most else "")


def _hours(minutes: int) -> str:
    d = int(circular_minutes(0, minutes))
    return f"{d // 60}h" if d % 60 == 0 else f"{d / 60:.1f}h"


def _shared(wanted, offered) -> list[str]:
    have = set(offered)
    return [x for x in dict.fromkeys(wanted) if x in have]


def percent(value: float) -> str:
    """A share in [0, 1] as a whole percentage: ``0.834`` -> ``"83%"``."""
    return f"{round(value * 100)}%"


def component_text(
    name: str, value: float, mentee: Mentee, mentor: Mentor, policy: Policy, norm
) -> str:
    """One component of a pair in words, e.g. ``skills 83% (python, sql)``."""
    if name == "skills":
        shared = _shared(
            [norm(s.name) for s in mentee.skills], [norm(s.name) for s in mentor.skills]
        )
        detail = _listing(shared) if shared else "related skills" if value else "none shared"
        return f"skills {percent(value)} ({detail})"
    if name == "goals":
        shared = _shared([norm(g) for g in mentee.goals], [norm(g) for g in mentor.goals])
        return f"goals {percent(value)} ({_listing(shared) if shared else 'none shared'})"
    if name == "seniority" and mentee.seniority is not None and mentor.seniority is not None:
        gap = mentor.seniority - mentee.seniority
        return f"seniority gap {gap} (ideal {policy.seniority.ideal_gap})"
    if name == "timezone" and None not in (mentee.utc_offset_minutes, mentor.utc_offset_minutes):
        apart = _hours(mentee.utc_offset_minutes - mentor.utc_offset_minutes)
        return f"time zones {apart} apart"
    if name == "language":
        shared = _shared([norm(x) for x in mentee.languages], [norm(x) for x in mentor.languages])
        return f"shared language ({_listing(shared)})" if shared else "no shared language"
    if name == "location" and mentee.location and mentor.location:
        same = norm(mentee.location) == norm(mentor.location)
        return f"same location ({norm(mentee.location)})" if same else "different locations"
    if name == "department" and value == 1.0:
        return f"{policy.department_preference.value} department, as preferred"
    if name == "department" and value == 0.0:
        return f"not the {policy.department_preference.value} department preferred"
    if name == "preference":
        return f"stated preference ({percent(value)})"
    if name == "external":
        return f"external score {value:g}"
    if name == "attributes":
        return question_text(value, mentee, mentor, policy, norm)
    return f"{name} {percent(value)}"


def explain_pair(
    prepared: Prepared,
    mentee_index: int,
    mentor_index: int,
    components: Mapping[str, float],
    pinned: bool = False,
    *,
    top: int = 3,
) -> str:
    """A short text of why a pair scores what it does, and where it is weak.

    Parameters
    ----------
    prepared : the prepared cohort and policy.
    mentee_index, mentor_index : the pair, by position in the cohort.
    components : raw component scores of the pair (active components only).
    pinned : True if the policy pinned the pair.
    top : how many components to name, by weighted contribution (largest first).

    Returns
    -------
    str
        E.g. ``"skills 83% (python, sql), goals 50% (leadership); but time zones 9h
        apart"``; a pinned pair starts with ``"pinned by policy"``, a pair of an earlier
        cycle (``policy.previous_pairs``) with ``"paired last cycle"`` (and the bonus it
        got under ``history = "prefer"``).
    """
    cohort, policy, norm = prepared.cohort, prepared.policy, prepared.normalise
    mentee, mentor = cohort.mentees[mentee_index], cohort.mentors[mentor_index]
    if policy.scores_only:
        weight = {"external": 1.0}
    else:
        weight = {c: float(getattr(policy.weights, c)) for c in COMPONENTS}
    counted = [c for c in components if weight.get(c, 0) > 0]
    ranked = sorted(
        (c for c in counted if components[c] != 0),
        key=lambda c: (-weight[c] * components[c], COMPONENTS.index(c)),
    )
    shown = ranked[:top]
    parts = [component_text(c, components[c], mentee, mentor, policy, norm) for c in shown]
    head = ["pinned by policy"] if pinned else []
    if policy.history is not History.AVOID and (mentee_index, mentor_index) in prepared.earlier:
        bonus = policy.history is History.PREFER and policy.history_bonus
        head.append("paired last cycle" + (f" (+{bonus:g} history bonus)" if bonus else ""))
    text = ", ".join(head + (parts or ["no score above 0"]))
    weak = sorted(
        (c for c in counted if c not in shown + list(NEVER_WEAK) and components[c] < WEAK_BELOW),
        key=lambda c: (-weight[c] * (1 - components[c]), COMPONENTS.index(c)),
    )
    if weak:
        text += "; but " + component_text(
            weak[0], components[weak[0]], mentee, mentor, policy, norm
        )
    return text
