"""Who is calling: a service account or batch grader, identified by a JWT we signed.

People use JupyterHub tokens (``auth.py``). Teacher scripts, the benchmark and grading
CLIs send ``Authorization: Bearer <jwt>``: an HS256 token minted with
``coderunner token --subject NAME`` from the shared secret in ``CODERUNNER_JWT_SECRET``
(or the file named by ``CODERUNNER_JWT_SECRET_FILE``). ``looks_like_jwt`` tells the auth
layer which of the two a bearer token is.

The HMAC key is the *decoded* secret: 64+ hex characters are read as hex, a base64
value as base64, anything else as UTF-8 text. Always go through ``validate_secret``
(or ``TokenConfig.load_key``) so every minter and verifier uses the same key bytes.

Rotation (``docs/secrets.md``): every token names its key in the ``kid`` header, a
fingerprint of the key (``key_id``) that reveals nothing about it. The service verifies
with the current key and, during a rotation window, with the previous ones
(``CODERUNNER_JWT_PREVIOUS_SECRETS`` or ``..._FILE``), chosen by ``kid``; a token minted
before tokens carried a ``kid`` is tried against each of these keys (a handful at most).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jwt
from traitlets import Integer, List, TraitError, Unicode, default, validate
from traitlets.config import LoggingConfigurable

ALGORITHM = "HS256"
ROLES = ("service", "grader", "teacher")
NAME_PREFIX = "service:"

DEFAULT_ISSUER = "coderunner"
DEFAULT_AUDIENCE = "coderunner-grader"
DEFAULT_LIFETIME_SECONDS = 3600
MAX_LIFETIME_SECONDS = 30 * 24 * 3600
DEFAULT_LEEWAY_SECONDS = 30

MIN_SECRET_BYTES = 32
MIN_DISTINCT_BYTES = 16

# Previous keys accepted during a rotation window. A token without `kid` is tried against
# each of them, so the list stays short: one rotation at a time needs one, or two.
MAX_PREVIOUS_SECRETS = 4
KEY_ID_LABEL = b"coderunner-jwt-key-id:"
KEY_ID_HEX_CHARS = 16

# The value used in our configuration examples. It is public, so it is never accepted.
DOCS_EXAMPLE_SECRET = "1dcc6d517b524a5dc9f53cb3560d084153fb1278e9d8c96501acec22ac848ae5"

HOW_TO_FIX = (
    "Generate one with `coderunner token --new-secret` or "
    '`python -c "import secrets; print(secrets.token_hex(32))"` and put it in '
    "CODERUNNER_JWT_SECRET (or in a file named by CODERUNNER_JWT_SECRET_FILE)."
)

# Whole values (compared lower-cased) that are placeholders, defaults or tutorial examples.
_KNOWN_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "secret",
        "secretkey",
        "secret-key",
        "secret_key",
        "mysecret",
        "supersecret",
        "topsecret",
        "jwt-secret",
        "jwt_secret",
        "jwtsecret",
        "password",
        "passw0rd",
        "p@ssw0rd",
        "letmein",
        "default",
        "test",
        "testing",
        "example",
        "admin",
        "qwerty",
        "coderunner",
        "your-256-bit-secret",
        "a-string-secret-at-least-256-bits-long",
        DOCS_EXAMPLE_SECRET,
    }
)
# Fragments that only a placeholder contains (a random value does not, in practice).
_PLACEHOLDER_FRAGMENTS = (
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "change-this",
    "replaceme",
    "replace-me",
    "replace_me",
    "placeholder",
    "your-256-bit-secret",
    "your-secret",
    "secret-at-least",
    "insecure",
    "example",
    "dummy",
)

_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")
_B64URL_SEGMENT = r"[A-Za-z0-9_-]"
# header.payload.signature; the signature may be empty (an `alg: none` token) so that such
# tokens are routed here and refused, rather than sent to the hub.
_JWT_SHAPE = re.compile(rf"{_B64URL_SEGMENT}+\.{_B64URL_SEGMENT}+\.{_B64URL_SEGMENT}*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")


class SecretError(ValueError):
    """The JWT secret is missing or too weak; the service refuses to start."""


class TokenError(ValueError):
    """A token that cannot be minted, or that is not accepted."""


@dataclass(frozen=True, kw_only=True)
class Identity:
    """A service account authenticated by a JWT.

    ``name`` is ``service:<sub>`` so it never collides with a hub user's name.
    """

    name: str
    kind: str = "service"
    role: str
    groups: tuple[str, ...] = ()
    token_id: str = ""
    # The kid of the key that verified the token: which secret signed it (not part of who).
    key_id: str = field(default="", compare=False)

    @property
    def subject(self) -> str:
        return self.name.removeprefix(NAME_PREFIX)


# --- secrets -----------------------------------------------------------------------------


def validate_secret(secret: str | None) -> bytes:
    """The HMAC key for ``secret``; raises SecretError if it is missing or weak.

    Hex (even length) is decoded as hex, base64/base64url (padding optional) as base64,
    anything else is used as UTF-8 text. The decoded key must have at least 32 bytes and
    look random. Messages never contain the secret.
    """
    text = (secret or "").strip()
    if not text:
        raise SecretError(f"No JWT secret is set. {HOW_TO_FIX}")

    lowered = text.lower()
    if lowered in _KNOWN_SECRETS or any(f in lowered for f in _PLACEHOLDER_FRAGMENTS):
        raise SecretError(
            "The JWT secret is a well-known placeholder or example value; "
            f"anyone could forge tokens with it. {HOW_TO_FIX}"
        )
    if len(set(text)) == 1:
        raise SecretError(
            f"The JWT secret is one character repeated; anyone could guess it. {HOW_TO_FIX}"
        )
    if _is_repeated_pattern(text):
        raise SecretError(
            f"The JWT secret is a short pattern repeated; anyone could guess it. {HOW_TO_FIX}"
        )

    key, form = _decode_secret(text)
    if len(key) < MIN_SECRET_BYTES:
        raise SecretError(
            f"The JWT secret is too short: read as {form} it gives {len(key)} "
            f"bytes, at least {MIN_SECRET_BYTES} are needed "
            f"({2 * MIN_SECRET_BYTES} hex characters). {HOW_TO_FIX}"
        )
    if len(set(key)) == 1 or _is_repeated_pattern(key):
        raise SecretError(
            f"The JWT secret (read as {form}) is a short pattern repeated; "
            f"anyone could guess it. {HOW_TO_FIX}"
        )
    distinct = len(set(key))
    if distinct < MIN_DISTINCT_BYTES:
        raise SecretError(
            f"The JWT secret does not look random: read as {form}, its "
            f"{len(key)} bytes take only {distinct} distinct values (at least "
            f"{MIN_DISTINCT_BYTES} expected). {HOW_TO_FIX}"
        )
    return key


def new_secret() -> str:
    """A fresh random secret: 32 bytes as 64 hex characters."""
    return secrets.token_hex(MIN_SECRET_BYTES)


def _decode_secret(text: str) -> tuple[bytes, str]:
    if _HEX.fullmatch(text) and len(text) % 2 == 0:
        return bytes.fromhex(text), "hex"
    if _BASE64.fullmatch(text) and len(text.rstrip("=")) % 4 != 1:
        body = text.rstrip("=").replace("+", "-").replace("/", "_")
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), "base64"
        except (binascii.Error, ValueError):
            pass  # not base64 after all: use it as text
    try:
        return text.encode("utf-8"), "text"
    except UnicodeEncodeError:
        # `from None`: the UnicodeEncodeError holds the secret itself.
        raise SecretError("The JWT secret is not valid UTF-8 text. " + HOW_TO_FIX) from None


def _is_repeated_pattern(value: str | bytes) -> bool:
    """True if ``value`` is some shorter unit repeated, e.g. ``abcabcabc``."""
    if isinstance(value, str):
        return len(value) > 1 and value in (value + value)[1:-1]
    return len(value) > 1 and value in (value + value)[1:-1]


def key_id(key: bytes) -> str:
    """The ``kid`` naming ``key`` in a token's header: the first 16 hex characters of
    SHA-256 over a label and the key. It tells keys apart and reveals nothing of them."""
    _check_key(key)
    return hashlib.sha256(KEY_ID_LABEL + key).hexdigest()[:KEY_ID_HEX_CHARS]


@dataclass(frozen=True)
class KeyRing:
    """The keys a verifier accepts: the current one (which also signs) and, during a
    rotation window, previous ones. Duplicates of the current key are dropped."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        _check_key(self.current)
        previous = []
        for key in self.previous:
            _check_key(key)
            if key != self.current and key not in previous:
                previous.append(key)
        if len(previous) > MAX_PREVIOUS_SECRETS:
            raise SecretError(
                f"{len(previous)} previous JWT secrets are set; at most "
                f"{MAX_PREVIOUS_SECRETS} are accepted. Drop those whose rotation window "
                "has ended (docs/secrets.md)."
            )
        object.__setattr__(self, "previous", tuple(previous))
        if len({key_id(k) for k in self.keys}) != len(self.keys):  # 2**-64: never, but checked
            raise SecretError("Two JWT secrets have the same key id; generate a new secret.")

    @property
    def keys(self) -> tuple[bytes, ...]:
        """Every accepted key, the current one first."""
        return (self.current, *self.previous)

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(key_id(k) for k in self.keys)

    def by_key_id(self, kid: str) -> bytes | None:
        for key in self.keys:
            if key_id(key) == kid:
                return key
        return None


