"""The "Add a place" button on the unmatched page: the mentor the core names ("one more place at X
would match them") gets one more place, and the exact minimal-disruption rematch runs at
once with every pending decision; the new run shows who moved, and the checker passes."""

from __future__ import annotations

import re

from sqlalchemy import select
from test_web_flow import matched
from web_helpers import checked, location_id, run_queued

from api.tables import Run, UnmatchedRow
from api.tables_web import Decision


def test_a_place_added_where_the_reason_says_matches_the_mentee(ada, app, sessions):
    cohort, run = matched(ada, app)
    page = ada.get(f"/runs/{run}/unmatched").get_data(as_text=True)
    buttons = re.findall(
        r'name="mentee_id" value="([^"]+)">\s*<input type="hidden" name="mentor_id" '
        r'value="([^"]+)">\s*<button[^>]*>Add a place at ([^<]+) and re-solve',
        page,
    )
    assert buttons, page
    mentee, mentor, shown = buttons[0]
    assert shown == mentor and f"one more place at {mentor} (score" in page
    with sessions() as session:
        before = session.get(Run, run).metrics["matched_places"]
    response = ada.post(f"/runs/{run}/add-place", {"mentee_id": mentee, "mentor_id": mentor})
    assert response.status_code == 303
    new = location_id(response)
    run_queued(app, new)
    checked(sessions, new)
    with sessions() as session:
        resolved = session.get(Run, new)
        decision = session.scalars(select(Decision)).one()
        still = session.scalar(
            select(UnmatchedRow).where(UnmatchedRow.run_id == new, UnmatchedRow.mentee_id == mentee)
        )
    assert resolved.kind == "rematch" and resolved.previous_run_id == run
    assert resolved.changes["changes"]["capacity"]["mentors"][mentor] >= 2
    assert decision.action == "add_place" and decision.applied_run_id == new
    assert resolved.metrics["matched_places"] == before + 1 and still is None
    assert any(m["mentee_id"] == mentee and m["to_mentor"] == mentor for m in resolved.moves)
    shown = ada.get(f"/runs/{new}").get_data(as_text=True)
    assert "Who moved in this re-solve" in shown and mentee in shown


def test_a_place_for_a_matched_mentee_or_an_unknown_mentor_is_refused(ada, app, sessions):
    cohort, run = matched(ada, app)
    with sessions() as session:
        left = session.scalars(select(UnmatchedRow.mentee_id).where(UnmatchedRow.run_id == run))
        left = list(left)
    refused = ada.post(f"/runs/{run}/add-place", {"mentee_id": "E01", "mentor_id": "M01"})
    assert "E01" not in left
    assert "is not left unmatched" in ada.get(refused.location).get_data(as_text=True)
    refused = ada.post(f"/runs/{run}/add-place", {"mentee_id": left[0], "mentor_id": "M99"})
    assert "M99 is not a mentor of this draft" in ada.get(refused.location).get_data(as_text=True)
    with sessions() as session:
        assert session.query(Decision).count() == 0
        assert session.query(Run).count() == 1
