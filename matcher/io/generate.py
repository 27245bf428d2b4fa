"""Synthetic, realistic cohorts for demos, tests and benchmarks — deterministic under a seed.

Job: :func:`generate_cohort` draws a software company's mentoring round straight into the
model dataclasses: a skill taxonomy of families tied to departments (with
:data:`RELATED_SKILLS` credits that example policies use), career goals, departments, an
org chart (every manager is more senior; many managers sit outside the cohort), seniority
0-8 (mentors skew senior), a dozen time zones (IANA names and UTC offsets), languages,
capacities and a few exclude/prefer lists.

All random draws are vectorised with one ``numpy.random.default_rng(seed)``; the
dataclasses are then built in a single pass, so 50,000 x 10,000 takes a few seconds.
Tags are already normalised (lower case), so a generated cohort survives a CSV round trip.
The cohort's ``org_chart`` is empty: every reporting line is in ``manager_id``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from matcher.model import Cohort, Mentee, Mentor, Skill

# family -> skills; families are what departments draw from
SKILL_FAMILIES: dict[str, tuple[str, ...]] = {
    "backend": ("python", "java", "go", "sql", "postgresql", "api design", "distributed systems"),
    "data": ("pandas", "spark", "machine learning", "statistics", "data visualization",
             "airflow", "dbt", "experiment design"),
    "platform": ("kubernetes", "terraform", "aws", "docker", "observability",
                 "incident response", "linux", "ci/cd"),
    "frontend": ("react", "typescript", "javascript", "css", "accessibility",
                 "mobile development"),
    "security": ("threat modeling", "application security", "identity and access", "compliance"),
    "product": ("product discovery", "roadmapping", "user research", "product analytics",
                "pricing"),
    "design": ("ux design", "interaction design", "design systems", "prototyping"),
    "leadership": ("people management", "hiring", "giving feedback", "strategy",
                   "stakeholder management", "delegation"),
    "communication": ("public speaking", "negotiation", "technical writing", "storytelling",
                      "facilitation"),
    "business": ("enterprise sales", "account management", "financial modeling",
                 "marketing analytics", "customer onboarding", "budgeting"),
}  # fmt: skip
SKILLS: tuple[str, ...] = tuple(s for family in SKILL_FAMILIES.values() for s in family)

# (skill, related skill, credit in (0, 1]): knowing one earns partial credit for the other
RELATED_SKILLS: tuple[tuple[str, str, float], ...] = (
    ("pandas", "python", 0.5),
    ("spark", "sql", 0.3),
    ("spark", "python", 0.3),
    ("postgresql", "sql", 0.7),
    ("dbt", "sql", 0.5),
    ("airflow", "python", 0.4),
    ("machine learning", "statistics", 0.5),
    ("experiment design", "statistics", 0.6),
    ("product analytics", "experiment design", 0.4),
    ("typescript", "javascript", 0.8),
    ("react", "typescript", 0.5),
    ("react", "javascript", 0.5),
    ("css", "design systems", 0.3),
    ("kubernetes", "docker", 0.6),
    ("terraform", "aws", 0.5),
    ("observability", "incident response", 0.4),
    ("linux", "docker", 0.3),
    ("application security", "threat modeling", 0.6),
    ("identity and access", "aws", 0.3),
    ("ux design", "interaction design", 0.7),
    ("prototyping", "interaction design", 0.5),
    ("user research", "product discovery", 0.6),
    ("roadmapping", "strategy", 0.4),
    ("people management", "giving feedback", 0.5),
    ("people management", "delegation", 0.5),
    ("hiring", "people management", 0.3),
    ("public speaking", "storytelling", 0.5),
    ("facilitation", "public speaking", 0.3),
    ("negotiation", "enterprise sales", 0.4),
    ("financial modeling", "budgeting", 0.6),
    ("marketing analytics", "product analytics", 0.4),
    ("customer onboarding", "account management", 0.5),
)

GOALS: tuple[str, ...] = (
    "technical leadership", "people management", "promotion", "career change",
    "system architecture", "product sense", "executive presence", "public speaking",
    "cross-team influence", "work-life balance", "entrepreneurship", "move into data science",
    "staff engineer path", "international move", "building a network",
)  # fmt: skip

# department -> (share of people, families it draws skills from)
DEPARTMENTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "engineering": (0.24, ("backend", "frontend")),
    "data": (0.10, ("data", "backend")),
    "platform": (0.10, ("platform", "backend")),
    "product": (0.10, ("product", "data")),
    "design": (0.06, ("design", "frontend")),
    "security": (0.05, ("security", "platform")),
    "sales": (0.10, ("business", "communication")),
    "marketing": (0.08, ("business", "product")),
    "customer success": (0.10, ("business", "communication")),
    "finance": (0.07, ("business", "data")),
}

# (location, time zone as written, share of people, local language or None)
PLACES: tuple[tuple[str, str, float, str | None], ...] = (
    ("san francisco", "America/Los_Angeles", 0.12, None),
    ("mexico city", "UTC-06:00", 0.03, "spanish"),
    ("new york", "America/New_York", 0.17, None),
    ("sao paulo", "America/Sao_Paulo", 0.06, "portuguese"),
    ("london", "Europe/London", 0.14, None),
    ("berlin", "Europe/Berlin", 0.13, "german"),
    ("lagos", "Africa/Lagos", 0.04, "yoruba"),
    ("dubai", "UTC+04:00", 0.04, "arabic"),
    ("bangalore", "Asia/Kolkata", 0.12, "hindi"),
    ("singapore", "Asia/Singapore", 0.06, "mandarin"),
    ("tokyo", "Asia/Tokyo", 0.06, "japanese"),
    ("brisbane", "Australia/Brisbane", 0.03, None),
)
_ENGLISH_SHARE = {"sao paulo": 0.85, "tokyo": 0.8, "mexico city": 0.88, "berlin": 0.95}
_EXTRA_LANGUAGES = ("spanish", "french", "mandarin")

FIRST_NAMES = (
    "Ada", "Amara", "Ana", "Arjun", "Bea", "Carlos", "Chen", "Dana", "Diego", "Elif", "Emma",
    "Farah", "Felix", "Grace", "Hana", "Ibrahim", "Ines", "Ivan", "Jonas", "Kemi", "Kenji",
    "Lara", "Leo", "Lucia", "Mai", "Marco", "Maya", "Mei", "Nadia", "Noah", "Omar", "Priya",
    "Rafael", "Rosa", "Sam", "Sara", "Tariq", "Tom", "Uma", "Wei", "Yara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Alvarez", "Bauer", "Chen", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia",
    "Gupta", "Hassan", "Ito", "Jansen", "Kim", "Kowalski", "Lee", "Lopez", "Martin", "Mehta",
    "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Rossi", "Santos",
    "Schmidt", "Silva", "Singh", "Smith", "Tanaka", "Torres", "Wang", "Weber", "Yilmaz",
)  # fmt: skip

# seniority 0..8: mentees skew junior, mentors senior
_MENTEE_SENIORITY = (0.12, 0.20, 0.22, 0.18, 0.12, 0.08, 0.05, 0.02, 0.01)
_MENTOR_SENIORITY = (0.0, 0.0, 0.04, 0.10, 0.18, 0.22, 0.20, 0.15, 0.11)
_MENTOR_CAPACITY = (0.10, 0.25, 0.30, 0.20, 0.10, 0.05)  # capacities 1..6, mean 3.1
_MENTOR_LEVELS = ((None, 3, 4, 5), (0.15, 0.30, 0.35, 0.20))  # what they teach, how well
_MENTEE_LEVELS = ((None, 1, 2, 3), (0.40, 0.30, 0.20, 0.10))  # where they are now


def _standard_offset(tz: str) -> int:
    """UTC offset in minutes: parsed from ``UTC+hh:mm``, else the IANA zone's standard
    (non-DST) offset on 2026-01-15, the model's reference day."""
    if tz.startswith("UTC"):
        sign = -1 if tz[3] == "-" else 1
        return sign * (int(tz[4:6]) * 60 + int(tz[7:9]))
    day = datetime(2026, 1, 15, 12, tzinfo=ZoneInfo(tz))
    return int((day.utcoffset() - day.dst()).total_seconds() // 60)


_OFFSETS = tuple(_standard_offset(tz) for _, tz, _, _ in PLACES)


def generate_cohort(n_mentees: int, n_mentors: int, seed: int) -> Cohort:
    """A realistic synthetic cohort; the same arguments always give an equal Cohort.

    Parameters
    ----------
    n_mentees, n_mentors : how many of each (at least 1). Ids are ``E000001``... and
        ``M00001``...
    seed : seed for ``numpy.random.default_rng`` (an integer >= 0).

    Returns
    -------
    Cohort
        Mentors then mentees in id order; names, emails (``<id>@example.org``), seniority,
        skills (with levels), goals, capacity, department, location, timezone (with its
        offset), languages, manager, and a few exclude/prefer lists naming the other role.

    Raises
    ------
    ValueError
        If a size is below 1 or the seed is not an integer >= 0.
    """
    for name, value in (("n_mentees", n_mentees), ("n_mentors", n_mentors)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    rng = np.random.default_rng(seed)
    n_e, n_m = int(n_mentees), int(n_mentors)
    n = n_m + n_e  # people 0..n_m-1 are mentors, then mentees
    is_mentor = np.arange(n) < n_m
    mentor_ids = [f"M{j + 1:05d}" for j in range(n_m)]
    mentee_ids = [f"E{i + 1:06d}" for i in range(n_e)]
    ids = mentor_ids + mentee_ids

    # Who they are: department, place, seniority
    dept_names = tuple(DEPARTMENTS)
    dept = rng.choice(len(dept_names), size=n, p=_normed([s for s, _ in DEPARTMENTS.values()]))
    place = rng.choice(len(PLACES), size=n, p=_normed([p[2] for p in PLACES]))
    seniority = np.where(
        is_mentor,
        rng.choice(9, size=n, p=_MENTOR_SENIORITY),
        rng.choice(9, size=n, p=_MENTEE_SENIORITY),
    )

    # Skills: a Gumbel top-k draw per person, favouring their department's families
    n_skills = np.where(is_mentor, rng.integers(4, 8, size=n), rng.integers(2, 5, size=n))
    skill_order = _ranked_draw(rng, _skill_weights(dept_names)[dept], int(n_skills.max()))
    levels = np.where(
        is_mentor[:, None],
        rng.choice(len(_MENTOR_LEVELS[0]), size=skill_order.shape, p=_MENTOR_LEVELS[1]),
        rng.choice(len(_MENTEE_LEVELS[0]), size=skill_order.shape, p=_MENTEE_LEVELS[1]),
    )
    n_goals = np.where(is_mentor, rng.integers(2, 5, size=n), rng.integers(1, 4, size=n))
    goal_order = _ranked_draw(rng, np.ones((n, len(GOALS))), int(n_goals.max()))

    # Languages: english for most, the local language for many, a few extras
    english_share = np.array([_ENGLISH_SHARE.get(p[0], 0.99) for p in PLACES])
    english = rng.random(n) < english_share[place]
    has_local = np.array([p[3] is not None for p in PLACES])[place]
    local = has_local & ((rng.random(n) < 0.6) | ~english)
    english |= ~local  # nobody is left without a language
    extra = np.where(rng.random(n) < 0.08, rng.integers(0, len(_EXTRA_LANGUAGES), n), -1)

    # Capacities
    capacity = np.where(
        is_mentor,
        rng.choice(6, size=n, p=_MENTOR_CAPACITY) + 1,
        np.where(rng.random(n) < 0.05, 2, 1),
    )
    min_capacity = (rng.random(n) < 0.05) & is_mentor

    manager = _managers(rng, dept, seniority, ids)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    exclude, prefer = _lists(rng, n_m, n_e, ids)

    # Build the dataclasses in one pass
    skill_cache: dict[tuple[int, int, bool], Skill] = {}
    people = []
    for k in range(n):
        mentor = bool(is_mentor[k])
        level_values = _MENTOR_LEVELS[0] if mentor else _MENTEE_LEVELS[0]
        skills = []
        for s, lv in zip(skill_order[k, : n_skills[k]], levels[k, : n_skills[k]], strict=True):
            key = (int(s), int(lv), mentor)
            if key not in skill_cache:
                skill_cache[key] = Skill(SKILLS[s], level_values[lv])
            skills.append(skill_cache[key])
        p = PLACES[place[k]]
        langs = (("english",) if english[k] else ()) + ((p[3],) if local[k] else ())
        if extra[k] >= 0 and _EXTRA_LANGUAGES[extra[k]] not in langs:
            langs += (_EXTRA_LANGUAGES[extra[k]],)
        fields = dict(
            id=ids[k],
            name=f"{FIRST_NAMES[first[k]]} {LAST_NAMES[last[k]]}",
            email=f"{ids[k].lower()}@example.org",
            seniority=int(seniority[k]),
            skills=tuple(skills),
            goals=tuple(GOALS[g] for g in goal_order[k, : n_goals[k]]),
            capacity=int(capacity[k]),
            department=dept_names[dept[k]],
            location=p[0],
            timezone=p[1],
            utc_offset_minutes=_OFFSETS[place[k]],
            languages=langs,
            manager_id=manager[k],
            exclude=exclude.get(k, ()),
            prefer=prefer.get(k, ()),
        )
        if mentor:
            people.append(Mentor(min_capacity=int(min_capacity[k]), **fields))
        else:
            people.append(Mentee(**fields))
    return Cohort(mentors=tuple(people[:n_m]), mentees=tuple(people[n_m:]))


def _normed(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def _skill_weights(dept_names: tuple[str, ...]) -> np.ndarray:
    """(departments, skills) draw weights: own families 8, leadership/communication 2, else 1."""
    weights = np.ones((len(dept_names), len(SKILLS)))
    start = 0
    for family, skills in SKILL_FAMILIES.items():
        stop = start + len(skills)
        for d, name in enumerate(dept_names):
            if family in DEPARTMENTS[name][1]:
                weights[d, start:stop] = 8.0
            elif family in ("leadership", "communication"):
                weights[d, start:stop] = 2.0
        start = stop
    return weights


def _ranked_draw(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Per row, k distinct column indices drawn without replacement proportionally to
    ``weights`` (Gumbel top-k), most likely first."""
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    top = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def _managers(rng, dept, seniority, ids) -> list[str | None]:
    """Each person's manager: half the time someone in the cohort from the same department
    1-3 levels more senior (when there is one), else a manager outside the cohort."""
    n = len(ids)
    n_outside = max(1, n // 25)
    outside = np.array([f"X{i + 1:05d}" for i in range(n_outside)], dtype=object)
    manager = outside[rng.integers(0, n_outside, n)]
    inside = rng.random(n) < 0.5
    pick = rng.random(n)
    for d in np.unique(dept):
        members = np.flatnonzero(dept == d)
        members = members[np.argsort(seniority[members], kind="stable")]
        levels = seniority[members]
        lo = np.searchsorted(levels, levels + 1, side="left")
        hi = np.searchsorted(levels, levels + 3, side="right")
        ok = (hi > lo) & inside[members]
        chosen = lo + (pick[members] * (hi - lo)).astype(np.int64)
        manager[members[ok]] = np.asarray(ids, dtype=object)[members[chosen[ok]]]
    return manager.tolist()


def _lists(rng, n_m: int, n_e: int, ids) -> tuple[dict, dict]:
    """A few exclude lists (one id) and prefer lists (1-3 ids) naming the other role."""
    exclude: dict[int, tuple[str, ...]] = {}
    prefer: dict[int, tuple[str, ...]] = {}
    for first, size, other_first, other_size, p_ex, p_pref, most in (
        (n_m, n_e, 0, n_m, 0.02, 0.05, 3),  # mentees about mentors
        (0, n_m, n_m, n_e, 0.02, 0.03, 2),  # mentors about mentees
    ):
        wants_ex = rng.random(size) < p_ex
        wants_pref = rng.random(size) < p_pref
        n_pref = rng.integers(1, most + 1, size)
        for k in np.flatnonzero(wants_ex | wants_pref):
            n_ex = int(wants_ex[k])
            count = min(other_size, n_ex + (int(n_pref[k]) if wants_pref[k] else 0))
            drawn = [ids[other_first + j] for j in rng.choice(other_size, count, replace=False)]
            if n_ex and drawn:
                exclude[first + k] = (drawn[0],)
            if len(drawn) > n_ex:
                prefer[first + k] = tuple(drawn[n_ex:])
    return exclude, prefer
