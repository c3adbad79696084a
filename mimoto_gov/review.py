"""The monthly retention review: gather every figure once, hand each section to the notebook.

``notebooks/retention_review.ipynb`` builds one :class:`RetentionReview` with
:func:`build_review` and then shows one table or chart per cell from it; ``mimoto-gov review``
runs that notebook through :func:`run_review` into
``reports/retention-review/YYYY-MM/retention-review.{ipynb,html,pdf}``.

A review is "as at" the end of its month (midnight UK time at the start of the next month),
or the snapshot's time if that is earlier. Each run writes ``summary.json`` beside the report;
next month's review compares itself with it ("what changed"). When there is no earlier
summary, last month's figures are rebuilt from the current snapshot and labelled as such.

Scanning every article body for personal data is the slow part, so the findings are kept in
the private data folder keyed by article id and date: a later month only scans what is new
or changed, and nothing but masked values is ever stored.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import inspect
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov import retention
from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import InputError, MimotoGovError, SnapshotError
from mimoto_gov.files import private_dir, write_bytes, write_text

REPORT_KIND = "retention-review"
REPORT_FILENAME = "retention-review"
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "retention_review.ipynb"
SUMMARY_FILE = "summary.json"
LIST_LIMIT = 50
# `mimoto-gov review` tells the notebook where the report's CSV lists go through this variable
# rather than a parameter, so that a temporary path does not clutter the report's run box.
OUTPUT_ENV = "MIMOTO_GOV_REVIEW_OUTPUT"
# Kinds that have no business in a support ticket at all; contact details (email, phone,
# postcode, IP address) are normal in correspondence and only count against a title.
SENSITIVE_KINDS = ("card_number", "iban", "ni_number")
KIND_LABELS = {
    "email": "Email address",
    "phone": "Phone number",
    "card_number": "Payment card number",
    "iban": "Bank account (IBAN)",
    "ni_number": "National Insurance number",
    "postcode": "Postcode",
    "ip_address": "IP address",
}
# The same kinds in the middle of a sentence ("2 payment card numbers").
KIND_NOUNS = {
    "email": "email address",
    "phone": "phone number",
    "card_number": "payment card number",
    "iban": "bank account (IBAN)",
    "ni_number": "National Insurance number",
    "postcode": "postcode",
    "ip_address": "IP address",
}
PLACE_LABELS = {"title": "ticket title", "subject": "article subject", "body": "article body"}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# --------------------------------------------------------------------------------------------
# Months


def previous_month(today: date | None = None) -> str:
    """Return the calendar month before ``today`` (UK time) as ``YYYY-MM``.

    Counted from the first of this month minus one day: "one month ago" on 31 March would be
    3 March, still in March.
    """
    today = today or datetime.now(UK_TIME).date()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def parse_month(month: str | None, today: date | None = None) -> str:
    """Check a ``YYYY-MM`` month; empty or None means the previous calendar month.

    Raises:
        InputError: one line naming the bad value, or a month that has not begun.

    """
    if month is None or not str(month).strip():
        return previous_month(today)
    text = str(month).strip()
    match = _MONTH_RE.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise InputError(f"month {text!r} is not a month like 2026-10 (YYYY-MM)")
    today = today or datetime.now(UK_TIME).date()
    if date(int(match.group(1)), int(match.group(2)), 1) > today:
        raise InputError(f"month {text} has not begun yet: nothing to review")
    return text


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the start of a month and of the next one (UK midnight), in UTC."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UK_TIME)
    end_day = date(year, number, calendar.monthrange(year, number)[1]) + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, 1, tzinfo=UK_TIME)
    return pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")


def month_label(month: str) -> str:
    """Write ``2026-10`` as ``October 2026``."""
    year, number = (int(part) for part in month.split("-"))
    return f"{calendar.month_name[number]} {year}"


def month_before(month: str) -> str:
    """Return the month before a ``YYYY-MM`` month."""
    year, number = (int(part) for part in month.split("-"))
    return previous_month(date(year, number, 1) + timedelta(days=1))


# --------------------------------------------------------------------------------------------
# UK formats


def uk_date(value: Any) -> str:
    """Format a timestamp as ``1 Nov 2026`` (UK time), empty when missing."""
    from mimoto_gov.display import format_uk_date

    if value is None or pd.isna(value):
        return ""
    return format_uk_date(value)


def uk_datetime(value: Any) -> str:
    """Format a timestamp as ``1 Nov 2026 06:15 GMT`` (UK time), empty when missing."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    stamp = stamp.tz_convert(UK_TIME)
    return f"{stamp.day} {stamp:%b %Y %H:%M %Z}"


def _dates(series: pd.Series) -> pd.Series:
    # Vectorised "1 Nov 2026" (UK time), for lists of tens of thousands of rows.
    if series.empty:
        return series.astype(str)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.map(uk_date).astype(str)
    stamps = series.dt.tz_convert(UK_TIME) if series.dt.tz is not None else series
    text = stamps.dt.strftime("%d %b %Y").str.removeprefix("0")
    return text.fillna("").astype(str)


def thousands(value: Any) -> str:
    """Format an integer with thousands separators (``12,345``)."""
    return f"{int(value):,}"


