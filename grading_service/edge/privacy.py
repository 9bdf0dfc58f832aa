"""The school's privacy notice, and each learner's acceptance of it.

A learner sees the notice when they first open JupyterLab and accepts it with one
button; the acceptance is recorded with the version of the text it was for. Changing the
text changes its version, so everyone sees the new one once. The text is Markdown, from
``GradingService.privacy_notice_file`` (a school writes its own; the default in
``grading_service/privacy_notice.md`` is written for children).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .handlers import APIError, AuthenticatedHandler, BaseHandler

DEFAULT_NOTICE = Path(__file__).resolve().parent.parent / "privacy_notice.md"
MAX_NOTICE_BYTES = 64 * 1024


class NoticeError(Exception):
    pass


@dataclass(frozen=True)
class PrivacyNotice:
    text: str
    version: str

    @classmethod
    def load(cls, path: str | Path) -> PrivacyNotice:
        """Read and check the notice at start (a missing or empty one stops the service)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise NoticeError(f"cannot read the privacy notice {path}: {exc}") from None
        if len(data) > MAX_NOTICE_BYTES:
            raise NoticeError(f"the privacy notice {path} is over {MAX_NOTICE_BYTES} bytes")
        try:
            text = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise NoticeError(f"the privacy notice {path} is not UTF-8 text") from None
        if not text:
            raise NoticeError(f"the privacy notice {path} is empty")
        return cls(text, hashlib.sha256(text.encode()).hexdigest()[:16])


class PrivacyHandler(AuthenticatedHandler):
    async def get(self) -> None:
        """The current notice, and when this user accepted it (null: not yet)."""
        notice = self.service.privacy_notice
        accepted = await self.service.storage.privacy_accepted_at(self.user_name, notice.version)
        self.write_json({"text": notice.text, "version": notice.version, "accepted_at": accepted})

    async def post(self) -> None:
        """Record that this user accepted this version of the notice."""
        notice = self.service.privacy_notice
        version = self.json_body().get("version")
        if not isinstance(version, str):
            raise APIError(400, "'version' (the notice's version, a string) is required.")
        if version != notice.version:
            raise APIError(409, "The notice has changed since you read it: please read it again.")
        accepted = await self.service.storage.accept_privacy(self.user_name, notice.version)
        self.write_json({"version": notice.version, "accepted_at": accepted})


ROUTES: list[tuple[str, type[BaseHandler]]] = [(r"api/privacy/?", PrivacyHandler)]
