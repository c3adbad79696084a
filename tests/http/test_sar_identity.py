"""The right person, on the right desk: subject access and erasure over real HTTP.

- A moved address: Alex once signed in as ``a.quill@old.example`` (his login, which Zammad
  keeps when the email changes); it is now Carys's email. A request for the address reaches
  Carys only, in the package and in the erasure; Alex is listed for staff as a near-match.
- Another desk: a snapshot pulled from one sandbox and ``ZAMMAD_URL`` naming another. ``sar``
  and ``erase`` refuse in one line naming both, and neither sandbox receives a request.
- A body of a megabyte: ``sar`` and the erasure dry run read it through.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from mimoto_gov import cli
from mimoto_gov.registers import open_registers
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.desk import normalise_url
from mimoto_gov.zammad.sync import pull

OLD = "a.quill@old.example"


@pytest.fixture
def desk(sandbox, data_dir, tmp_path, monkeypatch):
    """The sandbox as the workbook's Zammad, with reports in a folder of their own."""
    monkeypatch.setenv("ZAMMAD_URL", sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", sandbox.admin_token)
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(tmp_path / "reports"))
    return sandbox


def requests_for(data_dir: Path, email: str, *, verified: bool = True) -> tuple[str, str]:
    """An access request and an erasure request about ``email``."""
    with open_registers(data_dir / "registers.sqlite") as registers:
        ids = []
        for kind in ("access", "erasure"):
            request = registers.add_request(kind, [email], separate=True)
            if verified:
                registers.verify_identity(
                    request.id, "reply from the address", "Data protection lead", "email reply"
                )
            ids.append(request.id)
    return ids[0], ids[1]


def digest(*roots: Path) -> dict[str, str]:
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for root in roots
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_a_moved_address_reaches_only_its_current_holder(desk, data_dir, tmp_path, capsys):
    agent = desk.dataset.personas["agent"]
    alex = desk.add_user(
        firstname="Alex", lastname="Quill", email="alex.quill@new.example", login=OLD
    )
    alex_ticket = desk.add_ticket(alex, "My order from last year", articles=0)
    desk.add_article(
        alex_ticket, from_=f"Alex Quill <{OLD}>", body="Please send it to my flat.",
        created_by_id=alex,
    )  # fmt: skip
    desk.add_article(
        alex_ticket, sender="Agent", created_by_id=agent, to=f"Alex Quill <{OLD}>",
        from_="Mimoto Support <support@mimoto.example>", body="Sent today.",
    )  # fmt: skip
    carys = desk.add_user(firstname="Carys", lastname="Pryce", email=OLD, login="carys.pryce")
    carys_ticket = desk.add_ticket(carys, "A question about my invoice", articles=2)
    pull(ZammadClient(desk.url, desk.admin_token), data_dir, full=True, show_progress=False)
    access, erasure = requests_for(data_dir, OLD)

    assert cli.main(["sar", "--request-id", access]) == 0
    out = capsys.readouterr().out
    assert f"Not included: user #{alex}: login is the address" in out
    folder = Path(out.strip().splitlines()[-1])
    data = json.loads((folder / "send" / "data.json").read_text())
    assert [u["id"] for u in data["tables"]["users"]] == [carys]
    assert {t["id"] for t in data["tables"]["tickets"]} == {carys_ticket}
    assert alex_ticket not in {a["ticket_id"] for a in data["tables"]["articles"]}
    sent = "\n".join(p.read_text(errors="replace") for p in (folder / "send").rglob("*.*")
                     if p.suffix in (".html", ".json", ".csv"))  # fmt: skip
    assert "Quill" not in sent and "my flat" not in sent
    near = list(csv.DictReader((folder / "staff" / "near_matches.csv").open()))
    assert {(n["what"], int(n["user_id"])) for n in near} == {("account", alex), ("message", alex)}
    assert len([n for n in near if n["what"] == "message"]) == 2

    # the erasure: the dry run says who is left out, the execution deletes Carys only
    assert cli.main(["erase", OLD, "--request-id", erasure]) == 0
    out = capsys.readouterr().out
    assert "would delete 1 user record(s) and 1 ticket(s); 0 article(s)" in out
    assert f"Not included, for staff to check: user #{alex}:" in out
    # Carys's ticket mentions an invoice: the erasure asks for a decision on keeping it first.
    number = desk.dataset.tickets[carys_ticket]["number"]
    decide = ["erasure", "decide", erasure, f"ticket-{number}", "--erase", "--by", "DPO"]
    assert cli.main(decide) == 0, capsys.readouterr().err
    code = cli.main(
        ["erase", OLD, "--request-id", erasure, "--execute", "--yes", "--timeout", "30"]
    )
    assert code == 0, capsys.readouterr().err
    with desk.store.lock:
        assert carys not in desk.dataset.users and carys_ticket not in desk.dataset.tickets
        assert alex in desk.dataset.users and alex_ticket in desk.dataset.tickets
        kept = [a for a in desk.dataset.articles.values() if a["ticket_id"] == alex_ticket]
        assert len(kept) == 2
    deleted = [r.json for r in desk.request_log if r.path.endswith("/data_privacy_tasks")]
    assert [d["deletable_id"] for d in deleted if d] == [carys]


