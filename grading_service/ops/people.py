"""A parent's request about their child: everything held about one learner, exported as
one JSON document or erased everywhere.

Where a learner's data lives:

- **MongoDB.** Every document of any collection whose ``user`` field is the learner's
  name belongs to them (submissions, progress, hint reveals, assessment attempts,
  privacy acceptances, and whatever a later release adds with the same field: the
  collections are listed from the database, not from this file). Other fields that
  name people are listed here, in ``NAMED_IN``: the learner's own limits
  (``limit_overrides`` ``_id`` ``learner:<name>``) belong to them; ``audit`` records
  name them as ``by`` (who acted), in ``subjects`` (``learner:<name>``) and as ``name``
  (``kind`` learner); any collection's ``by`` and ``created_by`` name who made a
  record; ``leaderboards`` hold display names keyed by learner name.
- **Redis** (``REDIS_KEYS``): request rate (``<prefix>:req:<name>``), long polls
  (``:polls:<name>``), submission rate and daily quota (``:rate:<name>:<minute>``,
  ``:quota:<name>:<day>``) and duplicate detection (``:dedup:<name>:<problem>:<hash>``).
  Found with SCAN (never KEYS), each key checked against its exact shape, so user
  ``ana`` never takes ``ana:x``'s keys.
- **Docker**: the home volume ``coderunner-<instance>-home-<name>`` (hub_config/settings.py).
- **JupyterHub**: the hub user (and with it their tokens and server).

Erasing deletes what belongs to the learner. Records that only mention them (audit
records, who set a cohort's limits) keep their place in the trail, with the name
replaced by an opaque reference, ``erased:<16 hex>``: SHA-256 of the name and a random
salt made once per installation (stored in the ``install`` collection, so a restored
backup keeps the same references). The same name always gives the same reference, so
a later question "was this child erased?" can be answered by an admin who knows the
name, and by nobody who does not. Logs written here carry only the reference.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pymongo import ReturnDocument

from .. import __version__

log = logging.getLogger(__name__)

INSTALL_COLLECTION = "install"
SALT_ID = "erasure_salt"
EXPORT_FORMAT = 1

OWNER_FIELD = "user"
"""A document of any collection with this field equal to the learner's name is theirs."""

NAMED_IN: dict[str, tuple[str, ...]] = {
    "limit_overrides": ("_id learner:<name> (their own limits; erased)",),
    "audit": (
        "by (who acted)",
        "subjects (learner:<name>)",
        "name (kind learner)",
    ),
    "leaderboards": ("names.<name> (display name on a class leaderboard; erased)",),
    "*": ("by, created_by (who made or changed a record)",),
}
"""Fields that name people other than ``user`` (documentation, and the export says it)."""

ACTOR_FIELDS = ("by", "created_by")

REDIS_KEYS: dict[str, str | None] = {
    "req": None,  # edge/request_limits.py: GCRA timestamp
    "polls": None,  # edge/request_limits.py: long polls held
    "rate": r"\d+",  # edge/admission.py: submissions this minute
    "quota": r"\d{8}",  # edge/admission.py: submissions this day (YYYYmmdd)
    "dedup": r"[^:]+:[^:]+",  # edge/admission.py: problem id and code hash
}
"""Redis keys about a user: ``<prefix>:<kind>:<name>`` then ``:<suffix>`` when the kind
has one (a regular expression)."""


def home_volume_names(instance: str, user: str) -> list[str]:
    """The names the learner's home volume may have (DockerSpawner escapes unusual
    characters of ``{username}``)."""
    from hub_config.homes import _escaped
    from hub_config.settings import home_volume_prefix

    prefix = home_volume_prefix(instance)
    return list(dict.fromkeys([prefix + user, prefix + _escaped(user)]))


