"""How a MatchResult is summarised for people (a rich table on stderr) and machines (JSON)."""

from __future__ import annotations

from matcher.model import SCORE_DIGITS, MatchResult


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


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
        unmatched mentees, conflicts, notes and per-stage timings in seconds.
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
        "unmatched_mentees": len(result.unmatched),
        "conflicts": list(result.conflicts),
        "notes": list(result.notes),
        "timings": {stage: round(seconds, 4) for stage, seconds in result.timings},
        "output": output,
    }


def print_summary(console, result: MatchResult, output: str | None = None) -> None:
    """Print the summary table (and conflicts, if any) to a rich console on stderr."""
    from rich.table import Table

    m = result.metrics
    table = Table(title="mentormatch result", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    rows = [
        ("status", f"{result.status.value} ({result.solver})"),
        ("matched places", f"{m.matched_places} of {m.wanted_places} wanted"),
        ("matched mentees", f"{m.matched_mentees} of {m.mentees}"),
        ("unmatched mentees", str(len(result.unmatched))),
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
