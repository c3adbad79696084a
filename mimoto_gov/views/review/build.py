"""The monthly retention review: gather every figure once, hand each section to the notebook.

``notebooks/retention_review.ipynb`` builds one :class:`RetentionReview` with
:func:`build_review` and then shows one table or chart per cell from it; ``mimoto-gov review``
runs that notebook through :func:`run_review` into
``reports/retention-review/YYYY-MM/retention-review.{ipynb,html,pdf}``.

A review is "as at" the end of its month (midnight UK time at the start of the next month),
or the snapshot's time if that is earlier. Each run writes ``summary.json`` beside the report;
next month's review compares itself with it ("what changed"). When there is no earlier
summary, last month's figures are rebuilt from the current snapshot and labelled as such.

The months and UK formats are in :mod:`mimoto_gov.formats`, the cached scan for
personal data in :mod:`mimoto_gov.pii.cache`, the summary and list of actions in
:mod:`mimoto_gov.views.review.summary`, and rendering the notebook in
:mod:`mimoto_gov.views.review.report`; their public names are importable from here too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.errors import MimotoGovError, SnapshotError
from mimoto_gov.formats import (
    comparison,
    labelled,
    masked_emails,
    month_before,
    month_bounds,
    month_label,
    parse_month,
    previous_month,
    size_text,
    thousands,
    uk_date,
    uk_dates,
    uk_datetime,
)
from mimoto_gov.pii.cache import scan_inventory
from mimoto_gov.retention import rules as retention
from mimoto_gov.settings import PROJECT_DIR
from mimoto_gov.support.files import write_text
from mimoto_gov.views.review import summary as review_summary
from mimoto_gov.views.review.report import (
    NOTEBOOK,
    OUTPUT_ENV,
    REPORT_FILENAME,
    REPORT_KIND,
    SUMMARY_FILE,
    demo_step,
    run_review,
)
from mimoto_gov.views.review.summary import KIND_NOUNS, PLACE_LABELS

__all__ = [
    "KIND_LABELS",
    "KIND_NOUNS",
    "NOTEBOOK",
    "OUTPUT_ENV",
    "REPORT_FILENAME",
    "REPORT_KIND",
    "SUMMARY_FILE",
    "PLACE_LABELS",
    "SENSITIVE_KINDS",
    "RetentionReview",
    "build_review",
    "demo_step",
    "month_before",
    "month_bounds",
    "month_label",
    "parse_month",
    "previous_month",
    "run_review",
    "scan_inventory",
    "size_text",
    "thousands",
    "uk_date",
    "uk_datetime",
]

LIST_LIMIT = 50
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
        return self._memo("summary", lambda: review_summary.summarise(self))

    def actions(self) -> pd.DataFrame:
        """List the month's actions, most urgent first, derived from every section."""
        return self._memo("actions", lambda: review_summary.actions(self))

    def headline(self) -> str:
        """Say in one paragraph for the first page what needs doing this month."""
        actions = self.actions()
        due = self.summary()
        if not due["tickets"]:
            parts = [self._nothing_held_text(due["users"])]
        else:
            parts = [
                f"{self.moment_text()}, {thousands(due['tickets_past_period'])} of "
                f"{thousands(due['tickets'])} tickets were past their retention period"
            ]
            if due["tickets_past_period"]:
                parts[0] += (
                    f" ({thousands(due['to_delete'])} to delete, "
                    f"{thousands(due['to_anonymise'])} to anonymise, "
                    f"{thousands(due['to_review'])} to review)"
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

    def _nothing_held_text(self, users: int) -> str:
        # A new Zammad, or a month before its first ticket: a valid review with nothing in it.
        accounts = f"{thousands(users)} user account{'s' if users != 1 else ''}"
        held = f"no tickets yet, only {accounts}" if users else "nothing yet (no tickets, no users)"
        return (
            f"{self.moment_text()}, the Zammad service desk held {held}: nothing was past its "
            "retention period and there was no ticket text to check for personal data"
        )

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
        from mimoto_gov.reports.display import record_run_info

        record_run_info(
            snapshot_time=self.snapshot_time,
            policy_version=f"retention schedule {self.schedule.version} ({self.schedule.status})",
            month=month_label(self.month),
            figures_as_at=uk_datetime(self.as_of),
        )

    # ---- the policy's promises (the governance pack) --------------------------------------

    def commitments(self) -> pd.DataFrame:
        """Return every promise of the privacy policy with its status, evidence and action."""
        from mimoto_gov.commitments.evaluate import check_commitments

        def compute() -> pd.DataFrame:
            table = check_commitments(
                data_dir=self.data_dir,
                reports_dir=self.reports_dir,
                today=review_summary.review_day(self),
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
        from mimoto_gov.commitments.evaluate import policy_changes

        # The first day of the month as the UK counts it (month_bounds is UK midnight in UTC).
        return self._memo("policy", lambda: policy_changes(f"{self.month}-01"))

    def record_of_processing(self) -> pd.DataFrame:
        """Return the Article 30 record of processing (``data/policy/ropa.yml``) as a table."""
        from mimoto_gov.commitments.evaluate import record_of_processing

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
        return comparison(rows, now, before, sizes={"attachment_bytes"})

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
        return comparison(rows, now, before)

    def changes_note(self) -> str:
        """Say where last month's figures come from."""
        return self.previous_source

    # ---- age --------------------------------------------------------------------------------

    def age_by_year(self, by: str = "state") -> pd.DataFrame:
        """Count tickets by year created and ``by`` (state or group), with totals."""
        return labelled(retention.tickets_by_year_created(self.tickets, by), "Year created")

    def age_by_inactivity(self, by: str = "state") -> pd.DataFrame:
        """Count tickets by time since last activity and ``by`` (state or group)."""
        table = retention.tickets_by_inactivity(self.tickets, self.as_of, by)
        return labelled(table, "Since last activity")

    def age_chart(self, by: str = "state"):
        """Chart tickets by year created and by time since last activity, split by ``by``."""
        from mimoto_gov.views.review import charts

        figure = charts.age_chart(
            retention.tickets_by_year_created(self.tickets, by),
            retention.tickets_by_inactivity(self.tickets, self.as_of, by),
            by=by,
            as_of_text=uk_date(self.as_of - pd.Timedelta(seconds=1)),
        )
        return _noted_if_empty(figure, self.tickets.empty, "No tickets held yet")

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
        from mimoto_gov.views.review import charts

        figure = charts.rules_chart(retention.rule_summary(self.applied, self.schedule))
        return _noted_if_empty(figure, self.applied.empty, "No tickets held yet")

    def past_period(self) -> pd.DataFrame:
        """List every ticket past its period (longest overdue first): number, age, rule, action."""
        due = retention.past_period(self.applied)
        return pd.DataFrame(
            {
                "Ticket": due["number"],
                "State": due["state"],
                "Group": due["group"],
                "Counted from": due["counted_from"] + " " + uk_dates(due["reference"]),
                "Age": due["age"],
                "Rule": due["rule"],
                "Period": due["period"],
                "Action": due["action"],
                "Due since": uk_dates(due["due_on"]),
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
        from mimoto_gov.views.review import charts

        figure = charts.pii_chart(self.pii_counts())
        return _noted_if_empty(figure, self.findings.empty, "No personal data found")

    def redaction_findings(self) -> pd.DataFrame:
        """Return the findings that make a ticket one to redact (sensitive, or in a title)."""
        findings = self.findings
        keep = findings["kind"].isin(SENSITIVE_KINDS) | (findings["column"] == "title")
        return findings[keep]

    def tickets_to_redact(self) -> pd.DataFrame:
        """List tickets holding personal data that should not be there (masked values only)."""
        return self._memo("redact", lambda: review_summary.tickets_to_redact(self))

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
                "Email (masked)": masked_emails(frame["email"]),
                "Account created": uk_dates(frame["created_at"]),
                "Last activity": uk_dates(frame["last_activity"]),
                "Inactive for": frame["inactive"],
                "Tickets": frame["tickets"],
                "Active in Zammad": frame["active"].map({True: "yes", False: "no"}).fillna(""),
            }
        )

    def accounts_without_tickets(self) -> pd.DataFrame:
        """List customer accounts that are the customer of no ticket."""
        frame = self._without_frame()
        last_login = (
            frame["last_login"]
            if "last_login" in frame
            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
        )
        return pd.DataFrame(
            {
                "User id": frame["id"],
                "Email (masked)": masked_emails(frame["email"]),
                "Account created": uk_dates(frame["created_at"]),
                "Last login": uk_dates(last_login).replace("", "never"),
            }
        )

    def shared_emails(self) -> pd.DataFrame:
        """List email addresses used by more than one account (masked), with the ids."""
        frame = self._shared_frame()
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
            f"{self.schedule.inactive_after} or more (the schedule's customers.inactive_after). "
            f"{thousands(len(self.staff))} staff and system accounts (Admin or Agent role, or "
            "the author of an agent's reply) are left out of these lists."
        )

    # ---- registers and analytics -------------------------------------------------------------

    def open_requests(self) -> pd.DataFrame | None:
        """List open requests with their deadlines, overdue first (None without registers)."""
        return self._memo("requests", lambda: review_summary.open_requests(self))

    def own_copies(self) -> pd.DataFrame:
        """List the workbook's own files past their retention (SAR packages, old reports...)."""
        from mimoto_gov.audits.own_copies import own_copies_due

        return self._memo(
            "own_copies",
            lambda: own_copies_due(
                data_dir=self.data_dir,
                reports_dir=self.reports_dir,
                today=review_summary.review_day(self),
            ),
        )

    def reappeared(self) -> pd.DataFrame | None:
        """List accounts whose email matches an erased person (None without registers)."""
        return self._memo("reappeared", lambda: review_summary.reappeared(self))

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
        from mimoto_gov.reports.display import show_callout, show_table

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
        from mimoto_gov.reports.display import show_callout, show_chart, show_table, show_text

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
        from mimoto_gov.support.csvout import write_csv

        return write_csv(frame, Path(self.output_dir) / name)

    def save(self) -> None:
        """Write ``summary.json`` and ``zammad-jobs.json`` beside the report, if any."""
        if self.output_dir is None:
            return
        folder = Path(self.output_dir)
        write_text(folder / "zammad-jobs.json", json.dumps(self.zammad_jobs(), indent=2) + "\n")
        write_text(folder / SUMMARY_FILE, json.dumps(self.summary(), indent=2) + "\n")


def _noted_if_empty(figure, empty: bool, note: str):
    # An empty chart would look broken: say in it why there are no bars.
    if empty:
        for axes in figure.axes:
            axes.text(
                0.5, 0.5, note, transform=axes.transAxes, ha="center", va="center", fontsize=12
            )
    return figure


# --------------------------------------------------------------------------------------------
# Building a review


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
    in_project = PROJECT_DIR / path
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