def size_text(size: int) -> str:
    """Format bytes in words: ``1.2 GB (1,234,567,890 bytes)``."""
    size = int(size)
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{size / factor:,.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"


# --------------------------------------------------------------------------------------------
# Personal data in the text, with a cache of earlier scans


def _scanner_fingerprint() -> str:
    # A change to the scanner (new kind, better validation) must invalidate cached findings.
    from mimoto_gov import pii

    source = inspect.getsource(pii)
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def _stamps(frame: pd.DataFrame) -> pd.Series:
    column = "updated_at" if "updated_at" in frame.columns else "created_at"
    stamps = pd.to_datetime(frame[column], utc=True)
    return stamps.astype("int64").where(stamps.notna(), 0).astype("int64")


_FINDING_COLUMNS = ["source", "id", "column", "kind", "start", "end", "masked"]


def scan_inventory(
    tickets: pd.DataFrame,
    articles: pd.DataFrame,
    cache_dir: Path | None = None,
    keep: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Scan ticket titles and article subjects and bodies for personal data, reusing a cache.

    Args:
        tickets: tickets to scan (their ``title``).
        articles: articles to scan (``subject`` and ``body``).
        cache_dir: private folder for the cache; None scans everything and stores nothing.
        keep: the snapshot's whole tickets and articles: their cached findings are kept even
            when this scan does not cover them (reviewing a past month again must not throw
            away the scans of later months). Without it the cache keeps only this scan.

    Returns:
        ``(findings, stats)``: findings with columns ``source, id, column, kind, start, end,
        masked, ticket_id`` (``source`` is ``ticket`` or ``article``) and
        ``{"scanned": n, "reused": m}`` counting texts (rows) scanned now and taken from cache.

    """
    from mimoto_gov.pii import scan_frame

    fingerprint = _scanner_fingerprint()
    items = _items(tickets, articles)
    cached_items, cached_findings = _read_cache(cache_dir, fingerprint)
    if cached_items is not None:
        merged = items.merge(cached_items, on=["source", "id", "stamp"], how="left", indicator=True)
        fresh = merged["_merge"].eq("both").to_numpy()
    else:
        fresh = pd.Series(False, index=items.index).to_numpy()
    reuse = items[fresh]
    todo = items[~fresh]

    parts = []
    if cached_findings is not None and not reuse.empty:
        reused = cached_findings.merge(reuse[["source", "id"]], on=["source", "id"])
        parts.append(reused[_FINDING_COLUMNS])
    todo_tickets = tickets[tickets["id"].isin(todo.loc[todo["source"] == "ticket", "id"])]
    todo_articles = articles[articles["id"].isin(todo.loc[todo["source"] == "article", "id"])]
    if not todo_tickets.empty:
        found = scan_frame(todo_tickets, ["title"], "id")
        parts.append(found.assign(source="ticket")[_FINDING_COLUMNS])
    if not todo_articles.empty:
        found = scan_frame(todo_articles, ["subject", "body"], "id")
        parts.append(found.assign(source="article")[_FINDING_COLUMNS])
    findings = _concat_findings(parts)
    if cache_dir is not None:
        stored_items, stored_findings = items, findings
        if keep is not None and cached_items is not None:
            # Cached scans of texts the snapshot still holds, unchanged, outside this scan.
            still = cached_items.merge(_items(*keep), on=["source", "id", "stamp"])
            extra = still.merge(items[["source", "id"]], how="left", indicator=True)
            extra = extra.loc[extra["_merge"] == "left_only", ["source", "id", "stamp"]]
            if not extra.empty:
                stored_items = pd.concat([items, extra], ignore_index=True)
                more = cached_findings.merge(extra[["source", "id"]], on=["source", "id"])
                stored_findings = _concat_findings([findings, more[_FINDING_COLUMNS]])
        _write_cache(cache_dir, fingerprint, stored_items, stored_findings)

    article_ticket = articles.set_index("id")["ticket_id"]
    findings["ticket_id"] = findings["id"].where(
        findings["source"] == "ticket", findings["id"].map(article_ticket)
    )
    stats = {"scanned": int(len(todo)), "reused": int(len(reuse))}
    return findings.reset_index(drop=True), stats


def _items(tickets: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"source": "ticket", "id": tickets["id"], "stamp": _stamps(tickets)}),
            pd.DataFrame({"source": "article", "id": articles["id"], "stamp": _stamps(articles)}),
        ],
        ignore_index=True,
    ).astype({"id": "int64"})


def _concat_findings(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(
            {
                "source": pd.Series(dtype=str),
                "id": pd.Series(dtype="int64"),
                "column": pd.Series(dtype=str),
                "kind": pd.Series(dtype=str),
                "start": pd.Series(dtype="int64"),
                "end": pd.Series(dtype="int64"),
                "masked": pd.Series(dtype=str),
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"id": "int64", "start": "int64", "end": "int64"})


def _read_cache(cache_dir: Path | None, fingerprint: str):
    if cache_dir is None:
        return None, None
    meta_path = Path(cache_dir) / "pii-cache.json"
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("scanner") != fingerprint:
            return None, None
        items = pd.read_parquet(Path(cache_dir) / "pii-scanned.parquet")
        findings = pd.read_parquet(Path(cache_dir) / "pii-findings.parquet")
    except (OSError, ValueError, KeyError):
        # A missing or damaged cache only costs a full scan.
        return None, None
    return items, findings


def _write_cache(cache_dir: Path, fingerprint: str, items: pd.DataFrame, findings) -> None:
    # Only what the snapshot still holds is kept, so a deleted ticket leaves the cache too.
    cache_dir = private_dir(Path(cache_dir))
    for name, frame in (("pii-scanned", items), ("pii-findings", findings[_FINDING_COLUMNS])):
        write_bytes(cache_dir / f"{name}.parquet", frame.to_parquet(index=False))
    write_text(cache_dir / "pii-cache.json", json.dumps({"scanner": fingerprint}))


# --------------------------------------------------------------------------------------------
# The review


@dataclass
class RetentionReview:
    """Every figure of one month's retention review, computed once.

    Build it with :func:`build_review`. The methods return the frames, texts and figures the
    notebook shows, already in the report's words and formats (UK dates, thousands separators,
    masked personal data).
    """

    month: str
    as_of: pd.Timestamp
    snapshot_time: pd.Timestamp | None
    schedule: retention.Schedule
    schedule_path: Path
    inventory: Any
    applied: pd.DataFrame
    findings: pd.DataFrame
    scan_stats: dict[str, int]
    staff: set
    previous: dict | None
    previous_source: str
    output_dir: Path | None = None
    data_dir: Path | None = None
    reports_dir: Path | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    # ---- frames limited to the review's moment -------------------------------------------

    @property
    def tickets(self) -> pd.DataFrame:
        """Return the tickets that existed at the review's moment."""
        return self._memo(
            "tickets", lambda: retention.as_of_frame(self.inventory.tickets, self.as_of)
        )

    @property
    def articles(self) -> pd.DataFrame:
        """Return the articles that existed at the review's moment."""
        return self._memo(
            "articles", lambda: retention.as_of_frame(self.inventory.articles, self.as_of)
        )

    @property
    def users(self) -> pd.DataFrame:
        """Return the user accounts that existed at the review's moment."""
        return self._memo("users", lambda: retention.as_of_frame(self.inventory.users, self.as_of))

    def _memo(self, key: str, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # ---- headline and actions -------------------------------------------------------------

    @property
    def title(self) -> str:
        """Return the title, e.g. ``Retention review: October 2026``."""
        return f"Retention review: {month_label(self.month)}"

    def summary(self) -> dict:
        """Return the figures next month's review compares with (``summary.json``)."""
        return self._memo("summary", lambda: _summarise(self))

    def actions(self) -> pd.DataFrame:
        """List the month's actions, most urgent first, derived from every section."""
        return self._memo("actions", lambda: _actions(self))

    def headline(self) -> str:
        """Say in one paragraph for the first page what needs doing this month."""
        actions = self.actions()
        due = self.summary()
        parts = [
            f"{self.moment_text()}, {thousands(due['tickets_past_period'])} of "
            f"{thousands(due['tickets'])} tickets were past their retention period"
        ]
        if due["tickets_past_period"]:
            parts[0] += (
                f" ({thousands(due['to_delete'])} to delete, {thousands(due['to_anonymise'])} "
                f"to anonymise, {thousands(due['to_review'])} to review)"
            )
        parts.append(
            f"{thousands(due['tickets_to_redact'])} tickets held personal data that should "
            "not be in a support ticket"
        )
        count = len(actions)
        lead = (
            "Nothing needs doing this month."
            if not count
            else (f"{count} action{'s' if count != 1 else ''} for this month, listed below.")
        )
        return "; ".join(parts) + ". " + lead

    def moment_text(self) -> str:
        """Say when the review is "as at": the month's end, or the snapshot's time if earlier."""
        if self.as_of >= month_bounds(self.month)[1]:
            return f"At the end of {month_label(self.month)}"
        return f"As at {uk_datetime(self.as_of)} (when the snapshot was taken)"

    def snapshot_warning(self) -> str | None:
        """Warn when the snapshot ends before the month does (pull first)."""
        end = month_bounds(self.month)[1]
        if self.snapshot_time is not None and self.snapshot_time < end:
            return (
                f"The snapshot was taken on {uk_datetime(self.snapshot_time)}, before the end of "
                f"{month_label(self.month)}: the figures stop there. Run `mimoto-gov pull` and "
                "then this review again for the whole month."
            )
        return None

    def schedule_notice(self) -> tuple[str, str]:
        """Return the schedule's standing as ``(text, level)`` for :func:`show_callout`."""
        schedule = self.schedule
        where = f" (file {self.schedule_path.name})"
        if schedule.approved:
            return (
                f"Retention schedule version {schedule.version}{where}, approved on "
                f"{uk_date(pd.Timestamp(schedule.approved_on))}"
                + (f" by the {schedule.owner.lower()}" if schedule.owner else "")
                + ". Check that the published privacy policy states these periods.",
                "info",
            )
        return (
            f"Retention schedule version {schedule.version}{where} is a PROPOSAL, not yet "
            "approved. "
            + (schedule.published_policy or 'The published policy says "stored indefinitely".'),
            "warning",
        )

    def record_run_info(self) -> None:
        """Record the snapshot time and schedule version for the report's run box."""
        from mimoto_gov.display import record_run_info

        record_run_info(
            snapshot_time=self.snapshot_time,
            policy_version=f"retention schedule {self.schedule.version} ({self.schedule.status})",
            month=month_label(self.month),
            figures_as_at=uk_datetime(self.as_of),
        )

    # ---- the policy's promises (the governance pack) --------------------------------------

    def commitments(self) -> pd.DataFrame:
        """Return every promise of the privacy policy with its status, evidence and action."""
        from mimoto_gov.commitments import check_commitments

        def compute() -> pd.DataFrame:
            table = check_commitments(
                data_dir=self.data_dir, reports_dir=self.reports_dir, today=_review_day(self)
            )
            shown = table[["promise", "status", "evidence", "action", "owner"]]
            return shown.rename(columns=str.capitalize)

        return self._memo("commitments", compute)

    def commitments_glance(self) -> pd.DataFrame:
        """Return the promises grouped by status (Status, How many, Promises): first-page size."""
        table = self.commitments()
        rows = []
        for status in ("not met", "evidence missing", "met"):
            promises = table.loc[table["Status"] == status, "Promise"].tolist()
            if promises:
                rows.append((status, len(promises), "; ".join(promises)))
        return pd.DataFrame(rows, columns=["Status", "How many", "Promises"])

    def policy_changes(self):
        """Return what changed in the privacy policy since the month began (from git)."""
        from mimoto_gov.commitments import policy_changes

        return self._memo("policy", lambda: policy_changes(month_bounds(self.month)[0].date()))

    def record_of_processing(self) -> pd.DataFrame:
        """Return the Article 30 record of processing (``data/policy/ropa.yml``) as a table."""
        from mimoto_gov.commitments import record_of_processing

        return record_of_processing()

    # ---- inventory and changes ------------------------------------------------------------

    def inventory_table(self) -> pd.DataFrame:
        """Return the inventory at a glance, with last month's figures and the change."""
        now = self.summary()
        before = self.previous or {}
        rows = [
            ("Tickets", "tickets"),
            ("Articles (messages and notes)", "articles"),
            ("Attachments", "attachments"),
            ("Attachment storage", "attachment_bytes"),
            ("User accounts", "users"),
            ("Organisations", "organisations"),
        ]
        return _comparison(rows, now, before, sizes={"attachment_bytes"})

    def changes_table(self) -> pd.DataFrame:
        """Compare the review's own figures this month with last month's."""
        now = self.summary()
        before = self.previous or {}
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
        return _comparison(rows, now, before)

    def changes_note(self) -> str:
        """Say where last month's figures come from."""
        return self.previous_source

    # ---- age --------------------------------------------------------------------------------

    def age_by_year(self, by: str = "state") -> pd.DataFrame:
        """Count tickets by year created and ``by`` (state or group), with totals."""
        return _labelled(retention.tickets_by_year_created(self.tickets, by), "Year created")

    def age_by_inactivity(self, by: str = "state") -> pd.DataFrame:
        """Count tickets by time since last activity and ``by`` (state or group)."""
        table = retention.tickets_by_inactivity(self.tickets, self.as_of, by)
        return _labelled(table, "Since last activity")

    def age_chart(self, by: str = "state"):
        """Chart tickets by year created and by time since last activity, split by ``by``."""
        from mimoto_gov import charts

        return charts.age_chart(
            retention.tickets_by_year_created(self.tickets, by),
            retention.tickets_by_inactivity(self.tickets, self.as_of, by),
            by=by,
            as_of_text=uk_date(self.as_of - pd.Timedelta(seconds=1)),
        )

    # ---- the schedule applied --------------------------------------------------------------

    def rules_table(self) -> pd.DataFrame:
        """List each rule with what it applies to, its period, action and tickets covered."""
        table = retention.rule_summary(self.applied, self.schedule)
        return pd.DataFrame(
            {
                "Rule": table["rule"],
                "Applies to": table["applies_to"],
                "Period": table["period"] + " after " + table["counted_from"],
                "Action": table["action"],
                "Tickets": table["tickets"],
                "Past period": table["past_period"],
            }
        )

    def rules_reasons(self) -> pd.DataFrame:
        """List why each rule's period is justified (the schedule's ``reason``)."""
        return pd.DataFrame(
            {
                "Rule": [rule.name for rule in self.schedule.all_rules],
                "Why this period": [
                    rule.reason or "(no reason given)" for rule in self.schedule.all_rules
                ],
            }
        )

    def rules_chart(self):
        """Chart each rule's tickets within and past their period."""
        from mimoto_gov import charts

        return charts.rules_chart(retention.rule_summary(self.applied, self.schedule))

    def past_period(self) -> pd.DataFrame:
        """List every ticket past its period (longest overdue first): number, age, rule, action."""
        due = retention.past_period(self.applied)
        return pd.DataFrame(
            {
                "Ticket": due["number"],
                "State": due["state"],
                "Group": due["group"],
                "Counted from": due["counted_from"] + " " + _dates(due["reference"]),
                "Age": due["age"],
                "Rule": due["rule"],
                "Period": due["period"],
                "Action": due["action"],
                "Due since": _dates(due["due_on"]),
            }
        )

    def zammad_jobs(self) -> list[dict]:
        """Build the inactive Zammad schedulers (``/api/v1/jobs`` bodies) enforcing the rules."""
        return retention.zammad_jobs(self.schedule, self.inventory.tickets)

    def zammad_jobs_table(self) -> pd.DataFrame:
        """Tabulate the schedulers: name, condition (JSON), what it does, what to check."""
        rows = []
        for job in self.zammad_jobs():
            perform = job["perform"]
            if "ticket.action" in perform:
                does = "creates a data-privacy task per ticket (deletes it, logged)"
            else:
                does = f"adds the tag {perform['ticket.tags']['value']}"
            rows.append(
                {
                    "Scheduler (created switched off)": job["name"],
                    "Condition (Zammad JSON)": json.dumps(
                        job["condition"], separators=(", ", ": ")
                    ),
                    "What it does": does,
                    "Check before switching it on": job["note"] or "its preview",
                }
            )
        return pd.DataFrame(rows)

    def privacy_tasks_note(self) -> str:
        """Say how many data-privacy tasks deleting the due tickets one by one would take."""
        bodies = retention.privacy_task_bodies(retention.past_period(self.applied))
        if not bodies:
            return "No ticket is due for deletion, so no data-privacy task is needed this month."
        example = json.dumps(bodies[0])
        return (
            f"Instead of a scheduler, {thousands(len(bodies))} data-privacy task"
            f"{'s' if len(bodies) != 1 else ''} (one per ticket to delete) would do the same: "
            f"POST /api/v1/data_privacy_tasks with a body like {example}. The file "
            "zammad-jobs.json beside this report holds the scheduler bodies."
        )

    # ---- personal data that should not be there -----------------------------------------------

    def pii_counts(self) -> pd.DataFrame:
        """Count findings by kind and where they were found, with the number of tickets."""
        findings = self.findings
        rows = []
        for kind in KIND_LABELS:
            of_kind = findings[findings["kind"] == kind]
            rows.append(
                {
                    "Kind": KIND_LABELS[kind],
                    "In titles": int((of_kind["column"] == "title").sum()),
                    "In subjects": int((of_kind["column"] == "subject").sum()),
                    "In bodies": int((of_kind["column"] == "body").sum()),
                    "Findings": int(len(of_kind)),
                    "Tickets": int(of_kind["ticket_id"].nunique()),
                    "Should not be there": "yes" if kind in SENSITIVE_KINDS else "only in titles",
                }
            )
        return pd.DataFrame(rows)

    def pii_chart(self):
        """Chart the findings by kind."""
        from mimoto_gov import charts

        return charts.pii_chart(self.pii_counts())

    def redaction_findings(self) -> pd.DataFrame:
        """Return the findings that make a ticket one to redact (sensitive, or in a title)."""
        findings = self.findings
        keep = findings["kind"].isin(SENSITIVE_KINDS) | (findings["column"] == "title")
        return findings[keep]

    def tickets_to_redact(self) -> pd.DataFrame:
        """List tickets holding personal data that should not be there (masked values only)."""
        return self._memo("redact", lambda: _tickets_to_redact(self))

    def scan_note(self) -> str:
        """Say what was scanned, and how much came from the cache of earlier months."""
        stats = self.scan_stats
        total = stats["scanned"] + stats["reused"]
        return (
            f"Scanned {thousands(len(self.tickets))} ticket titles and the subjects and bodies of "
            f"{thousands(len(self.articles))} articles: {thousands(stats['scanned'])} of "
            f"{thousands(total)} texts were new or changed since the last scan, the rest came "
            "from the scan cache. Only masked values are shown or stored."
        )

    # ---- customers ---------------------------------------------------------------------------

    def _inactive_frame(self) -> pd.DataFrame:
        return self._memo(
            "inactive",
            lambda: retention.inactive_customers(
                self.users, self.tickets, self.as_of, self.schedule.inactive_after, self.staff
            ),
        )

    def _without_frame(self) -> pd.DataFrame:
        return self._memo(
            "without",
            lambda: retention.accounts_without_tickets(
                self.users, self.tickets, self.as_of, self.staff
            ),
        )

    def _shared_frame(self) -> pd.DataFrame:
        return self._memo("shared", lambda: retention.shared_emails(self.users))

    def inactive_customers(self) -> pd.DataFrame:
        """List customer accounts without login or ticket activity for the set period."""
        frame = self._inactive_frame()
        return pd.DataFrame(
            {
                "User id": frame["id"],
                "Email (masked)": _masked_emails(frame["email"]),
                "Account created": _dates(frame["created_at"]),
                "Last activity": _dates(frame["last_activity"]),
                "Inactive for": frame["inactive"],
                "Tickets": frame["tickets"],
                "Active in Zammad": frame["active"].map({True: "yes", False: "no"}).fillna(""),
            }
        )

    def accounts_without_tickets(self) -> pd.DataFrame:
        """List customer accounts that are the customer of no ticket."""
        frame = self._without_frame()
        last_login = frame["last_login"] if "last_login" in frame else pd.Series(pd.NaT)
        return pd.DataFrame(
            {
                "User id": frame["id"],
                "Email (masked)": _masked_emails(frame["email"]),
                "Account created": _dates(frame["created_at"]),
                "Last login": _dates(last_login).replace("", "never"),
            }
        )

    def shared_emails(self) -> pd.DataFrame:
        """List email addresses used by more than one account (masked), with the ids."""
        frame = self._shared_frame()
        return pd.DataFrame(
            {
                "Email (masked)": _masked_emails(frame["email"]),
                "Accounts": frame["accounts"],
                "User ids": frame["user_ids"],
            }
        )

    def customers_note(self) -> str:
        """Say how the customer lists are drawn up."""
        return (
            f"Inactive means no login and no activity on any of the account's tickets for "
            f"{self.schedule.inactive_after} or more (the schedule's customers.inactive_after). "
            f"{thousands(len(self.staff))} staff and system accounts (Admin or Agent role, or "
            "the author of an agent's reply) are left out of these lists."
        )

    # ---- registers and analytics -------------------------------------------------------------

    def open_requests(self) -> pd.DataFrame | None:
        """List open requests with their deadlines, overdue first (None without registers)."""
        return self._memo("requests", lambda: _open_requests(self))

    def reappeared(self) -> pd.DataFrame | None:
        """List accounts whose email matches an erased person (None without registers)."""
        return self._memo("reappeared", lambda: _reappeared(self))

    def analytics(self):
        """Return the month's analytics summary, or None when no Gaug.es export covers it."""
        from mimoto_gov.gauges import analytics_for_month

        return analytics_for_month(self.month, self.data_dir)

    # ---- output ------------------------------------------------------------------------------

    def show_list(
        self,
        frame: pd.DataFrame | None,
        *,
        caption: str,
        csv: str,
        limit: int = LIST_LIMIT,
        missing: str = "Not available yet.",
    ) -> None:
        """Show at most ``limit`` rows, say how many more, and write the whole list as CSV.

        The CSV goes beside the report (``output_dir``); a run without one (a notebook opened
        by hand) shows the first rows only and says so. ``frame`` None (a register not set up
        yet) shows the ``missing`` sentence instead.
        """
        from mimoto_gov.display import show_callout, show_table

        if frame is None:
            show_callout(f"{caption}: {missing}", level="info")
            return
        total = len(frame)
        if total == 0:
            show_callout(f"{caption}: none.", level="info")
            return
        written = self.write_csv(frame, csv)
        show_table(frame, caption=f"{caption} ({thousands(total)})", max_rows=limit)
        if total > limit:
            where = (
                f"the full list is in {csv} beside this report"
                if written
                else "`mimoto-gov review` writes the full list as CSV beside the report"
            )
            show_callout(f"{thousands(total - limit)} more not shown here: {where}.", level="info")

    def show_analytics(self) -> None:
        """Show the month's analytics (traffic, pages, browsers, countries, anonymity check).

        Without Gaug.es exports for the month it shows one sentence saying so, nothing else.
        """
        from mimoto_gov.display import show_callout, show_chart, show_table, show_text

        label = month_label(self.month)
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

    def write_csv(self, frame: pd.DataFrame, name: str) -> Path | None:
        """Write a CSV beside the report (formula injection neutralised); None without a folder."""
        if self.output_dir is None:
            return None
        from mimoto_gov.safe_output import write_csv

        return write_csv(frame, Path(self.output_dir) / name)

    def save(self) -> None:
        """Write ``summary.json`` and ``zammad-jobs.json`` beside the report, if any."""
        if self.output_dir is None:
            return
        folder = Path(self.output_dir)
        write_text(folder / "zammad-jobs.json", json.dumps(self.zammad_jobs(), indent=2) + "\n")
        write_text(folder / SUMMARY_FILE, json.dumps(self.summary(), indent=2) + "\n")


def _labelled(table: pd.DataFrame, index_name: str) -> pd.DataFrame:
    table = table.copy()
    table.index.name = index_name
    return table.reset_index()


def _masked_emails(emails: pd.Series) -> pd.Series:
    from mimoto_gov.pii import mask

    def one(value: Any) -> str:
        text = "" if value is None or pd.isna(value) else str(value).strip()
        return mask(text, "email") if "@" in text else ("(none)" if not text else "***")

    return emails.map(one).astype(str)


def _comparison(rows, now: dict, before: dict, sizes: set | frozenset = frozenset()):
    out = []
    for label, key in rows:
        current = now.get(key)
        previous = before.get(key)
        show = size_text if key in sizes else thousands
        if previous is None:
            change = ""
        else:
            delta = int(current) - int(previous)
            change = "no change" if delta == 0 else f"{delta:+,}"
            if key in sizes and delta:
                change = ("+" if delta > 0 else "-") + size_text(abs(delta))
        out.append(
            {
                "": label,
                "Now": show(current),
                "Last month": "" if previous is None else show(previous),
                "Change": change,
            }
        )
    return pd.DataFrame(out)


def _tickets_to_redact(review: RetentionReview) -> pd.DataFrame:
    findings = review.redaction_findings()
    columns = ["Ticket", "State", "Found", "Where", "Masked values"]
    if findings.empty:
        return pd.DataFrame(columns=columns)
    # Plain Python over the (few) findings: far cheaper than a pandas group per ticket.
    per_ticket: dict[Any, dict] = {}
    for ticket_id, kind, column, masked in zip(
        findings["ticket_id"], findings["kind"], findings["column"], findings["masked"], strict=True
    ):
        entry = per_ticket.setdefault(ticket_id, {"kinds": {}, "places": set(), "masked": {}})
        entry["kinds"][kind] = entry["kinds"].get(kind, 0) + 1
        entry["places"].add(PLACE_LABELS.get(column, column))
        entry["masked"][masked] = None
    tickets = review.tickets[["id", "number", "state"]].set_index("id")
    rows = []
    for ticket_id, entry in per_ticket.items():
        kinds = sorted(entry["kinds"].items(), key=lambda item: (-item[1], item[0]))
        masked = list(entry["masked"])
        shown = "; ".join(masked[:3]) + (f" (+{len(masked) - 3} more)" if len(masked) > 3 else "")
        known = ticket_id in tickets.index
        rows.append(
            {
                "Ticket": str(tickets.at[ticket_id, "number"]) if known else "",
                "State": str(tickets.at[ticket_id, "state"]) if known else "",
                "Found": ", ".join(f"{n} {KIND_NOUNS[k]}" for k, n in kinds),
                "Where": ", ".join(sorted(entry["places"])),
                "Masked values": shown,
                "_count": sum(entry["kinds"].values()),
            }
        )
    frame = pd.DataFrame(rows).sort_values(["_count", "Ticket"], ascending=[False, True])
    return frame.drop(columns="_count").reset_index(drop=True)


def _registers(review: RetentionReview):
    # Reading the review must not create a registers file where there is none.
    from mimoto_gov.registers import open_registers

    if review.data_dir is None:
        return None
    path = Path(review.data_dir) / "registers.sqlite"
    return open_registers(path) if path.is_file() else None


def _review_day(review: RetentionReview) -> date:
    # The last day the review covers, in UK time (its moment is midnight after it).
    return (review.as_of - pd.Timedelta(microseconds=1)).tz_convert(UK_TIME).date()


def _open_requests(review: RetentionReview) -> pd.DataFrame | None:
    registers = _registers(review)
    if registers is None:
        return None
    with registers:
        frame = registers.open_requests_with_deadlines(today=_review_day(review))
    return pd.DataFrame(
        {
            "Request": frame["id"],
            "Kind": frame["kind"],
            "Received": _dates(frame["received_on"]),
            "Due": _dates(frame["due_on"]),
            "Days left": frame["days_left"].astype(int),
            "Status": frame["status"],
            "Overdue": frame["overdue"].map({True: "OVERDUE", False: ""}).fillna(""),
        }
    )


def _reappeared(review: RetentionReview) -> pd.DataFrame | None:
    from mimoto_gov.registers import keyed_hasher

    registers = _registers(review)
    if registers is None:
        return None
    with registers:
        hashes = registers.erased_hashes()
    columns = ["User id", "Email (masked)", "Account created", "Active in Zammad"]
    if not hashes:
        return pd.DataFrame(columns=columns)
    users = review.inventory.users
    emails = users["email"].fillna("").astype(str).str.strip()
    hasher = keyed_hasher(review.data_dir)
    matched = users[[bool(e) and hasher(e) in hashes for e in emails]]
    return pd.DataFrame(
        {
            "User id": matched["id"],
            "Email (masked)": _masked_emails(matched["email"]),
            "Account created": _dates(matched["created_at"]),
            "Active in Zammad": matched["active"].map({True: "yes", False: "no"}).fillna("")
            if "active" in matched
            else "",
        },
        columns=columns,
    ).reset_index(drop=True)


def _summarise(review: RetentionReview) -> dict:
    counts = retention.action_counts(review.applied)
    # Attachments carry no date of their own: they exist when their article does.
    attachments = review.inventory.attachments
    attachments = attachments[attachments["article_id"].isin(review.articles["id"])]
    organisations = retention.as_of_frame(review.inventory.organizations, review.as_of)
    inactive = review._inactive_frame()
    without = review._without_frame()
    redact = review.redaction_findings()
    return {
        "month": review.month,
        "as_of": review.as_of.isoformat(),
        "snapshot_time": review.snapshot_time.isoformat() if review.snapshot_time else None,
        "schedule_version": review.schedule.version,
        "schedule_status": review.schedule.status,
        "tickets": int(len(review.tickets)),
        "articles": int(len(review.articles)),
        "attachments": int(len(attachments)),
        "attachment_bytes": int(attachments["size"].fillna(0).sum()) if len(attachments) else 0,
        "users": int(len(review.users)),
        "organisations": int(len(organisations)),
        "tickets_past_period": int(review.applied["past_period"].sum()),
        "to_delete": counts["delete"],
        "to_anonymise": counts["anonymise"],
        "to_review": counts["review"],
        "pii_findings": int(len(review.findings)),
        "pii_by_kind": {k: int(v) for k, v in review.findings["kind"].value_counts().items()},
        "tickets_to_redact": int(redact["ticket_id"].nunique()),
        "inactive_customers": int(len(inactive)),
        "accounts_without_tickets": int(len(without)),
        "shared_emails": int(len(review._shared_frame())),
    }


def _actions(review: RetentionReview) -> pd.DataFrame:
    # Short lines on purpose: the whole list should fit on the report's first page.
    summary = review.summary()
    schedule = review.schedule
    rows: list[tuple[str, int | None, str, str]] = []
    if review.snapshot_warning():
        taken = uk_date(review.snapshot_time)
        rows.append(
            ("Pull a fresh snapshot, then run again", None, f"snapshot of {taken}", "Run box")
        )
    requests = review.open_requests()
    if requests is not None and len(requests):
        overdue = int((requests["Overdue"] == "OVERDUE").sum())
        where = "Open requests"
        if overdue:
            rows.append(("Answer overdue requests", overdue, "past the legal deadline", where))
        if len(requests) > overdue:
            rows.append(("Keep open requests on time", len(requests) - overdue, "due dates", where))
    reappeared = review.reappeared()
    if reappeared is not None and len(reappeared):
        rows.append(
            (
                "Check people who reappeared",
                len(reappeared),
                "match an earlier erasure",
                "Erased people who reappear",
            )
        )
    if not schedule.approved:
        rows.append(
            (
                "Approve the retention schedule",
                None,
                f'version {schedule.version}; the policy says "indefinitely"',
                "The schedule applied",
            )
        )
    by_rule = retention.past_period(review.applied).groupby(["action", "rule"]).size()
    verbs = {"delete": "Delete", "anonymise": "Anonymise", "review": "Review"}
    for action in retention.ACTIONS:
        count = summary[f"to_{action}"]
        if count:
            rules = by_rule[action] if action in by_rule.index.get_level_values(0) else {}
            detail = ", ".join(f"{rule} {thousands(n)}" for rule, n in rules.items())
            rows.append(
                (
                    f"{verbs[action]} tickets past their period",
                    count,
                    detail,
                    "Tickets past their period",
                )
            )
    if summary["tickets_to_redact"]:
        rows.append(
            (
                "Redact personal data in tickets",
                summary["tickets_to_redact"],
                "card, bank or NI numbers; data in titles",
                "Personal data",
            )
        )
    customer_rows = (
        (
            "inactive_customers",
            "Review inactive accounts",
            f"no activity for {schedule.inactive_after} or more",
        ),
        ("shared_emails", "Merge accounts sharing an email", "one person, several accounts"),
        ("accounts_without_tickets", "Review accounts without tickets", "no conversation held"),
    )
    for key, text, why in customer_rows:
        if summary[key]:
            rows.append((text, summary[key], why, "Customers"))
    promises = review.commitments()["Status"].value_counts()
    not_met, missing = int(promises.get("not met", 0)), int(promises.get("evidence missing", 0))
    if not_met or missing:
        detail = f"{not_met} not met, {missing} without evidence"
        rows.append(("Keep the policy's promises", not_met + missing, detail, "Promises"))
    frame = pd.DataFrame(rows, columns=["What to do", "How many", "Detail", "See"])
    frame["How many"] = frame["How many"].astype("Int64")
    frame.insert(0, "#", range(1, len(frame) + 1))
    return frame


# --------------------------------------------------------------------------------------------
# Building a review and running the report


def _previous_summary(month: str, output_dir: Path | None, reports_dir: Path | None) -> dict | None:
    previous = month_before(month)
    candidates = []
    if output_dir is not None:
        candidates.append(Path(output_dir).parent / previous / SUMMARY_FILE)
    if reports_dir is not None:
        candidates.append(Path(reports_dir) / REPORT_KIND / previous / SUMMARY_FILE)
    for path in candidates:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("month") == previous:
            return data
    return None


def _project_default(path: Path) -> Path:
    # JupyterLab and nbval run a notebook's kernel in notebooks/, the commands run in the
    # project folder: a relative default such as ./data that does not exist here is taken
    # from the project folder, so the notebook opened by hand finds the same snapshot.
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    in_project = Path(__file__).resolve().parents[1] / path
    return in_project if in_project.exists() else path


def build_review(
    month: str | None = None,
    *,
    data_dir: Path | str | None = None,
    schedule_path: Path | str | None = None,
    output_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    inventory: Any = None,
) -> RetentionReview:
    """Compute one month's retention review from the local snapshot.

    Args:
        month: ``YYYY-MM``; empty or None for the previous calendar month.
        data_dir: the workbook's data folder (default: settings, ``MIMOTO_GOV_DATA``).
        schedule_path: the retention schedule (default: ``<data>/policy/retention.yml``, else
            the repository's copy).
        output_dir: the report's folder, where CSVs and ``summary.json`` go (default: the
            ``MIMOTO_GOV_REVIEW_OUTPUT`` variable set by :func:`run_review`; else nowhere).
        reports_dir: where earlier reviews are (default: settings, ``MIMOTO_GOV_REPORTS``).
        inventory: an already loaded inventory (else :func:`mimoto_gov.inventory.load_inventory`).

    Returns:
        The :class:`RetentionReview`.

    Raises:
        InputError: a malformed month.
        ConfigError: a malformed schedule.
        SnapshotError: no snapshot to review.

    """
    from mimoto_gov.inventory import load_inventory
    from mimoto_gov.settings import load_settings

    month = parse_month(month)
    settings = load_settings()
    data_dir = Path(data_dir) if data_dir else _project_default(settings.data_dir)
    reports_dir = Path(reports_dir) if reports_dir else _project_default(settings.reports_dir)
    schedule_path = (
        Path(schedule_path)
        if schedule_path
        else retention.default_schedule_path(Path(data_dir) / "policy")
    )
    schedule = retention.load_schedule(schedule_path)
    if inventory is None:
        inventory = load_inventory(data_dir)
    snapshot_time = getattr(inventory, "snapshot_time", None)
    snapshot_time = pd.Timestamp(snapshot_time) if snapshot_time is not None else None
    if snapshot_time is not None and snapshot_time.tzinfo is None:
        snapshot_time = snapshot_time.tz_localize("UTC")
    start, end = month_bounds(month)
    as_of = end if snapshot_time is None else min(end, snapshot_time)
    if snapshot_time is not None and snapshot_time < start:
        raise SnapshotError(
            f"the snapshot was taken on {uk_datetime(snapshot_time)}, before {month_label(month)}"
            " began: run `mimoto-gov pull` first"
        )
    output_dir = output_dir or os.environ.get(OUTPUT_ENV) or None
    output_dir = Path(output_dir) if output_dir else None

    tickets = retention.as_of_frame(inventory.tickets, as_of)
    articles = retention.as_of_frame(inventory.articles, as_of)
    applied = retention.apply_schedule(tickets, schedule, as_of, articles)
    findings, stats = scan_inventory(
        tickets,
        articles,
        Path(data_dir) / "cache",
        keep=(inventory.tickets, inventory.articles),
    )
    staff = retention.staff_user_ids(inventory.users, inventory.articles)

    previous = _previous_summary(month, output_dir, reports_dir)
    source = f"Last month's figures are from the {month_label(month_before(month))} review."
    review = RetentionReview(
        month=month,
        as_of=as_of,
        snapshot_time=snapshot_time,
        schedule=schedule,
        schedule_path=schedule_path,
        inventory=inventory,
        applied=applied,
        findings=findings,
        scan_stats=stats,
        staff=staff,
        previous=previous,
        previous_source=source,
        output_dir=output_dir,
        data_dir=Path(data_dir),
        reports_dir=Path(reports_dir),
    )
    # Filtering half a million articles is not free: hand over what was filtered already.
    review._cache.update(tickets=tickets, articles=articles)
    if previous is None:
        review.previous = _rebuilt_previous(review)
        review.previous_source = (
            f"No saved review for {month_label(month_before(month))} was found, so last month's "
            "figures were rebuilt from the current snapshot as it stood at the end of that "
            "month (tickets deleted since then cannot be counted)."
        )
    return review


def _rebuilt_previous(review: RetentionReview) -> dict:
    previous_month_ = month_before(review.month)
    as_of = min(month_bounds(previous_month_)[1], review.as_of)
    tickets = retention.as_of_frame(review.tickets, as_of)
    # Only the columns the figures need: the bodies are big and were scanned already.
    slim = review.articles[
        [c for c in ("id", "ticket_id", "created_at", "type") if c in review.articles]
    ]
    articles = retention.as_of_frame(slim, as_of)
    keep = ((review.findings["source"] == "ticket") & review.findings["id"].isin(tickets["id"])) | (
        (review.findings["source"] == "article") & review.findings["id"].isin(articles["id"])
    )
    earlier = RetentionReview(
        month=previous_month_,
        as_of=as_of,
        snapshot_time=review.snapshot_time,
        schedule=review.schedule,
        schedule_path=review.schedule_path,
        inventory=review.inventory,
        applied=retention.apply_schedule(tickets, review.schedule, as_of, articles),
        findings=review.findings[keep],
        scan_stats={"scanned": 0, "reused": 0},
        staff=review.staff,
        previous=None,
        previous_source="",
        data_dir=review.data_dir,
    )
    earlier._cache.update(tickets=tickets, articles=articles)
    return earlier.summary()


@contextlib.contextmanager
def _environment(name: str, value: str):
    # The kernel papermill starts inherits this process's environment.
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def run_review(
    month: str | None = None,
    *,
    data_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    schedule_path: Path | str | None = None,
):
    """Render one month's retention review to HTML and PDF.

    Writes ``reports/retention-review/YYYY-MM/retention-review.{ipynb,html,pdf}`` (plus
    ``summary.json``, ``zammad-jobs.json`` and the CSV lists), replacing an earlier run of the
    same month.

    Args:
        month: ``YYYY-MM``; empty or None for the previous calendar month.
        data_dir: the data folder (default: settings).
        reports_dir: the reports folder (default: settings).
        schedule_path: the retention schedule (default: see :func:`build_review`).

    Returns:
        The :class:`mimoto_gov.reports.ReportRun` with the paths of the outputs.

    Raises:
        InputError, ConfigError, SnapshotError, ReportError: one-line errors.

    """
    from mimoto_gov.inventory import load_inventory
    from mimoto_gov.reports import run_report
    from mimoto_gov.settings import load_settings

    month = parse_month(month)
    settings = load_settings()
    data_dir = Path(data_dir) if data_dir else settings.data_dir
    schedule_path = (
        Path(schedule_path)
        if schedule_path
        else retention.default_schedule_path(Path(data_dir) / "policy")
    )
    # Fail here, in one line, rather than inside the notebook's kernel.
    schedule = retention.load_schedule(schedule_path)
    load_inventory(data_dir)
    parameters = {
        "month": month,
        "data_dir": str(Path(data_dir).resolve()),
        "schedule_path": str(Path(schedule_path).resolve()),
    }
    reports_root = private_dir(Path(reports_dir or settings.reports_dir).absolute())
    kind_dir = private_dir(reports_root / REPORT_KIND)
    # The notebook writes its CSV lists and summary.json into a private folder beside the run
    # folders (so "last month" resolves as ../YYYY-MM); they join the run folder once the
    # report has been rendered and swapped in. A failed run leaves nothing behind.
    with (
        tempfile.TemporaryDirectory(dir=kind_dir, prefix=f".{month}.lists.") as extras,
        _environment(OUTPUT_ENV, extras),
    ):
        Path(extras).chmod(0o700)
        result = run_report(
            REPORT_KIND,
            NOTEBOOK,
            month,
            parameters,
            title=f"Retention review: {month_label(month)}",
            reports_dir=reports_root,
            filename=REPORT_FILENAME,
            summary={"schedule_version": schedule.version, "schedule_status": schedule.status},
        )
        for path in sorted(Path(extras).iterdir()):
            path.replace(result.folder / path.name)
    return result


def demo_step(run) -> None:
    """Render last month's review from the demo's sandbox snapshot and say where it is.

    Args:
        run: the :class:`mimoto_gov.demo.DemoRun` (its settings name the data and reports).

    """
    month = previous_month()
    run.say("")
    run.say(f"Rendering the retention review for {month_label(month)} ...")
    result = run_review(month, data_dir=run.settings.data_dir, reports_dir=run.settings.reports_dir)
    figures = json.loads((result.folder / SUMMARY_FILE).read_text(encoding="utf-8"))
    run.say(
        f"  {figures['tickets_past_period']:,} of {figures['tickets']:,} tickets past their "
        f"retention period; {figures['tickets_to_redact']:,} tickets to redact"
    )
    run.results["review"] = result
    run.output("Retention review (HTML)", result.html)
    run.output("Retention review (PDF)", result.pdf)
