"""The programme's own questions, re-derived in plain Python: rule scores and hard rules.

Definitions (as the README and :class:`matcher.model.AttributeRule` promise; the
production encoding lives elsewhere and is not read here):

* answers are sets: a choice is a set of one normalised tag, a multi-choice the set of
  its normalised tags, a number the set of its float value; an empty set is unanswered;
* ``same``: 1 when the answers share a value, else 0; ``different``: the reverse;
* ``overlap``: the share of the mentee's answers the mentor also gave;
* ``closeness``: ``max(0, 1 - |a - b| / within)``;
* ``similar``: the cosine of TF-IDF vectors (words of two or more letters or digits,
  lower case, stop words dropped; each word gives ``w:word`` and every 4-character slice
  of the word padded with one space each side (the whole padded word when shorter);
  ``tf = 1 + ln(count)``, ``idf = ln((1 + N) / (1 + df)) + 1`` over the rule's answered
  texts, vectors of unit length);
* a soft rule scores 0.5 when either side is unanswered; the ``attributes`` component is
  the weight-weighted mean of the soft rules;
* ``must_match`` breaks when both answered and share nothing; ``must_differ`` when both
  answered and share a value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from matcher.model import AttributeMatch, AttributeRule, Cohort, Mentee, Mentor, Policy

UNKNOWN = 0.5
_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset(
    "a about also am an and any are as at be been but by can could do for from get have "
    "how i if in into is it its just me more my no not of on or our so some than that the "
    "their them then there they this to up us want was we well what when which who will "
    "with would you your".split()
)


def answers(value: object, norm: Callable[[str], str]) -> frozenset[str]:
    """A person's answer as a set of comparable strings (empty: unanswered)."""
    if value is None:
        return frozenset()
    if isinstance(value, tuple):
        return frozenset(norm(str(v)) for v in value if str(v).strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return frozenset({norm(str(value))}) if str(value).strip() else frozenset()
    return frozenset({repr(float(value))})


def _features(text: str) -> Counter:
    out: Counter = Counter()
    for word in _WORD.findall(text.lower()):
        if len(word) < 2 or word in _STOP:
            continue
        out[f"w:{word}"] += 1
        padded = f" {word} "
        for k in range(max(1, len(padded) - 3)):
            out[f"c:{padded[k : k + 4]}"] += 1
    return out


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


@dataclass
class Corpus:
    """One similarity rule's texts: document frequencies, and unit vectors on demand."""

    counts: dict[tuple[str, str], Counter]
    df: Counter
    n_docs: int
    vectors: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    def vector(self, key: tuple[str, str]) -> dict[str, float]:
        if key not in self.vectors:
            counts = self.counts.get(key, Counter())
            raw = {
                t: (1 + math.log(c)) * (math.log((1 + self.n_docs) / (1 + self.df[t])) + 1)
                for t, c in counts.items()
            }
            length = math.sqrt(math.fsum(v * v for v in raw.values()))
            self.vectors[key] = {t: v / length for t, v in raw.items()} if length else {}
        return self.vectors[key]


def corpora(cohort: Cohort, policy: Policy) -> dict[int, Corpus]:
    """A :class:`Corpus` per similarity rule of ``policy`` (by its position)."""
    out = {}
    for k, rule in enumerate(policy.attributes):
        if rule.rule is not AttributeMatch.SIMILAR:
            continue
        counts = {}
        for role, name, people in (
            ("e", rule.attribute, cohort.mentees),
            ("m", rule.mentor_name, cohort.mentors),
        ):
            for person in people:
                found = _features(_text(person.attribute(name)))
                if found:
                    counts[role, person.id] = found
        df: Counter = Counter()
        for found in counts.values():
            df.update(found.keys())
        out[k] = Corpus(counts, df, len(counts))
    return out


def rule_score(
    k: int, rule: AttributeRule, mentee: Mentee, mentor: Mentor, norm, texts: dict[int, Corpus]
) -> float:
    """Soft rule ``k``'s score of the pair."""
    e_value, m_value = mentee.attribute(rule.attribute), mentor.attribute(rule.mentor_name)
    if rule.rule is AttributeMatch.SIMILAR:
        a, b = texts[k].vector(("e", mentee.id)), texts[k].vector(("m", mentor.id))
        if not a or not b:
            return UNKNOWN
        return min(1.0, max(0.0, math.fsum(v * b[t] for t, v in a.items() if t in b)))
    if rule.rule is AttributeMatch.CLOSENESS:
        if e_value is None or m_value is None:
            return UNKNOWN
        return max(0.0, 1.0 - abs(float(e_value) - float(m_value)) / rule.within)
    mine, theirs = answers(e_value, norm), answers(m_value, norm)
    if not mine or not theirs:
        return UNKNOWN
    if rule.rule is AttributeMatch.OVERLAP:
        return len(mine & theirs) / len(mine)
    share = bool(mine & theirs)
    return 1.0 if share == (rule.rule is AttributeMatch.SAME) else 0.0


def attributes_score(
    mentee: Mentee, mentor: Mentor, policy: Policy, norm, texts: dict[int, Corpus]
) -> float:
    """The ``attributes`` component: the weighted mean of the soft rules' scores."""
    soft = [(k, r) for k, r in enumerate(policy.attributes) if not r.hard and r.weight > 0]
    weight = math.fsum(r.weight for _, r in soft)
    if not weight:
        return 0.0
    return math.fsum(r.weight * rule_score(k, r, mentee, mentor, norm, texts) for k, r in soft) / (
        weight
    )


def breaks_a_question(mentee: Mentee, mentor: Mentor, policy: Policy, norm) -> bool:
    """Whether a must_match / must_differ rule forbids the pair."""
    for rule in policy.attributes:
        if not rule.hard:
            continue
        mine = answers(mentee.attribute(rule.attribute), norm)
        theirs = answers(mentor.attribute(rule.mentor_name), norm)
        if mine and theirs and bool(mine & theirs) != (rule.rule is AttributeMatch.MUST_MATCH):
            return True
    return False
