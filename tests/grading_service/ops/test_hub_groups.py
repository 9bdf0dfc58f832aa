"""Cohort settings in backups (ops/hub_groups.py): the hub's groups go into the backup
file beside the collections, never into the database on restore, and `restore --hub`
puts them back into a hub, skipping members it no longer knows."""

from __future__ import annotations

import asyncio
import json
import secrets
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from grading_service.ops import hub_groups
from grading_service.ops.backup import create_backup, read_outside, restore_backup
from grading_service.ops.command import main as ops_main
from grading_service.ops.people import Hub

from .loopback_hub import LoopbackHub
from .seed import drop_databases, seed_as_the_service_does

TOKEN = "admin-" + "a" * 40
COHORT = {"coderunner": {"display_name": "Class 7A", "track": "ages-11-14", "daily_quota": 50}}


class GroupsHub(LoopbackHub):
    """The hub's REST API for groups, over HTTP, as JupyterHub answers it (paged lists,
    409 for a group that exists, 400 for an unknown user)."""

    def __init__(self, groups: dict[str, dict[str, Any]], users: set[str]) -> None:
        self.groups, self.users = groups, users
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if body is not None:
                    self.wfile.write(json.dumps(body).encode())

            def _body(self) -> Any:
                size = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(size) or b"null")

            def _route(self) -> tuple[list[str], dict[str, list[str]]] | None:
                if self.headers.get("Authorization") != f"token {TOKEN}":
                    self._answer(403)
                    return None
                url = urlsplit(self.path)
                parts = [unquote(p) for p in url.path.removeprefix("/hub/api/").split("/")]
                return parts, parse_qs(url.query)

            def do_GET(self) -> None:
                if (route := self._route()) is None:
                    return
                parts, query = route
                offset, limit = int(query["offset"][0]), int(query["limit"][0])
                names = sorted(hub.groups)[offset : offset + limit]
                self._answer(200, [{"name": n, **hub.groups[n]} for n in names])

            def do_POST(self) -> None:
                if (route := self._route()) is None:
                    return
                parts, _ = route
                body = self._body()
                if len(parts) == 2:  # POST /groups/<name>
                    if parts[1] in hub.groups:
                        return self._answer(409)
                    hub.groups[parts[1]] = {"users": [], "properties": {}}
                    return self._answer(201, {})
                (user,) = body["users"]  # POST /groups/<name>/users
                if user not in hub.users:
                    return self._answer(400, {"message": f"No such user: {user}"})
                hub.groups[parts[1]]["users"] = sorted({*hub.groups[parts[1]]["users"], user})
                self._answer(200, {})

            def do_PUT(self) -> None:  # PUT /groups/<name>/properties
                if (route := self._route()) is None:
                    return
                parts, _ = route
                hub.groups[parts[1]]["properties"] = self._body()
                self._answer(200, {})

        self._serve(Handler)


@pytest.fixture
def school_hub():
    hub = GroupsHub(
        {
            "class-7a": {"users": ["ana", "bo"], "properties": COHORT},
            "class-7a-teachers": {"users": ["ms-a"], "properties": {}},
            **{f"room-{n}": {"users": [], "properties": {}} for n in range(5)},
        },
        users={"ana", "bo", "ms-a"},
    )
    yield hub
    hub.close()


async def test_groups_are_read_page_by_page(school_hub, monkeypatch) -> None:
    monkeypatch.setattr(hub_groups, "PAGE", 2)
    groups = await hub_groups.read_groups(Hub(school_hub.api_url, TOKEN))
    assert [g["name"] for g in groups] == sorted(school_hub.groups)
    (cohort,) = [g for g in groups if g["name"] == "class-7a"]
    assert cohort == {"name": "class-7a", "users": ["ana", "bo"], "properties": COHORT}


async def test_cohorts_travel_in_the_backup_and_back_into_a_new_hub(
    school_hub, make_storage, tmp_path: Path
) -> None:
    source, target = make_storage(), make_storage()
    await seed_as_the_service_does(source)
    groups = await hub_groups.read_groups(Hub(school_hub.api_url, TOKEN))
    path, manifest = await create_backup(
        source.db, tmp_path, outside={hub_groups.COLLECTION: groups}
    )
    assert manifest.collections[hub_groups.COLLECTION] == len(groups)

    await restore_backup(target.db, path)
    # Only the database's collections went into the database.
    assert hub_groups.COLLECTION not in await target.db.list_collection_names()
    assert read_outside(path, hub_groups.COLLECTION) == groups

    # A new hub where "bo" was erased meanwhile and one room exists already.
    new_hub = GroupsHub({"room-0": {"users": [], "properties": {}}}, users={"ana", "ms-a"})
    try:
        done = await hub_groups.restore_groups(Hub(new_hub.api_url, TOKEN), groups)
        assert new_hub.groups["class-7a"] == {"users": ["ana"], "properties": COHORT}
        assert new_hub.groups["class-7a-teachers"]["users"] == ["ms-a"]
        assert done.unknown_members == ["bo"] and done.updated == ["room-0"]
        assert len(done.created) == len(groups) - 1 and done.members_added == 2
    finally:
        new_hub.close()


def test_the_commands_back_up_and_restore_the_cohorts(
    school_hub, command_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    source, target = f"test_{secrets.token_hex(4)}", f"test_{secrets.token_hex(4)}"
    uri = command_database(source)
    monkeypatch.setenv("JUPYTERHUB_API_URL", school_hub.api_url)
    monkeypatch.setenv("CODERUNNER_ADMIN_TOKEN", TOKEN)
    try:
        assert ops_main("backup", ["--out", str(tmp_path)]) == 0
        (path,) = tmp_path.glob("*.crbak")
        capsys.readouterr()

        # The hub lost its cohorts; the restore with --hub puts them back.
        saved = {name: dict(group) for name, group in school_hub.groups.items()}
        school_hub.groups.clear()
        monkeypatch.setenv("CODERUNNER_DB", target)
        assert ops_main("restore", [str(path), "--hub"]) == 0
        assert "cohorts: 7 created, 0 updated, 3 memberships" in capsys.readouterr().out
        assert school_hub.groups == saved

        # Without a hub token the backup says the cohorts are missing; --no-hub is quiet.
        monkeypatch.delenv("CODERUNNER_ADMIN_TOKEN")
        monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
        monkeypatch.setenv("CODERUNNER_DB", source)
        assert ops_main("backup", ["--out", str(tmp_path / "b.crbak")]) == 0
        assert "are not in this backup" in capsys.readouterr().err
        assert ops_main("backup", ["--out", str(tmp_path / "c.crbak"), "--no-hub"]) == 0
        assert "not in this backup" not in capsys.readouterr().err

        # A hub that refuses: nothing written.
        monkeypatch.setenv("CODERUNNER_ADMIN_TOKEN", "wrong-" + "b" * 40)
        assert ops_main("backup", ["--out", str(tmp_path / "d.crbak")]) == 1
        assert "cannot read the cohorts" in capsys.readouterr().err
        assert not (tmp_path / "d.crbak").exists()
    finally:
        asyncio.run(drop_databases(uri, source, target))
