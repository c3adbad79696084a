"""The checks behind the policy's commitments: each returns met, not met or evidence missing.

``commitments.yml`` names a check per promise; :data:`CHECKS` maps those names to the small
functions below. Each receives the :class:`CheckContext` (folders, the day to judge on,
lazily opened registers, snapshot and record of processing) and its
:class:`~mimoto_gov.policy.files.Commitment` (with its ``params``), and returns an
:class:`Outcome`: a status and one short sentence of evidence a reader can follow.

The rule for every check: a broken promise found in the evidence is "not met"; no evidence,
stale evidence or evidence only a person can give and nobody gave is "evidence missing";
"met" needs evidence. Reading the evidence never creates anything: with no registers file
the register-based checks say "evidence missing".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import ConfigError, RegisterError
from mimoto_gov.policy.files import ROPA_FILE, Commitment, policy_file

MET, NOT_MET, MISSING = "met", "not met", "evidence missing"
STATUSES = (MET, NOT_MET, MISSING)
EVIDENCE_CHARS = 240
SITE_AUDIT_KINDS = ("site-audit", "site_audit", "siteaudit")


@dataclass(frozen=True)
class Outcome:
    """A check's verdict: status, evidence in a sentence, and (optionally) a specific action."""

    status: str
    evidence: str
    action: str | None = None


def met(evidence: str) -> Outcome:
    """Return a "met" outcome: the promise is kept, as ``evidence`` shows."""
    return Outcome(MET, evidence)


def not_met(evidence: str, action: str | None = None) -> Outcome:
    """Return a "not met" outcome: the evidence shows the promise broken."""
    return Outcome(NOT_MET, evidence, action)


def missing(evidence: str, action: str | None = None) -> Outcome:
    """There is no (current) evidence either way."""
    return Outcome(MISSING, evidence, action)


@dataclass
class CheckContext:
    """What the checks read, opened on first use and closed by :meth:`close`.

    Attributes:
        data_dir: the workbook data folder (registers, snapshot, Gaug.es tables).
        reports_dir: the reports folder (the latest site audit).
        today: the day the checks judge on.
        policy_path: the privacy policy file.
        policy_text: its normalised text.
        attestation_valid_days: how long an attestation counts by default.

    """

    data_dir: Path
    reports_dir: Path
    today: date
    policy_path: Path
    policy_text: str = ""
    attestation_valid_days: int = 365
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def registers_path(self) -> Path:
        """The registers file (``<data>/registers.sqlite``)."""
        return self.data_dir / "registers.sqlite"

    def registers(self):
        """Return the open registers, or None when there is no registers file (none is made)."""
        if "registers" not in self._cache:
            from mimoto_gov.registers import open_registers

            path = self.registers_path
            self._cache["registers"] = open_registers(path) if path.is_file() else None
        return self._cache["registers"]

    def inventory(self):
        """Return the latest Zammad snapshot (raises SnapshotError when there is none)."""
        if "inventory" not in self._cache:
            from mimoto_gov.inventory import load_inventory

            self._cache["inventory"] = load_inventory(self.data_dir)
        return self._cache["inventory"]

    def ropa(self) -> dict:
        """Return the record of processing (ConfigError when missing or malformed)."""
        if "ropa" not in self._cache:
            from mimoto_gov.policy.ropa import load_ropa

            self._cache["ropa"] = load_ropa(policy_file(ROPA_FILE, self.data_dir))
        return self._cache["ropa"]

    def window_start(self, months: int) -> date:
        """Return the first day of a look-back window of ``months`` months ending today."""
        return (pd.Timestamp(self.today) - pd.DateOffset(months=int(months))).date()

    def end_of_today(self) -> datetime:
        """Return the last moment of ``today`` in UK time (breach clocks are judged on it)."""
        return datetime.combine(self.today, time(23, 59, 59), tzinfo=UK_TIME)

    def close(self) -> None:
        """Close the registers if they were opened."""
        registers = self._cache.pop("registers", None)
        if registers is not None:
            registers.close()

    def __enter__(self) -> CheckContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


Check = Callable[[CheckContext, Commitment], Outcome]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under the name ``commitments.yml`` uses."""

    def register(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return register


# -- helpers ---------------------------------------------------------------------------------


def shorten(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """Shorten text at a word boundary, with an ellipsis, for a table cell."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _listing(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


