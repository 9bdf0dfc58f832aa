"""The teacher dashboard in Chromium, through the real hub: a teacher signs in to the hub,
opens the grading service's dashboard (JupyterHub OAuth), sees their class's learners ×
problems and downloads the gradebook; another class is a 404 and a learner gets a polite
403."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re

import pytest

from hub_config.devstack import Stack

from ..conftest import hub_api, hub_request, shot

RIGHT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"
ORIGINAL = """
VOWELS = "aeiouAEIOU"


def is_vowel(letter):
    # a vowel is one of the five letters, big or small
    return letter in VOWELS


def count_vowels(text):
    count = 0
    for letter in text:
        if is_vowel(letter):
            count = count + 1
        elif letter == " ":
            continue
    return count


def report(text):
    total = count_vowels(text)
    if total == 0:
        return "no vowels"
    return str(total) + " vowels"
"""
# The same, with every name changed and the functions in another order.
DISGUISED = """
def summary(words):
    n = count_vowels(words)
    if n == 0:
        return "none at all"
    return str(n) + " found"


LETTERS = "AEIOUaeiou"


def count_vowels(sentence):
    howmany = 0
    for ch in sentence:
        if check(ch):
            howmany = howmany + 1
        elif ch == " ":
            continue
    return howmany


def check(c):
    return c in LETTERS
