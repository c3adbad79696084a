"""The ticket schedule applied to the Zammad inventory, and the review's age tables.

The schedule itself (``data/policy/retention.yml``) is read and checked by
:mod:`mimoto_gov.policy.schedule`. Rules match tickets by state, group or type (how the
ticket came in) and give each a period, the date it is counted from and an action: delete,
anonymise, review or keep. The first matching rule wins; the rest take the default.

Everything here takes and returns plain pandas frames (UTC timestamps), so each figure of the
monthly review can be tested on hand-made data. The names the monthly review reads through
this module (the schedule, the customer lists, the Zammad schedulers) are re-exported here.
"""

from __future__ import annotations

import pandas as pd

from mimoto_gov.policy.schedule import (
    ACTIONS,
    MATCH_KEYS,
    MEASURES,
    STATUSES,
    Period,
    Rule,
    Schedule,
    default_schedule_path,
    load_schedule,
    parse_schedule,
    repository_schedule_path,
)
from mimoto_gov.retention.customers import (
    accounts_without_tickets,
    customer_activity,
    inactive_customers,
    shared_emails,
    staff_user_ids,
)
from mimoto_gov.retention.dates import (
    age_text,
    as_of_frame,
    clip,
    last_activity,
    months_between,
)
from mimoto_gov.retention.jobs import (
    ZAMMAD_ARTICLE_TYPE_IDS,
    ZAMMAD_STATE_IDS,
    privacy_task_bodies,
    zammad_job,
    zammad_jobs,
)

__all__ = [
    "ACTIONS",
    "ACTIVITY_BUCKETS",
    "MATCH_KEYS",
    "MEASURES",
    "STATUSES",
    "ZAMMAD_ARTICLE_TYPE_IDS",
    "ZAMMAD_STATE_IDS",
    "Period",
    "Rule",
    "Schedule",
    "accounts_without_tickets",
    "action_counts",
    "activity_bucket",
    "age_text",
    "apply_schedule",
    "as_of_frame",
    "customer_activity",
    "default_schedule_path",
    "inactive_customers",
    "last_activity",
    "load_schedule",
    "months_between",
    "parse_schedule",
    "past_period",
    "period_text",
    "privacy_task_bodies",
    "repository_schedule_path",
    "rule_summary",
    "shared_emails",
    "staff_user_ids",
    "ticket_types",
    "tickets_by_inactivity",
    "tickets_by_year_created",
    "zammad_job",
    "zammad_jobs",
]

# Buckets of time since last activity, shortest first; the labels are what the report shows.
ACTIVITY_BUCKETS = (
    (pd.DateOffset(months=3), "under 3 months"),
    (pd.DateOffset(years=1), "3 to 12 months"),
    (pd.DateOffset(years=2), "1 to 2 years"),
    (pd.DateOffset(years=3), "2 to 3 years"),
    (pd.DateOffset(years=6), "3 to 6 years"),
    (None, "6 years or more"),
)


def ticket_types(tickets: pd.DataFrame, articles: pd.DataFrame | None) -> pd.Series:
    """Tell each ticket's type: Zammad's ticket ``type`` where set, else how it came in.

    Zammad's optional ticket type (Incident, Problem...) is often unused; then the type is the
    channel of the ticket's first article (email, phone, web, note...).
    """
    own = (
        tickets["type"].fillna("").astype(str).str.strip()
        if "type" in tickets.columns
        else pd.Series("", index=tickets.index, dtype=str)
    )
    channel = pd.Series("", index=tickets.index, dtype=str)
    if articles is not None and not articles.empty and "type" in articles.columns:
        slim = articles[["ticket_id", "created_at", "id", "type"]]
        first = slim.sort_values(["ticket_id", "created_at", "id"])
        first = first.drop_duplicates("ticket_id").set_index("ticket_id")["type"]
        channel = tickets["id"].map(first).fillna("").astype(str)
    elif "create_article_type_id" in tickets.columns:
        names = {v: k for k, v in ZAMMAD_ARTICLE_TYPE_IDS.items()}
        channel = tickets["create_article_type_id"].map(names).fillna("").astype(str)
    return own.where(own != "", channel)


# --------------------------------------------------------------------------------------------
# Applying the schedule


