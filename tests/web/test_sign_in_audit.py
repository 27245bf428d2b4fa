"""Coordinators' accounts in the audit log: a sign-in and a sign-out by user id, a failed
sign-in by a keyed hash of the email given (never the address), in the log of the
organization whose account it names (else the service's own), a password set from a
one-time link."""

from __future__ import annotations

from sqlalchemy import select
from web_helpers import PASSWORD, Browser, make_user

from api.tables_audit import AuditEntry
from api.tables_web import User


def logged(sessions) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_sign_in_and_sign_out_are_recorded_by_user_id(app, sessions):
    ada = make_user(sessions, "acme", "ada@example.org")
    browser = Browser(app.test_client())
    browser.sign_in("ada@example.org")
    assert browser.post("/logout").status_code == 303
    made = [e for e in logged(sessions) if e.action.startswith("user.")]
    assert [(e.action, e.actor, e.object_type, e.object_id) for e in made] == [
        ("user.signed_in", f"user:{ada}", "user", str(ada)),
        ("user.signed_out", f"user:{ada}", "user", str(ada)),
    ]
    with sessions() as session:
        organization = session.get(User, ada).organization_id
    assert {e.organization_id for e in made} == {organization}


def test_failures_are_recorded_by_a_keyed_hash_of_the_email(app, sessions):
    from api.audit import email_hash

    make_user(sessions, "acme", "ada@example.org")
    browser = Browser(app.test_client())
    browser.get("/login")
    wrong = browser.post("/login", {"email": "Ada@Example.org", "password": "wrong password"})
    unknown = browser.post("/login", {"email": "who@example.org", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    for _ in range(4):  # the fifth failure of ada's address: the next try is throttled
        browser.post("/login", {"email": "ada@example.org", "password": "wrong password"})
    throttled = browser.post("/login", {"email": "ada@example.org", "password": PASSWORD})
    assert throttled.status_code == 429
    failed = [e for e in logged(sessions) if e.action == "user.sign_in_failed"]
    assert len(failed) == 7 and {e.actor for e in failed} == {"anonymous"}
    ada_hash = email_hash("ada@example.org", app.secret_key)
    assert len(ada_hash) == 64 and ada_hash != email_hash("ada@example.org", "another key")
    mine = [e for e in failed if e.object_id == ada_hash]
    assert len(mine) == 6 and {e.object_type for e in mine} == {"email"}
    assert {e.organization_id for e in mine} != {None}  # acme's log: its account's address
    [stranger] = [e for e in failed if e.object_id != ada_hash]
    assert stranger.organization_id is None  # no account: the service's own log
    reasons = [e.detail["reason"] for e in mine]  # the address's failures count too
    assert reasons[0] == "wrong email or password" and reasons[-1] == "throttled"
    assert set(reasons) == {"wrong email or password", "throttled"}
    shown = repr([(e.object_id, e.detail, e.actor, e.object_type) for e in logged(sessions)])
    assert "example.org" not in shown and "127.0.0.1" not in shown


def test_setting_a_password_from_a_link_is_recorded(app, sessions):
    from api.accounts import one_time_link
    from api.db import transaction

    bob = make_user(sessions, "acme", "bob@example.org", password=None)
    with transaction(sessions) as session:
        token = one_time_link(session, session.get(User, bob), 72)
    browser = Browser(app.test_client())
    browser.get(f"/welcome/{token}")
    new = "a long enough secret"
    assert browser.post(f"/welcome/{token}", {"password": new, "confirm": new}).status_code == 303
    made = [(e.action, e.actor, e.object_id, e.detail) for e in logged(sessions)]
    assert made[-2:] == [
        ("user.password_set", f"user:{bob}", str(bob), {"purpose": "invite"}),
        ("user.signed_in", f"user:{bob}", str(bob), None),
    ]


def test_invitations_from_the_team_page_are_recorded_by_user_id(ada, sessions):
    ada_id = ada_user(sessions)
    ada.post("/team/invite", {"email": "carl@example.org"})
    with sessions() as session:
        carl = session.scalar(select(User.id).where(User.email == "carl@example.org"))
    assert ada.post(f"/team/{carl}/revoke").status_code == 303
    made = [(e.action, e.actor, e.object_type, e.object_id) for e in logged(sessions)]
    assert made[-2:] == [
        ("user.invited", f"user:{ada_id}", "user", str(carl)),
        ("user.invitation_revoked", f"user:{ada_id}", "user", str(carl)),
    ]
    assert "carl" not in repr([(e.object_id, e.detail) for e in logged(sessions)])


def ada_user(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(User.id).where(User.email == "ada@example.org"))
