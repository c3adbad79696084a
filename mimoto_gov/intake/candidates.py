"""Finding rights requests in the Zammad snapshot: tickets whose customer asked for a right.

:func:`scan_tickets` reads the tickets created or updated since a moment (the last scan, by
default), skips those already linked to a request or dismissed, and runs
:func:`mimoto_gov.intake.detect.detect` over each customer message (not agents' replies or
internal notes), oldest first. The first message that asks for a right makes the ticket a
candidate: its number, the customer (current name and address from the user record, never an
old login), when that message arrived (the day the one-month clock started, if it is a
request), the kind guessed and the phrase that matched.

:func:`ticket_request` gives the same facts for one ticket by number, for
``requests add --from-ticket``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.intake.detect import Detection, detect, message_text
from mimoto_gov.inventory import Inventory
from mimoto_gov.registers.candidates import Candidate

# The article types a customer writes a request in (not notes or system mail).
CUSTOMER_SENDER = "Customer"


@dataclass(frozen=True)
class ScanResult:
    """What a scan read and found.

    Attributes:
        candidates: one per ticket that reads like a request, oldest message first.
        tickets: how many tickets were read.
        since: the scan covered tickets changed after this (None: every ticket).
        through: the newest ticket change seen (where the next scan starts).

    """

    candidates: list[Candidate]
    tickets: int
    since: datetime | None
    through: datetime | None


def _customer(inventory: Inventory, customer_id) -> tuple[str | None, str | None]:
    users = inventory.users
    if customer_id is None or pd.isna(customer_id) or users.empty:
        return None, None
    match = users[users["id"] == customer_id]
    if match.empty:
        return None, None
    user = match.iloc[0]
    email = user.get("email")
    email = str(email).strip() if isinstance(email, str) and email.strip() else None
    name = " ".join(
        str(part).strip()
        for part in (user.get("firstname"), user.get("lastname"))
        if isinstance(part, str) and part.strip()
    )
    display = f"{name} <{email}>" if name and email else (email or name or None)
    return display, email


def _customer_messages(articles: pd.DataFrame) -> Iterable[pd.Series]:
    if articles.empty:
        return []
    mine = articles[(articles["sender"] == CUSTOMER_SENDER) & (articles["internal"] != True)]  # noqa: E712 - nullable booleans
    return (row for _, row in mine.sort_values(["created_at", "id"]).iterrows())


def _first_request(articles: pd.DataFrame) -> tuple[pd.Series, Detection] | None:
    for article in _customer_messages(articles):
        subject = article.get("subject")
        detection = detect(
            message_text(
                article.get("body") if isinstance(article.get("body"), str) else "",
                subject if isinstance(subject, str) else None,
            )
        )
        if detection is not None:
            return article, detection
    return None


def _candidate(inventory: Inventory, ticket: pd.Series, found) -> Candidate:
    article, detection = found
    display, email = _customer(inventory, ticket.get("customer_id"))
    return Candidate(
        ticket_number=str(ticket["number"]),
        ticket_id=int(ticket["id"]),
        article_id=int(article["id"]),
        customer=display,
        email=email,
        received_at=article["created_at"].to_pydatetime(),
        kind=detection.kind,
        phrase=detection.phrase,
    )


def scan_tickets(
    inventory: Inventory, *, since: datetime | None = None, settled: set[str] = frozenset()
) -> ScanResult:
    """Find the tickets changed since ``since`` whose customer asked for a right.

    Args:
        inventory: the Zammad snapshot.
        since: only tickets created or updated after this (every ticket when None).
        settled: ticket numbers to leave alone (linked to a request, or dismissed).

    Returns:
        A :class:`ScanResult`.

    """
    tickets = inventory.tickets
    if since is not None and not tickets.empty:
        changed = tickets["updated_at"].fillna(tickets["created_at"])
        tickets = tickets[(changed > pd.Timestamp(since)) | (tickets["created_at"] > since)]
    through = None
    if not tickets.empty:
        newest = tickets["updated_at"].fillna(tickets["created_at"]).max()
        through = None if pd.isna(newest) else newest.to_pydatetime()
    by_ticket = dict(tuple(inventory.articles.groupby("ticket_id"))) if len(tickets) else {}
    found: list[Candidate] = []
    for _, ticket in tickets.iterrows():
        if str(ticket["number"]) in settled:
            continue
        request = _first_request(by_ticket.get(ticket["id"], inventory.articles.iloc[0:0]))
        if request is not None:
            found.append(_candidate(inventory, ticket, request))
    found.sort(key=lambda c: (c.received_at, c.ticket_number))
    return ScanResult(found, len(tickets), since, through)


@dataclass(frozen=True)
class TicketFacts:
    """What a ticket tells about a request made in it (``requests add --from-ticket``)."""

    ticket_number: str
    customer_name: str | None
    email: str | None
    received_at: datetime
    kind: str | None
    register_kind: str | None
    phrase: str | None
    channel: str


_CHANNELS = {"email": "email", "phone": "phone", "web": "web"}


def ticket_request(inventory: Inventory, number: str) -> TicketFacts:
    """Return the facts of the request in ticket ``number``: who, when received, what kind.

    The received date is that of the first customer message that asks for a right, or of
    the ticket's first customer message when none reads like one (the kind is then None).

    Raises:
        InputError: no such ticket in the snapshot, or it has no customer message.

    """
    number = str(number).strip().lstrip("#")
    tickets = inventory.tickets
    match = tickets[tickets["number"].astype(str) == number] if not tickets.empty else tickets
    if match.empty:
        raise InputError(f"--from-ticket: no ticket {number} in the snapshot (run a pull?)")
    ticket = match.iloc[0]
    articles = inventory.articles[inventory.articles["ticket_id"] == ticket["id"]]
    found = _first_request(articles)
    if found is None:
        first = next(iter(_customer_messages(articles)), None)
        if first is None:
            raise InputError(f"--from-ticket: ticket {number} has no message from the customer")
        article, detection = first, None
    else:
        article, detection = found
    display, email = _customer(inventory, ticket.get("customer_id"))
    name = display.split(" <", 1)[0] if display and email and display != email else None
    return TicketFacts(
        ticket_number=number,
        customer_name=name,
        email=email,
        received_at=article["created_at"].to_pydatetime(),
        kind=detection.kind if detection else None,
        register_kind=detection.register_kind if detection else None,
        phrase=detection.phrase if detection else None,
        channel=_CHANNELS.get(str(article.get("type")), "other"),
    )
