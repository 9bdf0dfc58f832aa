"""`coderunner hub prune-homes`: the home volumes of users removed from the hub are
listed by a dry run and deleted only with --apply; everyone else's stay."""

from __future__ import annotations

import docker

from hub_config.devstack import Stack
from hub_config.homes import main as prune_homes
from hub_config.settings import home_volume_prefix

from ..conftest import hub_api


def test_prune_homes_removes_only_volumes_of_removed_users(
    hub_stack: Stack, monkeypatch, capsys
) -> None:
    client = docker.from_env()
    prefix = home_volume_prefix(hub_stack.instance)
    assert hub_api(hub_stack, "POST", "/users/keeper")[0] in (201, 409)
    keep = client.volumes.create(prefix + "keeper")
    gone = client.volumes.create(prefix + "leftschool")
    monkeypatch.setenv("CODERUNNER_ADMIN_TOKEN", hub_stack.admin_token)
    argv = ["--instance", hub_stack.instance, "--hub-api", f"{hub_stack.hub_url}/hub/api"]

    assert prune_homes(argv) == 0
    out = capsys.readouterr().out
    assert f"would remove {gone.name}" in out and "dry run" in out
    assert keep.name not in out
    assert {v.name for v in client.volumes.list(filters={"name": prefix})} >= {
        keep.name,
        gone.name,
    }

    assert prune_homes([*argv, "--apply"]) == 0
    names = {v.name for v in client.volumes.list(filters={"name": prefix})}
    assert gone.name not in names and keep.name in names