def _where(frame: pd.DataFrame, mask: list[bool]) -> pd.DataFrame:
    # A plain list would select columns when empty; a boolean Series of the index never does.
    return frame[pd.Series(mask, index=frame.index, dtype=bool)]


def _no_registers(ctx: CheckContext) -> Outcome:
    return missing(
        f"no registers file at {ctx.registers_path}: nothing has been recorded yet",
        "Record requests and register entries (mimoto-gov requests, mimoto-gov register)",
    )


def _judge(problems: list[str], gaps: list[str], facts: list[str]) -> Outcome:
    """Not met if any problem, else evidence missing if any gap, else met."""
    if problems:
        return not_met("; ".join(problems + gaps))
    if gaps:
        return missing("; ".join(gaps + facts))
    return met("; ".join(facts))


def _attested(ctx: CheckContext, key: str, valid_days: int | None = None) -> tuple[bool, str]:
    """Whether a current attestation of ``key`` exists, and a sentence saying so."""
    registers = ctx.registers()
    if registers is None:
        return False, f"no attestation '{key}' (no registers file)"
    valid_days = int(valid_days or ctx.attestation_valid_days)
    frame = registers.attestations(on=ctx.today)
    frame = frame[(frame["statement_key"] == key) & (frame["attested_on"] <= ctx.today)]
    if frame.empty:
        return False, f"no attestation '{key}' recorded"
    latest = frame.sort_values(["attested_on", "id"]).iloc[-1]
    lapses = min(latest["expires_on"], latest["attested_on"] + timedelta(days=valid_days))
    who, when = latest["attested_by"], uk_date(latest["attested_on"])
    if lapses <= ctx.today:
        return False, f"attestation '{key}' by {who} on {when} lapsed on {uk_date(lapses)}"
    return True, f"attested by {who} on {when}, valid to {uk_date(lapses)}"


def _attest_action(item: Commitment, key: str) -> str:
    return f'{item.action} --text "..." --by "NAME"' if key in item.action else item.action


# -- the checks -------------------------------------------------------------------------------


