"""A question's rule, weight and pair in the mapping form: shown from the suggestion or
the last mapping, edited, checked by the core's mapping check (a bad weight is a row of
the problems table linked to its column), kept with the import, and pre-filling the
policy step's question rules."""

from __future__ import annotations

import re

from sqlalchemy import select
from web_helpers import GOOGLE, location_id, page_form

from api.tables_web import CohortImport


def _column(page: str, header: str) -> int:
    headers = re.findall(r'<fieldset id="col-(\d+)" class="column">\s*<legend>([^<]+)', page)
    return next(int(k) for k, h in headers if h == header)


def test_a_question_rule_weight_and_pair_are_edited_and_reach_the_policy(ada, sessions):
    upload = location_id(ada.upload(GOOGLE))
    page = ada.get(f"/imports/{upload}").get_data(as_text=True)
    k = _column(page, "Hobbies and interests")
    for key in ("rule", "weight", "pair_with"):
        assert f'<label for="c{k}-{key}">' in page
    assert "shared answers score higher" in page and '<datalist id="questions">' in page
    form = page_form(page, "mapping")
    form[f"c{k}-rule"], form[f"c{k}-weight"] = "overlap", "-1"
    refused = ada.post(f"/imports/{upload}", form)
    assert refused.status_code == 422
    shown = refused.get_data(as_text=True)
    assert "expected a number &gt;= 0" in shown and f'href="#col-{k}"' in shown
    form = page_form(shown, "mapping")
    assert form[f"c{k}-rule"] == "overlap" and form[f"c{k}-weight"] == "-1"
    form[f"c{k}-weight"] = "0.75"
    stored = ada.post(f"/imports/{upload}", form)
    assert stored.status_code == 303, stored.get_data(as_text=True)
    with sessions() as session:
        imported = session.scalars(select(CohortImport)).one()
    settings = imported.mapping["columns"]["Hobbies and interests"]
    assert (settings["rule"], settings["weight"]) == ("overlap", 0.75)
    assert "pair_with" not in settings
    policy = ada.get(stored.location).get_data(as_text=True)
    question = page_form(policy, "policy")
    n = re.search(r'<h3 id="q(\d+)-title">hobbies_interests', policy)[1]
    assert question[f"q{n}-rule"] == "overlap" and float(question[f"q{n}-weight"]) == 0.75


def test_the_form_reads_and_writes_a_pair_the_mapping_check_accepts():
    from api.web.mapping_form import from_settings, to_settings
    from matcher.io.mapping import load_mapping

    settings = {
        "attribute": "can_help_with",
        "type": "multi-choice",
        "role": "mentor",
        "separator": ", ",
        "rule": "overlap",
        "weight": 2,
        "pair_with": "wants_help_with",
    }
    column = from_settings(3, "I can help with", settings)
    assert (column.rule, column.weight, column.pair_with) == ("overlap", "2", "wants_help_with")
    form = {
        "c3-feeds": "attribute",
        "c3-attribute": column.attribute,
        "c3-type": column.kind,
        "c3-role": column.role,
        "c3-separator": column.separator,
        "c3-rule": column.rule,
        "c3-weight": column.weight,
        "c3-pair_with": column.pair_with,
    }
    assert to_settings(form, 3) == settings
    wants = {"attribute": "wants_help_with", "type": "multi-choice", "role": "mentee"}
    columns = {"Email": {"field": "id"}, "I can help with": settings, "I want help with": wants}
    mapping = load_mapping({"mapping": 1, "columns": columns})
    (rule,) = [c for c in mapping.columns if c.rule]
    assert (rule.rule, rule.weight, rule.pair_with) == ("overlap", 2.0, "wants_help_with")