def test_another_desk_is_refused_before_anything_is_sent(
    sandbox, data_dir, tmp_path, monkeypatch, capsys
):
    pull(ZammadClient(sandbox.url, sandbox.admin_token), data_dir, full=True, show_progress=False)
    email = sandbox.dataset.users[sandbox.dataset.personas["subject"]]["email"]
    access, erasure = requests_for(data_dir, email)
    reports = tmp_path / "reports"
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(reports))
    with Sandbox(tickets=40, task_tick_seconds=None) as other:
        monkeypatch.setenv("ZAMMAD_URL", other.url)
        monkeypatch.setenv("ZAMMAD_TOKEN", other.admin_token)
        before = digest(data_dir)
        sandbox.clear_log()
        for argv in (
            ["sar", "--request-id", access],
            ["sar", email, "--request-id", access, "--pull"],
            ["erase", email, "--request-id", erasure],
            ["erase", email, "--request-id", erasure, "--execute", "--yes"],
        ):
            assert cli.main(argv) != 0, argv
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "Traceback" not in err, err
            assert f"pulled from {normalise_url(sandbox.url)} but ZAMMAD_URL is" in err
            assert normalise_url(other.url) in err and "nothing was sent or written" in err
        assert other.request_log == [] and sandbox.request_log == []
        assert digest(data_dir) == before
        assert not reports.exists()

    # the same desk written another way is the same desk; and two accounts sharing an
    # address (differing in case) are both included, saying so
    ds = sandbox.dataset
    shared = ds.users[ds.personas["duplicate_a"]]["email"]
    both = {ds.personas["duplicate_a"], ds.personas["duplicate_b"]}
    assert {u for u, user in ds.users.items() if user["email"].lower() == shared.lower()} == both
    shared_access, _ = requests_for(data_dir, shared)
    monkeypatch.setenv("ZAMMAD_URL", f"{sandbox.url}/api/v1/")
    monkeypatch.setenv("ZAMMAD_TOKEN", sandbox.admin_token)
    capsys.readouterr()
    assert cli.main(["sar", "--request-id", shared_access]) == 0
    out = capsys.readouterr().out
    assert f"To review: Accounts: 2 accounts share the address {shared.lower()}" in out
    folder = Path(out.strip().splitlines()[-1])
    data = json.loads((folder / "send" / "data.json").read_text())
    assert {u["id"] for u in data["tables"]["users"]} == both


@pytest.mark.slow
def test_a_megabyte_body_is_read_through(desk, data_dir, capsys):
    ds = desk.dataset
    subject = ds.personas["subject"]
    email = ds.users[subject]["email"]
    # Long runs without an "@" made address parsing quadratic; unclosed comments and dotted
    # runs are the other shapes that can make a pattern backtrack.
    filler = "x" * 200_000 + " " + "a.b" * 60_000 + " " + "<!-- " * 20_000
    filler += " ".join(["order 1234 shipped to the depot"] * 15_000)
    tail = " Please copy lysander.crane@example.net, 020 7946 0999."
    body = filler[: 1_000_000 - len(tail)] + tail
    own = desk.add_ticket(subject, "A very long log", articles=0)
    desk.add_article(own, body=body)
    other = ds.personas["customer"]
    theirs = desk.add_ticket(other, "Another long one", articles=0)
    desk.add_article(theirs, body=filler[:1_000_000] + f" cc {email}")
    pull(ZammadClient(desk.url, desk.admin_token), data_dir, full=True, show_progress=False)
    access, erasure = requests_for(data_dir, email)

    assert cli.main(["sar", "--request-id", access]) == 0
    folder = Path(capsys.readouterr().out.strip().splitlines()[-1])
    data = json.loads((folder / "send" / "data.json").read_text())
    articles = {a["ticket_id"]: a for a in data["tables"]["articles"]}
    assert articles[own]["body"].startswith("x" * 1000)
    assert articles[own]["body"].endswith(
        "Please copy [redacted: other person], [redacted: other person]."
    )
    assert theirs in articles  # found by the address at the very end
    assert cli.main(["erase", email, "--request-id", erasure]) == 0
    assert "Dry run" in capsys.readouterr().out


def test_staff_include_a_near_match_in_the_erasure_only_with_a_reason(desk, data_dir, capsys):
    alex = desk.add_user(
        firstname="Alex", lastname="Quill", email="alex.quill@new.example", login=OLD
    )
    desk.add_ticket(alex, "My order from last year", articles=1)
    carys = desk.add_user(firstname="Carys", lastname="Pryce", email=OLD, login="carys.pryce")
    desk.add_ticket(carys, "A parcel question", articles=1)
    pull(ZammadClient(desk.url, desk.admin_token), data_dir, full=True, show_progress=False)
    _, erasure = requests_for(data_dir, OLD)

    # without a reason, one line and nothing planned
    assert cli.main(["erase", OLD, "--request-id", erasure, "--user-id", str(alex)]) == 2
    err = capsys.readouterr().err
    assert "--user-id needs --reason" in err and len(err.splitlines()) == 1
    # with it, the dry run plans both accounts and says who included Alex and why
    reason = "the same person: confirmed by phone"
    argv = ["erase", OLD, "--request-id", erasure, "--user-id", str(alex), "--reason", reason]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "would delete 2 user record(s)" in out
    assert f"user #{alex} included by staff: {reason}" in out
    # --also adds a current address of the person's other account the same way
    assert (
        cli.main(["erase", OLD, "--request-id", erasure, "--also", "alex.quill@new.example"]) == 0
    )
    assert "would delete 2 user record(s)" in capsys.readouterr().out
