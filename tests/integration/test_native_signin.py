"""Sign-in outside demo mode, with the hub's NativeAuthenticator, in Debian's Chromium and
over plain HTTP: a learner signs up and waits for approval, weak passwords are refused,
an admin named in CODERUNNER_ADMIN_USERS is approved at sign-up and approves learners at
/hub/authorize, an approved learner signs in, and ten wrong passwords lock a name (even
against the right password) without locking anyone else.

NativeAuthenticator counts failed logins per name in the hub's memory; the lock lasts
``seconds_before_next_try`` (15 minutes here), which the unit test in
tests/hub_config/test_jupyterhub_config.py covers by moving the clock. No learner server
is started: sign-ins go to ``/hub/home`` instead of the spawn page."""

from __future__ import annotations

import html
import http.cookiejar
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from hub_config.devstack import Stack

from ..conftest import platform_stack, running, shot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# The stack started here has every part the hub needs (FIXTURE_NEEDS knows hub_stack only).
pytestmark = [pytest.mark.hub, pytest.mark.redis, pytest.mark.mongodb]

TEACHER = "head-teacher"
ALLOWED_FAILED_LOGINS = 10  # hub_config/jupyterhub_config.py
HOME = "/hub/home"  # where sign-ins go: the default (/hub/spawn) would start a server

# NativeAuthenticator 1.3's messages (nativeauthenticator/handlers.py).
AWAITS_APPROVAL = "Your information has been sent to the admin."
ADMIN_SIGNED_UP = (
    "The signup was successful! You can now go to the home page and log in to the system."
)
WEAK_PASSWORD = (
    "Something went wrong! Be sure your username does not contain spaces, commas or "
    "slashes, your password has at least 10 characters and is not too common."
)
NOT_APPROVED = "User {name} has not been authorized by an administrator yet."
# Also what a locked name is told, right password or not: the lock is not revealed.
REFUSED = "Invalid username or password."

# JupyterHub's own, for a login form without a valid xsrf cookie.
EXPIRED_FORM = "Login form invalid or expired. Try again."

XSRF = re.compile(r'name="_xsrf" value="([^"]+)"')
LOGIN_ERROR = re.compile(r'<p class="login_error">(.*?)</p>', re.S)
ALERT = re.compile(r'<div class="alert [\w-]+" role="alert">\s*<p>(.*?)</p>', re.S)


def new_password() -> str:
    """Long enough (10+) and not in NativeAuthenticator's list of common passwords."""
    return f"quiet-river-{secrets.token_hex(4)}"


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: entities decoded, white space collapsed."""
    return " ".join(html.unescape(fragment).split())


class Visitor:
    """Someone using the hub's forms without a browser: their own cookies, so each one is
    a separate device. Forms are fetched first, for the ``_xsrf`` cookie and field
    JupyterHub requires on every POST."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fetch(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        """GET ``path``, or POST ``form`` to it: the status and page, after redirects."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(f"{self.stack.hub_url}{path}", data=data, timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _open(self, path: str, form: dict[str, str] | None = None) -> str:
        status, page = self.fetch(path, form)
        assert status == 200, (
            f"{'POST' if form is not None else 'GET'} {path} answered {status} "
            "(the hub's log: tests/artifacts/native-stack-jupyterhub.log)"
        )
        return page

    def submit(self, path: str, fields: dict[str, str]) -> str:
        """GET the form at ``path``, POST ``fields`` with its xsrf token; the page answered."""
        match = XSRF.search(self._open(path))
        assert match, f"no _xsrf field in the form at {path}"
        return self._open(path, {**fields, "_xsrf": match.group(1)})

    def sign_up(self, name: str, password: str) -> str:
        """NativeAuthenticator's answer to a sign-up."""
        page = self.submit(
            "/hub/signup",
            {
                "username": name,
                "signup_password": password,
                "signup_password_confirmation": password,
            },
        )
        match = ALERT.search(page)
        assert match, "the sign-up page showed no result"
        return text(match.group(1))

    def log_in(self, name: str, password: str) -> str | None:
        """The login page's error, or None once signed in."""
        page = self.submit(
            f"/hub/login?next={urllib.parse.quote(HOME, safe='')}",
            {"username": name, "password": password},
        )
        match = LOGIN_ERROR.search(page)
        return text(match.group(1)) if match else None

    def whoami(self) -> dict | None:
        """This visitor's hub user (``/hub/api/user`` with their cookies), or None."""
        status, body = self.fetch("/hub/api/user")
        assert status in (200, 403), status
        return json.loads(body) if status == 200 else None

    def approve(self, name: str) -> None:
        """What the admin's "Authorize" button does (a GET that flips the approval)."""
        page = self._open(f"/hub/authorize/{urllib.parse.quote(name)}")
        assert re.search(rf'<tr class="success" id={re.escape(name)}>', page), page[-2000:]


