"""A learner's day, in a real browser (Debian's Chromium driven by Playwright) on a whole
platform of this module's own: sign in, the privacy notice, the Problems panel on the
first visit, a hint, a practice check, a wrong answer's diff in the result side panel, a
right answer (solved, the summary and streak updated without a reload), the history and
putting older code back, the same from a ``.py`` file in the editor (run with typed
input, submit with the keyboard), Notebook 7, a turtle drawing problem, a locked level,
and the axe accessibility check in the light and the dark theme. Every step is
screenshotted into tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from hub_config.devstack import Stack
from hub_config.settings import ROOT

from ..conftest import hub_api, hub_request, platform_stack, running, shot

GREETING_WRONG = "name = input('What is your name? ')\nprint('Beep boop!')\nprint('Hello ' + name)"
GREETING_RIGHT = (
    "name = input('What is your name? ')\nprint('Beep boop!')\n"
    "print('Hello, ' + name + '! I am Robo.')"
)
SQUARE = (
    "import turtle\nt = turtle.Turtle()\nfor side in range(4):\n    t.forward(100)\n    t.left(90)"
)


@pytest.fixture(scope="module")
def day_stack(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str) -> Iterator[Stack]:
    stack = platform_stack(tmp_path_factory.mktemp("day"), sandbox_image)
    with running(stack, "day"):
        yield stack


def token_of(stack: Stack, name: str) -> str:
    status, token = hub_api(
        stack,
        "POST",
        f"/users/{name}/tokens",
        {"scopes": ["access:services!service=grader"], "note": "learner day test"},
    )
    assert status == 201, token
    return token["token"]


def sign_in(browser, stack: Stack, name: str, path: str = "lab"):
    """A signed-in page at the learner's JupyterLab (or ``path`` under their server),
    with the privacy notice accepted."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{stack.hub_url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", stack.demo_password)
    page.click("#login_submit")  # the hub starts the learner's server, then opens Lab
    page.wait_for_url(re.compile(rf"^{re.escape(stack.hub_url)}/user/{name}/lab"), timeout=180_000)
    if path != "lab":
        page.goto(f"{stack.hub_url}/user/{name}/{path}")
    notice = page.locator(".jp-CodeRunner-privacyNotice")
    expect(notice).to_be_visible(timeout=120_000)
    return page, notice


def accept_notice(page, notice) -> None:
    from playwright.sync_api import expect

    notice.get_by_role("button", name="I understand").click()
    expect(notice).to_have_count(0)


def open_track(page, track_id: str):
    from playwright.sync_api import expect

    toggle = page.locator(f'[data-cr="track-toggle"][data-id="{track_id}"]')
    expect(toggle).to_be_visible()
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return page.locator(".jp-CodeRunner-track", has=toggle)


