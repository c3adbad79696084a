"""The month's retention plan: each ticket and account the schedule acts on, and why.

A plan is made from the Zammad snapshot as at the end of a month (the moment the monthly
review uses), the retention schedule, the legal holds and the retention log. It changes
nothing. Each item is a ticket or an account with the rule that applies, the action (delete,
anonymise, review), and a status:

- ``to do``: ``retention apply --execute`` acts on it;
- ``excluded``: never touched, with the reason: a legal hold names the customer or someone in
  the correspondence, the ticket is still open, or it was updated in the last 90 days;
- ``kept``: an account still the customer of a ticket the schedule keeps (deleting the account
  would delete the ticket);
- ``done before``: an earlier run did it (the log says so, or the ticket already belongs to
  the anonymous placeholder), so a second run over the same month finds nothing new to do.

An account is inactive when it had no login and no activity on the tickets that stay for the
accounts' period: a ticket this plan deletes or anonymises no longer holds it.

An anonymise rule whose ``text_left`` is ``delete`` plans a deletion: Zammad's API cannot
scrub article text or the ticket history, and the schedule says to delete the ticket instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from mimoto_gov.formats import month_bounds
from mimoto_gov.policy.schedule import Schedule
from mimoto_gov.registers.retention_log import FINISHED
from mimoto_gov.retention.customers import (
    inactive_customers,
    placeholder_user_id,
    staff_user_ids,
)
from mimoto_gov.retention.dates import as_of_frame, as_utc
from mimoto_gov.retention.rules import apply_schedule, past_period

TO_DO, EXCLUDED, KEPT, DONE_BEFORE = "to do", "excluded", "kept", "done before"
OPEN_STATES = frozenset({"new", "open", "pending reminder", "pending close"})
RECENT_DAYS = 90
ACCOUNTS_RULE = "Zammad user accounts"
ACTION_ORDER = {"delete": 0, "anonymise": 1, "review": 2}
PLAN_COLUMNS = [
    "target", "zammad_id", "number", "rule", "action", "status", "why", "state",
    "counted_from", "due_on", "age", "updated_at", "kept",
]  # fmt: skip
_ADDRESS_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class RetentionPlan:
    """What the schedule does this month, item by item (see the module's description).

    Attributes:
        month: the month applied (``YYYY-MM``).
        as_of: the moment the schedule is applied at (the month's end, or the snapshot's time
            when it is earlier).
        made_at: when the plan was made (UTC).
        snapshot_time: when the snapshot was taken; a ticket changed after it is left alone.
        zammad_url: the desk the snapshot was pulled from.
        schedule: the schedule applied (with its approval, when attached).
        items: one row per ticket or account (:data:`PLAN_COLUMNS`).
        placeholder_id: the anonymous placeholder customer's id, if Zammad has one.

    """

    month: str
    as_of: pd.Timestamp
    made_at: datetime
    snapshot_time: datetime
    zammad_url: str | None
    schedule: Schedule
    items: pd.DataFrame
    placeholder_id: int | None = None

    def to_do(self, target: str | None = None, action: str | None = None) -> pd.DataFrame:
        """Return the items still to do (of one target and action, when given)."""
        items = self.items[self.items["status"] == TO_DO]
        if target is not None:
            items = items[items["target"] == target]
        if action is not None:
            items = items[items["action"] == action]
        return items

    def counts(self) -> dict[str, int]:
        """Count the items by target, action and status (``ticket delete to do``: 12...)."""
        counts = self.items.groupby(["target", "action", "status"]).size()
        return {" ".join(key): int(n) for key, n in counts.items()}


def _hold_checker(held: set[str], hasher: Callable[[str], str] | None):
    if not held or hasher is None:
        return lambda emails: False
    cache: dict[str, bool] = {}

    def is_held(emails) -> bool:
        for email in emails:
            email = email.strip().lower()
            if email and email not in cache:
                cache[email] = hasher(email) in held
            if email and cache[email]:
                return True
        return False

    return is_held


def _addresses_by_ticket(articles: pd.DataFrame, ticket_ids: set) -> dict[int, set[str]]:
    """Every address in the ``from``, ``to`` and ``cc`` of each ticket's articles."""
    found: dict[int, set[str]] = {}
    columns = [c for c in ("from", "to", "cc") if c in articles.columns]
    if not columns or articles.empty:
        return found
    rows = articles[articles["ticket_id"].isin(ticket_ids)][["ticket_id", *columns]]
    for ticket_id, *texts in rows.itertuples(index=False):
        for text in texts:
            if isinstance(text, str) and "@" in text:
                found.setdefault(int(ticket_id), set()).update(_ADDRESS_RE.findall(text.lower()))
    return found


def _done_before(log: pd.DataFrame | None, month: str) -> dict[tuple[str, int], str]:
    """(target, zammad id) -> what an earlier run did (done, or listed this month)."""
    done: dict[tuple[str, int], str] = {}
    if log is None or log.empty:
        return done
    for row in log.itertuples(index=False):
        key = (row.target, int(row.zammad_id))
        if row.outcome in FINISHED:
            done[key] = f"{row.action} done before ({row.run_id})"
        elif row.outcome == "listed" and row.month == month:
            done.setdefault(key, f"listed for review before ({row.run_id})")
    return done


def make_plan(
    schedule: Schedule,
    inventory,
    month: str,
    *,
    held: set[str] | None = None,
    hasher: Callable[[str], str] | None = None,
    log: pd.DataFrame | None = None,
    now: datetime | None = None,
) -> RetentionPlan:
    """Work out what the schedule does for ``month``; change nothing.

    Args:
        schedule: the retention schedule.
        inventory: the Zammad snapshot (:class:`~mimoto_gov.inventory.Inventory`).
        month: the month (``YYYY-MM``); the schedule is applied as at its end.
        held: keyed hashes of everyone a legal hold or open law-enforcement request names.
        hasher: the registers' keyed hash of an address (needed when ``held`` is not empty).
        log: the retention log so far (an earlier run's work is not planned again).
        now: the current time (the 90-day rule counts back from it).

    """
    now = now or datetime.now(UTC)
    snapshot_time = pd.Timestamp(inventory.snapshot_time)
    as_of = min(month_bounds(month)[1], snapshot_time)
    recent = pd.Timestamp(now) - pd.Timedelta(days=RECENT_DAYS)
    placeholder_id = placeholder_user_id(inventory.users)
    is_held = _hold_checker(held or set(), hasher)
    done = _done_before(log, month)
    tickets_rows = _ticket_items(schedule, inventory, as_of, recent, placeholder_id, is_held, done)
    planned = {
        int(r["zammad_id"])
        for r in tickets_rows
        if r["status"] in (TO_DO, DONE_BEFORE) and r["action"] in ("delete", "anonymise")
    }
    account_rows = _account_items(
        schedule, inventory, as_of, recent, placeholder_id, planned, is_held, done
    )
    items = pd.DataFrame(tickets_rows + account_rows, columns=PLAN_COLUMNS)
    if not items.empty:
        order = items["action"].map(ACTION_ORDER).fillna(9)
        items = items.assign(_t=items["target"] != "ticket", _a=order)
        items = items.sort_values(["_t", "_a", "due_on", "zammad_id"], kind="stable")
        items = items.drop(columns=["_t", "_a"]).reset_index(drop=True)
    return RetentionPlan(
        month=month,
        as_of=as_of,
        made_at=now,
        snapshot_time=inventory.snapshot_time,
        zammad_url=(getattr(inventory, "sync_state", None) or {}).get("zammad_url"),
        schedule=schedule,
        items=items,
        placeholder_id=placeholder_id,
    )


def _ticket_items(schedule, inventory, as_of, recent, placeholder_id, is_held, done) -> list:
    tickets = as_of_frame(inventory.tickets, as_of)
    articles = as_of_frame(inventory.articles, as_of)
    due = past_period(apply_schedule(tickets, schedule, as_of, articles))
    if due.empty:
        return []
    rules = {rule.name: rule for rule in schedule.all_rules}
    facts = inventory.tickets.set_index("id")
    customers = inventory.users.set_index("id")["email"] if len(inventory.users) else {}
    addresses = _addresses_by_ticket(inventory.articles, set(due["id"]))
    updated = as_utc(facts["updated_at"]) if "updated_at" in facts else None
    rows = []
    for row in due.itertuples(index=False):
        rule = rules[row.rule]
        ticket_id = int(row.id)
        action, why, kept = rule.action, rule.reason, ""
        if action == "anonymise" and rule.text_left == "delete":
            action = "delete"
            why = (
                f"{rule.reason} Anonymising would leave the article text and history, so the "
                f"schedule deletes the ticket: {rule.text_reason}"
            )
        elif action == "anonymise":
            kept = f"article text, attachments and history stay in Zammad: {rule.text_reason}"
        customer_id = facts.at[ticket_id, "customer_id"]
        changed = updated[ticket_id] if updated is not None else pd.NaT
        status = TO_DO
        if action != "review" and placeholder_id is not None and customer_id == placeholder_id:
            status, why = DONE_BEFORE, "anonymised before (the placeholder is its customer)"
        elif ("ticket", ticket_id) in done:
            status, why = DONE_BEFORE, done[("ticket", ticket_id)]
        elif action != "review":
            status, why = _ticket_exclusion(row.state, changed, recent, why)
            email = customers.get(customer_id) if customer_id is not None else None
            if is_held([str(email or ""), *addresses.get(ticket_id, ())]):
                status, why = EXCLUDED, "a legal hold names its customer or a correspondent"
        rows.append(
            _item(
                "ticket",
                ticket_id,
                str(row.number),
                rule.name,
                action,
                status,
                why,
                row,
                changed,
                kept,
            )  # fmt: skip
        )
    return rows


def _ticket_exclusion(state: str, changed, recent, why: str) -> tuple[str, str]:
    if str(state).lower() in OPEN_STATES:
        return EXCLUDED, f"still {state}: an open ticket is never deleted or anonymised"
    if pd.notna(changed) and changed >= recent:
        return EXCLUDED, f"updated on {changed:%-d %b %Y}, within the last {RECENT_DAYS} days"
    return TO_DO, why


def _item(target, zammad_id, number, rule, action, status, why, due_row, changed, kept):
    return {
        "target": target,
        "zammad_id": int(zammad_id),
        "number": number,
        "rule": rule,
        "action": action,
        "status": status,
        "why": why,
        "state": getattr(due_row, "state", ""),
        "counted_from": getattr(due_row, "counted_from", ""),
        "due_on": getattr(due_row, "due_on", pd.NaT),
        "age": getattr(due_row, "age", ""),
        "updated_at": changed,
        "kept": kept,
    }


@dataclass(frozen=True)
class _AccountRow:
    state: str
    counted_from: str
    due_on: pd.Timestamp
    age: str


def _account_items(
    schedule, inventory, as_of, recent, placeholder_id, planned, is_held, done
) -> list:
    accounts = schedule.accounts
    if accounts.action == "keep" or accounts.period is None:
        return []
    staff = staff_user_ids(inventory.users, inventory.articles)
    if placeholder_id is not None:
        staff.add(placeholder_id)
    # Activity counts on the tickets that stay: a ticket this plan deletes or anonymises no
    # longer shows the person's activity afterwards, and the next run must reach the same
    # answer (a second run over the month finds nothing new to do).
    tickets = inventory.tickets
    staying = tickets[~tickets["id"].isin(planned)]
    inactive = inactive_customers(inventory.users, staying, as_of, accounts.period, staff)
    if inactive.empty:
        return []
    numbers = dict(zip(tickets["id"], tickets["number"].astype(str), strict=True))
    held_by = tickets.groupby("customer_id")["id"].agg(list).to_dict()
    facts = inventory.users.set_index("id")
    updated = as_utc(facts["updated_at"]) if "updated_at" in facts else None
    rows = []
    for row in inactive.itertuples(index=False):
        user_id = int(row.id)
        changed = updated[user_id] if updated is not None else pd.NaT
        kept = [t for t in held_by.get(user_id, []) if int(t) not in planned]
        status, why = TO_DO, accounts.reason
        if ("account", user_id) in done:
            status, why = DONE_BEFORE, done[("account", user_id)]
        elif accounts.action == "delete":
            if kept:
                listed = ", ".join(f"#{numbers[t]}" for t in sorted(kept)[:5])
                more = f" and {len(kept) - 5} more" if len(kept) > 5 else ""
                status = KEPT
                why = (
                    f"still the customer of {len(kept)} ticket(s) the schedule keeps "
                    f"({listed}{more}): deleting the account would delete them"
                )
            elif pd.notna(changed) and changed >= recent:
                status = EXCLUDED
                why = f"updated on {changed:%-d %b %Y}, within the last {RECENT_DAYS} days"
            if is_held([str(row.email or "")]):
                status, why = EXCLUDED, "a legal hold names the account's address"
        due = _AccountRow(
            state="inactive",
            counted_from="last login or ticket activity",
            due_on=row.last_activity + accounts.period.offset,
            age=row.inactive,
        )
        rows.append(
            _item(
                "account",
                user_id,
                "",
                ACCOUNTS_RULE,
                accounts.action,
                status,
                why,
                due,
                changed,
                "",
            )  # fmt: skip
        )
    return rows
