"""What a learner sees, in a real browser (Debian's Chromium driven by Playwright):
log in at the hub, accept the privacy notice once, see the Problems panel and the
space left in the home, open a problem as a
notebook, write the answer, submit, and read the verdict and the updated progress."""

from __future__ import annotations

import re
import shutil

from hub_config.devstack import Stack

from ..conftest import ARTIFACTS, shot

ANSWER = "def add(a, b): return a + b"  # one line: no editor auto-indent to fight


def test_learner_solves_a_problem_in_jupyterlab(hub_stack: Stack, browser) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{hub_stack.hub_url}/hub/login")
        page.fill("#username_input", "learner1")
        page.fill("#password_input", hub_stack.demo_password)
        page.click("#login_submit")
        page.wait_for_url(re.compile(r"/user/learner1/lab"), timeout=120_000)
        page.locator("#jp-main-dock-panel").wait_for(timeout=120_000)

        # First sign-in: the school's privacy notice, accepted with one button.
        notice = page.locator(".jp-CodeRunner-privacyNotice")
        expect(notice).to_be_visible(timeout=60_000)
        expect(notice.get_by_role("heading", name="Before you start")).to_be_visible()
        expect(notice).to_contain_text("Who can see it")
        shot(page, "learner-privacy-notice")
        notice.get_by_role("button", name="I understand").click()
        expect(notice).to_have_count(0)

        page.locator('.lm-TabBar-tab[data-id="coderunner-problems"]').click()
        space = page.locator(".jp-CodeRunner-space")
        expect(space).to_contain_text("Your space", timeout=30_000)
        expect(space).to_contain_text("of 500 MB used")
        # The learner's class, and the track the class works on, marked and open.
        expect(page.locator(".jp-CodeRunner-cohort")).to_have_text("Demo class")
        track = page.locator(".jp-CodeRunner-track", has_text="Building blocks")
        expect(track.locator(".jp-CodeRunner-classTrack")).to_have_text("Your class")
        toggle = track.locator(".jp-CodeRunner-trackToggle")
        expect(toggle).to_be_visible()
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        problem = track.locator('.jp-CodeRunner-problem[data-problem-id="add-two"]')
        expect(problem).to_be_visible()
        expect(track.locator(".jp-CodeRunner-locked").first).to_be_visible()
        shot(page, "learner-problems")

        problem.locator(".jp-CodeRunner-open").click()
        notebook = page.locator(".jp-NotebookPanel:visible")
        expect(notebook.locator(".jp-Cell")).to_have_count(2)
        expect(notebook.locator(".jp-MarkdownCell")).to_contain_text("Add two numbers")

        editor = notebook.locator(".jp-CodeCell .cm-content").first
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.type(ANSWER, delay=5)
        expect(editor).to_contain_text("return a + b")

        notebook.locator('[data-command="coderunner:submit"]').first.click()
        result = page.locator(".jp-CodeRunner-result")
        expect(result).to_contain_text("Score 10 / 10", timeout=60_000)
        expect(result.locator(".jp-CodeRunner-test")).to_have_count(6)
        shot(page, "learner-result")
        page.get_by_role("button", name="Close").click()

        expect(problem).to_have_class(re.compile("jp-mod-solved"), timeout=30_000)
        shot(page, "learner-progress")

        # Accepted once is enough: the notice does not come back on the next visit.
        page.reload()
        page.locator('.lm-TabBar-tab[data-id="coderunner-problems"]').wait_for()
        page.wait_for_timeout(3000)
        expect(page.locator(".jp-CodeRunner-privacyNotice")).to_have_count(0)
    finally:
        context.close()
    for name in ("learner-result", "learner-problems", "learner-privacy-notice"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000
    shutil.copy(ARTIFACTS / "learner-result.png", ARTIFACTS / "readme-learner.png")
