"""The hub over HTTPS: given a certificate, the public port speaks only TLS and a learner
signs in over it (here with a self-signed certificate the client is told to trust)."""

from __future__ import annotations

import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request

import pytest

from hub_config.devstack import Stack
from hub_config.settings import DEMO_LEARNERS

from ..conftest import platform_stack, running, self_signed_certificate


@pytest.fixture(scope="module")
def tls_stack(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str):
    state = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_certificate(state)
    stack = platform_stack(state, sandbox_image, ssl_cert=cert, ssl_key=key)
    with running(stack, "tls-stack"):
        yield stack


def test_a_learner_signs_in_over_https(tls_stack: Stack) -> None:
    stack = tls_stack
    assert stack.hub_url.startswith("https://")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=stack.ssl_context),
        urllib.request.HTTPCookieProcessor(jar),
    )
    with opener.open(f"{stack.hub_url}/hub/login", timeout=30) as resp:
        page = resp.read().decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page)
    form = {"username": DEMO_LEARNERS[0], "password": stack.demo_password}
    if xsrf:
        form["_xsrf"] = xsrf.group(1)
    request = urllib.request.Request(
        f"{stack.hub_url}/hub/login?next=/hub/home",
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
    )
    with opener.open(request, timeout=60) as resp:
        assert resp.status == 200
        assert resp.url.startswith(f"{stack.hub_url}/hub/")
        assert "/hub/login" not in resp.url  # signed in, not sent back to the form
    session = [c for c in jar if c.name.startswith("jupyterhub-")]
    assert session and all(c.secure for c in session)


def test_plain_http_on_the_public_port_gets_no_page(tls_stack: Stack) -> None:
    plain = tls_stack.hub_url.replace("https://", "http://")
    with pytest.raises((urllib.error.URLError, ConnectionError, ssl.SSLError, OSError)):
        with urllib.request.urlopen(f"{plain}/hub/login", timeout=10) as resp:
            resp.read()
