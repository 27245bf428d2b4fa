"""Policy presets, files (TOML/JSON), validation problems and the dict round trip."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from matcher.io.policy import PRESETS, load_policy, policy_from_dict, policy_to_dict, preset
from matcher.model import (
    DepartmentRule,
    InputError,
    Objective,
    Policy,
    Proposer,
    SeniorityRule,
    SolverChoice,
    Weights,
)

DATA = Path(__file__).resolve().parents[2] / "data"


def problems(data, **kw):
    """The (column, value, message) of every problem policy_from_dict reports."""
    with pytest.raises(InputError) as err:
        policy_from_dict(data, **kw)
    return [(p.column, p.value, p.message) for p in err.value.problems]


def only_problem(data):
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- presets


def test_coaching_preset_values():
    p = preset("coaching")
    assert p.program == "coaching"
    assert p.weights == Weights(
        skills=0.55, goals=0.1, seniority=0.1, timezone=0.1, language=0.05, preference=0.1
    )
    assert p.seniority == SeniorityRule(min_gap=0, max_gap=None, ideal_gap=1, tolerance=4)
    assert p.department_preference is DepartmentRule.ANY
    assert p.time_limit_seconds == 30.0
    assert p.objective is Objective.TOTAL


def test_mentoring_preset_values():
    p = preset("mentoring")
    assert p.weights == Weights(
        goals=0.35, seniority=0.25, skills=0.15, department=0.1, timezone=0.05, preference=0.1
    )
    assert (p.seniority.ideal_gap, p.seniority.min_gap) == (3, 1)
    assert p.department_preference is DepartmentRule.DIFFERENT
    assert p.no_reporting_chain is True
    assert p.require_shared_language is True


def test_preset_name_is_forgiving_about_case_and_spaces():
    assert preset(" Mentoring ") is PRESETS["mentoring"]


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(InputError) as err:
        preset("coachng")
    (p,) = err.value.problems
    assert (p.column, p.value, p.source) == ("program", "coachng", "policy")
    assert "coaching, mentoring" in p.message


# --------------------------------------------------------------------------- applying keys


def test_keys_apply_over_the_named_preset():
    p = policy_from_dict(
        {"program": "mentoring", "weights": {"skills": 0.4}, "solver": {"seed": 9}}
    )
    assert p.weights == replace(preset("mentoring").weights, skills=0.4)
    assert p.seed == 9
    assert p.seniority == preset("mentoring").seniority


def test_empty_dict_is_the_coaching_preset_and_base_is_used_without_program():
    assert policy_from_dict({}) == preset("coaching")
    base = preset("mentoring")
    assert policy_from_dict({"solver": {"objective": "fair"}}, base=base) == replace(
        base, objective=Objective.FAIR
    )


def test_every_section_maps_to_its_field():
    p = policy_from_dict(
        {
            "seniority": {"min_gap": "none", "max_gap": 4, "ideal_gap": 2, "tolerance": 3},
            "rules": {
                "forbidden_pairs": [[" E1 ", "M1"]],
                "pinned_pairs": [["E2", "M1"]],
                "honour_exclude": False,
                "no_reporting_chain": False,
                "require_shared_language": True,
                "max_timezone_diff_hours": 6,
                "department": "Different",
                "max_per_department": 2,
            },
            "preferences": {"department": "same"},
            "tags": {
                "aliases": {" JS ": "Java  Script"},
                "related_skills": [["Pandas", "python", 1]],
            },
            "solver": {
                "objective": "stable",
                "solver": "cpsat",
                "proposer": "mentor",
                "time_limit_seconds": 2,
                "scores_only": True,
            },
        }
    )
    assert p.seniority == SeniorityRule(min_gap=None, max_gap=4, ideal_gap=2, tolerance=3)
    assert p.forbidden_pairs == (("E1", "M1"),)
    assert p.pinned_pairs == (("E2", "M1"),)
    assert (p.honour_exclude, p.no_reporting_chain, p.require_shared_language) == (
        False,
        False,
        True,
    )
    assert p.max_timezone_diff_hours == 6.0
    assert p.department_rule is DepartmentRule.DIFFERENT
    assert p.department_preference is DepartmentRule.SAME
    assert p.max_per_department == 2
    assert p.aliases == (("js", "java script"),)
    assert p.related_skills == (("pandas", "python", 1.0),)
    assert (p.objective, p.solver, p.proposer) == (
        Objective.STABLE,
        SolverChoice.CPSAT,
        Proposer.MENTOR,
    )
    assert (p.time_limit_seconds, p.scores_only) == (2.0, True)


def test_related_skill_names_go_through_the_aliases():
    p = policy_from_dict(
        {"tags": {"aliases": {"js": "javascript"}, "related_skills": [["TS", "js", 0.8]]}}
    )
    assert p.related_skills == (("ts", "javascript", 0.8),)
    base = replace(preset("coaching"), aliases=(("k8s", "kubernetes"),))
    p = policy_from_dict({"tags": {"related_skills": [["K8s", "docker", 0.6]]}}, base=base)
    assert p.related_skills == (("kubernetes", "docker", 0.6),)


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_round_trip_of_presets(name):
    assert policy_from_dict(policy_to_dict(preset(name))) == preset(name)


def test_round_trip_of_a_policy_with_every_field_set_survives_json():
    p = Policy(
        program="mentoring",
        weights=Weights(skills=1, goals=0.5, external=2.5),
        seniority=SeniorityRule(min_gap=None, max_gap=3, ideal_gap=-1, tolerance=2),
        forbidden_pairs=(("E1", "M1"),),
        pinned_pairs=(("E2", "M2"), ("E2", "M3")),
        honour_exclude=False,
        require_shared_language=True,
        max_timezone_diff_hours=7.5,
        department_rule=DepartmentRule.SAME,
        max_per_department=1,
        aliases=(("js", "javascript"),),
        related_skills=(("pandas", "python", 0.5),),
        scores_only=True,
        objective=Objective.FAIR,
        solver=SolverChoice.FLOW,
        proposer=Proposer.MENTOR,
        time_limit_seconds=1.5,
        seed=42,
    )
    assert policy_from_dict(json.loads(json.dumps(policy_to_dict(p)))) == p


# --------------------------------------------------------------------------- files


def test_toml_and_json_files_load(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text('program = "mentoring"\n[weights]\ngoals = 1\n', encoding="utf-8")
    as_json = tmp_path / "p.JSON"
    as_json.write_text(json.dumps({"solver": {"objective": "fair"}}), encoding="utf-8")
    assert load_policy(toml).weights.goals == 1.0
    assert load_policy(toml).program == "mentoring"
    assert load_policy(str(as_json)) == replace(preset("coaching"), objective=Objective.FAIR)


@pytest.mark.parametrize("name", ["coaching", "mentoring"])
def test_example_policy_files_are_their_presets_plus_tags(name):
    p = load_policy(DATA / f"{name}.toml")
    assert replace(p, aliases=(), related_skills=()) == preset(name)
    assert p.aliases and p.related_skills


def test_other_extension_is_rejected(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("program: coaching\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(path)
    (p,) = err.value.problems
    assert (p.source, p.value) == ("policy.yaml", "policy.yaml")
    assert ".toml or .json" in p.message


def test_bad_toml_names_the_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('program = "coaching"\n[weights]\nskills = = 1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(path)
    (p,) = err.value.problems
    assert (p.source, p.line) == ("bad.toml", 3)
    assert "not valid TOML" in p.message


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "program": "coaching",\n  "weights": {,}\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(path)
    (p,) = err.value.problems
    assert (p.source, p.line) == ("bad.json", 3)


def test_non_utf8_and_missing_files_are_reported(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b'program = "coaching"\n# caf\xe9\n')
    with pytest.raises(InputError) as err:
        load_policy(path)
    (p,) = err.value.problems
    assert (p.source, p.line, p.message) == ("latin.toml", 2, "expected UTF-8 text")
    with pytest.raises(InputError) as err:
        load_policy(tmp_path / "absent.json")
    assert err.value.problems[0].message.startswith("cannot read the file: No such file")


def test_toml_problems_carry_the_file_name_and_line(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[weights]\nskills = 1\nskils = 2\n\n[solver]\nseed = -1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(path)
    found = [(p.source, p.line, p.column) for p in err.value.problems]
    assert found == [("mine.toml", 3, "weights.skils"), ("mine.toml", 6, "solver.seed")]


# --------------------------------------------------------------------------- problems


def test_unknown_keys_suggest_the_closest_known_key():
    column, value, message = only_problem({"weights": {"skils": 0.4}})
    assert (column, value) == ("weights.skils", "skils")
    assert "did you mean 'skills'?" in message
    assert problems({"solvr": {}})[0][2].startswith("unknown key; did you mean 'solver'?")


@pytest.mark.parametrize(
    ("data", "column", "value", "expected"),
    [
        ({"weights": {"goals": True}}, "weights.goals", "true", "expected a number >= 0"),
        ({"weights": {"goals": "0.5"}}, "weights.goals", "0.5", "expected a number >= 0"),
        ({"weights": {"goals": -1}}, "weights.goals", "-1", "expected a number >= 0"),
        ({"weights": {"goals": float("nan")}}, "weights.goals", "NaN", "expected a number >= 0"),
        ({"seniority": {"ideal_gap": 1.5}}, "seniority.ideal_gap", "1.5", "a whole number"),
        ({"seniority": {"tolerance": 0}}, "seniority.tolerance", "0", "a whole number >= 1"),
        ({"seniority": {"max_gap": "few"}}, "seniority.max_gap", "few", 'or "none"'),
        ({"rules": {"honour_exclude": "yes"}}, "rules.honour_exclude", "yes", "true or false"),
        ({"rules": {"max_timezone_diff_hours": 27}}, "rules.max_timezone_diff_hours", "27",
         "a number from 0 to 26"),
        ({"rules": {"max_per_department": 0}}, "rules.max_per_department", "0", ">= 1"),
        ({"rules": {"department": "other"}}, "rules.department", "other",
         "one of: any, same, different"),
        ({"preferences": {"department": 1}}, "preferences.department", "1", "one of: any"),
        ({"solver": {"objective": "best"}}, "solver.objective", "best", "total, fair, stable"),
        ({"solver": {"solver": "gurobi"}}, "solver.solver", "gurobi", "auto, flow, cpsat"),
        ({"solver": {"proposer": "both"}}, "solver.proposer", "both", "mentee, mentor"),
        ({"solver": {"time_limit_seconds": 0}}, "solver.time_limit_seconds", "0", "> 0"),
        ({"solver": {"seed": 2**31}}, "solver.seed", "2147483648", "0 to 2147483647"),
        ({"solver": {"scores_only": 1}}, "solver.scores_only", "1", "true or false"),
        ({"program": "coach"}, "program", "coach", "coaching, mentoring"),
        ({"weights": 3}, "weights", "3", "[weights] table"),
    ],
)  # fmt: skip
def test_each_bad_value_gives_one_clear_problem(data, column, value, expected):
    found_column, found_value, message = only_problem(data)
    assert (found_column, found_value) == (column, value)
    assert expected in message


def test_all_zero_weights_are_rejected():
    zero = {name: 0 for name in policy_to_dict(preset("coaching"))["weights"]}
    assert only_problem({"weights": zero})[0] == "weights"
    assert "at least one weight above 0" in only_problem({"weights": zero})[2]


def test_min_gap_above_max_gap_is_rejected_also_against_the_preset():
    column, value, message = only_problem({"seniority": {"min_gap": 3, "max_gap": 1}})
    assert (column, value) == ("seniority.min_gap", "3")
    assert "min_gap <= max_gap (1)" in message
    # mentoring's min_gap is 1; a max_gap of 0 contradicts it
    assert only_problem({"program": "mentoring", "seniority": {"max_gap": 0}})[0] == (
        "seniority.min_gap"
    )


def test_pair_problems_name_the_entry():
    rules = {
        "forbidden_pairs": [["E1", "M1"]],
        "pinned_pairs": [["E1", "M1"], ["E2", "M2"], ["E2", "M2"], ["E3"], ["E4", ""], ["X", "X"]],
    }
    found = problems({"rules": rules})
    assert [(c, v) for c, v, _ in found] == [
        ("rules.pinned_pairs[0]", '["E1", "M1"]'),
        ("rules.pinned_pairs[2]", '["E2", "M2"]'),
        ("rules.pinned_pairs[3]", '["E3"]'),
        ("rules.pinned_pairs[4]", '["E4", ""]'),
        ("rules.pinned_pairs[5]", '["X", "X"]'),
    ]
    assert "both pinned and forbidden" in found[0][2]
    assert "duplicate of pair [1]" in found[1][2]
    assert "two different ids" in found[4][2]
    assert "expected a list" in only_problem({"rules": {"forbidden_pairs": "E1,M1"}})[2]


def test_tag_problems():
    tags = {
        "aliases": {"js": "javascript", "ecma": "js", "JS ": "java", "x": 3},
        "related_skills": [
            ["pandas", "python", 0],
            ["pandas", "python", 1.5],
            ["a", "a", 0.5],
            ["b", "c", 0.5],
            ["C", "b", 0.2],
            ["b", "c"],
            ["b", "c", True],
        ],
    }
    found = problems({"tags": tags})
    columns = [c for c, _, _ in found]
    assert columns == [
        "tags.aliases.JS ",
        "tags.aliases.x",
        "tags.aliases.ecma",
        *(f"tags.related_skills[{i}]" for i in (0, 1, 2, 4, 5, 6)),
    ]
    assert "already maps to 'javascript'" in found[0][2]
    assert "point straight at 'javascript'" in found[2][2]
    assert "credit > 0 and <= 1" in found[3][2]
    assert "two different skills" in found[5][2]
    assert "list a pair once" in found[6][2]


def test_all_problems_are_reported_at_once_in_input_order():
    data = {
        "program": "mentoring",
        "weights": {"skils": 1, "goals": -1},
        "seniority": {"tolerance": 0},
        "rules": {"department": "sideways"},
        "solver": {"seed": -1},
        "extra": True,
    }
    columns = [c for c, _, _ in problems(data)]
    assert columns == [
        "extra",
        "weights.skils",
        "weights.goals",
        "seniority.tolerance",
        "rules.department",
        "solver.seed",
    ]


def test_a_non_mapping_is_rejected():
    with pytest.raises(InputError) as err:
        policy_from_dict(["program", "coaching"], source="api")
    (p,) = err.value.problems
    assert p.source == "api"
    assert "table/object" in p.message
