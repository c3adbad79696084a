"""The retention schedule carried out over real HTTP against the Zammad sandbox.

Every test pulls the sandbox into ./data first and applies the repository's schedule to
November 2026, as the monthly routine does. The sandbox's state and request log are the truth:
what the plan said, what was changed, and what the retention log recorded must agree.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest

from mimoto_gov.registers import open_registers
from mimoto_gov.support.lock import data_folder_lock
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.writes import ANONYMISED_TITLE, PLACEHOLDER_LOGIN
from tests.helpers.inprocess import run

DATA, REPORTS = Path("data"), Path("reports")
MONTH = "2026-11"
PLAN = REPORTS / "retention" / MONTH
OPEN = {"new", "open", "pending reminder", "pending close"}


@pytest.fixture
def desk(sandbox, monkeypatch, capsys):
    """The sandbox as the workbook's Zammad, pulled into ./data."""
    monkeypatch.setenv("ZAMMAD_URL", sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", sandbox.admin_token)
    # An open ticket nobody has touched for three years: the schedule lists it for review.
    old = "2023-09-01T10:00:00.000Z"
    customer = sandbox.dataset.personas["customer"]
    sandbox.add_ticket(
        customer, "Stalled question", 0, state_id=2, created_at=old, updated_at=old,
        last_contact_at=old, last_contact_customer_at=old,
    )  # fmt: skip
    assert run(capsys, "pull")[0] == 0
    return sandbox


def state(sandbox) -> dict:
    with sandbox.store.lock:
        ds = sandbox.dataset
        return copy.deepcopy({"tickets": ds.tickets, "users": ds.users, "articles": ds.articles})


def mutating(sandbox) -> list:
    return [
        (r.method, r.path)
        for r in sandbox.request_log
        if r.method in {"PUT", "PATCH", "DELETE"}
        or (r.method == "POST" and not r.path.endswith("/search"))
    ]


def plan_rows() -> list[dict]:
    with (PLAN / "plan.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def ids(rows, target, action=None, status="to do") -> set[int]:
    return {
        int(r["Zammad id"])
        for r in rows
        if r["Target"] == target and r["Status"] == status and action in (None, r["Action"])
    }


def apply(capsys, *extra):
    return run(capsys, "retention", "apply", "--month", MONTH, *extra)


def execute(capsys, *extra):
    return apply(capsys, "--execute", "--yes", "--timeout", "30", *extra)


def retention_log():
    with open_registers(DATA / "registers.sqlite") as registers:
        return registers.retention_log(MONTH)


def test_a_month_is_planned_carried_out_read_back_and_logged_once(desk, capsys):
    ds = desk.dataset
    # A due ticket whose customer is under a legal hold, and one an agent touched this week.
    assert run(capsys, "retention", "apply", "--month", MONTH)[0] == 0
    first = plan_rows()
    due = sorted(ids(first, "ticket", "delete"))
    held_ticket, recent_ticket = due[0], due[1]
    held_email = ds.users[ds.tickets[held_ticket]["customer_id"]]["email"]
    with open_registers(DATA / "registers.sqlite") as registers:
        registers.place_hold(held_email, "pending claim", "Data protection lead")
    desk.touch_ticket(recent_ticket, priority="3 high")
    assert run(capsys, "pull")[0] == 0
    desk.clear_log()
    before = state(desk)

    # The dry run: the plan names every item and why, and nothing in Zammad changes.
    code, out, _ = apply(capsys)
    assert code == 0 and "Nothing was changed in Zammad" in out
    assert desk.request_log == []
    assert state(desk) == before
    rows = plan_rows()
    by_id = {(r["Target"], int(r["Zammad id"])): r for r in rows}
    assert by_id[("ticket", held_ticket)]["Status"] == "excluded"
    assert "legal hold" in by_id[("ticket", held_ticket)]["Why"]
    assert "within the last 90 days" in by_id[("ticket", recent_ticket)]["Why"]
    to_delete, to_anonymise = ids(rows, "ticket", "delete"), ids(rows, "ticket", "anonymise")
    accounts, review = ids(rows, "account", "delete"), ids(rows, "ticket", "review")
    assert to_delete and to_anonymise and accounts and review
    page = (PLAN / "plan.html").read_text()
    for ticket_id in to_delete | to_anonymise | review:
        assert f"#{before['tickets'][ticket_id]['number']}" in page
    assert (PLAN / "plan.pdf").read_bytes().startswith(b"%PDF")
    assert "PROPOSAL" in page

    # An unapproved schedule is refused before Zammad is asked anything.
    code, _, err = execute(capsys)
    assert code == 3 and "not approved" in err and err.count("\n") == 1
    assert desk.request_log == []
    assert run(capsys, "retention", "approve", "--by", "Jo Bloggs")[0] == 0

    code, out, err = execute(capsys)
    assert code == 0, err
    assert "Carried out November 2026" in out
    after = state(desk)
    gone_tickets = set(before["tickets"]) - set(after["tickets"])
    gone_users = set(before["users"]) - set(after["users"])
    assert gone_tickets == to_delete
    assert gone_users == accounts
    for ticket_id in gone_tickets:
        ticket = before["tickets"][ticket_id]
        assert ds.states[ticket["state_id"]]["name"] not in OPEN
        assert ticket_id not in (held_ticket, recent_ticket)
    assert held_ticket in after["tickets"] and recent_ticket in after["tickets"]

    # Anonymised tickets read back anonymised; their text stays, as the schedule says.
    client = ZammadClient(desk.url, desk.admin_token)
    placeholder = next(u for u in after["users"].values() if u["login"] == PLACEHOLDER_LOGIN)
    assert placeholder["email"] is None and placeholder["active"] is False
    for ticket_id in to_anonymise:
        ticket = client.ticket(ticket_id, expand=False)
        assert ticket["customer_id"] == placeholder["id"]
        assert ticket["title"] == ANONYMISED_TITLE
        assert ticket["organization_id"] is None
        kept = {a: art for a, art in before["articles"].items() if art["ticket_id"] == ticket_id}
        assert {a: after["articles"][a]["body"] for a in kept} == {
            a: art["body"] for a, art in kept.items()
        }
    client.close()

    # The log: one row per item, each with the outcome read back from Zammad.
    log = retention_log()
    assert len(log) == len(to_delete | to_anonymise | review) + len(accounts)
    assert not log.duplicated(["target", "zammad_id"]).any()
    rows = {(r.target, r.zammad_id): r for r in log.itertuples()}
    for ticket_id in to_delete:
        row = rows[("ticket", ticket_id)]
        assert row.outcome == "done" and row.verified and row.task_id
    for ticket_id in to_anonymise:
        row = rows[("ticket", ticket_id)]
        assert row.outcome == "done" and row.verified and "stay in Zammad" in row.kept
    for user_id in accounts:
        row = rows[("account", user_id)]
        assert row.outcome == "done" and row.verified and row.task_id
    assert {rows[("ticket", t)].outcome for t in review} == {"listed"}
    tasks = [r.json for r in desk.request_log if r.path.endswith("/data_privacy_tasks")]
    tasks = [t for t in tasks if t]
    assert sorted(t["deletable_id"] for t in tasks if t["deletable_type"] == "Ticket") == sorted(
        to_delete
    )
    executed = (PLAN / "plan.html").read_text()
    assert "The retention log for this month" in executed
    assert "No run has acted on this month yet" not in executed
    assert f"#{before['tickets'][min(to_delete)]['number']}" in executed

    # The registers' trail holds an event for every row, with who approved and who ran it.
    with open_registers(DATA / "registers.sqlite") as registers:
        assert registers.verify_trail().ok
        events = registers.trail()
    by_register = {}
    for event in events:
        by_register.setdefault(event.register, []).append(event)
    assert len(by_register["retention-log"]) == len(log)
    assert [e.action for e in by_register["retention-runs"]] == ["start", "finish"]
    (approval,) = by_register["schedule-approvals"]
    assert approval.actor == "Jo Bloggs" and approval.command == "retention approve"
    assert {e.command for e in by_register["retention-log"]} == {"retention apply"}

    # A second run over the month finds nothing new to do, and asks Zammad nothing.
    desk.clear_log()
    code, out, _ = execute(capsys)
    assert code == 0 and out.startswith("Nothing to do for November 2026")
    assert desk.request_log == []
    assert len(retention_log()) == len(log)
    assert state(desk) == after


def test_a_failed_task_is_recorded_and_the_run_carries_on(desk, capsys):
    assert run(capsys, "retention", "approve", "--by", "Jo Bloggs")[0] == 0
    assert apply(capsys)[0] == 0
    to_delete = ids(plan_rows(), "ticket", "delete")
    accounts = ids(plan_rows(), "account", "delete")
    error = "ERROR: #<ActiveRecord::InvalidForeignKey: PG::ForeignKeyViolation>"
    desk.fail_next_task(error)  # the first task Zammad processes ends "failed"

    code, out, err = execute(capsys)
    assert code == 4
    assert "1 action(s) failed" in err and err.count("\n") == 1
    log = retention_log()
    failed = log[log["outcome"] == "failed"]
    assert len(failed) == 1 and error in failed.iloc[0]["reason"]
    failed_id = int(failed.iloc[0]["zammad_id"])
    assert failed_id in to_delete and failed_id in desk.dataset.tickets
    done = log[(log["outcome"] == "done") & (log["action"] == "delete")]
    assert set(done[done["target"] == "ticket"]["zammad_id"]) == to_delete - {failed_id}
    assert (log["outcome"] == "listed").any()  # the rest of the run went on

    # Its customer's account, if the plan deletes it, was left alone: it still held the ticket.
    owner = desk.dataset.tickets[failed_id]["customer_id"]
    waiting = log[(log["target"] == "account") & (log["outcome"] == "skipped")]
    retried = [("ticket", failed_id, "done")]
    if owner in accounts:
        assert list(waiting["zammad_id"]) == [owner]
        assert "still the customer of 1 ticket(s)" in waiting.iloc[0]["reason"]
        retried.append(("account", owner, "done"))
    else:
        assert waiting.empty

    # The next run retries what failed or waited on it, and only that.
    desk.clear_log()
    code, out, err = execute(capsys)
    assert code == 0, err
    again = retention_log().iloc[len(log) :]
    assert list(zip(again["target"], again["zammad_id"], again["outcome"], strict=True)) == retried
    assert failed_id not in desk.dataset.tickets


def test_what_changed_since_the_snapshot_is_left_alone_and_batches_continue(desk, capsys):
    assert run(capsys, "retention", "approve", "--by", "Jo Bloggs")[0] == 0
    assert apply(capsys)[0] == 0
    rows = plan_rows()
    changed_ticket = min(ids(rows, "ticket", "delete"))
    desk.touch_ticket(changed_ticket, priority="3 high")  # after the snapshot the plan uses

    code, out, _ = execute(capsys, "--limit", "2")
    assert code == 0 and "left for the next run (--limit)" in out
    log = retention_log()
    acted = log[log["action"] != "review"]
    assert len(acted) == 2
    skipped = log[log["zammad_id"] == changed_ticket].iloc[0]
    assert skipped["outcome"] == "skipped" and "changed in Zammad since" in skipped["reason"]
    assert changed_ticket in desk.dataset.tickets

    # The next batch carries on from the fresh snapshot; the changed ticket is now recent.
    code, out, _ = execute(capsys, "--limit", "3")
    assert code == 0
    later = retention_log().iloc[len(log) :]
    assert len(later[later["action"] != "review"]) == 3
    assert changed_ticket not in set(later["zammad_id"])
    assert not later.merge(acted, on=["target", "zammad_id"]).shape[0]


def test_execute_refuses_another_desk_a_busy_folder_and_an_unconfirmed_run(
    desk, capsys, monkeypatch
):
    assert run(capsys, "retention", "approve", "--by", "Jo Bloggs")[0] == 0
    desk.clear_log()
    with data_folder_lock(DATA, "erase --execute R-2026-0009"):
        code, _, err = execute(capsys, "--wait", "0.2")
    assert code == 75 and "erase --execute R-2026-0009" in err and err.count("\n") == 1
    code, _, err = apply(capsys, "--execute")  # no terminal to confirm, no --yes
    assert code == 3 and "--yes" in err
    monkeypatch.setenv("ZAMMAD_URL", "http://127.0.0.1:9")
    code, _, err = execute(capsys)
    assert code != 0 and "but ZAMMAD_URL is http://127.0.0.1:9" in err and err.count("\n") == 1
    assert desk.request_log == []
    assert not (DATA / "registers.sqlite").exists() or retention_log().empty
