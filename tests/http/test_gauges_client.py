"""The live client against the local Gaug.es-compatible server: real HTTP, no mocks."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest

from mimoto_gov.cli import main
from mimoto_gov.errors import GaugesError
from mimoto_gov.gauges import GaugesAuthError, GaugesClient, GaugesNotFound, load_exports, pull
from mimoto_gov.gauges.client import Response, save_response
from mimoto_gov.sandbox.gauges.server import running_sandbox
from mimoto_gov.sandbox.gauges.synthetic import SyntheticSite

TOKEN = "gauges-test-token-5e1f0c9a"
TODAY = date(2026, 11, 26)


@pytest.fixture
def server():
    with running_sandbox(token=TOKEN, per_page=5, today=TODAY) as running:
        yield running


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_pull_follows_next_page_and_saves_every_page(server, tmp_path):
    raw = tmp_path / "raw"
    with GaugesClient(TOKEN, server.url, backoff=0) as client:
        result = pull(client, "2026-10", "2026-10", raw, today=TODAY)
    site = SyntheticSite()
    gauge = raw / site.gauge_id
    day = date(2026, 10, 3)
    rows = site.content_rows(day)
    pages = -(-len(rows) // 5)
    assert pages >= 2
    saved = sorted(p.name for p in (gauge / "content").glob("2026-10-03*.json"))
    expected = ["2026-10-03.json"] + [f"2026-10-03_p{n}.json" for n in range(2, pages + 1)]
    assert sorted(n for n in saved if not n.endswith(".meta.json")) == sorted(expected)
    last = json.loads((gauge / "content" / f"2026-10-03_p{pages}.json").read_text())
    assert last["urls"]["next_page"] is None
    # every page was asked through the link the previous page gave
    asked = [r for r in server.state.requests if r["path"].endswith("/content")]
    assert any("page=2" in r["query"] for r in asked)
    # and the saved pages load back into exactly the server's rows
    data = load_exports(result.files)
    day_rows = data.content[data.content["period_start"] == "2026-10-03"]
    assert sorted(day_rows["views"].tolist()) == sorted(r["views"] for r in rows)
    assert result.gauges == [site.gauge_id]


def test_pull_asks_each_endpoint_with_its_own_date_semantics(server, tmp_path):
    with GaugesClient(TOKEN, server.url, backoff=0) as client:
        pull(client, "2026-10", "2026-10", tmp_path, today=TODAY)
    dates: dict[str, set[str]] = {}
    for request in server.state.requests:
        endpoint = request["path"].rsplit("/", 1)[-1]
        query = dict(part.split("=") for part in request["query"].split("&") if part)
        if "date" in query:
            dates.setdefault(endpoint, set()).add(query["date"])
    for monthly in ("traffic", "terms", "technology", "resolutions", "engines", "locations"):
        assert dates[monthly] == {"2026-10-01"}, monthly
    for daily in ("content", "referrers"):
        assert len(dates[daily]) == 31, daily
    assert all(r["token_ok"] for r in server.state.requests)
    # staff data and keys are never asked for
    assert not any(
        r["path"].endswith(("/shares", "/me", "/clients")) for r in server.state.requests
    )


def test_pull_never_asks_about_the_future(server, tmp_path):
    with GaugesClient(TOKEN, server.url, backoff=0) as client:
        pull(client, "2026-11", "2026-12", tmp_path, today=TODAY)
    content_dates = {r["query"] for r in server.state.requests if r["path"].endswith("/content")}
    assert any("2026-11-26" in q for q in content_dates)
    assert not any("2026-11-27" in q or "2026-12" in q for q in content_dates)


def test_the_token_is_saved_nowhere(server, tmp_path, monkeypatch, capsys):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("GAUGES_TOKEN", TOKEN)
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data_dir))
    code = main(["analytics", "pull", "--from", "2026-10", "--to", "2026-10", "--url", server.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "saved" in out and "content:" in out
    written = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in written)
    assert any(p.name.endswith(".meta.json") for p in written)
    assert files_containing(data_dir, TOKEN) == []
    assert TOKEN not in out + err
    meta = json.loads(next(data_dir.rglob("*.meta.json")).read_text())
    assert meta["status"] == 200 and meta["url"].startswith(server.url)
    # private: folders 0700, files 0600
    for path in data_dir.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_401_is_one_clear_error(server, tmp_path):
    with (
        GaugesClient("wrong-token", server.url, backoff=0) as client,
        pytest.raises(GaugesAuthError, match="refused the token") as caught,
    ):
        pull(client, "2026-10", "2026-10", tmp_path / "raw", today=TODAY)
    assert caught.value.status == 401
    assert "wrong-token" not in str(caught.value)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_404_for_an_unknown_gauge(server):
    with GaugesClient(TOKEN, server.url, backoff=0) as client:
        with pytest.raises(GaugesNotFound) as caught:
            client.get("/gauges/000000000000000000000000/traffic", {"date": "2026-10-01"})
        assert caught.value.status == 404
        with pytest.raises(GaugesNotFound):
            client.get("/gauges/5f3a1c2b9d8e7f6a5b4c3d21/visitors")


def test_retries_on_503_then_succeeds(server):
    server.state.fail_next = 2
    with GaugesClient(TOKEN, server.url, backoff=0, retries=3) as client:
        response = client.get("/gauges")
    assert response.status == 200
    assert len(server.state.requests) == 3


def test_gives_up_after_retries(server):
    server.state.fail_next = 10
    with (
        GaugesClient(TOKEN, server.url, backoff=0, retries=2) as client,
        pytest.raises(GaugesError, match="kept failing"),
    ):
        client.get("/gauges")


def test_unreachable_host_is_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        GaugesClient(TOKEN, f"http://127.0.0.1:{port}", retries=0) as client,
        pytest.raises(GaugesError, match="cannot reach Gaug.es"),
    ):
        client.get("/gauges")


def test_links_to_another_host_are_not_followed(server):
    with (
        GaugesClient(TOKEN, server.url, backoff=0) as client,
        pytest.raises(GaugesError, match="refusing to follow"),
    ):
        client.get("https://elsewhere.example.com/gauges?page=2")
    assert server.state.requests == []


def test_a_response_echoing_the_token_is_not_saved(tmp_path):
    echoed = Response(url="https://secure.gaug.es/clients", status=200, body={}, text=TOKEN)
    folder = tmp_path / "raw"
    with pytest.raises(GaugesError, match="contains the API token"):
        save_response(echoed, folder / "clients.json", TOKEN)
    assert not folder.exists()


def test_repr_and_errors_never_show_the_token(server):
    client = GaugesClient(TOKEN, server.url)
    assert TOKEN not in repr(client)
    client.close()


def test_pull_command_needs_the_token(capsys):
    code = main(["analytics", "pull", "--from", "2026-10", "--to", "2026-10"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "mimoto-gov: error: GAUGES_TOKEN is not set: put it in the environment or in .env"
    )


def test_pull_command_rejects_a_bad_month(capsys, monkeypatch):
    monkeypatch.setenv("GAUGES_TOKEN", TOKEN)
    code = main(["analytics", "pull", "--from", "2026-13", "--to", "2026-10"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--from must be a month written YYYY-MM" in err
    assert len(err.strip().splitlines()) == 1
