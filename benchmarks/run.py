"""The benchmark driver: ``python -m benchmarks.run [--quick|--smoke] [--only NAME,...]``.

Runs the suites (scale, generated, baselines, fairness, stable, rematch, orlib, service), writes
one ``<suite>.json`` per suite into ``--out`` (with the machine, the versions and the
settings), then regenerates the README's tables and the scale plot from every JSON file
found there. Exit code 1 when any measurement failed (a checker violation, a crash or a
baseline that is not equal where it must be); the JSON says which. Every subprocess is
started with this interpreter, so ``/path/to/venv/bin/python -m benchmarks.run`` works
without activating the virtual environment.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, replace
from pathlib import Path

from benchmarks import report
from benchmarks.common import machine, parse_size
from benchmarks.config import QUICK_GENERATED_SIZES, QUICK_SIZES, SMOKE_SIZES, Config
from benchmarks.host_speed import REPEAT, host_speed
from benchmarks.suites import baselines, fairness, generated, orlib, rematch, scale, service, stable

SUITES = {
    "scale": scale.run,
    "generated": generated.run,
    "baselines": baselines.run,
    "fairness": fairness.run,
    "stable": stable.run,
    "rematch": rematch.run,
    "orlib": orlib.run,
    "service": service.run,
}


def make_config(args: argparse.Namespace) -> Config:
    """The :class:`Config` for the parsed command line."""
    config = Config()
    if args.quick:
        config = replace(
            config,
            mode="quick",
            sizes=QUICK_SIZES,
            generated_sizes=QUICK_GENERATED_SIZES,
            side_size=(1_000, 200),
            stable_sizes=((1_000, 200),),
            rematch_sizes=((1_000, 200),),
            cap_s=120.0,
            stable_cap_s=60.0,
            slow_after_s=5.0,
            cpsat_s=5.0,
            side_s=5.0,
        )
    if args.smoke:
        config = replace(
            config,
            mode="smoke",
            sizes=SMOKE_SIZES,
            generated_sizes=SMOKE_SIZES,
            cli_repeat=1,
            side_size=SMOKE_SIZES[0],
            stable_sizes=SMOKE_SIZES,
            rematch_sizes=SMOKE_SIZES,
            repeat=1,
            cap_s=60.0,
            stable_cap_s=60.0,
            cpsat_s=2.0,
            side_s=2.0,
            orlib=("assign100", "assign200"),
        )
    if args.sizes:
        sizes = tuple(parse_size(s) for s in args.sizes.split(","))
        config = replace(config, sizes=sizes)
    if args.generated_sizes:
        sizes = tuple(parse_size(s) for s in args.generated_sizes.split(","))
        config = replace(config, generated_sizes=sizes)
    if args.repeat is not None:
        config = replace(config, repeat=args.repeat)
    if args.seed is not None:
        config = replace(config, seed=args.seed)
    if args.program:
        config = replace(config, program=args.program)
    if args.threads is not None:
        config = replace(config, threads=args.threads)
    if args.out:
        # Results elsewhere never touch benchmarks/README.md: the README goes with them.
        config = replace(config, out=args.out, readme=args.out / "README.md")
    return config


def failures(name: str, data: dict) -> list[str]:
    """Every failed or unequal measurement in one suite's results, in words."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if "error" in node and not node.get("timed_out"):
                found.append(f"{name} {where}: {node['error']}")
            # A heuristic, or CP-SAT stopped by its time limit (FEASIBLE, not proven), may
            # stay below our certified optimum; no method may pass it.
            short = node.get("method") == "greedy" or node.get("status") == "FEASIBLE"
            above = (node.get("total_vs_ours") or 0) > 1
            if node.get("equal_to_ours") is False and (above or not short):
                found.append(f"{name} {where}: objective differs from ours")
            if node.get("ours_equals_optimum") is False:
                found.append(f"{name} {where}: not the published optimum")
            if node.get("same_as_ours") is False or node.get("blocking_pairs", 0) > 0:
                found.append(f"{name} {where}: stable matchings disagree or block")
            if node.get("places_below_fresh") is True:
                found.append(f"{name} {where}: rematch matched fewer places than a fresh solve")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for k, value in enumerate(node):
                walk(value, f"{where}[{k}]")

    walk(data, "")
    return found


def main(argv=None) -> int:
    """Parse the command line, run the suites, write JSON and the README."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (1k x 200, 5k x 1k)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for the test suite")
    parser.add_argument("--only", default="", help=f"comma list of: {', '.join(SUITES)}")
    parser.add_argument("--sizes", default="", help="scale/baseline sizes, e.g. 1000x200,5000x1000")
    parser.add_argument(
        "--generated-sizes", default="", help="generated suite sizes, e.g. 10000x2000"
    )
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--program", choices=["coaching", "mentoring"], default=None)
    parser.add_argument("--threads", type=int, default=None, help="MENTORMATCH_THREADS (>= 1)")
    parser.add_argument("--out", type=Path, default=None, help="results folder")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; expected some of {', '.join(SUITES)}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    config = make_config(args)
    if config.threads is not None:
        os.environ["MENTORMATCH_THREADS"] = str(config.threads)  # the workers inherit it
    config.out.mkdir(parents=True, exist_ok=True)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()}
    problems = []
    for name in names:
        print(f"{name} ...", flush=True)
        repeat = 1 if config.mode == "smoke" else REPEAT  # smoke: the test suite's time
        host = machine(repeat)  # read before the suite, as the machine is when it starts
        started = time.perf_counter()
        data = SUITES[name](config)
        host["host_speed_after"] = host_speed(repeat)  # the speed drifts within a run too
        wrapped = {
            "suite": name,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "seconds": round(time.perf_counter() - started, 1),
            "machine": host,
            "settings": settings,
            "results": data,
        }
        (config.out / f"{name}.json").write_text(json.dumps(wrapped, indent=1) + "\n")
        problems += failures(name, data)
    if config.readme is not None:
        report.write(config.out, config.readme)
    for line in problems:
        print(f"FAILED: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
