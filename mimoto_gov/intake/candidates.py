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


def _people(users: pd.DataFrame) -> dict[int, tuple[str | None, str | None]]:
    """Return each user's display (``Name <address>``) and current address, by user id."""
    people: dict[int, tuple[str | None, str | None]] = {}
    if users.empty:
        return people
    columns = [c for c in ("id", "email", "firstname", "lastname") if c in users]
    for user in users[columns].to_dict("records"):
        email = user.get("email")
        email = email.strip() if isinstance(email, str) and email.strip() else None
        name = " ".join(
            part.strip()
            for part in (user.get("firstname"), user.get("lastname"))
            if isinstance(part, str) and part.strip()
        )
        display = f"{name} <{email}>" if name and email else (email or name or None)
        people[int(user["id"])] = (display, email)
    return people


def _customer(people: dict, customer_id) -> tuple[str | None, str | None]:
    if customer_id is None or pd.isna(customer_id):
        return None, None
    return people.get(int(customer_id), (None, None))


def _customer_messages(articles: pd.DataFrame) -> dict[int, list[dict]]:
    """Return the customers' own messages by ticket id, oldest first."""
    if articles.empty:
        return {}
    internal = articles["internal"].fillna(False).astype(bool)
    mine = articles[(articles["sender"] == CUSTOMER_SENDER) & ~internal]
    mine = mine.sort_values(["created_at", "id"])
    columns = [c for c in ("id", "ticket_id", "subject", "body", "type", "created_at") if c in mine]
    by_ticket: dict[int, list[dict]] = {}
    for record in mine[columns].to_dict("records"):
        by_ticket.setdefault(int(record["ticket_id"]), []).append(record)
    return by_ticket


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _first_request(messages: list[dict]) -> tuple[dict, Detection] | None:
    for article in messages:
        detection = detect(message_text(_text(article.get("body")), _text(article.get("subject"))))
        if detection is not None:
            return article, detection
    return None


def _candidate(people: dict, ticket: dict, found) -> Candidate:
    article, detection = found
    display, email = _customer(people, ticket.get("customer_id"))
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
    messages = _customer_messages(inventory.articles) if len(tickets) else {}
    people = _people(inventory.users) if len(tickets) else {}
    found: list[Candidate] = []
    for ticket in tickets[["id", "number", "customer_id"]].to_dict("records"):
        if str(ticket["number"]) in settled:
            continue
        request = _first_request(messages.get(int(ticket["id"]), []))
        if request is not None:
            found.append(_candidate(people, ticket, request))
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
    messages = _customer_messages(articles).get(int(ticket["id"]), [])
    found = _first_request(messages)
    if found is None:
        first = messages[0] if messages else None
        if first is None:
            raise InputError(f"--from-ticket: ticket {number} has no message from the customer")
        article, detection = first, None
    else:
        article, detection = found
    display, email = _customer(_people(inventory.users), ticket.get("customer_id"))
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
