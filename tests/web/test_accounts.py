"""Accounts: sign-in with an email field and a password field, wrong passwords refused
without saying which part was wrong, throttled failures, CSRF on every form, cookie
flags, sign-out that ends the session on the server, one-time links, the users command."""

from __future__ import annotations

import re

from click.testing import CliRunner
from web_helpers import PASSWORD, Browser, make_user

from api.tables_web import LoginFailure, User, WebSession


def test_pages_need_a_sign_in_and_the_form_has_labelled_email_and_password(app):
    client = app.test_client()
    response = client.get("/cohorts/new")
    assert response.status_code == 302 and "/login?next=/cohorts/new" in response.location
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input id="email" name="email" type="email"', page)
    assert re.search(r'<input id="password" name="password" type="password"', page)
    assert '<label for="email">' in page and '<label for="password">' in page


def test_sign_in_sign_out_and_the_session_ends_on_the_server(app, sessions):
    make_user(sessions, "acme", "ada@example.org")
    browser = Browser(app.test_client())
    response = browser.sign_in("ADA@example.org ")  # any case, spaces trimmed
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    home = browser.get("/")
    assert home.status_code == 200 and "Cohorts of acme" in home.get_data(as_text=True)
    stolen = browser.client.get_cookie("mentormatch_session").value
    assert browser.post("/logout").status_code == 303
    with sessions() as session:
        assert session.query(WebSession).count() == 0
    again = app.test_client()
    again.set_cookie("mentormatch_session", stolen)  # the old cookie no longer works
    assert again.get("/").status_code == 302


def test_cookies_are_secure_over_https(app, sessions):
    make_user(sessions, "acme", "ada@example.org")
    client = app.test_client()
    page = client.get("/login", base_url="https://mm.example")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    form = {"csrf_token": token, "email": "ada@example.org", "password": PASSWORD}
    response = client.post(
        "/login",
        data=form,
        base_url="https://mm.example",
        headers={"Referer": "https://mm.example/login"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app, sessions):
    make_user(sessions, "acme", "ada@example.org")
    browser = Browser(app.test_client())
    browser.get("/login")
    wrong = browser.post("/login", {"email": "ada@example.org", "password": "nope nope nope"})
    unknown = browser.post("/login", {"email": "who@example.org", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert browser.get("/").status_code == 302


def test_failed_sign_ins_are_throttled_even_with_the_right_password(app, sessions):
    make_user(sessions, "acme", "ada@example.org")
    browser = Browser(app.test_client())
    browser.get("/login")
    for _ in range(5):
        browser.post("/login", {"email": "ada@example.org", "password": "wrong password"})
    right = browser.post("/login", {"email": "ada@example.org", "password": PASSWORD})
    assert right.status_code == 429
    assert "Too many failed attempts" in right.get_data(as_text=True)
    with sessions() as session:  # failures are stored as hashes, never the email
        keys = [f.key for f in session.query(LoginFailure)]
    assert keys and all("@" not in key and len(key) == 64 for key in keys)


def test_forms_without_the_csrf_token_are_refused(ada, app):
    response = ada.post("/cohorts/new", {"name": "x", "program": "coaching"}, csrf=False)
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    forged = ada.post("/logout", {"csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400
    assert ada.get("/").status_code == 200  # still signed in


def test_an_invitation_link_sets_the_password_once(app, sessions):
    from api.accounts import one_time_link
    from api.db import transaction

    make_user(sessions, "acme", "bob@example.org", password=None)
    with transaction(sessions) as session:
        user = session.query(User).filter_by(email="bob@example.org").one()
        token = one_time_link(session, user, 72)
    browser = Browser(app.test_client())
    page = browser.get(f"/welcome/{token}")
    assert page.status_code == 200 and "bob@example.org" in page.get_data(as_text=True)
    short = browser.post(f"/welcome/{token}", {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    new = "a long enough secret"
    done = browser.post(f"/welcome/{token}", {"password": new, "confirm": new})
    assert done.status_code == 303 and browser.get("/").status_code == 200
    assert Browser(app.test_client()).get(f"/welcome/{token}").status_code == 404  # used up
    Browser(app.test_client()).sign_in("bob@example.org", new)


def test_users_command_creates_invites_and_lists(tmp_path, monkeypatch, database_url):
    from api.commands import users

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MENTORMATCH_BASE_URL", "https://mm.example/")
    runner = CliRunner()
    made = runner.invoke(
        users,
        ["create", "--org", "acme", "--email", "Ada@Example.org", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    twice = runner.invoke(
        users,
        ["create", "--org", "acme", "--email", "ada@example.org", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert twice.exit_code == 1 and "already has an account" in twice.output
    invited = runner.invoke(users, ["invite", "--org", "acme", "--email", "bob@example.org"])
    assert invited.exit_code == 0, invited.output
    assert re.search(r"^https://mm\.example/welcome/[\w-]{40,}$", invited.stdout.strip(), re.M)
    reset = runner.invoke(users, ["invite", "--org", "acme", "--email", "ada@example.org"])
    assert reset.exit_code == 0 and "/welcome/" in reset.stdout
    elsewhere = runner.invoke(users, ["invite", "--org", "globex", "--email", "ada@example.org"])
    assert elsewhere.exit_code == 1 and "another organization" in elsewhere.output
    listed = runner.invoke(users, ["list", "--org", "acme"])
    assert listed.stdout.splitlines() == ["ada@example.org\tactive", "bob@example.org\tinvited"]
