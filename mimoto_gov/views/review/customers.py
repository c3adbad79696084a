"""The review's section "Customers": inactive accounts, accounts without tickets, shared emails."""

from __future__ import annotations

import pandas as pd

from mimoto_gov.formats import thousands, uk_dates
from mimoto_gov.pii.masks import masked_emails
from mimoto_gov.retention import rules as retention
from mimoto_gov.views.review.model import ReviewData, for_staff_only

# Staff act on these accounts (write to the person, delete or merge the account), so the
# lists' CSVs, in the private reports folder, carry the address itself; the page masks it.
EMAIL = "Email"


class Customers:
    """Customer accounts that need a decision (staff and system accounts left out)."""

    def __init__(self, data: ReviewData) -> None:
        """Read the accounts and tickets of ``data``."""
        self.data = data

    # ---- the lists as computed (the summary counts them) --------------------------------

    def inactive_frame(self) -> pd.DataFrame:
        """Return the inactive customer accounts as :mod:`mimoto_gov.retention.rules` finds them."""
        data = self.data
        return data.memo(
            "inactive",
            lambda: retention.inactive_customers(
                data.users, data.tickets, data.as_of, data.schedule.inactive_after, data.staff
            ),
        )

    def without_frame(self) -> pd.DataFrame:
        """Return the customer accounts that are the customer of no ticket."""
        data = self.data
        return data.memo(
            "without",
            lambda: retention.accounts_without_tickets(
                data.users, data.tickets, data.as_of, data.staff
            ),
        )

    def shared_frame(self) -> pd.DataFrame:
        """Return the email addresses used by more than one account, with the ids."""
        return self.data.memo("shared", lambda: retention.shared_emails(self.data.users))

    # ---- the lists as shown ----------------------------------------------------------------

    def inactive_customers(self) -> pd.DataFrame:
        """List customer accounts without login or ticket activity for the set period."""
        frame = self.inactive_frame()
        listed = pd.DataFrame(
            {
                "User id": frame["id"],
                EMAIL: frame["email"],
                "Email (masked)": masked_emails(frame["email"]),
                "Account created": uk_dates(frame["created_at"]),
                "Last activity": uk_dates(frame["last_activity"]),
                "Inactive for": frame["inactive"],
                "Tickets": frame["tickets"],
                "Active in Zammad": frame["active"].map({True: "yes", False: "no"}).fillna(""),
            }
        )
        return for_staff_only(listed, EMAIL)

    def accounts_without_tickets(self) -> pd.DataFrame:
        """List customer accounts that are the customer of no ticket."""
        frame = self.without_frame()
        last_login = (
            frame["last_login"]
            if "last_login" in frame
            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
        )
        listed = pd.DataFrame(
            {
                "User id": frame["id"],
                EMAIL: frame["email"],
                "Email (masked)": masked_emails(frame["email"]),
                "Account created": uk_dates(frame["created_at"]),
                "Last login": uk_dates(last_login).replace("", "never"),
            }
        )
        return for_staff_only(listed, EMAIL)

    def shared_emails(self) -> pd.DataFrame:
        """List email addresses used by more than one account (masked), with the ids."""
        frame = self.shared_frame()
        return pd.DataFrame(
            {
                "Email (masked)": masked_emails(frame["email"]),
                "Accounts": frame["accounts"],
                "User ids": frame["user_ids"],
            }
        )

    def customers_note(self) -> str:
        """Say how the customer lists are drawn up."""
        return (
            f"Inactive means no login and no activity on any of the account's tickets for "
            f"{self.data.schedule.inactive_after} or more (the accounts period of the retention "
            f"schedule). {thousands(len(self.data.staff))} staff and system accounts (Admin or "
            "Agent role, or the author of an agent's reply) are left out of these lists; "
            "`mimoto-gov retention apply` deletes the inactive accounts that hold no ticket the "
            "schedule keeps."
        )