# ------------------------------------------------------------------ opaque references
async def install_salt(db: Any) -> str:
    """This installation's salt for opaque references (made on first use)."""
    doc = await db[INSTALL_COLLECTION].find_one_and_update(
        {"_id": SALT_ID},
        {"$setOnInsert": {"salt": secrets.token_hex(32), "at": dt.datetime.now(dt.UTC)}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    return str(doc["salt"])


def opaque_reference(name: str, salt: str) -> str:
    return "erased:" + hashlib.sha256(f"{salt}\x00{name}".encode()).hexdigest()[:16]


# ------------------------------------------------------------------ queries
def owned(collection: str, user: str) -> dict[str, Any]:
    """The learner's own documents in a collection."""
    if collection == "limit_overrides":
        return {"$or": [{OWNER_FIELD: user}, {"_id": f"learner:{user}"}]}
    return {OWNER_FIELD: user}


def mentioning(collection: str, user: str) -> dict[str, Any]:
    """Documents that name the learner without being theirs."""
    clauses: list[dict[str, Any]] = [{f: user} for f in ACTOR_FIELDS]
    if collection == "audit":
        clauses += [{"subjects": f"learner:{user}"}, {"kind": "learner", "name": user}]
    return {"$or": clauses}


async def collections(db: Any) -> list[str]:
    return sorted(n for n in await db.list_collection_names() if not n.startswith("system."))


def redis_patterns(prefix: str, user: str) -> list[tuple[str, re.Pattern[str]]]:
    """(SCAN pattern, exact shape) for each kind of key about ``user``."""
    escaped = re.sub(r"([*?\[\]\\])", r"\\\1", user)
    found = []
    for kind, suffix in REDIS_KEYS.items():
        head = f"{prefix}:{kind}:"
        pattern = head + escaped + (":*" if suffix else "")
        shape = re.escape(head + user) + (f":{suffix}" if suffix else "")
        found.append((pattern, re.compile(shape)))
    return found


async def redis_keys(client: Any, prefixes: list[str], user: str) -> list[str]:
    keys: set[str] = set()
    for prefix in dict.fromkeys(prefixes):
        for pattern, shape in redis_patterns(prefix, user):
            async for key in client.scan_iter(match=pattern, count=500):
                key = key.decode() if isinstance(key, bytes) else key
                if shape.fullmatch(key):
                    keys.add(key)
    return sorted(keys)


async def redis_value(client: Any, key: str) -> dict[str, Any]:
    kind = await client.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    readers: dict[str, Callable[[], Any]] = {
        "string": lambda: client.get(key),
        "hash": lambda: client.hgetall(key),
        "list": lambda: client.lrange(key, 0, -1),
        "set": lambda: client.smembers(key),
        "zset": lambda: client.zrange(key, 0, -1, withscores=True),
    }
    value = await readers[kind]() if kind in readers else None
    if isinstance(value, set):
        value = sorted(value)
    return {"type": kind, "ttl_seconds": await client.ttl(key), "value": value}


# ------------------------------------------------------------------ the hub and Docker
DEMO_HUB_API = "http://127.0.0.1:8000/hub/api"


def admin_token() -> str:
    """The hub admin token the commands use: $CODERUNNER_ADMIN_TOKEN, else
    $JUPYTERHUB_API_TOKEN, else ''."""
    return os.environ.get("CODERUNNER_ADMIN_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN", "")


def hub_api_url() -> str:
    """The hub's REST API: $JUPYTERHUB_API_URL, else the demo's."""
    return os.environ.get("JUPYTERHUB_API_URL", DEMO_HUB_API)


@dataclass(frozen=True)
class Hub:
    """The hub's REST API, with an admin token (as ``coderunner hub prune-homes``)."""

    api_url: str
    token: str

    @classmethod
    def from_env(cls, api_url: str | None = None) -> Hub | None:
        """The hub at ``api_url`` (default ``hub_api_url()``) with ``admin_token()``;
        None when no token is set."""
        token = admin_token()
        return cls(api_url or hub_api_url(), token) if token else None

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"token {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(
            f"{self.api_url.rstrip('/')}{path}", data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = resp.read()
                return resp.status, json.loads(body) if body else None
        except urllib.error.HTTPError as exc:
            return exc.code, None

    async def user(self, name: str) -> dict[str, Any] | None:
        status, body = await asyncio.to_thread(self._request, "GET", f"/users/{quote(name)}")
        if status == 404:
            return None
        if status != 200:
            raise HubError(f"GET /users/<name> answered {status}")
        return body

    async def delete_user(self, name: str, *, tries: int = 10, pause: float = 2.0) -> bool:
        """Delete the user (the hub stops their server first); False: not on the hub."""
        for _ in range(tries):
            status, _ = await asyncio.to_thread(self._request, "DELETE", f"/users/{quote(name)}")
            if status in (200, 204):
                return True
            if status == 404:
                return False
            if status != 400:  # 400: their server is still stopping
                raise HubError(f"DELETE /users/<name> answered {status}")
            await asyncio.sleep(pause)
        raise HubError("the user's server did not stop; try again")


class HubError(Exception):
    pass


@dataclass
class Stores:
    """Where learners' data lives; None for a store not to touch."""

    db: Any
    redis: Any = None
    key_prefixes: list[str] = field(default_factory=lambda: ["coderunner"])
    instance: str | None = None  # Docker home volumes; None: not touched
    docker: Callable[[], Any] | None = None  # makes a Docker client
    hub: Hub | None = None


def _docker(stores: Stores) -> Any:
    if stores.docker is not None:
        return stores.docker()
    import docker

    return docker.from_env()


def _home_volumes(stores: Stores, user: str) -> list[dict[str, Any]]:
    from docker.errors import NotFound

    assert stores.instance is not None
    client = _docker(stores)
    found = []
    for name in home_volume_names(stores.instance, user):
        try:
            volume = client.volumes.get(name)
        except NotFound:
            continue
        found.append({"name": name, "created": volume.attrs.get("CreatedAt")})
    return found


def _remove_home_volumes(stores: Stores, user: str) -> tuple[int, int]:
    """(containers removed, volumes removed). A container still mounting the volume is
    the learner's server, left behind stopped: it goes first."""
    from docker.errors import NotFound

    assert stores.instance is not None
    client = _docker(stores)
    containers = volumes = 0
    for name in home_volume_names(stores.instance, user):
        try:
            volume = client.volumes.get(name)
        except NotFound:
            continue
        for container in client.containers.list(all=True, filters={"volume": name}):
            container.remove(force=True)
            containers += 1
        volume.remove()
        volumes += 1
    return containers, volumes


# ------------------------------------------------------------------ export
# Held with the learner's records but not about them, and never shown to a learner:
# why each hidden test failed (its messages can hold the tests' expected values, trust
# rule 2). The export goes to the learner's family, so it holds the submission as the
# learner sees it.
WITHHELD: dict[str, tuple[str, ...]] = {"submissions": ("hidden_detail",)}


async def export(stores: Stores, user: str, *, actor: str, to: str) -> dict[str, Any]:
    """Everything held about ``user``, as one document (bson.json_util serializes it);
    the export is audited. ``to`` says where it went ("file", "stdout"), never a path,
    which may hold the name."""
    now = dt.datetime.now(dt.UTC)
    db = stores.db
    mongodb: dict[str, list[dict[str, Any]]] = {}
    leaderboard_names: dict[str, str] = {}
    for name in await collections(db):
        if name == INSTALL_COLLECTION:
            continue
        docs = [
            d async for d in db[name].find({"$or": [owned(name, user), mentioning(name, user)]})
        ]
        if name == "leaderboards":
            async for board in db[name].find({}, {"names": 1}):
                if user in (board.get("names") or {}):
                    leaderboard_names[str(board["_id"])] = board["names"][user]
        for doc in docs:
            for field_name in WITHHELD.get(name, ()):
                doc.pop(field_name, None)
        if docs:
            mongodb[name] = docs
    document: dict[str, Any] = {
        "export": {
            "format": EXPORT_FORMAT,
            "user": user,
            "at": now,
            "by": actor,
            "service_version": __version__,
            "database": db.name,
            "fields_naming_people": {"*": [OWNER_FIELD], **NAMED_IN},
            "withheld": {name: list(fields) for name, fields in WITHHELD.items()},
        },
        "mongodb": mongodb,
        "leaderboard_names": leaderboard_names,
    }
    if stores.redis is not None:
        keys = await redis_keys(stores.redis, stores.key_prefixes, user)
        document["redis"] = {key: await redis_value(stores.redis, key) for key in keys}
    if stores.instance is not None:
        document["home_volumes"] = await asyncio.to_thread(_home_volumes, stores, user)
    if stores.hub is not None:
        document["hub_user"] = await stores.hub.user(user)
    counts = {name: len(docs) for name, docs in mongodb.items()}
    if "redis" in document:
        counts["redis"] = len(document["redis"])
    await db["audit"].insert_one(
        {
            "at": now,
            "by": actor,
            "action": "export learner",
            "subjects": [f"learner:{user}"],
            "kind": "learner",
            "name": user,
            "to": to,
            "stores": counts,
        }
    )
    return document


# ------------------------------------------------------------------ erase
@dataclass
class Erasure:
    reference: str
    removed: dict[str, dict[str, int]] = field(default_factory=dict)  # store -> what -> count
    errors: dict[str, str] = field(default_factory=dict)  # store -> why it failed

    @property
    def ok(self) -> bool:
        return not self.errors


async def erase(stores: Stores, user: str, *, actor: str) -> Erasure:
    """Remove ``user`` everywhere; records that only mention them keep an opaque
    reference instead of the name. Each store is tried even when another failed (the
    errors say which), and erasing again is safe. Audited with the reference only."""
    db = stores.db
    ref = opaque_reference(user, await install_salt(db))
    done = Erasure(ref)

    # The hub first: deleting the user stops their server, so nothing new is written.
    if stores.hub is not None:
        try:
            done.removed["hub"] = {"user": int(await stores.hub.delete_user(user))}
        except (HubError, OSError) as exc:
            done.errors["hub"] = str(exc)
    if stores.instance is not None:
        try:
            containers, volumes = await asyncio.to_thread(_remove_home_volumes, stores, user)
            done.removed["docker"] = {"containers": containers, "home volumes": volumes}
        except Exception as exc:  # noqa: BLE001 - the Docker SDK's errors, reported
            log.exception("erasing %s: Docker failed", ref)
            done.errors["docker"] = f"{type(exc).__name__}: {exc}"

    removed: dict[str, int] = {}
    for name in await collections(db):
        if name == INSTALL_COLLECTION:
            continue
        collection = db[name]
        deleted = (await collection.delete_many(owned(name, user))).deleted_count
        renamed = 0
        for f in ACTOR_FIELDS:
            renamed += (await collection.update_many({f: user}, {"$set": {f: ref}})).modified_count
        if name == "audit":
            subject = f"learner:{user}"
            while True:  # the positional $ renames one element per document per pass
                result = await collection.update_many(
                    {"subjects": subject}, {"$set": {"subjects.$": f"learner:{ref}"}}
                )
                renamed += result.modified_count
                if not result.modified_count:
                    break
            renamed += (
                await collection.update_many(
                    {"kind": "learner", "name": user}, {"$set": {"name": ref}}
                )
            ).modified_count
        if name == "leaderboards":
            async for board in collection.find({}, {"names": 1}):
                names = board.get("names") or {}
                if user in names:
                    del names[user]
                    await collection.update_one({"_id": board["_id"]}, {"$set": {"names": names}})
                    renamed += 1
        if deleted:
            removed[name] = deleted
        if renamed:
            removed[f"{name} (name replaced)"] = renamed
    done.removed["mongodb"] = removed

    if stores.redis is not None:
        try:
            keys = await redis_keys(stores.redis, stores.key_prefixes, user)
            done.removed["redis"] = {"keys": await stores.redis.delete(*keys) if keys else 0}
        except Exception as exc:  # noqa: BLE001 - redis-py's errors, reported
            done.errors["redis"] = f"{type(exc).__name__}: {exc}"

    await db["audit"].insert_one(
        {
            "at": dt.datetime.now(dt.UTC),
            "by": actor,
            "action": "erase learner",
            "subjects": [f"learner:{ref}"],
            "kind": "learner",
            "name": ref,
            "stores": done.removed,
            "failed": sorted(done.errors),
        }
    )
    log.info("erased learner %s: %s", ref, done.removed)
    return done
