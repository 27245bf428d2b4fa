"""Fixtures of the web app's tests: an app on each database (runs are executed in the test
with the workers' code), coordinators of two organizations, signed-in clients."""

from __future__ import annotations

import pytest
from web_helpers import Browser, make_user


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "EXECUTOR": "none"})
    yield app
    app.extensions["mentormatch"].close()


@pytest.fixture
def sessions(app):
    return app.extensions["mentormatch"].sessions


@pytest.fixture
def ada(app, sessions):
    make_user(sessions, "acme", "ada@example.org")
    browser = Browser(app.test_client())
    browser.sign_in("ada@example.org")
    return browser


@pytest.fixture
def eve(app, sessions):
    """A coordinator of another organization."""
    make_user(sessions, "globex", "eve@example.org")
    browser = Browser(app.test_client())
    browser.sign_in("eve@example.org")
    return browser
