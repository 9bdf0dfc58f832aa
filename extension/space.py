"""How much a learner's home holds, and the caps on what they save into it.

A learner's home is a Docker volume; Docker's local volumes have no size limit of their
own, so the caps are kept here, where files are saved through the Jupyter server (the
editor, the notebook, uploads, opening a problem):

- one file (an upload or a save) may be at most ``max_upload_mb``;
- everything in the home together may be at most ``home_quota_mb``;
- and nothing is saved that the disk itself has no room for.

A save over a cap is refused with a message a child can act on, and nothing already
saved is touched. Files that learner code writes from a kernel do not pass through here:
the disk's own limit holds for those (see the README, "Learners' homes").
"""

from __future__ import annotations

import base64
import inspect
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from tornado.web import HTTPError

MB = 1024 * 1024


@dataclass(frozen=True)
class Space:
    used_bytes: int
    quota_bytes: int | None
    free_bytes: int
    max_upload_bytes: int | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def describe(n: float) -> str:
    """Bytes in words: ``12 MB``, ``3.2 GB``."""
    for unit, size in (("GB", 1024**3), ("MB", MB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{int(n)} bytes"


def incoming_bytes(model: dict[str, Any]) -> int:
    """The size a contents model will have on disk (near enough for a cap)."""
    content = model.get("content")
    if content is None or model.get("type") == "directory":
        return 0
    if model.get("type") == "notebook":
        return len(json.dumps(content, ensure_ascii=False).encode())
    if model.get("format") == "base64" and isinstance(content, str):
        return len(content) * 3 // 4  # without decoding a large upload twice
    if isinstance(content, str):
        return len(content.encode())
    return len(base64.b64encode(json.dumps(content).encode()))


class HomeSpace:
    """The usage of one home folder (cached briefly: walking a home is not free)."""

    def __init__(
        self,
        root: str,
        *,
        quota_bytes: int | None,
        max_upload_bytes: int | None,
        cache_seconds: float = 10.0,
    ) -> None:
        self.root = os.path.abspath(root)
        self.quota_bytes = quota_bytes or None
        self.max_upload_bytes = max_upload_bytes or None
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._used: tuple[float, int] | None = None

    def used_bytes(self) -> int:
        with self._lock:
            if self._used and time.monotonic() - self._used[0] < self.cache_seconds:
                return self._used[1]
        total = 0
        for dirpath, _, files in os.walk(self.root):
            for name in files:
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    continue  # removed meanwhile
        with self._lock:
            self._used = (time.monotonic(), total)
        return total

    def forget(self) -> None:
        """Count again next time (after a save)."""
        with self._lock:
            self._used = None

    def disk_free_bytes(self) -> int:
        stats = os.statvfs(self.root)
        return stats.f_bavail * stats.f_frsize

    def space(self) -> Space:
        used = self.used_bytes()
        free = self.disk_free_bytes()
        if self.quota_bytes:
            free = min(free, self.quota_bytes - used)
        return Space(used, self.quota_bytes, max(free, 0), self.max_upload_bytes)

    def check_save(self, model: dict[str, Any], path: str) -> None:
        """Raise HTTPError (413: one file too big; 507: no room left) for a save that
        does not fit; the message says what to do. (No format arguments: the contents
        API sends ``log_message`` to the browser as it is.)"""
        incoming = incoming_bytes(model)
        if not incoming:
            return
        target = os.path.join(self.root, path.strip("/"))
        try:
            existing = os.lstat(target).st_size
        except OSError:
            existing = 0
        appending = model.get("chunk") not in (None, 1)  # later chunks of a large upload
        new_size = existing + incoming if appending else incoming
        growth = new_size - existing
        if self.max_upload_bytes and new_size > self.max_upload_bytes:
            raise HTTPError(
                413,
                f"{os.path.basename(path)} would be {describe(new_size)}, but one file can be "
                f"at most {describe(self.max_upload_bytes)}. Try a smaller file.",
            )
        if growth <= 0:
            return
        room = self.disk_free_bytes()
        if self.quota_bytes:
            room = min(room, self.quota_bytes - self.used_bytes())
        if growth > room:
            of_quota = f" of your {describe(self.quota_bytes)}" if self.quota_bytes else ""
            raise HTTPError(
                507,
                f"Your space is full: {os.path.basename(path)} needs {describe(growth)} more, "
                f"and {describe(max(room, 0))}{of_quota} is left. Delete files you don't "
                "need, then save again.",
            )

    # contents manager hooks ----------------------------------------------------------
    def pre_save_hook(self, model: dict[str, Any], path: str, **kwargs: Any) -> None:
        self.check_save(model, path)

    def post_save_hook(self, **kwargs: Any) -> None:
        self.forget()

    def install(self, contents_manager: Any) -> None:
        """Check every save of this server's contents manager.

        Pre-save hooks cover whole saves, but jupyter_server's large-file manager runs them
        for the first chunk of an upload only; later chunks are checked by wrapping its
        ``save`` (same signature, sync or async as it was)."""
        contents_manager.register_pre_save_hook(self.pre_save_hook)
        contents_manager.register_post_save_hook(self.post_save_hook)
        original = contents_manager.save

        def check_later_chunks(model: dict[str, Any], path: str = "") -> None:
            if isinstance(model, dict) and model.get("chunk") not in (None, 1):
                self.check_save(model, path)
                if model.get("chunk") != -1:
                    self.forget()  # the post-save hook runs after the last chunk only

        if inspect.iscoroutinefunction(original):

            async def save_async(model: dict[str, Any], path: str = "") -> Any:
                check_later_chunks(model, path)
                return await original(model, path)

            contents_manager.save = save_async
        else:

            def save_sync(model: dict[str, Any], path: str = "") -> Any:
                check_later_chunks(model, path)
                return original(model, path)

            contents_manager.save = save_sync
