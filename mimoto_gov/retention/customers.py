"""Zammad customer accounts: who is staff, who is inactive, who has no ticket, shared emails.

Every function takes the inventory's frames (UTC timestamps) and returns a frame, so each list
of the monthly review and of the retention plan can be tested on hand-made data.
"""

from __future__ import annotations

import re

import pandas as pd

from mimoto_gov.policy.schedule import Period
from mimoto_gov.retention.dates import (
    age_text,
    as_of_frame,
    as_utc,
    clip,
    last_activity,
    months_between,
)
from mimoto_gov.zammad.writes import PLACEHOLDER_LOGIN


def placeholder_user_id(users: pd.DataFrame) -> int | None:
    """Return the id of the anonymous placeholder customer, if Zammad has one (by its login)."""
    if users.empty or "login" not in users.columns:
        return None
    found = users.loc[users["login"].fillna("").astype(str).str.lower() == PLACEHOLDER_LOGIN]
    return int(found["id"].iloc[0]) if len(found) else None


_ADDRESS_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def staff_user_ids(users: pd.DataFrame, articles: pd.DataFrame | None) -> set:
    """Find the staff accounts, which are not customers to review.

    Staff are the system user (id 1), accounts with Zammad's Admin or Agent role (role ids 1
    and 2, when the snapshot carries ``role_ids``), and accounts that wrote an agent-sent
    article (its ``created_by_id``, or the address in its ``from``).
    """
    staff = {1}
    if "role_ids" in users.columns:
        roles = users["role_ids"].fillna("").astype(str)
        is_staff = roles.str.contains(r"(?:^|[\[,\s])[12](?:$|[\],\s])", regex=True)
        staff |= set(users.loc[is_staff, "id"].dropna().astype(int))
    if articles is not None and not articles.empty and "sender" in articles.columns:
        columns = [c for c in ("sender", "created_by_id", "from") if c in articles.columns]
        slim = articles[columns]
        by_agent = slim[slim["sender"].astype(str).str.casefold() == "agent"]
        if "created_by_id" in by_agent.columns:
            staff |= set(by_agent["created_by_id"].dropna().astype(int))
        addresses = set()
        for text in by_agent["from"].dropna().astype(str).unique():
            addresses.update(a.casefold() for a in _ADDRESS_RE.findall(text))
        emails = users["email"].fillna("").astype(str).str.strip().str.casefold()
        staff |= set(users.loc[emails.isin(addresses), "id"].dropna().astype(int))
    return staff


def customer_activity(
    users: pd.DataFrame, tickets: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Count each user's tickets as customer and find their last ticket activity and login.

    Returns:
        ``id, tickets, last_ticket_activity, last_login, last_activity``; ``last_activity``
        falls back to the account's creation when there was no login and no ticket.

    """
    activity = as_utc(last_activity(tickets, as_of))
    per_customer = (
        pd.DataFrame({"customer_id": tickets["customer_id"], "activity": activity})
        .groupby("customer_id")["activity"]
        .agg(["size", "max"])
    )
    frame = pd.DataFrame({"id": users["id"].to_numpy()}, index=users.index)
    frame["tickets"] = users["id"].map(per_customer["size"]).fillna(0).astype(int).to_numpy()
    # Every date column stays UTC timestamps even with no tickets, logins or users at all
    # (a new Zammad, an early month): otherwise pandas falls back to objects.
    ticket_at = per_customer["max"].reindex(users["id"].to_numpy())  # keeps the dtype; map doesn't
    frame["last_ticket_activity"] = as_utc(ticket_at.set_axis(users.index))
    never = pd.Series(pd.NaT, index=users.index, dtype="datetime64[us, UTC]")
    login = clip(users["last_login"], as_of) if "last_login" in users.columns else never
    frame["last_login"] = as_utc(login)
    # The later of the two, element by element: a row-wise max() turns all-missing to floats.
    ticket_at, login_at = frame["last_ticket_activity"], frame["last_login"]
    latest = ticket_at.where(login_at.isna() | (ticket_at >= login_at), login_at)
    frame["last_activity"] = latest.fillna(clip(as_utc(users["created_at"]), as_of))
    return frame


def inactive_customers(
    users: pd.DataFrame,
    tickets: pd.DataFrame,
    as_of: pd.Timestamp,
    period: Period,
    staff: set | None = None,
) -> pd.DataFrame:
    """List customer accounts with no login and no ticket activity for ``period``.

    Returns:
        ``id, email, created_at, last_activity, inactive_months, inactive, tickets, active``.

    """
    users = as_of_frame(users, as_of)
    staff = staff or set()
    activity = customer_activity(users, as_of_frame(tickets, as_of), as_of)
    cutoff = as_of - period.offset
    frame = users[["id", "email", "created_at"]].copy()
    frame["last_activity"] = activity["last_activity"].to_numpy()
    frame["tickets"] = activity["tickets"].to_numpy()
    frame["active"] = users["active"].to_numpy() if "active" in users.columns else True
    frame = frame[(frame["last_activity"] <= cutoff) & ~frame["id"].isin(staff)]
    frame = frame.sort_values(["last_activity", "id"]).reset_index(drop=True)
    frame["inactive_months"] = months_between(frame["last_activity"], as_of)
    frame["inactive"] = age_text(frame["inactive_months"])
    return frame


def accounts_without_tickets(
    users: pd.DataFrame,
    tickets: pd.DataFrame,
    as_of: pd.Timestamp,
    staff: set | None = None,
) -> pd.DataFrame:
    """List customer accounts that are the customer of no ticket (staff left out)."""
    users = as_of_frame(users, as_of)
    customers = set(as_of_frame(tickets, as_of)["customer_id"].dropna())
    staff = staff or set()
    keep = ~users["id"].isin(customers) & ~users["id"].isin(staff)
    columns = [c for c in ("id", "email", "created_at", "last_login", "active") if c in users]
    return users.loc[keep, columns].sort_values(["created_at", "id"]).reset_index(drop=True)


def shared_emails(users: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """List email addresses used by more than one account (trimmed, case-folded).

    Returns:
        ``email, accounts, user_ids`` (ids as ``"12, 40"``), most accounts first.

    """
    if as_of is not None:
        users = as_of_frame(users, as_of)
    emails = users["email"].fillna("").astype(str).str.strip().str.casefold()
    frame = pd.DataFrame({"email": emails, "id": users["id"]})
    frame = frame[(frame["email"] != "") & frame["email"].duplicated(keep=False)]
    grouped = frame.groupby("email")["id"].agg(
        accounts="size", user_ids=lambda ids: ", ".join(str(i) for i in sorted(ids))
    )
    grouped = grouped.reset_index()
    return grouped.sort_values(["accounts", "email"], ascending=[False, True]).reset_index(
        drop=True
    )
