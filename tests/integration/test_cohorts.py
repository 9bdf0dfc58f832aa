"""A cohort's group properties raise its learners' limits, through the real hub."""

from __future__ import annotations

import time

import docker

from hub_config.devstack import Stack

from ..conftest import hub_api

USER = "cohortuser"
GROUP = "bigger-room"


def test_group_properties_give_a_cohort_more_memory(hub_stack: Stack) -> None:
    assert hub_api(hub_stack, "POST", f"/groups/{GROUP}")[0] in (201, 409)
    status, _ = hub_api(
        hub_stack,
        "PUT",
        f"/groups/{GROUP}/properties",
        {"display_name": "Bigger room", "coderunner": {"mem_limit": "2G"}},
    )
    assert status == 200
    assert hub_api(hub_stack, "POST", f"/users/{USER}")[0] in (201, 409)
    assert hub_api(hub_stack, "POST", f"/groups/{GROUP}/users", {"users": [USER]})[0] == 200
    status, body = hub_api(hub_stack, "POST", f"/users/{USER}/server")
    assert status in (201, 202), body
    deadline = time.monotonic() + 120
    while not hub_api(hub_stack, "GET", f"/users/{USER}")[1]["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.5)
    try:
        container = docker.from_env().containers.get(f"coderunner-{hub_stack.instance}-{USER}")
        host = container.attrs["HostConfig"]
        assert host["Memory"] == 2 * 1024**3
        assert host["MemorySwap"] == 2 * 1024**3
    finally:
        hub_api(hub_stack, "DELETE", f"/users/{USER}/server")
