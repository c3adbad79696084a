"""The monthly review's erasure flags: erased people who come back, overdue erasures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pandas as pd

from mimoto_gov.erasure.run import erasure_flags
from tests.helpers.inprocess import history


def users(*rows):
    return SimpleNamespace(
        users=pd.DataFrame(
            [
                {
                    "id": i,
                    "login": login,
                    "email": email,
                    "created_at": pd.Timestamp("2026-04-01", tz="UTC"),
                }
                for i, login, email in rows
            ]
        )
    )


def test_an_erased_person_who_reappears_is_flagged_by_keyed_hash(tmp_path):
    data = tmp_path / "data"
    with history(data / "registers.sqlite") as registers:
        request = registers.add_request(
            "erasure", ["gone@example.com", "old@example.com"], date(2026, 3, 1)
        )
        registers.record_erasure(
            request.id,
            outcome="completed",
            started_at=datetime(2026, 3, 2, tzinfo=UTC),
            verified=True,
        )
        registers.forget_subject_email(request.id)
        registers.close_request(request.id, "erased", date(2026, 3, 2))
    inventory = users(
        (1, "someone@example.com", "someone@example.com"),
        (2, "Gone@Example.com", "GONE@example.com"),
        (3, "old@example.com", None),
    )
    flags = erasure_flags(inventory, data, today=date(2026, 4, 2))
    assert list(flags["user_id"]) == [2, 3]
    assert set(flags["flag"]) == {"erased person reappears in Zammad"}
    assert set(flags["request_id"]) == {request.id}
    assert not flags.astype(str).apply(lambda c: c.str.contains("@")).any().any()


def test_an_open_erasure_past_its_due_date_is_flagged(tmp_path):
    data = tmp_path / "data"
    with history(data / "registers.sqlite") as registers:
        late = registers.add_request("erasure", ["late@example.com"], date(2026, 1, 5))
        registers.add_request("erasure", ["recent@example.com"], date(2026, 3, 20))
        registers.add_request("access", ["access@example.com"], date(2026, 1, 5))
    flags = erasure_flags(users(), data, today=date(2026, 3, 25))
    assert list(flags["flag"]) == ["erasure overdue"]
    assert list(flags["request_id"]) == [late.id]
    assert flags["detail"].iloc[0] == "due 5 Feb 2026, 48 day(s) late"


def test_no_registers_file_means_nothing_to_flag_and_nothing_created(tmp_path):
    flags = erasure_flags(users((1, "a@example.com", "a@example.com")), tmp_path / "data")
    assert flags.empty and list(flags.columns) == [
        "flag", "request_id", "erasure_id", "user_id", "since", "detail",
    ]  # fmt: skip
    assert not (tmp_path / "data").exists()
