"""The erasure record as evidence: no rewrite, the key kept apart, steps, decisions, tasks."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date, timedelta

import pytest

from mimoto_gov.errors import ConfigError, InputError, RegisterError
from mimoto_gov.registers import keyed_hash, open_registers

STARTED = "2026-03-02T10:00:00+00:00"
ROW = (
    "INTO erasures (id, request_id, subject_hash, task_ids, ticket_numbers, started_at,"
    " outcome, verified, kept, recorded_at) VALUES (?, ?, 'forged', '[]', '[]', ?, 'failed', 0,"
    " '[]', ?)"
)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def recorded(data_dir):
    with open_registers(data_dir / "registers.sqlite") as registers:
        request = registers.add_request("erasure", ["gone@example.com"], date(2026, 3, 1))
        erasure_id = registers.record_erasure(
            request.id,
            outcome="completed",
            started_at=STARTED,
            verified=True,
            user_ids=[39],
            checks=["user #39 read back: 404"],
            steps=[
                {
                    "step": "mailboxes",
                    "place": "Support mailboxes",
                    "held": "messages",
                    "action": "search for gone@example.com and delete",
                    "owner": "Support lead",
                    "state": "to do by hand",
                    "why": "",
                    "items": ["asked by gone@example.com"],
                }
            ],
        )
        yield registers, request, erasure_id


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE", "INSERT OR IGNORE", "INSERT"])
def test_a_recorded_erasure_cannot_be_written_over(recorded, verb):
    registers, request, erasure_id = recorded
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        registers.conn.execute(f"{verb} {ROW}", (erasure_id, request.id, STARTED, STARTED))
    entries = registers.erasures()
    assert list(entries["id"]) == [erasure_id]
    assert entries.iloc[0]["outcome"] == "completed" and entries.iloc[0]["verified"]
    for sql in (
        "UPDATE erasures SET outcome = 'failed'",
        "DELETE FROM erasures",
        "UPDATE erasure_steps SET state = 'done'",
        "DELETE FROM erasure_steps",
        f"INSERT OR REPLACE INTO erasure_steps SELECT erasure_id, position, step, place, held,"
        f" action, owner, 'done', why, items FROM erasure_steps WHERE erasure_id = '{erasure_id}'",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            registers.conn.execute(sql)


def test_steps_decisions_and_tasks_are_append_only_too(recorded):
    registers, request, _ = recorded
    record = registers.record_erasure_step(request.id, "mailboxes", outcome="done", by="Ann")
    decision = registers.record_keep_decision(
        request.id, "ticket-31046", decision="erase", by="Ann"
    )
    assert registers.record_erasure_task(request.id, 7, 39)
    assert not registers.record_erasure_task(request.id, 7, 39)  # once only
    for table, key in (
        ("erasure_step_records", record),
        ("erasure_keep_decisions", decision),
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            registers.conn.execute(f"UPDATE {table} SET recorded_at = 'x' WHERE id = ?", (key,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            registers.conn.execute(f"DELETE FROM {table} WHERE id = ?", (key,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            registers.conn.execute(
                f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE id = ?", (key,)
            )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        registers.conn.execute(
            "INSERT OR REPLACE INTO erasure_tasks VALUES (?, 7, 40, 0, 'x')", (request.id,)
        )
    assert list(registers.erasure_tasks(request.id)["user_id"]) == [39]


def test_the_entry_keeps_its_users_checks_and_lines_without_the_address(recorded):
    registers, request, erasure_id = recorded
    entry = registers.erasures().iloc[0]
    assert entry["user_ids"] == [39] and entry["checks"] == ["user #39 read back: 404"]
    (line,) = registers.erasure_step_lines(erasure_id)
    assert line["step"] == "mailboxes" and line["items"] == ["asked by [erased]"]
    assert line["action"] == "search for [erased] and delete"
    registers.forget_subject_email(request.id)
    # Typed later, when the register no longer holds the address: found by its keyed hash.
    registers.record_erasure_step(
        request.id, "mailboxes", outcome="done", by="Ann", note="deleted 3 from Gone@Example.com"
    )
    records = registers.erasure_step_records(request.id)
    assert records.iloc[-1]["note"] == "deleted 3 from [erased]"
    with sqlite3.connect(registers.path) as conn:
        assert "gone@example.com" not in "\n".join(conn.iterdump()).lower()


def test_a_step_record_says_who_when_and_what(recorded):
    registers, request, _ = recorded
    with pytest.raises(InputError, match="reason"):
        registers.record_erasure_step(request.id, "mailboxes", outcome="not needed", by="Ann")
    with pytest.raises(InputError, match="--by"):
        registers.record_erasure_step(request.id, "mailboxes", outcome="done", by=" ")
    with pytest.raises(InputError, match="future"):
        registers.record_erasure_step(
            request.id, "mailboxes", outcome="done", by="Ann", on=date.today() + timedelta(1)
        )
    with pytest.raises(RegisterError, match="before"):
        registers.record_erasure_step(
            request.id, "mailboxes", outcome="done", by="Ann", on=date(2026, 2, 1)
        )
    registers.record_erasure_step(
        request.id, "mailboxes", outcome="done", by="Ann", on=date(2026, 3, 3), note="3 deleted"
    )
    row = registers.erasure_step_records(request.id).iloc[-1]
    assert (row["done_by"], row["done_on"], row["note"]) == ("Ann", date(2026, 3, 3), "3 deleted")


def test_a_keep_decision_needs_a_reason_and_a_later_review_date(recorded):
    registers, request, _ = recorded
    with pytest.raises(InputError, match="reason"):
        registers.record_keep_decision(
            request.id, "ticket-1", decision="keep", by="Ann", review_on=date(2032, 1, 1)
        )
    with pytest.raises(InputError, match="review date"):
        registers.record_keep_decision(
            request.id, "ticket-1", decision="keep", by="Ann", reason="tax"
        )
    with pytest.raises(InputError, match="after"):
        registers.record_keep_decision(
            request.id, "ticket-1", decision="keep", by="Ann", reason="tax",
            review_on=date.today(),
        )  # fmt: skip
    registers.record_keep_decision(
        request.id, "TICKET-1", decision="keep", by="Ann", reason="tax", review_on=date(2032, 4, 6)
    )
    registers.record_keep_decision(request.id, "ticket-2", decision="erase", by="Bob")
    # A later decision on the same flag is the one in force; both stay recorded.
    registers.record_keep_decision(
        request.id,
        "ticket-2",
        decision="keep",
        by="Bob",
        reason="claim",
        review_on=date(2030, 1, 1),
    )
    decisions = registers.keep_decisions(request.id)
    assert dict(zip(decisions["flag"], decisions["decision"], strict=True)) == {
        "ticket-1": "keep",
        "ticket-2": "keep",
    }
    assert registers.conn.execute("SELECT COUNT(*) FROM erasure_keep_decisions").fetchone()[0] == 3


# -- the key ----------------------------------------------------------------------------


@pytest.fixture
def own_key(monkeypatch, tmp_path):
    """A key file of this test's own (the session shares one otherwise)."""
    key = tmp_path / "config" / "erasure.key"
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(key))
    return key


