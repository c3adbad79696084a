"""A watermark from the future would make every incremental pull fetch nothing: it forces a
full pull, and the pull says why."""

from __future__ import annotations

import json

from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull


def test_a_future_watermark_forces_a_full_pull(sandbox, tmp_path):
    data = tmp_path / "data"
    with ZammadClient(sandbox.url, sandbox.admin_token, backoff=0.001) as client:
        first = pull(client, data, show_progress=False)
        assert first.mode == "full"
        state_path = data / "zammad" / "sync_state.json"
        state = json.loads(state_path.read_text())
        state["watermark"] = "9999-12-31T00:00:00+00:00"
        state["watermarks"] = {t: state["watermark"] for t in state["watermarks"]}
        state_path.write_text(json.dumps(state))
        # a ticket changed now would be missed by an incremental pull from year 9999
        ticket_id = next(iter(sandbox.dataset.tickets))
        sandbox.touch_ticket(ticket_id, title="changed after the snapshot")
        again = pull(client, data, show_progress=False)
    assert again.mode == "full"
    assert "future" in again.reason and "9999" in again.reason
    assert again.summary().startswith("Full pull (")
    assert "future" in again.summary()
    state = json.loads(state_path.read_text())
    assert state["watermark"] < "9999"


def test_an_unreadable_watermark_forces_a_full_pull(sandbox, tmp_path):
    data = tmp_path / "data"
    with ZammadClient(sandbox.url, sandbox.admin_token, backoff=0.001) as client:
        pull(client, data, show_progress=False)
        state_path = data / "zammad" / "sync_state.json"
        state = json.loads(state_path.read_text())
        state["watermark"] = "not a time"
        state_path.write_text(json.dumps(state))
        again = pull(client, data, show_progress=False)
    assert again.mode == "full"
    assert "watermark" in again.reason
