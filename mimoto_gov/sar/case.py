"""Subject access packages: everything held about one person, ready to send.

``build_sar_package`` is the one path used by ``mimoto-gov sar`` and by the
``subject_access_export`` notebook:

1. the request is looked up in the request register (it must exist and be an access request);
2. the Zammad snapshot is loaded, refreshed first with ``pull``, and refused if it is older
   than a day unless ``allow_stale`` (a response must reflect what is held now);
3. :func:`mimoto_gov.subject.find_subject` gathers the person from the snapshot;
4. live calls to Zammad fetch what the snapshot does not keep: attachment contents (saved
   byte for byte), and the history and tags of the person's own tickets;
5. the package is written to ``reports/sar/<ID>/`` in a staging folder that replaces the old
   one only when complete.

What the package holds, and how it is written, is in :mod:`mimoto_gov.sar.package`.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import yaml

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import ConfigError, InputError, NotFound, SnapshotError
from mimoto_gov.registers.requests import due_date_of, paused_days
from mimoto_gov.sar.package import (
    manifest_entries,
    package_id,
    safe_filename,
    uk_datetime,
    verify_manifest,
    write_package,
)
from mimoto_gov.settings import POLICY_DIR, Settings, load_settings
from mimoto_gov.subject import SubjectData, find_subject, normalise_email
from mimoto_gov.support.files import private_dir
from mimoto_gov.support.progress import progress

__all__ = [
    "LiveData",
    "SarCase",
    "build_sar_package",
    "check_snapshot_age",
    "demo_case",
    "fetch_live",
    "load_article15",
    "manifest_entries",
    "open_case",
    "package_id",
    "request_details",
    "safe_filename",
    "uk_datetime",
    "verify_manifest",
    "write_package",
]

SNAPSHOT_MAX_AGE = timedelta(days=1)
ARTICLE15_FILE = "article15.yml"
_ARTICLE15_KEYS = (
    "version",
    "controller",
    "purposes",
    "categories",
    "recipients",
    "retention",
    "source",
    "rights",
    "complaints",
    "automated_decision_making",
    "systems_searched",
)
_INLINE_IMAGE_RE = re.compile(r"/api/v1/ticket_attachment/(\d+)/(\d+)/(\d+)")
_REPO_POLICY_DIR = POLICY_DIR


@dataclass
class SarCase:
    """A subject access request ready to be exported: the request, the snapshot, the person.

    Build it with :func:`open_case`. The notebook shows its tables before the package is built.

    Attributes:
        request: the request's details (see :func:`request_details`).
        emails: every address searched for, lower-cased.
        subject: what the snapshot holds about the person.
        register_entries: entries about them in the registers (one row each).
        withheld_entries: register entries left out of the package (legal holds, and
            law-enforcement requests the person was not told about); counted for staff.
        article15: the supplementary information (``data/policy/article15.yml``).
        settings: the workbook settings used.
        generated_at: when the case was opened (UTC).
        options: the keyword arguments :meth:`build` passes to :func:`build_sar_package`.

    """

    request: dict
    emails: tuple[str, ...]
    subject: SubjectData
    register_entries: pd.DataFrame
    withheld_entries: int
    article15: dict
    settings: Settings
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    options: dict = field(default_factory=dict, repr=False)
    # the demonstration's sandbox server, kept alive as long as the case
    sandbox: object = field(default=None, repr=False)

    def build(self) -> Path:
        """Build this request's package with :func:`build_sar_package` (the command's path).

        Returns:
            The package folder.

        """
        return build_sar_package(self.request["id"], self.emails[0], **self.options)

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

    def checks(self, today: date | None = None) -> pd.DataFrame:
        """List what a member of staff checks before sending, one row per check.

        Columns: ``check``, ``status`` ("ok", "review" or "late") and ``detail``.
        """
        today = today or datetime.now(UK_TIME).date()
        counts = self.subject.counts()
        days_left = (self.due_on - today).days
        third = counts["third-party items to review"]
        staff = int((self.subject.third_party["whose"] == "staff").sum())
        internal = counts["of which internal notes"]
        verified = self.request["verified"]
        rows = [
            (
                "Deadline",
                "late" if days_left < 0 else "ok",
                f"due {uk_date(self.due_on)}: "
                + (f"{-days_left:,} days overdue" if days_left < 0 else f"{days_left:,} days left"),
            ),
            (
                "Identity",
                "ok" if verified else "review",
                self.request["verification"],
            ),
            (
                "Other people's data",
                "review" if third else "ok",
                f"{third:,} email addresses or phone numbers of other people ({staff:,} of them"
                " staff addresses) to consider redacting: review/redaction.csv",
            ),
            (
                "Possible mentions",
                "review" if counts["possible mentions to review"] else "ok",
                f"{counts['possible mentions to review']:,} places on other people's tickets hold"
                " their phone number or full name but not their address: add those about them"
                " with --add-article (review/possible_mentions.csv)",
            ),
            (
                "Internal notes",
                "review" if internal else "ok",
                f"{internal:,} internal notes are included: check whether an exemption applies",
            ),
            (
                "Register entries left out",
                "review" if self.withheld_entries else "ok",
                f"{self.withheld_entries:,} legal holds or law-enforcement requests the person"
                " was not told about are left out: decide whether any can be disclosed",
            ),
            (
                "Attachments",
                "ok",
                f"{counts['attachments']:,} files ({counts['attachment bytes']:,} bytes) "
                "to download from Zammad",
            ),
        ]
        return pd.DataFrame(rows, columns=["check", "status", "detail"])


def load_article15(path: Path | None = None, settings: Settings | None = None) -> dict:
    """Read the Article 15 supplementary information.

    Args:
        path: the YAML file; by default ``<data dir>/policy/article15.yml``, falling back to
            the copy tracked in the repository.
        settings: the settings giving the data dir.

    Raises:
        ConfigError: the file is missing, is not YAML, or lacks a required section.

    """
    if path is None:
        settings = settings or load_settings()
        path = settings.policy_dir / ARTICLE15_FILE
        if not path.exists():
            path = _REPO_POLICY_DIR / ARTICLE15_FILE
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: the Article 15 information file is missing") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    missing = [k for k in _ARTICLE15_KEYS if not isinstance(data, dict) or not data.get(k)]
    if missing:
        raise ConfigError(f"{path}: missing {', '.join(missing)}")
    return data


def check_snapshot_age(snapshot_time, *, now: datetime | None = None) -> None:
    """Refuse a snapshot older than :data:`SNAPSHOT_MAX_AGE`.

    Raises:
        SnapshotError: one line saying how old it is and what to do.

    """
    if snapshot_time is None or pd.isna(snapshot_time):
        raise SnapshotError(
            "the Zammad snapshot has no time stamp: run with --pull to refresh it first"
        )
    now = now or datetime.now(UTC)
    age = now - pd.Timestamp(snapshot_time).to_pydatetime()
    if age > SNAPSHOT_MAX_AGE:
        hours = int(age.total_seconds() // 3600)
        old = f"{hours // 24:,} days" if hours >= 48 else f"{hours} hours"
        raise SnapshotError(
            f"the Zammad snapshot is {old} old (taken {uk_datetime(snapshot_time)}): run with "
            "--pull to refresh it first, or --allow-stale to answer from it as it is"
        )


def open_case(
    request_id: str,
    email: str,
    *,
    also=(),
    add_articles=(),
    data_dir: Path | None = None,
    reports_dir: Path | None = None,
    pull: bool = False,
    allow_stale: bool = False,
    client=None,
) -> SarCase:
    """Look up the request, load (or refresh) the snapshot and gather the person.

    Args:
        request_id: the request register's id for this access request.
        email: the requester's address (one of the request's subject addresses).
        also: other addresses the person uses, searched as well.
        add_articles: ids of articles on other tickets that staff decided are about the
            person (see ``review/possible_mentions.csv``).
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` by default).
        reports_dir: where :meth:`SarCase.build` writes (``$MIMOTO_GOV_REPORTS`` by default).
        pull: refresh the snapshot from Zammad first.
        allow_stale: use a snapshot older than a day.
        client: a Zammad client for the pull (built from the settings when needed).

    Raises:
        RegisterError: the request does not exist.
        InputError: an address is malformed, or the request is not an access request about
            ``email``.
        SnapshotError: the snapshot is missing or too old.

    """
    settings = _settings(data_dir)
    request = request_details(request_id, settings)
    if request["kind"] != "access":
        raise InputError(
            f"request {request['id']} is a {request['kind']} request, not an access request"
        )
    main = normalise_email(email)
    if main not in request["emails"]:
        raise InputError(
            f"{main} is not a subject of request {request['id']}: add the address to the "
            "request, or use the address it was made under"
        )
    emails = tuple(dict.fromkeys([main, *request["emails"], *(normalise_email(a) for a in also)]))
    article15 = load_article15(settings=settings)
    if pull:
        client = client or _zammad_client(settings)
        _pull(client, settings.data_dir)
    try:
        inventory = _load_snapshot(settings.data_dir)
    except SnapshotError as error:
        raise SnapshotError(f"{error} (or give --pull)") from None
    if not allow_stale:
        check_snapshot_age(inventory.snapshot_time)
    subject = find_subject(inventory, emails, add_articles=add_articles)
    entries, withheld = _register_entries(emails, settings)
    return SarCase(
        request=request,
        emails=emails,
        subject=subject,
        register_entries=entries,
        withheld_entries=withheld,
        article15=article15,
        settings=settings,
        options={
            "also": emails[1:],
            "add_articles": tuple(add_articles),
            "data_dir": settings.data_dir,
            "reports_dir": reports_dir,
            "allow_stale": allow_stale,
            "client": client,
        },
    )


def demo_case(workdir: Path | None = None, *, tickets: int = 300) -> SarCase:
    """Open a demonstration case on the built-in Zammad sandbox (no real data involved).

    Starts the sandbox in this process, pulls it into ``workdir/data`` (a new private
    temporary folder by default), records an access request for the sandbox's "subject"
    persona and opens it, with reports going to ``workdir/reports``. The notebook uses it when
    no request id is given, so it runs top to bottom out of the box.

    Args:
        workdir: where the demonstration's data and reports go.
        tickets: the size of the sandbox's synthetic service desk.

    Returns:
        The open :class:`SarCase`; :meth:`SarCase.build` writes its package.

    """
    from mimoto_gov.registers import open_registers
    from mimoto_gov.sandbox.zammad.server import Sandbox
    from mimoto_gov.zammad.client import ZammadClient
    from mimoto_gov.zammad.sync import pull

    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="mimoto-gov-sar-demo-"))
    private_dir(workdir)
    sandbox = Sandbox(tickets=tickets, task_tick_seconds=None)
    sandbox.start()
    client = ZammadClient(sandbox.url, sandbox.admin_token)
    data_dir = workdir / "data"
    pull(client, data_dir, full=True, show_progress=False)
    dataset = sandbox.dataset
    email = dataset.users[dataset.personas["subject"]]["email"]
    with open_registers(data_dir / "registers.sqlite") as registers:
        request = registers.add_request(
            "access",
            [email],
            received_on=datetime.now(UK_TIME).date() - timedelta(days=3),
            notes="demonstration on the built-in sandbox",
        )
    case = open_case(
        request.id, email, data_dir=data_dir, reports_dir=workdir / "reports", client=client
    )
    case.sandbox = sandbox
    return case


def build_sar_package(
    request_id: str,
    email: str,
    *,
    also=(),
    add_articles=(),
    data_dir: Path | None = None,
    reports_dir: Path | None = None,
    pull: bool = False,
    allow_stale: bool = False,
    client=None,
) -> Path:
    """Gather everything held about a person and write the response package.

    Args:
        request_id: the request register's id for this access request.
        email: the requester's address.
        also: other addresses the person uses.
        add_articles: ids of articles on other tickets that staff decided are about them.
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` by default).
        reports_dir: where ``sar/<ID>/`` is written (``$MIMOTO_GOV_REPORTS`` by default).
        pull: refresh the snapshot from Zammad first.
        allow_stale: answer from a snapshot older than a day.
        client: the Zammad client for live calls (built from the settings when needed).

    Returns:
        The package folder, ``<reports>/sar/<ID>/``.

    Raises:
        MimotoGovError: a one-line reason (unknown request, stale snapshot, Zammad error...);
            any previous package for the request is then left as it was.

    """
    case = open_case(
        request_id,
        email,
        also=also,
        add_articles=add_articles,
        data_dir=data_dir,
        reports_dir=reports_dir,
        pull=pull,
        allow_stale=allow_stale,
        client=client,
    )
    if client is None and _needs_live_calls(case.subject):
        client = _zammad_client(case.settings)
    live = fetch_live(client, case.subject)
    settings = case.settings
    reports = Path(reports_dir) if reports_dir is not None else settings.reports_dir
    return write_package(case, live, reports / "sar")


def _settings(data_dir: Path | None) -> Settings:
    settings = load_settings()
    if data_dir is None:
        return settings
    return Settings(
        zammad_url=settings.zammad_url,
        zammad_token=settings.zammad_token,
        gauges_token=settings.gauges_token,
        data_dir=Path(data_dir),
        reports_dir=settings.reports_dir,
    )


# ---------------------------------------------------------------------------------------------
# The sources: the request register, the snapshot and Zammad.


def request_details(request_id: str, settings: Settings) -> dict:
    """Read an access request from the request register, as plain values.

    Returns:
        ``id, kind, status, received_on, clock_starts_on, due_on, extended, paused_days,
        emails, verified, verification`` (a sentence describing the identity check).

    Raises:
        RegisterError: there is no such request.

    """
    with _open_existing_registers(settings) as registers:
        request = registers.get_request(str(request_id))
    if request.verified:
        # Upper-case the first letter only: names and month abbreviations keep their case.
        parts = [f"Verified on {uk_date(request.verified_at)}"]
        if request.verified_by:
            parts.append(f"by {request.verified_by}")
        if request.verify_method:
            parts.append(f"({request.verify_method})")
        verification = " ".join(parts)
        if request.evidence_seen:
            verification += f"; seen: {request.evidence_seen}"
    else:
        verification = "Not recorded in the request register"
    return {
        "id": request.id,
        "kind": request.kind,
        "status": request.status,
        "received_on": request.received_on,
        "clock_starts_on": request.clock_starts_on,
        "due_on": due_date_of(request),
        "extended": request.extended,
        "paused_days": paused_days(request),
        "emails": tuple(request.emails),
        "verified": request.verified,
        "verification": verification,
    }


REGISTER_ENTRY_COLUMNS = ["register", "reference", "what", "date", "status", "details"]


def _open_existing_registers(settings: Settings):
    from mimoto_gov.errors import RegisterError
    from mimoto_gov.registers import open_registers

    path = settings.registers_path
    if not path.exists():
        # Opening would create an empty file; a missing register is a setup mistake instead.
        raise RegisterError(
            f"no request register at {path}: record the request first with "
            "`mimoto-gov requests add`"
        )
    return open_registers(path)


def _register_entries(emails: tuple[str, ...], settings: Settings) -> tuple[pd.DataFrame, int]:
    """Register entries about the person, and how many are left out for staff to review.

    Disclosed: their requests, complaints, marketing consents and suppressions, and erasures.
    Left out, counted: legal holds (they may be privileged) and law-enforcement requests the
    person has not been told about (the law may forbid telling them, DPA 2018 Sch. 2 para 2).
    """
    rows: list[dict] = []
    withheld = 0
    wanted = set(emails)

    def about(label) -> bool:
        addresses = {a.strip().lower() for a in str(label or "").split(";")}
        return bool(addresses & wanted)

    def add(register, reference, what, when, status, details) -> None:
        rows.append(
            dict(
                zip(
                    REGISTER_ENTRY_COLUMNS,
                    (register, reference, what, when, status, details),
                    strict=True,
                )
            )
        )

    with _open_existing_registers(settings) as registers:
        seen: set[str] = set()
        for address in emails:
            for r in registers.requests_about(address):
                if r.id in seen:
                    continue
                seen.add(r.id)
                due = due_date_of(r)
                closed = f"; closed {uk_date(r.closed_on)}" if r.closed_on else ""
                add(
                    "requests",
                    r.id,
                    f"{r.kind} request",
                    r.received_on,
                    r.status,
                    f"due {uk_date(due)}{closed}",
                )
        for c in registers.complaints().itertuples(index=False):
            if about(c.subject):
                add("complaints", c.id, "complaint", c.received_on, c.status, c.summary)
        for c in registers.consents().itertuples(index=False):
            if about(c.subject):
                status = "withdrawn" if c.withdrawn_at else "given"
                add(
                    "consents",
                    c.id,
                    f"marketing consent ({c.channel})",
                    c.consented_at,
                    status,
                    f"wording {c.wording_version}; from {c.source}",
                )
        for c in registers.suppressions().itertuples(index=False):
            if about(c.subject):
                add("suppressions", c.id, "no marketing", c.added_on, "", c.reason)
        hashes = {registers.hash(a) for a in emails}
        for e in registers.erasures().itertuples(index=False):
            if e.subject_hash in hashes:
                tickets = ", ".join(str(n) for n in e.ticket_numbers)
                add(
                    "erasures",
                    e.id,
                    "erasure",
                    e.started_at,
                    e.outcome,
                    f"tickets {tickets}" if tickets else "",
                )
        withheld += sum(about(h.subject) for h in registers.holds().itertuples(index=False))
        for le in registers.law_enforcement_requests().itertuples(index=False):
            if not about(le.subjects):
                continue
            if le.user_told_on is None or pd.isna(le.user_told_on):
                withheld += 1
                continue
            add(
                "law enforcement",
                le.id,
                f"request from {le.authority}",
                le.received_on,
                le.decision or le.status,
                le.scope,
            )
    frame = pd.DataFrame(rows, columns=REGISTER_ENTRY_COLUMNS)
    frame["date"] = frame["date"].map(_iso_day)
    return frame, withheld


def _iso_day(value) -> str | None:
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _zammad_client(settings: Settings):
    from mimoto_gov.zammad.client import client_from_settings

    return client_from_settings(settings)


def _pull(client, data_dir: Path) -> None:
    from mimoto_gov.zammad.sync import pull

    pull(client, data_dir)


def _load_snapshot(data_dir: Path):
    from mimoto_gov.inventory import load_inventory

    return load_inventory(data_dir)


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


def _needs_live_calls(subject: SubjectData) -> bool:
    return bool(len(subject.customer_tickets) or len(subject.attachments))


def fetch_live(client, subject: SubjectData, *, download: bool = True) -> LiveData:
    """Fetch attachment contents, and the history and tags of the person's own tickets.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient` (unused when nothing is
            needed).
        subject: the gathered person.
        download: fetch attachment contents (the benchmark leaves them out).

    Raises:
        ZammadError: Zammad refused or failed; a missing attachment (404) is recorded
            instead, as it may have been deleted since the snapshot.

    """
    history_rows: list[dict] = []
    tag_rows: list[dict] = []
    own = subject.customer_tickets
    for ticket in progress(
        list(own[["id", "number"]].itertuples(index=False)), desc="history", unit="ticket"
    ):
        for entry in client.ticket_history(int(ticket.id)):
            history_rows.append(
                {"ticket_id": int(ticket.id), "ticket_number": ticket.number, **entry}
            )
        for tag in client.ticket_tags(int(ticket.id)):
            tag_rows.append(
                {"ticket_id": int(ticket.id), "ticket_number": ticket.number, "tag": tag}
            )
    inline = _inline_images(subject)
    files: dict[int, bytes] = {}
    missing: dict[int, str] = {}
    if download:
        wanted = pd.concat(
            [subject.attachments[["ticket_id", "article_id", "id"]], inline], ignore_index=True
        )
        for row in progress(list(wanted.itertuples(index=False)), desc="attachments"):
            try:
                files[int(row.id)] = client.download_attachment(
                    int(row.ticket_id), int(row.article_id), int(row.id)
                )
            except NotFound:
                missing[int(row.id)] = "no longer in Zammad"
    history = pd.DataFrame(history_rows)
    if not history.empty and "created_at" in history:
        history["created_at"] = pd.to_datetime(history["created_at"], utc=True, errors="coerce")
        history = history.sort_values(["ticket_id", "created_at"], kind="stable")
    return LiveData(
        history=history.reset_index(drop=True),
        tags=pd.DataFrame(tag_rows, columns=["ticket_id", "ticket_number", "tag"]),
        files=files,
        missing=missing,
        inline=inline,
    )


def _inline_images(subject: SubjectData) -> pd.DataFrame:
    """Images an HTML body references by URL that the attachment list leaves out (§3.5)."""
    known = set(subject.attachments["id"])
    rows = []
    html = subject.articles[subject.articles["content_type"].fillna("") == "text/html"]
    for body in html["body"].dropna():
        for ticket_id, article_id, attachment_id in _INLINE_IMAGE_RE.findall(body):
            if int(attachment_id) not in known:
                known.add(int(attachment_id))
                rows.append((int(ticket_id), int(article_id), int(attachment_id)))
    return pd.DataFrame(rows, columns=["ticket_id", "article_id", "id"], dtype="int64")
