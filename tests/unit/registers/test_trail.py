"""The trail: one chained event per change, verification against the rows, honest dates."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers import db as registers_db
from mimoto_gov.registers import open_registers, provenance
from mimoto_gov.registers.trail import TRACKED, record_state, state_digest


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "registers.sqlite"


@pytest.fixture
def reg(path):
    registers = open_registers(path, who=provenance("Ann Lead", "tests"))
    yield registers
    registers.close()


def raw(path):
    """A plain sqlite3 connection, as someone editing the file by hand would use."""
    return sqlite3.connect(path, isolation_level=None)


def test_every_change_is_an_event_with_actor_claimed_date_and_chain(reg):
    request = reg.add_request("access", "a@example.com", date.today() - timedelta(days=3))
    reg.pause(request.id, "which account?")
    reg.resume(request.id)
    reg.close_request(request.id, "answered", detail="package sent")
    events = reg.trail(request.id)
    assert [e.action for e in events] == ["add", "pause", "resume", "close (answered)"]
    assert {e.actor for e in events} == {"Ann Lead"}
    assert {e.command for e in events} == {"tests"}
    assert events[0].claimed_on == (date.today() - timedelta(days=3)).isoformat()
    assert datetime.fromisoformat(events[0].typed_at).date() <= date.today()
    chain = reg.trail()
    assert chain[0].prev_digest == "0" * 64
    assert all(b.prev_digest == a.digest for a, b in zip(chain, chain[1:], strict=False))
    assert reg.verify_trail().ok


def test_an_update_outside_the_workbook_is_named(reg, path):
    request = reg.add_request("access", "a@example.com")
    other = reg.add_request("erasure", "b@example.com")
    assert reg.verify_trail().ok
    with raw(path) as conn:
        conn.execute("UPDATE requests SET received_on = '2026-01-01' WHERE id = ?", (request.id,))
    result = reg.verify_trail()
    assert not result.ok
    assert [(p.register, p.record_id) for p in result.problems] == [("requests", request.id)]
    assert "changed outside the workbook since event" in result.problems[0].message
    assert other.id not in {p.record_id for p in result.problems}


def test_rows_added_or_removed_outside_and_edited_events_are_found(reg, path):
    hold = reg.place_hold("h@example.com", "claim", "Ann")
    reg.add_complaint("slow answer")
    conn = raw(path)
    conn.execute("DELETE FROM holds WHERE id = ?", (hold,))
    conn.execute(
        "INSERT INTO complaints (id, received_on, summary, created_at)"
        " VALUES ('C-2026-0099', '2026-01-01', 'slipped in', '2026-01-01')"
    )
    # The trail's own triggers refuse edits; someone determined drops them first.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE trail_events SET actor = 'someone else' WHERE seq = 2")
    conn.execute("DROP TRIGGER trail_events_no_update")
    conn.execute("UPDATE trail_events SET actor = 'someone else' WHERE seq = 2")
    conn.close()
    messages = {(p.register, p.record_id): p.message for p in reg.verify_trail().problems}
    assert "removed outside the workbook" in messages[("holds", str(hold))]
    assert messages[("complaints", "C-2026-0099")].startswith("added outside the workbook")
    assert messages[("trail", "2")] == "event 2 was altered after it was written"


def test_a_back_dated_change_needs_a_reason_and_a_future_one_is_refused(reg):
    request = reg.add_request("access", "a@example.com", date(2026, 9, 1))
    with pytest.raises(InputError, match="closed 1 Oct 2026 is before today: give --reason"):
        reg.close_request(request.id, "answered", date(2026, 10, 1))
    with pytest.raises(InputError, match="is in the future"):
        reg.close_request(request.id, "answered", date.today() + timedelta(days=1))
    assert reg.get_request(request.id).status == "open"
    with reg.acting(reason="answered by post; recorded from the file"):
        reg.close_request(request.id, "answered", date(2026, 10, 1))
    last = reg.trail(request.id)[-1]
    assert last.claimed_on == "2026-10-01"
    assert datetime.fromisoformat(last.typed_at).date() == date.today() != date(2026, 10, 1)
    assert last.reason == "answered by post; recorded from the file"


def test_the_trail_keeps_no_address_and_forgetting_is_an_event(reg, path):
    with reg.acting(reason="late, as bob@example.com asked on the phone"):
        request = reg.add_request("erasure", "bob@example.com", date(2026, 2, 2))
        reg.record_erasure(request.id, outcome="completed", started_at=datetime(2026, 2, 3))
    reg.forget_subject_email(request.id)
    text = " ".join(str(v) for e in reg.trail() for v in e.__dict__.values())
    assert "bob@example.com" not in text and "late, as [address] asked on the phone" in text
    assert reg.trail(request.id)[-1].action == "forget address"
    assert reg.verify_trail().ok
    assert b"bob@example.com" not in path.read_bytes()


def test_a_reason_is_stored_without_addresses(reg):
    with reg.acting(reason="bob@example.com phoned on 1 Oct"):
        request = reg.add_request("access", "c@example.com", date(2026, 9, 1))
        reg.pause(request.id, "which account?", date(2026, 9, 2))
    assert reg.trail(request.id)[-1].reason == "[address] phoned on 1 Oct"


def test_state_digests_are_keyed(reg, path, tmp_path):
    request = reg.add_request("access", "a@example.com")
    state = record_state(reg.conn, TRACKED["requests"], request.id)
    assert state_digest(reg.secret, state) == reg.trail(request.id)[-1].state_digest
    assert state_digest(b"another key" * 3, state) != reg.trail(request.id)[-1].state_digest


def test_a_file_from_before_the_trail_gets_a_baseline_and_keeps_its_entries(path):
    path.parent.mkdir(parents=True)
    conn = raw(path)
    conn.executescript(f"{registers_db.MIGRATIONS[0]}\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO requests (id, kind, received_on, status, outcome, closed_on, created_at)"
        " VALUES ('R-2025-0001', 'erasure', '2025-03-01', 'closed', 'done', '2025-03-20', 'x')"
    )
    conn.execute(
        "INSERT INTO request_subjects VALUES ('R-2025-0001', 0, 'old@example.com', 'hash')"
    )
    conn.close()
    with open_registers(path) as reg:
        old = reg.get_request("R-2025-0001")
        assert (old.outcome_kind, old.outcome, old.emails) == (
            "erased",
            "done",
            ("old@example.com",),
        )
        assert [e.action for e in reg.trail("R-2025-0001")] == ["baseline"]
        assert reg.verify_trail().ok
        # The kinds the law knows are accepted now.
        assert reg.add_request("portability", "p@example.com").kind == "portability"
        assert reg.add_request("automated-decisions", "q@example.com").kind


def test_requester_channel_authority_and_duplicates(reg):
    first = reg.add_request(
        "access",
        "ann@example.com",
        requester_name="Jo Solicitor",
        channel="post",
        on_behalf_of="Ann Smith",
        authority_evidence="signed letter of authority seen",
    )
    assert (first.requester_name, first.channel, first.on_behalf_of) == (
        "Jo Solicitor", "post", "Ann Smith",
    )  # fmt: skip
    with pytest.raises(InputError, match="authority"):
        reg.add_request("access", "x@example.com", on_behalf_of="Someone")
    with pytest.raises(RegisterError, match=f"open request \\({first.id}\\).*--duplicate-of"):
        reg.add_request("erasure", "ANN@example.com")
    duplicate = reg.add_request("access", "ann@example.com", duplicate_of=first.id)
    assert (duplicate.status, duplicate.outcome_kind, duplicate.duplicate_of) == (
        "closed", "duplicate", first.id,
    )  # fmt: skip
    separate = reg.add_request("erasure", "ann@example.com", separate=True)
    assert separate.status == "open"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "partly-refused"}, "exemption"),
        ({"outcome": "refused", "detail": "again"}, "grounds"),
        ({"outcome": "refused", "grounds": "excessive"}, "grounds"),
        ({"outcome": "duplicate"}, "--duplicate-of"),
        ({"outcome": "answered", "grounds": "rude"}, "grounds: 'rude'"),
    ],
)
def test_an_outcome_needs_what_the_law_asks_for(reg, kwargs, message):
    request = reg.add_request("access", "a@example.com")
    with pytest.raises(InputError, match=message):
        reg.close_request(request.id, **kwargs)


def test_outcomes_are_recorded(reg):
    a = reg.add_request("access", "a@example.com")
    b = reg.add_request("erasure", "b@example.com")
    c = reg.add_request("access", "c@example.com")
    d = reg.add_request("access", "d@example.com")
    partly = reg.close_request(a.id, "partly-refused", exemption="third-party data (Sch. 2)")
    refused = reg.close_request(
        b.id, "refused", grounds="manifestly-unfounded", detail="sent to disrupt, says so"
    )
    withdrawn = reg.close_request(c.id, "withdrawn")
    dup = reg.close_request(d.id, "duplicate", duplicate_of=a.id)
    assert (partly.status, partly.exemption) == ("closed", "third-party data (Sch. 2)")
    assert (refused.status, refused.refusal_grounds) == ("refused", "manifestly-unfounded")
    assert withdrawn.outcome_kind == "withdrawn"
    assert dup.duplicate_of == a.id
