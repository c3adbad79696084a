"""Hand-made frames and a small schedule for the retention tests."""

from __future__ import annotations

import textwrap

import pandas as pd

AS_OF = pd.Timestamp("2026-11-01T00:00:00Z")


def ts(text: str | None) -> pd.Timestamp:
    """A UTC timestamp, or NaT for None."""
    return pd.Timestamp(text, tz="UTC") if text else pd.NaT


def tickets_frame(rows: list[dict]) -> pd.DataFrame:
    """Tickets as the inventory has them, from a few fields per row."""
    base = {
        "title": "t",
        "customer_id": 100,
        "organization_id": None,
        "updated_at": "2026-10-01",
        "close_at": None,
        "last_contact_at": None,
        "group": "Support",
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["number"] = frame["id"].map(lambda i: f"3{i:04d}")
    for column in ("created_at", "updated_at", "close_at", "last_contact_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def nothing(table: str) -> pd.DataFrame:
    """An empty frame of ``table`` with the snapshot's own column types (a new Zammad)."""
    from mimoto_gov.inventory import frame

    return frame(table, [])


SCHEDULE = textwrap.dedent(
    """
    version: "t-1"
    owner: Data protection lead
    published_policy: The policy says "stored indefinitely".
    tickets:
      rules:
        - name: Spam
          match: {state: [removed, merged]}
          period: 3 months
          action: delete
          reason: spam
        - name: Sales closed
          match: {group: sales, state: closed}
          period: 2 years
          from: closed
          action: delete
        - name: Closed
          match: {state: Closed}
          period: 6 years
          action: anonymise
          text_left: keep
          text_reason: figures by topic
        - name: Phone
          match: {type: phone}
          period: 1 year
          from: created
          action: review
      default:
        period: 6 years
        action: review
    accounts:
      period: 3 years
      action: delete
      reason: unused
    """
)


def write_schedule(folder, text: str = SCHEDULE):
    """Write ``retention.yml`` into ``folder`` and return its path."""
    path = folder / "retention.yml"
    path.write_text(textwrap.dedent(text))
    return path
