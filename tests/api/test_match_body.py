"""``POST /match`` decodes a body in the documented typed form straight into records
(:func:`api.match_body.quick_match`); every other body goes the general way. Both ways
answer the same: the property test sends each body twice, once as the service reads it
and once with the quick way switched off, and compares the answers."""

import json

import pytest
from api_helpers import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import api.views.match as match_view
from api.match_body import quick_match
from benchmarks.suites.service import match_body
from matcher.io.cohort_csv import read_cohort
from matcher.io.records import cohort_to_records

# /match stores nothing: its tests need one database, not each
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _base() -> dict:
    people = [
        {
            "id": "M1",
            "role": "mentor",
            "name": " Ana  ",
            "seniority": 6,
            "skills": [{"name": "Python", "level": 4}, {"name": "SQL"}],
            "goals": ["Leadership"],
            "capacity": 2,
            "min_capacity": 1,
            "department": "Data",
            "timezone": "Europe/Paris",
            "languages": ["French", "english"],
            "exclude": ["E2"],
            "attributes": {"track": "data", "score": 3},
        },
        {"id": "M2", "role": "mentor", "seniority": 5, "skills": [{"name": "go", "level": 2}]},
        {"id": "E1", "role": "mentee", "seniority": 1, "skills": [{"name": "python"}]},
        {"id": "E2", "role": "mentee", "seniority": 2, "goals": ["leadership"], "prefer": ["M2"]},
        {"id": "E3", "role": "mentee", "seniority": 1, "manager_id": "M2"},
    ]
    return {"cohort": {"participants": people}, "policy": {"program": "coaching"}}


def _two_inputs(body):
    people = body["cohort"].pop("participants")
    body["cohort"]["mentors"] = [p for p in people if p["role"] == "mentor"]
    body["cohort"]["mentees"] = [p for p in people if p["role"] == "mentee"]


def _deep(levels: int):
    value = 1
    for _ in range(levels):
        value = {"x": value}
    return value


# What careless or hostile integrators send: each change is read the same by both ways.
BODY_CHANGES = [
    _two_inputs,
    lambda b: b["cohort"].update(mentors=[]),  # both input forms
    lambda b: b["cohort"].pop("participants"),  # neither
    lambda b: b["cohort"].update(participants=None),
    lambda b: b["cohort"].update(participants={"id": "M1"}),
    lambda b: b["cohort"]["participants"].append(None),
    lambda b: b["cohort"]["participants"].append("E9"),
    lambda b: b["cohort"].update(org_chart=[["E1", "M1"]]),
    lambda b: b["cohort"].update(org_chart=[["E1", "M1", "M2"]]),
    lambda b: b["cohort"].update(org_chart=[["E1", 5]]),
    lambda b: b["cohort"].update(org_chart=None),
    lambda b: b["cohort"].update(groups=[]),  # an unknown key of the cohort
    lambda b: b.update(extra=1),  # an unknown key of the body
    lambda b: b.pop("policy"),
    lambda b: b.update(policy=None),
    lambda b: b.update(policy=[]),
    lambda b: b.update(policy={"program": "mentoring", "weights": {"skills": 2}}),
    lambda b: b.update(policy={"program": "gardening"}),
    lambda b: b.update(policy={"objective": "fair"}),
    lambda b: b.update(policy={"weights": {"skills": 2**60}}),  # beyond 2^53
    lambda b: b.update(policy={"weights": {"skills": 1e300}}),
    lambda b: b.update(policy=_deep(40)),  # nested beyond 32
    lambda b: b["cohort"]["participants"][0].update(attributes={"big": 2**60}),
    lambda b: b["cohort"]["participants"][0].update(attributes={"n": [["x"]]}),
    lambda b: b["cohort"]["participants"][1].update(attributes=_deep(5)),
    lambda b: b["cohort"]["participants"][2].update(name="Zoé\u0000"),  # NUL
    lambda b: b["cohort"]["participants"][2].update(name="\ud800"),  # a lone surrogate
    lambda b: b["cohort"]["participants"][2].update(id="E\u200b1"),  # an invisible char
    lambda b: b["cohort"]["participants"][2].update(id="E2"),  # a duplicate id
    lambda b: b["cohort"]["participants"][2].update(seniority=True),
    lambda b: b["cohort"]["participants"][2].update(seniority=3.0),
    lambda b: b["cohort"]["participants"][2].update(seniority="3"),
    lambda b: b["cohort"]["participants"][0].update(capacity=-1),
    lambda b: b["cohort"]["participants"][0].update(min_capacity=3),
    lambda b: b["cohort"]["participants"][3].update(min_capacity=0),
    lambda b: b["cohort"]["participants"][3].update(Capacity=1),  # another spelling
    lambda b: b["cohort"]["participants"][3].update(role="boss"),
    lambda b: b["cohort"]["participants"][3].update(prefer=["E1"]),
    lambda b: b["cohort"]["participants"][3].update(skills="python:3; sql"),
    lambda b: b["cohort"]["participants"][3].update(skills=[{"name": "x", "level": 9}]),
    lambda b: b["cohort"]["participants"][3].update(goals="a, b"),
    lambda b: b["cohort"]["participants"][3].update(timezone="nowhere"),
    lambda b: b["cohort"]["participants"][4].pop("seniority"),
]
# Changes of the bytes themselves.
RAW_CHANGES = [
    lambda raw: raw,
    lambda raw: b"\xef\xbb\xbf" + raw,  # a byte-order mark
    lambda raw: b"  \n" + raw + b"\n",
    lambda raw: raw + b" x",  # trailing garbage
    lambda raw: raw[:-1],  # cut short
    lambda raw: raw.replace(b'"id": "E3"', b'"id": "E3", "id": "E4"', 1),  # a key twice
    lambda raw: raw.replace(b'"seniority": 6', b'"seniority": 6.0', 1),
    lambda raw: raw.replace(b'"seniority": 6', b'"seniority": NaN', 1),
    lambda raw: raw.replace(b'" Ana  "', b'"Ana\\u0000"', 1),
    lambda raw: raw.replace(b'" Ana  "', b'"\xff"', 1),  # not UTF-8
]


