"""The language every layer speaks: frozen inputs (people, cohort, policy) and outputs (results).

Nothing here reads files, touches a solver or knows about HTTP. Inputs are built and
validated by :mod:`matcher.io.records` (records -> dataclasses, one place for every rule) and
:mod:`matcher.io.policy`; outputs are filled by :mod:`matcher.solve`.

Conventions
-----------
* Ids are the organization's own strings, kept exactly as given (after trimming spaces).
* Tags (skills, goals, languages, departments, locations) are normalised: lower case,
  inner whitespace collapsed to one space, policy aliases applied.
* Tuples, never lists or sets, so that every object is immutable and its order is stable.
* A pair is always written (mentee_id, mentor_id), in that order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, precise enough to fix the sheet from.

    Attributes
    ----------
    message : what is wrong and what was expected, in words a coordinator understands.
    line : 1-based physical line in the file where the record starts (None for JSON).
    row : 0-based index of the record in the input list (None for file-level problems).
    column : the canonical column name (``"capacity"``), or None.
    value : the offending value as given (truncated to 80 characters), or None.
    source : which input: ``"cohort"``, ``"mentors"``, ``"mentees"``, ``"policy"``, a file name.
    """

    message: str
    line: int | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    source: str | None = None

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        elif self.row is not None:
            where.append(f"record {self.row + 1}")
        if self.column:
            where.append(f"column '{self.column}'")
        head = ", ".join(where)
        shown = f" (got {self.value!r})" if self.value is not None else ""
        return f"{head}: {self.message}{shown}" if head else f"{self.message}{shown}"


class InputError(ValueError):
    """An input was rejected; ``problems`` lists every reason at once.

    Raised by the CSV reader, the record validator and the policy loader. Nothing is
    half-built when it is raised.
    """

    def __init__(self, problems, title: str = "the input was rejected"):
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.title = title
        super().__init__(f"{title}: {len(self.problems)} problem(s)")

    def report(self, limit: int | None = None) -> str:
        """The problems, one per line, in input order; past ``limit``, a count of the rest."""
        lines = [f"{self.title}: {len(self.problems)} problem(s)"]
        shown = self.problems if limit is None else self.problems[:limit]
        lines.extend(f"  - {p}" for p in shown)
        if len(shown) < len(self.problems):
            rest = len(self.problems) - len(shown)
            lines.append(f"  ... and {rest} more problem(s) of the same kinds; fix these first")
        return "\n".join(lines)


class InfeasibleError(ValueError):
    """Hard rules contradict each other (pinned pairs, minimum loads); ``conflicts`` says which."""

    def __init__(self, conflicts):
        self.conflicts: tuple[str, ...] = tuple(conflicts)
        super().__init__("the hard rules cannot all hold: " + "; ".join(self.conflicts))


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Skill:
    """A skill tag with an optional proficiency level 1-5 (None: not stated)."""

    name: str
    level: int | None = None


@dataclass(frozen=True)
class Person:
    """Fields mentors and mentees share. Only fields the matcher uses are kept.

    ``capacity`` is a mentor's maximum number of mentees, or the number of mentors a
    mentee wants; 0 means the person sits this round out. ``utc_offset_minutes`` is
    derived from ``timezone`` (for IANA names: the standard, non-DST offset on
    2026-01-15, so results do not depend on the day they are computed).

    ``attributes`` are the programme's own questions, read through a sheet mapping
    (:mod:`matcher.io.mapping`): (name, value) pairs in the mapping's column order, where a
    value is ``str`` (a choice or free text, as written), ``tuple`` of ``str`` (a
    multi-choice) or ``float`` (a number). Unanswered questions are left out.
    """

    id: str
    name: str | None = None
    email: str | None = None
    seniority: int | None = None
    skills: tuple[Skill, ...] = ()
    goals: tuple[str, ...] = ()
    capacity: int = 1
    department: str | None = None
    location: str | None = None
    timezone: str | None = None
    utc_offset_minutes: int | None = None
    languages: tuple[str, ...] = ()
    manager_id: str | None = None
    exclude: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str | tuple[str, ...] | float], ...] = ()

    @property
    def skill_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.skills)

    def attribute(self, name: str, default=None):
        """The value of custom attribute ``name``, or ``default`` when unanswered."""
        for key, value in self.attributes:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class Mentor(Person):
    """Someone who mentors; ``skills`` are what they can teach."""

    min_capacity: int = 0


