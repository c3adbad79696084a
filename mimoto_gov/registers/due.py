"""What falls due across the registers: the reminders ``mimoto-gov due`` gives.

Each register that has deadlines contributes a *provider*: a function of the open registers
and the day that returns :class:`DueItem` s (``register``, entry id, what is due, when).
:func:`collect_due` asks every provider in :data:`PROVIDERS` and returns the items overdue or
due within a window, most urgent first. Items name entries and deadlines only, never a
person's address, so the list can be mailed.

The registers here provide: requests to answer (and paused clocks), request candidates to
record or dismiss (their clock runs from receipt), complaints to acknowledge, breaches to
report or decide on, and attestations about to lapse. Another register adds its own with::

    from mimoto_gov.registers.due import DueItem, due_provider

    @due_provider
    def erasure_steps_due(registers, today):
        return [DueItem("erasure-steps", step_id, "erasure step: carry out", due_on), ...]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mimoto_gov.deadlines import UK_TIME, complaint_ack_deadline, sar_due_date, uk_date
from mimoto_gov.registers.request_model import due_date_of

DEFAULT_WITHIN_DAYS = 14


@dataclass(frozen=True)
class DueItem:
    """One thing that falls due.

    Attributes:
        register: the register (``requests``, ``complaints``...).
        record_id: the entry (``R-2026-0001``, a ticket number...).
        what: what must be done, in a few words ("answer the access request").
        due: the day (or, for the 72-hour breach clock, the moment) it is due by.
        detail: a little context (received on, paused since...), never an address.

    """

    register: str
    record_id: str
    what: str
    due: date | datetime
    detail: str = ""

    @property
    def due_at(self) -> datetime:
        """The moment it becomes overdue: the end of the due day, or the due moment."""
        if isinstance(self.due, datetime):
            return self.due if self.due.tzinfo else self.due.replace(tzinfo=UK_TIME)
        return datetime.combine(self.due, time.max, tzinfo=UK_TIME)

    def overdue(self, now: datetime) -> bool:
        """Whether it is past due at ``now``."""
        return now > self.due_at

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the due day (negative when overdue)."""
        due_day = self.due_at.astimezone(UK_TIME).date()
        return (due_day - today).days

    def due_text(self) -> str:
        """Return the due date (with the time for a due moment), the UK way."""
        if isinstance(self.due, datetime):
            moment = self.due_at.astimezone(UK_TIME)
            return f"{uk_date(moment.date())} {moment:%H:%M}"
        return uk_date(self.due)


Provider = Callable[[object, date], Iterable[DueItem]]
PROVIDERS: list[Provider] = []


def due_provider(provider: Provider) -> Provider:
    """Register a provider of due items (use as a decorator)."""
    PROVIDERS.append(provider)
    return provider


def collect_due(
    registers, today: date | None = None, within: int = DEFAULT_WITHIN_DAYS, now=None
) -> list[DueItem]:
    """Return what is overdue or due within ``within`` days, most urgent first.

    Args:
        registers: the open :class:`~mimoto_gov.registers.Registers`.
        today: the day to judge on (today by default).
        within: how many days ahead to look.
        now: the moment to judge timed deadlines on (now by default, or the end of
            ``today`` when ``today`` is given).

    """
    today = today or date.today()
    if now is None:
        now = (
            datetime.now(UK_TIME)
            if today == date.today()
            else datetime.combine(today, time.max, tzinfo=UK_TIME)
        )
    items = [item for provider in PROVIDERS for item in provider(registers, today)]
    wanted = [i for i in items if i.overdue(now) or i.days_left(today) <= within]
    return sorted(wanted, key=lambda i: (i.due_at, i.register, i.record_id))


# -- the registers' own providers ------------------------------------------------------------


@due_provider
def requests_due(registers, today: date) -> list[DueItem]:
    """Unfinished requests to answer; a paused one's due date moves while it waits."""
    items = []
    for request in registers.list_requests():
        if request.finished:
            continue
        due = due_date_of(request, today)
        pause = request.open_pause
        if pause is not None:
            what = f"{request.kind} request: clock stopped, waiting for clarification"
            detail = f"paused since {uk_date(pause.asked_on)}; due then if answered today"
        else:
            what = f"answer the {request.kind} request"
            detail = f"received {uk_date(request.received_on)}" + (
                ", extended" if request.extended else ""
            )
        items.append(DueItem("requests", request.id, what, due, detail))
    return items


@due_provider
def candidates_due(registers, today: date) -> list[DueItem]:
    """Tickets that read like a request: their clock runs from receipt until decided."""
    items = []
    frame = registers.candidates("open")
    for row in frame.itertuples(index=False):
        received = row.received_at.astimezone(UK_TIME).date()
        items.append(
            DueItem(
                "candidates",
                str(row.ticket_number),
                f"possible {row.kind} request in a ticket: record or dismiss",
                sar_due_date(received),
                f"received {uk_date(received)}",
            )
        )
    return items


@due_provider
def complaints_due(registers, today: date) -> list[DueItem]:
    """Complaints not yet acknowledged (30 days from receipt)."""
    frame = registers.complaints(today)
    return [
        DueItem(
            "complaints",
            row.id,
            "acknowledge the complaint",
            complaint_ack_deadline(row.received_on),
            f"received {uk_date(row.received_on)}",
        )
        for row in frame.itertuples(index=False)
        if row.acknowledged_on is None and row.closed_on is None
    ]


@due_provider
def breaches_due(registers, today: date) -> list[DueItem]:
    """Breaches with no reporting decision yet (72 hours from becoming aware)."""
    frame = registers.breaches()
    return [
        DueItem(
            "breaches",
            row.id,
            "report the breach to the ICO, or record why not",
            row.report_due_at.to_pydatetime()
            if hasattr(row.report_due_at, "to_pydatetime")
            else row.report_due_at,
            f"found {uk_date(row.found_at.date())} {row.found_at:%H:%M}",
        )  # fmt: skip
        for row in frame.itertuples(index=False)
        if row.status.startswith("decision")
    ]


@due_provider
def attestations_due(registers, today: date) -> list[DueItem]:
    """Each statement's latest attestation: attest again before it lapses (or since it did)."""
    frame = registers.attestations(today)
    latest = frame.sort_values(["statement_key", "attested_on", "id"]).groupby("statement_key")
    return [
        DueItem(
            "attestations",
            row.statement_key,
            "attest the statement again" + ("" if row.current else ": it has lapsed"),
            row.expires_on - timedelta(days=1),
            f"attested by {row.attested_by} on {uk_date(row.attested_on)}",
        )
        for row in latest.tail(1).itertuples(index=False)
    ]
