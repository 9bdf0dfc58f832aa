"""A parent's request: one learner seeded across every store (MongoDB, Redis, a Docker
home volume, the hub), exported, then erased; nothing of theirs is left, the other
learners are untouched, and the audit trail names them only by an opaque reference."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import stat
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import redis.asyncio as redis
from bson import json_util

from grading_service.edge.admission import Admission
from grading_service.edge.request_limits import RequestLimits
from grading_service.ops import people
from grading_service.ops.user_command import main as user_main
from grading_service.storage import Storage
from hub_config.settings import home_volume_prefix

from .loopback_hub import LoopbackHub
from .seed import seed_as_the_service_does, seed_unusual_values

ROOT = Path(__file__).resolve().parents[3]
NAME = re.compile(r"(?<![\w-])ana(?![\w-])")  # "ana" as a name, also in "learner:ana"


class FakeHub(LoopbackHub):
    """The hub's REST API for users, over HTTP: GET and DELETE /hub/api/users/<name>
    with the admin token, as JupyterHub answers them."""

    def __init__(self, users: dict[str, list[str]], token: str) -> None:
        self.users, self.token, self.deleted = users, token, []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _user(self) -> str | None:
                if self.headers.get("Authorization") != f"token {hub.token}":
                    self.send_response(403)
                    self.end_headers()
                    return None
                name = unquote(self.path.removeprefix("/hub/api/users/"))
                if name not in hub.users:
                    self.send_response(404)
                    self.end_headers()
                    return None
                return name

            def do_GET(self) -> None:
                if (name := self._user()) is not None:
                    body = json.dumps({"kind": "user", "name": name, "groups": hub.users[name]})
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(body.encode())

            def do_DELETE(self) -> None:
                if (name := self._user()) is not None:
                    del hub.users[name]
                    hub.deleted.append(name)
                    self.send_response(204)
                    self.end_headers()

        self._serve(Handler)


async def seed_everywhere(mongodb_uri: str, database: str, redis_url: str, prefix: str) -> None:
    storage = Storage(mongodb_uri, database)
    try:
        await seed_as_the_service_does(storage)  # ana and bo
        await seed_unusual_values(storage)  # an audit record about learner:ana
        await storage.set_override("learner", "ana", {"daily_quota": 3}, by="ms-a")
        await storage.set_override("learner", "bo", {"daily_quota": 4}, by="ms-a")
        await storage.audit.insert_one({"at": storage_now(), "by": "ana", "action": "note"})
        # A collection this code does not know: found by its "user" field.
        await storage.db["future_things"].insert_many([{"user": "ana"}, {"user": "bo"}])
    finally:
        await storage.close()
    client = redis.from_url(redis_url, decode_responses=True)
    try:
        admission = Admission(client, None, key_prefix=prefix)
        limits = RequestLimits(client, key_prefix=prefix)
        for user in ("ana", "bo", "ana:x"):  # "ana:x" is someone else
            await admission.check_limits(user, ["class-7a"])
            assert await admission.claim_dedup(user, "add-two", "c0ffee", f"sid-{user}") is None
            await limits.check(user, staff=False)
    finally:
        await client.aclose()


def storage_now() -> Any:
    from grading_service.storage import utcnow

    return utcnow()


async def everything(mongodb_uri: str, database: str) -> dict[str, list[dict]]:
    storage = Storage(mongodb_uri, database)
    try:
        return {
            name: [d async for d in storage.db[name].find()]
            for name in await storage.db.list_collection_names()
        }
    finally:
        await storage.close()


async def redis_keys(redis_url: str, prefix: str) -> set[str]:
    client = redis.from_url(redis_url, decode_responses=True)
    try:
        return {k async for k in client.scan_iter(match=f"{prefix}:*")}
    finally:
        await client.aclose()


@pytest.fixture
def learners_everywhere(
    mongodb_server, redis_server, docker_client, new_instance_name, tmp_path, monkeypatch
):
    """Two learners (ana, bo) in every store; the settings in the environment and the
    service's config file as an admin would have them."""
    instance = new_instance_name()
    database = f"test_{secrets.token_hex(4)}"
    prefix = f"t{secrets.token_hex(3)}"
    hub = FakeHub({"ana": ["class-7a"], "bo": ["class-7a"]}, token="admin-token")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "coderunner_grader_config.py").write_text(
        f"c.Admission.key_prefix = {prefix!r}\nc.RequestLimits.key_prefix = {prefix!r}\n"
    )
    monkeypatch.setenv("MONGODB_URI", mongodb_server.mongodb_uri)
    monkeypatch.setenv("CODERUNNER_DB", database)
    monkeypatch.setenv("REDIS_URL", redis_server.redis_url)
    monkeypatch.setenv("CODERUNNER_ADMIN_TOKEN", "admin-token")
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    volumes = {u: home_volume_prefix(instance) + u for u in ("ana", "bo")}
    labels = {"org.coderunner.instance": instance}
    for name in volumes.values():
        docker_client.volumes.create(name, labels=labels)
    # ana's server, stopped but not removed, still mounting the volume.
    server = docker_client.containers.create(
        "coderunner-sandbox:latest",
        command=["true"],
        name=f"coderunner-{instance}-ana",
        labels=labels,
        volumes={volumes["ana"]: {"bind": "/home/learner", "mode": "rw"}},
    )
    asyncio.run(
        seed_everywhere(mongodb_server.mongodb_uri, database, redis_server.redis_url, prefix)
    )
    args = ["--instance", instance, "--hub-api", hub.api_url]
    yield {
        "instance": instance,
        "database": database,
        "prefix": prefix,
        "hub": hub,
        "volumes": volumes,
        "server": server,
        "args": args,
        "uri": mongodb_server.mongodb_uri,
        "redis_url": redis_server.redis_url,
    }
    hub.close()
    for container in docker_client.containers.list(
        all=True, filters={"label": f"org.coderunner.instance={instance}"}
    ):
        container.remove(force=True)
    for volume in docker_client.volumes.list(
        filters={"label": f"org.coderunner.instance={instance}"}
    ):
        volume.remove(force=True)

    async def drop() -> None:
        storage = Storage(mongodb_server.mongodb_uri, database)
        await storage.client.drop_database(database)
        await storage.close()

    asyncio.run(drop())


