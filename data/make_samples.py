"""Regenerate the generated sample files in data/ and check every sample still loads.

Run from the repository root::

    python data/make_samples.py

Writes ``data/mentoring-500.csv`` (400 mentees and 100 mentors from
``generate_cohort(400, 100, seed=7)``, one-file CSV form via ``write_cohort``), then reads
it back and checks it equals the generated cohort, and loads the hand-written
``coaching-sample.csv`` and both example policies. ``coaching-sample.csv`` is curated by
hand and is not regenerated. Prints counts only, never names or emails.
"""

from __future__ import annotations

from pathlib import Path

from matcher.io import cohort_csv
from matcher.io.generate import generate_cohort
from matcher.io.policy import load_policy

DATA = Path(__file__).resolve().parent


def main() -> None:
    """Write the generated sample and verify every file in data/ loads."""
    cohort = generate_cohort(400, 100, seed=7)
    target = DATA / "mentoring-500.csv"
    cohort_csv.write_cohort(cohort, target)
    if cohort_csv.read_cohort(target) != cohort:
        raise SystemExit(f"{target.name} does not read back as the generated cohort")
    print(f"{target.name}: {len(cohort.mentees)} mentees, {len(cohort.mentors)} mentors")
    sample = cohort_csv.read_cohort(DATA / "coaching-sample.csv")
    print(f"coaching-sample.csv: {len(sample.mentees)} mentees, {len(sample.mentors)} mentors")
    for name in ("coaching.toml", "mentoring.toml"):
        policy = load_policy(DATA / name)
        print(f"{name}: program {policy.program}, objective {policy.objective.value}")


if __name__ == "__main__":
    main()
