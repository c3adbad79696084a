"""What the subject access modules share: the case, the live data, the package's layout.

:mod:`mimoto_gov.sar.case` opens a :class:`SarCase` and :mod:`mimoto_gov.sar.package` writes
it; both import this module and neither imports the other's types from there.

The package folder ``reports/sar/<ID>/`` has two parts, kept apart so that nothing meant for
staff can travel with the response:

- ``send/``: exactly what goes to the person (:data:`SEND`), and the zip built from it alone;
- ``staff/``: the redaction log, the decisions file, near-matches, possible mentions,
  attachments held back, the checks and the run's details (:data:`STAFF`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import InputError
from mimoto_gov.settings import Settings
from mimoto_gov.subject import SubjectData

PACKAGE_FORMAT = "mimoto-gov subject access package"
FORMAT_VERSION = 2
SEND = "send"
STAFF = "staff"
# The index's description of the package (mimoto_gov.reports.index.RUN_FILE): never sent.
RUN_FILE = "run.json"
# What staff decide: one row per item released (or attachment held back), with the reason.
DECISIONS_FILE = "decisions.csv"
DECISION_COLUMNS = ["item", "decision", "reason"]
RELEASE, WITHHOLD = "release", "withhold"
# How the options of a build are kept, for --rebuild.
RUN_DETAILS_FILE = "run-details.json"
MARKER = "[redacted: other person]"
REDACTION_COLUMNS = [
    "item", "table", "reference", "field", "kind", "masked", "start", "end", "released",
    "reason",
]  # fmt: skip


def uk_datetime(value) -> str:
    """Format a timestamp for people as UK time: ``3 Oct 2026 14:05`` (empty if missing)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if stamp is pd.NaT:
        return ""
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    local = stamp.tz_convert(UK_TIME)
    return f"{uk_date(local.date())} {local:%H:%M}"


@dataclass
class LiveData:
    """What live calls to Zammad added to the snapshot.

    Attributes:
        history: one row per history entry of the person's own tickets.
        tags: one row per (ticket, tag) of the person's own tickets.
        files: attachment contents by attachment id, exactly as Zammad served them.
        missing: attachment ids Zammad no longer has (404), with the reason.
        inline: inline images referenced from HTML bodies but absent from the attachment list
            (``ticket_id, article_id, id``), fetched like attachments.

    """

    history: pd.DataFrame
    tags: pd.DataFrame
    files: dict[int, bytes]
    missing: dict[int, str]
    inline: pd.DataFrame

    @classmethod
    def empty(cls) -> LiveData:
        """Return live data with nothing in it (no history, tags or files)."""
        return cls(
            history=pd.DataFrame(columns=["ticket_id", "ticket_number"]),
            tags=pd.DataFrame(columns=["ticket_id", "ticket_number", "tag"]),
            files={},
            missing={},
            inline=pd.DataFrame(columns=["ticket_id", "article_id", "id"], dtype="int64"),
        )


@dataclass(frozen=True)
class Decisions:
    """Staff's decisions on what is redacted or withheld (``staff/decisions.csv``).

    Attributes:
        release: item -> reason: a redaction shown after all, or an attachment held back
            that is sent after all.
        withhold: item -> reason: an attachment held back although nothing was found in it.
        text: the file as staff wrote it, carried into every rebuilt package.

    """

    release: dict[str, str] = field(default_factory=dict)
    withhold: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def read(cls, path: Path) -> Decisions:
        """Read a decisions file (an absent file is no decision).

        Raises:
            InputError: a row without an item, an unknown decision or no reason.

        """
        path = Path(path)
        if not path.is_file():
            return cls()
        text = path.read_text(encoding="utf-8")
        release: dict[str, str] = {}
        withhold: dict[str, str] = {}
        rows = csv.DictReader(text.splitlines())
        if rows.fieldnames is None:
            return cls(text=text)
        missing = [c for c in DECISION_COLUMNS if c not in rows.fieldnames]
        if missing:
            raise InputError(f"{path}: needs the columns {', '.join(DECISION_COLUMNS)}")
        for line, row in enumerate(rows, start=2):
            item = (row.get("item") or "").strip()
            decision = (row.get("decision") or "").strip().lower()
            reason = " ".join((row.get("reason") or "").split())
            if not item and not decision:
                continue
            if not item or decision not in (RELEASE, WITHHOLD):
                raise InputError(
                    f"{path} line {line}: give an item and the decision {RELEASE} or {WITHHOLD}"
                )
            if not reason:
                raise InputError(f"{path} line {line}: a decision needs its reason")
            (release if decision == RELEASE else withhold)[item] = reason
        return cls(release=release, withhold=withhold, text=text)

    def blank(self) -> str:
        """Return the text to write: the file as staff left it, or a header to fill in."""
        return self.text or ",".join(DECISION_COLUMNS) + "\n"


