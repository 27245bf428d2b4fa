"""Why a pair was made, in words: its strongest score components and its weakest one.

"skills 83% (python, sql), goals 50% (leadership), seniority gap 2 (ideal 2); but time
zones 9h apart": up to ``top`` components by weighted contribution, then the component
that costs the pair most, when it scores below one half. Shares are percentages, details
name what the two people have in common (ids and tags only, never names or emails).
:func:`explain_pairs` words many pairs at once: the components are ranked as arrays and
each person's tags are normalised once, so 30,000 pairs cost a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from matcher.encode.person_arrays import circular_minutes
from matcher.encode.prepare import Prepared
from matcher.model import COMPONENTS, History
from matcher.result.question_text import question_text

WEAK_BELOW = 0.5  # a component scoring under this is named as the pair's weak point
NEVER_WEAK = ("preference", "external")  # not listing each other is no weakness
_TAG_FIELDS = ("skills", "goals", "languages")


def _listing(names: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" +{len(names) - most} more" if len(names) > most else "")


@lru_cache(maxsize=4096)
def _hours(minutes: int) -> str:
    d = int(circular_minutes(0, minutes))
    return f"{d // 60}h" if d % 60 == 0 else f"{d / 60:.1f}h"


def percent(value: float) -> str:
    """A share in [0, 1] as a whole percentage: ``0.834`` -> ``"83%"``."""
    return f"{round(value * 100)}%"


class ComponentWords:
    """Components of pairs in words, e.g. ``skills 83% (python, sql)``.

    Each person's normalised tags are worked out on first use and kept, so that wording
    many pairs normalises every tag once.

    Parameters
    ----------
    prepared : the prepared cohort and policy.
    """

    def __init__(self, prepared: Prepared):
        self.cohort, self.policy, self.norm = prepared.cohort, prepared.policy, prepared.normalise
        self._wanted: dict[str, dict[int, list[str]]] = {f: {} for f in _TAG_FIELDS}
        self._offered: dict[str, dict[int, set[str]]] = {f: {} for f in _TAG_FIELDS}
        self._by_given: dict[tuple[str, ...], list[str]] = {}

    def _tags(self, person, field: str) -> list[str]:
        """A person's tags of one field, normalised, in order, repeats dropped."""
        norm = self.norm
        if field == "skills":
            return list(dict.fromkeys([norm(s.name) for s in person.skills]))
        given = getattr(person, field)  # goals and languages repeat as whole tuples
        tags = self._by_given.get(given)
        if tags is None:
            tags = self._by_given[given] = list(dict.fromkeys([norm(x) for x in given]))
        return tags

    def _shared(self, i: int, j: int, field: str) -> list[str]:
        """Mentee ``i``'s tags of ``field`` (skills, goals, languages) mentor ``j`` has too."""
        wanted = self._wanted[field].get(i)
        if wanted is None:
            wanted = self._wanted[field][i] = self._tags(self.cohort.mentees[i], field)
        have = self._offered[field].get(j)
        if have is None:
            have = self._offered[field][j] = set(self._tags(self.cohort.mentors[j], field))
        return [x for x in wanted if x in have]

    def wording(self, name: str):
        """The function ``(value, i, j) -> str`` wording component ``name`` of mentee ``i``
        and mentor ``j``, whose value is ``value``."""
        special = {
            "skills": self._skills,
            "goals": self._goals,
            "language": self._language,
            "seniority": self._seniority,
            "timezone": self._timezone,
            "location": self._location,
            "department": self._department,
            "preference": lambda value, i, j: f"stated preference ({percent(value)})",
            "external": lambda value, i, j: f"external score {value:g}",
            "attributes": self._attributes,
        }
        return special.get(name) or (lambda value, i, j: _plain(name, value))

    def _skills(self, value: float, i: int, j: int) -> str:
        shared = self._shared(i, j, "skills")
        detail = _listing(shared) if shared else "related skills" if value else "none shared"
        return f"skills {percent(value)} ({detail})"

    def _goals(self, value: float, i: int, j: int) -> str:
        shared = self._shared(i, j, "goals")
        return f"goals {percent(value)} ({_listing(shared) if shared else 'none shared'})"

    def _language(self, value: float, i: int, j: int) -> str:
        shared = self._shared(i, j, "languages")
        return f"shared language ({_listing(shared)})" if shared else "no shared language"

    def _seniority(self, value: float, i: int, j: int) -> str:
        mine, theirs = self.cohort.mentees[i].seniority, self.cohort.mentors[j].seniority
        if mine is None or theirs is None:
            return _plain("seniority", value)
        return f"seniority gap {theirs - mine} (ideal {self.policy.seniority.ideal_gap})"

    def _timezone(self, value: float, i: int, j: int) -> str:
        mine = self.cohort.mentees[i].utc_offset_minutes
        theirs = self.cohort.mentors[j].utc_offset_minutes
        if mine is None or theirs is None:
            return _plain("timezone", value)
        return f"time zones {_hours(mine - theirs)} apart"

    def _location(self, value: float, i: int, j: int) -> str:
        mine, theirs = self.cohort.mentees[i].location, self.cohort.mentors[j].location
        if not (mine and theirs):
            return _plain("location", value)
        here = self.norm(mine)
        return f"same location ({here})" if here == self.norm(theirs) else "different locations"

    def _department(self, value: float, i: int, j: int) -> str:
        preferred = self.policy.department_preference.value
        if value == 1.0:
            return f"{preferred} department, as preferred"
        if value == 0.0:
            return f"not the {preferred} department preferred"
        return _plain("department", value)

    def _attributes(self, value: float, i: int, j: int) -> str:
        mentee, mentor = self.cohort.mentees[i], self.cohort.mentors[j]
        return question_text(value, mentee, mentor, self.policy, self.norm)