def test_no_key_file_is_written_under_the_data_folder(data_dir, own_key):
    with open_registers(data_dir / "registers.sqlite") as registers:
        registers.add_request("erasure", ["a@example.com"])
    assert not [p for p in data_dir.rglob("*") if "key" in p.name]
    key = own_key
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_the_default_key_lives_in_the_users_config_folder(monkeypatch, tmp_path, data_dir):
    monkeypatch.delenv("MIMOTO_GOV_KEY_FILE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    keyed_hash("a@example.com", data_dir)
    assert (tmp_path / "home" / ".config" / "mimoto-gov" / "erasure.key").is_file()


def test_a_missing_key_with_hashes_recorded_is_one_line_never_a_new_key(data_dir, own_key):
    with open_registers(data_dir / "registers.sqlite") as registers:
        registers.add_request("erasure", ["a@example.com"])
    key = own_key
    key.unlink()
    with (
        open_registers(data_dir / "registers.sqlite") as registers,
        pytest.raises(RegisterError) as error,
    ):
        registers.add_request("erasure", ["b@example.com"])
    assert "missing" in str(error.value) and "restore" in str(error.value)
    assert len(str(error.value).splitlines()) == 1
    assert not key.exists()
    with pytest.raises(RegisterError, match="missing"):
        keyed_hash("a@example.com", data_dir)


def test_a_key_left_in_the_data_folder_is_moved_out(data_dir, own_key):
    data_dir.mkdir()
    (data_dir / ".erasure-key").write_text("ab" * 32)
    first = keyed_hash("a@example.com", data_dir)
    assert not (data_dir / ".erasure-key").exists()
    assert own_key.read_text() == "ab" * 32
    assert keyed_hash("a@example.com", data_dir) == first


def test_a_key_file_inside_the_data_folder_is_refused(data_dir, monkeypatch):
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(data_dir / "secret" / "erasure.key"))
    with pytest.raises(ConfigError, match="outside the data folder"):
        keyed_hash("a@example.com", data_dir)