@check("attestation")
def attestation(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge a fact only a person can vouch for: a current attestation in the register."""
    key = str(item.params.get("attestation") or item.id)
    ok, sentence = _attested(ctx, key, item.params.get("valid_days"))
    return met(sentence) if ok else missing(sentence, _attest_action(item, key))


@check("governance_records")
def governance_records(ctx: CheckContext, item: Commitment) -> Outcome:
    """Record of processing complete; complaints acknowledged in 30 days; breaches decided."""
    from mimoto_gov.policy.ropa import ropa_gaps

    problems: list[str] = []
    gaps: list[str] = []
    facts: list[str] = []
    try:
        record = ctx.ropa()
        unfilled = ropa_gaps(record)
        if unfilled:
            gaps.append(f"record of processing has {len(unfilled):,} field(s) still to fill")
        else:
            facts.append(f"record of processing complete (version {record.get('version')})")
    except ConfigError as error:
        gaps.append(str(error))
    registers = ctx.registers()
    if registers is None:
        gaps.append("no registers file: complaints and breaches cannot be shown")
        return _judge(problems, gaps, facts)
    start = ctx.window_start(item.params.get("window_months", 12))
    complaints = registers.complaints(today=ctx.today)
    complaints = complaints[(complaints["received_on"] >= start) | (complaints["status"] == "open")]
    late = complaints[complaints["ack_late"].astype(bool)]
    if len(late):
        problems.append(f"complaint(s) {_listing(list(late['id']))} not acknowledged in 30 days")
    else:
        facts.append(f"{len(complaints):,} complaint(s), each acknowledged within 30 days")
    breaches = registers.breaches(now=ctx.end_of_today())
    start_at = datetime.combine(start, time(), tzinfo=UK_TIME)
    breaches = _where(
        breaches,
        [found >= start_at or status.startswith("decision") for found, status in
         zip(breaches["found_at"], breaches["status"], strict=True)],
    )  # fmt: skip
    bad = breaches[(breaches["status"] == "decision overdue") | breaches["reported_late"]]
    if len(bad):
        problems.append(
            f"breach(es) {_listing(list(bad['id']))} not reported to the ICO within 72 hours "
            "or with no reason recorded"
        )
    else:
        facts.append(f"{len(breaches):,} breach(es), each reported in time or its reason recorded")
    return _judge(problems, gaps, facts)


@check("analytics_audit")
def analytics_audit(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the anonymity audit of the imported Gaug.es exports: no personal data."""
    from mimoto_gov.gauges.summary import audit_for_period

    months = int(item.params.get("months", 12))
    first = (pd.Timestamp(ctx.today) - pd.DateOffset(months=months - 1)).strftime("%Y-%m")
    last = pd.Timestamp(ctx.today).strftime("%Y-%m")
    result = audit_for_period(first, last, ctx.data_dir)
    period = f"{pd.Timestamp(first):%b %Y} to {pd.Timestamp(last):%b %Y}"
    if result is None:
        return missing(f"no imported Gaug.es exports cover {period}")
    rows = sum(result.checked.values())
    high = [f for f in result.findings if f.severity == "high"]
    if high:
        titles = sorted({f.title for f in high})
        return not_met(
            f"{len(high):,} high-severity finding(s) in {rows:,} rows of {period}: "
            f"{_listing(titles)}"
        )
    others = len(result.findings)
    tail = (
        f"; {others:,} lesser finding(s) (small counts) in the analytics review" if others else ""
    )
    return met(f"{rows:,} rows of {period} checked: no IP addresses or personal data{tail}")


@check("processor_recorded")
def processor_recorded(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the record of processing: the provider a processor, agreement and place known."""
    from mimoto_gov.policy.ropa import is_placeholder

    name = str(item.params.get("recipient") or "Zammad")
    try:
        record = ctx.ropa()
    except ConfigError as error:
        return missing(str(error))
    found = [r for r in record["recipients"] if name.lower() in str(r.get("name", "")).lower()]
    if not found:
        return not_met(f"{name} is not listed as a recipient in the record of processing")
    recipient = found[0]
    label, role = recipient["name"], str(recipient.get("role") or "")
    if "processor" not in role.lower():
        return not_met(f"{label} is recorded as {role!r}, not as a processor")
    unknown = [
        f
        for f in ("agreement", "location")
        if is_placeholder(recipient.get(f)) or not recipient.get(f)
    ]
    if unknown:
        return missing(
            f"{label} recorded as processor; its {' and '.join(unknown)} still to confirm"
        )
    return met(
        f"{label} recorded as processor; agreement: {recipient['agreement']}; "
        f"location: {recipient['location']}"
    )


@check("consent_audit")
def consent_audit(ctx: CheckContext, item: Commitment) -> Outcome:
    """Every address on the imported mailing list has a live opt-in (and the list is recent)."""
    registers = ctx.registers()
    if registers is None:
        return _no_registers(ctx)
    # The register keeps when the list was imported but has no method for it: read it here.
    count, imported_at = registers.conn.execute(
        "SELECT COUNT(*), MAX(imported_at) FROM mailing_list"
    ).fetchone()
    if not count:
        return missing("no mailing-list export imported")
    imported = datetime.fromisoformat(imported_at).astimezone(UTC).date()
    audit = registers.consent_audit()
    if len(audit):
        people = audit["email"].nunique()
        kinds = ", ".join(f"{n:,} {k}" for k, n in audit["problem"].value_counts().items())
        return not_met(
            f"{people:,} of {count:,} address(es) on the list imported {uk_date(imported)} "
            f"lack a live opt-in ({kinds})"
        )
    max_age = int(item.params.get("max_age_days", 62))
    if (ctx.today - imported).days > max_age:
        return missing(
            f"the mailing list was last imported {uk_date(imported)}, over {max_age} days ago"
        )
    return met(
        f"all {count:,} address(es) on the list imported {uk_date(imported)} have a live "
        "email opt-in"
    )


def _disclosure_problems(frame: pd.DataFrame, informal: list[str]) -> list[str]:
    problems = []
    disclosed = frame[frame["decision"].isin(["disclosed", "partial"])]
    for row in disclosed.itertuples(index=False):
        words = set(str(row.instrument).lower().replace("-", " ").split())
        if not row.uk:
            problems.append(f"{row.id} disclosed to a non-UK authority ({row.authority})")
        elif words & {w.lower() for w in informal}:
            problems.append(f"{row.id} disclosed on '{row.instrument}', not a legal warrant")
        elif pd.isna(row.reference) or not str(row.reference).strip():
            problems.append(f"{row.id} disclosed with no warrant reference recorded")
    return problems


_INFORMAL = ["email", "e-mail", "phone", "telephone", "verbal", "informal", "letter", "none"]


@check("law_enforcement_warrants")
def law_enforcement_warrants(ctx: CheckContext, item: Commitment) -> Outcome:
    """Every disclosure went to a UK authority, against a legal instrument with a reference."""
    registers = ctx.registers()
    if registers is None:
        return _no_registers(ctx)
    frame = registers.law_enforcement_requests()
    if frame.empty:
        return met("no law-enforcement requests recorded in the register")
    problems = _disclosure_problems(frame, item.params.get("informal_words", _INFORMAL))
    if problems:
        return not_met("; ".join(problems))
    disclosed = int(frame["decision"].isin(["disclosed", "partial"]).sum())
    refused = frame[frame["decision"] == "refused"]
    foreign = int((~refused["uk"].astype(bool)).sum())
    return met(
        f"{len(frame):,} request(s): {disclosed:,} disclosure(s), each against a UK legal "
        f"instrument; {len(refused):,} refused ({foreign:,} from outside the UK)"
    )


@check("sharing_only_lawful")
def sharing_only_lawful(ctx: CheckContext, item: Commitment) -> Outcome:
    """Disclosures only as the law requires (register), and nothing else shared (attestation)."""
    registers = ctx.registers()
    if registers is None:
        return _no_registers(ctx)
    frame = registers.law_enforcement_requests()
    problems = _disclosure_problems(frame, item.params.get("informal_words", _INFORMAL))
    key = str(item.params.get("attestation") or item.id)
    ok, sentence = _attested(ctx, key, item.params.get("valid_days"))
    disclosed = int(frame["decision"].isin(["disclosed", "partial"]).sum())
    if problems:
        return not_met("; ".join(problems))
    if not ok:
        return missing(sentence, _attest_action(item, key))
    return met(
        f"{disclosed:,} disclosure(s), each under a UK legal instrument; other sharing {sentence}"
    )


@check("law_enforcement_users_told")
def law_enforcement_users_told(ctx: CheckContext, item: Commitment) -> Outcome:
    """Each person named in a request was told, or the legal basis for not telling is recorded."""
    registers = ctx.registers()
    if registers is None:
        return _no_registers(ctx)
    frame = registers.law_enforcement_requests()
    frame = frame[frame["subjects"].fillna("").astype(str).str.strip() != ""]
    if frame.empty:
        return met("no law-enforcement request naming a user recorded")
    grace = timedelta(days=int(item.params.get("grace_days", 30)))
    told = frame["user_told_on"].notna()
    basis = frame["not_told_basis"].notna()
    waiting = frame[~told & ~basis]
    late = _where(waiting, [received + grace < ctx.today for received in waiting["received_on"]])
    if len(late):
        return not_met(
            f"{_listing(list(late['id']))}: user not told and no legal basis recorded "
            f"{grace.days} days after receipt"
        )
    parts = [f"{int(told.sum()):,} user(s) told"] if told.any() else []
    if basis.any():
        parts.append(f"{int(basis.sum()):,} not told, with the legal basis recorded")
    if len(waiting):
        parts.append(f"{len(waiting):,} received recently, still to tell")
    return met("; ".join(parts))


@check("retention_period")
def retention_period(ctx: CheckContext, item: Commitment) -> Outcome:
    """'Indefinitely' is not a retention period: flag it, with the schedule's state."""
    from mimoto_gov.retention.approval import load_approved_schedule

    phrase = str(item.params.get("phrase") or "indefinitely")
    try:
        schedule = load_approved_schedule(ctx.data_dir)
        state = (
            f"schedule {schedule.version} approved on {uk_date(schedule.approved_on)} by "
            f"{schedule.approval.approved_by}"
            if schedule.approved
            else f"schedule {schedule.version} proposed, not yet approved"
        )
    except (ConfigError, RegisterError) as error:
        schedule, state = None, str(error)
    if phrase.lower() in item.clause.lower():
        action = None
        if schedule is not None and schedule.approved:
            action = "Change the policy's 'Information lifetime' section to the approved periods"
        return not_met(
            f"the policy says '{phrase}', which is not a retention period (UK GDPR Art. "
            f"5(1)(e)); {state}",
            action,
        )
    if schedule is not None and schedule.approved:
        return met(f"the policy states a period; {state}")
    return not_met(state)


def _requests_outcome(ctx: CheckContext, item: Commitment, kind: str) -> Outcome:
    from mimoto_gov.registers import due_date_of

    registers = ctx.registers()
    if registers is None:
        return _no_registers(ctx)
    start = ctx.window_start(item.params.get("window_months", 12))
    requests = [
        r
        for r in registers.list_requests()
        if r.kind == kind and (not r.finished or r.received_on >= start)
    ]
    erased = set()
    if kind == "erasure":
        erasures = registers.erasures()
        erased = set(erasures.loc[erasures["outcome"] == "completed", "request_id"])
    problems: list[str] = []
    on_time = 0
    pending: list[date] = []
    for r in requests:
        if not r.finished:
            due = due_date_of(r, ctx.today)
            if ctx.today > due:
                problems.append(f"{r.id} overdue since {uk_date(due)}")
            else:
                pending.append(due)
            continue
        due = due_date_of(r, r.closed_on)
        if r.closed_on > due:
            problems.append(f"{r.id} answered {uk_date(r.closed_on)}, after {uk_date(due)}")
        else:
            on_time += 1
        if r.status == "closed" and not r.verified:
            problems.append(f"{r.id} closed with no identity decision recorded")
        if kind == "erasure" and r.status == "closed" and r.id not in erased:
            problems.append(f"{r.id} closed without a completed erasure")
    if problems:
        return not_met("; ".join(problems))
    if not requests:
        return met(f"no {kind} requests in the last {item.params.get('window_months', 12)} months")
    parts = [f"{on_time:,} answered on time"] if on_time else []
    if pending:
        parts.append(f"{len(pending):,} open, next due {uk_date(min(pending))}")
    return met(f"{len(requests):,} {kind} request(s): {', '.join(parts)}")


@check("erasure_requests")
def erasure_requests(ctx: CheckContext, item: Commitment) -> Outcome:
    """Erasure requests answered by their due date, identity recorded, each erasure done."""
    return _requests_outcome(ctx, item, "erasure")


@check("access_requests")
def access_requests(ctx: CheckContext, item: Commitment) -> Outcome:
    """Access requests answered by their due date, identity recorded."""
    return _requests_outcome(ctx, item, "access")


@check("erasures_verified")
def erasures_verified(ctx: CheckContext, item: Commitment) -> Outcome:
    """Each completed erasure verified against Zammad; nobody erased is back in the snapshot."""
    from mimoto_gov.erasure.run import erasure_flags
    from mimoto_gov.errors import SnapshotError

    registers = ctx.registers()
    if registers is None:
        return _no_registers(ctx)
    start = ctx.window_start(item.params.get("window_months", 12))
    frame = registers.erasures()
    frame = _where(frame, [datetime.fromisoformat(s).date() >= start for s in frame["started_at"]])
    done = frame[frame["outcome"] == "completed"]
    problems = [f"{e} not verified against Zammad" for e in done.loc[~done["verified"], "id"]]
    gaps: list[str] = []
    months = item.params.get("window_months", 12)
    facts = [
        f"{len(done):,} erasure(s) in {months} months, each verified against Zammad"
        if len(done)
        else f"no erasures in the last {months} months"
    ]
    try:
        inventory = ctx.inventory()
        flags = erasure_flags(inventory, ctx.data_dir, today=ctx.today)
        back = flags[flags["flag"].str.contains("reappears", na=False)]
        if len(back):
            ids = sorted(set(back["erasure_id"].astype(str)))
            problems.append(f"erased person(s) back in Zammad ({_listing(ids)})")
        else:
            taken = uk_date(inventory.snapshot_time.date())
            facts.append(f"no erased person in the snapshot of {taken}")
    except SnapshotError:
        gaps.append("no Zammad snapshot to confirm erased people stay gone")
    return _judge(problems, gaps, facts)


@check("notice_list")
def notice_list(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge whether the business-transfer notice list can be produced (and is not empty)."""
    from mimoto_gov.errors import SnapshotError
    from mimoto_gov.registers import select_contactable

    try:
        inventory = ctx.inventory()
    except SnapshotError as error:
        return missing(str(error))
    registers = ctx.registers()
    if registers is not None:
        contactable = registers.contactable_users(inventory.users)
    else:
        # Nothing recorded yet: nobody erased or suppressed through the workbook.
        contactable = select_contactable(inventory.users, lambda email: email, set())
    taken = uk_date(inventory.snapshot_time.date())
    if contactable.empty:
        return not_met(f"no contactable user in the snapshot of {taken}")
    return met(
        f"{len(contactable):,} contactable user(s) in the snapshot of {taken} "
        "(mimoto-gov notice-list)"
    )


@check("policy_history")
def policy_history_check(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the policy's git history: committed, no pending edits, pushed to the public copy."""
    from mimoto_gov.policy.history import GitUnavailable, policy_history

    try:
        history = policy_history(ctx.policy_path)
    except GitUnavailable as error:
        return missing(f"no version history of the policy: {error}")
    if history.last is None:
        return not_met("the policy text has never been committed")
    last = f"{history.last.short} of {uk_date(history.last.day)}"
    if history.uncommitted:
        return not_met(f"the policy file has edits not committed (last commit {last})")
    public = str(item.params.get("public_repository") or "").strip()
    versions = f"{history.versions:,} version(s) in git, last {last}"
    if not public:
        return missing(f"{versions}; the public repository's address is not recorded")
    if not history.pushed_to:
        return not_met(f"{versions}, not pushed to any remote: push it to {public}")
    return met(f"{versions}, pushed ({history.pushed_to[0]}); public at {public}")


# -- the site audit -------------------------------------------------------------------------


def latest_site_audit(reports_dir: Path) -> dict | None:
    """Return the newest site audit's ``run.json`` (with its ``summary``), or None.

    The site audit saves its report like every other (``reports/site-audit/<run>/``) with
    the summary of :meth:`mimoto_gov.audits.site.SiteAudit.summary`: passed, pages, cookies,
    third_party_hosts, failed and to_review (the titles of the checks).
    """
    from mimoto_gov.reports.index import list_reports

    runs = [
        r
        for r in list_reports(reports_dir)
        if str(r.get("kind", "")) in SITE_AUDIT_KINDS
        and isinstance(r.get("summary"), dict)
        and isinstance(r["summary"].get("failed"), list)
    ]
    if not runs:
        return None
    return max(runs, key=lambda r: str(r.get("generated_at", "")))


def _site_outcome(ctx: CheckContext, item: Commitment, words: tuple[str, ...], what: str):
    run = latest_site_audit(ctx.reports_dir)
    if run is None:
        return missing(f"no site audit report in {ctx.reports_dir}")
    summary = run["summary"]
    try:
        when = datetime.fromisoformat(str(run.get("generated_at"))).astimezone(UK_TIME).date()
    except ValueError:
        return missing("the latest site audit has no readable date")

    def mine(titles: object) -> list[str]:
        return [str(t) for t in (titles or []) if any(w in str(t).lower() for w in words)]

    pages = summary.get("pages")
    count = f" ({pages:,} page(s))" if isinstance(pages, int) else ""
    head = f"site audit of {uk_date(when)}{count}"
    failed, review = mine(summary.get("failed")), mine(summary.get("to_review"))
    if failed:
        return not_met(f"{head} failed: {'; '.join(failed)}")
    max_age = int(item.params.get("max_age_days", 93))
    if (ctx.today - when).days > max_age:
        return missing(f"the last {head} is over {max_age} days old")
    if review:
        return missing(f"{head}: a person must confirm {'; '.join(review)}")
    return met(f"{head}: {what}")


@check("site_advertising")
def site_advertising(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the latest site audit: no advertising host or cookie."""
    return _site_outcome(ctx, item, ("advertis",), "no advertising host or cookie")


@check("site_tracking_cookies")
def site_tracking_cookies(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the latest site audit: no third-party tracking cookie."""
    return _site_outcome(ctx, item, ("tracking",), "no third-party tracking cookie")


@check("site_cookies")
def site_cookies(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the latest site audit: only login and simple-analytics cookies, lawfully set."""
    return _site_outcome(
        ctx,
        item,
        ("login", "consent", "analytics only"),
        "only login and simple-analytics cookies, each lawful under PECR",
    )
