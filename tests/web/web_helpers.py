"""Helpers of the web app's tests: a signed-in browser-like client (cookies, CSRF tokens
read from the pages), the mapping form as a page fills it, running queued runs here, and
the checker on every stored result."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from api.db import transaction

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "coaching-sample.csv"
GOOGLE = ROOT / "tests" / "data" / "forms" / "google-signup.csv"
PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_user(sessions, org: str, email: str, password: str | None = PASSWORD):
    from api.accounts import create_user

    with transaction(sessions) as session:
        return create_user(session, org, email, password).id


class Browser:
    """The Flask test client used like a browser: it keeps cookies and sends each form's
    CSRF token, taken from the last page it read."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, path, **kwargs):
        response = self.client.get(path, **kwargs)
        found = response.mimetype == "text/html" and _TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, *, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(path, data=data, **kwargs)

    def sign_in(self, email, password=PASSWORD):
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password, "next": "/"})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.get("/")
        return response

    def upload(self, path: Path, name="spring", program="coaching", content: bytes | None = None):
        self.get("/cohorts/new")
        data = content if content is not None else path.read_bytes()
        form = {"name": name, "program": program, "file": (_stream(data), path.name)}
        return self.post("/cohorts/new", form, content_type="multipart/form-data")


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


def page_form(html: str, form_id: str) -> dict:
    """The values a browser would send for the form ``form_id`` as the page shows it."""
    start = html.index(f'id="{form_id}"')
    end = html.index("</form>", start)
    part = html[start:end]
    values = {}
    for m in re.finditer(r"<select[^>]*name=\"([^\"]+)\"[^>]*>(.*?)</select>", part, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        first = re.search(r'<option value="([^"]*)"', m.group(2))
        values[m.group(1)] = (chosen or first).group(1) if (chosen or first) else ""
    for m in re.finditer(r"<textarea[^>]*name=\"([^\"]+)\"[^>]*>(.*?)</textarea>", part, re.S):
        values[m.group(1)] = _unescape(m.group(2))
    for m in re.finditer(r"<input([^>]*)>", part):
        attrs = m.group(1)
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or name.group(1) == "csrf_token":
            continue
        value = re.search(r'value="([^"]*)"', attrs)
        kind = re.search(r'type="([^"]+)"', attrs)
        if kind and kind.group(1) == "checkbox":
            if " checked" in attrs:
                values[name.group(1)] = "on" if not value else value.group(1)
            continue
        values[name.group(1)] = _unescape(value.group(1)) if value else ""
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def location_id(response) -> str:
    return response.headers["Location"].rstrip("/").split("/")[-1]


def run_queued(app, run_id: str) -> None:
    """Run a queued run here with the workers' own code, as a worker would."""
    from api.jobs.execute import execute_run

    services = app.extensions["mentormatch"]
    outcome = execute_run(services.sessions, run_id, "test-worker", services.settings)
    assert outcome == "succeeded", (run_id, outcome)


def checked(sessions, run_id: str) -> None:
    """The independent checker passes on the stored result of ``run_id``."""
    from api.store import load_result, solved_inputs
    from api.tables import Run
    from matcher.checker import check

    with sessions() as session:
        run = session.get(Run, run_id)
        cohort, policy = solved_inputs(session, run)
        result = load_result(session, run)
    assert check(cohort, policy, result) == []


def newest_run(sessions, cohort_id: str) -> str:
    from api.tables import Run

    with sessions() as session:
        return session.scalar(
            select(Run.id).where(Run.cohort_id == cohort_id).order_by(Run.created_at.desc())
        )
