"""The "scenario" and "rematch" runners under execute_run on both databases: what they
store, extra run columns saved with the result, and runs whose inputs are gone."""

from __future__ import annotations

from jobs_helpers import count_rows, get_run, queue_run, sample_cohort, set_run, stored_result

from api.jobs import execute
from api.jobs.execute import Output, execute_run
from api.tables import Assignment
from matcher.checker import check
from matcher.io.policy import preset
from matcher.solve import solve
from matcher.whatif.changes import changed
from matcher.whatif.moves import move_to_dict
from matcher.whatif.rematch import rematch


def test_a_scenario_run_solves_the_cohort_with_its_changes(sessions, config):
    cohort, policy = sample_cohort(), preset("coaching")
    changes = {"name": "fewer", "capacity": {"all": 1}, "remove_mentors": ["M03"]}
    run_id = queue_run(sessions, cohort, policy, kind="scenario")
    set_run(sessions, run_id, changes=changes, variant="fewer")
    assert execute_run(sessions, run_id, "w1", config) == "succeeded"
    new_cohort, new_policy = changed(changes, cohort, policy)
    stored = stored_result(sessions, run_id)
    assert stored.pairs == solve(new_cohort, new_policy).pairs
    assert check(new_cohort, new_policy, stored) == []
    assert get_run(sessions, run_id).moves is None


def test_a_rematch_run_stores_its_moves_with_the_result(sessions, config):
    cohort, policy = sample_cohort(), preset("coaching")
    previous = queue_run(sessions, cohort, policy)
    assert execute_run(sessions, previous, "w1", config) == "succeeded"
    pairs = [(p.mentee_id, p.mentor_id) for p in stored_result(sessions, previous).pairs]
    run_id = queue_run(sessions, cohort, policy, kind="rematch")
    spec = {"changes": {"break": [list(pairs[0])]}, "move_cost": None}
    set_run(sessions, run_id, changes=spec, previous_run_id=previous)
    assert execute_run(sessions, run_id, "w1", config) == "succeeded"
    core = rematch(cohort, policy, pairs, spec["changes"])
    run = get_run(sessions, run_id)
    assert run.moves[0]["reason"].startswith("the pair broke up")
    assert run.moves == [move_to_dict(m) for m in core.moves]
    assert stored_result(sessions, run_id).pairs == core.result.pairs


def test_a_rematch_whose_previous_run_is_gone_fails_without_details(sessions, config):
    run_id = queue_run(sessions, kind="rematch")
    set_run(sessions, run_id, changes={"changes": {}, "move_cost": None})
    assert execute_run(sessions, run_id, "w1", config) == "failed"
    error = get_run(sessions, run_id).error
    assert error["type"].endswith("#problem-run-internal-error")
    assert "LookupError" in error["detail"]


def test_a_rematch_with_conflicting_pins_is_an_infeasible_success(sessions, config):
    cohort, policy = sample_cohort(), preset("coaching")
    previous = queue_run(sessions, cohort, policy)
    execute_run(sessions, previous, "w1", config)
    mentor = cohort.mentors[0]
    pins = [[e.id, mentor.id] for e in cohort.mentees[: mentor.capacity + 1]]
    run_id = queue_run(sessions, cohort, policy, kind="rematch")
    set_run(
        sessions,
        run_id,
        changes={"changes": {"pin": pins}, "move_cost": None},
        previous_run_id=previous,
    )
    assert execute_run(sessions, run_id, "w1", config) == "succeeded"
    run = get_run(sessions, run_id)
    assert (run.solver_status, run.moves) == ("infeasible", [])  # nobody moved
    assert count_rows(sessions, Assignment, run_id) == 0


def test_a_runner_naming_no_column_fails_and_stores_nothing(sessions, config, monkeypatch):
    def runner(sessions, claim, check):
        return Output(solve(sample_cohort(), preset("coaching")), {"mood": "happy"})

    monkeypatch.setitem(execute.KINDS, "match", runner)
    run_id = queue_run(sessions)
    assert execute_run(sessions, run_id, "w1", config) == "failed"
    assert get_run(sessions, run_id).error["type"].endswith("#problem-run-internal-error")
    assert count_rows(sessions, Assignment, run_id) == 0
