"""The `mentormatch` command line: validate, match, explain, generate.

Data goes to files or stdout; progress, summaries and error reports go to stderr. Exit
codes: 0 success, 2 an input was rejected (the report lists every problem), 3 the hard
rules cannot all hold (the conflicts are listed), 1 anything unexpected (one line, no
traceback; set MENTORMATCH_DEBUG=1 to see it).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from matcher.model import InfeasibleError, InputError, Objective, SolverChoice, Status

EXIT_REJECTED = 2
EXIT_INFEASIBLE = 3
REPORT_LIMIT = 200  # problems listed before "... and N more"


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


class _Command(click.Group):
    """A click group that turns our domain errors into reports and exit codes.

    Commands of other packages in this distribution (the service's ``serve``, ``worker``,
    ``db``, ``keys``) are found through the ``mentormatch.commands`` entry points and
    imported only when used, so the core never imports the service.
    """

    def _plugins(self) -> dict:
        from importlib.metadata import entry_points

        return {e.name: e for e in entry_points(group="mentormatch.commands")}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in (plugins := self._plugins()):
            command = plugins[name].load()
        return command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(error.report(limit=REPORT_LIMIT), err=True)
            ctx.exit(EXIT_REJECTED)
        except InfeasibleError as error:
            click.echo("The hard rules cannot all hold:", err=True)
            for conflict in error.conflicts:
                click.echo(f"  - {conflict}", err=True)
            ctx.exit(EXIT_INFEASIBLE)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as error:
            click.echo(f"error: {error.strerror or error}: {error.filename or ''}", err=True)
            ctx.exit(1)
        except Exception as error:  # the last line of defence: no traceback for users
            if os.environ.get("MENTORMATCH_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} "
                "(set MENTORMATCH_DEBUG=1 for details and please report it)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=_Command)
@click.version_option(package_name="mentormatch")
def main():
    """Exact, explainable mentor-mentee matching."""


# --------------------------------------------------------------------------- inputs

_cohort_args = [
    click.argument("cohort", required=False, type=click.Path(dir_okay=False)),
    click.option("--mentors", type=click.Path(dir_okay=False), help="Mentors CSV (two-file form)."),
    click.option("--mentees", type=click.Path(dir_okay=False), help="Mentees CSV (two-file form)."),
    click.option("--org-chart", type=click.Path(dir_okay=False), help="CSV of id,manager_id."),
    click.option(
        "--ignore-unknown-columns", is_flag=True, help="Skip columns mentormatch does not use."
    ),
    click.option("--policy", type=click.Path(dir_okay=False), help="Policy file (TOML or JSON)."),
    click.option(
        "--program",
        type=click.Choice(["coaching", "mentoring"]),
        help="Preset to start from when no policy file is given (default coaching).",
    ),
]


def cohort_options(command):
    for decorate in reversed(_cohort_args):
        command = decorate(command)
    return command


def load_inputs(cohort, mentors, mentees, org_chart, ignore_unknown_columns, policy, program):
    """Read the policy and the cohort, reporting the problems of both at once."""
    from dataclasses import replace

    from matcher import cohort_csv
    from matcher.policy import load_policy, preset

    if cohort and (mentors or mentees):
        raise click.UsageError("give either one cohort file or --mentors and --mentees")
    if not cohort and not (mentors and mentees):
        raise click.UsageError("give a cohort file, or both --mentors and --mentees")

    problems = []
    loaded_policy = None
    try:
        loaded_policy = load_policy(policy) if policy else preset(program or "coaching")
    except InputError as error:
        problems.extend(error.problems)
    aliases = dict(loaded_policy.aliases) if loaded_policy else None
    loaded = None
    try:
        chart = cohort_csv.read_org_chart(org_chart) if org_chart else ()
        options = dict(aliases=aliases, ignore_unknown=ignore_unknown_columns, org_chart=chart)
        if cohort:
            loaded = cohort_csv.read_cohort(cohort, **options)
        else:
            loaded = cohort_csv.read_cohort_files(mentors, mentees, **options)
    except InputError as error:
        files = {"cohort": cohort, "mentors": mentors, "mentees": mentees, "org_chart": org_chart}
        problems.extend(
            replace(p, source=Path(files[p.source]).name) if files.get(p.source) else p
            for p in error.problems
        )
    if problems:
        raise InputError(problems, title="mentormatch could not use this input")
    return loaded, loaded_policy


# --------------------------------------------------------------------------- commands


@main.command()
@cohort_options
def validate(**inputs):
    """Check a cohort (and policy) and report every problem at once."""
    cohort, _ = load_inputs(**inputs)
    click.echo(
        f"OK: {len(cohort.mentees)} mentees, {len(cohort.mentors)} mentors, "
        f"{sum(m.capacity for m in cohort.mentors)} mentor places, "
        f"{sum(m.capacity for m in cohort.mentees)} wanted places",
        err=True,
    )


@main.command()
@cohort_options
@click.option("--scores", type=click.Path(dir_okay=False), help="CSV mentee_id,mentor_id,score.")
@click.option("--scores-only", is_flag=True, help="Use only --scores; unlisted pairs never match.")
@click.option("--objective", type=click.Choice([o.value for o in Objective]))
@click.option("--solver", type=click.Choice([s.value for s in SolverChoice]))
@click.option("--seed", type=click.IntRange(min=0))
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Assignments CSV (or -).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def match(scores, scores_only, objective, solver, seed, time_limit, output, as_json, **inputs):
    """Match mentees with mentors and write the assignments CSV."""
    if scores_only and not scores:
        raise click.UsageError("--scores-only needs --scores FILE")
    if as_json and (not output or output == "-"):
        raise click.UsageError("--json prints the summary on stdout: give -o FILE for the pairs")
    from dataclasses import replace

    from matcher import cohort_csv
    from matcher.cli_report import print_summary, summary_dict
    from matcher.solve import solve

    console = _stderr()
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
        "solver": SolverChoice(solver) if solver else policy.solver,
        "seed": policy.seed if seed is None else seed,
        "time_limit_seconds": time_limit or policy.time_limit_seconds,
    }
    policy = replace(policy, **overrides)

    with console.status("matching...") as status:
        result = solve(cohort, policy, progress=lambda stage: status.update(f"{stage}..."))
    result = replace(result, timings=(("read", read_seconds), *result.timings))

    if output and output != "-":
        cohort_csv.write_assignments(result, output)
    elif not as_json:
        cohort_csv.write_assignments(result, sys.stdout)
    if as_json:
        import json

        click.echo(json.dumps(summary_dict(result, output), indent=2))
    print_summary(console, result, output)
    if result.status is Status.INFEASIBLE:
        sys.exit(EXIT_INFEASIBLE)


@main.command()
@cohort_options
@click.argument("mentee_id")
@click.option("--scores", type=click.Path(dir_okay=False), help="CSV mentee_id,mentor_id,score.")
def explain(mentee_id, scores, **inputs):
    """Why MENTEE_ID got their mentor (or none), and the alternates."""
    from dataclasses import replace

    from matcher import cohort_csv
    from matcher.explain import explain_mentee
    from matcher.model import Problem
    from matcher.solve import solve

    cohort, policy = load_inputs(**inputs)
    if mentee_id not in set(cohort.mentee_ids):
        raise InputError(
            [Problem("no mentee with this id in the cohort", column="id", value=mentee_id)],
            title="mentormatch cannot explain this mentee",
        )
    if scores:
        cohort = replace(cohort, external_scores=cohort_csv.read_scores(scores, cohort))
    result = solve(cohort, policy)
    click.echo(explain_mentee(cohort, policy, result, mentee_id))


@main.command()
@click.option("--mentees", "n_mentees", type=click.IntRange(min=1), required=True)
@click.option("--mentors", "n_mentors", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-", show_default=True)
def generate(n_mentees, n_mentors, seed, output):
    """Write a realistic synthetic cohort CSV (deterministic under --seed)."""
    from matcher import cohort_csv
    from matcher.generate import generate_cohort

    started = time.perf_counter()
    cohort = generate_cohort(n_mentees, n_mentors, seed)
    cohort_csv.write_cohort(cohort, sys.stdout if output == "-" else Path(output))
    click.echo(
        f"generated {n_mentees} mentees and {n_mentors} mentors (seed {seed}) "
        f"in {time.perf_counter() - started:.2f} s",
        err=True,
    )


# What-if scenarios and rematch live in their own module (it imports the helpers above).
from matcher.cli_scenario import rematch, scenario  # noqa: E402

main.add_command(scenario)
main.add_command(rematch)

if __name__ == "__main__":  # pragma: no cover
    main()
