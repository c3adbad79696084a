"""Steps of an erasure: the record, the tool's steps and staff's, reruns that forget nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mimoto_gov.erasure.model import (
    BY_HAND,
    DONE,
    FAILED,
    NOT_NEEDED,
    NOTHING,
    OWNER_SUPPORT,
    OWNER_TOOL,
    TO_DELETE,
    VERIFIED,
    ChecklistLine,
)
from mimoto_gov.erasure.steps import (
    lines_for_register,
    load_steps,
    merge_earlier,
    open_erasure_steps,
    record_step,
    record_tool_steps,
)
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers import open_registers


def step(key, state, owner=OWNER_SUPPORT, items=()):
    return ChecklistLine(key, key.title(), "held", "act", owner, state, items=tuple(items))


LINES = [
    step("zammad-users", VERIFIED, OWNER_TOOL, ["user #10"]),
    step("mailboxes", BY_HAND),
    step("local-snapshot", TO_DELETE, OWNER_TOOL),
    step("gauges", NOTHING),
]


@pytest.fixture
def registers(tmp_path):
    with open_registers(tmp_path / "data" / "registers.sqlite") as registers:
        yield registers


def executed(registers, outcome="completed", lines=LINES):
    request = registers.add_request("erasure", ["ann@example.com"], date(2026, 3, 1))
    registers.record_erasure(
        request.id, outcome=outcome, started_at=datetime(2026, 3, 2, tzinfo=UTC),
        reason=None if outcome == "completed" else "timed out", steps=lines_for_register(lines),
    )  # fmt: skip
    return request.id


def test_an_erasure_is_complete_only_when_no_step_is_open(registers):
    request_id = executed(registers)
    steps = load_steps(registers, request_id)
    assert steps.erased and not steps.complete
    assert [s.key for s in steps.open_steps] == ["mailboxes", "local-snapshot"]
    with pytest.raises(InputError, match="done by `mimoto-gov erase`"):
        record_step(registers, request_id, "local-snapshot", by="Ann")
    with pytest.raises(InputError, match="no step 'inbox'.*mailboxes"):
        record_step(registers, request_id, "inbox", by="Ann")
    with pytest.raises(InputError, match="--not-needed, or"):
        record_step(registers, request_id, "mailboxes", by="Ann", note="x", not_needed="y")
    record_tool_steps(registers, request_id, {"local-snapshot": "3 files purged"})
    steps = record_step(registers, request_id, "Mailboxes", by="Ann", not_needed="no mailbox")
    assert steps.complete
    mailboxes = steps.step("mailboxes")
    assert mailboxes.line.state == NOT_NEEDED and mailboxes.line.why == "no mailbox"
    assert steps.step("local-snapshot").line.state == DONE
    assert steps.step("local-snapshot").done_by == OWNER_TOOL
    with pytest.raises(RegisterError, match="already not needed by Ann"):
        record_step(registers, request_id, "mailboxes", by="Ann")


def test_open_steps_come_with_their_requests_due_date(registers):
    request_id = executed(registers)
    registers.add_request("erasure", ["bob@example.com"], date(2026, 3, 1))  # never attempted
    steps = open_erasure_steps(registers, today=date(2026, 4, 2))
    assert list(steps["step"]) == ["mailboxes", "local-snapshot"]
    assert set(steps["request_id"]) == {request_id}
    assert set(steps["due_on"]) == {date(2026, 4, 1)} and steps["overdue"].all()
    assert not load_steps(registers, request_id).erased or True


def test_steps_cannot_be_recorded_before_any_attempt(registers):
    request = registers.add_request("erasure", ["ann@example.com"])
    with pytest.raises(RegisterError, match="no erasure yet"):
        record_step(registers, request.id, "mailboxes", by="Ann")


def test_a_rerun_keeps_what_an_earlier_attempt_saw():
    earlier = [
        step("zammad-users", FAILED, OWNER_TOOL, ["user #10"]),
        step("zammad-tickets", FAILED, OWNER_TOOL, ["ticket #1", "ticket #2"]),
        step("organization-3", FAILED, OWNER_TOOL, ["ticket #9"]),
        step("mailboxes", BY_HAND),
    ]
    fresh = [
        step("zammad-users", NOTHING, OWNER_TOOL),
        step("zammad-tickets", TO_DELETE, OWNER_TOOL, ["ticket #2", "ticket #3"]),
        step("mailboxes", BY_HAND),
        step("local-snapshot", TO_DELETE, OWNER_TOOL),
    ]
    merged = {x.key: x for x in merge_earlier(fresh, earlier)}
    assert [x.key for x in merge_earlier(fresh, earlier)] == [
        "zammad-users", "zammad-tickets", "organization-3", "mailboxes", "local-snapshot",
    ]  # fmt: skip
    assert merged["zammad-users"].items == ("user #10",)
    assert merged["zammad-users"].state == TO_DELETE  # tried again
    assert merged["zammad-tickets"].items == ("ticket #1", "ticket #2", "ticket #3")
    assert merged["organization-3"].state == TO_DELETE
    assert merge_earlier(fresh, []) == fresh
