"""What every command shares: the error-reporting group, cohort options and input loading,
and the pairing-history options of ``match`` and ``verify``.

Exit codes: 0 success, 2 an input was rejected (the report lists every problem), 3 the hard
rules cannot all hold (the conflicts are listed), 1 anything unexpected (one line, no
traceback; set MENTORMATCH_DEBUG=1 to see it).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import click

from matcher.io.fields import no_gc
from matcher.model import History, InfeasibleError, InputError

EXIT_REJECTED = 2
EXIT_INFEASIBLE = 3
REPORT_LIMIT = 200  # problems listed before "... and N more"


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


class Group(click.Group):
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


# --------------------------------------------------------------------------- inputs

_cohort_args = [
    click.argument("cohort", required=False, type=click.Path(dir_okay=False)),
    click.option("--mentors", type=click.Path(dir_okay=False), help="Mentors CSV (two-file form)."),
    click.option("--mentees", type=click.Path(dir_okay=False), help="Mentees CSV (two-file form)."),
    click.option("--org-chart", type=click.Path(dir_okay=False), help="CSV of id,manager_id."),
    click.option(
        "--map",
        "mapping",
        type=click.Path(dir_okay=False),
        help="How to read a form's own columns (from `mentormatch map`).",
    ),
    click.option("--sheet", help="The workbook sheet to read (default: the first)."),
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


def without_cycle_collector(command):
    """Run a one-shot command with Python's cycle collector off, on again after.

    The cohort read into Python objects (60,000 people at 50,000 x 10,000) lives until the
    command ends, yet every full collection walks all of it again while the pairs and
    their texts are built. A one-shot command frees nothing by collecting: its objects
    die with the process (or, in tests, once the collector is back on).
    """

    @functools.wraps(command)
    def run(*args, **kwargs):
        with no_gc():
            return command(*args, **kwargs)

    return run


def cohort_options(command):
    for decorate in reversed(_cohort_args):
        command = decorate(command)
    return command


def load_inputs(**inputs):
    """Read the policy and the cohort (options of :func:`cohort_options`), all problems at once."""
    cohort, policy, _ = read_inputs(**inputs)
    return cohort, policy


def read_inputs(
    cohort,
    mentors,
    mentees,
    org_chart,
    ignore_unknown_columns,
    policy,
    program,
    mapping=None,
    sheet=None,
):
    """The cohort, the policy and how each sheet was read; every problem of all at once.

    Raises
    ------
    click.UsageError
        For a missing or doubled cohort, or --ignore-unknown-columns with --map.
    InputError
        With the problems of the policy, the mapping, the org chart and the sheets,
        each naming its file.
    """
    from dataclasses import replace

    from matcher.io import cohort_csv
    from matcher.io.mapping import load_mapping
    from matcher.io.policy import load_policy, preset
    from matcher.io.sheets import read_people

    if cohort and (mentors or mentees):
        raise click.UsageError("give either one cohort file or --mentors and --mentees")
    if not cohort and not (mentors and mentees):
        raise click.UsageError("give a cohort file, or both --mentors and --mentees")
    if mapping and ignore_unknown_columns:
        raise click.UsageError("--map says what every column is: drop --ignore-unknown-columns")

    problems = []
    loaded_policy = loaded_mapping = None
    try:
        loaded_policy = load_policy(policy) if policy else preset(program or "coaching")
    except InputError as error:
        problems.extend(error.problems)
    try:
        loaded_mapping = load_mapping(mapping) if mapping else None
    except InputError as error:
        problems.extend(error.problems)
    if mapping and loaded_mapping is None:
        raise InputError(problems, title="mentormatch could not use this input")
    aliases = dict(loaded_policy.aliases) if loaded_policy else None
    loaded = readings = None
    try:
        chart = cohort_csv.read_org_chart(org_chart) if org_chart else ()
        loaded, readings = read_people(
            cohort,
            mentors=mentors,
            mentees=mentees,
            mapping=loaded_mapping,
            sheet=sheet,
            aliases=aliases,
            ignore_unknown=ignore_unknown_columns,
            org_chart=chart,
        )
    except InputError as error:
        files = {"cohort": cohort, "mentors": mentors, "mentees": mentees, "org_chart": org_chart}
        problems.extend(
            replace(p, source=Path(files[p.source]).name) if files.get(p.source) else p
            for p in error.problems
        )
    if problems:
        raise InputError(problems, title="mentormatch could not use this input")
    if loaded_mapping is not None:
        from matcher.io.attribute_rules import with_mapping_rules

        loaded_policy = with_mapping_rules(loaded_policy, loaded_mapping)
    return loaded, loaded_policy, readings


def history_options(command):
    """``--history-from PAIRS.csv`` (repeatable) and ``--history avoid|prefer|ignore``."""
    command = click.option(
        "--history",
        type=click.Choice([h.value for h in History]),
        help="What earlier pairs do: avoid (never repeat), prefer (score bonus), ignore. "
        "Default: the policy's [history] mode.",
    )(command)
    return click.option(
        "--history-from",
        "history_from",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="An earlier cycle's pairs file (as match -o writes it); repeatable, in order.",
    )(command)


def with_history_files(policy, paths, mode: str | None):
    """``policy`` with the earlier pairs of the pairs files ``paths`` added after its own
    (in order, without repeats) and ``mode`` as its history mode when given.

    Raises
    ------
    InputError
        A file that is not a pairs file (its problems carry the file name).
    """
    from dataclasses import replace

    if mode:
        policy = replace(policy, history=History(mode))
    if not paths:
        return policy
    from matcher.io import cohort_csv
    from matcher.whatif.rematch import previous_pairs  # 20 ms of imports: only when used

    pairs = dict.fromkeys(policy.previous_pairs)
    for path in paths:
        try:
            records = cohort_csv.read_assignments(path)
        except InputError as error:
            named = [replace(p, source=Path(path).name) for p in error.problems]
            raise InputError(named, error.title) from None
        pairs.update(dict.fromkeys(previous_pairs(records)))
    return replace(policy, previous_pairs=tuple(pairs))
