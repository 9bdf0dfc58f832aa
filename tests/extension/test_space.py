"""The learner's home: space used and left, and the caps on what is saved into it
(extension/space.py), through a real Jupyter server's contents API."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from extension.space import MB, describe, incoming_bytes

from .conftest import GRADER_TOKEN


@pytest.fixture
def jp_server_config(fake_grader) -> dict[str, Any]:
    """A home with a 1 MB quota and at most 0.5 MB per file."""
    return {
        "ServerApp": {"jpserver_extensions": {"extension": True}},
        "CodeRunnerConfig": {
            "grader_url": fake_grader.url,
            "grader_token": GRADER_TOKEN,
            "home_quota_mb": 1,
            "max_upload_mb": 0.5,
        },
    }


async def space(jp_fetch) -> dict[str, Any]:
    response = await jp_fetch("coderunner", "api", "space")
    return json.loads(response.body)


async def save(jp_fetch, path: str, model: dict[str, Any]):
    return await jp_fetch(
        "api", "contents", path, method="PUT", body=json.dumps(model), raise_error=False
    )


def upload(size: int, **extra: Any) -> dict[str, Any]:
    data = base64.b64encode(b"x" * size).decode()
    return {"type": "file", "format": "base64", "content": data, **extra}


async def test_space_shows_what_the_home_holds_and_what_is_left(jp_fetch, jp_root_dir) -> None:
    (jp_root_dir / "notes.txt").write_bytes(b"a" * 1000)
    (jp_root_dir / "sub").mkdir()
    (jp_root_dir / "sub" / "more.txt").write_bytes(b"b" * 24)
    body = await space(jp_fetch)
    assert body["used_bytes"] == 1024
    assert body["quota_bytes"] == MB
    assert body["free_bytes"] == MB - 1024
    assert body["max_upload_bytes"] == MB // 2


async def test_a_file_over_the_upload_cap_is_refused_and_not_written(jp_fetch, jp_root_dir) -> None:
    response = await save(jp_fetch, "big.bin", upload(600 * 1024))
    assert response.code == 413
    message = json.loads(response.body)["message"]
    assert "big.bin" in message and "at most 512 KB" in message
    assert not (jp_root_dir / "big.bin").exists()


async def test_a_save_past_the_quota_says_how_much_is_left_and_keeps_earlier_work(
    jp_fetch, jp_root_dir
) -> None:
    for name in ("one.bin", "two.bin"):
        response = await save(jp_fetch, name, upload(400 * 1024))
        assert response.code in (200, 201), response.body
    response = await save(jp_fetch, "three.bin", upload(400 * 1024))
    assert response.code == 507
    message = json.loads(response.body)["message"]
    assert message.startswith("Your space is full") and "Delete files" in message
    assert not (jp_root_dir / "three.bin").exists()
    assert (jp_root_dir / "one.bin").stat().st_size == 400 * 1024
    # replacing a file with one of the same size still works when the home is nearly full
    response = await save(jp_fetch, "one.bin", upload(400 * 1024))
    assert response.code == 200
    assert (await space(jp_fetch))["free_bytes"] == MB - 800 * 1024


async def test_the_chunks_of_a_large_upload_count_together(jp_fetch, jp_root_dir) -> None:
    for chunk in (1, 2):
        response = await save(jp_fetch, "parts.bin", upload(200 * 1024, chunk=chunk))
        assert response.code in (200, 201), response.body
    response = await save(jp_fetch, "parts.bin", upload(200 * 1024, chunk=-1))
    assert response.code == 413, "600 KB in three chunks is over the 512 KB cap"


async def test_the_privacy_notice_and_its_acceptance_pass_through(jp_fetch, fake_grader) -> None:
    response = await jp_fetch("coderunner", "api", "privacy")
    assert json.loads(response.body)["accepted_at"] is None
    response = await jp_fetch(
        "coderunner", "api", "privacy", method="POST", body=json.dumps({"version": "v1"})
    )
    assert json.loads(response.body)["accepted_at"]
    assert fake_grader.requests[-1]["body"] == {"version": "v1"}
    response = await jp_fetch(
        "coderunner", "api", "privacy", method="POST", body=json.dumps({}), raise_error=False
    )
    assert response.code == 400


def test_incoming_sizes_and_words() -> None:
    assert incoming_bytes({"type": "file", "format": "text", "content": "héllo"}) == 6
    assert incoming_bytes({"type": "file", "format": "base64", "content": "QUJD"}) == 3
    assert incoming_bytes({"type": "directory"}) == 0
    assert incoming_bytes({"type": "notebook", "content": {"cells": []}}) == len('{"cells": []}')
    assert describe(12 * MB) == "12 MB" and describe(3.25 * 1024 * MB) == "3.2 GB"
    assert describe(512 * 1024) == "512 KB" and describe(10) == "10 bytes"
