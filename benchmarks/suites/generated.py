"""Generated: cohorts exactly as ``mentormatch generate`` writes them, matched by the CLI.

What a user runs, per size: ``python -m matcher.cli generate --mentees N --mentors M
--seed S -o cohort.csv``, then ``python -m matcher.cli match cohort.csv -o pairs.csv
--json`` with the default policy (no flags) on the sheet as generated: minimum loads,
capacities 1-6, people left unmatched. Beside it, in the same run and taking turns so
both see the same machine load, the same sheet with every ``min_capacity`` set to 0 (the
only change). Each ``match`` is one process: its wall clock from start to exit
(interpreter start, imports, reading, solving and writing), its own peak RSS and CPU time
(:func:`benchmarks.timing.run_process`) and its JSON summary (solver, status,
certified, objective, bound, places, stage timings including ``read``). The last pairs
file and summary of each variant go through the independent checker in a worker process
(:mod:`benchmarks.cli_output`; its answer is under ``check``, a failure fails the run).

The coaching sample: ``python -m matcher.cli match data/coaching-sample.csv --policy
data/coaching.toml -o pairs.csv``, ``cli_repeat`` times, taking turns with ``python -c
pass`` (the interpreter's own start) and ``python -m matcher.cli --help`` (the CLI's
start); then one run with ``--json`` whose output is checked.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import tempfile
from functools import partial
from pathlib import Path

from benchmarks.common import CLI, ROOT, in_worker
from benchmarks.timing import ProcessRun, run_process, side_by_side, timed

SAMPLE = ("data/coaching-sample.csv", "data/coaching.toml")
VARIANTS = ("as_generated", "no_min_loads")


def _run(command: list[str], stem: Path, timeout: float) -> ProcessRun:
    """``command`` from the checkout, stdout to ``stem.out``, stderr to ``stem.err``."""
    with stem.with_suffix(".out").open("wb") as out, stem.with_suffix(".err").open("wb") as err:
        return run_process(command, cwd=ROOT, stdout=out, stderr=err, timeout=timeout)


def _failure(run: ProcessRun, stem: Path, timeout: float) -> dict | None:
    """None when ``run`` exited 0, else the error record :func:`benchmarks.run.failures` finds."""
    if run.returncode == 0:
        return None
    if run.timed_out:
        return {"error": f"stopped after the {timeout:g} s cap", "timed_out": True}
    tail = stem.with_suffix(".err").read_text(errors="replace").strip().splitlines()[-3:]
    return {"error": f"exit code {run.returncode}: {' | '.join(tail)}", "timed_out": False}


def strip_min_loads(source: Path, target: Path) -> int:
    """Copy a cohort sheet with every ``min_capacity`` cell set to 0; return how many were not.

    Parameters
    ----------
    source : a sheet as ``generate`` writes it (UTF-8 with BOM, comma, ``\\r\\n``).
    target : where the copy goes, in the same form.

    Returns
    -------
    int
        Rows whose ``min_capacity`` was above 0 (mentors with a minimum load).
    """
    changed = 0
    with (
        source.open(encoding="utf-8-sig", newline="") as inp,
        target.open("w", encoding="utf-8-sig", newline="") as out,
    ):
        rows, writer = csv.reader(inp), csv.writer(out, lineterminator="\r\n")
        header = next(rows)
        at = header.index("min_capacity")
        writer.writerow(header)
        for row in rows:
            if row[at].strip() not in ("", "0"):
                changed += 1
                row[at] = "0"
            writer.writerow(row)
    return changed


def _wall(timing) -> dict:
    """Median and fastest wall time and the runs (this process's CPU time says nothing)."""
    return {k: v for k, v in timing.summary().items() if k != "cpu_median_s"}


def _usage(runs: list[ProcessRun]) -> dict:
    """The largest peak RSS and the median CPU time of the runs (None when not read)."""
    if any(r.peak_rss_mib is None for r in runs):
        return {"peak_rss_mib": None, "cpu_median_s": None}
    return {
        "peak_rss_mib": max(r.peak_rss_mib for r in runs),
        "cpu_median_s": round(statistics.median(r.cpu_s for r in runs), 3),
    }


def _variant(timing, runs: list[ProcessRun], stems: list[Path], timeout: float) -> dict:
    """One variant's figures: times, memory, the last summary, median stage timings."""
    for run, stem in zip(runs, stems, strict=True):
        failed = _failure(run, stem, timeout)
        if failed:
            return failed
    summaries = [json.loads(stem.with_suffix(".out").read_text()) for stem in stems]
    last = summaries[-1]
    stages = {
        stage: round(statistics.median(s["timings"].get(stage, 0.0) for s in summaries), 4)
        for stage in last["timings"]
    }
    return {
        "wall": _wall(timing),
        **_usage(runs),
        "stages": stages,
        "outside_stages_s": round(timing.median_s - sum(stages.values()), 4),
        **{k: last[k] for k in ("solver", "status", "certified", "objective", "bound", "gap")},
        "matched_places": last["metrics"]["matched_places"],
        "wanted_places": last["metrics"]["wanted_places"],
        "unmatched_mentees": last["unmatched_mentees"],
        "notes": last["notes"],
    }


def _checked(config, sheet: Path, stem: Path, policy: str | None, label: str) -> dict:
    """The checker's verdict on ``stem.csv`` (pairs) and ``stem.out`` (summary), in a worker."""
    kwargs = {
        "cohort": str(sheet),
        "pairs": str(stem.with_suffix(".csv")),
        "summary": str(stem.with_suffix(".out")),
        "policy": policy,
        "program": "coaching",
    }
    return in_worker(
        "match_output", kwargs, config.cap_s, label, lambda a: f"checker {a['checker']}"
    )


def measure_size(config, size: tuple[int, int], folder: Path) -> dict:
    """Generate one size with the CLI, then match it as generated and without minimum loads."""
    n_e, n_m = size
    sheet, timeout = folder / f"cohort-{n_e}x{n_m}.csv", config.cap_s
    generate = [*CLI, "generate", "--mentees", str(n_e), "--mentors", str(n_m)]
    generate += ["--seed", str(config.seed), "-o", str(sheet)]
    gen_time, gen = timed(lambda: _run(generate, folder / "generate", timeout))
    failed = _failure(gen, folder / "generate", timeout)
    if failed:
        return failed
    sheets = {"as_generated": sheet, "no_min_loads": folder / f"cohort-{n_e}x{n_m}-plain.csv"}
    min_loads = strip_min_loads(sheet, sheets["no_min_loads"])
    runs: dict[str, list] = {name: [] for name in VARIANTS}
    stems: dict[str, list] = {name: [] for name in VARIANTS}

    def command(name: str, stem: Path) -> list[str]:
        return [*CLI, "match", str(sheets[name]), "-o", str(stem.with_suffix(".csv")), "--json"]

    def match(name: str) -> ProcessRun:
        stem = folder / f"{name}-{n_e}x{n_m}-{len(runs[name])}"
        run = _run(command(name, stem), stem, timeout)
        runs[name].append(run)
        stems[name].append(stem)
        return run

    # A user's first run after installing writes what later runs read (bytecode, numba's
    # machine code for the largest sizes): timed apart, left out of the medians. It also
    # writes the receipt that `verify` checks below.
    first = folder / "first-run"
    receipt = ["--receipt", str(first.with_suffix(".receipt.json"))]
    first_time, _ = timed(lambda: _run([*command(VARIANTS[0], first), *receipt], first, timeout))
    turns = side_by_side({name: partial(match, name) for name in VARIANTS}, config.repeat)
    row = {
        "size": [n_e, n_m],
        "seed": config.seed,
        "generate": {"wall_s": round(gen_time.median_s, 3), "peak_rss_mib": gen.peak_rss_mib},
        "first_run_s": round(first_time.median_s, 3),
        "csv_bytes": sheet.stat().st_size,
        "mentors_with_min_load": min_loads,
    }
    for name in VARIANTS:
        row[name] = _variant(turns[name][0], runs[name], stems[name], timeout)
        print(f"  generated {n_e}x{n_m} {name}: {_line(row[name])}", flush=True)
        if "error" not in row[name]:
            label = f"check {n_e}x{n_m} {name}"
            row[name]["check"] = _checked(config, sheets[name], stems[name][-1], None, label)
    if "error" not in row["as_generated"] and "error" not in row["no_min_loads"]:
        medians = [row[name]["wall"]["median_s"] for name in VARIANTS]
        row["ratio_to_no_min_loads"] = round(medians[0] / medians[1], 3)
    row["verify"] = measure_verify(config, sheet, first, timeout)
    print(f"  verify {n_e}x{n_m}: {row['verify'].get('error') or row['verify']['wall']}")
    return row


def measure_verify(config, sheet: Path, first: Path, timeout: float) -> dict:
    """``mentormatch verify RECEIPT SHEET PAIRS`` on the first run's receipt and pairs:
    wall, peak RSS and CPU time of ``config.repeat`` runs; an error unless it verified."""
    command = [*CLI, "verify", str(first.with_suffix(".receipt.json")), str(sheet)]
    command.append(str(first.with_suffix(".csv")))
    runs: list[ProcessRun] = []
    stem = first.with_name("verify")

    def once() -> ProcessRun:
        runs.append(_run(command, stem, timeout))
        return runs[-1]

    timing, _ = timed(once, config.repeat, config.slow_after_s)
    failed = [f for r in runs if (f := _failure(r, stem, timeout))]
    if failed:
        return failed[-1]
    return {"wall": _wall(timing), **_usage(runs)}


def measure_sample(config, folder: Path) -> dict:
    """The coaching sample through ``match``, next to the interpreter's and the CLI's start
    (after one untimed run of each, as a user's later runs)."""
    timeout, pairs = config.cap_s, folder / "sample.csv"
    commands = {
        "python_start": [sys.executable, "-c", "pass"],
        "cli_help": [*CLI, "--help"],
        "match": [*CLI, "match", SAMPLE[0], "--policy", SAMPLE[1], "-o", str(pairs)],
    }
    last: dict[str, list] = {name: [] for name in commands}

    def once(name: str) -> ProcessRun:
        run = _run(commands[name], folder / name, timeout)
        last[name].append(run)
        return run

    for name in commands:
        _run(commands[name], folder / f"first-{name}", timeout)
    turns = side_by_side({name: partial(once, name) for name in commands}, config.cli_repeat)
    out: dict = {
        "command": f"python -m matcher.cli match {SAMPLE[0]} --policy {SAMPLE[1]} -o pairs.csv"
    }
    for name in commands:
        failed = [f for r in last[name] if (f := _failure(r, folder / name, timeout))]
        out[name] = (
            failed[-1]
            if failed
            else {
                "wall": _wall(turns[name][0]),
                "peak_rss_mib": max(r.peak_rss_mib for r in last[name]),
                "cpu_median_s": round(statistics.median(r.cpu_s for r in last[name]), 3),
            }
        )
    stem = folder / "sample-json"
    command = [*commands["match"][:-1], str(stem.with_suffix(".csv")), "--json"]
    run = _run(command, stem, timeout)
    failed = _failure(run, stem, timeout)
    if failed:
        return out | {"checked_run": failed}
    summary = json.loads(stem.with_suffix(".out").read_text())
    checked = {k: summary[k] for k in ("solver", "status", "certified", "objective")}
    checked["stages"] = summary["timings"]
    sheet = ROOT / SAMPLE[0]
    checked["check"] = _checked(config, sheet, stem, str(ROOT / SAMPLE[1]), "check coaching sample")
    print(f"  coaching sample: match {_median(out['match'])} s (median of {config.cli_repeat})")
    return out | {"checked_run": checked}


def run(config) -> dict:
    """Every generated size, then the coaching sample, in one temporary folder each."""
    rows = []
    for size in config.generated_sizes:
        with tempfile.TemporaryDirectory(prefix="bench-generated-") as folder:
            rows.append({"size": list(size)} | measure_size(config, size, Path(folder)))
    with tempfile.TemporaryDirectory(prefix="bench-sample-") as folder:
        sample = measure_sample(config, Path(folder))
    return {
        "program": "coaching",
        "seed": config.seed,
        "threads": config.threads,
        "note": "`python -m matcher.cli generate --mentees N --mentors M --seed S -o cohort.csv`, "
        "then `python -m matcher.cli match cohort.csv -o pairs.csv --json` (default policy, "
        "no flags), one process per run: wall clock start to exit, that process's peak RSS. "
        "'no min loads' is the same sheet with every min_capacity set to 0, matched taking "
        "turns with it. Stages come from the JSON summary (read = reading + validating the "
        "sheet); 'outside stages' is the rest of the wall clock (interpreter start, imports, "
        "writing the pairs). Commands run without PYTHONDONTWRITEBYTECODE, after one untimed "
        "first run per size (first_run_s: bytecode and numba's cache written; it also writes "
        "a receipt with --receipt). The last pairs file of each goes through "
        "matcher.checker. verify: `python -m matcher.cli verify receipt.json cohort.csv "
        "pairs.csv` on the first run's receipt and pairs.",
        "rows": rows,
        "sample": sample,
    }


def _median(part: dict):
    return part["wall"]["median_s"] if "wall" in part else part.get("error")


def _line(part: dict) -> str:
    if "error" in part:
        return f"FAILED: {part['error']}"
    return (
        f"wall {part['wall']['median_s']} s, peak {part['peak_rss_mib']} MiB, {part['solver']} "
        f"{part['status']}, certified {part['certified']}"
    )
