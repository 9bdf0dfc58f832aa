"""Whether sandboxes can be started now: the Docker daemon answers.

Admission asks before it accepts new work (a daemon that is restarting means a 503
with Retry-After, not a job that burns its attempts), and a worker whose grading failed
asks before it counts the failure against the job. The answer is kept for a second, so
a class submitting at once costs one ping, not one each.
"""

from __future__ import annotations

import asyncio
import time

from .sandbox import SandboxFactory


class DockerAvailability:
    def __init__(
        self, factory: SandboxFactory, *, ttl_seconds: float = 1.0, timeout_seconds: float = 2.0
    ) -> None:
        self.factory = factory
        self.ttl_seconds = ttl_seconds
        self.timeout_seconds = timeout_seconds
        self._checked_at = float("-inf")
        self._available = True
        self._lock = asyncio.Lock()

    async def available(self, *, fresh: bool = False) -> bool:
        """True when the daemon answered a ping within ``timeout_seconds``; the answer
        is reused for ``ttl_seconds`` unless ``fresh``."""
        async with self._lock:
            if fresh or time.monotonic() - self._checked_at >= self.ttl_seconds:
                try:
                    await asyncio.wait_for(self.factory.ping(), self.timeout_seconds)
                    self._available = True
                except Exception:  # noqa: BLE001 - whatever the client raises, it did not answer
                    self._available = False
                self._checked_at = time.monotonic()
            return self._available
