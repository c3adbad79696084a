"""Credentials never cross a host change: redirects are followed only on the same host."""

from __future__ import annotations

import json

import pytest

from mimoto_gov.errors import GaugesError, ZammadError
from mimoto_gov.gauges.client import GaugesClient
from mimoto_gov.zammad.client import ZammadClient
from tests.helpers.hostile import Hostile, serving

TOKEN = "s3cret-t0ken-a91c"


class Elsewhere(Hostile):
    """Another host, keen to receive whatever is sent to it."""

    def answer(self):
        self.send_body(b'{"gauges": [], "id": 1}', "application/json")


def redirecting_to(target: str) -> type[Hostile]:
    class Api(Hostile):
        def answer(self):
            if "moved" in self.path:
                self.send_body(b'{"gauges": [], "id": 7}', "application/json")
            elif self.path.startswith(("/gauges", "/api/v1/users/me")):
                self.redirect(target + self.path)
            else:
                self.send_body(b"{}", "application/json")

    return Api


# "localhost" and "127.0.0.1" are different hosts, as secure.gaug.es and evil.example are.
@pytest.fixture
def elsewhere():
    with serving(Elsewhere, host="127.0.0.1") as running:
        yield running


def other_host(url: str) -> str:
    return url.replace("127.0.0.1", "localhost")


def test_gauges_never_sends_its_token_to_another_host(elsewhere):
    with (
        serving(redirecting_to(other_host(elsewhere.url))) as api,
        GaugesClient(TOKEN, api.url) as client,
        pytest.raises(GaugesError) as caught,
    ):
        client.get("/gauges")
    assert elsewhere.seen == []  # not even asked: the redirect is refused
    message = str(caught.value)
    assert "another host" in message and "localhost" in message
    assert TOKEN not in message and "\n" not in message


def test_zammad_never_follows_a_redirect_to_another_host(elsewhere):
    with (
        serving(redirecting_to(other_host(elsewhere.url))) as api,
        ZammadClient(api.url, TOKEN, backoff=0.001) as client,
        pytest.raises(ZammadError) as caught,
    ):
        client.me()
    assert elsewhere.seen == []
    message = str(caught.value)
    assert "another host" in message and TOKEN not in message


def test_a_redirect_on_the_same_host_is_followed_with_the_token():
    class SameHost(Hostile):
        def answer(self):
            if self.path.startswith("/gauges/moved"):
                body = {"gauges": [], "urls": {"next_page": None}}
                self.send_body(json.dumps(body).encode(), "application/json")
            else:
                self.redirect("/gauges/moved")

    with serving(SameHost) as api, GaugesClient(TOKEN, api.url) as client:
        assert client.get("/gauges").body == {"gauges": [], "urls": {"next_page": None}}
        assert [s.path for s in api.seen] == ["/gauges", "/gauges/moved"]
        assert all(s.headers.get("X-Gauges-Token") == TOKEN for s in api.seen)
