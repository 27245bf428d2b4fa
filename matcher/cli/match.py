"""The matching commands: validate, match, explain, generate."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from matcher.cli.common import (
    EXIT_INFEASIBLE,
    cohort_options,
    history_options,
    load_inputs,
    read_inputs,
    stderr_console,
    with_history_files,
    without_cycle_collector,
)
from matcher.model import InputError, Objective, SolverChoice
from matcher.results import Status


@click.command()
@cohort_options
def validate(**inputs):
    """Check a cohort (and policy), report every problem at once, say what was understood."""
    from matcher.io.understood import describe

    cohort, _, readings = read_inputs(**inputs)
    click.echo(
        f"OK: {len(cohort.mentees)} mentees, {len(cohort.mentors)} mentors, "
        f"{sum(m.capacity for m in cohort.mentors)} mentor places, "
        f"{sum(m.capacity for m in cohort.mentees)} wanted places",
        err=True,
    )
    click.echo("understood:", err=True)
    for line in describe(cohort, readings):
        click.echo(f"  {line}", err=True)


@click.command()
@cohort_options
@click.option("--scores", type=click.Path(dir_okay=False), help="CSV mentee_id,mentor_id,score.")
@click.option("--scores-only", is_flag=True, help="Use only --scores; unlisted pairs never match.")
@click.option("--objective", type=click.Choice([o.value for o in Objective]))
@click.option(
    "--by",
    "fair_by",
    metavar="COLUMN",
    help="With --objective group-fair: department, location, seniority or an attribute.",
)
@click.option("--solver", type=click.Choice([s.value for s in SolverChoice]))
@click.option("--seed", type=click.IntRange(min=0))
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Assignments file: .xlsx for a workbook (Pairs, Unmatched, Summary), else CSV (or -).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option(
    "--prices",
    "with_prices",
    is_flag=True,
    help="With --json: add the prices (rules, one more place, recruiting; exact re-solves).",
)
@click.option(
    "--receipt", type=click.Path(dir_okay=False), help="Write a receipt (digests) for verify."
)
@history_options
@without_cycle_collector
def match(
    scores,
    scores_only,
    objective,
    fair_by,
    solver,
    seed,
    time_limit,
    output,
    as_json,
    with_prices,
    receipt,
    history_from,
    history,
    **inputs,
):
    """Match mentees with mentors and write the assignments (CSV or .xlsx workbook)."""
    if scores_only and not scores:
        raise click.UsageError("--scores-only needs --scores FILE")
    if with_prices and not as_json:
        raise click.UsageError("--prices adds the prices to --json: give --json too")
    if fair_by and objective not in (None, Objective.GROUP_FAIR.value):
        raise click.UsageError("--by goes with --objective group-fair")
    if as_json and (not output or output == "-"):
        raise click.UsageError("--json prints the summary on stdout: give -o FILE for the pairs")
    from dataclasses import replace

    from matcher.cli.report import print_summary, summary_dict, summary_rows
    from matcher.io import cohort_csv
    from matcher.solve import solve_in_full

    console = stderr_console()
    started = time.perf_counter()
    cohort, policy = load_inputs(**inputs)
    read_seconds = time.perf_counter() - started
    if scores:
        cohort = replace(cohort, external_scores=cohort_csv.read_scores(scores, cohort))
        if not scores_only and policy.weights.external == 0:
            policy = replace(policy, weights=replace(policy.weights, external=1.0))
    overrides = {
        "scores_only": scores_only or policy.scores_only,
        "objective": Objective(objective) if objective else policy.objective,
        "fair_by": fair_by or policy.fair_by,
        "solver": SolverChoice(solver) if solver else policy.solver,
        "seed": policy.seed if seed is None else seed,
        "time_limit_seconds": time_limit or policy.time_limit_seconds,
    }
    policy = with_history_files(replace(policy, **overrides), history_from, history)

    with console.status("matching...") as status:
        solved = solve_in_full(cohort, policy, progress=lambda s: status.update(f"{s}..."))
    result = replace(solved.result, timings=(("read", read_seconds), *solved.result.timings))
    solved = solved if receipt else None  # the certificate reads its prepared cohort

    if output and Path(output).suffix.lower() == ".xlsx":
        from matcher.io.pairs_workbook import write_workbook

        write_workbook(result, output, cohort, summary_rows(result))
    elif output and output != "-":
        cohort_csv.write_pairs(result, output, cohort)
    elif not as_json:
        cohort_csv.write_pairs(result, sys.stdout, cohort)
    if as_json:
        import json

        data = summary_dict(result, output)
        if with_prices and result.status is not Status.INFEASIBLE:
            from matcher.answers.questions import prices_answer

            with console.status("pricing...") as status:
                data["prices"] = prices_answer(
                    cohort, policy, progress=lambda stage: status.update(f"{stage}...")
                )
        click.echo(json.dumps(data, indent=2))
    if receipt:
        import json

        from matcher.answers.receipt import make_receipt, receipt_to_dict

        data = receipt_to_dict(make_receipt(cohort, policy, result, solved=solved))
        Path(receipt).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print_summary(console, result, output)
    if result.status is Status.INFEASIBLE:
        sys.exit(EXIT_INFEASIBLE)


@click.command()
@cohort_options
@click.argument("mentee_id")
@click.option("--scores", type=click.Path(dir_okay=False), help="CSV mentee_id,mentor_id,score.")
@click.option(
    "--why-not", "why_not", metavar="MENTOR_ID", help="Why not this mentor: rules or exact cost."
)
@click.option("--json", "as_json", is_flag=True, help="With --why-not: the answer as JSON.")
def explain(mentee_id, scores, why_not, as_json, **inputs):
    """Why MENTEE_ID got their mentor (or none), and the alternates; or why not a mentor."""
    from dataclasses import replace

    from matcher.answers.optimum import person_index
    from matcher.io import cohort_csv
    from matcher.result.explain import explain_mentee
    from matcher.solve import solve

    if as_json and not why_not:
        raise click.UsageError("--json goes with --why-not MENTOR_ID")
    cohort, policy = load_inputs(**inputs)
    if scores:
        cohort = replace(cohort, external_scores=cohort_csv.read_scores(scores, cohort))
    if why_not:
        import json

        from matcher.answers.why_not import why_not as answer_why_not
        from matcher.answers.why_not import why_not_to_dict
        from matcher.cli.answers import why_not_text

        answer = answer_why_not(cohort, policy, mentee_id, why_not)
        click.echo(
            json.dumps(why_not_to_dict(answer), indent=2) if as_json else why_not_text(answer)
        )
        return
    found = person_index(cohort, "mentee", mentee_id, "id")
    if not isinstance(found, int):
        raise InputError([found], title="mentormatch cannot explain this mentee")
    result = solve(cohort, policy)
    click.echo(explain_mentee(cohort, policy, result, mentee_id))


@click.command()
@click.option("--mentees", "n_mentees", type=click.IntRange(min=1), required=True)
@click.option("--mentors", "n_mentors", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-", show_default=True)
def generate(n_mentees, n_mentors, seed, output):
    """Write a realistic synthetic cohort CSV (deterministic under --seed)."""
    from matcher.io import cohort_csv
    from matcher.io.generate import generate_cohort

    started = time.perf_counter()
    cohort = generate_cohort(n_mentees, n_mentors, seed)
    cohort_csv.write_cohort(cohort, sys.stdout if output == "-" else Path(output))
    click.echo(
        f"generated {n_mentees} mentees and {n_mentors} mentors (seed {seed}) "
        f"in {time.perf_counter() - started:.2f} s",
        err=True,
    )
