"""The registers file: schema and migrations, each register's round trip, erasure, forgetting."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers import (
    SCHEMA_VERSION,
    keyed_hash,
    open_registers,
    provenance,
    read_mailing_list,
    select_contactable,
)
from mimoto_gov.registers import db as registers_db


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def reg(data_dir):
    # The examples are dated in the past, as a register filled in after the fact would be.
    who = provenance("tester", "tests", reason="examples dated in the past")
    registers = open_registers(data_dir / "registers.sqlite", who=who)
    yield registers
    registers.close()


# -- the file -------------------------------------------------------------------------


def test_a_new_file_is_private_and_at_the_current_schema(data_dir, reg):
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "registers.sqlite") == 0o600
    assert reg.schema_version == SCHEMA_VERSION >= 1
    assert reg.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_the_default_path_comes_from_the_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(tmp_path / "elsewhere"))
    with open_registers() as registers:
        assert registers.path == tmp_path / "elsewhere" / "registers.sqlite"
    assert (tmp_path / "elsewhere" / "registers.sqlite").is_file()


def test_a_new_file_is_migrated_and_reopening_changes_nothing(data_dir):
    data_dir.mkdir()
    path = data_dir / "registers.sqlite"
    with open_registers(path) as first:
        assert first.schema_version == SCHEMA_VERSION
        request = first.add_request("access", "a@example.com", date(2026, 1, 5))
    with open_registers(path) as second:
        assert second.schema_version == SCHEMA_VERSION
        assert second.get_request(request.id).emails == ("a@example.com",)
        tables = {r[0] for r in second.conn.execute("SELECT name FROM sqlite_master")}
    assert {"requests", "holds", "erasures", "consents", "breaches", "attestations"} <= tables
    assert mode(path) == 0o600
    assert sorted(p.name for p in data_dir.iterdir()) == ["registers.sqlite"]


def test_an_empty_file_is_refused_and_left_as_it_is(data_dir):
    data_dir.mkdir()
    path = data_dir / "registers.sqlite"
    path.write_bytes(b"")
    with pytest.raises(RegisterError, match="is empty, not a registers file"):
        open_registers(path)
    assert path.read_bytes() == b""


def test_a_full_disk_is_one_line_and_changes_nothing(data_dir):
    path = data_dir / "registers.sqlite"
    with open_registers(path) as reg:
        reg.add_request("access", "a@example.com", date(2026, 1, 5))
        pages = reg.conn.execute("PRAGMA page_count").fetchone()[0]
        # SQLite then refuses to grow the file exactly as on a full disk (SQLITE_FULL)
        reg.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(RegisterError, match="could not be written .*full.*nothing was changed"):
            reg.add_complaint("x" * 200_000, date(2026, 1, 6))
        assert reg.complaints().empty
        assert len(reg.list_requests()) == 1


def test_a_failed_migration_leaves_the_file_at_its_previous_version(data_dir, monkeypatch):
    path = data_dir / "registers.sqlite"
    open_registers(path).close()
    broken = "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(registers_db, "MIGRATIONS", [*registers_db.MIGRATIONS, broken])
    monkeypatch.setattr(registers_db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RegisterError, match="no such table"):
        open_registers(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()
    conn.close()


def test_a_file_from_a_newer_version_is_refused(data_dir):
    path = data_dir / "registers.sqlite"
    open_registers(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(RegisterError, match="newer than this workbook"):
        open_registers(path)


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(data_dir):
    data_dir.mkdir()
    path = data_dir / "registers.sqlite"
    path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(RegisterError) as caught:
        open_registers(path)
    assert "not a usable registers file" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_path_that_cannot_be_a_file_is_one_line(data_dir):
    (data_dir / "registers.sqlite").mkdir(parents=True)
    with pytest.raises(RegisterError, match="cannot open the registers file"):
        open_registers(data_dir / "registers.sqlite")


def test_foreign_keys_are_enforced(reg):
    with pytest.raises(sqlite3.IntegrityError):
        reg.conn.execute(
            "INSERT INTO request_subjects (request_id, position, email, subject_hash)"
            " VALUES ('R-1999-0001', 0, 'x@example.com', 'h')"
        )


def test_the_keyed_hash_uses_a_private_secret_created_on_first_use(data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(tmp_path / "config" / "erasure.key"))
    first = keyed_hash(" Alice@Example.COM ", data_dir)
    assert first == keyed_hash("alice@example.com", data_dir)
    assert len(first) == 64
    assert first != keyed_hash("alice2@example.com", data_dir)
    key = tmp_path / "config" / "erasure.key"
    assert mode(key) == 0o600 and mode(key.parent) == 0o700
    assert "alice" not in key.read_text()
    # Another secret gives another hash.
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(tmp_path / "other" / "erasure.key"))
    assert keyed_hash("alice@example.com", data_dir) != first


def test_a_damaged_key_is_reported(data_dir, monkeypatch, tmp_path):
    key = tmp_path / "config" / "erasure.key"
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(key))
    key.parent.mkdir()
    key.write_text("not hex")
    with pytest.raises(RegisterError, match="damaged"):
        keyed_hash("a@example.com", data_dir)


# -- requests -------------------------------------------------------------------------


def test_a_request_round_trips(reg):
    request = reg.add_request(
        "access", ["Bob@Example.com", "bob@example.com ", "b.other@example.org"], date(2026, 9, 3)
    )
    assert request.id == "R-2026-0001"
    assert request.emails == ("bob@example.com", "b.other@example.org")
    assert request.status == "open"
    assert request.subject_hash == reg.hash("bob@example.com")
    assert reg.get_request("r-2026-0001") == request
    assert reg.due_date_of(request) == date(2026, 10, 5)  # 3 Oct 2026 is a Saturday
    second = reg.add_request("erasure", "c@example.com", date(2026, 9, 4), notes="by post")
    older = reg.add_request("objection", "d@example.com", date(2025, 12, 1))
    assert (second.id, older.id) == ("R-2026-0002", "R-2025-0001")
    assert [r.id for r in reg.list_requests()] == ["R-2025-0001", "R-2026-0001", "R-2026-0002"]
    assert reg.get_request(second.id).notes == "by post"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "deletion", "emails": "a@example.com"}, "kind: 'deletion' is not one of"),
        ({"kind": "access", "emails": "not-an-address"}, "is not an email address"),
        ({"kind": "access", "emails": []}, "at least one subject email"),
        (
            {
                "kind": "access",
                "emails": "a@example.com",
                "received_on": date.today() + timedelta(1),
            },
            r"^received \d{1,2} [A-Z][a-z]{2} \d{4} is in the future$",
        ),
    ],
)
def test_a_bad_request_is_refused_and_nothing_written(reg, kwargs, message):
    with pytest.raises(InputError, match=message):
        reg.add_request(**kwargs)
    assert reg.list_requests() == []


def test_an_unknown_request_is_one_line(reg):
    with pytest.raises(RegisterError, match=r"^no request R-2026-0099 in the register$"):
        reg.get_request("R-2026-0099")


def test_identity_verification_records_a_description_not_a_copy(reg):
    request = reg.add_request("access", "a@example.com", date(2026, 3, 2))
    with pytest.raises(InputError, match="never store a copy"):
        reg.verify_identity(request.id, "passport", "Ann", "x" * 301)
    assert not reg.get_request(request.id).verified
    verified = reg.verify_identity(
        request.id,
        "photo ID by video call",
        "Ann Smith",
        "passport; name and photo match the account",
        verified_at=date(2026, 3, 9),
        id_received_on=date(2026, 3, 9),
    )
    assert verified.verified and verified.verified_by == "Ann Smith"
    # The ID asked for arrived on 9 March: the month runs from then (Article 12A).
    assert verified.clock_starts_on == date(2026, 3, 9)
    assert reg.due_date_of(verified) == date(2026, 4, 9)


def test_pausing_adds_the_paused_days(reg):
    request = reg.add_request("access", "a@example.com", date(2025, 9, 3))
    paused = reg.pause(request.id, "which account?", date(2025, 9, 10))
    assert paused.status == "paused"
    # Still open: counts to the day asked about.
    assert reg.due_date_of(paused, date(2025, 9, 12)) == date(2025, 10, 6)
    # dates in messages are written the UK way, as in the reports
    with pytest.raises(
        RegisterError, match=rf"^request {request.id} is already paused since 10 Sep 2025$"
    ):
        reg.pause(request.id, "again", date(2025, 9, 11))
    resumed = reg.resume(request.id, date(2025, 9, 15))
    assert resumed.status == "open"
    # 5 days: 3 Oct + 5 = Wednesday 8 Oct.
    assert reg.due_date_of(resumed) == date(2025, 10, 8)
    with pytest.raises(RegisterError, match="is not paused"):
        reg.resume(request.id)
    reg.pause(request.id, "which tickets?", date(2025, 9, 20))
    twice = reg.resume(request.id, date(2025, 9, 22))
    assert len(twice.pauses) == 2
    assert reg.due_date_of(twice) == date(2025, 10, 10)


def test_a_pause_cannot_end_before_it_began(reg):
    request = reg.add_request("access", "a@example.com", date(2025, 9, 3))
    reg.pause(request.id, "which account?", date(2025, 9, 10))
    with pytest.raises(
        RegisterError, match=r"^resumed \(9 Sep 2025\) is before the pause \(10 Sep 2025\)$"
    ):
        reg.resume(request.id, date(2025, 9, 9))


def test_an_extension_gives_three_months_if_told_within_the_first(reg):
    request = reg.add_request("access", "a@example.com", date(2025, 1, 31))
    extended = reg.extend(
        request.id,
        "complex: five years of tickets",
        told_on=date(2025, 2, 20),
        decided_on=date(2025, 2, 18),
    )
    assert extended.status == "extended"
    assert reg.due_date_of(extended) == date(2025, 4, 30)
    with pytest.raises(
        RegisterError, match=rf"^request {request.id} was already extended on 18 Feb 2025$"
    ):
        reg.extend(request.id, "again", decided_on=date(2025, 2, 21))
    late = reg.add_request("access", "b@example.com", date(2025, 1, 31))
    with pytest.raises(
        RegisterError, match=rf"within the first month: request {late.id} was due 28 Feb 2025$"
    ):
        reg.extend(late.id, "complex", told_on=date(2025, 3, 3), decided_on=date(2025, 2, 27))
    assert not reg.get_request(late.id).extended


def test_closing_and_refusing(reg):
    request = reg.add_request("access", "a@example.com", date(2026, 1, 5))
    closed = reg.close_request(request.id, "package sent", date(2026, 1, 20))
    assert (closed.status, closed.closed_on, closed.outcome) == (
        "closed",
        date(2026, 1, 20),
        "package sent",
    )
    with pytest.raises(RegisterError, match="already closed"):
        reg.pause(request.id, "late question")
    other = reg.add_request("erasure", "b@example.com", date(2026, 1, 5))
    refused = reg.close_request(other.id, "manifestly unfounded", date(2026, 1, 6), refused=True)
    assert refused.status == "refused"
    assert [r.id for r in reg.list_requests("refused")] == [other.id]
    with pytest.raises(InputError, match="status"):
        reg.list_requests("done")
    with pytest.raises(
        RegisterError, match=r"^closed \(4 Jan 2026\) is before received \(5 Jan 2026\)$"
    ):
        reg.close_request(
            reg.add_request("access", "c@example.com", date(2026, 1, 5)).id, "x", date(2026, 1, 4)
        )


def test_open_requests_are_listed_overdue_first(reg):
    late = reg.add_request("access", "a@example.com", date(2026, 1, 5))
    soon = reg.add_request("erasure", "b@example.com", date(2026, 2, 20))
    later = reg.add_request("access", "c@example.com", date(2026, 2, 25))
    very_late = reg.add_request("access", "d@example.com", date(2025, 12, 1))
    done = reg.add_request("access", "e@example.com", date(2025, 11, 1))
    reg.close_request(done.id, "sent", date(2025, 11, 20))
    table = reg.open_requests_with_deadlines(today=date(2026, 3, 10))
    assert list(table.columns) == [
        "id",
        "kind",
        "received_on",
        "due_on",
        "days_left",
        "status",
        "overdue",
    ]
    assert list(table["id"]) == [very_late.id, late.id, soon.id, later.id]
    assert list(table["overdue"]) == [True, True, False, False]
    assert table.loc[1, "due_on"] == date(2026, 2, 5)
    assert table.loc[1, "days_left"] == -33
    assert table.loc[2, "days_left"] == 10  # due Friday 20 March


def test_open_requests_table_is_typed_when_empty(reg):
    table = reg.open_requests_with_deadlines(today=date(2026, 3, 10))
    assert table.empty and table["overdue"].dtype == bool


def test_requests_about_a_person_match_case_insensitively(reg):
    first = reg.add_request("access", ["ann@example.com", "ann@work.example"], date(2026, 1, 5))
    reg.add_request("access", "someone@example.com", date(2026, 1, 6))
    second = reg.add_request("erasure", "ANN@work.example", date(2026, 2, 1), separate=True)
    assert [r.id for r in reg.requests_about("Ann@Work.Example")] == [first.id, second.id]
    assert [r.id for r in reg.requests_about("ann@example.com")] == [first.id]
    assert reg.requests_about("nobody@example.com") == []


def test_the_request_export_neutralises_formulas_and_is_private(reg, tmp_path):
    request = reg.add_request("access", "a@example.com", date(2026, 1, 5), notes="=HYPERLINK(1)")
    reg.pause(request.id, "+44 phone?", date(2026, 1, 6))
    out = reg.export_requests_csv(tmp_path / "out" / "requests.csv")
    assert mode(out) == 0o600
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    row = frame.iloc[0]
    assert row["notes"] == "'=HYPERLINK(1)"
    assert row["pauses"].startswith("2026-01-06 to awaiting answer")
    assert row["subjects"] == "a@example.com"
    assert row["status"] == "paused"


# -- holds and law enforcement ---------------------------------------------------------


def test_holds_and_open_law_enforcement_requests_block_erasure(reg):
    assert reg.active_holds_for("ann@example.com") == []
    hold = reg.place_hold("Ann@Example.com", "county court claim", "Ann Smith", date(2026, 2, 1))
    le_id = reg.add_law_enforcement(
        "Metropolitan Police Service",
        True,
        "production order",
        "tickets from January",
        ["ann@example.com", "bob@example.com"],
        date(2026, 2, 3),
        reference="MPS/123",
    )
    holds = reg.active_holds_for("ANN@example.com")
    assert [(h["source"], h["id"]) for h in holds] == [("hold", hold), ("law-enforcement", le_id)]
    assert [h["source"] for h in reg.active_holds_for("bob@example.com")] == ["law-enforcement"]
    reg.lift_hold(hold, "Ann Smith", date(2026, 3, 1))
    with pytest.raises(RegisterError, match=rf"^hold {hold} was already lifted on 1 Mar 2026$"):
        reg.lift_hold(hold, "Ann Smith")
    with pytest.raises(RegisterError, match="before closing"):
        reg.close_law_enforcement(le_id)
    reg.decide_law_enforcement(le_id, "refused", decided_on=date(2026, 2, 10))
    reg.close_law_enforcement(le_id, date(2026, 2, 11))
    assert reg.active_holds_for("ann@example.com") == []
    table = reg.holds()
    assert list(table["active"]) == [False]
    assert table.loc[0, "lifted_on"] == date(2026, 3, 1)


def test_law_enforcement_round_trip_and_transparency_table(reg):
    a = reg.add_law_enforcement("Met Police", True, "warrant", "account data", [], date(2025, 5, 1))
    b = reg.add_law_enforcement(
        "Police Scotland", True, "production order", "tickets", ["x@example.com"], date(2025, 7, 1)
    )
    c = reg.add_law_enforcement("FBI", False, "letter", "everything", [], date(2025, 8, 1))
    d = reg.add_law_enforcement("Met Police", True, "warrant", "tickets", [], date(2026, 1, 9))
    reg.decide_law_enforcement(a, "disclosed", "one ticket", date(2025, 5, 5))
    reg.record_user_told(a, told_on=date(2025, 5, 6))
    reg.decide_law_enforcement(b, "partial", "names only", date(2025, 7, 2))
    reg.record_user_told(b, not_told_basis="DPA 2018 Sch. 2 para 2: would prejudice detection")
    reg.decide_law_enforcement(c, "refused", decided_on=date(2025, 8, 2))
    with pytest.raises(InputError, match="say what was disclosed"):
        reg.decide_law_enforcement(d, "disclosed")
    with pytest.raises(InputError, match="either"):
        reg.record_user_told(d)
    with pytest.raises(InputError, match="decision"):
        reg.decide_law_enforcement(d, "maybe")
    table = reg.law_enforcement_requests()
    assert list(table["id"]) == [a, b, c, d]
    assert list(table["uk"]) == [True, True, False, True]
    assert table.loc[1, "subjects"] == "x@example.com"
    transparency = reg.transparency_table().set_index("year")
    assert transparency.loc[2025].to_dict() == {
        "received": 3,
        "from_uk": 2,
        "disclosed": 1,
        "partly_disclosed": 1,
        "refused": 1,
        "undecided": 0,
        "users_told": 1,
        "not_told": 1,
    }
    assert transparency.loc[2026, "received"] == 1
    assert transparency.loc[2026, "undecided"] == 1
    with pytest.raises(RegisterError, match="no law-enforcement request LE-2020-0001"):
        reg.close_law_enforcement("LE-2020-0001")


def test_transparency_table_is_empty_without_requests(reg):
    table = reg.transparency_table()
    assert table.empty and "users_told" in table.columns


# -- erasure register ------------------------------------------------------------------


def _erased(reg, *emails, notes=None):
    request = reg.add_request("erasure", list(emails), date(2026, 2, 2), notes=notes, separate=True)
    erasure_id = reg.record_erasure(
        request.id,
        outcome="completed",
        started_at=datetime(2026, 2, 10, 9, 0),
        finished_at="2026-02-10T09:04:00+00:00",
        task_ids=[41],
        ticket_numbers=["31001", "31002"],
        verified=True,
        kept=[{"what": f"articles written by {emails[0]} on others' tickets", "why": "Zammad"}],
    )
    return request, erasure_id


def test_erasure_entries_round_trip_without_the_email(reg):
    request, erasure_id = _erased(reg, "gone@example.com")
    assert erasure_id == "E-2026-0001"
    row = reg.erasures().iloc[0]
    assert row["request_id"] == request.id
    assert row["subject_hash"] == reg.hash("gone@example.com")
    assert row["task_ids"] == ["41"]
    assert row["ticket_numbers"] == ["31001", "31002"]
    assert bool(row["verified"])
    assert row["kept"][0]["what"] == "articles written by [erased] on others' tickets"
    assert row["started_at"] == "2026-02-10T09:00:00+00:00"
    assert reg.hash("gone@example.com") in reg.erased_hashes()


def test_the_erasure_register_is_append_only(reg):
    _erased(reg, "gone@example.com")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        reg.conn.execute("UPDATE erasures SET outcome = 'failed'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        reg.conn.execute("DELETE FROM erasures")
    assert reg.erasures().loc[0, "outcome"] == "completed"


def test_a_failed_erasure_needs_its_reason_and_does_not_count_as_erased(reg):
    request = reg.add_request("erasure", "kept@example.com", date(2026, 2, 2))
    with pytest.raises(InputError, match="reason"):
        reg.record_erasure(request.id, outcome="failed", started_at=datetime(2026, 2, 3))
    reg.record_erasure(
        request.id,
        outcome="failed",
        started_at=datetime(2026, 2, 3),
        reason="task failed: foreign key error",
    )
    assert reg.erased_hashes() == set()
    with pytest.raises(RegisterError, match="no completed erasure"):
        reg.forget_subject_email(request.id)
    with pytest.raises(RegisterError, match="no request"):
        reg.record_erasure("R-2026-0999", outcome="completed", started_at=datetime(2026, 2, 3))


def test_forgetting_removes_the_address_from_every_register_and_the_file(reg, data_dir):
    email = "gone.person@example.com"
    reg.place_hold(email, "claim settled", "Ann")
    le_id = reg.add_law_enforcement(
        "Met", True, "warrant", f"mail of {email}", [email], date(2026, 1, 2)
    )
    reg.add_consent(email, date(2025, 1, 1), "v1")
    reg.add_suppression(email, "erasure request")
    reg.add_complaint(f"complaint from {email.upper()}", date(2026, 1, 3), email=email)
    earlier = reg.add_request("access", email, date(2025, 6, 1))
    request, _ = _erased(reg, email, "second@example.com", notes=f"phoned, confirmed {email}")

    changed = reg.forget_subject_email(request.id)
    assert changed >= 8
    assert email.encode() not in (data_dir / "registers.sqlite").read_bytes()
    assert b"second@example.com" not in (data_dir / "registers.sqlite").read_bytes()
    forgotten = reg.get_request(request.id)
    assert forgotten.emails == ()
    assert forgotten.subject_hash == reg.hash(email)
    assert forgotten.notes == "phoned, confirmed [erased]"
    # Still linked by keyed hash.
    assert [r.id for r in reg.requests_about(email)] == [earlier.id, request.id]
    assert reg.holds().loc[0, "subject"] == f"erased:{reg.hash(email)}"
    le = reg.law_enforcement_requests().set_index("id").loc[le_id]
    assert le["scope"] == "mail of [erased]"
    assert le["subjects"].startswith("erased:")
    assert reg.complaints().loc[0, "summary"] == "complaint from [erased]"
    assert reg.hash(email) in reg.suppressed_hashes()
    assert {reg.hash(email), reg.hash("second@example.com")} <= reg.erased_hashes()
    # Running it again is safe and changes nothing.
    assert reg.forget_subject_email(request.id) == 0
    # The trail recorded the forgetting and holds no address; nothing was changed outside.
    assert {(e.register, e.action) for e in reg.trail() if e.action == "forget address"} >= {
        ("requests", "forget address"),
        ("holds", "forget address"),
        ("law-enforcement", "forget address"),
        ("consents", "forget address"),
        ("complaints", "forget address"),
    }
    assert reg.verify_trail().ok


# -- consents, mailing list, suppressions ---------------------------------------------


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_the_mailing_list_import_records_members_and_opt_in_times(reg, tmp_path):
    export = write(
        tmp_path / "members.csv",
        "Email Address,First Name,OPTIN_TIME\n"
        "Ann@Example.com,Ann,2025-03-01 10:15:00\n"
        "bob@example.com,Bob,\n"
        "ann@example.com,Ann again,2025-03-01 10:15:00\n"
        ",nobody,\n",
    )
    result = reg.import_mailing_list(export)
    assert (result.members, result.consents_added) == (2, 1)
    assert reg.mailing_list_emails() == ["ann@example.com", "bob@example.com"]
    consents = reg.consents()
    assert list(consents["subject"]) == ["ann@example.com"]
    assert consents.loc[0, "consented_at"] == "2025-03-01T10:15:00+00:00"
    # Importing again adds no duplicate consent.
    assert reg.import_mailing_list(export).consents_added == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,phone\nAnn,0123\n", "no email column"),
        ("email\nann@example.com\nnot an address\n", "line 3: 'not an address' is not an email"),
        ("email,optin_time\nann@example.com,yesterday\n", "line 2: 'yesterday' is not a time"),
        ("", "the file is empty"),
    ],
)
def test_a_malformed_mailing_list_is_one_line_and_writes_nothing(reg, tmp_path, content, message):
    reg.import_mailing_list(write(tmp_path / "good.csv", "email\nkeep@example.com\n"))
    bad = write(tmp_path / "bad.csv", content)
    with pytest.raises(InputError, match=message) as caught:
        reg.import_mailing_list(bad)
    assert "\n" not in str(caught.value)
    assert str(bad) in str(caught.value)
    assert reg.mailing_list_emails() == ["keep@example.com"]


def test_a_mailing_list_that_is_not_utf8_or_missing(reg, tmp_path):
    latin = write(tmp_path / "latin.csv", "email,name\nann@example.com,Zoë\n", "latin-1")
    with pytest.raises(InputError, match="not a UTF-8 CSV"):
        read_mailing_list(latin)
    with pytest.raises(InputError, match="no such file"):
        read_mailing_list(tmp_path / "absent.csv")


def test_the_consent_audit_finds_every_problem(reg):
    reg.add_consent("live@example.com", datetime(2025, 1, 1, 9, 0), "v2")
    reg.add_consent("gone@example.com", date(2025, 1, 1), "v2")
    reg.add_consent("withdrawn@example.com", date(2025, 1, 1), "v1")
    reg.withdraw_consent("withdrawn@example.com", date(2025, 6, 1))
    reg.add_consent("sms-only@example.com", date(2025, 1, 1), "v1", channel="sms")
    reg.add_consent("again@example.com", date(2024, 1, 1), "v1")
    reg.withdraw_consent("again@example.com", date(2024, 6, 1))
    reg.add_consent("again@example.com", date(2025, 2, 1), "v2")
    reg.add_consent("objected@example.com", date(2025, 1, 1), "v2")
    reg.add_suppression("objected@example.com", "objected to marketing")
    with pytest.raises(RegisterError, match="no live email consent"):
        reg.withdraw_consent("withdrawn@example.com")
    mailing_list = [
        "live@example.com",
        "LIVE@example.com",
        "gone@example.com",
        "withdrawn@example.com",
        "sms-only@example.com",
        "stranger@example.com",
        "again@example.com",
        "objected@example.com",
    ]
    problems = reg.consent_audit(mailing_list, {reg.hash("gone@example.com")})
    assert list(problems.columns) == ["email", "problem", "detail"]
    found = set(zip(problems["email"], problems["problem"], strict=True))
    details = dict(zip(problems["email"], problems["detail"], strict=True))
    assert details["withdrawn@example.com"] == "consent withdrawn 1 Jun 2025"
    assert found == {
        ("gone@example.com", "erased"),
        ("withdrawn@example.com", "withdrawn"),
        ("sms-only@example.com", "no opt-in"),
        ("stranger@example.com", "no opt-in"),
        ("objected@example.com", "suppressed"),
    }
    assert reg.consent_audit(["live@example.com", "again@example.com"], set()).empty


def test_the_consent_audit_defaults_to_the_imported_list_and_erasure_register(reg, tmp_path):
    reg.import_mailing_list(write(tmp_path / "m.csv", "email\nann@example.com\n"))
    reg.add_consent("ann@example.com", date(2025, 1, 1), "v1")
    assert reg.consent_audit().empty
    request = reg.add_request("erasure", "ann@example.com", date(2026, 1, 5))
    reg.record_erasure(request.id, outcome="completed", started_at=datetime(2026, 1, 6))
    assert list(reg.consent_audit()["problem"]) == ["erased"]


def test_suppression_is_idempotent(reg):
    first = reg.add_suppression("x@example.com", "objection")
    assert reg.add_suppression("X@example.com") == first
    assert len(reg.suppressions()) == 1


# -- complaints, breaches, attestations -----------------------------------------------


def test_complaints_track_the_30_day_acknowledgement(reg):
    on_time = reg.add_complaint("slow SAR", date(2026, 9, 1), email="c@example.com")
    late = reg.add_complaint("=cmd|' /C calc'!A0", date(2026, 9, 1))
    waiting = reg.add_complaint("no answer", date(2026, 9, 20))
    assert reg.acknowledge_complaint(on_time, date(2026, 10, 1)) is True
    assert reg.acknowledge_complaint(late, date(2026, 10, 2)) is False
    with pytest.raises(RegisterError, match=rf"^complaint {late} was acknowledged on 2 Oct 2026$"):
        reg.acknowledge_complaint(late, date(2026, 10, 3))
    with pytest.raises(RegisterError, match=r"^acknowledged \(31 Aug 2026\) is before received"):
        reg.acknowledge_complaint(waiting, date(2026, 8, 31))
    reg.close_complaint(on_time, "apologised; package re-sent", date(2026, 10, 15))
    with pytest.raises(RegisterError, match=rf"^complaint {on_time} was closed on 15 Oct 2026$"):
        reg.close_complaint(on_time, "again", date(2026, 10, 16))
    table = reg.complaints(today=date(2026, 10, 25)).set_index("id")
    assert table.loc[on_time, "ack_due_on"] == date(2026, 10, 1)
    assert not table.loc[on_time, "ack_late"]
    assert table.loc[late, "ack_late"]
    assert table.loc[waiting, "ack_late"]  # due 20 Oct, not acknowledged by the 25th
    assert table.loc[on_time, "status"] == "closed"
    assert table.loc[on_time, "subject"] == "c@example.com"


def test_breaches_keep_the_72_hour_clock(reg):
    reported = reg.add_breach(datetime(2026, 3, 27, 10, 0), "laptop lost", people_affected=12)
    late = reg.add_breach(datetime(2026, 4, 1, 9, 0, tzinfo=UK_TIME), "misdirected email", 1)
    unreported = reg.add_breach(datetime(2026, 4, 2, 9, 0), "encrypted USB stick lost", 40)
    pending = reg.add_breach(datetime(2026, 4, 3, 9, 0), "wrong attachment", 1)
    assert reg.report_breach(reported, datetime(2026, 3, 30, 10, 59), "ICO/1") is True
    assert reg.report_breach(late, datetime(2026, 4, 4, 9, 1)) is False
    reg.record_breach_not_reported(unreported, "encrypted: unlikely to result in a risk")
    with pytest.raises(RegisterError, match="already has its reporting decision"):
        reg.record_breach_not_reported(reported, "changed mind")
    # times in messages are UK time, written the UK way (BST from 29 Mar 2026)
    with pytest.raises(
        RegisterError,
        match=r"^reported at 3 Apr 2026 08:00 is before it was found \(3 Apr 2026 09:00\)$",
    ):
        reg.report_breach(pending, datetime(2026, 4, 3, 7, 0, tzinfo=UTC))
    with pytest.raises(InputError, match=r"^found at \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d is"):
        reg.add_breach(datetime.now(UK_TIME) + timedelta(days=2), "not yet")
    with pytest.raises(InputError, match="negative"):
        reg.add_breach(datetime(2026, 4, 3, 9, 0), "x", -1)
    table = reg.breaches(now=datetime(2026, 4, 7, 12, 0, tzinfo=UK_TIME)).set_index("id")
    assert table.loc[reported, "report_due_at"] == datetime(2026, 3, 30, 11, 0, tzinfo=UK_TIME)
    assert table.loc[reported, "status"] == "reported"
    assert not table.loc[reported, "reported_late"]
    assert table.loc[late, "reported_late"]
    assert table.loc[unreported, "status"] == "not reported (reason recorded)"
    assert table.loc[pending, "status"] == "decision overdue"
    assert table.loc[reported, "people_affected"] == 12


def test_attestations_expire_and_are_superseded_not_edited(reg):
    assert reg.current_attestation("no-access-logs") is None
    first = reg.attest("no-access-logs", "We keep no access logs.", "Ann", date(2025, 1, 10))
    assert first.expires_on == date(2026, 1, 10)
    assert reg.current_attestation("no-access-logs", date(2025, 6, 1)) == first
    assert reg.current_attestation("no-access-logs", date(2026, 1, 10)) is None
    second = reg.attest(
        "no-access-logs", "We keep no access logs.", "Bob", date(2025, 12, 1), date(2026, 6, 1)
    )
    assert reg.current_attestation("no-access-logs", date(2026, 1, 2)).attested_by == "Bob"
    table = reg.attestations(on=date(2026, 1, 2))
    assert list(table["current"]) == [False, True]
    assert second.id != first.id
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        reg.conn.execute("UPDATE attestations SET attested_by = 'Eve'")
    with pytest.raises(InputError, match="expires on"):
        reg.attest("k", "t", "Ann", date(2026, 1, 1), date(2026, 1, 1))


def test_every_register_exports_safe_private_csv(reg, tmp_path):
    reg.add_complaint("@SUM(1+1)", date(2026, 1, 5))
    reg.add_law_enforcement("-Authority", True, "warrant", "+scope", [], date(2026, 1, 5))
    for name in reg.TABLES:
        out = reg.export_csv(name, tmp_path / f"{name}.csv")
        assert mode(out) == 0o600
    assert "'@SUM(1+1)" in (tmp_path / "complaints.csv").read_text()
    le = (tmp_path / "law-enforcement.csv").read_text()
    assert "'-Authority" in le and "'+scope" in le
    with pytest.raises(InputError, match="no register named"):
        reg.table("parking-fines")


# -- the notice list --------------------------------------------------------------------


def users_table(rows):
    columns = ["id", "login", "email", "firstname", "lastname", "active"]
    return pd.DataFrame(rows, columns=columns)


def test_the_notice_list_leaves_out_erased_suppressed_and_inactive_users(reg):
    users = users_table(
        [
            (1, "ann", "Ann@Example.com", "Ann", "Archer", True),
            (2, "ann2", "ann@example.com ", "Ann", "Archer", True),
            (3, "old", "old@example.com", "Old", "Account", False),
            (4, "noemail", None, "No", "Email", True),
            (5, "blank", "  ", "Blank", "Email", True),
            (6, "gone", "gone@example.com", "Gone", "Person", True),
            (7, "quiet", "quiet@example.com", "Quiet", "Person", True),
            (8, "unsub", "unsub@example.com", "=Unsub", "Scribed", True),
            (9, "na", "na@example.com", "Unknown", "Active", None),
        ]
    )
    request = reg.add_request("erasure", "gone@example.com", date(2026, 1, 5))
    reg.record_erasure(request.id, outcome="completed", started_at=datetime(2026, 1, 6))
    reg.add_suppression("QUIET@example.com", "objection")
    reg.add_consent("unsub@example.com", date(2025, 1, 1), "v1")
    reg.withdraw_consent("unsub@example.com", date(2025, 2, 1))

    notice = reg.contactable_users(users)
    assert list(notice.columns) == ["email", "firstname", "lastname", "user_ids"]
    assert list(notice["email"]) == ["ann@example.com", "unsub@example.com"]
    assert notice.loc[0, "user_ids"] == "1; 2"


def test_notice_selection_works_on_a_hand_made_frame_with_text_flags():
    users = users_table(
        [(1, "a", "a@example.com", "A", "", "true"), (2, "b", "b@example.com", "B", "", "false")]
    )
    chosen = select_contactable(users, lambda email: email, {"nobody"})
    assert list(chosen["email"]) == ["a@example.com"]
    with pytest.raises(ValueError, match="active"):
        select_contactable(users.drop(columns="active"), str, set())
