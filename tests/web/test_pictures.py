"""The programme view's pictures: wanted-skill coverage and the department mix, drawn as
SVG on the server from the run's pairs, each with its title, description and a table
that says the same numbers, counted here independently from the stored inputs."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import select
from test_web_flow import matched
from web_helpers import location_id, run_queued

from api.store import solved_inputs
from api.tables import Assignment, Run


def _expected(sessions, run_id):
    with sessions() as session:
        run = session.get(Run, run_id)
        people, _ = solved_inputs(session, run)
        pairs = session.execute(
            select(Assignment.mentee_id, Assignment.mentor_id).where(Assignment.run_id == run_id)
        ).all()
    mentees = {e.id: e for e in people.mentees}
    mentors = {m.id: m for m in people.mentors}
    covered, wanted, mix = Counter(), Counter(), Counter()
    for e, m in pairs:
        has = {s.name.lower() for s in mentors[m].skills}
        for skill in mentees[e].skills:
            wanted[skill.name] += 1
            covered[skill.name] += skill.name.lower() in has
        mix[mentees[e].department, mentors[m].department] += 1
    return covered, wanted, mix, len(pairs)


def test_skill_coverage_and_department_mix_with_their_tables(ada, app, sessions):
    cohort, run = matched(ada, app)
    _check_pictures(ada, sessions, run)
    page = ada.get(f"/runs/{run}/programme").get_data(as_text=True)
    mix = _expected(sessions, run)[2]
    # each cell says what it counts (the core reads departments in lower case)
    cell = (
        f"<title>engineering mentees with engineering mentors: {mix['engineering', 'engineering']}"
    )
    assert cell in page


def test_people_a_variant_added_are_in_its_pictures(ada, app, sessions):
    cohort, run = matched(ada, app)
    mentor = (
        '{"add": [{"id": "M99", "role": "mentor", "seniority": 9, "capacity": 4,'
        ' "department": "Research", "skills": "Python; SQL; Public Speaking"}]}'
    )
    form = {"v0-name": "a new mentor", "v0-json": mentor}
    scenario = location_id(ada.post(f"/cohorts/{cohort}/whatif", form))
    with sessions() as session:
        runs = session.scalars(select(Run.id).where(Run.scenario_id == scenario)).all()
        variant = session.scalar(select(Run.id).where(Run.variant == "a new mentor"))
    for run_id in runs:
        run_queued(app, run_id)
    mix = _expected(sessions, variant)[2]
    assert any(mentor == "research" for _, mentor in mix)  # M99 got mentees
    _check_pictures(ada, sessions, variant)


def _check_pictures(ada, sessions, run):
    page = ada.get(f"/runs/{run}/programme").get_data(as_text=True)
    covered, wanted, mix, n_pairs = _expected(sessions, run)
    assert page.count("<svg") == 4 and page.count('role="img"') == 4
    hit, total = sum(covered.values()), sum(wanted.values())
    assert f"{hit} of {total} wanted skills in pairs covered by the mentor" in page
    table = page[page.index("<caption>Wanted skills the pairs cover</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', table)
    assert len(rows) == min(12, len(wanted))
    for skill, yes, no in rows:
        assert (int(yes), int(no)) == (covered[skill], wanted[skill] - covered[skill])
    top = sorted(wanted.values(), reverse=True)[: len(rows)]
    assert sorted((int(y) + int(n) for _, y, n in rows), reverse=True) == top
    same = sum(n for (a, b), n in mix.items() if a == b and a)
    assert f"{n_pairs} pairs; {same} within one department" in page
    grid = page[page.index("Pairs by mentee&#39;s department (rows)") :]
    grid = grid[: grid.index("</table>")]
    columns = re.findall(r'<th scope="col">([^<]+)</th>', grid)[1:]
    for row in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', grid):
        counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", row[1])]
        assert counts == [mix[row[0], c] for c in columns]
    assert sum(mix.values()) == n_pairs
