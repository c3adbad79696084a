"""The request register's side of a subject access request.

:func:`request_details` reads the request (it must exist); :func:`register_entries` lists what
the registers hold about the person, for the package, and counts what is left out for staff:
legal holds (they may be privileged) and law-enforcement requests the person has not been
told about (the law may forbid telling them, DPA 2018 Sch. 2 para 2).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import RegisterError
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.requests import due_date_of, paused_days
from mimoto_gov.settings import Settings


def request_details(request_id: str, settings: Settings) -> dict:
    """Read an access request from the request register, as plain values.

    Returns:
        ``id, kind, status, received_on, clock_starts_on, due_on, extended, paused_days,
        emails, verified, verification`` (a sentence describing the identity check).

    Raises:
        RegisterError: there is no such request.

    """
    with open_existing_registers(settings) as registers:
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


def open_existing_registers(settings: Settings):
    """Open the registers file, refusing to create one (a missing register is a mistake)."""
    path = settings.registers_path
    if not path.exists():
        # Opening would create an empty file; a missing register is a setup mistake instead.
        raise RegisterError(
            f"no request register at {path}: record the request first with "
            "`mimoto-gov requests add`"
        )
    return open_registers(path)


def register_entries(emails: tuple[str, ...], settings: Settings) -> tuple[pd.DataFrame, int]:
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

    with open_existing_registers(settings) as registers:
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
