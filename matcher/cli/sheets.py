"""The sign-up sheet commands: ``map`` (a mapping for a form's columns) and ``intros``.

``map`` reads a CSV or workbook export (Google Forms, Microsoft Forms, any sheet), writes
the suggested mapping as commented TOML, and says whether the sheet reads cleanly with
it. ``intros`` turns a pairs file (CSV or workbook written by ``match``) into a
mail-merge CSV of introductions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from matcher.model import InputError


@click.command("map")
@click.argument("sheet_file", metavar="SHEET", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-", show_default=True)
@click.option("--sheet", help="The workbook sheet to read (default: the first).")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def map_sheet(sheet_file, output, sheet, force):
    """Write a mapping for SHEET's own columns: check it, then pass it with --map."""
    from dataclasses import replace

    from matcher.io.decode import load_bytes
    from matcher.io.mapping import load_mapping
    from matcher.io.mapping_file import mapping_text
    from matcher.io.sheets import read_people
    from matcher.io.suggest import suggest
    from matcher.io.xlsx import is_workbook, read_sheet

    name = Path(sheet_file).name
    if output != "-" and Path(output).exists() and not force:
        raise click.UsageError(f"{output} exists (your edits?): choose another -o or add --force")
    try:
        data = load_bytes(sheet_file, "cohort")
        table = read_sheet(data, "cohort", sheet)
    except InputError as error:
        raise InputError([replace(p, source=name) for p in error.problems], error.title) from None
    if is_workbook(data) and sheet is None:
        from matcher.io.xlsx import sheet_names

        sheet = sheet_names(data)[0]
    suggestions, zones, tool = suggest(table)
    mapping_name = "mapping.toml" if output == "-" else Path(output).name
    text = mapping_text(
        suggestions, zones, name=name, tool=tool, sheet=sheet, mapping_name=mapping_name
    )
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    kinds = [_kind(s.settings) for s in suggestions]
    click.echo(
        f"{len(suggestions)} columns: {kinds.count('field')} feed fields, "
        f"{kinds.count('attribute')} are your own questions, {kinds.count('ignored')} ignored"
        + ("" if output == "-" else f"; written to {output}"),
        err=True,
    )
    try:
        mapping = load_mapping(_parsed(text), mapping_name)
        cohort, _ = read_people(data, mapping=mapping, sheet=sheet)
    except InputError as error:
        click.echo(
            f"with this mapping the sheet has {len(error.problems)} problem(s): edit the mapping, "
            f"then `mentormatch validate {name} --map {mapping_name}` lists what is left",
            err=True,
        )
        return
    click.echo(
        f"the sheet reads with this mapping: {len(cohort.mentors)} mentors, "
        f"{len(cohort.mentees)} mentees; check it, then "
        f"`mentormatch match {name} --map {mapping_name} -o pairs.xlsx`",
        err=True,
    )


def _kind(settings: dict) -> str:
    if settings.get("ignore"):
        return "ignored"
    return "attribute" if "attribute" in settings else "field"


def _parsed(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


@click.command()
@click.argument("pairs", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-", show_default=True)
def intros(pairs, output):
    """Write a mail-merge CSV introducing each pair of PAIRS (a file `match` wrote)."""
    from dataclasses import replace

    from matcher.io.decode import emit, inert, to_csv_text
    from matcher.io.intros import introductions
    from matcher.io.pair_files import read_assignments

    name = Path(pairs).name
    try:
        rows = introductions(read_assignments(pairs), name)
    except InputError as error:
        raise InputError([replace(p, source=name) for p in error.problems], error.title) from None
    emit(
        to_csv_text([[inert(c) for c in row] for row in rows]),
        sys.stdout if output == "-" else output,
    )
    where = "" if output == "-" else f" to {output}"
    click.echo(f"wrote {len(rows) - 1} introductions{where}", err=True)