def test_a_learner_is_exported_then_erased_everywhere(
    learners_everywhere, docker_client, tmp_path: Path, capsys, caplog
) -> None:
    env = learners_everywhere
    uri, database, prefix = env["uri"], env["database"], env["prefix"]
    before = asyncio.run(everything(uri, database))
    keys_before = asyncio.run(redis_keys(env["redis_url"], prefix))

    # ------------------------------------------------------------------ export
    out = tmp_path / "ana.json"
    assert user_main(["export", "ana", "--out", str(out), "--actor", "head", *env["args"]]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "exported 12 database records and 4 Redis keys" in capsys.readouterr().out
    text = out.read_text()
    exported = json_util.loads(text)
    assert '"$date": "20' in text  # relaxed extended JSON: ISO dates
    mongo = exported["mongodb"]
    assert {d["problem_id"] for d in mongo["submissions"]} == {"add-two", "fizz"}
    assert all(d["user"] == "ana" and d["code"] for d in mongo["submissions"])
    assert any(d.get("verdict") for d in mongo["submissions"])
    # Hidden tests' failure messages are the teachers', never the learner's family's.
    assert "expected 4, got 5" not in text
    assert not any("hidden_detail" in d for d in mongo["submissions"])
    assert exported["export"]["withheld"] == {"submissions": ["hidden_detail"]}
    assert {d["problem_id"] for d in mongo["progress"]} == {"add-two", "fizz"}
    assert [d["revealed"] for d in mongo["hint_reveals"]] == [1]
    assert [d["used"] for d in mongo["assessment_attempts"]] == [1]
    assert [d["version"] for d in mongo["privacy_acceptances"]] == ["2027-01"]
    assert [d["_id"] for d in mongo["limit_overrides"]] == ["learner:ana"]
    assert mongo["future_things"] == [d for d in before["future_things"] if d["user"] == "ana"]
    actions = sorted(d["action"] for d in mongo["audit"])
    assert actions == ["export", "note", "set limits"]  # subject, actor, subject
    assert exported["leaderboard_names"] == {"class-7a": "Comet"}
    ana_keys = {k for k in keys_before if re.match(rf"{prefix}:\w+:ana(:|$)", k)}
    ana_keys -= {k for k in keys_before if re.match(rf"{prefix}:\w+:ana:x(:|$)", k)}
    assert set(exported["redis"]) == ana_keys and len(ana_keys) == 4  # req rate quota dedup
    assert exported["home_volumes"][0]["name"] == env["volumes"]["ana"]
    assert exported["hub_user"]["groups"] == ["class-7a"]
    assert all("bo" not in (d.get("user"), d.get("name")) for docs in mongo.values() for d in docs)
    after_export = asyncio.run(everything(uri, database))
    export_audit = [d for d in after_export["audit"] if d["action"] == "export learner"]
    assert len(export_audit) == 1 and export_audit[0]["by"] == "head"
    assert export_audit[0]["stores"]["submissions"] == 2

    # ------------------------------------------------------------------ erase
    caplog.set_level(logging.INFO)  # the service logs at INFO; pymongo logs commands at DEBUG
    assert user_main(["erase", "ana", "--yes", "--actor", "head", *env["args"]]) == 0
    printed = capsys.readouterr()
    assert "erased:" in printed.out and not NAME.search(printed.out + printed.err)
    assert not any(NAME.search(r.getMessage()) for r in caplog.records)
    assert env["hub"].deleted == ["ana"] and "bo" in env["hub"].users

    after = asyncio.run(everything(uri, database))
    for name, docs in after.items():
        for doc in docs:
            assert not NAME.search(json_util.dumps(doc)), (name, doc)
    # bo's records are all still there, unchanged
    for name, docs in before.items():
        bo = [d for d in docs if d.get("user") == "bo" or d.get("_id") == "learner:bo"]
        assert all(d in after[name] for d in bo), name
    assert after["leaderboards"][0]["names"] == {"bo": "Nova"}
    # the trail stays, with an opaque reference
    erase_audit = [d for d in after["audit"] if d["action"] == "erase learner"]
    assert len(erase_audit) == 1
    ref = erase_audit[0]["name"]
    assert re.fullmatch(r"erased:[0-9a-f]{16}", ref) and erase_audit[0]["by"] == "head"
    assert erase_audit[0]["subjects"] == [f"learner:{ref}"]
    assert erase_audit[0]["stores"]["mongodb"]["submissions"] == 2
    assert erase_audit[0]["stores"]["redis"] == {"keys": 4}
    assert erase_audit[0]["stores"]["docker"] == {"containers": 1, "home volumes": 1}
    assert sum(1 for d in after["audit"] if f"learner:{ref}" in d.get("subjects", [])) == 4
    assert len(after["audit"]) == len(after_export["audit"]) + 1  # nothing deleted
    # Redis: ana's keys gone, bo's and "ana:x"'s kept
    assert asyncio.run(redis_keys(env["redis_url"], prefix)) == keys_before - ana_keys
    # Docker: ana's volume and stopped server gone, bo's volume kept
    names = {v.name for v in docker_client.volumes.list()}
    assert env["volumes"]["ana"] not in names and env["volumes"]["bo"] in names

    # Erasing again is safe and finds nothing; the reference is the same.
    assert user_main(["erase", "ana", "--yes", *env["args"]]) == 0
    again = [
        d for d in asyncio.run(everything(uri, database))["audit"] if d["action"] == "erase learner"
    ]
    assert [d["name"] for d in again] == [ref, ref]
    assert again[1]["stores"]["mongodb"] == {} and again[1]["stores"]["hub"] == {"user": 0}


def test_erase_asks_first_and_refuses_without_a_terminal(
    learners_everywhere, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    env = learners_everywhere
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert user_main(["erase", "ana", *env["args"]]) == 2
    assert "pass --yes" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "bo")
    assert user_main(["erase", "ana", *env["args"]]) == 2
    assert "not confirmed" in capsys.readouterr().err
    assert env["hub"].deleted == []
    monkeypatch.delenv("CODERUNNER_ADMIN_TOKEN")
    assert user_main(["erase", "ana", "--yes", *env["args"]]) == 2
    assert "CODERUNNER_ADMIN_TOKEN" in capsys.readouterr().err
    docs = asyncio.run(everything(env["uri"], env["database"]))
    assert sum(1 for d in docs["submissions"] if d["user"] == "ana") == 2


def test_a_hub_that_fails_is_reported_and_the_rest_is_still_erased(
    learners_everywhere, capsys
) -> None:
    env = learners_everywhere
    env["hub"].token = "another-token"  # the hub answers 403
    assert user_main(["erase", "ana", "--yes", *env["args"]]) == 1
    assert "hub failed: DELETE /users/<name> answered 403" in capsys.readouterr().err
    docs = asyncio.run(everything(env["uri"], env["database"]))
    assert not any(d.get("user") == "ana" for d in docs["submissions"])


def test_redis_patterns_match_only_that_users_keys() -> None:
    shapes = dict(people.redis_patterns("cr", "a*[b]"))
    assert "cr:rate:a\\*\\[b\\]:*" in shapes
    (rate,) = [s for p, s in people.redis_patterns("cr", "ana") if ":rate:" in p]
    assert rate.fullmatch("cr:rate:ana:29000000")
    assert not rate.fullmatch("cr:rate:ana:x:29000000")
    (dedup,) = [s for p, s in people.redis_patterns("cr", "ana") if ":dedup:" in p]
    assert dedup.fullmatch("cr:dedup:ana:add-two:c0ffee")
    assert not dedup.fullmatch("cr:dedup:ana:x:add-two:c0ffee")


def test_every_redis_key_about_a_user_is_known() -> None:
    """A new per-user Redis key in the service must be listed in people.REDIS_KEYS, or
    erase would leave it behind."""
    pattern = re.compile(r'f"\{self\.key_prefix\}:(\w+):\{user\}')
    found = {
        kind
        for path in (ROOT / "grading_service").rglob("*.py")
        for kind in pattern.findall(path.read_text())
    }
    assert found and found <= set(people.REDIS_KEYS), found - set(people.REDIS_KEYS)
