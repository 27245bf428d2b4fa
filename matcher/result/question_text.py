"""The programme's own questions in a pair's explanation, in the sheet's own words.

"questions 83% (both chose Hiking, Chess; hours per month 4 vs 5)": the soft question
rules that found common ground, heaviest first, quoting the mentee's answers as written.
"""

from __future__ import annotations

from collections.abc import Callable

from matcher.encode.text import shared_words
from matcher.model import AttributeMatch, AttributeRule, Mentee, Mentor, Policy


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, tuple):
        return [str(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value))]
    return [str(value)]


def _phrase(rule: AttributeRule, mentee: Mentee, mentor: Mentor, norm) -> str | None:
    mine, theirs = mentee.attribute(rule.attribute), mentor.attribute(rule.mentor_name)
    if mine is None or theirs is None:
        return None
    if rule.rule is AttributeMatch.CLOSENESS:
        a, b = _as_list(mine)[0], _as_list(theirs)[0]
        return f"{rule.label} {a} vs {b}"
    if rule.rule is AttributeMatch.SIMILAR:
        join = " ".join
        common = shared_words(join(_as_list(mine)), join(_as_list(theirs)))
        return f"{rule.label}: {', '.join(common)}" if common else None
    have = {norm(v) for v in _as_list(theirs)}
    shared = [v for v in _as_list(mine) if norm(v) in have]
    if rule.rule is AttributeMatch.DIFFERENT:
        return None if shared else f"different {rule.label}"
    if not shared:
        return None
    if rule.rule is AttributeMatch.SAME:
        return f"same {rule.label} ({shared[0]})"
    return f"both chose {', '.join(shared[:3])}"


def question_text(
    value: float, mentee: Mentee, mentor: Mentor, policy: Policy, norm: Callable[[str], str]
) -> str:
    """The ``attributes`` component of a pair in words.

    Parameters
    ----------
    value : the component's value.
    mentee, mentor : the pair.
    policy : supplies the question rules.
    norm : the tag normaliser.

    Returns
    -------
    str
        ``questions 83% (...)`` with up to two phrases of common ground.
    """
    soft = [r for r in policy.attributes if not r.hard and r.weight > 0]
    soft.sort(key=lambda r: -r.weight)
    phrases = [p for p in (_phrase(r, mentee, mentor, norm) for r in soft) if p]
    detail = f" ({'; '.join(phrases[:2])})" if phrases else ""
    return f"questions {round(value * 100)}%{detail}"