"""


@pytest.fixture(scope="module")
def graded_class(hub_stack: Stack, verdict_of) -> dict[str, str]:
    """The demo class's learners have submitted: learner2 a wrong and then a right answer
    to add-two; for count-vowels learner1 an answer and learner2 a disguised copy of it."""
    tokens = {}
    for name in ("learner1", "learner2"):
        status, token = hub_api(
            hub_stack,
            "POST",
            f"/users/{name}/tokens",
            {"scopes": ["access:services!service=grader"], "note": "dashboard test"},
        )
        assert status == 201, token
        tokens[name] = token["token"]
    for name, problem, code in [
        ("learner2", "add-two", WRONG),
        ("learner2", "add-two", RIGHT),
        ("learner1", "count-vowels", ORIGINAL),
        ("learner2", "count-vowels", DISGUISED),
    ]:
        status, ticket = hub_request(
            hub_stack,
            "POST",
            "/services/grader/api/submissions",
            tokens[name],
            {"problem_id": problem, "code": code},
        )
        assert status == 202, ticket
        asyncio.run(verdict_of(f"{hub_stack.hub_url}/services/grader", ticket["id"], tokens[name]))
    return tokens


def sign_in(browser, stack: Stack, name: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{stack.hub_url}/hub/login?next=/hub/home")
    page.fill("#username_input", name)
    page.fill("#password_input", stack.demo_password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(r"/hub/home"))
    return page


def test_a_teacher_sees_their_class_and_downloads_the_gradebook(
    hub_stack: Stack, graded_class, browser
) -> None:
    # (graded_class first: it runs an event loop, which must be done before Playwright's
    # synchronous API starts one of its own in this thread)
    from playwright.sync_api import expect

    page = sign_in(browser, hub_stack, "teacher1")
    try:
        # From the hub's Services menu.
        page.goto(f"{hub_stack.hub_url}/hub/home")
        page.get_by_role("button", name="Services").click()
        page.get_by_role("link", name="grader").click()
        page.wait_for_url(re.compile(r"/services/grader/dashboard"))
        expect(page.locator("#cohort")).to_have_value("demo-class")
        row = page.locator('tr[data-learner="learner2"]')
        cell = row.locator("td.cell").first
        expect(cell).to_have_class(re.compile("solved"))
        expect(cell).to_have_attribute("aria-label", re.compile("2 attempts"))
        expect(page.locator("#stats")).to_contain_text("Add two numbers")
        shot(page, "teacher-dashboard")
        page.emulate_media(color_scheme="dark")
        shot(page, "teacher-dashboard-dark")
        page.emulate_media(color_scheme="light")

        # The drill-down: the learner's submissions with their code, and for the wrong one
        # why its hidden tests failed (learners never see that).
        row.get_by_role("button", name="learner2").click()
        panel = page.locator("#drill")
        expect(panel).to_be_visible()
        wrong = panel.locator("details.submission", has_text="failed")
        wrong.locator("summary").click()
        expect(wrong.locator("pre.code")).to_contain_text("return a - b")
        expect(wrong.locator("li.fail", has_text="(hidden)").first.locator("pre")).not_to_be_empty()
        shot(page, "teacher-drill-down")
        page.locator("#drill-close").click()

        # Similar code: the disguised copy is found and shown side by side.
        page.locator("#similar-problem").select_option("count-vowels")
        page.locator("#similar-check").click()
        expect(page.locator("#similar-pairs button.pair")).to_have_count(1)
        expect(page.locator("#similar-pairs")).to_contain_text("learner1 & learner2")
        side = page.locator("#similar-side .side")
        expect(side.locator(".m0").first).to_be_visible()
        side.scroll_into_view_if_needed()
        shot(page, "teacher-similarity")

        # Limits: one learner gets 1 submission a minute; the change is in the audit log
        # and the grading service applies it.
        page.locator("#limits-who").select_option("learner2")
        page.locator("#limits-rate").fill("1")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#limits-audit li").first).to_contain_text(
            "teacher1 set limits for learner2: 1/min, default (was default)"
        )
        status, me = hub_request(
            hub_stack, "GET", "/services/grader/api/me", graded_class["learner2"]
        )
        assert status == 200 and me["limits"]["rate_per_minute"] == 1
        # A request from another site (no xsrf token) changes nothing.
        forged = page.request.post(
            f"{hub_stack.hub_url}/services/grader/dashboard/cohorts/demo-class/limits",
            data={"learner": "learner2", "rate_per_minute": 0},
            max_redirects=0,
        )
        assert forged.status != 200
        status, me = hub_request(
            hub_stack, "GET", "/services/grader/api/me", graded_class["learner2"]
        )
        assert me["limits"]["rate_per_minute"] == 1
        page.get_by_role("button", name="Back to default").click()
        expect(page.locator("#limits-audit li").first).to_contain_text("clear limits")

        # The leaderboard: off until the teacher switches it on, with names they choose.
        status, board = hub_request(
            hub_stack, "GET", "/services/grader/api/leaderboard", graded_class["learner2"]
        )
        assert status == 200 and board == {"boards": []}
        page.locator('#board-names input[data-learner="learner1"]').fill("Star Coder")
        page.locator('#board-names input[data-learner="learner2"]').fill("Rocket")
        page.locator("#board-on").check()
        page.get_by_role("button", name="Save leaderboard").click()
        expect(page.locator("#board-status")).to_have_text("Saved.")
        status, board = hub_request(
            hub_stack, "GET", "/services/grader/api/leaderboard", graded_class["learner2"]
        )
        (mine,) = board["boards"]
        assert mine["display_name"] == "Demo class" and mine["me"]["name"] == "Rocket"
        assert {r["name"] for r in mine["rows"]} == {"Star Coder", "Rocket"}

        # An assessment, open now, set up on the dashboard; a learner submits for it, and
        # its own gradebook has just its problems and what was submitted for it.
        now = dt.datetime.now(dt.UTC)
        page.locator("#new-assessment summary").click()
        page.locator("#a-title").fill("Adding quiz")
        page.locator("#a-opens").fill((now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
        page.locator("#a-closes").fill((now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        page.locator("#a-attempts").fill("2")
        page.locator("#a-problems").select_option(["add-two"])
        page.get_by_role("button", name="Create").click()
        item = page.locator("#assessments li", has_text="Adding quiz")
        expect(item).to_contain_text("open")
        quiz = item.get_attribute("data-assessment")
        status, ticket = hub_request(
            hub_stack,
            "POST",
            "/services/grader/api/submissions",
            graded_class["learner1"],
            {"problem_id": "add-two", "code": RIGHT, "assessment_id": quiz},
        )
        assert status == 202 and ticket["assessment_id"] == quiz, ticket
        # (Playwright's synchronous API owns this thread's event loop: poll plainly.)
        for _ in range(12):
            _, result = hub_request(
                hub_stack,
                "GET",
                f"/services/grader/api/submissions/{ticket['id']}?wait=10",
                graded_class["learner1"],
            )
            if result["status"] == "graded":
                break
        assert result["verdict"] == "passed", result
        status, mine = hub_request(
            hub_stack, "GET", "/services/grader/api/assessments", graded_class["learner1"]
        )
        assert [(a["title"], a["state"], a["attempts"]) for a in mine["assessments"]] == [
            ("Adding quiz", "open", {"add-two": 1})
        ]
        book = page.request.get(
            f"{hub_stack.hub_url}/services/grader/dashboard/cohorts/demo-class/"
            f"gradebook.csv?assessment={quiz}"
        )
        assert f"gradebook-demo-class-{quiz}-" in book.headers["content-disposition"]
        rows = {r[0]: r for r in csv.reader(io.StringIO(book.text()))}
        assert rows["learner"] == ["learner", "add-two", "solved", "total"]
        assert rows["learner1"][1] == "10" and rows["learner2"][1] == "0"
        page.locator("#view").select_option(quiz)
        expect(page.locator("#summary")).to_contain_text("1 problem")
        shot(page, "teacher-assessment")

        # The learner's side, in JupyterLab: the quiz in the Problems panel, and Submit
        # asks whether the answer is for the quiz.
        learner = sign_in(browser, hub_stack, "learner2")
        try:
            learner.goto(f"{hub_stack.hub_url}/hub/spawn")
            learner.wait_for_url(re.compile(r"/user/learner2/lab"), timeout=120_000)
            notice = learner.locator(".jp-CodeRunner-privacyNotice")
            try:
                notice.get_by_role("button", name="I understand").click(timeout=15_000)
            except Exception:  # noqa: BLE001 - already accepted in an earlier test
                pass
            # A first visit in this browser opens the Problems panel by itself.
            problems = learner.locator(".jp-CodeRunner-problems")
            try:
                problems.wait_for(state="visible", timeout=15_000)
            except Exception:  # noqa: BLE001 - not a first visit: open it
                learner.locator('.lm-TabBar-tab[data-id="coderunner-problems"]').click()
            section = learner.locator(".jp-CodeRunner-assessments")
            expect(section).to_contain_text("Adding quiz", timeout=30_000)
            expect(section).to_contain_text("open")
            expect(section.locator(".jp-CodeRunner-attemptsLeft").first).to_have_text(
                "2 attempts left"
            )
            section.locator(".jp-CodeRunner-open").first.click()
            notebook = learner.locator(".jp-NotebookPanel:visible")
            editor = notebook.locator(".jp-CodeCell .cm-content").first
            editor.click()
            learner.keyboard.press("Control+a")
            learner.keyboard.press("Delete")
            learner.keyboard.type("def add(a, b): return a + b", delay=5)
            notebook.locator('[data-command="coderunner:submit"]').first.click()
            choice = learner.locator(".jp-CodeRunner-assessmentChoice")
            expect(choice).to_contain_text("You have 2 attempts left")
            shot(learner, "learner-assessment-choice")
            choice.get_by_role("button", name="Submit for Adding quiz").click()
            result = learner.locator('[data-cr="result-panel"]')
            expect(result).to_contain_text("Recorded for Adding quiz", timeout=60_000)
            expect(result.locator('[data-cr="result-score"]')).to_contain_text("10 / 10")
            shot(learner, "learner-assessment-result")
            # The class's leaderboard, switched on above, with the learner's own row.
            board = learner.locator(".jp-CodeRunner-leaderboard")
            expect(board).to_contain_text("Star Coder")
            expect(board.locator(".jp-mod-me")).to_contain_text("Rocket")
        finally:
            learner.context.close()

        base = f"{hub_stack.hub_url}/services/grader/dashboard/cohorts"
        book = page.request.get(f"{base}/demo-class/gradebook.csv")
        assert book.status == 200
        assert re.search(
            r'filename="gradebook-demo-class-\d{4}-\d\d-\d\d\.csv"',
            book.headers["content-disposition"],
        )
        rows = {r[0]: r for r in csv.reader(io.StringIO(book.text()))}
        header = rows["learner"]
        assert rows["learner2"][header.index("add-two")] == "10"

        # A class this teacher does not teach is not there at all.
        assert page.request.get(f"{base}/class-x/data").status == 404
        assert page.request.get(f"{base}/class-x/gradebook.csv").status == 404
        learners = f"{hub_stack.hub_url}/services/grader/dashboard/learners"
        assert page.request.get(f"{learners}/learner2/submissions").status == 200
        assert page.request.get(f"{learners}/rolex-learner/submissions").status == 404
    finally:
        page.context.close()


def test_a_learner_who_opens_the_dashboard_is_told_it_is_for_teachers(
    hub_stack: Stack, browser
) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, hub_stack, "learner1")
    try:
        response = page.goto(f"{hub_stack.hub_url}/services/grader/dashboard")
        assert response is not None and response.status == 403
        expect(page.locator("body")).to_contain_text("This page is for teachers")
        data = page.request.get(
            f"{hub_stack.hub_url}/services/grader/dashboard/cohorts/demo-class/data"
        )
        assert data.status == 403
    finally:
        page.context.close()
