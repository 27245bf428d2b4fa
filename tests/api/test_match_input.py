"""Sync /match input: the cohort's shape checked in one pass, its records once by the core,
and the JSON body parsed by the C parser with the same limits; every bad input still a
precise problem."""

from __future__ import annotations

import json

import pytest
from api_helpers import small_records
from marshmallow import Schema, ValidationError, fields

from api.jsonbody import loads
from api.people_shape import PeopleField
from api.schemas import PeopleIn

OK = [{"id": "M1", "role": "mentor", "capacity": 2}, {"id": "E1", "role": "mentee"}]
SHAPES = [
    5,
    "x",
    [],
    {"participants": [OK[0], 7]},
    {"participants": [OK[0], None, "y", [1]]},
    {"participants": "x"},
    {"participants": None},
    {"mentors": 3, "mentees": [None]},
    {"participants": OK, "org_chart": "x"},
    {"participants": OK, "org_chart": None},
    {"participants": OK, "org_chart": [["a"], None, "b", ["a", 1], ["a", "b"], [1, 2, 3]]},
    {"participants": OK, "org_chart": [["E1", "M1"]], "pets": 1},
]


def _errors(schema: Schema, value):
    try:
        return ("ok", schema.load({"cohort": value}))
    except ValidationError as error:
        return ("error", error.messages)


@pytest.mark.parametrize("value", SHAPES)
def test_the_one_pass_shape_check_says_what_marshmallow_says(value):
    nested = Schema.from_dict({"cohort": fields.Nested(PeopleIn, required=True)})()
    fast = Schema.from_dict({"cohort": PeopleField(PeopleIn, required=True)})()
    assert _errors(fast, value) == _errors(nested, value)


@pytest.mark.parametrize(
    "body",
    [
        {"a": [1, 2.5, -3e10, True, None, "x"], "b": {"c": [[[]]]}},
        [9007199254740992, -9007199254740992, 0.1],
        "text with \\u0000 written out",
        123,
    ],
)
def test_the_fast_json_parse_gives_what_the_exact_one_gives(body):
    text = json.dumps(body)
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('{"a": [1, 9007199254740993]}', "numbers are limited"),
        ('{"a": 1e400}', "numbers are limited"),
        ('{"a": -Infinity}', "NaN and Infinity"),
        ('{"a": "' + "1" * 41 + '"}', None),  # a long digit string is text: it passes
        ('{"a": 0.' + "1" * 45 + "}", None),  # a long fraction is read as its value
        ('{"a": [1.' + "0" * 39 + "]}", None),  # 41 characters, value 1
        ('{"a": [1.' + "0" * 39 + ', "x", 1e400]}', "numbers are limited"),  # both parses
        ('{"a": -' + "9" * 45 + "}", "numbers are limited"),
        ('{"a": ' + "9" * 5000 + "}", "numbers are limited"),  # past Python's int digits
        ('{"a": [1.' + "0" * 38 + ', "' + "2" * 60 + '"]}', None),  # 40 characters: kept
        ("[" * 33 + "]" * 33, "nested at most 32"),
        ('{"a": "\\u0000"}', "NUL character"),
    ],
)
def test_json_limits_hold_on_the_fast_path(text, detail):
    from api.errors import ApiProblem

    if detail is None:
        assert loads(text) == json.loads(text)
        return
    with pytest.raises(ApiProblem) as info:
        loads(text)
    assert detail in info.value.description


def test_match_names_an_unknown_cohort_key(client):
    body = {"cohort": {"participants": small_records(), "participant": []}}
    problem = client.post("/api/v1/match", json=body).get_json()
    assert problem["status"] == 422 and problem["title"] == "the cohort was rejected"
    (item,) = problem["errors"]
    assert item["column"] == "participant" and item["source"] == "cohort"
    assert item["message"].startswith("unknown key; expected one of participants, mentors")


def test_match_reports_shape_and_record_problems_with_row_and_column(client):
    records = small_records()
    shape = client.post("/api/v1/match", json={"cohort": {"participants": [records[0], 7]}})
    item = shape.get_json()["errors"][0]
    assert shape.status_code == 422
    assert (item["source"], item["row"], item["value"]) == ("participants", 1, "7")
    records[1]["capacity"] = "lots"
    records[2]["seniority"] = -1
    content = client.post("/api/v1/match", json={"cohort": {"participants": records}})
    assert content.status_code == 422 and content.content_type == "application/problem+json"
    got = [(e["row"], e["column"], e["value"]) for e in content.get_json()["errors"]]
    assert got == [(1, "capacity", "lots"), (2, "seniority", "-1")]


def test_match_with_a_long_number_in_a_name_still_matches(client):
    records = small_records()
    records[0]["name"] = "1" * 60  # a digit run in text sends the body to the exact parse
    response = client.post("/api/v1/match", json={"cohort": {"participants": records}})
    assert response.status_code == 200, response.get_json()


def test_the_match_answer_is_what_jsonify_wrote(app, client):
    from flask import jsonify

    from api.results import json_answer

    response = client.post("/api/v1/match", json={"cohort": {"participants": small_records()}})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    with app.app_context():
        assert response.get_data() == jsonify(body).get_data()  # ASCII: the same bytes
        accented = {"text": "café – ok", "small": 1.5e-07, "n": [1, 2.5, None, True]}
        written = json_answer(accented).get_data()
        assert json.loads(written) == json.loads(jsonify(accented).get_data()) == accented
        assert written.endswith(b"\n") and "café".encode() in written


def test_the_parser_keeps_one_instance_per_schema_class():
    from marshmallow import fields as ma_fields

    from api.jsonbody import Parser
    from api.schemas import MatchIn, PageArgs

    parser = Parser()
    first = parser._get_schema(MatchIn, None)
    assert isinstance(first, MatchIn) and Parser()._get_schema(MatchIn, None) is first
    assert parser._get_schema(PageArgs, None) is not first
    mapped = parser._get_schema({"q": ma_fields.String()}, None)  # other argmaps as before
    assert mapped.load({"q": "x"}) == {"q": "x"}


def test_bad_bodies_after_a_good_one_still_get_every_problem(client):
    assert client.post("/api/v1/match", json={"cohort": {"participants": small_records()}})
    seen = []
    for body in ({"policy": 5}, {"cohort": 5}, {"policy": 5}):  # nothing kept between them
        bad = client.post("/api/v1/match", json=body)
        assert bad.status_code == 422
        seen.append(sorted(e["column"] for e in bad.get_json()["errors"]))
    assert seen == [["cohort", "policy"], ["cohort"], ["cohort", "policy"]]
