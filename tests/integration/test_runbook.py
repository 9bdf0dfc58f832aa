"""docs/runbook.md stays true: its read-only commands run against a real platform, the
commands it names exist, and the alerts' runbook links land on one of its sections."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grading_service.monitoring import RULES_FILE
from hub_config.devstack import operator_env

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"
BLOCK = re.compile(r"^```(sh|bash)\n(.*?)^```", re.S | re.M)


def blocks(kind: str) -> list[str]:
    return [body for k, body in BLOCK.findall(RUNBOOK.read_text(encoding="utf-8")) if k == kind]


def commands(body: str) -> list[str]:
    """One command per line (a trailing ``\\`` joins lines; comments are dropped)."""
    joined = body.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and line[0] != "#"]


def anchors() -> set[str]:
    """GitHub's anchors for the runbook's headings."""
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", RUNBOOK.read_text(encoding="utf-8"), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_the_runbook_covers_every_case_the_issue_names() -> None:
    wanted = {
        "the-runner-crashes",
        "redis-is-down",
        "the-queue-is-stuck",
        "the-image-is-missing",
        "mongodb-is-down",
        "the-disk-is-full",
        "the-hub-restarts",
        "a-grading-host-must-be-drained",
        "a-release-must-be-rolled-back",
        "a-backup-must-be-restored",
        "a-parent-asks-for-export-or-erasure",
    }
    assert wanted <= anchors()


def test_every_alert_links_to_a_section_of_the_runbook() -> None:
    rules = yaml.safe_load(Path(RULES_FILE).read_text(encoding="utf-8"))
    sections = anchors()
    for group in rules["groups"]:
        for rule in group["rules"]:
            url = rule["annotations"]["runbook_url"]
            assert url.startswith("docs/runbook.md#"), (rule["alert"], url)
            anchor = url.split("#", 1)[1]
            # An alert may point at "queue-is-stuck" for the section "The queue is stuck".
            assert anchor in sections or f"the-{anchor}" in sections, (rule["alert"], url)


def test_every_coderunner_command_in_the_runbook_exists() -> None:
    named = set()
    for kind in ("sh", "bash"):
        for body in blocks(kind):
            for line in commands(body):
                words = shlex.split(line, comments=True)
                if words and words[0] == "coderunner" and len(words) > 1:
                    sub = words[1:3] if words[1] in ("user", "hub") else words[1:2]
                    named.add(tuple(w for w in sub if not w.startswith("-")))
    assert ("restore",) in named and ("user", "erase") in named
    coderunner = Path(sys.executable).parent / "coderunner"
    for sub in sorted(named):
        done = subprocess.run(
            [str(coderunner), *sub, "--help"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (sub, done.stdout[-500:], done.stderr[-500:])


@pytest.mark.integration
def test_read_only_commands_run_against_the_platform(hub_stack) -> None:
    env = {
        **os.environ,
        **operator_env(hub_stack),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    ran, failed = 0, []
    for body in blocks("sh"):
        for line in commands(body):
            done = subprocess.run(
                ["bash", "-c", f"set -u\n{line}"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            ran += 1
            if done.returncode != 0:
                failed.append(f"$ {line}\n(exit {done.returncode}) {done.stderr[-400:]}")
    assert ran >= 15
    assert not failed, "\n\n".join(failed)
