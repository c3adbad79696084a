"""Rights requests found in tickets pulled from the sandbox; `add --from-ticket`; `dismiss`."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull
from tests.helpers.inprocess import registers, run


@pytest.fixture(scope="module")
def server():
    with Sandbox(tickets=120, seed=7) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def snapshot(server, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("pulled") / "data"
    with ZammadClient(server.url, server.admin_token, backoff=0.001) as client:
        pull(client, data_dir, show_progress=False)
    return data_dir


@pytest.fixture
def data(snapshot, data_dir):
    """A fresh data folder holding the pulled snapshot and no registers yet."""
    shutil.copytree(snapshot, data_dir)
    return data_dir


def numbers(dataset, ticket_ids) -> set[str]:
    return {str(dataset.tickets[t]["number"]) for t in ticket_ids}


def test_candidates_are_the_plain_requests_and_not_the_decoys(server, data, capsys):
    ds = server.dataset
    assert len(ds.rights_requests) >= 6 and len(ds.decoys) >= 6
    code, out, err = run(capsys, "requests", "candidates", "--by", "Ann")
    assert (code, err) == (0, "")
    assert out.startswith("Read 120 ticket(s) (every ticket):")
    with registers(data) as reg:
        found = reg.candidates()
    shown = set(found["ticket_number"])
    assert shown == numbers(ds, ds.rights_requests)  # every request, nothing else
    assert not shown & numbers(ds, ds.decoys)
    kinds = dict(zip(found["ticket_number"], found["kind"], strict=True))
    for ticket_id, kind in ds.rights_requests.items():
        if kind != "privacy":  # the random privacy tickets mix titles and messages
            assert kinds[str(ds.tickets[ticket_id]["number"])] == kind
    # The demo's deletion request from May 2024 is among them, with its customer and phrase.
    deletion = str(ds.tickets[ds.planted["deletion_request_ticket"]]["number"])
    row = found.set_index("ticket_number").loc[deletion]
    subject = ds.users[ds.personas["subject"]]
    assert row["customer"] == f"{subject['firstname']} {subject['lastname']} <{subject['email']}>"
    assert row["kind"] == "erasure" and "delete my account" in row["phrase"]
    assert row["received_at"].astimezone(UK_TIME).strftime("%Y-%m") == "2024-05"
    assert deletion in out and "delete my account" in out
    # Nothing changed since: the next scan reads no ticket and keeps the list.
    code, out, _ = run(capsys, "requests", "candidates")
    assert code == 0 and out.startswith("Read 0 ticket(s) changed since")
    assert deletion in out


def test_from_ticket_records_the_request_received_on_the_message_date(server, data, capsys):
    ds = server.dataset
    run(capsys, "requests", "candidates")
    ticket_id = ds.planted["deletion_request_ticket"]
    number = str(ds.tickets[ticket_id]["number"])
    first = min(
        (a for a in ds.articles.values() if a["ticket_id"] == ticket_id),
        key=lambda a: a["created_at"],
    )
    received = (
        datetime.fromisoformat(first["created_at"].replace("Z", "+00:00"))
        .astimezone(UK_TIME)
        .date()
    )
    code, out, err = run(capsys, "requests", "add", "--from-ticket", number, "--by", "Ann")
    assert (code, err) == (0, "")
    subject = ds.users[ds.personas["subject"]]
    with registers(data) as reg:
        request = reg.list_requests()[0]
        open_numbers = set(reg.candidates()["ticket_number"])
        event = reg.trail(request.id)[-1]
    assert request.kind == "erasure"
    assert request.received_on == received and received.year == 2024
    assert request.emails == (subject["email"].lower(),)
    assert request.ticket_number == number and request.channel == "email"
    assert request.requester_name == f"{subject['firstname']} {subject['lastname']}"
    assert "delete my account" in request.notes
    assert number not in open_numbers  # recorded, no longer a candidate
    assert (event.actor, event.command) == ("Ann", "requests add")
    # A recorded ticket is not raised again, even when scanned from the start.
    code, out, _ = run(capsys, "requests", "candidates", "--since", "2015-01-01")
    assert number not in out.split("Record one")[0].split("\n", 1)[1]


def test_dismissed_tickets_stay_dismissed_and_are_in_the_trail(server, data, capsys):
    ds = server.dataset
    run(capsys, "requests", "candidates")
    privacy = next(t for t, kind in ds.rights_requests.items() if kind == "unsubscribe")
    number = str(ds.tickets[privacy]["number"])
    code, out, _ = run(
        capsys, "requests", "dismiss", number, "--reason", "handled as a marketing opt-out"
    )
    assert code == 0 and "dismissed" in out
    code, out, _ = run(capsys, "requests", "candidates", "--since", "2015-01-01", "--all")
    assert "dismissed" in out
    with registers(data) as reg:
        assert number not in set(reg.candidates()["ticket_number"])
        assert reg.trail(number)[-1].action == "dismiss"
        assert reg.verify_trail().ok


def test_from_ticket_without_a_snapshot_or_ticket_is_one_line(data_dir, data, capsys):
    code, _, err = run(capsys, "requests", "add", "--from-ticket", "99999999")
    assert code == 2
    assert err == (
        "mimoto-gov: error: --from-ticket: no ticket 99999999 in the snapshot (run a pull?)\n"
    )
