"""The commands that defend a match: prices, alternatives, attrition, audit (and why-not).

Each reads a sheet like ``match``, answers from the certified optimum (see
:mod:`matcher.answers`) and prints a readable table on stderr, or with ``--json`` the
answer's data on stdout. ``explain SHEET MENTEE --why-not MENTOR`` lives with
``explain`` and prints with :func:`print_why_not`. Ids only, never names or emails.
Exit codes as for ``match``: 0, 2 rejected input, 3 conflicting hard rules, 1 other.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from matcher.cli.common import cohort_options, load_inputs, stderr_console


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _table(title: str, columns, rows, left: tuple[int, ...] = (0,)):
    """A rich table; the columns at positions ``left`` are text, the others numbers."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for k, name in enumerate(columns):
        table.add_column(name, justify="left" if k in left else "right")
    for row in rows:
        table.add_row(*(_fmt(v) for v in row))
    return table


def _wide_console():
    console = stderr_console()
    console.width = max(console.width, 120)
    return console


def why_not_text(answer) -> str:
    """The readable answer of ``explain --why-not`` (ids and scores only)."""
    lines = [f"Why not {answer.mentee_id} with {answer.mentor_id}?"]
    lines += [f"  {reason}" for reason in answer.reasons]
    o, w = answer.optimum, answer.optimum_with_pair
    lines.append(f"  optimum:           {o.places} places, total score {o.score:.4f}")
    if w is not None:
        lines.append(f"  with the pair:     {w.places} places, total score {w.score:.4f}")
        lines.append(
            f"  cost:              {answer.cost.places} place(s), {answer.cost.score:.4f} score"
        )
    if answer.moves:
        lines.append("  who moves:")
        for m in answer.moves:
            before = f"{m.from_mentor or '-'} ({_fmt(m.score_before, 3)})"
            after = f"{m.to_mentor or '-'} ({_fmt(m.score_after, 3)})"
            lines.append(f"    {m.mentee_id}: {before} -> {after}  {m.reason}")
    return "\n".join(lines)


@click.command()
@cohort_options
@click.option("--top", default=10, show_default=True, type=int, help="Mentors to re-solve +1 for.")
@click.option("--hints", default=3, show_default=True, type=int, help="Recruiting hints to try.")
@click.option("--json", "as_json", is_flag=True, help="Print the prices as JSON on stdout.")
def prices(top, hints, as_json, **inputs):
    """What each hard rule costs, what one more place is worth, whom to recruit."""
    from matcher.answers.optimum import baseline
    from matcher.answers.questions import prices_answer

    cohort, policy = load_inputs(**inputs)
    console = _wide_console()
    with console.status("solving the optimum...") as status:
        base = baseline(cohort, policy, "prices")
        data = prices_answer(
            cohort,
            policy,
            top=top,
            hints=hints,
            base=base,
            progress=lambda stage: status.update(f"{stage}..."),
        )
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    o = base.optimum
    console.print(f"optimum: {o.places} places, total score {o.score:.4f} (certified)")
    console.print(
        _table(
            "what each hard rule costs (exact re-solve without it)",
            ("rule", "pairs removed", "only by it", "costs places", "costs score"),
            [
                (
                    r["words"],
                    r["pairs_removed"],
                    r["pairs_only"],
                    r["cost"]["places"],
                    r["cost"]["score"],
                )
                for r in data["rules"]
            ],  # fmt: skip
        )
    )
    console.print(
        _table(
            "one more place (exact re-solve with capacity + 1)",
            ("mentor", "load/cap", "unmatched eligible", "best of them", "+places", "+score"),
            [
                (
                    v["mentor_id"],
                    f"{v['load']}/{v['capacity']}",
                    v["unmatched_eligible"],
                    v["best_unmatched_score"],
                    v["gain"]["places"],
                    v["gain"]["score"],
                )
                for v in data["places"]
            ],
        )  # fmt: skip
    )
    for hint in data["recruiting"]:
        console.print(f"recruit: {hint['text']}")


