"""Whom to recruit: unmatched demand as mentor profiles, checked by simulation.

:func:`recruiting_hints` looks at the mentees the optimum leaves (partly) unmatched,
takes the skills most of them want, and for each draws the mentor profile they have in
common (the skill with the next most wanted skills of that group, their most common time
zone, language and goals, a seniority the gap rule allows for most of them, the
programme's usual capacity, no department), adds as many such synthetic mentors as the
group needs places (at most ``max_mentors``), and re-solves exactly. The hint says how
many more places that matches: a simulation, not a guess.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, replace

import numpy as np

from matcher.answers.optimum import Baseline, Optimum, optimum_of, resolve
from matcher.encode.prepare import prepare
from matcher.model import Cohort, Mentee, Mentor, Skill


@dataclass(frozen=True)
class RecruitHint:
    """A recruiting hint and what it was checked to achieve.

    Attributes
    ----------
    skill : the wanted skill the hint is about.
    mentees_wanting : unmatched mentees who want it.
    mentors : how many synthetic mentors were added.
    profile : the mentors' profile: skills, timezone, languages, seniority, capacity,
        goals (tags and numbers only).
    optimum_with : the optimum with them (exact re-solve).
    more_places : places matched beyond the optimum.
    more_mentees : mentees matched (at least one mentor) beyond the optimum.
    text : the hint in one sentence.
    added : the synthetic mentors themselves (ids ``NEW-<skill>-<n>``).
    """

    skill: str
    mentees_wanting: int
    mentors: int
    profile: tuple[tuple[str, str], ...]
    optimum_with: Optimum
    more_places: int
    more_mentees: int
    text: str
    added: tuple[Mentor, ...] = ()


def _common(values, k: int = 1) -> list:
    return [v for v, _ in Counter(v for v in values if v is not None).most_common(k)]


def _seniority(base: Baseline, group: list[Mentee]) -> int | None:
    """A mentor seniority the gap rule allows for most of ``group``, nearest the ideal gap."""
    known = [e.seniority for e in group if e.seniority is not None]
    if not known:
        return None
    rule = base.prepared.policy.seniority
    lo = rule.min_gap if rule.min_gap is not None else -math.inf
    hi = rule.max_gap if rule.max_gap is not None else math.inf
    target = float(np.median(known)) + rule.ideal_gap

    def key(level):
        fits = sum(lo <= level - s <= hi for s in known)
        return (-fits, abs(level - target), level)

    return min(range(0, max(known) + rule.ideal_gap + 2), key=key)


def _profile(base: Baseline, skill: str, group: list[Mentee]) -> dict:
    norm = base.prepared.normalise
    mentors = [m for m in base.prepared.cohort.mentors if m.capacity > 0]
    skills = [skill] + [
        s for s in _common((norm(x.name) for e in group for x in e.skills), 4) if s != skill
    ][:2]
    zone = _common((e.timezone for e in group), 1)
    offset = next((e.utc_offset_minutes for e in group if zone and e.timezone == zone[0]), None)
    return {
        "skills": tuple(skills),
        "timezone": zone[0] if zone else None,
        "utc_offset_minutes": offset,
        "languages": tuple(_common((x for e in group for x in e.languages), 1)),
        "goals": tuple(_common((norm(g) for e in group for g in e.goals), 3)),
        "seniority": _seniority(base, group),
        "capacity": int(np.median([m.capacity for m in mentors])) if mentors else 1,
    }


def _mentors(cohort: Cohort, skill: str, profile: dict, n: int) -> tuple[Mentor, ...]:
    taken = set(cohort.mentor_ids) | set(cohort.mentee_ids)
    slug = "".join(c if c.isalnum() else "-" for c in skill)[:24]
    ids, k = [], 0
    while len(ids) < n:
        k += 1
        if f"NEW-{slug}-{k}" not in taken:
            ids.append(f"NEW-{slug}-{k}")
    return tuple(
        Mentor(
            id=ids[k],
            seniority=profile["seniority"],
            skills=tuple(Skill(s) for s in profile["skills"]),
            goals=profile["goals"],
            capacity=profile["capacity"],
            timezone=profile["timezone"],
            utc_offset_minutes=profile["utc_offset_minutes"],
            languages=profile["languages"],
        )
        for k in range(n)
    )


def _shown(profile: dict) -> tuple[tuple[str, str], ...]:
    return tuple(
        (key, ", ".join(map(str, value)) if isinstance(value, tuple) else str(value))
        for key, value in profile.items()
        if value not in (None, ()) and key != "utc_offset_minutes"
    )


def recruiting_hints(
    base: Baseline, hints: int = 3, max_mentors: int = 10
) -> tuple[RecruitHint, ...]:
    """Hints from unmatched demand, each checked by an exact re-solve with new mentors.

    Parameters
    ----------
    base : the baseline.
    hints : how many of the most wanted skills to try.
    max_mentors : at most this many synthetic mentors per hint.

    Returns
    -------
    tuple of RecruitHint
        Most places gained first; empty when everyone is matched.
    """
    cohort, instance = base.prepared.cohort, base.instance
    norm = base.prepared.normalise
    got = np.bincount(
        np.array([i for i, _ in base.solution.pairs], np.int64), minlength=instance.shape[0]
    )
    short = [cohort.mentees[i] for i in np.flatnonzero(got < instance.wanted)]
    matched_before = int(np.count_nonzero(got))
    demand = Counter(s for e in short for s in {norm(x.name) for x in e.skills})
    out = []
    for skill, wanting in demand.most_common(hints):
        group = [e for e in short if skill in {norm(x.name) for x in e.skills}]
        profile = _profile(base, skill, group)
        n = min(max_mentors, math.ceil(len(group) / max(1, profile["capacity"])))
        added = _mentors(cohort, skill, profile, n)
        grown = replace(cohort, mentors=cohort.mentors + added)
        # Mentors are appended: the baseline's indices hold, so the warm start does too.
        bigger = prepare(grown, base.prepared.policy).instance
        solution = resolve(base, bigger)
        with_them = optimum_of(bigger, solution)
        more = with_them.places - base.optimum.places
        mentees = len({i for i, _ in solution.pairs}) - matched_before
        where = f" in {profile['timezone']}" if profile["timezone"] else ""
        text = (
            f"{n} more mentor(s) teaching {skill}{where} (capacity {profile['capacity']}) "
            f"would match {more} more place(s) ({mentees} more mentee(s)); "
            f"{wanting} unmatched mentee(s) want {skill}"
        )
        out.append(
            RecruitHint(skill, wanting, n, _shown(profile), with_them, more, mentees, text, added)
        )
    return tuple(sorted(out, key=lambda h: (-h.more_places, -h.optimum_with.score)))


def recruit_hint_to_dict(hint: RecruitHint) -> dict:
    """A :class:`RecruitHint` as JSON-ready data (``profile`` as an object, the mentors by id)."""
    out = asdict(hint)
    out["profile"] = dict(hint.profile)
    out["added"] = [m.id for m in hint.added]
    return out
