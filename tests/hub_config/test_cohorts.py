"""Cohort settings from JupyterHub group properties."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import Mock

import pytest

from hub_config.cohorts import apply_cohort_overrides, cohort_overrides, memory_bytes

GIB = 1024**3


@pytest.mark.parametrize(
    ("text", "value"),
    [("2G", 2 * GIB), ("512M", 512 * 1024**2), ("1.5GiB", int(1.5 * GIB)), (1000, 1000),
     ("lots", None), ("", None)],
)  # fmt: skip
def test_memory_is_read_as_docker_writes_it(text, value) -> None:
    assert memory_bytes(text) == value


def test_a_learner_in_several_cohorts_gets_the_most_generous_values() -> None:
    overrides, problems = cohort_overrides([
        {"coderunner": {"mem_limit": "2G"}},
        {"coderunner": {"mem_limit": "1G", "cpu_limit": 2}},
        {"display_name": "Year 7"},
    ])  # fmt: skip
    assert overrides == {"mem_limit": 2 * GIB, "cpu_limit": 2.0} and problems == []


def test_malformed_or_excessive_values_are_ignored_and_reported() -> None:
    overrides, problems = cohort_overrides(
        [{"coderunner": {"mem_limit": "999T", "cpu_limit": "many"}}, {"coderunner": "x"}]
    )
    assert overrides == {}
    assert problems == ["mem_limit '999T'", "cpu_limit 'many'"]


def test_the_spawn_hook_raises_memory_and_keeps_swap_equal() -> None:
    cohort = SimpleNamespace(properties={"coderunner": {"mem_limit": "2G", "cpu_limit": "x"}})
    spawner = SimpleNamespace(
        user=SimpleNamespace(name="ana", groups=[cohort]),
        mem_limit=GIB,
        cpu_limit=1.0,
        extra_host_config={"memswap_limit": "1G", "pids_limit": 512},
        log=Mock(),
    )
    apply_cohort_overrides(spawner)
    assert spawner.mem_limit == 2 * GIB and spawner.cpu_limit == 1.0
    assert spawner.extra_host_config == {"memswap_limit": 2 * GIB, "pids_limit": 512}
    assert "cpu_limit 'x'" in spawner.log.warning.call_args.args