@dataclass(frozen=True)
class Mentee(Person):
    """Someone who is mentored; ``skills`` are what they want to learn."""


@dataclass(frozen=True)
class ExternalScores:
    """Bring-your-own pair scores, by position in the cohort.

    ``mentee_index[k]``, ``mentor_index[k]`` and ``value[k]`` describe one listed pair;
    values are any finite reals (negative allowed). Built by the scores reader.
    """

    mentee_index: np.ndarray
    mentor_index: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return int(self.value.shape[0])


@dataclass(frozen=True)
class Cohort:
    """Mentors and mentees of one program round, validated, in input order.

    ``org_chart`` holds extra (person_id, manager_id) edges from a separate org-chart
    file; they may name people outside the cohort. ``external_scores`` are optional
    bring-your-own pair scores.
    """

    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    org_chart: tuple[tuple[str, str], ...] = ()
    external_scores: ExternalScores | None = field(default=None, compare=False)

    @property
    def mentor_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.mentors)

    @property
    def mentee_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.mentees)


# --------------------------------------------------------------------------- policy


class Objective(StrEnum):
    """What the matcher optimises (after matching as many wanted places as possible)."""

    TOTAL = "total"  # maximise the total score
    FAIR = "fair"  # maximise the worst matched score, then the total
    STABLE = "stable"  # a stable matching (no blocking pair) on stated or score preferences
    GROUP_FAIR = "group-fair"  # maximise the worst group's mean score (groups: fair_by), then
    # the total (matcher.answers.group_fair)


class SolverChoice(StrEnum):
    AUTO = "auto"  # the exact flow, every rule included; cpsat only when asked
    FLOW = "flow"
    CPSAT = "cpsat"


class DepartmentRule(StrEnum):
    ANY = "any"
    SAME = "same"
    DIFFERENT = "different"


