"""Learners' home volumes: ``coderunner hub prune-homes``.

Each learner's work lives in a Docker volume of its own (``coderunner-<instance>-home-
<user>``), kept when their server stops, is culled or the hub restarts. When a user is
removed from the hub, their volume stays until an admin prunes it: this command lists
the volumes whose user the hub no longer knows, and removes them only with ``--apply``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request
from dataclasses import dataclass

import docker
from docker.errors import APIError, NotFound

from hub_config.settings import home_volume_prefix


@dataclass(frozen=True)
class Orphan:
    volume: str
    user: str


def hub_users(hub_api_url: str, token: str) -> set[str]:
    """Every user name the hub knows (paged through the REST API)."""
    names: set[str] = set()
    offset = 0
    while True:
        req = urllib.request.Request(
            f"{hub_api_url.rstrip('/')}/users?offset={offset}&limit=200",
            headers={
                "Authorization": f"token {token}",
                "Accept": "application/jupyterhub-pagination+json",
            },
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = json.loads(resp.read())
        items = body["items"] if isinstance(body, dict) else body
        names.update(user["name"] for user in items)
        page = body.get("_pagination", {}) if isinstance(body, dict) else {}
        if not page.get("next"):
            return names
        offset = page["next"]["offset"]


def orphaned_homes(client: docker.DockerClient, instance: str, users: set[str]) -> list[Orphan]:
    prefix = home_volume_prefix(instance)
    found = []
    for volume in client.volumes.list(filters={"name": prefix}):
        if volume.name.startswith(prefix):
            user = volume.name[len(prefix) :]
            # DockerSpawner escapes unusual characters in names; compare both forms.
            if user not in users and user not in {_escaped(u) for u in users}:
                found.append(Orphan(volume.name, user))
    return sorted(found, key=lambda o: o.volume)


def _escaped(name: str) -> str:
    from dockerspawner import DockerSpawner

    return str(DockerSpawner._escape(name))  # the spawner's own escaping of {username}


def prune(instance: str, hub_api_url: str, token: str, *, apply: bool) -> list[Orphan]:
    client = docker.from_env()
    orphans = orphaned_homes(client, instance, hub_users(hub_api_url, token))
    for orphan in orphans:
        if apply:
            try:
                client.volumes.get(orphan.volume).remove()
            except NotFound:
                pass
            except APIError as exc:  # still mounted by a container: leave it
                print(f"kept {orphan.volume}: {exc.explanation}", file=sys.stderr)
                continue
    return orphans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="coderunner hub prune-homes",
        description="Delete the home volumes of users removed from the hub (dry run unless "
        "--apply).",
    )
    parser.add_argument("--instance", default=os.environ.get("CODERUNNER_INSTANCE", "default"))
    parser.add_argument(
        "--hub-api",
        default=os.environ.get("JUPYTERHUB_API_URL", "http://127.0.0.1:8000/hub/api"),
        help="the hub's REST API (default: $JUPYTERHUB_API_URL, else the demo's)",
    )
    parser.add_argument(
        "--apply", action="store_true", help="remove the volumes (default: only list them)"
    )
    args = parser.parse_args(argv)
    token = os.environ.get("CODERUNNER_ADMIN_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN")
    if not token:
        print("prune-homes: set CODERUNNER_ADMIN_TOKEN (an admin API token)", file=sys.stderr)
        return 2
    orphans = prune(args.instance, args.hub_api, token, apply=args.apply)
    verb = "removed" if args.apply else "would remove"
    for orphan in orphans:
        print(f"{verb} {orphan.volume} (user {orphan.user!r} is no longer on the hub)")
    if not orphans:
        print("no home volumes of removed users")
    elif not args.apply:
        print("dry run: nothing removed; add --apply to remove them")
    return 0
