"""Cohorts and policies for the answers tests, and the independent figures they compare with."""

from __future__ import annotations

from dataclasses import replace

from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import DepartmentRule
from matcher.results import Status
from matcher.solve import solve


def without_min_loads(cohort):
    return replace(cohort, mentors=tuple(replace(m, min_capacity=0) for m in cohort.mentors))


def with_min_loads(cohort, n: int = 3):
    """The first ``n`` mentors must take at least one mentee (a generated cohort of a
    few mentors rarely draws a minimum load)."""
    mentors = tuple(
        replace(m, min_capacity=1) if j < n and m.capacity else m
        for j, m in enumerate(cohort.mentors)
    )
    return replace(cohort, mentors=mentors)


def strict(program: str):
    """A preset with every pair rule switched on (some pairs forbidden by several)."""
    return replace(
        preset(program),
        max_timezone_diff_hours=6.0,
        department_rule=DepartmentRule.DIFFERENT,
        require_shared_language=True,
    )


def cases():
    """(label, cohort, policy): small generated cohorts, plain and with side rules."""
    return [
        ("coaching plain", without_min_loads(generate_cohort(40, 12, 1)), preset("coaching")),
        ("mentoring min loads", with_min_loads(generate_cohort(60, 15, 2)), preset("mentoring")),
        ("strict coaching", without_min_loads(generate_cohort(50, 14, 3)), strict("coaching")),
        (
            "mentoring dept cap",
            without_min_loads(generate_cohort(50, 12, 4)),
            replace(preset("mentoring"), max_per_department=1),
        ),
    ]


def figures(result):
    """(places, total score) of a solve, or None when its rules conflict."""
    if result.status is Status.INFEASIBLE:
        return None
    return result.metrics.matched_places, result.objective


def solved(cohort, policy):
    """The independent optimum: a fresh :func:`matcher.solve.solve`, cold."""
    return figures(solve(cohort, policy))


def close(optimum, expected) -> bool:
    """An Optimum against (places, score) within rounding (half a micro-point per pair)."""
    places, score = expected
    return optimum.places == places and abs(optimum.score - score) <= 1e-6 * max(1, places)
