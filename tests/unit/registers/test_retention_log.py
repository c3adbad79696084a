"""The retention log register: runs, actions (append-only), approvals, read-only reading."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pandas as pd
import pytest

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.retention_log import read_retention_log, read_schedule_approvals


@pytest.fixture
def registers(tmp_path):
    with open_registers(tmp_path / "registers.sqlite") as opened:
        yield opened


def test_a_run_logs_each_action_once_and_the_log_cannot_be_changed(registers):
    run_id = registers.start_retention_run(
        "2026-11", schedule_version="v1", schedule_digest="abc", planned=2, zammad_url="https://d"
    )
    assert run_id.startswith("RR-") and run_id.endswith("-0001")
    registers.record_retention_action(
        run_id, target="ticket", zammad_id=5, ticket_number="31005", rule="Spam",
        action="delete", outcome="done", task_id=12, verified=True,
    )  # fmt: skip
    registers.record_retention_action(
        run_id, target="account", zammad_id=40, rule="Zammad user accounts", action="delete",
        outcome="failed", reason="ERROR: foreign key", task_id=13,
    )  # fmt: skip
    registers.finish_retention_run(run_id)
    log = registers.retention_log("2026-11")
    assert list(log["outcome"]) == ["done", "failed"]
    assert log.iloc[0]["verified"] and not log.iloc[1]["verified"]
    assert pd.isna(log.iloc[1]["ticket_number"]) and log.iloc[1]["task_id"] == 13
    assert registers.retention_log("2026-10").empty
    runs = registers.retention_runs()
    assert runs.iloc[0]["finished_at"] and runs.iloc[0]["planned"] == 2
    with pytest.raises(RegisterError, match="no unfinished retention run"):
        registers.finish_retention_run(run_id)
    for sql in ("UPDATE retention_log SET outcome = 'done'", "DELETE FROM retention_log"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            registers.conn.execute(sql)
    assert registers.start_retention_run(
        "2026-11", schedule_version="v1", schedule_digest="abc", planned=0
    ).endswith("-0002")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": "organisation"}, "target: 'organisation'"),
        ({"action": "shred"}, "action: 'shred'"),
        ({"outcome": "maybe"}, "outcome: 'maybe'"),
        ({"outcome": "failed"}, "needs its reason"),
        ({"outcome": "skipped", "reason": " "}, "needs its reason"),
    ],
)
def test_a_bad_action_is_refused(registers, fields, message):
    run_id = registers.start_retention_run(
        "2026-11", schedule_version="v", schedule_digest="d", planned=1
    )
    entry = {"target": "ticket", "zammad_id": 1, "rule": "R", "action": "delete", "outcome": "done"}
    with pytest.raises(InputError, match=message):
        registers.record_retention_action(run_id, **{**entry, **fields})
    with pytest.raises(RegisterError, match="no retention run RR-1999-0001"):
        registers.record_retention_action("RR-1999-0001", **entry)
    with pytest.raises(InputError, match="not like 2026-11"):
        registers.start_retention_run("Nov", schedule_version="v", schedule_digest="d", planned=1)


def test_approvals_are_kept_and_read_without_touching_the_file(tmp_path, registers):
    missing = tmp_path / "elsewhere" / "registers.sqlite"
    assert read_schedule_approvals(missing) == [] and not missing.exists()
    assert read_retention_log(missing).empty
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    registers.record_schedule_approval(
        "Jo Bloggs", schedule_version="v1", schedule_digest="abc", source="retention.yml",
        approved_at=when,
    )  # fmt: skip
    rows = read_schedule_approvals(registers.path)
    assert [(r["approved_by"], r["approved_at"]) for r in rows] == [
        ("Jo Bloggs", "2026-12-01T09:00:00+00:00")
    ]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        registers.conn.execute("DELETE FROM retention_approvals")
    # A registers file from before the retention log has no approvals, and is not changed.
    old = tmp_path / "old.sqlite"
    sqlite3.connect(old).close()
    assert read_schedule_approvals(old) == []
