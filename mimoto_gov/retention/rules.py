"""The retention schedule: load it, check it, and apply it to the Zammad inventory.

The schedule is ``data/policy/retention.yml``, a file staff edit (its comments explain every
field). Rules match tickets by state, group or type (how the ticket came in) and give each a
period, the date it is counted from and an action: delete, anonymise or review. The first
matching rule wins; the rest take the default.

Dates: a review "as at" a moment only sees tickets created before it, and a timestamp later
than that moment counts as activity *at* that moment (the ticket was alive then). So a past
month can be reviewed again from a newer snapshot without tickets looking older than they were.

Everything here takes and returns plain pandas frames (UTC timestamps), so each figure of the
monthly review can be tested on hand-made data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.files import read_yaml
from mimoto_gov.settings import POLICY_DIR
from mimoto_gov.zammad import seeds

ACTIONS = ("delete", "anonymise", "review")
MEASURES = {
    "last_activity": "last activity",
    "closed": "closing date",
    "created": "creation date",
}
MATCH_KEYS = ("state", "group", "type")
STATUSES = ("proposed", "approved")
SCHEDULE_FILE = "retention.yml"

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*(day|days|month|months|year|years)\s*$", re.IGNORECASE)
_TOP_KEYS = {
    "version",
    "status",
    "approved_on",
    "owner",
    "published_policy",
    "rules",
    "default",
    "customers",
}
_RULE_KEYS = {"name", "match", "period", "from", "action", "reason"}

# Zammad seeds these ids on every install (db/seeds/ticket_states.rb, ticket_article_types.rb);
# an instance with custom states has others, so the snapshot's own ids win when it has them.
ZAMMAD_STATE_IDS = seeds.STATE_IDS
ZAMMAD_ARTICLE_TYPE_IDS = {
    name: type_id
    for name, type_id in seeds.ARTICLE_TYPE_IDS.items()
    if type_id in (1, 2, 3, 4, 5, 10, 11)
}

# Buckets of time since last activity, shortest first; the labels are what the report shows.
ACTIVITY_BUCKETS = (
    (pd.DateOffset(months=3), "under 3 months"),
    (pd.DateOffset(years=1), "3 to 12 months"),
    (pd.DateOffset(years=2), "1 to 2 years"),
    (pd.DateOffset(years=3), "2 to 3 years"),
    (pd.DateOffset(years=6), "3 to 6 years"),
    (None, "6 years or more"),
)


# --------------------------------------------------------------------------------------------
# The schedule


@dataclass(frozen=True)
class Period:
    """A retention period: a whole number of days, months or years."""

    amount: int
    unit: str  # "days", "months" or "years"

    @classmethod
    def parse(cls, text: Any) -> Period:
        """Read ``"18 months"``-style text; raise ``ValueError`` on anything else."""
        match = _PERIOD_RE.match(str(text)) if text is not None else None
        if not match or int(match.group(1)) <= 0:
            raise ValueError(f"period {text!r} is not like '90 days', '18 months' or '6 years'")
        unit = match.group(2).lower()
        return cls(int(match.group(1)), unit if unit.endswith("s") else unit + "s")

    @property
    def offset(self) -> pd.DateOffset:
        """Return the period as a calendar offset (months and years follow the calendar)."""
        return pd.DateOffset(**{self.unit: self.amount})

    @property
    def zammad_range(self) -> str:
        """Return the unit as Zammad's relative date conditions name it (day, month, year)."""
        return self.unit[:-1]

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class Rule:
    """One line of the schedule: which tickets, how long, counted from what, then what."""

    name: str
    period: Period
    action: str
    measure_from: str = "last_activity"
    match: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reason: str = ""

    def matches(self, tickets: pd.DataFrame) -> pd.Series:
        """Return a mask of the tickets this rule's ``match`` selects (all for no match)."""
        mask = pd.Series(True, index=tickets.index)
        for key, values in self.match:
            column = tickets[key] if key in tickets.columns else pd.Series("", index=tickets.index)
            wanted = {v.casefold() for v in values}
            mask &= column.fillna("").astype(str).str.casefold().isin(wanted)
        return mask

    def describe_match(self) -> str:
        """Describe the match in words, e.g. ``state closed; group Sales``."""
        if not self.match:
            return "every other ticket"
        return "; ".join(f"{key} {', '.join(values)}" for key, values in self.match)


