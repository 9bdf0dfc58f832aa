"""Security headers on every answer of the grading service.

Every answer says not to sniff content types, not to send a referrer, and not to be
framed, and names no server or version. HTML pages (the teacher dashboard) also carry a
Content-Security-Policy: scripts only with the page's own nonce, connections and images
only to this service, no plugins, no framing.
"""

from __future__ import annotations

import secrets
from typing import Any

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def content_security_policy(nonce: str) -> str:
    """The policy of an HTML page whose one inline script carries ``nonce``."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            "style-src 'unsafe-inline'",  # the page's own <style> and style attributes
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """Mixin for tornado handlers (before ``RequestHandler`` in the bases)."""

    def set_default_headers(self: Any) -> None:
        self.clear_header("Server")  # tornado names itself and its version
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    def page_nonce(self: Any) -> str:
        """A fresh nonce for this page's script, with the policy that allows only it."""
        nonce = secrets.token_urlsafe(18)
        self.set_header("Content-Security-Policy", content_security_policy(nonce))
        return nonce