@dataclass(frozen=True)
class Account:
    name: str
    password: str
    signup_message: str


@pytest.fixture(scope="module")
def native_stack(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str) -> Iterator[Stack]:
    """The platform as a school runs it: no demo password, so NativeAuthenticator."""
    stack = platform_stack(
        tmp_path_factory.mktemp("native"), sandbox_image, demo_password="", admin_users=TEACHER
    )
    with running(stack, "native-stack"):
        yield stack


@pytest.fixture(scope="module")
def teacher(native_stack: Stack) -> Account:
    """The hub admin, signed up through the form like anyone else."""
    password = new_password()
    message = Visitor(native_stack).sign_up(TEACHER, password)
    return Account(TEACHER, password, message)


@pytest.fixture(scope="module")
def approved(native_stack: Stack, teacher: Account) -> Callable[[str], str]:
    """``approved(name)`` signs ``name`` up and has the admin approve them; the password."""
    admin = Visitor(native_stack)
    assert admin.log_in(teacher.name, teacher.password) is None

    def sign_up_and_approve(name: str) -> str:
        password = new_password()
        assert Visitor(native_stack).sign_up(name, password) == AWAITS_APPROVAL
        admin.approve(name)
        return password

    return sign_up_and_approve


def new_page(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    return page


def fill_sign_up(page: Page, stack: Stack, name: str, password: str) -> None:
    page.goto(f"{stack.hub_url}/hub/signup")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.fill("#password_confirmation_input", password)
    page.click("#signup_submit")


def fill_login(page: Page, stack: Stack, name: str, password: str) -> None:
    page.goto(f"{stack.hub_url}/hub/login?next={urllib.parse.quote(HOME, safe='')}")
    page.fill("#username_input", name)
    page.fill("#password_input", password)


def signed_in_as(page: Page, stack: Stack) -> str | None:
    """The hub user of the page's cookies (``/hub/api/user``), or None."""
    response = page.request.get(f"{stack.hub_url}/hub/api/user")
    if response.status == 403:
        return None
    assert response.ok, response.status
    return response.json()["name"]


def test_a_learner_who_signs_up_waits_for_approval(native_stack: Stack, browser: Browser) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)
    try:
        password = new_password()
        fill_sign_up(page, native_stack, "ada", password)
        expect(page.get_by_role("alert")).to_have_text(AWAITS_APPROVAL)
        shot(page, "learner-signup")

        fill_login(page, native_stack, "ada", password)
        page.click("#login_submit")
        expect(page.locator(".login_error")).to_have_text(NOT_APPROVED.format(name="ada"))
        shot(page, "learner-awaiting-approval")
        assert signed_in_as(page, native_stack) is None
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("name", "password"),
    [("common-pw", "password123"), ("short-pw", "river-9zq")],  # common; 9 characters
)
def test_a_weak_password_is_refused_at_sign_up(
    native_stack: Stack, browser: Browser, name: str, password: str
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)
    try:
        fill_sign_up(page, native_stack, name, password)
        expect(page.get_by_role("alert")).to_have_text(WEAK_PASSWORD)
        if password == "password123":
            shot(page, "learner-signup-weak-password")
    finally:
        page.context.close()
    # Nothing was stored: the name is still free.
    assert Visitor(native_stack).sign_up(name, new_password()) == AWAITS_APPROVAL


def test_an_admin_user_needs_no_approval(native_stack: Stack, teacher: Account) -> None:
    assert teacher.signup_message == ADMIN_SIGNED_UP
    visitor = Visitor(native_stack)
    assert visitor.log_in(teacher.name, teacher.password) is None
    me = visitor.whoami()
    assert me is not None and me["name"] == TEACHER and me["admin"] is True


def test_the_admin_approves_a_sign_up_at_hub_authorize(
    native_stack: Stack, browser: Browser, teacher: Account
) -> None:
    from playwright.sync_api import expect

    learner, password = "grace", new_password()
    assert Visitor(native_stack).sign_up(learner, password) == AWAITS_APPROVAL

    page = new_page(browser)
    try:
        fill_login(page, native_stack, teacher.name, teacher.password)
        page.click("#login_submit")
        page.wait_for_url(f"**{HOME}")
        page.get_by_role("link", name="Authorize Users").click()
        page.wait_for_url("**/hub/authorize")
        row = page.locator(f"tr#{learner}")
        expect(row).to_contain_text("No")
        row.get_by_role("button", name="Authorize", exact=True).click()  # a link styled as one
        expect(row).to_have_class("success")
        expect(row).to_contain_text("Yes")
        shot(page, "teacher-authorize-signups")
    finally:
        page.context.close()

    visitor = Visitor(native_stack)
    assert visitor.log_in(learner, password) is None
    assert (visitor.whoami() or {}).get("name") == learner


