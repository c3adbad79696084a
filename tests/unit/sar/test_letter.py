"""The response as read: "Where we looked" matches the deletion checklist; plain CSVs."""

from __future__ import annotations

import re

import pandas as pd

from mimoto_gov.erasure.plan import plan_erasure
from mimoto_gov.sar.letter import letter_facts, plain_tables, where_we_looked
from mimoto_gov.settings import load_settings
from tests.unit.sar.test_redact import inventory  # noqa: F401 - the shared fixture


def checklist_kind(key: str) -> str:
    """A checklist line's kind: its key without a number, local copies as one place."""
    key = re.sub(r"-\d+$", "", key)
    return "local" if key.startswith("local-") else key


def test_where_we_looked_names_every_place_the_deletion_checklist_names(inventory):  # noqa: F811
    plan = plan_erasure(inventory, ["alice@example.com"], request_id="R-2026-0001")
    facts = letter_facts(load_settings())
    looked = {row["key"] for row in where_we_looked(facts)}
    # Telling recipients and the person are steps of the erasure, not places data is held.
    places = {
        checklist_kind(line.key)
        for line in plan.lines
        if not line.key.startswith("notify-") and line.key not in ("identity", "confirm-to-person")
    }
    assert places <= looked, places - looked
    # each backup and provider log by name, with how long it is kept; nothing the record of
    # processing contradicts (it says Zammad keeps logs: no "we record no access logs")
    rows = where_we_looked(facts)
    names = {row["place"] for row in rows}
    assert {copy.name for copy in plan.backup_policy.copies} <= names
    text = " ".join(f"{r['place']} {r['detail']}" for r in rows)
    assert "access logs" not in text.lower()
    assert "14 days" in text and "30 days" in text


def test_the_csvs_have_plain_headings_and_uk_dates():
    when = pd.Timestamp("2026-07-03 13:05", tz="UTC")
    tables = {
        "users": pd.DataFrame(
            [dict(id=1, firstname="Pat", lastname="Subject", email="pat@example.org",
                  login="pat@example.org", active=True, created_at=when, organization_id=7)]
        ),
        "organizations": pd.DataFrame([dict(id=7, name="Subject Ltd", created_at=when)]),
        "tickets": pd.DataFrame(
            [dict(id=10, number="31001", title="Printer", relation="customer", state="open",
                  created_at=when), dict(id=11, number="31002", title=None,
                  relation="correspondent", created_at=when)]
        ),
        "articles": pd.DataFrame(
            [dict(id=100, ticket_id=10, created_at=when, type="email", sender="Customer",
                  body="<p>Hello <b>there</b></p>", content_type="text/html", internal=False)]
        ),
        "attachments": pd.DataFrame(
            [dict(id=5, ticket_id=10, article_id=100, filename="a.txt", size=3,
                  saved_as="attachments/a.txt", sha256="ab" * 32, note="")]
        ),
        "ticket_history": pd.DataFrame(columns=["ticket_id"]),
        "ticket_tags": pd.DataFrame(columns=["ticket_id", "tag"]),
        "register_entries": pd.DataFrame(
            [dict(register="requests", reference="R-2026-0001", what="access request",
                  date="2026-07-01", status="open", details="")]
        ),
    }  # fmt: skip
    plain = plain_tables(tables)
    assert list(plain) == [
        "account.csv", "organisations.csv", "tickets.csv", "messages.csv", "attachments.csv",
        "ticket_history.csv", "ticket_tags.csv", "our_records.csv",
    ]  # fmt: skip
    account = plain["account.csv"].iloc[0]
    assert (account["Name"], account["Organisation"], account["Created"]) == (
        "Pat Subject",
        "Subject Ltd",
        "3 Jul 2026 14:05",
    )
    tickets = plain["tickets.csv"]
    assert list(tickets["Your part"]) == ["customer", "named in a message"]
    assert list(tickets["Title"]) == ["Printer", ""]
    assert plain["messages.csv"].iloc[0]["Text"] == "Hello there"
    assert plain["attachments.csv"].iloc[0]["Ticket"] == "31001"
    assert plain["our_records.csv"].iloc[0]["Date"] == "1 Jul 2026"
    for frame in plain.values():
        assert not [c for c in frame.columns if "_" in c]  # no raw field names
