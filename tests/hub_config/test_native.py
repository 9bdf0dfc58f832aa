"""The sign-in check of hub_config/native.py: NativeAuthenticator's rules, with the
bcrypt hash computed in a thread (the whole sign-in through a real hub is in
tests/integration/test_native_signin.py)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import bcrypt
import pytest
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo

from hub_config import native
from hub_config.native import CodeRunnerNativeAuthenticator, password_matches

PASSWORD = "correct horse battery"


@pytest.fixture
def auth() -> CodeRunnerNativeAuthenticator:
    db = orm.new_session_factory("sqlite://")()
    authenticator = CodeRunnerNativeAuthenticator(db=db, allowed_failed_logins=3)
    for name, authorized in (("ada", True), ("bob", False)):
        db.add(
            UserInfo(
                username=name,
                password=bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)),
                is_authorized=authorized,
            )
        )
    db.commit()
    return authenticator


async def sign_in(auth: CodeRunnerNativeAuthenticator, name: str, password: str) -> str | None:
    return await auth.authenticate(None, {"username": name, "password": password})


async def test_the_right_password_signs_in_and_clears_earlier_failures(auth) -> None:
    assert await sign_in(auth, "ada", "wrong password") is None
    assert auth.login_attempts["ada"]["count"] == 1
    assert await sign_in(auth, "Ada", PASSWORD) == "ada"  # names are normalised
    assert "ada" not in auth.login_attempts


@pytest.mark.parametrize(
    ("name", "password"),
    [("ada", "wrong password"), ("ada", ""), ("bob", PASSWORD), ("nobody", PASSWORD)],
    ids=["wrong password", "empty password", "not yet approved", "unknown user"],
)
async def test_sign_in_is_refused(auth, name: str, password: str) -> None:
    assert await sign_in(auth, name, password) is None


async def test_after_the_allowed_failures_even_the_right_password_is_refused(auth) -> None:
    for _ in range(3):
        assert await sign_in(auth, "ada", "wrong password") is None
    assert await sign_in(auth, "ada", PASSWORD) is None


async def test_sign_ins_sent_at_once_cannot_try_more_passwords_than_allowed(
    auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty wrong passwords at once: each is counted before its hash is computed, so
    the ones after the third are refused without being tried."""
    tried: list[str] = []
    real = native.password_matches

    def counting(password: str, stored: bytes | None) -> bool:
        tried.append(password)
        return real(password, stored)

    monkeypatch.setattr(native, "password_matches", counting)
    guesses = [sign_in(auth, "ada", f"guess {i}") for i in range(20)]
    assert await asyncio.gather(*guesses) == [None] * 20
    assert len(tried) == 3
    assert await sign_in(auth, "ada", PASSWORD) is None


async def test_the_hash_is_computed_off_the_event_loop(auth, monkeypatch) -> None:
    threads: list[threading.Thread] = []
    real = bcrypt.checkpw

    def recording(*args: Any) -> bool:
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(bcrypt, "checkpw", recording)
    assert await sign_in(auth, "ada", PASSWORD) == "ada"
    assert threads and threads[0] is not threading.main_thread()


@pytest.mark.parametrize("stored", [None, b"", b"not a bcrypt hash"])
def test_a_missing_or_broken_stored_hash_matches_nothing(stored: bytes | None) -> None:
    assert password_matches(PASSWORD, stored) is False