@dataclass(frozen=True)
class Schedule:
    """The retention schedule as loaded from ``retention.yml``."""

    version: str
    status: str
    owner: str
    published_policy: str
    rules: tuple[Rule, ...]
    default: Rule
    inactive_after: Period
    approved_on: date | None = None
    source: str = SCHEDULE_FILE
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """Return the rules in order, then the default."""
        return (*self.rules, self.default)

    @property
    def approved(self) -> bool:
        """Tell whether staff have approved the schedule (else its periods are proposals)."""
        return self.status == "approved"


def repository_schedule_path() -> Path:
    """Return the schedule tracked in the repository (``data/policy/retention.yml``)."""
    return POLICY_DIR / SCHEDULE_FILE


def default_schedule_path(policy_dir: Path | None = None) -> Path:
    """Return where the schedule is read from when no path is given.

    ``<data dir>/policy/retention.yml`` when it exists (the working copy staff edit), else the
    copy tracked in the repository, so a data folder holding only a snapshot still works.
    """
    if policy_dir is None:
        from mimoto_gov.settings import load_settings

        policy_dir = load_settings().policy_dir
    candidate = Path(policy_dir) / SCHEDULE_FILE
    return candidate if candidate.is_file() else repository_schedule_path()


def load_schedule(path: Path | str | None = None) -> Schedule:
    """Read and check the retention schedule.

    Args:
        path: the YAML file; by default :func:`default_schedule_path`.

    Returns:
        The checked :class:`Schedule`.

    Raises:
        ConfigError: the file is missing, is not YAML, or breaks a rule of the format; the
            one-line message names the file and the faulty entry.

    """
    path = Path(path) if path is not None else default_schedule_path()
    return parse_schedule(read_yaml(path, "retention schedule"), source=path.name)


def parse_schedule(data: Any, source: str = SCHEDULE_FILE) -> Schedule:
    """Check a schedule already read from YAML (see :func:`load_schedule`).

    Raises:
        ConfigError: one line naming ``source`` and the faulty entry.

    """

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    if not isinstance(data, dict):
        raise fail("expected a mapping with 'version', 'rules' and 'default'")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (expected {', '.join(sorted(_TOP_KEYS))})")
    version = data.get("version")
    if version is None or not str(version).strip():
        raise fail("'version' is missing: give the schedule a version, e.g. \"2026-11-a\"")
    status = str(data.get("status") or "proposed").strip().lower()
    if status not in STATUSES:
        raise fail(f"status {status!r} must be 'proposed' or 'approved'")
    approved_on = data.get("approved_on")
    if approved_on is not None and not isinstance(approved_on, date):
        raise fail(f"approved_on {approved_on!r} is not a date like 2026-12-01")
    if status == "approved" and approved_on is None:
        raise fail("status is 'approved' but approved_on (the date) is missing")

    rules_data = data.get("rules") or []
    if not isinstance(rules_data, list):
        raise fail("'rules' must be a list of rules")
    rules = []
    names = set()
    for index, item in enumerate(rules_data, start=1):
        rule = _parse_rule(item, f"rule {index}", fail, needs_match=True)
        if rule.name.casefold() in names:
            raise fail(f"rule {index}: the name {rule.name!r} is used twice")
        names.add(rule.name.casefold())
        rules.append(rule)
    if "default" not in data:
        raise fail("'default' is missing: it gives the period for tickets no rule matches")
    default_data = data["default"]
    if isinstance(default_data, dict):
        default_data = {"name": "Default", **default_data}
    default = _parse_rule(default_data, "default", fail, needs_match=False)

    customers = data.get("customers") or {}
    if not isinstance(customers, dict):
        raise fail("'customers' must be a mapping with 'inactive_after'")
    try:
        inactive_after = Period.parse(customers.get("inactive_after", "3 years"))
    except ValueError as error:
        raise fail(f"customers: inactive_after: {error}") from None

    return Schedule(
        version=str(version).strip(),
        status=status,
        owner=str(data.get("owner") or "").strip(),
        published_policy=" ".join(str(data.get("published_policy") or "").split()),
        rules=tuple(rules),
        default=default,
        inactive_after=inactive_after,
        approved_on=approved_on,
        source=source,
    )


