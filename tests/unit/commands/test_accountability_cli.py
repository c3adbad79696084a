"""`log`, `due` and the trail the register commands leave, run in-process."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from mimoto_gov.cli import build_parser
from tests.helpers.inprocess import registers, run

TODAY = date.today()
PAST = (TODAY - timedelta(days=40)).isoformat()
RECENT = (TODAY - timedelta(days=2)).isoformat()
WEEK_AGO = (TODAY - timedelta(days=7)).isoformat()
LATE = ("--reason", "recorded from the paper file")

# Every command that changes a register, with what it needs; each must leave an event by
# the actor. Ids are those the commands before it created.
CHANGES = [
    ["requests", "add", "--kind", "access", "--email", "a@example.com", "--received", WEEK_AGO],
    ["requests", "verify", "R-{y}-0001", "--method", "m", "--seen", "s", "--on", RECENT, *LATE],
    ["requests", "pause", "R-{y}-0001", "--reason", "which account?"],
    ["requests", "resume", "R-{y}-0001"],
    ["requests", "extend", "R-{y}-0001", "--reason", "complex", "--on", RECENT],
    ["requests", "close", "R-{y}-0001", "--outcome", "answered", "--detail", "sent"],
    ["requests", "dismiss", "31999", "--reason", "a question about invoices"],
    ["register", "law-enforcement", "add", "--authority", "Met", "--uk", "--instrument", "w",
     "--scope", "s", "--email", "le@example.com"],
    ["register", "law-enforcement", "decide", "LE-{y}-0001", "--decision", "refused"],
    ["register", "law-enforcement", "tell", "LE-{y}-0001", "--not-told-basis", "court order"],
    ["register", "law-enforcement", "close", "LE-{y}-0001"],
    ["register", "consents", "add", "c@example.com", "--at", RECENT, "--wording", "v1"],
    ["register", "consents", "withdraw", "c@example.com"],
    ["register", "suppressions", "add", "s@example.com"],
    ["register", "complaints", "add", "--summary", "slow"],
    ["register", "complaints", "ack", "C-{y}-0001"],
    ["register", "complaints", "close", "C-{y}-0001", "--outcome", "upheld"],
    ["register", "breaches", "add", "--found-at", f"{RECENT} 09:00", "--description", "lost"],
    ["register", "breaches", "not-reported", "B-{y}-0001", "--reason", "no risk"],
    ["register", "attestations", "add", "no-logs", "--text", "none kept"],
    ["register", "holds", "add", "h@example.com", "--reason", "claim"],
    ["register", "holds", "lift", "1"],
]  # fmt: skip


REQUIRED_BY = {
    ("requests", "verify"), ("holds", "add"), ("holds", "lift"), ("attestations", "add"),
}  # fmt: skip


def test_every_register_command_leaves_an_event_with_the_actor(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("MIMOTO_GOV_ACTOR", "Dee From The Environment")
    seen = 0
    for number, argv in enumerate(CHANGES):
        argv = [a.replace("{y}", str(TODAY.year)) for a in argv]
        key = tuple(argv[1:3]) if argv[0] == "register" else tuple(argv[:2])
        # Half name the actor with --by, half leave it to MIMOTO_GOV_ACTOR (where --by is
        # optional; some verbs always ask who).
        actor = f"Ann {number}" if number % 2 else "Dee From The Environment"
        if number % 2 or key in REQUIRED_BY:
            argv += ["--by", actor]
        code, out, err = run(capsys, *argv)
        assert (code, err) == (0, ""), argv
        with registers(data_dir) as reg:
            events = reg.trail()
        new = events[seen:]
        assert new, f"no event for {argv}"
        command = " ".join(argv[:3] if argv[0] == "register" else argv[:2])
        assert {e.command for e in new} == {command}
        assert {e.actor for e in new} == {actor}, argv
        seen = len(events)
    code, out, _ = run(capsys, "log", "--verify")
    assert code == 0 and out.startswith("trail intact:")


def test_log_lists_events_of_one_entry_with_both_dates(data_dir, capsys):
    run(capsys, "requests", "add", "--kind", "access", "--email", "a@example.com",
        "--received", RECENT)  # fmt: skip
    code, _, err = run(capsys, "requests", "close", f"R-{TODAY.year}-0001", "--outcome",
                       "answered", "--on", RECENT)  # fmt: skip
    assert code == 2
    assert err.startswith("mimoto-gov: error: closed ") and "is before today: give --reason" in err
    code, _, _ = run(capsys, "requests", "close", f"R-{TODAY.year}-0001", "--outcome",
                     "answered", "--on", RECENT, "--by", "Ann", *LATE)  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, "log", "--id", f"r-{TODAY.year}-0001")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 3
    assert "close (answered)" in lines[2] and "Ann" in lines[2]
    assert "recorded from the paper file" in lines[2]
    claimed = date.fromisoformat(RECENT)
    assert f"{claimed.day} {claimed:%b %Y}" in lines[2]


def test_an_update_through_sqlite3_makes_log_verify_fail_naming_the_row(data_dir, capsys):
    run(capsys, "requests", "add", "--kind", "access", "--email", "a@example.com")
    run(capsys, "requests", "add", "--kind", "erasure", "--email", "b@example.com")
    assert run(capsys, "log", "--verify")[0] == 0
    conn = sqlite3.connect(data_dir / "registers.sqlite")
    with conn:
        conn.execute(
            "UPDATE requests SET status = 'closed', closed_on = ? WHERE id = ?",
            (RECENT, f"R-{TODAY.year}-0002"),
        )
    conn.close()
    code, out, _ = run(capsys, "log", "--verify")
    assert code == 1
    assert f"requests R-{TODAY.year}-0002: changed outside the workbook since event" in out
    assert f"R-{TODAY.year}-0001" not in out


def test_due_exits_1_with_an_overdue_request_and_0_without(data_dir, capsys, tmp_path):
    run(capsys, "requests", "add", "--kind", "access", "--email", "a@example.com")
    code, out, _ = run(capsys, "due", "--within", "60")
    assert code == 0
    assert "0 overdue, 1 due within 60 days" in out and f"R-{TODAY.year}-0001" in out
    assert run(capsys, "due", "--within", "3")[0] == 0
    _, added, _ = run(capsys, "requests", "add", "--kind", "erasure", "--email",
                      "b@example.com", "--received", PAST)  # fmt: skip
    late = added.split()[0]
    code, out, _ = run(capsys, "due")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith("1 overdue")
    assert late in lines[2] and "OVERDUE by" in lines[2]
    # The reports index opens with the same list.
    index = (tmp_path / "work" / "reports" / "index.html").read_text()
    headings = [index.index(f">{name}</h2>") for name in ("Due", "Commitments", "Reports")]
    assert headings == sorted(headings)
    assert late in index and "answer the erasure request" in index


def test_due_lists_complaints_breaches_and_attestations_most_urgent_first(data_dir, capsys):
    run(capsys, "register", "complaints", "add", "--summary", "rude", "--received", PAST)
    run(capsys, "register", "breaches", "add", "--found-at", f"{RECENT} 09:00",
        "--description", "lost laptop")  # fmt: skip
    run(capsys, "register", "attestations", "add", "no-logs", "--text", "none", "--by", "Ann",
        "--expires", (TODAY + timedelta(days=5)).isoformat())  # fmt: skip
    code, out, _ = run(capsys, "due", "--no-index")
    lines = out.strip().splitlines()
    assert code == 1
    order = lines[2:]
    assert "complaints" in order[0] and "acknowledge the complaint" in order[0]
    assert "breaches" in order[1]
    assert "attestations" in order[2]


def test_due_email_needs_its_settings(data_dir, capsys):
    code, _, err = run(capsys, "due", "--email")
    assert code == 2
    assert err == (
        "mimoto-gov: error: MIMOTO_GOV_SMTP_URL is not set: put it in the environment or in .env\n"
    )


@pytest.mark.parametrize("command", ["log", "due"])
def test_help_exists(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: mimoto-gov" in capsys.readouterr().out