@click.command()
@cohort_options
@click.option("-k", "k", default=3, show_default=True, type=int, help="How many alternatives.")
@click.option("--within", default="1%", show_default=True, help="Distance: 1% or 0.01.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write NAME-1.csv, NAME-2.csv, ..."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout.")
def alternatives(k, within, output, as_json, **inputs):
    """Matchings within a distance of the optimum, as different from each other as found."""
    from matcher.answers.alternatives import alternatives as find
    from matcher.answers.alternatives import alternatives_to_dict
    from matcher.io import cohort_csv

    cohort, policy = load_inputs(**inputs)
    console = _wide_console()
    with console.status("searching alternatives..."):
        answer = find(cohort, policy, k, within)
    written = []
    if output:
        path = Path(output)
        for n, alt in enumerate(answer.alternatives, start=1):
            target = path.with_name(f"{path.stem}-{n}{path.suffix or '.csv'}")
            cohort_csv.write_pairs(alt.result, target, cohort)
            written.append(str(target))
    if as_json:
        click.echo(json.dumps({**alternatives_to_dict(answer), "written": written}, indent=2))
        return
    best = answer.optimum
    rows = [("optimum", best.metrics.matched_places, best.objective, 0.0, "-", "-")]
    for n, alt in enumerate(answer.alternatives, start=1):
        r = alt.result
        share = f"{alt.shared_with_optimum}/{r.metrics.matched_places}"
        rows.append((f"alternative {n}", r.metrics.matched_places, r.objective, r.gap,
                     share, alt.penalty))  # fmt: skip
    title = f"matchings within {answer.within:.2%} of the optimum (floor {answer.floor:.4f})"
    columns = ("matching", "places", "total", "gap", "shared with optimum", "penalty")
    console.print(_table(title, columns, rows))
    names = ["optimum"] + [f"alt {n}" for n in range(1, len(answer.alternatives) + 1)]
    overlap = [(names[a], *row) for a, row in enumerate(answer.overlap)]
    console.print(_table("share of pairs in common", ("", *names), overlap))
    for note in answer.notes:
        console.print(f"note: {note}")
    for target in written:
        console.print(f"assignments: {target}")


@click.command()
@cohort_options
@click.option("--top", default=10, show_default=True, type=int, help="Busiest mentors to test.")
@click.option("--all", "every", is_flag=True, help="Test every mentor who has mentees.")
@click.option("--move-cost", type=click.FloatRange(min=0), help="Score one moved pair costs.")
@click.option("--json", "as_json", is_flag=True, help="Print the risks as JSON on stdout.")
def attrition(top, every, move_cost, as_json, **inputs):
    """What each busy mentor's leaving would cost (exact rematches), the fragile pairs."""
    from matcher.answers.attrition import attrition as assess
    from matcher.answers.attrition import attrition_to_dict

    cohort, policy = load_inputs(**inputs)
    console = _wide_console()
    with console.status("rematching without each mentor..."):
        answer = assess(cohort, policy, top=None if every else top, move_cost=move_cost)
    if as_json:
        click.echo(json.dumps(attrition_to_dict(answer), indent=2))
        return
    console.print(f"optimum: {answer.places} places, total score {answer.score:.4f}")
    console.print(
        _table(
            "if this mentor left (exact rematch)",
            ("mentor", "mentees", "places lost", "score lost", "moves", "left unmatched"),
            [
                (r.mentor_id, r.load, r.places_lost, r.score_lost, r.moves, r.left_unmatched)
                for r in answer.risks
            ],
        )
    )
    console.print(
        _table(
            "most fragile pairs",
            ("mentee", "mentor", "score", "score if the mentor left"),
            [(p.mentee_id, p.mentor_id, p.score, p.score_after) for p in answer.fragile],
        )
    )


@click.command()
@cohort_options
@click.option("--threshold", default=0.10, show_default=True, type=click.FloatRange(min=0))
@click.option("--min-size", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON on stdout.")
def audit(threshold, min_size, as_json, **inputs):
    """Score, coverage and unmatched rate by group of mentees, with the gaps flagged."""
    from matcher.answers.audit import audit as run_audit
    from matcher.answers.audit import audit_to_dict
    from matcher.solve import solve

    cohort, policy = load_inputs(**inputs)
    console = _wide_console()
    with console.status("matching..."):
        result = solve(cohort, policy)
    answer = run_audit(cohort, result, threshold=threshold, min_size=min_size)
    if as_json:
        click.echo(json.dumps(audit_to_dict(answer), indent=2))
        return
    o = answer.overall
    rows = [("everyone", "", o.mentees, o.mean_score, o.coverage, o.unmatched_rate, "")]
    for g in answer.groups:
        f = g.figures
        flag = "; ".join(g.flags)
        rows.append((g.dimension, g.group, f.mentees, f.mean_score, f.coverage,
                     f.unmatched_rate, flag))  # fmt: skip
    columns = ("dimension", "group", "mentees", "mean score", "coverage", "unmatched", "gap")
    title = f"equity audit ({result.status.value}, {result.solver}; flags > {threshold:.0%})"
    console.print(_table(title, columns, rows, left=(0, 1, 6)))
    console.print(f"{len(answer.flagged)} group(s) flagged")
    for note in answer.skipped:
        console.print(f"skipped: {note}")
