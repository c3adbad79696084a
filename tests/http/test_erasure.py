"""Erasure end to end over real HTTP against the Zammad sandbox."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from mimoto_gov.cli import main
from mimoto_gov.registers import open_registers
from tests.helpers.erasure import (
    DATA,
    REPORTS,
    email_of,
    erase,
    erasure_request,
    files_holding,
    mutating,
    repointed,
    state,
    tree_digest,
)
from tests.helpers.paths import ROOT


@pytest.fixture
def zammad(sandbox, monkeypatch):
    """The shared sandbox, configured as the workbook's Zammad (admin token)."""
    monkeypatch.setenv("ZAMMAD_URL", sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", sandbox.admin_token)
    return sandbox


def test_dry_run_sends_nothing_that_changes_zammad_and_writes_the_checklist(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email)
    before = state(zammad)
    assert erase(email, "--request-id", request_id) == 0
    out = capsys.readouterr().out
    assert mutating(zammad) == []
    assert {r.method for r in zammad.request_log} <= {"GET", "POST"}
    assert state(zammad) == before
    folder = REPORTS / "erasure" / request_id
    assert f"{folder / 'checklist.html'}" in out and f"{folder / 'checklist.pdf'}" in out
    page = (folder / "checklist.html").read_text()
    subject = zammad.dataset.personas["subject"]
    numbers = [t["number"] for t in before["tickets"].values() if t["customer_id"] == subject]
    assert len(numbers) == 4
    for number in numbers:
        assert f"ticket #{number}" in page
    planted = zammad.dataset.planted
    for key in ("subject_from_article", "subject_to_article", "subject_cc_article"):
        assert f"article {planted[key]}" in page
    assert f"article {planted['subject_mention_article']} (internal note)" in page
    for place in ("Support mailboxes", "backups", "Gaug.es", "Marketing suppression list",
                  "Workbook snapshot", "Legal holds", "Identity of the requester"):  # fmt: skip
        assert place in page
    assert (folder / "checklist.pdf").read_bytes().startswith(b"%PDF")
    assert oct((folder / "checklist.html").stat().st_mode & 0o777) == "0o600"
    # The check the execution relies on reads compressed text that raw bytes cannot show.
    holding = files_holding(email)
    for name in ("zammad/users.parquet", "zammad/tickets.parquet", "registers.sqlite"):
        assert str(DATA / name) in holding
    assert str(folder / "checklist.pdf") in holding


def test_execute_deletes_exactly_the_person_then_purges_and_certifies(zammad, capsys):
    email = email_of(zammad)
    subject = zammad.dataset.personas["subject"]
    request_id = erasure_request(email, sandbox=zammad)
    # Earlier outputs that hold the person: a dry-run checklist and a stray report.
    assert erase(email, "--request-id", request_id) == 0
    review = REPORTS / "review" / "2026-01"
    review.mkdir(parents=True)
    (review / "list.csv").write_text(f"customer\n{email.upper()}\n")
    with zipfile.ZipFile(review / "export.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.txt", f"{email}\n" * 50)
    assert str(review / "export.zip") in files_holding(email)
    before = state(zammad)
    own = {t for t, ticket in before["tickets"].items() if ticket["customer_id"] == subject}
    planted = zammad.dataset.planted
    written = planted["subject_from_article"]
    assert before["articles"][written]["created_by_id"] == subject
    assert before["tickets"][before["articles"][written]["ticket_id"]]["customer_id"] != subject
    zammad.clear_log()

    assert erase(email, "--request-id", request_id, "--execute", "--yes", "--timeout", "20") == 0
    out = capsys.readouterr().out
    after = state(zammad)
    assert set(before["users"]) - set(after["users"]) == {subject}
    assert set(before["tickets"]) - set(after["tickets"]) == own
    # Exactly the articles of the deleted tickets are gone ...
    gone = {a for a, article in before["articles"].items() if article["ticket_id"] in own}
    assert gone and set(before["articles"]) - set(after["articles"]) == gone
    assert set(after["articles"]) <= set(before["articles"])
    # ... and every other record is as it was, the person's references aside (Zammad moves
    # them to the system user): what they wrote on other customers' tickets stays, text intact.
    for table in ("articles", "tickets", "users", "organizations"):
        kept = {i: repointed(r, subject) for i, r in before[table].items() if i in after[table]}
        assert after[table] == kept, table
    assert set(after["users"]) == set(before["users"]) - {subject}
    assert after["organizations"] == before["organizations"]
    assert after["articles"][written]["created_by_id"] == 1
    for key in ("subject_from_article", "subject_to_article", "subject_cc_article"):
        article = after["articles"][planted[key]]
        addresses = " ".join(str(article[f] or "") for f in ("from", "to", "cc"))
        assert email.lower() in addresses.lower()
    creates = [r for r in zammad.request_log if r.method == "POST" and "data_privacy" in r.path]
    assert [r.json["deletable_id"] for r in creates] == [subject]

    # The email is in no file of the workbook, registers included.
    assert files_holding(email) == []
    folder = REPORTS / "erasure" / request_id
    certificate = (folder / "certificate.html").read_text()
    assert f"{folder / 'certificate.pdf'}" in out
    assert "Deleted" in certificate and "Kept, and why" in certificate
    for ticket_id in own:
        assert f"#{before['tickets'][ticket_id]['number']}" in certificate
    assert "Zammad keeps articles on other customers" in certificate
    assert "beyond use" in certificate and "servicedesk" in certificate
    assert f"user #{subject}" in certificate
    assert (REPORTS / "review" / "2026-01" / "list.csv").read_text() == "customer\n[erased]\n"
    with zipfile.ZipFile(review / "export.zip") as archive:
        assert archive.read("customers.txt").decode() == "[erased]\n" * 50

    with open_registers(DATA / "registers.sqlite") as registers:
        entry = registers.erasures().iloc[-1]
        request = registers.get_request(request_id)
        subject_hash = registers.hash(email)
        assert entry["outcome"] == "completed" and entry["verified"]
        assert entry["subject_hash"] == subject_hash
        # Steps done by hand are still open: the request stays open.
        assert request.emails == () and request.status == "open"
        assert subject_hash in registers.suppressed_hashes()
    with sqlite3.connect(DATA / "registers.sqlite") as conn:
        dump = "\n".join(conn.iterdump()).lower()
    assert email.lower() not in dump

    # A second run changes nothing and says so.
    digest = tree_digest()
    zammad.clear_log()
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 0
    assert "already erased" in capsys.readouterr().out
    assert zammad.request_log == []
    assert tree_digest() == digest
    assert state(zammad) == after


def test_sole_member_with_delete_organization_takes_the_organisation_and_its_tickets(zammad):
    ds = zammad.dataset
    member = ds.personas["sole_member"]
    org = ds.planted["sole_org"]
    email = email_of(zammad, "sole_member")
    request_id = erasure_request(email, sandbox=zammad)
    before = state(zammad)
    org_tickets = {t for t, ticket in before["tickets"].items() if ticket["organization_id"] == org}
    former = ds.personas["former_member"]
    assert any(before["tickets"][t]["customer_id"] == former for t in org_tickets)
    argv = ["--request-id", request_id, "--execute", "--yes", "--delete-organization"]
    assert erase(email, *argv) == 0
    after = state(zammad)
    assert set(before["organizations"]) - set(after["organizations"]) == {org}
    assert set(before["tickets"]) - set(after["tickets"]) == org_tickets
    assert set(before["users"]) - set(after["users"]) == {member}
    certificate = (REPORTS / "erasure" / request_id / "certificate.html").read_text()
    assert f"organisation #{org}" in certificate


def test_a_failed_task_is_caught_recorded_and_can_be_retried(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    zammad.fail_next_task("ERROR: #<ActiveRecord::InvalidForeignKey: ticket_states>")
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 4
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "failed" in err and "InvalidForeignKey" in err and request_id in err
    with open_registers(DATA / "registers.sqlite") as registers:
        entry = registers.erasures().iloc[-1]
        assert entry["outcome"] == "failed" and "InvalidForeignKey" in entry["reason"]
        assert registers.get_request(request_id).emails == (email.lower(),)
    assert zammad.dataset.personas["subject"] in zammad.dataset.users
    checklist = (REPORTS / "erasure" / request_id / "checklist.html").read_text()
    assert "InvalidForeignKey" in checklist
    # Zammad accepts a new task after a failed one: the retry completes.
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 0
    assert files_holding(email) == []


def test_a_ticket_that_survives_is_a_mismatch(zammad, capsys):
    email = email_of(zammad)
    subject = zammad.dataset.personas["subject"]
    survivor = min(t for t, x in zammad.dataset.tickets.items() if x["customer_id"] == subject)
    number = zammad.dataset.tickets[survivor]["number"]
    zammad.keep_ticket_on_delete(survivor)
    request_id = erasure_request(email, sandbox=zammad)
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 4
    err = capsys.readouterr().err
    assert f"ticket #{number} still exists" in err
    with open_registers(DATA / "registers.sqlite") as registers:
        entry = registers.erasures().iloc[-1]
        assert entry["outcome"] == "failed" and f"#{number}" in entry["reason"]
        assert not entry["verified"]


def test_a_timed_out_run_then_a_rerun_gives_one_certificate_with_every_task_and_ticket(
    zammad, capsys
):
    zammad.hold_tasks = True
    email = email_of(zammad)
    subject = zammad.dataset.personas["subject"]
    numbers = sorted(t["number"] for t in zammad.dataset.tickets.values()
                     if t["customer_id"] == subject)  # fmt: skip
    request_id = erasure_request(email, sandbox=zammad)
    assert erase(email, "--request-id", request_id, "--execute", "--yes", "--timeout", "0.3") == 4
    assert "timed out" in capsys.readouterr().err
    with open_registers(DATA / "registers.sqlite") as registers:
        (task_id,) = registers.erasure_tasks(request_id)["task_id"]
        assert registers.erasures().iloc[-1]["outcome"] == "failed"
    # Zammad finishes the task before the rerun: the rerun's snapshot no longer has the person.
    zammad.hold_tasks = False
    zammad.tick()
    assert subject not in zammad.dataset.users
    zammad.clear_log()
    assert erase(email, "--request-id", request_id, "--execute", "--yes", "--timeout", "20") == 0
    # The rerun waits for the task already queued instead of creating a second one ...
    assert not [r for r in zammad.request_log if r.method == "POST" and "data_privacy" in r.path]
    out = capsys.readouterr().out
    assert "1 user record(s) and 4 ticket(s) deleted" in out
    # ... and its one certificate holds what the first run did: the task, the user, every ticket.
    folder = REPORTS / "erasure" / request_id
    assert sorted(p.name for p in folder.glob("certificate*")) == [
        "certificate.html", "certificate.pdf",
    ]  # fmt: skip
    certificate = (folder / "certificate.html").read_text()
    row = f'<td class="num">{task_id}</td><td>user #{subject}</td><td>completed</td>'
    assert row in certificate
    assert "0 user records" not in certificate and "no user record" not in certificate
    for number in numbers:
        assert f"ticket #{number}" in certificate
    with open_registers(DATA / "registers.sqlite") as registers:
        entry = registers.erasures().iloc[-1]
    assert entry["outcome"] == "completed" and entry["task_ids"] == [str(task_id)]
    assert entry["user_ids"] == [subject] and sorted(entry["ticket_numbers"]) == numbers
    assert files_holding(email) == []


@pytest.mark.parametrize("blocker", ["hold", "law-enforcement", "unverified"])
def test_holds_and_missing_identity_block_before_anything_is_sent(zammad, capsys, blocker):
    email = email_of(zammad)
    request_id = erasure_request(email, verified=blocker != "unverified")
    with open_registers(DATA / "registers.sqlite") as registers:
        if blocker == "hold":
            registers.place_hold(email, "pending legal claim", "Data protection lead")
        if blocker == "law-enforcement":
            registers.add_law_enforcement(
                authority="Metropolitan Police",
                uk=True,
                instrument="production order",
                scope="support tickets",
                emails=[email],
            )
    before = state(zammad)
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 3
    err = capsys.readouterr().err
    assert ("verified identity" if blocker == "unverified" else "legal hold") in err
    assert zammad.request_log == []
    assert state(zammad) == before
    with open_registers(DATA / "registers.sqlite") as registers:
        assert registers.erasures().empty


def test_without_a_terminal_or_yes_the_execution_is_refused(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    assert erase(email, "--request-id", request_id, "--execute") == 3
    assert "--yes" in capsys.readouterr().err
    assert mutating(zammad) == []


def test_bad_input_is_one_line(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email)
    assert erase("someone-else@example.com", "--request-id", request_id) == 2
    assert erase(email, "--request-id", "R-1999-0001") != 0
    assert erase("not-an-address", "--request-id", request_id) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("mimoto-gov: error:") for line in err)
    assert json.dumps(zammad.admin_token) not in "".join(err)


def test_verification_reads_zammad_back_and_reports_what_is_still_there(zammad):
    from mimoto_gov.erasure.execute import verify_erasure
    from mimoto_gov.zammad.client import ZammadClient

    ds = zammad.dataset
    subject = ds.personas["subject"]
    ticket = next(t for t in ds.tickets.values() if t["customer_id"] == subject)
    with ZammadClient(zammad.url, zammad.admin_token) as client:
        result = verify_erasure(
            client,
            user_ids=[subject],
            ticket_ids={ticket["id"]: ticket["number"]},
            extra_numbers={ticket["number"]},
            emails=(email_of(zammad),),
        )
    assert not result.ok
    assert f"user #{subject} still exists" in result.problems
    assert result.problems.count(f"ticket #{ticket['number']} still exists") == 2
    assert any("search by address still finds user(s)" in p for p in result.problems)
    assert any("search by address still finds ticket(s)" in p for p in result.problems)


def test_an_erased_person_who_writes_again_is_flagged_by_the_review(zammad):
    from mimoto_gov.erasure.run import erasure_flags
    from mimoto_gov.inventory import load_inventory

    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 0
    # Only the steps left to do by hand are flagged, with the command that records them.
    (unfinished,) = erasure_flags(load_inventory(DATA), DATA).to_dict("records")
    assert unfinished["flag"] == "erasure steps open" and unfinished["request_id"] == request_id
    assert "mailboxes" in unfinished["detail"] and "erasure done" in unfinished["detail"]
    # Zammad re-creates a person who writes again (zammad-api.md §5).
    returned = zammad.add_user(firstname="Back", lastname="Again", email=email.upper())
    assert main(["pull"]) == 0
    flags = erasure_flags(load_inventory(DATA), DATA)
    flags = flags[flags["flag"] == "erased person reappears in Zammad"]
    assert list(flags["user_id"]) == [returned]
    assert list(flags["request_id"]) == [request_id]


@pytest.mark.slow
def test_the_notebook_drives_the_same_dry_run(zammad, tmp_path):
    import nbformat
    import papermill

    email = email_of(zammad)
    request_id = erasure_request(email)
    notebook = ROOT / "notebooks" / "deletion_checklist.ipynb"
    output = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters={"request_id": request_id, "data_dir": "data"},
        cwd=str(Path.cwd()),
        progress_bar=False,
        kernel_name="python3",
    )
    executed = nbformat.read(output, as_version=4)
    texts = [
        str(o.get("data", {}).get("text/plain", ""))
        for cell in executed.cells
        for o in cell.get("outputs", [])
    ]
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    rows = [
        int(t.split(": ")[1].split()[0]) for t in texts if t.startswith("The deletion checklist")
    ]
    assert rows and rows[0] >= 15
    assert any("Articles and titles naming them: 4 rows" in t for t in texts)
    assert (REPORTS / "erasure" / request_id / "checklist.pdf").exists()
    assert mutating(zammad) == []
    # The address came from the register: neither the notebook nor its run holds it.
    assert email.lower() not in output.read_text().lower()
    assert email.lower() not in notebook.read_text().lower()


@pytest.mark.slow
def test_the_notebook_executes_the_erasure_and_its_kept_copy_forgets_the_person(zammad):
    import nbformat

    from mimoto_gov.erasure.run import ErasureRefused
    from mimoto_gov.errors import ReportError
    from mimoto_gov.views.deletion_checklist import run_deletion_checklist

    email = email_of(zammad)
    subject = zammad.dataset.personas["subject"]
    request_id = erasure_request(email, verified=False, sandbox=zammad)
    kept = REPORTS / "erasure" / request_id / "deletion_checklist.ipynb"
    # Executing needs the request id typed again.
    with pytest.raises(ErasureRefused, match="confirm_request_id"):
        run_deletion_checklist(request_id, execute=True, confirm_request_id="R-2026-9999")
    with pytest.raises(ReportError, match="ErasureRefused: .*no verified identity") as refused:
        run_deletion_checklist(request_id, execute=True, confirm_request_id=request_id)
    assert len(str(refused.value).splitlines()) == 1
    assert not kept.exists() and mutating(zammad) == []
    with open_registers(DATA / "registers.sqlite") as registers:
        registers.verify_identity(
            request_id,
            method="reply from the address on file",
            verified_by="Data protection lead",
            evidence_seen="confirmed by email from the registered address",
        )

    # The request id is all it takes: the dry run's copy holds no address.
    assert run_deletion_checklist(request_id) == kept.absolute()
    dry = nbformat.read(kept, as_version=4)
    assert dry.metadata.papermill.parameters == {
        "request_id": request_id, "execute": False, "confirm_request_id": "",
        "delete_organization": False, "data_dir": str(DATA.absolute()),
    }  # fmt: skip
    assert str(kept) not in files_holding(email) and mutating(zammad) == []

    assert (
        run_deletion_checklist(request_id, execute=True, confirm_request_id=request_id.lower())
        == kept.absolute()
    )
    assert subject not in zammad.dataset.users
    executed = nbformat.read(kept, as_version=4)
    outputs = [o for cell in executed.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(f"Erased request {request_id}" in str(o.get("data", {})) for o in outputs)
    assert "subject_email" not in executed.metadata.papermill.parameters
    assert executed.metadata.papermill.parameters["execute"] is True
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    # Nothing under data/ or reports/ holds the address: the kept notebook, the registers,
    # the snapshot, the certificate, the dry run's checklist.
    assert files_holding(email) == []
    assert (REPORTS / "erasure" / request_id / "certificate.pdf").exists()


def run_on_a_terminal(argv: list[str], typed: str) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as stdin and type an answer."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "mimoto_gov", *argv],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        os.close(follower)
        os.write(leader, typed.encode())
        out, err = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, out + err


@pytest.mark.slow
def test_on_a_terminal_the_execution_waits_for_delete_to_be_typed(zammad):
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    before = state(zammad)
    code, output = run_on_a_terminal(
        ["erase", email, "--request-id", request_id, "--execute"], "yes\n"
    )
    assert code == 3 and "Type DELETE to go ahead" in output and "not confirmed" in output
    assert state(zammad) == before
    code, output = run_on_a_terminal(
        ["erase", email, "--request-id", request_id, "--execute", "--timeout", "20"], "DELETE\n"
    )
    assert code == 0, output
    assert zammad.dataset.personas["subject"] not in zammad.dataset.users


def test_a_rerun_finishes_what_an_interrupted_run_left(zammad, capsys):
    email = email_of(zammad)
    request_id = erasure_request(email, sandbox=zammad)
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 0
    folder = REPORTS / "erasure" / request_id
    for name in ("certificate.html", "certificate.pdf"):
        (folder / name).unlink()
    stray = REPORTS / "review" / "2026-02" / "notes.md"
    stray.parent.mkdir(parents=True)
    stray.write_text(f"called {email}\n")
    capsys.readouterr()
    # A dry run says what is left and changes nothing.
    digest = tree_digest()
    assert erase(email, "--request-id", request_id) == 0
    out = capsys.readouterr().out
    assert "1 local file(s) still hold the person and the certificate is missing" in out
    assert tree_digest() == digest
    # An execution finishes it, without asking Zammad anything.
    zammad.clear_log()
    assert erase(email, "--request-id", request_id, "--execute", "--yes") == 0
    out = capsys.readouterr().out
    assert "purged 1 local file(s) left over and wrote the missing certificate" in out
    assert zammad.request_log == []
    assert stray.read_text() == "called [erased]\n"
    certificate = (folder / "certificate.html").read_text()
    assert "Kept, and why" in certificate and "servicedesk" in certificate
    assert files_holding(email) == []
