"""Ids from a server are data, never paths: a Gaug.es API answering path-shaped gauge ids."""

from __future__ import annotations

import json
import stat
from datetime import date

import pytest

from mimoto_gov.errors import GaugesError
from mimoto_gov.gauges.client import GaugesClient, pull
from tests.helpers.cli import assert_one_line_error, run_cli
from tests.helpers.hostile import Hostile, serving

TOKEN = "gauges-t0ken-4e1f"
GOOD = "5f3a1c2b9d8e7f6a5b4c3d21"


def gauges_answering(ids: list[str]) -> type[Hostile]:
    class Api(Hostile):
        def answer(self):
            if self.path.split("?")[0] == "/gauges":
                body = {"gauges": [{"id": i, "title": "x", "urls": {}} for i in ids],
                        "urls": {"next_page": None}}  # fmt: skip
            else:
                body = {"traffic": [], "content": [], "urls": {"next_page": None}}
            self.send_body(json.dumps(body).encode(), "application/json")

    return Api


@pytest.mark.parametrize("shape", ["absolute", "relative", "dot-dot", "slash-inside"])
def test_a_path_shaped_gauge_id_creates_nothing_anywhere(tmp_path, shape):
    outside = tmp_path / "outside"
    raw = tmp_path / "data" / "gauges" / "raw"
    bad = {
        "absolute": str(outside),
        "relative": "../../../outside",
        "dot-dot": "..",
        "slash-inside": f"{GOOD}/../../../../outside",
    }[shape]
    with serving(gauges_answering([GOOD, bad])) as api, GaugesClient(TOKEN, api.url) as client:
        with pytest.raises(GaugesError) as caught:
            pull(client, "2026-01", "2026-01", raw, today=date(2026, 1, 3))
        paths = [s.path for s in api.seen]
    message = str(caught.value)
    assert "\n" not in message and "gauge id" in message
    assert not outside.exists()
    assert {p.name for p in tmp_path.iterdir()} <= {"data", "work"}
    # nothing was asked about any gauge once an id was refused
    assert paths == ["/gauges"]
    if raw.exists():
        assert stat.S_IMODE(raw.stat().st_mode) == 0o700
        assert not (raw / GOOD).exists()


def test_the_command_refuses_a_path_shaped_id_in_one_line(tmp_path):
    outside = tmp_path / "etc-like"
    outside.mkdir(mode=0o755)
    env = {"GAUGES_TOKEN": TOKEN, "MIMOTO_GOV_DATA": str(tmp_path / "data")}
    with serving(gauges_answering([str(outside)])) as api:
        done = run_cli(
            "analytics", "pull", "--url", api.url, "--from", "2026-01", "--to", "2026-01",
            cwd=tmp_path, env=env, timeout=60,
        )  # fmt: skip
    assert_one_line_error(done, "gauge id")
    # the folder the id named was neither written into nor chmodded
    assert list(outside.iterdir()) == []
    assert stat.S_IMODE(outside.stat().st_mode) == 0o755
