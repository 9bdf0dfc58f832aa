"""Service-account JWTs: minting, verification, secret checks and `coderunner token`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import secrets
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from grading_service.cli import USAGE, main
from grading_service.edge import tokens
from grading_service.edge.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    DOCS_EXAMPLE_SECRET,
    MAX_LIFETIME_SECONDS,
    Identity,
    SecretError,
    TokenConfig,
    TokenError,
    looks_like_jwt,
    mint,
    validate_secret,
    verify,
)

KEY = bytes(range(32))  # 32 distinct bytes, accepted as a key by mint/verify
OTHER_KEY = bytes(range(100, 132))
ISS = {"issuer": DEFAULT_ISSUER, "audience": DEFAULT_AUDIENCE}
JWT_ENV = (
    "CODERUNNER_JWT_SECRET",
    "CODERUNNER_JWT_SECRET_FILE",
    "CODERUNNER_JWT_PREVIOUS_SECRETS",
    "CODERUNNER_JWT_PREVIOUS_SECRETS_FILE",
    "CODERUNNER_JWT_ISSUER",
    "CODERUNNER_JWT_AUDIENCE",
    "CODERUNNER_JWT_DEFAULT_LIFETIME_SECONDS",
    "CODERUNNER_JWT_MAX_LIFETIME_SECONDS",
    "CODERUNNER_JWT_LEEWAY_SECONDS",
)


@pytest.fixture(autouse=True)
def clean_jwt_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in JWT_ENV:
        monkeypatch.delenv(name, raising=False)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj: dict) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {
        "sub": "bench",
        "role": "grader",
        "groups": [],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "iss": DEFAULT_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        "jti": "j1",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign_hs256(header: dict, payload: dict | bytes, key: bytes = KEY) -> str:
    body = b64url(payload) if isinstance(payload, bytes) else segment(payload)
    signing_input = f"{segment(header)}.{body}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def mint_default(**kwargs) -> str:
    args = {"role": "grader", "lifetime_seconds": 600, **ISS}
    args.update(kwargs)
    return mint(KEY, args.pop("subject", "bench"), **args)


# --- mint and verify ---------------------------------------------------------------------


def test_minted_token_verifies_to_prefixed_service_identity():
    token = mint_default(subject="nightly-bench", role="teacher", groups=["course-a", "tas"])
    identity = verify(KEY, token, leeway=30, **ISS)
    assert identity == Identity(
        name="service:nightly-bench",
        role="teacher",
        groups=("course-a", "tas"),
        token_id=identity.token_id,
    )
    assert identity.kind == "service"
    assert identity.subject == "nightly-bench"
    assert identity.token_id


def test_minted_token_carries_all_claims_and_unique_id():
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    token = mint_default(now=now, lifetime_seconds=120)
    payload = jwt.decode(token, options={"verify_signature": False})
    stamp = int(now.timestamp())
    assert payload["iat"] == payload["nbf"] == stamp
    assert payload["exp"] == stamp + 120
    assert (payload["iss"], payload["aud"], payload["sub"]) == (
        DEFAULT_ISSUER,
        DEFAULT_AUDIENCE,
        "bench",
    )
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert mint_default(now=now) != mint_default(now=now)  # random jti


def test_expired_token_refused_with_expiry_time():
    issued = datetime.now(UTC) - timedelta(hours=2)
    token = mint_default(now=issued, lifetime_seconds=3600)
    with pytest.raises(TokenError, match="expired") as info:
        verify(KEY, token, leeway=30, **ISS)
    expected = (issued.replace(microsecond=0) + timedelta(hours=1)).isoformat()
    assert f"expired at {expected}" in str(info.value)


def test_token_just_past_expiry_accepted_within_leeway():
    token = mint_default(now=time.time() - 70, lifetime_seconds=60)
    assert verify(KEY, token, leeway=30, **ISS).name == "service:bench"
    with pytest.raises(TokenError, match="expired"):
        verify(KEY, token, leeway=0, **ISS)


def test_token_from_the_future_is_not_yet_valid():
    token = mint_default(now=time.time() + 3600)
    with pytest.raises(TokenError, match="not yet valid"):
        verify(KEY, token, leeway=30, **ISS)


def test_tampered_payload_fails_signature_check():
    token = mint_default(role="grader")
    header, payload, signature = token.split(".")
    claims_ = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims_["role"] = "teacher"
    forged = f"{header}.{segment(claims_)}.{signature}"
    with pytest.raises(TokenError, match="signature"):
        verify(KEY, forged, leeway=30, **ISS)


def test_token_signed_with_another_secret_refused():
    token = mint(OTHER_KEY, "bench", role="grader", lifetime_seconds=60, **ISS)
    with pytest.raises(TokenError, match="signature"):
        verify(KEY, token, leeway=30, **ISS)


def test_alg_none_token_refused():
    token = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims())}."
    assert looks_like_jwt(token)
    with pytest.raises(TokenError, match="only HS256"):
        verify(KEY, token, leeway=30, **ISS)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "HS512", "None"])
def test_token_declaring_other_algorithm_refused_even_if_hmac_signed(alg):
    token = sign_hs256({"alg": alg, "typ": "JWT"}, claims())
    with pytest.raises(TokenError, match="only HS256"):
        verify(KEY, token, leeway=30, **ISS)


def test_wrong_audience_refused():
    token = mint_default(audience="someone-else")
    with pytest.raises(TokenError, match="audience"):
        verify(KEY, token, leeway=30, **ISS)


def test_wrong_issuer_refused():
    token = mint_default(issuer="another-deployment")
    with pytest.raises(TokenError, match="issuer"):
        verify(KEY, token, leeway=30, **ISS)


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss", "aud"])
def test_token_missing_required_claim_refused(claim):
    token = sign_hs256({"alg": "HS256", "typ": "JWT"}, claims(**{claim: None}))
    with pytest.raises(TokenError, match=f"'{claim}'"):
        verify(KEY, token, leeway=30, **ISS)


@pytest.mark.parametrize(
    "overrides",
    [
        {"role": "admin"},
        {"role": None},
        {"groups": "course-a"},
        {"groups": [1, 2]},
        {"sub": "../etc"},
    ],
)
def test_correctly_signed_token_with_bad_claim_values_refused(overrides):
    token = sign_hs256({"alg": "HS256", "typ": "JWT"}, claims(**overrides))
    with pytest.raises(TokenError):
        verify(KEY, token, leeway=30, **ISS)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "not a token",
        "!!!.???.###",
        f"{b64url(b'not json')}.{segment(claims())}.sig",
        sign_hs256({"alg": "HS256"}, b"not json"),
        sign_hs256({"alg": "HS256"}, b"[1, 2]"),
    ],
)
def test_malformed_token_refused(token):
    with pytest.raises(TokenError, match="Malformed|Invalid"):
        verify(KEY, token, leeway=30, **ISS)


@pytest.mark.parametrize("lifetime", [0, -1, MAX_LIFETIME_SECONDS + 1])
def test_mint_refuses_lifetime_out_of_range(lifetime):
    with pytest.raises(TokenError, match="lifetime"):
        mint_default(lifetime_seconds=lifetime)


def test_mint_accepts_maximum_lifetime_and_custom_maximum():
    assert mint_default(lifetime_seconds=MAX_LIFETIME_SECONDS)
    with pytest.raises(TokenError, match="maximum of 600 seconds"):
        mint_default(lifetime_seconds=601, max_lifetime_seconds=600)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"role": "admin"}, "Invalid role"),
        ({"subject": ""}, "Invalid subject"),
        ({"subject": "has space"}, "Invalid subject"),
        ({"groups": "course-a"}, "list of group names"),
        ({"groups": ["ok", ""]}, "Invalid group"),
    ],
)
def test_mint_refuses_bad_arguments(kwargs, message):
    with pytest.raises(TokenError, match=message):
        mint_default(**kwargs)


def test_mint_and_verify_refuse_raw_string_or_short_keys():
    with pytest.raises(TypeError, match="validate_secret"):
        mint("ab" * 32, "bench", role="grader", lifetime_seconds=60, **ISS)
    with pytest.raises(SecretError, match="at least 32"):
        verify(b"short", mint_default(), leeway=30, **ISS)


def test_looks_like_jwt_tells_jwts_from_hub_tokens():
    assert looks_like_jwt(mint_default())
    assert not looks_like_jwt(secrets.token_hex(16))  # JupyterHub API token shape
    assert not looks_like_jwt("")
    assert not looks_like_jwt("a.b")
    assert not looks_like_jwt("a.b.c.d")
    assert not looks_like_jwt("a b.c.d")


# --- secrets -----------------------------------------------------------------------------

_rng = random.Random(7)
LOW_VARIETY_HEX = bytes(_rng.randrange(8) for _ in range(40)).hex()


@pytest.mark.parametrize(
    "secret, reason",
    [
        (None, "No JWT secret"),
        ("", "No JWT secret"),
        ("  \n", "No JWT secret"),
        ("changeme", "well-known"),
        ("CHANGEME", "well-known"),
        ("secret", "well-known"),
        ("password", "well-known"),
        ("your-256-bit-secret", "well-known"),
        ("a-string-secret-at-least-256-bits-long", "well-known"),
        ("please-changeme-before-production-deploys-1234", "well-known"),
        (DOCS_EXAMPLE_SECRET, "well-known"),
        ("0" * 64, "one character repeated"),
        ("x" * 100, "one character repeated"),
        ("ab" * 32, "pattern repeated"),
        ("0123456789abcdef" * 4, "pattern repeated"),
        ("Kq7!" * 20, "pattern repeated"),
        (b64url(b"\x01\x02\x03" * 16), "pattern repeated"),
        (secrets.token_hex(16), "too short"),
        (secrets.token_urlsafe(16), "too short"),
        ("Zq9!unique-short", "too short"),
        (LOW_VARIETY_HEX, "does not look random"),
    ],
)
def test_weak_secret_refused_with_reason_and_fix(secret, reason):
    with pytest.raises(SecretError) as info:
        validate_secret(secret)
    message = str(info.value)
    assert reason in message
    assert "secrets.token_hex(32)" in message
    assert "coderunner token --new-secret" in message
    if secret and len(secret.strip()) >= 12:
        assert secret.strip() not in message


def test_short_secret_message_says_how_many_bytes():
    with pytest.raises(SecretError, match="read as hex it gives 16 bytes, at least 32"):
        validate_secret(secrets.token_hex(16))


@pytest.mark.parametrize(
    "make, decode",
    [
        (lambda raw: raw.hex(), bytes.fromhex),
        (lambda raw: raw.hex().upper(), bytes.fromhex),
        (lambda raw: b64url(raw), lambda s: base64.urlsafe_b64decode(s + "=")),
        (lambda raw: base64.urlsafe_b64encode(raw).decode(), base64.urlsafe_b64decode),
        (lambda raw: base64.b64encode(raw).decode(), base64.b64decode),
    ],
)
def test_good_hex_and_base64_secrets_accepted_and_decoded(make, decode):
    raw = bytes(range(200, 232))
    secret = make(raw)
    assert validate_secret(secret) == decode(secret) == raw
    assert validate_secret(f"  {secret}\n") == raw  # e.g. read from a file


def test_random_secrets_of_every_form_accepted():
    for _ in range(20):
        assert len(validate_secret(secrets.token_hex(32))) == 32
        assert len(validate_secret(secrets.token_urlsafe(32))) == 32
        assert len(validate_secret(secrets.token_hex(64))) == 64


def test_long_random_text_secret_used_as_utf8():
    secret = "Tr0ub4dor&3 horse!battery#staple$correct%glue"
    assert validate_secret(secret) == secret.encode()


# --- configuration -----------------------------------------------------------------------


def test_token_config_defaults_and_env(monkeypatch):
    config = TokenConfig()
    assert (config.issuer, config.audience) == ("coderunner", "coderunner-grader")
    assert config.default_lifetime_seconds == 3600
    assert config.max_lifetime_seconds == 30 * 24 * 3600
    assert config.leeway_seconds == 30
    monkeypatch.setenv("CODERUNNER_JWT_ISSUER", "course-x")
    monkeypatch.setenv("CODERUNNER_JWT_MAX_LIFETIME_SECONDS", "86400")
    config = TokenConfig()
    assert (config.issuer, config.max_lifetime_seconds) == ("course-x", 86400)
    for name in TokenConfig.class_trait_names(config=True):
        trait = TokenConfig.class_traits()[name]
        assert "CODERUNNER_JWT_" in trait.help, name


def test_token_config_round_trip_with_env_secret(monkeypatch):
    secret = secrets.token_hex(32)
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secret)
    config = TokenConfig()
    identity = config.verify(config.mint("batch-1", role="service", groups=["g"]))
    assert (identity.name, identity.role, identity.groups) == ("service:batch-1", "service", ("g",))
    assert config.load_key() == bytes.fromhex(secret)


def test_token_config_reads_secret_file(tmp_path, monkeypatch):
    secret = secrets.token_hex(32)
    path = tmp_path / "jwt-secret"
    path.write_text(secret + "\n")
    os.chmod(path, 0o600)
    monkeypatch.setenv("CODERUNNER_JWT_SECRET_FILE", str(path))
    assert TokenConfig().load_key() == bytes.fromhex(secret)


def test_token_config_refuses_missing_file_weak_file_and_both_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("CODERUNNER_JWT_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(SecretError, match="Cannot read the JWT secret file"):
        TokenConfig().load_key()
    weak = tmp_path / "weak"
    weak.write_text("changeme\n")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET_FILE", str(weak))
    with pytest.raises(SecretError, match="well-known"):
        TokenConfig().load_key()
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secrets.token_hex(32))
    with pytest.raises(SecretError, match="set only one"):
        TokenConfig().load_key()


# --- coderunner token --------------------------------------------------------------------


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_new_secret_passes_validation(capsys):
    code, out, _ = run_cli(["token", "--new-secret"], capsys)
    assert code == 0
    assert len(validate_secret(out.strip())) == 32
    assert run_cli(["token", "--new-secret"], capsys)[1] != out


def test_cli_token_prints_verifiable_token(capsys, monkeypatch):
    secret = secrets.token_hex(32)
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secret)
    code, out, err = run_cli(
        [
            "token",
            "--subject",
            "x",
            "--role",
            "teacher",
            "--groups",
            "course-a, course-b",
            "--lifetime",
            "120",
        ],
        capsys,
    )
    assert code == 0, err
    token = out.strip()
    identity = verify(validate_secret(secret), token, leeway=0, **ISS)
    assert (identity.name, identity.role, identity.groups) == (
        "service:x",
        "teacher",
        ("course-a", "course-b"),
    )
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 120
    assert secret not in out + err


def test_cli_token_defaults_to_grader_role_and_one_hour(capsys, monkeypatch, tmp_path):
    secret = secrets.token_urlsafe(32)
    path = tmp_path / "secret"
    path.write_text(secret)
    os.chmod(path, 0o600)
    monkeypatch.setenv("CODERUNNER_JWT_SECRET_FILE", str(path))
    code, out, err = run_cli(["token", "--subject", "x"], capsys)
    assert code == 0, err
    identity = TokenConfig().verify(out.strip())
    assert (identity.role, identity.groups) == ("grader", ())
    payload = jwt.decode(out.strip(), options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 3600


@pytest.mark.parametrize(
    "secret, reason",
    [
        (None, "No JWT secret is set"),
        ("changeme", "well-known"),
        ("3f9a1c7e5b2d4086", "too short"),
        ("0" * 64, "one character repeated"),
    ],
)
def test_cli_token_with_bad_secret_exits_2_and_says_why(secret, reason, capsys, monkeypatch):
    if secret is not None:
        monkeypatch.setenv("CODERUNNER_JWT_SECRET", secret)
    code, out, err = run_cli(["token", "--subject", "x"], capsys)
    assert code == 2
    assert out == ""
    assert reason in err
    assert "coderunner token --new-secret" in err
    if secret and len(secret) >= 12:
        assert secret not in err


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["--subject", "x", "--lifetime", "0"], "lifetime"),
        (["--subject", "x", "--lifetime", str(MAX_LIFETIME_SECONDS + 1)], "maximum"),
        (["--subject", "x", "--role", "admin"], "invalid choice"),
        (["--subject", "bad name"], "Invalid subject"),
        ([], "one of the arguments"),
        (["--subject", "x", "--new-secret"], "not allowed with"),
    ],
)
def test_cli_token_with_bad_arguments_exits_2(argv, reason, capsys, monkeypatch):
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secrets.token_hex(32))
    code, out, err = run_cli(["token", *argv], capsys)
    assert code == 2
    assert reason in err


def test_cli_existing_commands_still_work_and_usage_mentions_token(capsys):
    from grading_service import __version__

    assert run_cli(["version"], capsys)[:2] == (0, f"{__version__}\n")
    code, out, _ = run_cli(["--help"], capsys)
    assert code == 0 and "token" in out and "grader" in out
    assert "--new-secret" in USAGE
    code, _, err = run_cli(["nope"], capsys)
    assert code == 2 and "unknown command" in err


def test_module_exports_documented_defaults():
    assert tokens.ROLES == ("service", "grader", "teacher")
    assert tokens.DEFAULT_LIFETIME_SECONDS == 3600
