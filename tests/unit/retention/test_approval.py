"""Approving the schedule: recorded once per exact content, lost when the content changes."""

from __future__ import annotations

import pytest

from mimoto_gov.registers import open_registers
from mimoto_gov.retention.approval import approve_schedule, load_approved_schedule
from tests.helpers.inprocess import run
from tests.helpers.retention import SCHEDULE, write_schedule


def test_approving_binds_the_approval_to_what_the_schedule_says(tmp_path):
    data = tmp_path / "data"
    (data / "policy").mkdir(parents=True)
    path = write_schedule(data / "policy")
    assert load_approved_schedule(data).status == "proposed"
    assert not (data / "registers.sqlite").exists()  # reading created nothing
    with open_registers(data / "registers.sqlite") as registers:
        schedule, recorded = approve_schedule(registers, "Jo Bloggs")
        assert recorded and schedule.approved and schedule.approval.approved_by == "Jo Bloggs"
        again, recorded = approve_schedule(registers, "Sam Other")
        assert not recorded and again.approval.approved_by == "Jo Bloggs"
        assert len(registers.schedule_approvals()) == 1
    assert load_approved_schedule(data).approved
    # A comment changes nothing; a period does.
    path.write_text("# reviewed again\n" + path.read_text())
    assert load_approved_schedule(data).approved
    path.write_text(SCHEDULE.replace("period: 3 years", "period: 2 years"))
    changed = load_approved_schedule(data)
    assert not changed.approved and changed.approved_on is None


def test_the_command_records_the_approval(tmp_path, capsys, data_dir):
    code, out, _ = run(capsys, "retention", "approve", "--by", "Jo Bloggs")
    assert code == 0 and "Approved retention schedule" in out and "by Jo Bloggs" in out
    code, out, _ = run(capsys, "retention", "approve", "--by", "Jo Bloggs")
    assert code == 0 and "already approved by Jo Bloggs" in out
    with pytest.raises(SystemExit) as usage:
        run(capsys, "retention", "approve")
    err = capsys.readouterr().err
    assert usage.value.code == 2 and "--by" in err and err.count("\n") == 1
    code, out, err = run(capsys, "retention", "log")
    assert code == 0 and "no retention actions recorded" in out
    code, out, err = run(capsys, "retention", "apply", "--month", "2026-13")
    assert code == 2 and "not a month like" in err and err.count("\n") == 1
    code, out, err = run(capsys, "retention", "apply")
    assert code != 0 and "pull" in err and err.count("\n") == 1  # no snapshot yet