@dataclass
class SarCase:
    """A subject access request ready to be exported: the request, the snapshot, the person.

    Build it with :func:`mimoto_gov.sar.case.open_case`. The notebook shows its tables before
    the package is built with :func:`mimoto_gov.sar.case.build_package`.

    Attributes:
        request: the request's details (see :func:`mimoto_gov.sar.records.request_details`).
        emails: every address searched for, lower-cased.
        subject: what the snapshot holds about the person.
        register_entries: entries about them in the registers (one row each).
        withheld_entries: register entries left out of the package (legal holds, and
            law-enforcement requests the person was not told about); counted for staff.
        article15: the supplementary information (``data/policy/article15.yml``).
        settings: the workbook settings used.
        people: who is who in the snapshot (:class:`mimoto_gov.sar.redact.People`).
        decisions: staff's decisions from the previous package of this request.
        letter: the covering letter's facts (:func:`mimoto_gov.sar.letter.letter_facts`).
        generated_at: when the case was opened (UTC).
        options: how the case was opened, kept for ``--rebuild``.
        redactions: the redaction log (:data:`REDACTION_COLUMNS`); a preview over the
            snapshot until the package is written, then the package's own.
        attachments: each attachment with ``status`` (sent or withheld) and ``why``; empty
            until the package is written (the decision needs the files).

    """

    request: dict
    emails: tuple[str, ...]
    subject: SubjectData
    register_entries: pd.DataFrame
    withheld_entries: int
    article15: dict
    settings: Settings
    people: object
    decisions: Decisions
    letter: dict
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    options: dict = field(default_factory=dict, repr=False)
    redactions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=REDACTION_COLUMNS)
    )
    attachments: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the demonstration's sandbox server, kept alive as long as the case
    sandbox: object = field(default=None, repr=False)

    @property
    def due_on(self) -> date:
        """The date the response is due."""
        return self.request["due_on"]

    def request_table(self) -> pd.DataFrame:
        """Return the request's details as a two-column table (``item``, ``value``)."""
        r = self.request
        rows = [
            ("Reference", r["id"]),
            ("Kind", r["kind"]),
            ("Status", r["status"]),
            ("Received", uk_date(r["received_on"])),
            ("Due", uk_date(r["due_on"]) + (" (extended)" if r["extended"] else "")),
            ("Addresses searched", ", ".join(self.emails)),
            ("Identity check", r["verification"]),
            ("Snapshot taken", uk_datetime(self.subject.snapshot_time)),
        ]
        return pd.DataFrame(rows, columns=["item", "value"])

    def accounts_table(self) -> pd.DataFrame:
        """List the accounts included and why, then the near-matches left out, for staff."""
        identity = self.subject.identity
        included = identity.why.assign(included="yes") if identity else pd.DataFrame()
        near = self.subject.near_matches.assign(included="no")
        return pd.concat([included, near], ignore_index=True)

    def redaction_summary(self) -> pd.DataFrame:
        """Redactions counted by kind and where (table and field), released ones apart."""
        log = self.redactions
        columns = ["kind", "table", "field", "redacted", "released"]
        if log.empty:
            return pd.DataFrame(columns=columns)
        released = log["released"].astype(bool)
        grouped = log.assign(redacted=~released, released=released).groupby(
            ["kind", "table", "field"], dropna=False
        )
        return grouped[["redacted", "released"]].sum().astype(int).reset_index()

    def checks(self, today: date | None = None) -> pd.DataFrame:
        """List what a member of staff checks before sending, one row per check.

        Columns: ``check``, ``status`` ("ok", "review" or "late") and ``detail``.
        """
        today = today or datetime.now(UK_TIME).date()
        counts = self.subject.counts()
        days_left = (self.due_on - today).days
        released = int(self.redactions["released"].astype(bool).sum())
        redacted = len(self.redactions) - released
        internal = counts["of which internal notes"]
        near = counts["near-matches to review"]
        notes = self.subject.identity.notes if self.subject.identity else ()
        withheld = (
            int((self.attachments["status"] == "withheld").sum()) if len(self.attachments) else 0
        )
        gaps = self.letter.get("gaps", [])

        def row(check: str, problem: bool, detail: str, status: str = "review"):
            return (check, status if problem else "ok", detail)

        rows = [
            row(
                "Deadline",
                days_left < 0,
                f"due {uk_date(self.due_on)}: "
                + (f"{-days_left:,} days overdue" if days_left < 0 else f"{days_left:,} days left"),
                "late",
            ),
            row("Identity", not self.request["verified"], self.request["verification"]),
            row(
                "Accounts",
                bool(notes),
                "; ".join(notes)
                or f"{counts['user records']:,} account(s) whose current email is searched",
            ),
            row(
                "Near-matches",
                bool(near),
                f"{near:,} accounts or messages match only through a login or an old address "
                "and are left out: staff/near_matches.csv",
            ),
            row(
                "Other people's data",
                bool(redacted or released),
                f"{redacted:,} identifiers of other people redacted, {released:,} released by "
                f"staff: check staff/redactions.csv; release one by adding it to "
                f"staff/{DECISIONS_FILE} with a reason, then run with --rebuild",
            ),
            row(
                "Attachments held back",
                bool(withheld),
                f"{withheld:,} attachments may hold other people's data and are not sent: "
                "staff/attachments.csv",
            ),
            row(
                "Possible mentions",
                bool(counts["possible mentions to review"]),
                f"{counts['possible mentions to review']:,} places on other people's tickets "
                "hold their phone number or full name but not their address: add those about "
                "them with --add-article (staff/possible_mentions.csv)",
            ),
            row(
                "Internal notes",
                bool(internal),
                f"{internal:,} internal notes are included: check whether an exemption applies",
            ),
            row(
                "Register entries left out",
                bool(self.withheld_entries),
                f"{self.withheld_entries:,} legal holds or law-enforcement requests the person "
                "was not told about are left out: decide whether any can be disclosed",
            ),
            row(
                "Mailboxes",
                True,
                "search the support mailbox and staff email accounts for the addresses by "
                "hand before sending: the letter says they were searched",
            ),
            row(
                "Letter",
                bool(gaps),
                "the covering letter's sender details still wait for staff in " + ", ".join(gaps)
                if gaps
                else "sender's address and contact taken from data/policy/",
            ),
        ]
        return pd.DataFrame(rows, columns=["check", "status", "detail"])
