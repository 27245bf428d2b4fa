"""The `mentormatch scenario` and `mentormatch rematch` commands.

``scenario`` solves the baseline and every variant (``--vary KEY=V1,V2`` sweeps and/or a
``--scenarios`` file), prints the trade-off table and who moves on stderr (``--json``:
the data on stdout) and draws the picture (``--plot FILE.png|svg``). ``rematch`` reads a
previous assignments CSV, applies the changes (leavers, joiners, capacities, break-ups),
keeps as many pairs as possible, writes the new assignments CSV and prints who moved and
why. Exit codes as for ``match``: 0, 2 rejected input, 3 conflicting hard rules, 1 other.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from matcher.cli.common import cohort_options, load_inputs, stderr_console
from matcher.model import InfeasibleError, InputError, Problem
from matcher.results import Status

SHOWN_MOVES = 10  # moves listed per variant on stderr before "... and N more"


def _fmt(value, digits=3) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _print_table(console, rows) -> None:
    from rich.table import Table

    table = Table(title="mentormatch scenarios", title_justify="left")
    columns = (
        ("scenario", "name", None),
        ("matched", "matched_places", None),
        ("unmatched", "unmatched_mentees", None),
        ("total", "total_score", 3),
        ("mean", "mean_score", 3),
        ("min", "min_score", 3),
        ("load max/std", None, None),
        ("skills", "skill_coverage", 3),
        ("kept", "pairs_kept", None),
        ("moved", "moved", None),
        ("new", "newly_matched", None),
        ("lost", "newly_unmatched", None),
    )
    for title, _, _ in columns:
        left = title == "scenario"
        table.add_column(title, justify="left" if left else "right", no_wrap=not left)
    for row in rows:
        cells = []
        for _, key, digits in columns:
            if key is None:
                cells.append(f"{row['load_max']} / {_fmt(row['load_std'], 2)}")
            else:
                cells.append(_fmt(row[key], digits) if digits else _fmt(row[key]))
        table.add_row(*cells)
    console.print(table)


def _print_people(console, run) -> None:
    from matcher.whatif.compare import Change

    for v in run.variants:
        moved = v.comparison.of(Change.MOVED)
        lost = v.comparison.of(Change.NEWLY_UNMATCHED)
        console.print(f"[bold]{v.name}[/bold]: {len(moved)} moved, {len(lost)} newly unmatched")
        for p in (moved + lost)[:SHOWN_MOVES]:
            to = ", ".join(p.after) or "nobody"
            delta = "" if p.delta is None else f" (score {p.delta:+.3f})"
            console.print(f"  {p.mentee_id}: {', '.join(p.before)} -> {to}{delta}")
        if len(moved) + len(lost) > SHOWN_MOVES:
            rest = len(moved) + len(lost) - SHOWN_MOVES
            console.print(f"  ... and {rest} more (--json --people lists everyone)")


@click.command()
@cohort_options
@click.option("--vary", multiple=True, metavar="KEY=V1,V2,...", help="Sweep a parameter.")
@click.option(
    "--scenarios", "scenario_file", type=click.Path(dir_okay=False), help="TOML/JSON file."
)
@click.option("--plot", type=click.Path(dir_okay=False), help="Picture file (.png or .svg).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON on stdout.")
@click.option("--people", is_flag=True, help="With --json: every mentee's change.")
def scenario(vary, scenario_file, plot, as_json, people, **inputs):
    """Solve what-if variants side by side and compare them with the baseline."""
    from matcher.whatif.scenarios import (
        load_scenarios,
        run_scenarios,
        scenario_run_to_dict,
        trade_off_table,
    )
    from matcher.whatif.sweep import parse_vary, plot_sweep, vary_scenarios

    if not vary and not scenario_file:
        raise click.UsageError("give --vary KEY=V1,V2,... or --scenarios FILE")
    if plot and Path(plot).suffix.lower() not in (".png", ".svg"):
        raise click.UsageError("--plot needs a file name ending in .png or .svg")
    cohort, policy = load_inputs(**inputs)
    scenarios = load_scenarios(scenario_file) if scenario_file else []
    source = Path(scenario_file).name if scenario_file else "--vary"
    if vary:
        scenarios += vary_scenarios([parse_vary(v) for v in vary])
    console = stderr_console()
    console.width = max(console.width, 132)  # the table has 12 columns; never squeeze names
    with console.status("solving...") as status:
        run = run_scenarios(
            cohort, policy, scenarios, source=source, progress=lambda s: status.update(f"{s}...")
        )
    if plot:
        plot_sweep(run, plot)
    if as_json:
        click.echo(json.dumps(scenario_run_to_dict(run, people=people), indent=2))
    _print_table(console, trade_off_table(run))
    _print_people(console, run)
    if plot:
        console.print(f"picture: {plot}")


def _capacities(items, cohort) -> dict:
    mentors, mentees = {}, {}
    for text in items:
        key, eq, number = text.partition("=")
        try:
            value = int(number)
        except ValueError:
            value = None
        if not eq or not key.strip() or value is None:
            problem = Problem("expected ID=N (a whole number)", value=text, source="--capacity")
            raise InputError([problem], title="mentormatch could not use this option")
        target = mentees if key.strip() in set(cohort.mentee_ids) else mentors
        target[key.strip()] = value
    out = {}
    if mentors:
        out["mentors"] = mentors
    if mentees:
        out["mentees"] = mentees
    return out


def _breaks(items) -> list[list[str]]:
    out = []
    for text in items:
        mentee, colon, mentor = text.partition(":")
        if not colon or not mentee.strip() or not mentor.strip():
            problem = Problem("expected MENTEE_ID:MENTOR_ID", value=text, source="--break")
            raise InputError([problem], title="mentormatch could not use this option")
        out.append([mentee.strip(), mentor.strip()])
    return out


def _added_records(path: str) -> tuple[list, list[int] | None]:
    """Records of the people joining (CSV like a cohort file, or a JSON list)."""
    from matcher.io.decode import read_table, uninert

    if Path(path).suffix.lower() == ".json":
        return json.loads(Path(path).read_text(encoding="utf-8-sig")), None
    table = read_table(path, Path(path).name)
    header = [h.strip() for h in table.header]
    records = [
        {h: uninert(row[k]) for k, h in enumerate(header) if k < len(row) and row[k] != ""}
        for row in table.rows
    ]
    return records, table.lines


@click.command()
@cohort_options
@click.option("--previous", required=True, type=click.Path(dir_okay=False), help="Assignments CSV.")
@click.option("--remove-mentor", multiple=True, metavar="ID", help="A mentor who left.")
@click.option("--remove-mentee", multiple=True, metavar="ID", help="A mentee who left.")
@click.option("--add", "add_file", type=click.Path(dir_okay=False), help="People joining (CSV).")
@click.option("--capacity", multiple=True, metavar="ID=N", help="A new capacity.")
@click.option("--break", "breaks", multiple=True, metavar="MENTEE:MENTOR", help="A broken pair.")
@click.option("--move-cost", type=click.FloatRange(min=0), help="Score one moved pair costs.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="New CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print the moves as JSON on stdout.")
def rematch(
    previous,
    remove_mentor,
    remove_mentee,
    add_file,
    capacity,
    breaks,
    move_cost,
    output,
    as_json,
    **inputs,
):
    """Rematch after changes, keeping as many previous pairs as possible."""
    from matcher.io import cohort_csv
    from matcher.whatif.rematch import previous_pairs, rematch_to_dict
    from matcher.whatif.rematch import rematch as run_rematch

    if output == "-" and as_json:
        raise click.UsageError("--json prints the moves on stdout: give -o FILE for the pairs")
    cohort, policy = load_inputs(**inputs)
    name = Path(previous).name
    try:
        records = cohort_csv.read_assignments(previous)
    except InputError as error:
        raise InputError([replace(p, source=name) for p in error.problems], error.title) from None
    changes: dict = {}
    if remove_mentor:
        changes["remove_mentors"] = list(remove_mentor)
    if remove_mentee:
        changes["remove_mentees"] = list(remove_mentee)
    lines = None
    if add_file:
        changes["add"], lines = _added_records(add_file)
    if capacity:
        changes["capacity"] = _capacities(capacity, cohort)
    if breaks:
        changes["break"] = _breaks(breaks)
    try:
        outcome = run_rematch(cohort, policy, previous_pairs(records), changes, move_cost=move_cost)
    except InputError as error:
        raise InputError(_locate(error.problems, add_file, lines, name), error.title) from None
    if outcome.result.status is Status.INFEASIBLE:
        raise InfeasibleError(outcome.result.conflicts)
    cohort_csv.write_pairs(outcome.result, sys.stdout if output == "-" else output)
    if as_json:
        click.echo(json.dumps(rematch_to_dict(outcome), indent=2))
    console = stderr_console()
    console.width = max(console.width, 120)  # reasons stay on one line
    _print_moves(console, outcome, output)


_OPTIONS = {
    "remove_mentors": "--remove-mentor",
    "remove_mentees": "--remove-mentee",
    "break": "--break",
    "capacity.mentors": "--capacity",
    "capacity.mentees": "--capacity",
}


def _locate(problems, add_file, lines, previous_name) -> list:
    """Name the user's files and options in problems: --add lines, the previous CSV."""
    out = []
    for p in problems:
        path = (p.column or "").split("[")[0]
        option = _OPTIONS.get(path.rpartition(".")[0]) or _OPTIONS.get(path)
        if p.source == "previous":
            p = replace(p, source=previous_name)
        elif path.startswith("add") and add_file:
            line = lines[p.row] if lines is not None and p.row is not None else None
            column = (p.column or "").partition(".")[2] or None
            p = replace(p, source=Path(add_file).name, line=line, column=column)
        elif option:
            p = replace(p, source=option)
        out.append(p)
    return out


def _print_moves(console, outcome, output) -> None:
    from rich.table import Table

    r = outcome.result
    console.print(
        f"kept {outcome.kept} of {outcome.previous} previous pairs "
        f"({outcome.keepable} still possible); {len(outcome.moves)} change(s); "
        f"{r.metrics.matched_places} of {r.metrics.wanted_places} places matched; "
        f"total score {r.objective:.4f} ({r.status.value}, {r.solver})"
    )
    if outcome.moves:
        table = Table(title="who moved and why", title_justify="left")
        for title in ("mentee", "from", "to", "why", "score"):
            table.add_column(title)
        for m in outcome.moves:
            score = f"{_fmt(m.score_before)} -> {_fmt(m.score_after)}"
            table.add_row(m.mentee_id, m.from_mentor or "-", m.to_mentor or "-", m.reason, score)
        console.print(table)
    if output != "-":
        console.print(f"assignments: {output}")
