"""The review's governance pack: the policy's promises and the evidence around them.

The promises and their status, the policy's changes this month, the record of processing, open
requests, erased people who reappear, the workbook's own copies and the site's analytics.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.audits.own_copies import own_copies_due
from mimoto_gov.commitments.evaluate import check_commitments
from mimoto_gov.deadlines import sar_due_date
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.formats import UK_TIME, month_label, uk_dates
from mimoto_gov.gauges import analytics_for_month
from mimoto_gov.pii.masks import masked_emails
from mimoto_gov.policy.files import POLICY_FILE, ROPA_FILE, policy_file
from mimoto_gov.policy.history import PolicyChange, policy_changes
from mimoto_gov.policy.ropa import record_of_processing
from mimoto_gov.registers import Registers, keyed_hasher, open_registers
from mimoto_gov.reports.display import show_callout, show_chart, show_table, show_text
from mimoto_gov.views.review.model import ReviewData


class Governance:
    """What the privacy policy promises, and the registers and audits that give the evidence."""

    def __init__(self, data: ReviewData) -> None:
        """Read the month and folders of ``data``."""
        self.data = data

    # ---- the policy's promises --------------------------------------------------------------

    def commitments(self) -> pd.DataFrame:
        """Return every promise of the privacy policy with its status, evidence and action."""

        def compute() -> pd.DataFrame:
            table = check_commitments(
                data_dir=self.data.data_dir,
                reports_dir=self.data.reports_dir,
                today=self.data.review_day(),
            )
            shown = table[["promise", "status", "evidence", "action", "owner"]]
            return shown.rename(columns=str.capitalize)

        return self.data.memo("commitments", compute)

    def commitments_glance(self) -> pd.DataFrame:
        """Return the promises grouped by status (Status, How many, Promises): first-page size."""
        table = self.commitments()
        rows = []
        for status in ("not met", "evidence missing", "met"):
            promises = table.loc[table["Status"] == status, "Promise"].tolist()
            if promises:
                rows.append((status, len(promises), "; ".join(promises)))
        return pd.DataFrame(rows, columns=["Status", "How many", "Promises"])

    def policy_changes(self) -> PolicyChange:
        """Return what changed in the privacy policy since the month began (from git)."""
        # The first day of the month as the UK counts it (month_bounds is UK midnight in UTC).
        return self.data.memo(
            "policy",
            lambda: policy_changes(
                f"{self.data.month}-01", policy_file(POLICY_FILE, self.data.data_dir)
            ),
        )

    def record_of_processing(self) -> pd.DataFrame:
        """Return the Article 30 record of processing (``data/policy/ropa.yml``) as a table."""
        return record_of_processing(policy_file(ROPA_FILE, self.data.data_dir))

    # ---- the registers -------------------------------------------------------------------------

    def _registers(self) -> Registers | None:
        # Reading the review must not create a registers file where there is none.
        if self.data.data_dir is None:
            return None
        path = Path(self.data.data_dir) / "registers.sqlite"
        return open_registers(path) if path.is_file() else None

    def open_requests(self) -> pd.DataFrame | None:
        """List open requests with their deadlines, overdue first (None without registers)."""
        return self.data.memo("requests", self._open_requests)

    def _open_requests(self) -> pd.DataFrame | None:
        registers = self._registers()
        if registers is None:
            return None
        with registers:
            frame = registers.open_requests_with_deadlines(today=self.data.review_day())
        return pd.DataFrame(
            {
                "Request": frame["id"],
                "Kind": frame["kind"],
                "Received": uk_dates(frame["received_on"]),
                "Due": uk_dates(frame["due_on"]),
                "Days left": frame["days_left"].astype(int),
                "Status": frame["status"],
                "Overdue": frame["overdue"].map({True: "OVERDUE", False: ""}).fillna(""),
            }
        )

    def request_candidates(self) -> pd.DataFrame | None:
        """List tickets that read like a rights request, not yet recorded or dismissed.

        Found by ``mimoto-gov requests candidates``; the clock of a real request runs from the
        message's date, so each shows the day it would be due. None without registers.
        """
        return self.data.memo("candidates", self._request_candidates)

    def _request_candidates(self) -> pd.DataFrame | None:
        registers = self._registers()
        if registers is None:
            return None
        with registers:
            frame = registers.candidates("open")
        received = [moment.astimezone(UK_TIME).date() for moment in frame["received_at"]]
        return pd.DataFrame(
            {
                "Ticket": frame["ticket_number"],
                "Received": uk_dates(pd.Series(received, dtype=object)),
                "Due if a request": uk_dates(
                    pd.Series([sar_due_date(d) for d in received], dtype=object)
                ),
                "Kind": frame["kind"],
                "What they wrote": frame["phrase"],
            },
            columns=["Ticket", "Received", "Due if a request", "Kind", "What they wrote"],
        )

    def reappeared(self) -> pd.DataFrame | None:
        """List accounts whose email matches an erased person (None without registers)."""
        return self.data.memo("reappeared", self._reappeared)

    def _reappeared(self) -> pd.DataFrame | None:
        registers = self._registers()
        if registers is None:
            return None
        with registers:
            hashes = registers.erased_hashes()
        columns = ["User id", "Email (masked)", "Account created", "Active in Zammad"]
        if not hashes:
            return pd.DataFrame(columns=columns)
        users = self.data.inventory.users
        emails = users["email"].fillna("").astype(str).str.strip()
        hasher = keyed_hasher(self.data.data_dir)
        matched = users[[bool(e) and hasher(e) in hashes for e in emails]]
        return pd.DataFrame(
            {
                "User id": matched["id"],
                "Email (masked)": masked_emails(matched["email"]),
                "Account created": uk_dates(matched["created_at"]),
                "Active in Zammad": matched["active"].map({True: "yes", False: "no"}).fillna("")
                if "active" in matched
                else "",
            },
            columns=columns,
        ).reset_index(drop=True)

    # ---- the workbook's own copies and the site ----------------------------------------------

    def own_copies(self) -> pd.DataFrame:
        """List the workbook's own files past their retention (SAR packages, old reports...)."""
        return self.data.memo(
            "own_copies",
            lambda: own_copies_due(
                data_dir=self.data.data_dir,
                reports_dir=self.data.reports_dir,
                today=self.data.review_day(),
            ),
        )

    def analytics(self):
        """Return the month's analytics summary, or None when no Gaug.es export covers it."""
        return analytics_for_month(self.data.month, self.data.data_dir)

    def show_analytics(self) -> None:
        """Show the month's analytics (traffic, pages, browsers, countries, anonymity check).

        Without Gaug.es exports for the month it shows one sentence saying so, nothing else.
        """
        label = month_label(self.data.month)
        try:
            summary = self.analytics()
        except MimotoGovError as error:
            # A damaged analytics store must not cost the retention review.
            show_callout(f"The Gaug.es data could not be read: {error}", level="warning")
            return
        if summary is None:
            show_text(f"No Gaug.es export covers {label}: there is nothing to show.")
            return
        show_callout(summary.headline(), level="info" if summary.audit.clean else "warning")
        show_chart(summary.chart())
        show_table(summary.pages, caption=f"Most viewed pages, {label}")
        show_table(summary.browsers, caption=f"Browsers, {label}")
        show_table(summary.countries, caption=f"Countries, {label}")
