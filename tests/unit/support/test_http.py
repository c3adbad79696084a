"""The session builder's small rules: same host, Retry-After cap, header values."""

from __future__ import annotations

import pytest
import requests

from mimoto_gov.support.http import MAX_SLEEP, backoff_delay, build_session, retry_after, same_host


@pytest.mark.parametrize(
    ("before", "after", "same"),
    [
        ("https://desk.example.com/a", "https://desk.example.com/b", True),
        ("https://desk.example.com/a", "https://DESK.example.com:443/b", True),
        ("http://desk.example.com/a", "https://desk.example.com/b", True),
        ("https://desk.example.com/a", "http://desk.example.com/b", False),
        ("https://desk.example.com/a", "https://evil.example/b", False),
        ("https://desk.example.com/a", "https://desk.example.com:8443/b", False),
        ("http://127.0.0.1:8000/a", "http://localhost:8000/b", False),
    ],
)
def test_same_host(before, after, same):
    assert same_host(before, after) is same


def answer(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.headers.update(headers)
    return response


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("3", 3.0), ("999999", MAX_SLEEP), ("-5", 0.0), ("nan", None), ("soon", None), ("", None)],
)
def test_retry_after_is_capped(value, seconds):
    assert retry_after(answer({"Retry-After": value} if value else {})) == seconds


def test_backoff_doubles_with_jitter_and_is_capped():
    assert 0.25 <= backoff_delay(0.5, 1) <= 0.75
    assert 1.0 <= backoff_delay(0.5, 3) <= 3.0
    assert backoff_delay(0.5, 40) == MAX_SLEEP


@pytest.mark.parametrize("value", ["t\u20ac", "a\r\nX-Injected: 1", "nul\x00"])
def test_a_header_value_http_cannot_carry_is_refused(value):
    with pytest.raises(requests.exceptions.InvalidHeader) as caught:
        build_session(headers={"X-Gauges-Token": value})
    assert value not in str(caught.value)
