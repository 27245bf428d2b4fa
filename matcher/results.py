"""What a solve returns: pairs with their scores and reasons, the unmatched, alternates,
metrics and how sure the solver is (frozen; ids only, never names or emails)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Scores in results are rounded to this many decimals, everywhere (pairs, alternates,
# metrics, comparisons, moves); solvers work on integers (matcher.solvers.integers).
SCORE_DIGITS = 6


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven best for the objective
    FEASIBLE = "feasible"  # valid, optimality not proven (see bound and gap)
    INFEASIBLE = "infeasible"  # hard rules conflict; see MatchResult.conflicts


@dataclass(frozen=True)
class Pair:
    """One mentee-mentor assignment with its score and score breakdown.

    ``components`` holds (component, raw score in [0, 1] or the external value) for every
    component with a positive weight, in :data:`COMPONENTS` order.
    """

    mentee_id: str
    mentor_id: str
    score: float
    components: tuple[tuple[str, float], ...] = ()
    pinned: bool = False
    explanation: str = ""


@dataclass(frozen=True)
class Unmatched:
    """A mentee with ``missing`` wanted places left unfilled, and why."""

    mentee_id: str
    missing: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alternate:
    """A mentor this mentee could have had instead, ranked by score."""

    mentee_id: str
    mentor_id: str
    score: float
    why_not: str = ""


@dataclass(frozen=True)
class Metrics:
    """Summary figures of a result. Scores are pair scores; loads count mentees per mentor."""

    mentees: int = 0
    mentors: int = 0
    wanted_places: int = 0
    matched_places: int = 0
    matched_mentees: int = 0
    fully_matched_mentees: int = 0
    mean_score: float | None = None
    min_score: float | None = None
    p10_score: float | None = None
    median_score: float | None = None
    p90_score: float | None = None
    mentors_used: int = 0
    mean_load: float | None = None
    max_load: int = 0
    skill_coverage: float | None = None  # share of matched mentees' wanted skills taught


@dataclass(frozen=True)
class MatchResult:
    """Everything a solve produced.

    ``objective`` is the total score of the pairs; ``bound`` an upper bound on the best
    total reachable with the same number of matched places (equal to ``objective`` when
    optimal); ``gap`` = (bound - objective) / max(1, |bound|). ``timings`` are
    (stage, seconds) in the order run; they are the only fields that vary between runs.
    """

    solver: str
    status: Status
    pairs: tuple[Pair, ...] = ()
    unmatched: tuple[Unmatched, ...] = ()
    alternates: tuple[Alternate, ...] = ()
    metrics: Metrics = Metrics()
    objective: float = 0.0
    bound: float | None = None
    gap: float | None = None
    certified: bool = False
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()
