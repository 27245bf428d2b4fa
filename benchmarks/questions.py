"""What the programme's own questions cost: a generated cohort solved plain and with rules.

``python -m benchmarks.questions [--size 10000x2000] [--repeat 3]`` adds three questions
to a cohort as ``mentormatch generate`` writes it (minimum loads removed so both runs take
the plain flow): hobbies (multi-choice, ``overlap``), meeting format (choice, ``same``)
and a free-text "what I want from this" answered by mentees and "what I can help with"
by mentors (``similar``). It times ``solve()`` without and with the three rules in
alternation, checks both results with the independent checker and prints the medians and
their ratio (the issue's bar: at most 1.5x at 10,000 x 2,000).
"""

from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np

from benchmarks.common import parse_size
from benchmarks.timing import side_by_side
from matcher import check, generate_cohort, preset, solve
from matcher.model import AttributeMatch, AttributeRule

HOBBIES = ("Hiking", "Chess", "Cooking", "Reading", "Cycling", "Yoga", "Golf", "Music", "Film")
FORMATS = ("Video call", "In person", "Either")
WORDS = (
    "leadership leading teams public speaking negotiation career growth promotion data "
    "python cloud kubernetes product strategy design feedback confidence networking "
    "management delivery architecture writing hiring coaching stakeholders roadmap"
).split()


def with_questions(cohort, seed: int):
    """``cohort`` with three answered questions per person (deterministic under ``seed``)."""
    rng = np.random.default_rng(seed)

    def answers(kind: str) -> tuple:
        hobbies = tuple(rng.choice(HOBBIES, rng.integers(1, 4), replace=False).tolist())
        text = " ".join(rng.choice(WORDS, rng.integers(4, 12)).tolist())
        return (
            ("hobbies", hobbies),
            ("format", str(rng.choice(FORMATS))),
            ("wants" if kind == "mentee" else "offers", text),
        )

    mentees = tuple(dataclasses.replace(p, attributes=answers("mentee")) for p in cohort.mentees)
    mentors = tuple(
        dataclasses.replace(p, min_capacity=0, attributes=answers("mentor")) for p in cohort.mentors
    )
    return dataclasses.replace(cohort, mentees=mentees, mentors=mentors)


RULES = (
    AttributeRule("hobbies", AttributeMatch.OVERLAP, 0.2),
    AttributeRule("format", AttributeMatch.SAME, 0.1),
    AttributeRule("wants", AttributeMatch.SIMILAR, 0.3, mentor_attribute="offers"),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10000x2000", type=parse_size)
    parser.add_argument("--repeat", default=3, type=int)
    parser.add_argument("--seed", default=1, type=int)
    args = parser.parse_args(argv)
    n_e, n_m = args.size
    cohort = with_questions(generate_cohort(n_e, n_m, args.seed), args.seed)
    plain = preset("mentoring")
    asked = dataclasses.replace(plain, attributes=RULES)
    runs = side_by_side(
        {"plain": lambda: solve(cohort, plain), "questions": lambda: solve(cohort, asked)},
        args.repeat,
    )
    results = {name: result for name, (_, result) in runs.items()}
    for name, policy in (("plain", plain), ("questions", asked)):
        problems = check(cohort, policy, results[name])
        if problems:
            raise SystemExit(f"{name}: the checker found {problems[:3]}")
    median = {name: timing.median_s for name, (timing, _) in runs.items()}
    print(
        json.dumps(
            {
                "size": [n_e, n_m],
                "median_s": {k: round(v, 3) for k, v in median.items()},
                "ratio": round(median["questions"] / median["plain"], 3),
                "certified": {k: r.certified for k, r in results.items()},
                "questions_timings": dict(results["questions"].timings),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