def _parse_rule(item: Any, where: str, fail, *, needs_match: bool) -> Rule:
    if not isinstance(item, dict):
        raise fail(f"{where}: expected a mapping with name, match, period and action")
    label = f"{where} ({item['name']!r})" if item.get("name") else where
    unknown = sorted(set(map(str, item)) - _RULE_KEYS)
    if unknown:
        raise fail(
            f"{label}: unknown key {unknown[0]!r} (expected {', '.join(sorted(_RULE_KEYS))})"
        )
    name = str(item.get("name") or "").strip()
    if not name:
        raise fail(f"{label}: 'name' is missing")
    if "period" not in item:
        raise fail(f"{label}: 'period' is missing")
    try:
        period = Period.parse(item["period"])
    except ValueError as error:
        raise fail(f"{label}: {error}") from None
    action = str(item.get("action") or "").strip().lower()
    if action not in ACTIONS:
        shown = item.get("action")
        raise fail(f"{label}: action {shown!r} must be one of {', '.join(ACTIONS)}")
    measure = str(item.get("from") or "last_activity").strip().lower()
    if measure not in MEASURES:
        raise fail(f"{label}: from {item.get('from')!r} must be one of {', '.join(MEASURES)}")

    match_data = item.get("match")
    if not needs_match and match_data:
        raise fail(f"{label}: the default applies to every other ticket and takes no 'match'")
    match = []
    if needs_match:
        if not isinstance(match_data, dict) or not match_data:
            raise fail(f"{label}: 'match' needs at least one of {', '.join(MATCH_KEYS)}")
        for key, values in match_data.items():
            if key not in MATCH_KEYS:
                raise fail(f"{label}: unknown match key {key!r} (use {', '.join(MATCH_KEYS)})")
            values = values if isinstance(values, list) else [values]
            cleaned = tuple(str(v).strip() for v in values if str(v or "").strip())
            if not cleaned:
                raise fail(f"{label}: match {key} is empty")
            match.append((key, cleaned))
    reason = " ".join(str(item.get("reason") or "").split())
    return Rule(name, period, action, measure, tuple(match), reason)


# --------------------------------------------------------------------------------------------
# Dates of activity


def as_of_frame(
    frame: pd.DataFrame, as_of: pd.Timestamp, column: str = "created_at"
) -> pd.DataFrame:
    """Keep the rows that existed at ``as_of`` (created before it, or undated)."""
    if column not in frame.columns or frame.empty:
        return frame
    created = frame[column]
    keep = created.isna() | (created < as_of)
    # Filtering copies every column (article bodies included): skip it when nothing goes.
    return frame if keep.all() else frame[keep]


def _clip(series: pd.Series, as_of: pd.Timestamp | None) -> pd.Series:
    # Activity after the review's moment happened, so the ticket was alive then: count it as
    # activity at that moment rather than losing it (which would make the ticket look older).
    if as_of is None:
        return series
    return series.where(series.isna() | (series <= as_of), as_of)