def _plain(name: str, value: float) -> str:
    return f"{name} {percent(value)}"


def _weights(prepared: Prepared) -> dict[str, float]:
    policy = prepared.policy
    if policy.scores_only:
        return {"external": 1.0}
    return {c: float(getattr(policy.weights, c)) for c in COMPONENTS}


def _ranked(values: np.ndarray, weights: np.ndarray, never_weak: np.ndarray, top: int):
    """Per pair (row of ``values``): the columns to name, strongest first, and the weakest.

    Returns
    -------
    (order, n_shown, weakest)
        ``order[r, :n_shown[r]]`` are the columns shown, by weighted contribution (ties to
        the lower column); ``weakest[r]`` the column that costs the pair most among the
        others scoring below :data:`WEAK_BELOW`, or -1.
    """
    n, width = values.shape
    nonzero = values != 0
    order = np.argsort(np.where(nonzero, -weights * values, np.inf), axis=1, kind="stable")
    order = order[:, :top]
    n_shown = np.minimum(np.count_nonzero(nonzero, axis=1), order.shape[1])
    shown = np.zeros((n, width), dtype=bool)
    for k in range(order.shape[1]):
        at = np.flatnonzero(n_shown > k)
        shown[at, order[at, k]] = True
    weak = ~shown & ~never_weak & (values < WEAK_BELOW)
    cost = np.where(weak, -weights * (1 - values), np.inf)
    weakest = np.where(weak.any(axis=1), cost.argmin(axis=1) if width else 0, -1)
    return order, n_shown, weakest


def explain_pairs(
    prepared: Prepared,
    rows: Sequence[int],
    cols: Sequence[int],
    components: Mapping[str, Sequence[float]],
    pinned: Sequence[bool],
    *,
    top: int = 3,
) -> list[str]:
    """The texts of :func:`explain_pair` for many pairs at once.

    Parameters
    ----------
    prepared : the prepared cohort and policy.
    rows, cols : the pairs' mentee and mentor indices, in the cohort.
    components : component name -> raw scores of the pairs (active components only).
    pinned : per pair, True if the policy pinned it.
    top : how many components to name per pair.

    Returns
    -------
    list of str
        One text per pair, in order.
    """
    policy = prepared.policy
    weight = _weights(prepared)
    names = [c for c in COMPONENTS if c in components and weight.get(c, 0) > 0]
    rows, cols = np.asarray(rows, np.int64).tolist(), np.asarray(cols, np.int64).tolist()
    values = np.zeros((len(rows), len(names)))
    for k, c in enumerate(names):
        values[:, k] = components[c]
    order, n_shown, weakest = _ranked(
        values,
        np.array([weight[c] for c in names]),
        np.array([c in NEVER_WEAK for c in names], dtype=bool),
        top,
    )
    earlier = prepared.earlier if policy.history is not History.AVOID else frozenset()
    bonus = policy.history is History.PREFER and policy.history_bonus
    last_cycle = "paired last cycle" + (f" (+{bonus:g} history bonus)" if bonus else "")
    words = ComponentWords(prepared)
    wording = [words.wording(c) for c in names]
    by_pair = zip(rows, cols, values.tolist(), order.tolist(), n_shown.tolist(), strict=True)
    texts = []
    for (i, j, value, ranked, n), pin, weak in zip(by_pair, pinned, weakest.tolist(), strict=True):
        head = ["pinned by policy"] if pin else []
        if (i, j) in earlier:
            head.append(last_cycle)
        parts = [wording[c](value[c], i, j) for c in ranked[:n]]
        text = ", ".join(head + (parts or ["no score above 0"]))
        if weak >= 0:
            text += "; but " + wording[weak](value[weak], i, j)
        texts.append(text)
    return texts


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
    one = {c: [v] for c, v in components.items()}
    return explain_pairs(prepared, [mentee_index], [mentor_index], one, [pinned], top=top)[0]