class Proposer(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class History(StrEnum):
    """What earlier cycles' pairs (``Policy.previous_pairs``) do to this one."""

    IGNORE = "ignore"  # nothing
    AVOID = "avoid"  # a hard rule: never repeat an earlier pair
    PREFER = "prefer"  # an earlier pair scores ``history_bonus`` more (if still allowed)


@dataclass(frozen=True)
class Weights:
    """Weights of the score components; the total is sum(w * s) / sum(w) over w > 0."""

    skills: float = 0.0
    goals: float = 0.0
    seniority: float = 0.0
    timezone: float = 0.0
    language: float = 0.0
    location: float = 0.0
    department: float = 0.0
    preference: float = 0.0
    external: float = 0.0
    # The sum of the policy's soft attribute-rule weights: set by Policy, not by hand.
    attributes: float = 0.0


# Weights a policy file sets; "attributes" is derived from the [[attributes]] rules.
WEIGHT_KEYS: tuple[str, ...] = (
    "skills",
    "goals",
    "seniority",
    "timezone",
    "language",
    "location",
    "department",
    "preference",
    "external",
)
COMPONENTS: tuple[str, ...] = (*WEIGHT_KEYS, "attributes")


class AttributeMatch(StrEnum):
    """How a custom question compares a mentee's answer with a mentor's."""

    SAME = "same"  # choice: the same answer scores 1
    DIFFERENT = "different"  # choice: a different answer scores 1
    OVERLAP = "overlap"  # multi-choice: the share of the mentee's answers the mentor has
    CLOSENESS = "closeness"  # number: 1 when equal, falling to 0 at ``within`` apart
    SIMILAR = "similar"  # free text: TF-IDF cosine similarity (matcher.encode.text)
    MUST_MATCH = "must_match"  # hard: answers that differ (share nothing) forbid the pair
    MUST_DIFFER = "must_differ"  # hard: equal (overlapping) answers forbid the pair


HARD_MATCHES = frozenset({AttributeMatch.MUST_MATCH, AttributeMatch.MUST_DIFFER})


@dataclass(frozen=True)
class AttributeRule:
    """A rule over one custom question (a :attr:`Person.attributes` name).

    ``attribute`` is read from mentees and ``mentor_attribute`` (default: the same name)
    from mentors, so "wants help with" can meet "can help with". Soft rules score in
    [0, 1] (0.5 when either side did not answer) and weigh ``weight`` in the total; hard
    rules forbid pairs and never apply when either side did not answer.
    """

    attribute: str
    rule: AttributeMatch
    weight: float = 1.0
    mentor_attribute: str | None = None
    within: float = 1.0

    @property
    def hard(self) -> bool:
        return self.rule in HARD_MATCHES

    @property
    def mentor_name(self) -> str:
        return self.mentor_attribute or self.attribute

    @property
    def label(self) -> str:
        """The rule's name in texts: ``interests`` or ``wants help with/can help with``."""
        if self.mentor_name == self.attribute:
            return self.attribute
        return f"{self.attribute}/{self.mentor_name}"


@dataclass(frozen=True)
class SeniorityRule:
    """Gap = mentor seniority - mentee seniority. ``min_gap``/``max_gap`` are hard limits
    (None: no limit); ``ideal_gap`` is where the seniority score peaks; the score falls
    linearly to 0 at ``tolerance`` levels away from the ideal."""

    min_gap: int | None = None
    max_gap: int | None = None
    ideal_gap: int = 2
    tolerance: int = 4


@dataclass(frozen=True)
class Policy:
    """How a program matches: weights, hard rules, objective and solver settings.

    Build one with :func:`matcher.io.policy.preset` or :func:`matcher.io.policy.load_policy`.
    Pairs are (mentee_id, mentor_id). ``aliases`` map a tag to its canonical form;
    ``related_skills`` are (skill, related_skill, credit in (0, 1]) and work both ways.
    ``attributes`` are rules over the programme's own questions; the soft ones form the
    ``attributes`` score component, whose weight (``weights.attributes``) is theirs summed.
    ``previous_pairs`` are earlier cycles' (mentee_id, mentor_id) pairs (ids not in the
    cohort are ignored); ``history`` says whether they are avoided (a hard rule) or
    preferred (``history_bonus`` added to the pair's score), or ignored.
    """

    program: str = "coaching"
    weights: Weights = Weights(skills=1.0)
    seniority: SeniorityRule = SeniorityRule()
    forbidden_pairs: tuple[tuple[str, str], ...] = ()
    pinned_pairs: tuple[tuple[str, str], ...] = ()
    honour_exclude: bool = True
    no_reporting_chain: bool = True
    require_shared_language: bool = False
    max_timezone_diff_hours: float | None = None
    department_rule: DepartmentRule = DepartmentRule.ANY
    department_preference: DepartmentRule = DepartmentRule.ANY
    max_per_department: int | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    related_skills: tuple[tuple[str, str, float], ...] = ()
    scores_only: bool = False
    objective: Objective = Objective.TOTAL
    solver: SolverChoice = SolverChoice.AUTO
    proposer: Proposer = Proposer.MENTEE
    time_limit_seconds: float = 30.0
    seed: int = 0
    attributes: tuple[AttributeRule, ...] = ()
    fair_by: str | None = None  # group-fair: department, location, seniority or an attribute
    previous_pairs: tuple[tuple[str, str], ...] = ()
    history: History = History.IGNORE
    history_bonus: float = 0.1

    def __post_init__(self) -> None:
        # The attributes component weighs what its soft rules weigh together.
        soft = math.fsum(r.weight for r in self.attributes if not r.hard)
        if self.weights.attributes != soft:
            object.__setattr__(self, "weights", replace(self.weights, attributes=soft))