def test_an_approved_learner_signs_in_and_reaches_the_hub(
    native_stack: Stack, browser: Browser, approved: Callable[[str], str]
) -> None:
    from playwright.sync_api import expect

    password = approved("hedy")
    page = new_page(browser)
    try:
        fill_login(page, native_stack, "hedy", password)
        shot(page, "learner-login")
        page.click("#login_submit")
        page.wait_for_url(f"**{HOME}")
        expect(page.locator("#start")).to_be_visible()  # "Start My Server", not started
        assert signed_in_as(page, native_stack) == "hedy"
    finally:
        page.context.close()


def test_an_expired_login_form_asks_to_try_again(native_stack: Stack) -> None:
    """JupyterHub's answer to a form whose xsrf cookie is gone (it lives an hour), shown
    in NativeAuthenticator's login form rather than as a server error. (Plain HTTP: a
    browser's fetch-metadata headers may let JupyterHub accept the form anyway.)"""
    visitor = Visitor(native_stack)  # no cookies: the form's token matches nothing
    status, page = visitor.fetch(
        f"/hub/login?next={urllib.parse.quote(HOME, safe='')}",
        {"username": "ada", "password": new_password(), "_xsrf": "2|stale|token|1"},
    )
    match = LOGIN_ERROR.search(page)
    assert status < 500 and match, (status, page[-1500:])
    assert text(match.group(1)) == EXPIRED_FORM
    assert 'id="login_submit"' in page


def test_nine_wrong_passwords_still_let_the_right_one_in(
    native_stack: Stack, approved: Callable[[str], str]
) -> None:
    password = approved("ken")
    guesser = Visitor(native_stack)
    for attempt in range(ALLOWED_FAILED_LOGINS - 1):
        assert guesser.log_in("ken", f"guess-number-{attempt}") == REFUSED
    owner = Visitor(native_stack)
    assert owner.log_in("ken", password) is None
    assert (owner.whoami() or {}).get("name") == "ken"


@pytest.fixture(scope="module")
def locked(native_stack: Stack, approved: Callable[[str], str]) -> Account:
    """A learner whose name has just had ten wrong passwords."""
    password = approved("alan")
    assert Visitor(native_stack).log_in("alan", password) is None  # it works until then
    guesser = Visitor(native_stack)
    for attempt in range(ALLOWED_FAILED_LOGINS):
        assert guesser.log_in("alan", f"guess-number-{attempt}") == REFUSED
    return Account("alan", password, "")


def test_ten_wrong_passwords_lock_the_name_even_for_the_right_one(
    native_stack: Stack, browser: Browser, locked: Account
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)  # another device than the guesser's
    try:
        fill_login(page, native_stack, locked.name, locked.password)
        page.click("#login_submit")
        expect(page.locator(".login_error")).to_have_text(REFUSED)
        shot(page, "learner-locked-out")
        assert signed_in_as(page, native_stack) is None
    finally:
        page.context.close()


def test_a_locked_name_does_not_lock_out_others(
    native_stack: Stack, approved: Callable[[str], str], locked: Account
) -> None:
    password = approved("barbara")
    visitor = Visitor(native_stack)
    assert visitor.log_in("barbara", password) is None
    assert (visitor.whoami() or {}).get("name") == "barbara"
    assert Visitor(native_stack).log_in(locked.name, locked.password) == REFUSED


def test_approving_from_another_site_is_refused(native_stack: Stack, teacher: Account) -> None:
    """A link on another site cannot make the signed-in admin's browser approve someone."""
    name = f"mallory{secrets.token_hex(2)}"
    assert Visitor(native_stack).sign_up(name, new_password()) == AWAITS_APPROVAL
    admin = Visitor(native_stack)
    assert admin.log_in(teacher.name, teacher.password) is None
    admin.opener.addheaders = [("Sec-Fetch-Site", "cross-site")]
    status, page = admin.fetch(f"/hub/authorize/{name}")
    assert status == 403 and "hub's own pages" in text(page)
    status, _ = admin.fetch(f"/hub/discard/{name}")
    assert status == 403
    admin.opener.addheaders = [("Sec-Fetch-Site", "same-origin")]
    admin.approve(name)
