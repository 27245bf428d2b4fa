"""The web app in a real browser: Playwright driving Debian's chromium against the app
served by waitress with its in-process workers, on an SQLite file.

The walks: the coaching sample (dropped on the upload area, a broken cell fixed with a
corrected sheet) and a Google Forms export (an unknown answer fixed in the mapping), each
run, a pair declined, re-solved (only who must moves), published and downloaded; another
organization's coordinator sees none of it; every control of every page has a label and
is reached with the Tab key. The checker passes on every result; screenshots of each step
go to a temporary folder (``MENTORMATCH_SCREENSHOTS`` keeps them elsewhere).

Chromium is ``MENTORMATCH_CHROMIUM`` (`.ci/run` installs Debian's and sets it), else
``/usr/bin/chromium``; without either the tests are skipped, with the reason.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from web_helpers import GOOGLE, PASSWORD, SAMPLE, checked, make_user

from api.decisions import draft
from api.tables import Run

CHROMIUM = os.environ.get("MENTORMATCH_CHROMIUM") or "/usr/bin/chromium"
if not os.environ.get("MENTORMATCH_CHROMIUM") and not Path(CHROMIUM).exists():
    pytest.skip(
        "no chromium: apt-get install chromium (or set MENTORMATCH_CHROMIUM)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")
TIMEOUT = 30_000  # ms; a run of the sample takes well under a second


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port, runs solved by its own worker threads; two coordinators."""
    from waitress import create_server

    from api import create_app
    from api.migrate import upgrade

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'mentormatch.db'}"
    upgrade(url)
    previous = os.environ.get("MENTORMATCH_INSTANCE_PATH")
    os.environ["MENTORMATCH_INSTANCE_PATH"] = str(folder / "instance")
    settings = {"DATABASE_URL": url, "EXECUTOR": "inprocess", "HEARTBEAT_SECONDS": 0.2}
    app = create_app(settings)
    services = app.extensions["mentormatch"]
    make_user(services.sessions, "acme", "ada@example.org")
    make_user(services.sessions, "globex", "eve@example.org")
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.effective_port}"
    server.close()
    services.close()
    if previous is None:
        os.environ.pop("MENTORMATCH_INSTANCE_PATH", None)
    else:
        os.environ["MENTORMATCH_INSTANCE_PATH"] = previous


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("MENTORMATCH_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_page(chromium, live):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.base = live[1]
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Scripts that fail and anything the Content-Security-Policy refused (not the 4xx pages
    # a walk asks for on purpose).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.errors = errors
    return page


def sign_in(page, email):
    """Sign in with the keyboard only: type, Tab, type, Enter."""
    page.goto(page.base + "/")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Cohorts of")


def drop_file(page, selector, path: Path, content: bytes):
    """Drop a file on an upload area, as dragging it from the desktop does."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, {type: "text/csv"}));
            return transfer;
        }""",
        [path.name, content.decode("utf-8")],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def review_run_id(page) -> str:
    page.wait_for_selector("table.pairs")
    return re.search(r"/runs/(run_\w+)", page.url)[1]


def decline_first_and_resolve(page, app, shots, name):
    """Decline the best pair, re-solve; returns (declined mentee, new run id, moves)."""
    row = page.locator("table.pairs tbody tr").first
    mentee = row.locator("td").first.locator(".id").inner_text()
    row.get_by_role("button", name=re.compile("^Decline")).click()
    page.wait_for_selector(".decision-decline")
    page.screenshot(path=shots / f"{name}-4-declined.png")
    page.get_by_role("button", name="Re-solve with 1 decision").click()
    page.wait_for_selector("#moves-title")
    new = review_run_id(page)
    page.screenshot(path=shots / f"{name}-5-resolved.png", full_page=True)
    sessions = app.extensions["mentormatch"].sessions
    with sessions() as session:
        moves = session.get(Run, new).moves
    return mentee, new, moves


def publish_and_download(page, shots, name):
    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_selector("text=Published as version 1")
    with page.expect_download() as caught:
        page.get_by_role("link", name="pairs CSV").click()
    text = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    assert caught.value.suggested_filename.endswith("-v1-pairs.csv")
    page.screenshot(path=shots / f"{name}-6-published.png")
    return text


def test_the_coaching_sample_from_upload_to_published_pairs(live, chromium, shots):
    app, _ = live
    page = new_page(chromium, live)
    sign_in(page, "ada@example.org")
    page.get_by_role("link", name="New cohort", exact=True).click()
    page.get_by_label("Cohort name").fill("Spring coaching")
    broken = SAMPLE.read_bytes().replace(b"M01,mentor,Priya Raman", b"M01,mentr,Priya Raman")
    drop_file(page, "[data-drop]", SAMPLE, broken)
    assert page.locator("[data-drop-hint]").inner_text() == "Chosen: coaching-sample.csv"
    page.screenshot(path=shots / "sample-1-upload.png")
    page.get_by_role("button", name="Upload and map the columns").click()
    page.get_by_role("button", name="Check the sheet and store the cohort").click()
    problems = page.locator("table.problems tbody tr")
    assert problems.count() == 1 and "mentr" in problems.first.inner_text()
    page.screenshot(path=shots / "sample-2-problem.png")
    page.get_by_label("Corrected sheet").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload the corrected sheet").click()
    page.wait_for_selector("text=reads without problems")
    page.get_by_role("button", name="Check the sheet and store the cohort").click()
    page.wait_for_selector("text=How should Spring coaching be matched?")
    goals = page.get_by_label("Shared career goals")
    goals.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # 0.10 -> 0.30, with the keyboard
    assert page.locator("#w-goals-value").inner_text() == "0.30"
    page.screenshot(path=shots / "sample-3-policy.png", full_page=True)
    page.get_by_role("button", name="Run the match").click()
    first = review_run_id(page)
    assert "27 of 29 places matched" in page.locator(".summary").inner_text()
    assert page.locator("table.pairs meter").count() > 100
    page.screenshot(path=shots / "web-review.png")
    mentee, new, moves = decline_first_and_resolve(page, app, shots, "sample")
    assert {m["mentee_id"] for m in moves if m["from_mentor"]} == {mentee}
    assert all(m["mentee_id"] == mentee or m["from_mentor"] is None for m in moves)
    text = publish_and_download(page, shots, "sample")
    assert "Priya Raman" in text and mentee not in [
        line.split(",")[0] for line in text.splitlines()[1:28]
    ]
    page.get_by_role("link", name="Pictures").click()
    assert page.locator("svg.chart").count() == 4  # scores, loads, skills, departments
    page.get_by_text("Mix by department as a table").click()
    assert page.locator("table:has-text('mentor') th[scope=row]").count() > 1
    page.screenshot(path=shots / "sample-7-pictures.png", full_page=True)
    sessions = app.extensions["mentormatch"].sessions
    for run in (first, new):
        checked(sessions, run)
    with sessions() as session:
        assert session.get(Run, new).policy["rules"]["forbidden_pairs"] == []  # base policy
        assert session.get(Run, new).changes["changes"]["forbid"][0][0] == mentee
    assert page.errors == []


def test_a_forms_export_with_an_answer_fixed_in_the_mapping(live, chromium, shots):
    app, _ = live
    page = new_page(chromium, live)
    sign_in(page, "ada@example.org")
    page.goto(page.base + "/cohorts/new")
    page.get_by_label("Cohort name").fill("Mentoring signups")
    page.get_by_label("Programme").select_option("mentoring")
    sheet = GOOGLE.read_text(encoding="utf-8").replace(",3+,12,Data,", ",maybe,12,Data,", 1)
    path = shots / "google-signup.csv"
    path.write_text(sheet, encoding="utf-8")
    page.get_by_label("Sheet of people").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()
    assert page.get_by_label("Is").nth(1).input_value() == "id"  # Email Address -> id + email
    page.get_by_role("button", name="Check the sheet and store the cohort").click()
    problem = page.locator("table.problems tbody tr")
    assert problem.count() == 1 and "maybe" in problem.inner_text()
    page.screenshot(path=shots / "forms-1-problem.png")
    problem.get_by_role("link").click()  # to the column's settings
    column = page.locator("fieldset:target")
    column.locator("summary").click()
    column.get_by_label(re.compile("^Answers read as")).fill("maybe = 1")
    page.get_by_role("button", name="Check the sheet and store the cohort").click()
    page.wait_for_selector("text=Your own questions")
    page.get_by_label("How hobbies_interests counts").select_option("overlap")
    page.screenshot(path=shots / "forms-2-policy.png", full_page=True)
    page.get_by_role("button", name="Run the match").click()
    first = review_run_id(page)
    mentee, new, moves = decline_first_and_resolve(page, app, shots, "forms")
    assert {m["mentee_id"] for m in moves if m["from_mentor"]} == {mentee}
    publish_and_download(page, shots, "forms")
    with page.expect_download() as caught:
        page.get_by_role("link", name="introductions").click()
    intros = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    assert intros.startswith("mentee_name,mentee_email,mentor_name,mentor_email,subject")
    sessions = app.extensions["mentormatch"].sessions
    for run in (first, new):
        checked(sessions, run)
    with sessions() as session:
        rules = session.get(Run, first).policy["attributes"]
    assert [r["rule"] for r in rules] == ["overlap"]
    assert page.errors == []


def test_add_a_place_then_compare_variants_and_promote_one(live, chromium, shots):
    """Upload and run the sample, give the mentor an unmatched mentee's reason names one
    more place (re-solved at once), then compare variants of the draft and promote one."""
    app, _ = live
    sessions = app.extensions["mentormatch"].sessions
    page = new_page(chromium, live)
    sign_in(page, "ada@example.org")
    page.goto(page.base + "/cohorts/new")
    page.get_by_label("Cohort name").fill("Autumn coaching")
    page.get_by_label("Sheet of people").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and map the columns").click()
    page.get_by_role("button", name="Check the sheet and store the cohort").click()
    page.get_by_role("button", name="Run the match").click()
    first = review_run_id(page)
    page.get_by_role("link", name=re.compile(r"^Unmatched")).click()
    button = page.get_by_role("button", name=re.compile("^Give .* one more place for "))
    said = button.first.get_attribute("aria-label")
    mentor, mentee = re.match(r"Give (.+) one more place for (.+) and re-solve", said).groups()
    page.screenshot(path=shots / "place-1-unmatched.png", full_page=True)
    button.first.click()
    page.wait_for_selector("#moves-title")
    placed = review_run_id(page)
    assert mentee in page.locator("section.panel").inner_text()
    page.screenshot(path=shots / "place-2-resolved.png", full_page=True)
    with sessions() as session:
        run, before = session.get(Run, placed), session.get(Run, first)
        assert run.metrics["matched_places"] == before.metrics["matched_places"] + 1
        move = next(m for m in run.moves if m["mentee_id"] == mentee)
        assert move["to_mentor"] == mentor
    page.get_by_role("link", name="What if…").click()
    page.get_by_label("Setting").select_option("capacity.all")
    page.get_by_label("Values (comma-separated)").fill("1, 2")
    variant = page.locator("#variant-0")
    variant.get_by_label("Name").fill("no goals")
    variant.get_by_label("Weights").fill("goals=0")
    page.screenshot(path=shots / "whatif-1-variants.png", full_page=True)
    page.get_by_role("button", name="Run the variants").click()
    page.wait_for_selector("table.compare")
    assert page.locator("table.compare tbody tr").count() == 4
    assert page.locator("svg.chart").count() == 2
    page.screenshot(path=shots / "whatif-2-compared.png", full_page=True)
    page.get_by_role("button", name="Make no goals the draft").click()
    page.wait_for_selector("text=is the draft now")
    promoted = review_run_id(page)
    page.screenshot(path=shots / "whatif-3-promoted.png")
    with sessions() as session:
        scenario = session.get(Run, promoted).scenario_id
        runs = session.scalars(select(Run.id).where(Run.scenario_id == scenario)).all()
        assert draft(session, session.get(Run, promoted).cohort_id).id == promoted
    for run_id in (first, placed, *runs):
        checked(sessions, run_id)
    assert page.errors == []


def test_a_colleague_is_invited_from_the_team_page(live, chromium, shots):
    page = new_page(chromium, live)
    sign_in(page, "ada@example.org")
    page.get_by_role("link", name="Team").click()
    page.get_by_label("Invite a colleague (email)").fill("bob@example.org")
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("One-time link for bob@example.org").input_value()
    page.screenshot(path=shots / "team-1-invited.png", full_page=True)
    assert "invited" in page.locator("table.list").inner_text()
    bob = new_page(chromium, live)
    bob.goto(link)
    bob.locator("input[type=password]").first.fill(PASSWORD)
    bob.locator("input[type=password]").nth(1).fill(PASSWORD)
    bob.locator("input[type=password]").nth(1).press("Enter")
    bob.wait_for_selector("text=Cohorts of acme")
    page.reload()
    assert "bob@example.org\tactive" in page.locator("table.list").inner_text()
    assert page.errors == [] and bob.errors == []


def test_another_organization_sees_none_of_it(live, chromium, shots):
    app, _ = live
    sessions = app.extensions["mentormatch"].sessions
    with sessions() as session:
        run = session.scalar(select(Run.id).order_by(Run.created_at))
    assert run is not None, "runs after the walks above"
    page = new_page(chromium, live)
    sign_in(page, "eve@example.org")
    assert "No cohorts yet" in page.locator("main").inner_text()
    response = page.goto(f"{page.base}/runs/{run}")
    assert response.status == 404 and "another organization" in page.locator("main").inner_text()
    page.screenshot(path=shots / "other-organization.png")


LABELS = """() => {
  const visible = (el) => el.checkVisibility({visibilityProperty: true});
  const missing = [];
  for (const el of document.querySelectorAll("input, select, textarea, button, a[href]")) {
    if (el.type === "hidden" || !visible(el)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || ((el.tagName === "BUTTON" || el.tagName === "A") && el.textContent.trim());
    if (!named) missing.push(el.outerHTML.slice(0, 120));
  }
  return missing;
}"""
FOCUSABLE = """() => [...document.querySelectorAll("input, select, textarea, button, a, summary")]
  .filter((el) => el.type !== "hidden" && !el.disabled && (el.tagName !== "A" || el.href)
          && el.checkVisibility({visibilityProperty: true}))
  .map((el) => el.id || el.name || el.textContent.trim().slice(0, 40))"""


def tab_through(page) -> set[str]:
    """Every control the Tab key reaches from the top of the page, by id, name or text."""
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached, first = [], None
    for _ in range(600):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => { const el = document.activeElement;"
            " return el ? (el.id || el.name || el.textContent.trim().slice(0, 40)) : ''; }"
        )
        if here == first:
            break
        first = first or here
        reached.append(here)
    return set(reached)


def test_every_control_has_a_label_and_the_tab_key_reaches_it(live, chromium, shots):
    app, _ = live
    page = new_page(chromium, live)
    page.goto(page.base + "/login")
    assert page.evaluate(LABELS) == []
    sign_in(page, "ada@example.org")
    sessions = app.extensions["mentormatch"].sessions
    with sessions() as session:
        run = session.scalar(select(Run.id).where(Run.kind == "rematch").order_by(Run.created_at))
        cohort = session.get(Run, run).cohort_id
        scenario = session.scalar(select(Run.scenario_id).where(Run.scenario_id.is_not(None)))
    page.goto(page.base + "/cohorts/new")
    page.get_by_label("Cohort name").fill("Keyboard")
    page.get_by_label("Sheet of people").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and map the columns").click()
    mapping = page.url
    pages = [
        "/",
        "/cohorts/new",
        mapping,
        f"/cohorts/{cohort}",
        f"/cohorts/{cohort}/policy",
        f"/runs/{run}",
        f"/runs/{run}/unmatched",
        f"/runs/{run}/programme",
        f"/cohorts/{cohort}/whatif",
        f"/scenarios/{scenario}",
        "/team",
    ]
    for path in pages:
        page.goto(path if path.startswith("http") else page.base + path)
        assert page.evaluate(LABELS) == [], path
        controls = set(page.evaluate(FOCUSABLE))
        missed = controls - tab_through(page)
        assert not missed, (path, sorted(missed)[:10])
    page.screenshot(path=shots / "keyboard-mapping.png")
