"""Inviting colleagues from the team page: a one-time link for an email of the same
organization, shown on the page only, that sets the password and signs them in; the
organization's users with their state; revoking an open invitation. Another
organization's users are neither listed nor revocable, and an address with an account
anywhere is refused in the same words."""

from __future__ import annotations

import re

from sqlalchemy import select
from web_helpers import PASSWORD, Browser, make_user

from api.tables_web import User, UserToken


def _link(page: str) -> str:
    return re.search(r'id="invite-link" value="http://localhost(/welcome/[^"]+)"', page)[1]


def test_an_invited_colleague_sets_a_password_and_joins_the_organization(ada, app, sessions):
    page = ada.get("/team").get_data(as_text=True)
    assert "ada@example.org (you)" in page and '<label for="invite-email">' in page
    made = ada.post("/team/invite", {"email": "Bob@Example.org"})
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    link = _link(page)
    assert "Send this link to bob@example.org" in page
    assert re.search(r"<td>bob@example.org</td><td>invited</td>", page)
    assert link not in str(made.headers)  # not in a cookie: on the page only
    with sessions() as session:
        bob = session.scalar(select(User).where(User.email == "bob@example.org"))
        ada_row = session.scalar(select(User).where(User.email == "ada@example.org"))
        stored = session.scalars(select(UserToken.token_hash)).all()
    assert bob.organization_id == ada_row.organization_id and bob.password_hash is None
    assert link.rsplit("/", 1)[1] not in stored  # only its hash is kept
    bob_browser = Browser(app.test_client())
    bob_browser.get(link)
    done = bob_browser.post(link, {"password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 303
    assert "Cohorts of" in bob_browser.get("/").get_data(as_text=True)
    page = ada.get("/team").get_data(as_text=True)
    assert re.search(r"<td>bob@example.org</td><td>active</td>", page)
    again = ada.post("/team/invite", {"email": "bob@example.org"})
    assert again.status_code == 422 and "already has an account" in again.get_data(as_text=True)
    assert bob_browser.get(link).status_code == 404  # used once


def test_an_invitation_is_revoked_and_its_link_stops_working(ada, app, sessions):
    link = _link(ada.post("/team/invite", {"email": "carl@example.org"}).get_data(as_text=True))
    renewed = _link(ada.post("/team/invite", {"email": "carl@example.org"}).get_data(as_text=True))
    assert renewed != link
    stranger = Browser(app.test_client())
    assert stranger.get(link).status_code == 404  # a new link replaces the old one
    with sessions() as session:
        carl = session.scalar(select(User.id).where(User.email == "carl@example.org"))
    response = ada.post(f"/team/{carl}/revoke")
    assert response.status_code == 303
    assert "carl@example.org was revoked" in ada.get("/team").get_data(as_text=True)
    assert stranger.get(renewed).status_code == 404
    with sessions() as session:
        assert session.scalar(select(User).where(User.email == "carl@example.org")) is None
        assert session.query(UserToken).count() == 0


def test_other_organizations_users_are_not_listed_revoked_or_re_invited(ada, eve, sessions):
    make_user(sessions, "globex", "gail@example.org", None)  # invited, of globex
    with sessions() as session:
        gail = session.scalar(select(User.id).where(User.email == "gail@example.org"))
    page = ada.get("/team").get_data(as_text=True)
    assert "eve@example.org" not in page and "gail@example.org" not in page
    assert ada.post(f"/team/{gail}/revoke").status_code == 404
    for email in ("gail@example.org", "eve@example.org"):
        refused = ada.post("/team/invite", {"email": email})
        said = refused.get_data(as_text=True)
        assert refused.status_code == 422 and f"{email} already has an account" in said
    bad = ada.post("/team/invite", {"email": "not an address"})
    assert bad.status_code == 422 and "Not invited" in bad.get_data(as_text=True)
    with sessions() as session:
        assert session.get(User, gail) is not None
        assert session.query(UserToken).count() == 0
