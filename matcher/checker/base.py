"""What every part of the checker reads: tolerances, tag normalisation, people by id.

Nothing here knows how the solvers or the production scorer work. Tags are normalised as
the cohort reader does (:func:`matcher.io.fields.normalise_tag`), then one alias look-up
in the policy's table, which is what a policy's ``aliases`` mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from matcher.io.fields import alias_table, normalise_tag
from matcher.model import Cohort, Mentee, Mentor
from matcher.results import MatchResult, Pair

MINUTES_PER_DAY = 1440

# Scores, components and figures in a result are rounded to 6 decimals: a recomputed
# value may differ from its rounded form by up to 5e-7, plus float noise.
TOLERANCE = 1e-6


def close(given: float, expected: float, tolerance: float = TOLERANCE) -> bool:
    """Whether ``given`` equals ``expected`` within ``tolerance`` (scaled for large values).

    Parameters
    ----------
    given : the value the result states.
    expected : the value recomputed here.
    tolerance : the absolute tolerance; a relative 1e-12 is added for large values
        (external scores may be any real), whose float spacing exceeds 6 decimals.

    Returns
    -------
    bool
        False when either value is NaN.
    """
    return abs(given - expected) <= tolerance + 1e-12 * abs(expected)


@lru_cache(maxsize=8)
def normaliser(aliases: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    """A tag normaliser: the cohort reader's normalisation, then the policy's aliases.

    Parameters
    ----------
    aliases : the policy's (alias, canonical) pairs.

    Returns
    -------
    callable
        ``str -> str``, memoised per distinct tag.
    """
    table = alias_table(aliases)

    @cache
    def normalise(text: str) -> str:
        tag = normalise_tag(text)
        return table.get(tag, tag)

    return normalise


@dataclass(frozen=True)
class People:
    """The cohort's people by id, with their position in the cohort."""

    mentees: dict[str, tuple[int, Mentee]]
    mentors: dict[str, tuple[int, Mentor]]


def people(cohort: Cohort) -> People:
    """Index ``cohort``'s mentees and mentors by id.

    Parameters
    ----------
    cohort : the cohort.

    Returns
    -------
    People
    """
    return People(
        mentees={m.id: (i, m) for i, m in enumerate(cohort.mentees)},
        mentors={m.id: (j, m) for j, m in enumerate(cohort.mentors)},
    )


def known_pairs(cohort: Cohort, result: MatchResult) -> Iterator[tuple[Pair, Mentee, Mentor]]:
    """The result's pairs that name a mentee and a mentor of the cohort, first listing only.

    Unknown ids and repeats are reported by their own checks; every per-pair check
    (rules, scores) looks at each real pair once.

    Parameters
    ----------
    cohort : the cohort.
    result : the result.

    Yields
    ------
    (Pair, Mentee, Mentor)
    """
    index = people(cohort)
    seen: set[tuple[str, str]] = set()
    for pair in result.pairs:
        key = (pair.mentee_id, pair.mentor_id)
        known = pair.mentee_id in index.mentees and pair.mentor_id in index.mentors
        if key in seen or not known:
            continue
        seen.add(key)
        yield pair, index.mentees[pair.mentee_id][1], index.mentors[pair.mentor_id][1]


def counts(cohort: Cohort, result: MatchResult) -> tuple[Counter[str], Counter[str]]:
    """Mentors per mentee and mentees per mentor, every listing counted (repeats too).

    Parameters
    ----------
    cohort : the cohort; pairs naming someone outside it are not counted.
    result : the result.

    Returns
    -------
    (got, load)
        ``got[mentee_id]`` and ``load[mentor_id]``.
    """
    index = people(cohort)
    got: Counter[str] = Counter()
    load: Counter[str] = Counter()
    for pair in result.pairs:
        if pair.mentee_id in index.mentees:
            got[pair.mentee_id] += 1
        if pair.mentor_id in index.mentors:
            load[pair.mentor_id] += 1
    return got, load


def minutes_apart(a: int, b: int) -> int:
    """Minutes between two UTC offsets around the clock (UTC+12 and UTC-12 are 0 apart)."""
    d = abs(a - b) % MINUTES_PER_DAY
    return min(d, MINUTES_PER_DAY - d)


def plural(n: int, word: str) -> str:
    """``"1 mentor"``, ``"2 mentors"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