def last_activity(tickets: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.Series:
    """Return the latest of last contact and closing, else creation, for each ticket.

    ``updated_at`` is deliberately left out: Zammad moves it for housekeeping (tags, scheduler
    runs, our own anonymisation), which would restart every clock.
    """
    parts = [
        _clip(tickets[c], as_of) for c in ("last_contact_at", "close_at") if c in tickets.columns
    ]
    if parts:
        latest = pd.concat(parts, axis=1).max(axis=1)
    else:
        latest = pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[ns, UTC]")
    return latest.fillna(_clip(tickets["created_at"], as_of))


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


def _as_utc(series: pd.Series) -> pd.Series:
    # An empty or all-missing column can come out of pandas as plain objects (no rows to
    # infer a type from); the date arithmetic below needs real UTC timestamps.
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series
    return pd.to_datetime(series, utc=True)


def months_between(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Count whole calendar months from each ``start`` to ``end`` (NaN where missing)."""
    start = _as_utc(start)
    months = (end.year - start.dt.year) * 12 + (end.month - start.dt.month)
    # A month is only complete once its day (and time) is reached again.
    incomplete = (start.dt.day > end.day) | (
        (start.dt.day == end.day) & (start.dt.strftime("%H%M%S") > end.strftime("%H%M%S"))
    )
    return (months - incomplete.astype(int)).astype("Float64")


def age_text(months: pd.Series) -> pd.Series:
    """Write whole months as text: ``7 years 2 months``, ``11 months``, ``under a month``."""

    def one(value) -> str:
        if pd.isna(value):
            return ""
        value = max(int(value), 0)
        years, rest = divmod(value, 12)
        parts = []
        if years:
            parts.append(f"{years} year" + ("s" if years != 1 else ""))
        if rest:
            parts.append(f"{rest} month" + ("s" if rest != 1 else ""))
        return " ".join(parts) or "under a month"

    return months.map(one).astype(str)


# --------------------------------------------------------------------------------------------
# Applying the schedule


def apply_schedule(
    tickets: pd.DataFrame,
    schedule: Schedule,
    as_of: pd.Timestamp,
    articles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Give every ticket its rule, the date its period runs from, when it ends, and if it has.

    Args:
        tickets: the inventory's tickets (only those created before ``as_of`` are used).
        schedule: the loaded schedule.
        as_of: the moment of the review (tz-aware).
        articles: the inventory's articles, to tell how each ticket came in (``type``).

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
        "closed": _clip(tickets["close_at"], as_of)
        if "close_at" in tickets.columns
        else pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[ns, UTC]"),
        "created": _clip(tickets["created_at"], as_of),
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
        frame.loc[mask, "period"] = str(rule.period)
        frame.loc[mask, "counted_from"] = MEASURES[rule.measure_from]
        frame.loc[mask, "reference"] = reference
        frame.loc[mask, "due_on"] = reference + rule.period.offset
    frame["rule"] = frame["rule"].astype(str)
    frame["past_period"] = (frame["due_on"] <= as_of).fillna(False).astype(bool)
    frame["age_months"] = months_between(frame["reference"], as_of)
    frame["age"] = age_text(frame["age_months"])
    return frame.reset_index(drop=True)


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
                "period": str(rule.period),
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
# What would enforce it in Zammad


def zammad_job(
    rule: Rule,
    *,
    state_ids: dict[str, int] | None = None,
    group_ids: dict[str, int] | None = None,
    type_ids: dict[str, int] | None = None,
) -> dict:
    """Build the Zammad scheduler (``POST /api/v1/jobs``) that would enforce one rule.

    The job is created inactive: staff check its preview in Admin > Scheduler before switching
    it on. Deletion goes through data-privacy tasks rather than "delete immediately" so that
    Zammad logs each one. Zammad has no "anonymise" action, so anonymise and review rules tag
    the tickets for the workbook's follow-up instead. Names without a known id are kept in
    ``note`` so nothing is silently dropped.

    Args:
        rule: the rule (the default rule works too: it matches on time alone).
        state_ids: state name -> Zammad id (by default Zammad's seeded ids).
        group_ids: group name -> Zammad id (from the snapshot when it has them).
        type_ids: article type name -> Zammad id (by default Zammad's seeded ids).

    Returns:
        The JSON body as a dict, with an extra ``note`` key for people.

    """
    lookups = {
        "state": ("ticket.state_id", {**ZAMMAD_STATE_IDS, **_fold(state_ids)}),
        "group": ("ticket.group_id", _fold(group_ids)),
        "type": ("ticket.create_article_type_id", {**ZAMMAD_ARTICLE_TYPE_IDS, **_fold(type_ids)}),
    }
    condition: dict[str, dict] = {}
    notes = []
    for key, values in rule.match:
        attribute, ids = lookups[key]
        known = [str(ids[v.casefold()]) for v in values if v.casefold() in ids]
        missing = [v for v in values if v.casefold() not in ids]
        if known:
            condition[attribute] = {"operator": "is", "value": known}
        if missing and key == "type":
            # Not a channel: Zammad's own ticket type attribute, matched by name.
            condition["ticket.type"] = {"operator": "is", "value": missing}
        elif missing:
            notes.append(f"look up the id of {key} {', '.join(missing)} and add it to {attribute}")
    relative = {
        "operator": "before (relative)",
        "value": str(rule.period.amount),
        "range": rule.period.zammad_range,
    }
    if rule.measure_from == "created":
        condition["ticket.created_at"] = relative
    elif rule.measure_from == "closed":
        condition["ticket.close_at"] = relative
    else:
        condition["ticket.last_contact_at"] = dict(relative)
        states = {s.casefold() for s in dict(rule.match).get("state", ())}
        if states == {"closed"}:
            # Zammad conditions are all-of: both dates before the limit is "the latest of them".
            condition["ticket.close_at"] = dict(relative)
        else:
            notes.append(
                "Zammad cannot take the later of two dates: this job counts from the last "
                "contact only, so check its preview before switching it on"
            )
    if rule.action == "delete":
        perform = {"ticket.action": {"value": "data_privacy_deletion_task"}}
    else:
        perform = {"ticket.tags": {"operator": "add", "value": f"retention-{rule.action}"}}
        notes.append(
            f"Zammad cannot {rule.action} by itself: the job tags the tickets "
            f"retention-{rule.action} for the workbook's follow-up"
        )
    return {
        "name": f"Retention: {rule.name} ({rule.period}, {rule.action})",
        "object": "Ticket",
        "condition": condition,
        "perform": perform,
        "disable_notification": True,
        "timeplan": {
            "days": dict.fromkeys(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), True),
            "hours": {"2": True},
            "minutes": {"0": True},
        },
        "active": False,
        "note": "; ".join(notes),
    }


def _fold(mapping: dict[str, int] | None) -> dict[str, int]:
    return {str(k).casefold(): int(v) for k, v in (mapping or {}).items()}


def zammad_jobs(schedule: Schedule, tickets: pd.DataFrame | None = None) -> list[dict]:
    """Build one inactive Zammad scheduler per rule, default included, ids from the snapshot.

    When ``tickets`` has ``state_id`` / ``group_id`` columns beside the names, those ids are
    used; otherwise states fall back to Zammad's seeded ids and groups are left to a note.
    """
    ids: dict[str, dict[str, int]] = {}
    if tickets is not None:
        for key in ("state", "group"):
            if f"{key}_id" in tickets.columns:
                pairs = tickets[[key, f"{key}_id"]].dropna().drop_duplicates(key)
                ids[key] = dict(zip(pairs[key].astype(str), pairs[f"{key}_id"], strict=True))
    return [
        zammad_job(rule, state_ids=ids.get("state"), group_ids=ids.get("group"))
        for rule in schedule.all_rules
    ]


def privacy_task_bodies(due: pd.DataFrame) -> list[dict]:
    """Build the data-privacy task bodies (``POST /api/v1/data_privacy_tasks``) to delete."""
    rows = due[due["action"] == "delete"]
    return [{"deletable_type": "Ticket", "deletable_id": int(i)} for i in rows["id"]]


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


# --------------------------------------------------------------------------------------------
# Customers

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
    activity = _as_utc(last_activity(tickets, as_of))
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
    frame["last_ticket_activity"] = _as_utc(ticket_at.set_axis(users.index))
    never = pd.Series(pd.NaT, index=users.index, dtype="datetime64[us, UTC]")
    login = _clip(users["last_login"], as_of) if "last_login" in users.columns else never
    frame["last_login"] = _as_utc(login)
    # The later of the two, element by element: a row-wise max() turns all-missing to floats.
    ticket_at, login_at = frame["last_ticket_activity"], frame["last_login"]
    latest = ticket_at.where(login_at.isna() | (ticket_at >= login_at), login_at)
    frame["last_activity"] = latest.fillna(_clip(_as_utc(users["created_at"]), as_of))
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