def _raw(body) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _answer(client, raw: bytes) -> tuple[int, dict]:
    response = client.post("/api/v1/match", data=raw, content_type="application/json")
    body = response.get_json(silent=True)
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, body


def _both(client, raw: bytes, monkeypatch) -> tuple:
    quick = _answer(client, raw)
    with monkeypatch.context() as patch:
        patch.setattr(match_view, "quick_match", lambda raw, limit: None)
        general = _answer(client, raw)
    return quick, general


@SQLITE
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.sampled_from(range(len(BODY_CHANGES))), max_size=3),
    st.sampled_from(range(len(RAW_CHANGES))),
)
def test_both_ways_answer_the_same(client, monkeypatch, changes, raw_change):
    body = _base()
    for k in changes:
        try:
            BODY_CHANGES[k](body)
        except (KeyError, IndexError, TypeError, AttributeError):
            pass  # an earlier change took away what this one changes
    quick, general = _both(client, RAW_CHANGES[raw_change](_raw(body)), monkeypatch)
    assert quick == general


@SQLITE
def test_the_documented_form_takes_the_quick_way_and_answers_as_the_general_way(
    client, monkeypatch
):
    raw = _raw(_base())
    assert quick_match(raw, 2_000) is not None
    quick, general = _both(client, raw, monkeypatch)
    assert quick[0] == 200 and quick == general


@pytest.mark.parametrize("form", ["one", "two"])
def test_the_sample_cohort_comes_out_as_the_core_reads_it(form):
    cohort = read_cohort(DATA / "coaching-sample.csv")
    records = [{k: v for k, v in r.items() if v is not None} for r in cohort_to_records(cohort)]
    body = {"cohort": {"participants": records}}
    if form == "two":
        _two_inputs(body)
    read = quick_match(_raw(body), 2_000)
    assert read is not None and read == (cohort, {})


def test_the_benchmark_body_takes_the_quick_way():
    raw, cohort = match_body(0)
    assert quick_match(raw, 2_000) == (cohort, {"program": "coaching"})


@SQLITE
def test_more_people_than_the_route_takes_go_the_general_way_to_a_413(client, app):
    raw = _raw(_base())
    assert quick_match(raw, 5) is not None and quick_match(raw, 4) is None
    app.extensions["mentormatch"].settings["SYNC_MATCH_LIMIT"] = 4
    status, body = _answer(client, raw)
    assert status == 413 and body["limit"] == 4


@SQLITE
@pytest.mark.parametrize("k", range(len(BODY_CHANGES)))
def test_each_change_alone_answers_the_same(client, monkeypatch, k):
    body = _base()
    BODY_CHANGES[k](body)
    quick, general = _both(client, _raw(body), monkeypatch)
    assert quick == general


@SQLITE
@pytest.mark.parametrize("k", range(len(RAW_CHANGES)))
def test_each_change_of_the_bytes_alone_answers_the_same(client, monkeypatch, k):
    raw = RAW_CHANGES[k](_raw(_base()))
    assert k == 0 or raw != _raw(_base())
    quick, general = _both(client, raw, monkeypatch)
    assert quick == general
