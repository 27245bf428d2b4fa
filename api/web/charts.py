"""Pictures of a run as data for hand-written SVG (``templates/programme.html``): the score
distribution of the pairs, the mentors' loads, the wanted skills the pairs cover, and the
mix of departments (mentee's × mentor's).

Each bar chart is a list of bars with their label and value (and a lighter part above);
the mix is a grid of counts. The template scales and draws them and writes the numbers as
text too (``<title>``, ``<desc>`` and a table), so every picture has a text equivalent.
Skills and departments are read from the run's stored roster (:func:`paired`; people a
scenario or re-solve added, from what the run solved).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.store import at_version, solved_inputs
from api.tables import Assignment, Participant, Run

BINS = 10
TOP = 12  # skills and departments shown; the rest are summed as "other"
OTHER = "other"
NONE = "(none)"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    extra: int = 0  # drawn lighter above the value (wishes not covered)


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    y_label: str
    bars: tuple[Bar, ...]
    summary: str
    value_label: str = ""  # what the dark part of a bar counts
    extra_label: str = ""  # what the light part counts, when bars have one

    @property
    def top(self) -> int:
        return max([b.value + b.extra for b in self.bars] + [1])


@dataclass(frozen=True)
class Grid:
    """Counts by row label and column label (a heat map)."""

    title: str
    row_label: str
    column_label: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    summary: str

    @property
    def top(self) -> int:
        return max([n for row in self.counts for n in row] + [1])


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


@dataclass(frozen=True)
class Paired:
    """A run's pairs and, for the people in them, their skill names and department."""

    pairs: list[tuple[str, str]]
    mentees: dict[str, tuple[tuple[str, ...], str | None]]
    mentors: dict[str, tuple[tuple[str, ...], str | None]]


def paired(session: Session, run: Run) -> Paired:
    """The run's pairs with their people's skills and departments, read from the stored
    participant rows of the run's roster (one query reading two keys of each row, no
    validation); people a change set added are not stored, so a run with
    them reads what it solved (:func:`api.store.solved_inputs`)."""
    pairs = session.execute(
        select(Assignment.mentee_id, Assignment.mentor_id).where(Assignment.run_id == run.id)
    ).all()
    found: dict[str, dict] = {"mentee": {}, "mentor": {}}
    data = Participant.data
    rows = session.execute(
        select(
            Participant.role,
            Participant.external_id,
            data["skills"].as_string(),
            data["department"].as_string(),
        ).where(Participant.cohort_id == run.cohort_id, at_version(run.cohort_version))
    ).all()
    # every row's skills (JSON text) parsed in one call: a call per row costs more
    skills = json.loads("[" + ",".join(row[2] or "null" for row in rows) + "]")
    for (role, external_id, _, department), held in zip(rows, skills, strict=True):
        found[role][external_id] = (tuple(s["name"] for s in held or ()), department)
    mentees, mentors = found["mentee"], found["mentor"]
    if any(e not in mentees or m not in mentors for e, m in pairs):
        people = solved_inputs(session, run)[0]
        mentees = {e.id: (e.skill_names, e.department) for e in people.mentees}
        mentors = {m.id: (m.skill_names, m.department) for m in people.mentors}
    return Paired(pairs, mentees, mentors)


def skill_coverage(seen: Paired) -> Chart:
    """The skills mentees in pairs want most: in how many pairs the mentor has the skill
    (dark) and in how many not (light). Skill names are compared regardless of case."""
    has = {
        m: {name.strip().casefold() for name in skills} for m, (skills, _) in seen.mentors.items()
    }
    shown: dict[str, str] = {}
    covered: Counter = Counter()
    missed: Counter = Counter()
    for mentee_id, mentor_id in seen.pairs:
        for name in seen.mentees[mentee_id][0]:
            key = name.strip().casefold()
            shown.setdefault(key, name.strip())
            target = covered if key in has.get(mentor_id, ()) else missed
            target[key] += 1
    wanted = sorted(shown, key=lambda k: (-(covered[k] + missed[k]), shown[k]))
    bars = tuple(Bar(shown[k], covered[k], missed[k]) for k in wanted[:TOP])
    hit, total = sum(covered.values()), sum(covered.values()) + sum(missed.values())
    share = f" ({hit / total:.0%})" if total else ""
    summary = f"{hit} of {total} wanted skills in pairs covered by the mentor{share}"
    if len(wanted) > TOP:
        summary += f"; the {TOP} most wanted of {len(wanted)} skills shown"
    return Chart(
        "Wanted skills the pairs cover",
        "skill",
        "pairs",
        bars,
        summary,
        "covered by the mentor",
        "not covered",
    )


def _top(counts: Counter) -> list[str]:
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return ranked if len(ranked) <= TOP else ranked[: TOP - 1] + [OTHER]


def department_mix(seen: Paired) -> Grid:
    """Pairs by the mentee's department (rows) and the mentor's (columns)."""
    cells: Counter = Counter()
    for mentee_id, mentor_id in seen.pairs:
        cells[seen.mentees[mentee_id][1] or NONE, seen.mentors[mentor_id][1] or NONE] += 1
    rows, columns = _top(_sums(cells, 0)), _top(_sums(cells, 1))
    keep_rows, keep_columns = set(rows), set(columns)
    grid: Counter = Counter()
    for (r, c), n in cells.items():
        grid[r if r in keep_rows else OTHER, c if c in keep_columns else OTHER] += n
    counts = tuple(tuple(grid[r, c] for c in columns) for r in rows)
    same = sum(n for (r, c), n in cells.items() if r == c and r != NONE)
    total = sum(cells.values())
    summary = f"{total} pairs; {same} within one department, {total - same} across departments"
    return Grid(
        "Mix by department",
        "mentee's department",
        "mentor's department",
        tuple(rows),
        tuple(columns),
        counts,
        summary,
    )


def _sums(cells: Counter, axis: int) -> Counter:
    out: Counter = Counter()
    for key, n in cells.items():
        out[key[axis]] += n
    return out