# --- tokens ------------------------------------------------------------------------------


def looks_like_jwt(token: str) -> bool:
    """True if ``token`` has the shape of a JWT (three base64url segments).

    Hub tokens have no dots, so the auth layer can send JWTs here and the rest to the hub.
    """
    return bool(token) and _JWT_SHAPE.fullmatch(token) is not None


def mint(
    secret: bytes,
    subject: str,
    *,
    role: str,
    lifetime_seconds: int,
    groups: Iterable[str] = (),
    issuer: str,
    audience: str,
    now: datetime | float | None = None,
    max_lifetime_seconds: int = MAX_LIFETIME_SECONDS,
) -> str:
    """An HS256 JWT for ``subject``, its header naming the key (``kid``); ``secret`` is
    the key from ``validate_secret``."""
    _check_key(secret)
    if not isinstance(subject, str) or not _NAME.fullmatch(subject):
        raise TokenError(
            f"Invalid subject {subject!r}: use 1-128 letters, digits, '.', '_', "
            "'@' or '-', starting with a letter or digit."
        )
    if role not in ROLES:
        raise TokenError(f"Invalid role {role!r}: choose one of {', '.join(ROLES)}.")
    if isinstance(groups, str):
        raise TokenError("groups must be a list of group names, not one string.")
    groups = list(groups)
    for group in groups:
        if not isinstance(group, str) or not _NAME.fullmatch(group):
            raise TokenError(
                f"Invalid group name {group!r}: use 1-128 letters, digits, '.', '_', '@' or '-'."
            )
    if isinstance(lifetime_seconds, bool) or not isinstance(lifetime_seconds, int):
        raise TokenError("lifetime_seconds must be a whole number of seconds.")
    if lifetime_seconds <= 0:
        raise TokenError(f"Token lifetime must be positive, got {lifetime_seconds} seconds.")
    if lifetime_seconds > max_lifetime_seconds:
        raise TokenError(
            f"Token lifetime {lifetime_seconds} seconds is longer than the "
            f"maximum of {max_lifetime_seconds} seconds."
        )
    issued = _timestamp(now)
    claims = {
        "sub": subject,
        "role": role,
        "groups": groups,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime_seconds,
        "iss": issuer,
        "aud": audience,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": key_id(secret)})


def verify(
    secret: bytes | KeyRing,
    token: str,
    *,
    issuer: str,
    audience: str,
    leeway: int = DEFAULT_LEEWAY_SECONDS,
) -> Identity:
    """The Identity in ``token``; raises TokenError saying why the token is refused.

    ``secret`` is one key (from ``validate_secret``) or a KeyRing of the current and
    previous keys. A token naming its key (``kid``) is checked with that key only, and
    refused if no accepted key has that id; a token without ``kid`` (minted before tokens
    carried one) is checked against each accepted key, the current one first.
    """
    ring = secret if isinstance(secret, KeyRing) else KeyRing(secret)
    if not isinstance(token, str) or not looks_like_jwt(token):
        raise TokenError(
            "Malformed token: expected a JWT (three base64url segments separated by dots)."
        )
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:  # DecodeError, or a kid that is not a string
        raise TokenError(f"Malformed token: {exc}") from None
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise TokenError(
            f"Token uses algorithm {str(alg)[:20]!r}; only {ALGORITHM} tokens are accepted."
        )
    kid = header.get("kid")
    if kid is None:
        candidates = ring.keys
    else:
        key = ring.by_key_id(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenError(
                f"Unknown key id (kid) {str(kid)[:20]!r}: the token's signature is from a "
                "secret this service does not accept (retired by a secret rotation, or "
                "another deployment's); mint a new one with `coderunner token`."
            )
        candidates = (key,)
    for index, key in enumerate(candidates):
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=issuer,
                leeway=leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.InvalidSignatureError:
            if index + 1 < len(candidates):
                continue  # a token without kid: try the next accepted key
            raise TokenError(
                "Bad token signature: it was not signed with this service's secret or was altered."
            ) from None
        except jwt.InvalidTokenError as exc:
            raise _refusal(exc, token, issuer=issuer, audience=audience) from None
        return _identity(claims, key_id=key_id(key))
    raise AssertionError("unreachable: a KeyRing holds at least one key")


def _refusal(exc: jwt.InvalidTokenError, token: str, *, issuer: str, audience: str) -> TokenError:
    """Why a correctly signed token is refused (the signature is checked first)."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return TokenError(
            f"Token expired at {_claim_time(token, 'exp')}; mint a new one with `coderunner token`."
        )
    if isinstance(exc, jwt.ImmatureSignatureError):
        start = _claim_time(token, "nbf") or _claim_time(token, "iat")
        return TokenError(
            f"Token not yet valid: it starts at {start}; check the clock of "
            "the machine that minted it."
        )
    if isinstance(exc, jwt.InvalidAudienceError):
        return TokenError(f"Wrong token audience: this service accepts only {audience!r}.")
    if isinstance(exc, jwt.InvalidIssuerError):
        return TokenError(f"Wrong token issuer: this service accepts only {issuer!r}.")
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return TokenError(f"Token is missing the required {exc.claim!r} claim.")
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return TokenError(f"Only {ALGORITHM} tokens are accepted.")
    if isinstance(exc, jwt.DecodeError):
        return TokenError(f"Malformed token: {exc}")
    return TokenError(f"Invalid token: {exc}")


def _identity(claims: dict, *, key_id: str = "") -> Identity:
    subject = claims["sub"]
    if not isinstance(subject, str) or not _NAME.fullmatch(subject):
        raise TokenError("Token subject is not a valid name.")
    role = claims.get("role")
    if role not in ROLES:
        raise TokenError(f"Token role must be one of {', '.join(ROLES)}.")
    groups = claims.get("groups", [])
    if not isinstance(groups, list) or not all(
        isinstance(g, str) and _NAME.fullmatch(g) for g in groups
    ):
        raise TokenError("Token groups must be a list of group names.")
    token_id = claims.get("jti", "")
    return Identity(
        name=NAME_PREFIX + subject,
        role=role,
        groups=tuple(groups),
        token_id=token_id if isinstance(token_id, str) else "",
        key_id=key_id,
    )


def _check_key(secret: bytes) -> None:
    if not isinstance(secret, bytes):
        raise TypeError(
            f"secret must be the bytes returned by validate_secret(), not {type(secret).__name__}."
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(
            f"The JWT key has {len(secret)} bytes; at least "
            f"{MIN_SECRET_BYTES} are needed. {HOW_TO_FIX}"
        )


def _timestamp(now: datetime | float | None) -> int:
    if now is None:
        return int(datetime.now(UTC).timestamp())
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise TokenError("now must be a timezone-aware datetime (e.g. datetime.now(UTC)).")
        return int(now.timestamp())
    return int(now)


def _claim_time(token: str, claim: str) -> str:
    """An already-verified token's time claim as ISO 8601 UTC, or '' if absent."""
    try:
        value = jwt.decode(token, options={"verify_signature": False}).get(claim)
        return datetime.fromtimestamp(int(value), UTC).isoformat()  # type: ignore[arg-type]
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError, OSError):
        return ""


# --- configuration -----------------------------------------------------------------------


def _split_secrets(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", value) if part]


def _env_int(name: str, fallback: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return fallback
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of seconds, got {value!r}.") from None


class TokenConfig(LoggingConfigurable):
    """Settings for service-account JWTs, shared by the grading service and the CLI."""

    jwt_secret = Unicode(
        help="""Shared secret that signs service-account JWTs (HS256): 64+ hex characters,
        or base64 of 32+ random bytes. Generate one with `coderunner token --new-secret`.
        Default: $CODERUNNER_JWT_SECRET. Prefer jwt_secret_file so the secret stays out
        of config files and process environments; set only one of the two.""",
    ).tag(config=True)

    @default("jwt_secret")
    def _default_jwt_secret(self) -> str:
        return os.environ.get("CODERUNNER_JWT_SECRET", "")

    jwt_secret_file = Unicode(
        help="""Path of a file holding the JWT secret (surrounding whitespace ignored); it
        should be readable only by the service's user. Default:
        $CODERUNNER_JWT_SECRET_FILE. Use instead of jwt_secret, not together with it.""",
    ).tag(config=True)

    @default("jwt_secret_file")
    def _default_jwt_secret_file(self) -> str:
        return os.environ.get("CODERUNNER_JWT_SECRET_FILE", "")

    jwt_previous_secrets = List(
        Unicode(),
        help=f"""Secrets that signed tokens before the last rotation, still accepted for
        verification (never for minting) until their tokens have expired or been
        replaced; at most {MAX_PREVIOUS_SECRETS}. Default: $CODERUNNER_JWT_PREVIOUS_SECRETS
        (separated by commas or whitespace), else none. Remove a secret when its rotation
        window ends: tokens signed with it are refused from then on (docs/secrets.md).""",
    ).tag(config=True)

    @default("jwt_previous_secrets")
    def _default_jwt_previous_secrets(self) -> list[str]:
        return _split_secrets(os.environ.get("CODERUNNER_JWT_PREVIOUS_SECRETS", ""))

    jwt_previous_secrets_file = Unicode(
        help="""Path of a file holding previous JWT secrets, one a line (blank lines and
        lines starting with # ignored); readable only by the service's user. Default:
        $CODERUNNER_JWT_PREVIOUS_SECRETS_FILE. Adds to jwt_previous_secrets.""",
    ).tag(config=True)

    @default("jwt_previous_secrets_file")
    def _default_jwt_previous_secrets_file(self) -> str:
        return os.environ.get("CODERUNNER_JWT_PREVIOUS_SECRETS_FILE", "")

    issuer = Unicode(
        help="""The `iss` claim minted into and required of service-account JWTs. Default:
        $CODERUNNER_JWT_ISSUER, else "coderunner". Change it only to keep tokens of
        separate deployments that share a secret apart.""",
    ).tag(config=True)

    @default("issuer")
    def _default_issuer(self) -> str:
        return os.environ.get("CODERUNNER_JWT_ISSUER", DEFAULT_ISSUER)

    audience = Unicode(
        help="""The `aud` claim minted into and required of service-account JWTs. Default:
        $CODERUNNER_JWT_AUDIENCE, else "coderunner-grader".""",
    ).tag(config=True)

    @default("audience")
    def _default_audience(self) -> str:
        return os.environ.get("CODERUNNER_JWT_AUDIENCE", DEFAULT_AUDIENCE)

    default_lifetime_seconds = Integer(
        help="""Lifetime in seconds of a minted token when none is asked for. Default:
        $CODERUNNER_JWT_DEFAULT_LIFETIME_SECONDS, else 3600 (one hour).""",
    ).tag(config=True)

    @default("default_lifetime_seconds")
    def _default_default_lifetime(self) -> int:
        return _env_int("CODERUNNER_JWT_DEFAULT_LIFETIME_SECONDS", DEFAULT_LIFETIME_SECONDS)

    max_lifetime_seconds = Integer(
        help="""Longest lifetime in seconds a token may be minted with. Default:
        $CODERUNNER_JWT_MAX_LIFETIME_SECONDS, else 2592000 (30 days). Lower it to force
        batch graders to renew their tokens more often.""",
    ).tag(config=True)

    @default("max_lifetime_seconds")
    def _default_max_lifetime(self) -> int:
        return _env_int("CODERUNNER_JWT_MAX_LIFETIME_SECONDS", MAX_LIFETIME_SECONDS)

    leeway_seconds = Integer(
        help="""Clock skew in seconds tolerated when checking `exp`, `nbf` and `iat`.
        Default: $CODERUNNER_JWT_LEEWAY_SECONDS, else 30.""",
    ).tag(config=True)

    @default("leeway_seconds")
    def _default_leeway(self) -> int:
        return _env_int("CODERUNNER_JWT_LEEWAY_SECONDS", DEFAULT_LEEWAY_SECONDS)

    @validate("default_lifetime_seconds", "max_lifetime_seconds")
    def _positive_lifetime(self, proposal: dict) -> int:
        if proposal["value"] <= 0:
            raise TraitError(f"{proposal['trait'].name} must be positive, got {proposal['value']}.")
        return proposal["value"]

    @validate("leeway_seconds")
    def _non_negative_leeway(self, proposal: dict) -> int:
        if proposal["value"] < 0:
            raise TraitError(f"leeway_seconds must not be negative, got {proposal['value']}.")
        return proposal["value"]

    def load_key(self) -> bytes:
        """The validated HMAC key from jwt_secret or jwt_secret_file; raises SecretError."""
        if self.jwt_secret and self.jwt_secret_file:
            raise SecretError(
                "Both a JWT secret (CODERUNNER_JWT_SECRET) and a secret file "
                "(CODERUNNER_JWT_SECRET_FILE) are set; set only one."
            )
        if not self.jwt_secret_file:
            return validate_secret(self.jwt_secret)
        path = Path(self.jwt_secret_file)
        text = self._read_secret_file(path, "CODERUNNER_JWT_SECRET_FILE")
        try:
            return validate_secret(text)
        except SecretError as exc:
            raise SecretError(f"In {str(path)!r}: {exc}") from None

    def load_previous_keys(self) -> tuple[bytes, ...]:
        """The validated keys of jwt_previous_secrets and jwt_previous_secrets_file, in
        that order; raises SecretError naming the entry (never its value)."""
        keys = []
        for number, secret in enumerate(self.jwt_previous_secrets, 1):
            try:
                keys.append(validate_secret(secret))
            except SecretError as exc:
                raise SecretError(f"Previous JWT secret #{number}: {exc}") from None
        if self.jwt_previous_secrets_file:
            path = Path(self.jwt_previous_secrets_file)
            text = self._read_secret_file(path, "CODERUNNER_JWT_PREVIOUS_SECRETS_FILE")
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                try:
                    keys.append(validate_secret(line))
                except SecretError as exc:
                    raise SecretError(f"In {str(path)!r}, line {number}: {exc}") from None
        return tuple(keys)

    def load_keys(self) -> KeyRing:
        """The current key and the previous ones; raises SecretError. Also kept for
        ``verify`` calls that pass only the current key (read once per TokenConfig)."""
        self._keys = KeyRing(self.load_key(), self.load_previous_keys())
        return self._keys

    def _read_secret_file(self, path: Path, variable: str) -> str:
        try:
            text = path.read_text(encoding="utf-8")
            mode = path.stat().st_mode
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SecretError(
                f"Cannot read the JWT secret file {str(path)!r} ({variable}): {reason}."
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            self.log.warning(
                "JWT secret file %s is accessible to other users; run `chmod 600 %s`", path, path
            )
        return text

    def mint(
        self,
        subject: str,
        *,
        role: str = "grader",
        groups: Iterable[str] = (),
        lifetime_seconds: int | None = None,
        now: datetime | float | None = None,
    ) -> str:
        """A token for ``subject`` with this configuration's key, issuer and audience."""
        if lifetime_seconds is None:
            lifetime_seconds = self.default_lifetime_seconds
        return mint(
            self.load_key(),
            subject,
            role=role,
            groups=groups,
            lifetime_seconds=lifetime_seconds,
            issuer=self.issuer,
            audience=self.audience,
            now=now,
            max_lifetime_seconds=self.max_lifetime_seconds,
        )

    def verify(self, token: str, key: bytes | KeyRing | None = None) -> Identity:
        """The Identity in ``token``, accepting the current and the previous keys.

        Pass ``key`` (a KeyRing from load_keys, or the current key from load_key) to
        skip re-reading the secrets; with only the current key, the previous keys come
        from the last load_keys (read on first use if there was none)."""
        if isinstance(key, KeyRing):
            ring = key
        elif key is None:
            ring = self.load_keys()
        else:
            known: KeyRing | None = getattr(self, "_keys", None)
            if known is None or known.current != key:
                known = KeyRing(key, self.load_previous_keys())
                self._keys = known
            ring = known
        return verify(
            ring,
            token,
            issuer=self.issuer,
            audience=self.audience,
            leeway=self.leeway_seconds,
        )
