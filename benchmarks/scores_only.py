"""Bring-your-own scores end to end: ``mentormatch match --scores-only`` against csv + scipy.

Writes a cohort sheet (``--mentees`` x ``--mentors``, every mentor taking ``--capacity``,
every mentee wanting one) and a scores file listing ``--per-mentee`` random mentors per
mentee with random scores (seed ``--seed``; 5,000 x 1,000 x 100 is issue 14's 500,000
pairs). Then, taking turns ``--rounds`` times so both see the same machine load, runs as
separate processes, each from its own interpreter start to its written pairs file:

* ours: ``mentormatch match cohort.csv --scores scores.csv --scores-only -o ours.csv``;
* scipy: the script a user would write (:data:`SCIPY_SCRIPT`): ``csv`` to read both files,
  numpy to index, mentor columns replicated ``capacity`` times plus one private
  "unmatched" column per mentee, ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``,
  ``csv`` to write the pairs.

With ``--before CHECKOUT`` (e.g. ``git archive <commit> | tar -x -C /tmp/before``) the
same command also runs from that checkout's code, in the same turns.

Both must match the same number of mentees with the same total score (to 1e-6), and our
pairs file must pass the independent checker (:func:`matcher.checker.check`). Prints the
medians and their ratio and writes them, as JSON, to ``--out``.

    python benchmarks/scores_only.py                       # 5,000 x 1,000, 500,000 pairs
    python benchmarks/scores_only.py --mentees 1000 --mentors 200 --per-mentee 50
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).with_name("results") / "scores_only.json"

SCIPY_SCRIPT = r"""
import csv, sys
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

