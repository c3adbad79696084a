"""A hostile server cannot hold a run or fill the memory: a total deadline per request (a
server sending one byte a second does not keep us waiting) and a cap on every body."""

from __future__ import annotations

import time

import pytest

from mimoto_gov.audits.site import SiteError, audit_site
from mimoto_gov.errors import GaugesError, ZammadError
from mimoto_gov.gauges.client import GaugesClient
from mimoto_gov.zammad.client import ZammadClient
from tests.helpers.hostile import Hostile, serving

GIGANTIC = 1_395_864_371  # a 1.3 GB page


class Dripping(Hostile):
    def answer(self):
        self.drip(kind="text/html" if "page" in self.path else "application/json")


class SlowHeaders(Hostile):
    """Sends its status line and headers one byte at a time."""

    def answer(self):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 500
        ends = time.monotonic() + 20
        for byte in head:
            if time.monotonic() > ends:
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.2)
        self.close_connection = True


class Flooding(Hostile):
    def answer(self):
        self.flood(None if "chunked" in self.path else GIGANTIC)


def elapsed(call) -> tuple[float, Exception | None]:
    started = time.monotonic()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the test looks at it
        return time.monotonic() - started, error
    return time.monotonic() - started, None


def test_a_dripping_page_cannot_hold_the_site_audit():
    with serving(Dripping) as site:
        took, error = elapsed(
            lambda: audit_site([f"{site.url}/page"], timeout=(1, 1), deadline=1, allow_private=True)
        )
    assert isinstance(error, SiteError)
    assert took < 6
    assert "1 s" in str(error) and "\n" not in str(error)


@pytest.mark.parametrize("handler", [Dripping, SlowHeaders])
def test_a_dripping_zammad_cannot_hold_a_pull(handler):
    with serving(handler) as api, ZammadClient(api.url, "t0k", deadline=1, backoff=0.01) as client:
        took, error = elapsed(client.me)
    assert isinstance(error, ZammadError)
    assert took < 6
    assert "within 1 s" in str(error)


def test_a_dripping_gauges_cannot_hold_a_pull():
    with serving(Dripping) as api, GaugesClient("t0k", api.url, deadline=1, backoff=0) as client:
        took, error = elapsed(lambda: client.get("/gauges"))
    assert isinstance(error, GaugesError)
    assert took < 6


@pytest.mark.parametrize("path", ["/page", "/chunked-page"])
def test_a_gigantic_page_is_refused_without_reading_it(path):
    with serving(Flooding) as site:
        took, error = elapsed(lambda: audit_site([site.url + path], allow_private=True))
        sent = site.sent
    assert isinstance(error, SiteError)
    assert "MB" in str(error) and "\n" not in str(error)
    assert took < 10
    # the server gave up sending long before 1.3 GB: we stopped reading
    assert sent < 200 * (1 << 20)


def test_zammad_and_gauges_bodies_are_capped_too():
    with (
        serving(Flooding) as api,
        ZammadClient(api.url, "t", max_body=1 << 20, backoff=0.01) as zammad,
        GaugesClient("t", api.url, max_body=1 << 20, backoff=0) as gauges,
    ):
        with pytest.raises(ZammadError, match="MB"):
            zammad.me()
        with pytest.raises(GaugesError, match="MB"):
            gauges.get("/chunked")
