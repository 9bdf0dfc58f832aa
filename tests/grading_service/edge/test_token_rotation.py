"""JWT secret rotation: tokens name their key (`kid`); during a rotation window the
service accepts the current and the previous keys, and only those (docs/secrets.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time

import jwt
import pytest

from grading_service.cli import main
from grading_service.edge.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    MAX_PREVIOUS_SECRETS,
    KeyRing,
    SecretError,
    TokenConfig,
    TokenError,
    key_id,
    mint,
    validate_secret,
    verify,
)

# The same clean JWT environment as the other token tests (an autouse fixture).
from .test_tokens import ISS, clean_jwt_env  # noqa: F401


def new_secret() -> str:
    return secrets.token_hex(32)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(header: dict, key: bytes, **overrides) -> str:
    """A token signed by hand, so the header says exactly what a test wants."""
    now = int(time.time())
    claims = {
        "sub": "bench",
        "role": "grader",
        "groups": [],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "j1",
        "iss": DEFAULT_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        **overrides,
    }
    signing_input = (
        b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    ).encode()
    signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{b64url(signature)}"


def config(current: str, *previous: str) -> TokenConfig:
    return TokenConfig(jwt_secret=current, jwt_previous_secrets=list(previous))


# --- kid -----------------------------------------------------------------------------------


def test_minted_token_names_its_key_by_a_fingerprint_that_reveals_nothing():
    secret = new_secret()
    key = validate_secret(secret)
    token = mint(key, "bench", role="grader", lifetime_seconds=60, **ISS)
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid == key_id(key)
    assert len(kid) == 16 and int(kid, 16) >= 0
    assert kid not in secret and kid != hashlib.sha256(key).hexdigest()[:16]  # labelled
    assert key_id(validate_secret(new_secret())) != kid


def test_cli_token_mints_with_the_current_keys_kid(monkeypatch, capsys):
    old, current = new_secret(), new_secret()
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", current)
    monkeypatch.setenv("CODERUNNER_JWT_PREVIOUS_SECRETS", old)
    main(["token", "--subject", "nightly"])
    token = capsys.readouterr().out.strip()
    assert jwt.get_unverified_header(token)["kid"] == key_id(validate_secret(current))
    assert TokenConfig().verify(token).key_id == key_id(validate_secret(current))


# --- the rotation window --------------------------------------------------------------------


def test_token_signed_with_the_old_key_is_accepted_during_the_window():
    old, current = new_secret(), new_secret()
    old_token = config(old).mint("nightly")
    during = config(current, old)
    identity = during.verify(old_token)
    assert identity.name == "service:nightly"
    assert identity.key_id == key_id(validate_secret(old))
    # New tokens are signed with the current key, and verify too.
    assert during.verify(during.mint("nightly")).key_id == key_id(validate_secret(current))


def test_the_services_way_of_verifying_keeps_the_previous_keys():
    """app.py loads the ring once and hands auth.Identities only the current key."""
    old, current = new_secret(), new_secret()
    old_token = config(old).mint("nightly")
    service_tokens = config(current, old)
    key = service_tokens.load_keys().current
    assert service_tokens.verify(old_token, key).name == "service:nightly"
    # A TokenConfig that never loaded its keys reads the previous ones on first use.
    assert config(current, old).verify(old_token, key).name == "service:nightly"


def test_token_signed_with_the_old_key_is_refused_once_the_old_key_is_removed():
    old, current = new_secret(), new_secret()
    old_token = config(old).mint("nightly")
    with pytest.raises(TokenError, match=r"Unknown key id \(kid\)") as refused:
        config(current).verify(old_token)
    assert "coderunner token" in str(refused.value)
    assert old not in str(refused.value)


def test_unknown_kid_is_refused_even_when_signed_with_the_current_key():
    current = new_secret()
    key = validate_secret(current)
    for kid in ("0123456789abcdef", "", "../../etc/passwd", key_id(key).upper()):
        token = sign({"alg": "HS256", "typ": "JWT", "kid": kid}, key)
        with pytest.raises(TokenError, match=r"Unknown key id \(kid\)"):
            verify(KeyRing(key), token, **ISS)
    for kid in (7, ["x"], None):  # not a string: refused as malformed, never a crash
        token = sign({"alg": "HS256", "typ": "JWT", "kid": kid}, key)
        with pytest.raises(TokenError, match="Malformed token|Unknown key id"):
            verify(KeyRing(key), token, **ISS)


def test_legacy_token_without_kid_is_accepted_with_the_current_key():
    current = new_secret()
    key = validate_secret(current)
    legacy = sign({"alg": "HS256", "typ": "JWT"}, key)
    identity = config(current).verify(legacy)
    assert identity.name == "service:bench" and identity.key_id == key_id(key)


def test_legacy_token_without_kid_is_tried_against_the_previous_keys():
    old, current = new_secret(), new_secret()
    legacy = sign({"alg": "HS256", "typ": "JWT"}, validate_secret(old))
    assert config(current, old).verify(legacy).key_id == key_id(validate_secret(old))
    with pytest.raises(TokenError, match="signature"):
        config(current).verify(legacy)
    stranger = sign({"alg": "HS256", "typ": "JWT"}, validate_secret(new_secret()))
    with pytest.raises(TokenError, match="signature"):
        config(current, old).verify(stranger)


def test_forged_kid_naming_an_old_key_but_signed_with_another_is_refused():
    old, current, attacker = new_secret(), new_secret(), new_secret()
    ring = config(current, old)
    for kid_of in (old, current):
        forged = sign(
            {"alg": "HS256", "typ": "JWT", "kid": key_id(validate_secret(kid_of))},
            validate_secret(attacker),
        )
        with pytest.raises(TokenError, match="signature"):
            ring.verify(forged)
    # Naming the old key while signed with the current one is refused too: a kid picks
    # exactly one key.
    mislabelled = sign(
        {"alg": "HS256", "typ": "JWT", "kid": key_id(validate_secret(old))},
        validate_secret(current),
    )
    with pytest.raises(TokenError, match="signature"):
        ring.verify(mislabelled)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": "JWT"},
        {"alg": "none", "typ": "JWT", "kid": "KID"},
        {"alg": "HS512", "typ": "JWT", "kid": "KID"},
        {"alg": "RS256", "typ": "JWT", "kid": "KID"},
    ],
)
def test_alg_none_and_other_algorithms_are_refused_whatever_the_kid(header):
    old, current = new_secret(), new_secret()
    old_key = validate_secret(old)
    header = {k: (key_id(old_key) if v == "KID" else v) for k, v in header.items()}
    body = b64url(json.dumps(header).encode()) + "." + b64url(b'{"sub":"bench"}')
    for token in (body + ".", sign(header, old_key)):
        with pytest.raises(TokenError, match="algorithm|HS256"):
            config(current, old).verify(token)


def test_existing_checks_still_apply_to_tokens_signed_with_an_old_key():
    old, current = new_secret(), new_secret()
    old_key = validate_secret(old)
    header = {"alg": "HS256", "typ": "JWT", "kid": key_id(old_key)}
    ring = config(current, old)
    now = int(time.time())
    cases = [
        ({"exp": now - 3600, "iat": now - 7200, "nbf": now - 7200}, "expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "someone-else"}, "issuer"),
        ({"role": "admin"}, "role"),
    ]
    for overrides, reason in cases:
        with pytest.raises(TokenError, match=reason):
            ring.verify(sign(header, old_key, **overrides))
    legacy_expired = sign({"alg": "HS256"}, old_key, exp=now - 3600, iat=now - 7200, nbf=now - 7200)
    with pytest.raises(TokenError, match="expired"):
        ring.verify(legacy_expired)


# --- configuration --------------------------------------------------------------------------


def test_previous_secrets_from_env_and_file_are_validated(tmp_path, monkeypatch):
    current, old1, old2, old3 = (new_secret() for _ in range(4))
    path = tmp_path / "previous"
    path.write_text(f"# retired 2026-01\n{old2}\n\n{old3}\n")
    os.chmod(path, 0o600)
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", current)
    monkeypatch.setenv("CODERUNNER_JWT_PREVIOUS_SECRETS", f"{old1}, {current}")
    monkeypatch.setenv("CODERUNNER_JWT_PREVIOUS_SECRETS_FILE", str(path))
    ring = TokenConfig().load_keys()
    assert ring.current == validate_secret(current)
    assert ring.previous == tuple(validate_secret(s) for s in (old1, old2, old3))  # no dupes

    path.write_text(f"{old2}\nchangeme\n")
    with pytest.raises(SecretError, match="line 2: .*well-known") as refused:
        TokenConfig().load_keys()
    assert old2 not in str(refused.value)
    monkeypatch.setenv("CODERUNNER_JWT_PREVIOUS_SECRETS", "too-short")
    with pytest.raises(SecretError, match="Previous JWT secret #1"):
        TokenConfig().load_keys()


def test_previous_secrets_are_bounded():
    previous = [new_secret() for _ in range(MAX_PREVIOUS_SECRETS + 1)]
    with pytest.raises(SecretError, match=f"at most {MAX_PREVIOUS_SECRETS}"):
        config(new_secret(), *previous).load_keys()
    assert len(config(new_secret(), *previous[:-1]).load_keys().previous) == MAX_PREVIOUS_SECRETS


def test_existing_configuration_without_previous_secrets_keeps_working(monkeypatch):
    current = new_secret()
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", current)
    tokens = TokenConfig()
    assert tokens.load_keys() == KeyRing(validate_secret(current))
    assert tokens.verify(tokens.mint("x"), tokens.load_key()).name == "service:x"
    # The module-level functions still take one key.
    key = validate_secret(current)
    assert verify(key, mint(key, "x", role="grader", lifetime_seconds=60, **ISS), **ISS)