def replace_code(page, editor, code: str) -> None:
    """Put ``code`` into a CodeMirror editor as typed text (``insert_text``: no key
    presses, so no auto-indent and no tooltip)."""
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def run_first_code_cell(page, notebook) -> None:
    """Run the first code cell (Ctrl+Enter) once its kernel has taken it: a run asked for
    while a new kernel is still starting can be dropped, so it is asked again."""
    cell = notebook.locator(".jp-CodeCell").first
    prompt = cell.locator(".jp-InputPrompt")
    for _ in range(6):
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        try:
            prompt.filter(has_text=re.compile(r"\[[0-9*]+\]")).wait_for(timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: ask again
            continue
    raise AssertionError("the kernel never ran the cell")


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page (Code Runner's parts)."""
    from axe_playwright_python.sync_playwright import Axe

    parts = [[".jp-CodeRunner-problems"], [".jp-CodeRunner-resultPanel"]]
    results = Axe().run(page, context={"include": parts})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_learners_day_in_jupyterlab(day_stack: Stack, browser) -> None:
    from playwright.sync_api import expect

    page, notice = sign_in(browser, day_stack, "learner1")
    try:
        # 1. First visit: the notice, then the Problems panel open on "Start here".
        expect(notice).to_contain_text("Who can see it")
        shot(page, "learner-privacy-notice")
        accept_notice(page, notice)
        start = page.locator('[data-cr="start-here"]')
        expect(start).to_be_visible(timeout=30_000)
        expect(page.locator('[data-cr="guide"]')).to_contain_text("Leo")
        expect(page.locator(".jp-CodeRunner-space")).to_contain_text("of 500 MB used")
        expect(page.locator(".jp-CodeRunner-cohort")).to_have_text("Demo class")
        shot(page, "learner-first-visit")

        # 9. A locked level: no Open button, the rule instead; the server refuses too.
        track = open_track(page, "ages-8-11")
        locked = track.locator('.jp-CodeRunner-problem[data-problem-id="sock-pairs"]')
        expect(locked).to_have_attribute("data-state", "locked")
        expect(locked.locator('[data-cr="open-button"]')).to_have_count(0)
        expect(track.locator('[data-cr="locked-rule"]').first).to_contain_text(
            "Solve 2 of the 3 problems in level 1"
        )
        refused = page.evaluate(
            """async () => {
                const xsrf = document.cookie.match(/_xsrf=([^;]+)/)?.[1] ?? '';
                const r = await fetch('coderunner/api/problems/sock-pairs/open', {
                  method: 'POST', body: '{}', headers: {'X-XSRFToken': decodeURIComponent(xsrf)}});
                return [r.status, await r.json()];
            }"""
        )
        assert refused[0] == 403 and refused[1]["reason"] == "locked", refused
        assert refused[1]["message"].startswith("This level is locked. Solve 2 of the 3")
        shot(page, "learner-locked-level")

        # 2. Open a problem and reveal a hint.
        problem = track.locator('.jp-CodeRunner-problem[data-problem-id="robot-greeting"]')
        problem.locator('[data-cr="open-button"]').click()
        notebook = page.locator(".jp-NotebookPanel:visible")
        expect(notebook.locator(".jp-MarkdownCell")).to_contain_text("Robot greeting")
        editor = notebook.locator(".jp-CodeCell .cm-content").first
        replace_code(page, editor, GREETING_WRONG)
        notebook.locator('[data-command="coderunner:check"]').first.click()
        panel = page.locator('[data-cr="result-panel"]')
        expect(panel).to_be_visible()
        panel.locator('[data-cr="hint-button"]').click()
        expect(panel.locator('[data-cr="hint-item"]')).to_have_count(1)
        expect(panel.locator('[data-cr="hints"]')).to_contain_text("Hint 1 of 2")

        # 3. Check (practice), then a wrong submission: the diff in the side panel.
        expect(panel.locator('[data-cr="practice-label"]')).to_be_visible()
        expect(panel.locator('[data-cr="diff"]').first).to_contain_text("Hello Mia")
        expect(panel.locator('[data-cr="input-used"]').first).to_contain_text("Mia")
        shot(page, "learner-check-and-hint")
        notebook.locator('[data-command="coderunner:submit"]').first.click()
        verdict = panel.locator('[data-cr="result-verdict"]')
        expect(panel.locator('[data-cr="result-score"]')).to_contain_text("0 / 10", timeout=90_000)
        expect(panel.locator('[data-cr="diff"]').first).to_contain_text("Hello, Mia! I am Robo.")
        expect(panel.locator('[data-cr="practice-label"]')).to_have_count(0)
        expect(panel).not_to_contain_text("HTTP")
        shot(page, "learner-result-diff")

        # 4. Fixed and submitted: solved, and the summary and streak change with no reload.
        summary = page.locator('[data-cr="summary"]')
        expect(summary).to_contain_text("0 solved")
        replace_code(page, editor, GREETING_RIGHT)
        notebook.locator('[data-command="coderunner:submit"]').first.click()
        expect(panel.locator('[data-cr="result-score"]')).to_contain_text("10 / 10", timeout=90_000)
        expect(verdict).to_be_visible()
        expect(summary).to_contain_text("1 solved", timeout=30_000)
        expect(summary).to_contain_text("1-day streak")
        expect(problem).to_have_attribute("data-state", "solved")
        shot(page, "learner-solved")

        # 5. The history: two tries; the older one's code goes back into the notebook.
        history = panel.locator('[data-cr="history-item"]')
        expect(history).to_have_count(2, timeout=30_000)
        history.nth(1).click()
        panel.locator('[data-cr="restore-button"]').click()
        page.get_by_role("button", name="Put it back").click()
        expect(editor).to_contain_text("print('Hello ' + name)")
        shot(page, "learner-history-restored")

        # 6. The same from a .py file: statement beside it, run with typed input, submit
        #    with the keyboard.
        page.get_by_label("Open as").select_option("script")
        echo = track.locator('.jp-CodeRunner-problem[data-problem-id="mountain-echo"]')
        echo.locator('[data-cr="open-button"]').click()
        file_editor = page.locator(".jp-FileEditor:visible .cm-content")
        expect(file_editor).to_contain_text("coderunner: problem_id=mountain-echo")
        statement = panel.locator('[data-cr="statement"]')
        expect(statement).to_be_visible()
        solution = (ROOT / "content/ages-8-11/level-1/mountain-echo/solution.py").read_text()
        replace_code(page, file_editor, solution.strip())
        run_input = panel.locator('[data-cr="run-input"]')
        run_input.fill("hello")
        panel.locator('[data-cr="run-button"]').click()
        expect(panel.locator('[data-cr="run-output"]')).not_to_be_empty(timeout=30_000)
        shot(page, "learner-py-run")
        file_editor.click()
        page.keyboard.press("Control+Shift+Enter")
        expect(panel.locator('[data-cr="result-score"]')).to_contain_text("10 / 10", timeout=90_000)
        expect(summary).to_contain_text("2 solved", timeout=30_000)
        shot(page, "learner-py-solved")

        # 10. No serious or critical accessibility faults, in the light and dark themes.
        assert axe_violations(page) == []
        page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
        page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
        page.locator(".lm-Menu-itemLabel").get_by_text("JupyterLab Dark", exact=True).click()
        page.wait_for_timeout(2000)
        shot(page, "learner-dark-theme")
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_notebook_7_and_a_turtle_drawing(day_stack: Stack, browser) -> None:
    """learner2 solved levels 1 and 2 of First steps earlier (through the API), so the
    turtle square of level 3 is open; Notebook 7's view shows the same buttons."""
    from playwright.sync_api import expect

    token = token_of(day_stack, "learner2")
    for level in (1, 2):
        for folder in sorted((ROOT / "content/ages-8-11" / f"level-{level}").iterdir()):
            if not (folder / "solution.py").exists():
                continue
            status, ticket = hub_request(
                day_stack,
                "POST",
                "/services/grader/api/submissions",
                token,
                {"problem_id": folder.name, "code": (folder / "solution.py").read_text()},
            )
            assert status == 202, (folder.name, ticket)
            wait_for_verdict(day_stack, token, ticket["id"])

    page, notice = sign_in(browser, day_stack, "learner2", "tree")
    try:
        accept_notice(page, notice)
        # 7. Notebook 7: the problem opened from the API shows Check and Submit there too.
        status, opened = page_post(page, "coderunner/api/problems/turtle-square/open")
        assert status in (200, 201), opened
        page.goto(f"{day_stack.hub_url}/user/learner2/notebooks/{opened['path']}")
        notebook = page.locator(".jp-NotebookPanel")
        expect(notebook.locator(".jp-MarkdownCell").first).to_contain_text("square")
        expect(page.locator('[data-command="coderunner:check"]').first).to_be_visible()
        editor = notebook.locator(".jp-CodeCell .cm-content").first

        # 8. The turtle draws in the notebook, and the drawing is what gets graded.
        replace_code(page, editor, SQUARE)
        run_first_code_cell(page, notebook)
        drawing = notebook.locator(".jp-OutputArea-output svg, .jp-OutputArea-output img").first
        expect(drawing).to_be_visible(timeout=60_000)
        shot(page, "learner-turtle-drawing")
        page.locator('[data-command="coderunner:submit"]').first.click()
        panel = page.locator('[data-cr="result-panel"]')
        expect(panel.locator('[data-cr="result-score"]')).to_contain_text("15 / 15", timeout=90_000)
        shot(page, "learner-notebook7-turtle-solved")
    finally:
        page.context.close()


def page_post(page, path: str, body: dict | None = None) -> tuple[int, dict]:
    return tuple(
        page.evaluate(
            """async ([path, body]) => {
                const xsrf = document.cookie.match(/_xsrf=([^;]+)/)?.[1] ?? '';
                const r = await fetch(path, {method: 'POST', body: JSON.stringify(body),
                  headers: {'X-XSRFToken': decodeURIComponent(xsrf)}});
                return [r.status, await r.json()];
            }""",
            [path, body or {}],
        )
    )  # type: ignore[return-value]


def wait_for_verdict(stack: Stack, token: str, submission_id: str) -> dict:
    for _ in range(60):
        status, body = hub_request(
            stack, "GET", f"/services/grader/api/submissions/{submission_id}?wait=5", token
        )
        if body and body.get("status") in ("graded", "failed"):
            assert body["verdict"] == "passed", body
            return body
    raise AssertionError(f"no verdict for {submission_id}")
