"""The review's sections on what is held: the inventory, what changed, and the tickets' age."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from mimoto_gov.formats import comparison, labelled, uk_date
from mimoto_gov.retention import rules as retention
from mimoto_gov.views.review import charts
from mimoto_gov.views.review.model import ReviewData


class Holdings:
    """What the service desk holds at the review's moment, against last month, and how old."""

    def __init__(self, data: ReviewData, figures: Callable[[], dict]) -> None:
        """Read ``data``; ``figures`` returns this month's summary (``summary.json``)."""
        self.data = data
        self.figures = figures

    def inventory_table(self) -> pd.DataFrame:
        """Return the inventory at a glance, with last month's figures and the change."""
        rows = [
            ("Tickets", "tickets"),
            ("Articles (messages and notes)", "articles"),
            ("Attachments", "attachments"),
            ("Attachment storage", "attachment_bytes"),
            ("User accounts", "users"),
            ("Organisations", "organisations"),
        ]
        before = self.data.previous or {}
        return comparison(rows, self.figures(), before, sizes={"attachment_bytes"})

    def changes_table(self) -> pd.DataFrame:
        """Compare the review's own figures this month with last month's."""
        rows = [
            ("Tickets past their period", "tickets_past_period"),
            ("... to delete", "to_delete"),
            ("... to anonymise", "to_anonymise"),
            ("... to review", "to_review"),
            ("Personal-data findings in ticket text", "pii_findings"),
            ("Tickets to redact", "tickets_to_redact"),
            ("Inactive customer accounts", "inactive_customers"),
            ("Accounts without tickets", "accounts_without_tickets"),
            ("Email addresses on several accounts", "shared_emails"),
        ]
        return comparison(rows, self.figures(), self.data.previous or {})

    def changes_note(self) -> str:
        """Say where last month's figures come from."""
        return self.data.previous_source

    def age_by_year(self, by: str = "state") -> pd.DataFrame:
        """Count tickets by year created and ``by`` (state or group), with totals."""
        return labelled(retention.tickets_by_year_created(self.data.tickets, by), "Year created")

    def age_by_inactivity(self, by: str = "state") -> pd.DataFrame:
        """Count tickets by time since last activity and ``by`` (state or group)."""
        table = retention.tickets_by_inactivity(self.data.tickets, self.data.as_of, by)
        return labelled(table, "Since last activity")

    def age_chart(self, by: str = "state"):
        """Chart tickets by year created and by time since last activity, split by ``by``."""
        tickets, as_of = self.data.tickets, self.data.as_of
        figure = charts.age_chart(
            retention.tickets_by_year_created(tickets, by),
            retention.tickets_by_inactivity(tickets, as_of, by),
            by=by,
            as_of_text=uk_date(as_of - pd.Timedelta(seconds=1)),
        )
        return charts.noted_if_empty(figure, tickets.empty, "No tickets held yet")
