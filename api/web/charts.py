"""Pictures of a run as data for hand-written SVG (``templates/chart.svg.html``): the score
distribution of the pairs and the mentors' loads against their capacities.

Each chart is a list of bars with their label and value; the template scales and draws
them and writes the numbers as text too, so the picture has a text equivalent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.tables import Assignment, Participant, Run

BINS = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    extra: int = 0  # drawn lighter above the value (unused places)


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    y_label: str
    bars: tuple[Bar, ...]
    summary: str

    @property
    def top(self) -> int:
        return max([b.value + b.extra for b in self.bars] + [1])


def score_distribution(session: Session, run: Run) -> Chart:
    """Pairs per score band (0-0.1, ..., 0.9-1)."""
    scores = session.scalars(select(Assignment.score).where(Assignment.run_id == run.id)).all()
    counts = Counter(min(BINS - 1, max(0, int(score * BINS))) for score in scores)
    bars = tuple(Bar(f"{k / BINS:.1f}", counts.get(k, 0)) for k in range(BINS))
    mean = sum(scores) / len(scores) if scores else 0.0
    summary = f"{len(scores)} pairs; mean score {mean:.3f}"
    return Chart("Score of each pair", "score from", "pairs", bars, summary)


def mentor_load(session: Session, run: Run) -> Chart:
    """Mentors by how many mentees they got, with the places they still had free."""
    loads = dict(
        session.execute(
            select(Assignment.mentor_id, func.count())
            .where(Assignment.run_id == run.id)
            .group_by(Assignment.mentor_id)
        ).all()
    )
    capacities = session.execute(
        select(Participant.external_id, Participant.data).where(
            Participant.cohort_id == run.cohort_id, Participant.role == "mentor"
        )
    ).all()
    by_load: Counter = Counter()
    free: Counter = Counter()
    for mentor_id, data in capacities:
        load = loads.get(mentor_id, 0)
        by_load[load] += 1
        free[load] += max(0, int(data.get("capacity") or 1) - load)
    top = max(by_load, default=0)
    bars = tuple(Bar(str(n), by_load.get(n, 0), 0) for n in range(top + 1))
    used = sum(loads.values())
    spare = sum(free.values())
    summary = f"{len(capacities)} mentors; {used} places used, {spare} still free"
    return Chart("Mentees per mentor", "mentees", "mentors", bars, summary)
