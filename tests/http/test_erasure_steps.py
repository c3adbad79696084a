"""An erasure as evidence, over real HTTP against the Zammad sandbox.

Steps finished by hand before the certificate is complete; tickets that must be kept; two
erasures at once; an interrupted run; a record that cannot be rewritten.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date

import pytest

from mimoto_gov.erasure.steps import open_erasure_steps, record_step
from mimoto_gov.registers import open_registers
from mimoto_gov.support.lock import data_folder_lock
from tests.helpers.erasure import (
    DATA,
    REPORTS,
    email_of,
    erase,
    erasure_request,
    files_holding,
    mutating,
)
from tests.helpers.inprocess import run

REVIEW_ON = "2032-04-06"


@pytest.fixture
def zammad(sandbox, monkeypatch):
    """The sandbox, configured as the workbook's Zammad (admin token)."""
    monkeypatch.setenv("ZAMMAD_URL", sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", sandbox.admin_token)
    return sandbox


def certificate(request_id) -> str:
    return (REPORTS / "erasure" / request_id / "certificate.html").read_text()


def open_step_names(request_id) -> list[str]:
    with open_registers(DATA / "registers.sqlite") as registers:
        steps = open_erasure_steps(registers)
    return list(steps.loc[steps["request_id"] == request_id, "step"])


def test_steps_by_hand_keep_the_request_open_until_each_is_recorded(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    assert erase(email, "--request-id", request_id, "--execute", "--yes", "--timeout", "20") == 0
    out = capsys.readouterr().out
    assert "still open" in out and "the certificate is partial" in out
    assert "Certificate of erasure (partial)" in certificate(request_id)
    assert "Still to do" in certificate(request_id)
    opened = open_step_names(request_id)
    assert {"mailboxes", "mailing-list", "zammad-other-tickets", "confirm-to-person"} <= set(opened)
    assert "notify-website-hosting-provider" in opened  # a recipient in the ROPA (Art. 19)
    with open_registers(DATA / "registers.sqlite") as registers:
        request = registers.get_request(request_id)
        assert request.status == "open"
        due = open_erasure_steps(registers)
    assert set(due["due_on"]) == {registers.due_date_of(request)}
    assert (REPORTS / "erasure" / request_id / "letter.pdf").read_bytes().startswith(b"%PDF")

    code, out, _ = run(capsys, "erasure", "steps", request_id)
    assert code == 0 and "mailboxes" in out and "to do by hand" in out and "(partial)" in out
    # Steps the tool does, unknown steps and a step done twice are one line each.
    code, _, err = run(capsys, "erasure", "done", request_id, "zammad-users", "--by", "Ann")
    assert code == 2 and "done by `mimoto-gov erase`" in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "erasure", "done", request_id, "no-such-step", "--by", "Ann")
    assert code == 2 and "mailboxes" in err and len(err.splitlines()) == 1

    # Each step recorded; the command writes the certificate again each time, so all but two
    # go straight to the register here (the same call the command makes).
    code, out, err = run(
        capsys, "erasure", "done", request_id, "mailing-list", "--by", "Marketing lead",
        "--not-needed", "they never opted in to marketing",
    )  # fmt: skip
    assert code == 0 and "still open" in out, err
    assert "Certificate of erasure (partial)" in certificate(request_id)
    last = opened[-1]
    with open_registers(DATA / "registers.sqlite") as registers:
        for step in set(opened) - {"mailing-list", last}:
            record_step(registers, request_id, step, by="Support lead", note=f"{step} finished")
    code, out, err = run(
        capsys, "erasure", "done", request_id, last, "--by", "Data protection lead",
        "--note", f"{last} finished", "--on", date.today().isoformat(),
    )  # fmt: skip
    assert code == 0, err
    assert "Every step is finished" in out and "closed" in out
    code, _, err = run(capsys, "erasure", "done", request_id, "mailboxes", "--by", "Ann")
    assert code == 1 and "already done by Support lead" in err

    page = certificate(request_id)
    assert "Certificate of erasure (complete)" in page and "Still to do" not in page
    assert "they never opted in to marketing" in page and "mailboxes finished" in page
    assert open_step_names(request_id) == []
    with open_registers(DATA / "registers.sqlite") as registers:
        request = registers.get_request(request_id)
        assert request.status == "closed" and "every step finished" in request.outcome
        erasure_id = registers.erasures().iloc[-1]["id"]
    assert files_holding(email) == []
    # The record cannot be rewritten quietly, and the key is not next to the hashes.
    with (
        closing(sqlite3.connect(DATA / "registers.sqlite")) as conn,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        conn.execute(
            "INSERT OR REPLACE INTO erasures (id, request_id, subject_hash, task_ids,"
            " ticket_numbers, started_at, outcome, verified, kept, recorded_at)"
            " VALUES (?, ?, 'x', '[]', '[]', 'x', 'failed', 0, '[]', 'x')",
            (erasure_id, request_id),
        )
    assert not [p for p in DATA.rglob("*") if "key" in p.name.lower()]


def test_a_refund_ticket_is_flagged_and_a_kept_ticket_survives_the_erasure(zammad, capsys):
    ds = zammad.dataset
    email = email_of(zammad)
    subject = ds.personas["subject"]
    own = {t["number"]: t["id"] for t in ds.tickets.values() if t["customer_id"] == subject}
    # The ticket whose correspondence speaks of a refund, and every
    # ticket of the person the keep policy flags (data/policy/erasure.yml: Billing, or words).
    refund = next(
        number
        for number, ticket_id in own.items()
        if any("refund" in a["body"].lower() for a in ds.articles_of(ticket_id))
    )
    flagged = {
        number
        for number, ticket_id in own.items()
        if ds.groups[ds.tickets[ticket_id]["group_id"]]["name"] == "Billing"
        or re.search(
            r"refund|invoice|payment|chargeback",
            " ".join([ds.tickets[ticket_id]["title"]]
                     + [a["body"] for a in ds.articles_of(ticket_id)]),
            re.IGNORECASE,
        )
    }  # fmt: skip
    request_id = erasure_request(email)
    assert erase(email, "--request-id", request_id) == 0
    out = capsys.readouterr().out
    assert f"ticket-{refund}" in out
    checklist = (REPORTS / "erasure" / request_id / "checklist.html").read_text()
    assert "Records that may have to be kept" in checklist
    assert all(f"ticket #{number}" in checklist for number in flagged)

    zammad.clear_log()
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 3
    err = capsys.readouterr().err
    assert f"ticket-{refund}" in err and "nothing was deleted" in err
    assert len(err.splitlines()) == 1 and mutating(zammad) == []
    assert f"{len(flagged)} ticket(s) may have to be kept" in err
    assert all(f"ticket-{number}" in err for number in flagged)

    reason = "refund record: HMRC requires six years"
    code, out, err = run(
        capsys, "erasure", "decide", request_id, f"ticket-{refund}", "--keep",
        "--reason", reason, "--review-on", REVIEW_ON, "--by", "Data protection lead",
    )  # fmt: skip
    assert code == 0 and "review on 6 Apr 2032" in out, err
    code, _, err = run(
        capsys, "erasure", "decide", request_id, f"ticket-{refund}", "--keep", "--by", "Ann"
    )
    assert code == 2 and "reason" in err
    for number in set(own) - {refund}:
        assert run(capsys, "erasure", "decide", request_id, f"ticket-{number}", "--erase",
                   "--by", "Data protection lead")[0] == 0  # fmt: skip

    assert erase(email, "--request-id", request_id, "--execute", "--yes", "--timeout", "20") == 0
    assert subject not in ds.users
    assert set(own.values()) - set(ds.tickets) == {own[n] for n in own if n != refund}
    kept = ds.tickets[own[refund]]
    placeholder = ds.users[kept["customer_id"]]
    assert placeholder["email"] == "kept-records@mimoto.co.uk" and kept["organization_id"] is None
    assert [a for a in ds.articles.values() if a["ticket_id"] == own[refund]]
    page = certificate(request_id)
    assert f"ticket #{refund}" in page and reason in page and "6 Apr 2032" in page
    letter = (REPORTS / "erasure" / request_id / "letter.html").read_text()
    assert f"ticket #{refund}" in letter and reason in letter
    with open_registers(DATA / "registers.sqlite") as registers:
        entry = registers.erasures().iloc[-1]
    assert refund not in entry["ticket_numbers"] and len(entry["ticket_numbers"]) == len(own) - 1
    # A second erasure with a kept ticket reuses the placeholder customer.
    assert sum(u["email"] == placeholder["email"] for u in ds.users.values()) == 1


def erase_in_a_process(email, request_id, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mimoto_gov", "erase", email, "--request-id", request_id,
         "--execute", "--yes", "--timeout", "60", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_erasures_started_together_both_finish(zammad):
    people = [(email_of(zammad, p), zammad.dataset.personas[p]) for p in ("subject", "customer")]
    requests = [erasure_request(email, sandbox=zammad) for email, _ in people]
    processes = [
        erase_in_a_process(email, request_id, "--wait", "300")
        for (email, _), request_id in zip(people, requests, strict=True)
    ]
    results = [p.communicate(timeout=600) for p in processes]
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "Erased request" in out
    for (_, user_id), request_id in zip(people, requests, strict=True):
        assert user_id not in zammad.dataset.users
        assert "Certificate of erasure (partial)" in certificate(request_id)
    with open_registers(DATA / "registers.sqlite") as registers:
        done = registers.erasures()
    assert sorted(done["request_id"]) == sorted(requests)
    assert set(done["outcome"]) == {"completed"}


def test_a_second_destructive_command_waits_then_names_the_holder(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    with data_folder_lock(DATA, "tidy --execute"):
        started = time.monotonic()
        code = erase(email, "--request-id", request_id, "--execute", "--yes", "--wait", "0.5")
        waited = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 75 and waited >= 0.5
    assert len(err.splitlines()) == 1 and "busy" in err and "`mimoto-gov tidy --execute`" in err
    assert f"process {os.getpid()}" in err
    assert zammad.request_log == []


def test_ctrl_c_while_waiting_records_the_task_and_a_rerun_finishes(zammad, capsys):
    zammad.hold_tasks = True
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    process = erase_in_a_process(email, request_id)
    deadline = time.monotonic() + 120
    tasks = []
    while not tasks and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        with open_registers(DATA / "registers.sqlite") as registers:
            tasks = list(registers.erasure_tasks(request_id)["task_id"])
    assert tasks, "the task was not recorded before the wait"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip() == (
        f"mimoto-gov: error: erasure under way: task {tasks[0]} created; run the same command "
        "again to finish"
    )
    with open_registers(DATA / "registers.sqlite") as registers:
        entry = registers.erasures().iloc[-1]
    assert entry["outcome"] == "failed" and "interrupted" in entry["reason"]
    zammad.hold_tasks = False
    zammad.clear_log()
    assert erase(email, "--request-id", request_id, "--execute", "--yes", "--timeout", "20") == 0
    assert not [r for r in zammad.request_log if r.method == "POST" and "data_privacy" in r.path]
    subject = zammad.dataset.personas["subject"]
    row = f'<td class="num">{tasks[0]}</td><td>user #{subject}</td><td>completed</td>'
    assert row in certificate(request_id)
