"""Which desk: URLs normalised, a snapshot from another Zammad refused in one line."""

from __future__ import annotations

import json

import pytest

from mimoto_gov.errors import SnapshotError, WrongDesk
from mimoto_gov.zammad.desk import check_desk, ensure_same_desk, normalise_url, recorded_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://desk.example.com", "https://desk.example.com"),
        ("HTTPS://Desk.Example.COM:443/api/v1/", "https://desk.example.com"),
        ("http://desk.example.com:80/", "http://desk.example.com"),
        ("http://127.0.0.1:8080/api/v1", "http://127.0.0.1:8080"),
        ("https://user:secret@desk.example.com/zammad/api/v1", "https://desk.example.com/zammad"),
        ("https://[::1]:8443/", "https://[::1]:8443"),
    ],
)
def test_urls_are_compared_normalised(url, expected):
    assert normalise_url(url) == expected


def test_another_desk_is_refused_naming_both():
    check_desk("https://a.example.com/api/v1", "https://A.example.com")
    check_desk(None, "https://a.example.com")  # no snapshot yet: nothing to compare
    check_desk("https://a.example.com", None)  # no Zammad configured: nothing is called
    with pytest.raises(WrongDesk) as caught:
        check_desk("https://a.example.com", "https://b.example.com:8443/")
    message = str(caught.value)
    assert "\n" not in message
    assert (
        "pulled from https://a.example.com but ZAMMAD_URL is https://b.example.com:8443" in message
    )
    assert isinstance(caught.value, SnapshotError)


def test_the_recorded_url_is_read_from_the_snapshot_or_its_previous_copy(tmp_path):
    assert recorded_url(tmp_path) is None
    old = tmp_path / ".zammad.old"
    old.mkdir()
    (old / "sync_state.json").write_text(json.dumps({"zammad_url": "https://a.example.com"}))
    assert recorded_url(tmp_path) == "https://a.example.com"
    current = tmp_path / "zammad"
    current.mkdir()
    (current / "sync_state.json").write_text(json.dumps({"zammad_url": "https://b.example.com"}))
    assert recorded_url(tmp_path) == "https://b.example.com"
    ensure_same_desk(tmp_path, "https://b.example.com/api/v1")
    with pytest.raises(WrongDesk):
        ensure_same_desk(tmp_path, "https://a.example.com")
    (current / "sync_state.json").write_text("not json")
    assert recorded_url(tmp_path) is None  # loading the snapshot reports the damage