def apply_schedule(
    tickets: pd.DataFrame,
    schedule: Schedule,
    as_of: pd.Timestamp,
    articles: pd.DataFrame | None = None,
    placeholder_id: int | None = None,
) -> pd.DataFrame:
    """Give every ticket its rule, the date its period runs from, when it ends, and if it has.

    Args:
        tickets: the inventory's tickets (only those created before ``as_of`` are used).
        schedule: the loaded schedule.
        as_of: the moment of the review (tz-aware).
        articles: the inventory's articles, to tell how each ticket came in (``type``).
        placeholder_id: the anonymous placeholder customer: a ticket of an anonymise rule
            that already belongs to it was anonymised, so it is not past its period any more.

    Returns:
        One row per ticket: ``id, number, state, group, type, rule, action, period,
        counted_from, reference, due_on, past_period, age_months, age``. ``reference`` is the
        date the period is counted from, ``due_on`` the day it ends (NaT when it never does,
        e.g. a ``closed`` rule on a ticket never closed).

    """
    tickets = as_of_frame(tickets, as_of)
    frame = pd.DataFrame(
        {
            "id": tickets["id"].to_numpy(),
            "number": tickets["number"].astype(str).to_numpy(),
            "state": tickets["state"].fillna("").astype(str).to_numpy(),
            "group": tickets["group"].fillna("").astype(str).to_numpy(),
        },
        index=tickets.index,
    )
    frame["type"] = ticket_types(tickets, articles).to_numpy()
    activity = last_activity(tickets, as_of)
    measures = {
        "last_activity": activity,
        "closed": clip(tickets["close_at"], as_of)
        if "close_at" in tickets.columns
        else pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[ns, UTC]"),
        "created": clip(tickets["created_at"], as_of),
    }
    frame["rule"] = pd.Series(pd.NA, index=frame.index, dtype="object")
    frame["reference"] = pd.Series(pd.NaT, index=frame.index, dtype=activity.dtype)
    frame["due_on"] = pd.Series(pd.NaT, index=frame.index, dtype=activity.dtype)
    for column in ("action", "period", "counted_from"):
        frame[column] = ""
    for rule in schedule.all_rules:
        mask = frame["rule"].isna() & rule.matches(frame)
        if not mask.any():
            continue
        reference = measures[rule.measure_from][mask]
        frame.loc[mask, "rule"] = rule.name
        frame.loc[mask, "action"] = rule.action
        frame.loc[mask, "period"] = period_text(rule)
        frame.loc[mask, "counted_from"] = MEASURES[rule.measure_from]
        frame.loc[mask, "reference"] = reference
        if rule.period is not None:  # a kept ticket never comes due
            frame.loc[mask, "due_on"] = reference + rule.period.offset
    frame["rule"] = frame["rule"].astype(str)
    frame["past_period"] = (frame["due_on"] <= as_of).fillna(False).astype(bool)
    if placeholder_id is not None:
        done = (tickets["customer_id"] == placeholder_id).to_numpy() & (
            frame["action"] == "anonymise"
        ).to_numpy()
        frame.loc[done, "past_period"] = False
    frame["age_months"] = months_between(frame["reference"], as_of)
    frame["age"] = age_text(frame["age_months"])
    return frame.reset_index(drop=True)


def period_text(rule: Rule) -> str:
    """Return a rule's period as text (``6 years``), or ``no end`` for a kept ticket."""
    return str(rule.period) if rule.period is not None else "no end"


def past_period(applied: pd.DataFrame) -> pd.DataFrame:
    """Return the tickets past their period, longest overdue first."""
    due = applied[applied["past_period"]]
    return due.sort_values(["due_on", "id"]).reset_index(drop=True)


def rule_summary(applied: pd.DataFrame, schedule: Schedule) -> pd.DataFrame:
    """Summarise each rule (in order): what it matches, its period, how many tickets."""
    counts = applied.groupby("rule").size()
    due = applied[applied["past_period"]].groupby("rule").size()
    rows = []
    for rule in schedule.all_rules:
        rows.append(
            {
                "rule": rule.name,
                "applies_to": rule.describe_match(),
                "period": period_text(rule),
                "counted_from": MEASURES[rule.measure_from],
                "action": rule.action,
                "tickets": int(counts.get(rule.name, 0)),
                "past_period": int(due.get(rule.name, 0)),
                "reason": rule.reason,
            }
        )
    return pd.DataFrame(rows)


def action_counts(applied: pd.DataFrame) -> dict[str, int]:
    """Count the tickets past their period by action (every action listed)."""
    due = applied[applied["past_period"]]["action"].value_counts()
    return {action: int(due.get(action, 0)) for action in ACTIONS}


# --------------------------------------------------------------------------------------------
# Age


def _top(values: pd.Series, limit: int) -> pd.Series:
    # Keep the chart and the table readable: the biggest categories, the rest as "other".
    values = values.fillna("").astype(str).replace("", "(none)")
    keep = values.value_counts().index[:limit]
    return values.where(values.isin(keep), "other")


def tickets_by_year_created(
    tickets: pd.DataFrame, by: str = "state", *, limit: int = 8
) -> pd.DataFrame:
    """Count tickets by the year they were created (rows) and ``by`` (columns), with totals."""
    if tickets.empty:
        return pd.DataFrame({"Total": pd.Series(dtype=int)})
    years = tickets["created_at"].dt.year.astype("Int64").rename("year created")
    table = pd.crosstab(years, _top(tickets[by], limit).rename(by))
    return _with_totals(table)


def activity_bucket(tickets: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Put each ticket's time since last activity in an ordered bucket (ACTIVITY_BUCKETS)."""
    activity = last_activity(tickets, as_of)
    labels = [label for _, label in ACTIVITY_BUCKETS]
    result = pd.Series(labels[-1], index=tickets.index, dtype=object)
    # Walk from the longest bucket to the shortest so each ticket ends in the tightest one.
    for offset, label in reversed(ACTIVITY_BUCKETS[:-1]):
        result = result.mask(activity > as_of - offset, label)
    return pd.Series(pd.Categorical(result, categories=labels, ordered=True), index=tickets.index)


def tickets_by_inactivity(
    tickets: pd.DataFrame, as_of: pd.Timestamp, by: str = "state", *, limit: int = 8
) -> pd.DataFrame:
    """Count tickets by time since last activity (rows, every bucket) and ``by`` (columns)."""
    if tickets.empty:
        return pd.DataFrame({"Total": pd.Series(dtype=int)})
    buckets = activity_bucket(tickets, as_of).rename("since last activity")
    table = pd.crosstab(buckets, _top(tickets[by], limit).rename(by), dropna=False)
    table = table.reindex(buckets.cat.categories, fill_value=0)
    table.index.name = "since last activity"
    return _with_totals(table)


def _with_totals(table: pd.DataFrame) -> pd.DataFrame:
    table = table.astype(int)
    table.columns = [str(c) for c in table.columns]
    table["Total"] = table.sum(axis=1)
    total = table.sum(axis=0).to_frame().T
    total.index = ["Total"]
    table.index = table.index.astype(str)
    return pd.concat([table, total])