cohort, scores, out = sys.argv[1:4]
mentees, mentors, capacity = {}, {}, []
with open(cohort, newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        if row["role"] == "mentor":
            mentors[row["id"]] = len(mentors)
            capacity.append(int(row["capacity"]))
        else:
            mentees[row["id"]] = len(mentees)
with open(scores, newline="", encoding="utf-8-sig") as f:
    reader = csv.reader(f)
    next(reader)
    e_ids, m_ids, values = zip(*reader)
rows = np.fromiter(map(mentees.__getitem__, e_ids), np.int64, len(e_ids))
cols = np.fromiter(map(mentors.__getitem__, m_ids), np.int64, len(m_ids))
score = np.array(values, dtype=np.float64)
capacity = np.array(capacity, np.int64)
# Mentor j becomes capacity[j] slot columns; each mentee also gets a private "unmatched"
# column, dearer than any real pair, so a full matching always exists.
first_slot = np.concatenate([[0], np.cumsum(capacity)[:-1]])
per_pair = capacity[cols]
edge_row = np.repeat(rows, per_pair)
offset = np.arange(per_pair.sum()) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
edge_col = np.repeat(first_slot[cols], per_pair) + offset
hi, lo = score.max(), score.min()
edge_w = np.repeat(1.0 + hi - score, per_pair)
n, slots = len(mentees), int(capacity.sum())
unmatched = 1.0 + (hi - lo) * (n + 1)
graph = csr_matrix(
    (np.concatenate([edge_w, np.full(n, unmatched)]),
     (np.concatenate([edge_row, np.arange(n)]), np.concatenate([edge_col, slots + np.arange(n)]))),
    shape=(n, slots + n),
)
r, c = min_weight_full_bipartite_matching(graph)
slot_mentor = np.repeat(np.arange(len(mentors)), capacity)
score_of = dict(zip(zip(rows.tolist(), cols.tolist()), score.tolist()))
mentee_ids, mentor_ids = list(mentees), list(mentors)
with open(out, "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f)
    writer.writerow(["mentee_id", "mentor_id", "score"])
    for i, slot in zip(r.tolist(), c.tolist()):
        if slot < slots:
            j = int(slot_mentor[slot])
            writer.writerow([mentee_ids[i], mentor_ids[j], repr(score_of[(i, j)])])
"""


def write_inputs(folder: Path, n_e: int, n_m: int, capacity: int, per_mentee: int, seed: int):
    """The cohort sheet and the scores file; returns their paths."""
    rng = np.random.default_rng(seed)
    cohort = folder / "cohort.csv"
    with cohort.open("w", encoding="utf-8") as f:
        f.write("id,role,capacity\n")
        f.writelines(f"M{j:05d},mentor,{capacity}\n" for j in range(n_m))
        f.writelines(f"E{i:06d},mentee,1\n" for i in range(n_e))
    mentors = np.argsort(rng.random((n_e, n_m)), axis=1)[:, :per_mentee]
    values = rng.random((n_e, per_mentee))
    scores = folder / "scores.csv"
    with scores.open("w", encoding="utf-8") as f:
        f.write("mentee_id,mentor_id,score\n")
        for i in range(n_e):
            f.writelines(
                f"E{i:06d},M{j:05d},{v:.6f}\n"
                for j, v in zip(mentors[i].tolist(), values[i].tolist(), strict=True)
            )
    return cohort, scores


def read_pairs(path: Path) -> dict[str, tuple[str, float]]:
    """mentee id -> (mentor id, score) of a pairs file (ours has unmatched rows too)."""
    import csv

    pairs = {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["mentor_id"]:
                pairs[row["mentee_id"]] = (row["mentor_id"], float(row["score"]))
    return pairs


def run_once(command: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall seconds of one process, from its start to its exit (which must be 0)."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def checked_total(cohort_path: Path, scores_path: Path, pairs: dict) -> list[str]:
    """The checker's verdict on our pairs file, as a result rebuilt from it."""
    from matcher.checker import check
    from matcher.io.cohort_csv import read_cohort, read_scores
    from matcher.io.policy import preset
    from matcher.solve import solve

    cohort = read_cohort(cohort_path)
    cohort = replace(cohort, external_scores=read_scores(scores_path, cohort))
    policy = replace(preset("coaching"), scores_only=True)
    result = solve(cohort, policy)  # the same solve the command ran, for the checker
    got = {p.mentee_id: p.mentor_id for p in result.pairs}
    if got != {e: m for e, (m, _) in pairs.items()}:
        return ["the in-process solve differs from the command's pairs file"]
    return check(cohort, policy, result)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--per-mentee", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--before", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cohort, scores = write_inputs(
            folder, args.mentees, args.mentors, args.capacity, args.per_mentee, args.seed
        )
        script = folder / "user_scipy.py"
        script.write_text(SCIPY_SCRIPT, encoding="utf-8")
        commands = {
            "ours": [sys.executable, "-m", "matcher.cli", "match", str(cohort), "--scores",
                     str(scores), "--scores-only", "-o", str(folder / "ours.csv")],
            "scipy": [sys.executable, str(script), str(cohort), str(scores),
                      str(folder / "scipy.csv")],
        }  # fmt: skip
        envs = {}
        if args.before:
            commands["before"] = [*commands["ours"][:-1], str(folder / "before.csv")]
            envs["before"] = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
        seconds = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                seconds[name].append(run_once(command, folder, envs.get(name)))
        ours, theirs = read_pairs(folder / "ours.csv"), read_pairs(folder / "scipy.csv")
        ours_total = sum(s for _, s in ours.values())
        scipy_total = sum(s for _, s in theirs.values())
        if len(ours) != len(theirs) or abs(ours_total - scipy_total) > 1e-6 * len(ours) + 1e-6:
            raise AssertionError(
                f"different optima: ours {len(ours)} pairs, total {ours_total:.6f}; "
                f"scipy {len(theirs)} pairs, total {scipy_total:.6f}"
            )
        problems = checked_total(cohort, scores, ours)
        if problems:
            raise AssertionError(f"checker: {problems[:5]}")
    medians = {name: statistics.median(s) for name, s in seconds.items()}
    answer = {
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": "python benchmarks/scores_only.py " + " ".join(argv or sys.argv[1:]),
        "size": [args.mentees, args.mentors],
        "capacity": args.capacity,
        "listed_pairs": args.mentees * args.per_mentee,
        "matched": len(ours),
        "total_ours": round(ours_total, 6),
        "total_scipy": round(scipy_total, 6),
        "checker": "passed",
        "seconds": {name: [round(s, 3) for s in v] for name, v in seconds.items()},
        "median_s": {name: round(m, 3) for name, m in medians.items()},
        "ours_over_scipy": round(medians["ours"] / medians["scipy"], 3),
    }
    if args.before:
        answer["before_over_scipy"] = round(medians["before"] / medians["scipy"], 3)
        print(
            f"before ({args.before}): {medians['before']:.3f} s, before / scipy "
            f"{answer['before_over_scipy']}"
        )
    print(
        f"{args.mentees} x {args.mentors}, {answer['listed_pairs']} listed pairs, "
        f"{args.rounds} rounds taking turns: ours {medians['ours']:.3f} s, "
        f"scipy {medians['scipy']:.3f} s (median), ours / scipy {answer['ours_over_scipy']}; "
        f"same total {ours_total:.4f}, checker passed"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")
    return answer


if __name__ == "__main__":
    main()
