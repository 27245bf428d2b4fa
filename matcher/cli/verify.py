"""The `mentormatch verify` command: a receipt, a sheet and a pairs file, re-checked.

Compares the receipt's digests and figures with the sheet, the policy (with the earlier
pairs of ``--history-from`` files, as ``match`` reads them) and the pairs file,
and re-derives every hard rule, place, capacity, minimum load, department cap, pinned
pair and score of the file's pairs without the solver
(:func:`matcher.answers.verify.verify`). Exit codes: 0 verified, 2 an input could not be
read, 4 the receipt does not verify (every finding listed).
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import click

from matcher.cli.common import cohort_options, history_options, load_inputs, with_history_files

EXIT_NOT_VERIFIED = 4


@click.command()
@click.argument("receipt", type=click.Path(dir_okay=False, exists=True))
@cohort_options
@click.argument("pairs_file", metavar="PAIRS", type=click.Path(dir_okay=False, exists=True))
@history_options
def verify(receipt, pairs_file, history_from, history, **inputs):
    """Re-check PAIRS against RECEIPT and the sheet, without trusting the solver.

    A receipt of ``match --history-from`` verifies with the same ``--history-from`` files,
    in the same order (and the same ``--history``): their pairs are part of the policy.
    """
    from matcher.answers.receipt import read_receipt
    from matcher.answers.verify import (
        certificate_findings,
        mismatches,
        pair_findings,
        prepared_for,
    )
    from matcher.io import cohort_csv
    from matcher.model import InputError

    claimed = read_receipt(receipt)
    cohort, policy = load_inputs(**inputs)
    policy = with_history_files(policy, history_from, history)
    try:
        records = cohort_csv.read_assignments(pairs_file)
    except InputError as error:
        name = Path(pairs_file).name
        raise InputError([replace(p, source=name) for p in error.problems], error.title) from None
    rows = [r for r in records if r.get("mentor_id")]
    pairs = [(r["mentee_id"], r["mentor_id"]) for r in rows]
    scores = [math.nan if r.get("score") is None else r["score"] for r in rows]
    findings = mismatches(claimed, cohort, policy, pairs, scores)
    if history_from or history:
        findings = [_history_hint(f) for f in findings]
    prepared = prepared_for(cohort, policy)
    findings += pair_findings(cohort, policy, pairs, scores, prepared)
    proof, derived_by = certificate_findings(claimed, cohort, policy, pairs, prepared)
    findings += proof
    if findings:
        click.echo(f"NOT VERIFIED: {len(findings)} finding(s)", err=True)
        for finding in findings:
            click.echo(f"  - {finding}", err=True)
        sys.exit(EXIT_NOT_VERIFIED)
    bound = "-" if claimed.bound is None else f"{claimed.bound:.6f}"
    click.echo(
        f"verified: {claimed.places} pairs, total score {claimed.objective:.6f} (bound {bound}, "
        f"{claimed.status}, certified {'yes' if claimed.certified else 'no'}); the sheet, the "
        "policy and the pairs match the receipt, and every pair keeps the rules, places, "
        "capacities and scores re-derived from the sheet",
        err=True,
    )
    if claimed.certificate is not None:
        click.echo(
            "certificate checked: every eligible pair's reduced cost is non-negative and the "
            f"pairs' are not positive (eligibility and scores re-derived by {derived_by}), so "
            "the pairs match the most places and then the highest total score",
            err=True,
        )
    else:
        click.echo(f"no certificate to check ({claimed.certificate_note or 'format 1'})", err=True)


def _history_hint(finding: str) -> str:
    """A policy-digest finding that says the history files are part of the policy."""
    if "policy digest" not in finding:
        return finding
    return (
        f"{finding}; the earlier pairs of --history-from (and --history) are part of the "
        "policy: give the files match got, in the same order"
    )
