"""How a MatchResult is summarised for people (a rich table on stderr) and machines (JSON)."""

from __future__ import annotations

from matcher.results import SCORE_DIGITS, MatchResult


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def mentee_counts(result: MatchResult) -> dict[str, int]:
    """Mentees (people, not places) by outcome; the four counts add up to all mentees.

    ``fully_matched``: every wanted place filled; ``partly_matched``: some but not all;
    ``not_matched``: none although they wanted one; ``sitting_out``: wanted none
    (capacity 0).
    """
    m = result.metrics
    partly = m.matched_mentees - m.fully_matched_mentees
    not_matched = len(result.unmatched) - partly
    sitting_out = max(m.mentees - m.fully_matched_mentees - partly - not_matched, 0)
    return {
        "fully_matched": m.fully_matched_mentees,
        "partly_matched": partly,
        "not_matched": not_matched,
        "sitting_out": sitting_out,
    }


def summary_rows(result: MatchResult) -> list[tuple[str, object]]:
    """The summary as (what, value) rows with plain values, for the pairs workbook."""
    m = result.metrics
    counts = mentee_counts(result)
    return [
        ("status", result.status.value),
        ("solver", result.solver),
        ("certified optimal", result.certified),
        ("places matched (a mentee may want several)", m.matched_places),
        ("places wanted", m.wanted_places),
        ("mentees (people)", m.mentees),
        ("mentees fully matched", counts["fully_matched"]),
        ("mentees partly matched", counts["partly_matched"]),
        ("mentees not matched", counts["not_matched"]),
        ("mentees sitting this round out", counts["sitting_out"]),
        ("mentors (people)", m.mentors),
        ("mentors used", m.mentors_used),
        ("total score", round(result.objective, 6)),
        ("mean score", m.mean_score),
        ("min score", m.min_score),
        ("median score", m.median_score),
        ("mean / max mentees per mentor used", f"{_fmt(m.mean_load, 2)} / {m.max_load}"),
        ("wanted skills covered", m.skill_coverage),
    ]


def summary_dict(result: MatchResult, output: str | None = None) -> dict:
    """The summary as plain JSON-ready data (the `--json` output).

    Parameters
    ----------
    result : the solve's result.
    output : where the assignments CSV was written, if anywhere.

    Returns
    -------
    dict
        status, solver, objective, bound, gap, certified, the metrics, the number of
        mentees with a place unfilled, the mentees by outcome (:func:`mentee_counts`),
        conflicts, notes and per-stage timings in seconds.
    """
    m = result.metrics
    return {
        "status": result.status.value,
        "solver": result.solver,
        "objective": round(result.objective, SCORE_DIGITS),
        "bound": None if result.bound is None else round(result.bound, SCORE_DIGITS),
        "gap": None if result.gap is None else round(result.gap, 9),
        "certified": result.certified,
        "metrics": {
            "mentees": m.mentees,
            "mentors": m.mentors,
            "wanted_places": m.wanted_places,
            "matched_places": m.matched_places,
            "matched_mentees": m.matched_mentees,
            "fully_matched_mentees": m.fully_matched_mentees,
            "mean_score": m.mean_score,
            "min_score": m.min_score,
            "p10_score": m.p10_score,
            "median_score": m.median_score,
            "p90_score": m.p90_score,
            "mentors_used": m.mentors_used,
            "mean_load": m.mean_load,
            "max_load": m.max_load,
            "skill_coverage": m.skill_coverage,
        },
        # Mentees with at least one wanted place unfilled (partly and not matched).
        "unmatched_mentees": len(result.unmatched),
        "mentee_counts": mentee_counts(result),
        "conflicts": list(result.conflicts),
        "notes": list(result.notes),
        "timings": {stage: round(seconds, 4) for stage, seconds in result.timings},
        "output": output,
    }


def print_summary(console, result: MatchResult, output: str | None = None) -> None:
    """Print the summary table (and conflicts, if any) to a rich console on stderr."""
    from rich.table import Table

    m = result.metrics
    counts = mentee_counts(result)
    people = (
        f"{counts['fully_matched']} fully + {counts['partly_matched']} partly + "
        f"{counts['not_matched']} not matched"
        + (f" + {counts['sitting_out']} sitting out" if counts["sitting_out"] else "")
        + f" = {m.mentees}"
    )
    table = Table(title="mentormatch result", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    rows = [
        ("status", f"{result.status.value} ({result.solver})"),
        ("places matched", f"{m.matched_places} of {m.wanted_places} wanted"),
        ("mentees (people)", people),
        ("total score", _fmt(result.objective, 4)),
        ("bound / gap", f"{_fmt(result.bound, 4)} / {_fmt(result.gap, 6)}"),
        ("certified optimal", "yes" if result.certified else "no"),
        (
            "score mean / min / median",
            f"{_fmt(m.mean_score)} / {_fmt(m.min_score)} / {_fmt(m.median_score)}",
        ),
        ("mentors used", f"{m.mentors_used} of {m.mentors}"),
        ("load mean / max", f"{_fmt(m.mean_load, 2)} / {m.max_load}"),
        ("wanted skills covered", _fmt(m.skill_coverage)),
        ("time", ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings)),
    ]
    if output and output != "-":
        rows.append(("assignments", output))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    for conflict in result.conflicts:
        console.print(f"[red]conflict:[/red] {conflict}")
    for note in result.notes:
        console.print(f"note: {note}")
