"""Everything the Zammad snapshot holds about one person, for a subject access request.

Zammad has no per-person export (zammad-api.md §5.6), so the person is assembled from the
snapshot's tables:

- their user records: ``users.email`` (or ``login``) equal to one of their addresses, compared
  case-insensitively, since mail systems treat the address's case as meaningless in practice;
- the organisation(s) those records belong to;
- tickets where one of those users is the customer, with every article;
- articles on *other* tickets whose ``from``, ``to`` or ``cc`` names one of their addresses.
  Zammad stores these fields as the raw header text ("David Bell <david@example.com>",
  several addresses separated by commas, sometimes only a display name for notes), so the
  addresses are parsed out rather than compared as strings. An address written in such an
  article's subject or body names them too;
- the metadata of the attachments of all those articles.

Correspondence about a person usually carries other people's data too (colleagues copied in,
agents' signatures, phone numbers quoted in a body). Those findings, other than the subject's
own addresses and phone numbers, are listed for redaction review before anything is sent.
Articles on other tickets that hold the person's phone number or full name but not their
address may be about them, or about a namesake or a shared switchboard: they are listed for
staff to decide (``possible_mentions``), never exported on a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import getaddresses

import pandas as pd

from mimoto_gov.errors import InputError

ADDRESS_FIELDS = ("from", "to", "cc")
# An address written in the text of an article on someone else's ticket names the person too.
TEXT_FIELDS = ("subject", "body")
SEARCHED_FIELDS = ADDRESS_FIELDS + TEXT_FIELDS
# Loose on purpose: it only has to find the addresses a header field holds, and getaddresses()
# does the careful parsing of display names and quoting.
_ADDRESS_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_VALID_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
# The kinds of personal data about third parties that are flagged for redaction review.
THIRD_PARTY_KINDS = ("email", "phone")
CUSTOMER = "customer"
CORRESPONDENT = "correspondent"


def normalise_email(address: str) -> str:
    """Return ``address`` stripped and lower-cased, or raise InputError if it is not an address.

    Args:
        address: an email address as typed by a person.

    Raises:
        InputError: the text is not a plausible email address.

    """
    text = str(address or "").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    if not _VALID_EMAIL_RE.match(text):
        raise InputError(f"not an email address: {address!r}")
    return text


def parse_addresses(value: object) -> set[str]:
    """Every email address in a raw ``from``/``to``/``cc`` header value, lower-cased.

    Accepts ``"Name <a@b>"``, bare addresses, comma- or semicolon-separated lists, quoted
    display names containing commas, and missing values (None, NaN), which give no address.

    Args:
        value: the field as stored in the snapshot.

    Returns:
        The set of addresses found.

    """
    if value is None or not isinstance(value, str) or not value.strip():
        return set()
    found = {address.lower() for _name, address in getaddresses([value]) if "@" in address}
    # getaddresses() gives up on some malformed headers (unbalanced quotes, semicolons), so
    # every address-shaped token is taken too; a bad parse can then only add, never lose.
    found |= {match.lower() for match in _ADDRESS_RE.findall(value)}
    return {address.strip("<>.'\" ") for address in found if _VALID_EMAIL_RE.match(address)}


@dataclass
class SubjectData:
    """What the snapshot holds about one person.

    Attributes:
        emails: the addresses searched for, lower-cased, in the order given.
        users: their user records (the ``users`` columns).
        organizations: the organisations of those users.
        tickets: tickets where they are the customer (``relation`` "customer") and tickets
            where they only appear in an article's from/to/cc (``relation`` "correspondent").
        articles: every article of their customer tickets and the articles naming them on
            other tickets; ``relation`` says which, ``matched_in`` lists the address fields
            that named them ("" on their own tickets when they were not named).
        attachments: metadata of the attachments of those articles.
        third_party: other people's email addresses and phone numbers found in that
            correspondence (``ticket_id, ticket_number, article_id, field, kind, start, end,
            masked``), for redaction review. Never the full value.
        possible_mentions: articles on other tickets whose text holds the person's phone
            number or full name but not their address: for staff to decide, not exported.
        snapshot_time: when the snapshot was taken (UTC), if known.

    """

    emails: tuple[str, ...]
    users: pd.DataFrame
    organizations: pd.DataFrame
    tickets: pd.DataFrame
    articles: pd.DataFrame
    attachments: pd.DataFrame
    third_party: pd.DataFrame = field(default_factory=pd.DataFrame)
    possible_mentions: pd.DataFrame = field(default_factory=pd.DataFrame)
    snapshot_time: object = None

    @property
    def is_empty(self) -> bool:
        """True when the snapshot holds nothing about the person."""
        return not (len(self.users) or len(self.tickets) or len(self.articles))

    @property
    def customer_tickets(self) -> pd.DataFrame:
        """Tickets where the person is the customer."""
        return self.tickets[self.tickets["relation"] == CUSTOMER]

    @property
    def correspondent_tickets(self) -> pd.DataFrame:
        """Other people's tickets on which the person appears in from, to or cc."""
        return self.tickets[self.tickets["relation"] == CORRESPONDENT]

    def counts(self) -> dict[str, int]:
        """Count the records found per source, in reading order."""
        articles = self.articles
        return {
            "user records": len(self.users),
            "organisations": len(self.organizations),
            "tickets as customer": len(self.customer_tickets),
            "articles on those tickets": int((articles["relation"] == CUSTOMER).sum()),
            "of which internal notes": int(
                ((articles["relation"] == CUSTOMER) & articles["internal"].fillna(False)).sum()
            ),
            "other people's tickets naming them": len(self.correspondent_tickets),
            "articles naming them on those tickets": int(
                (articles["relation"] == CORRESPONDENT).sum()
            ),
            "attachments": len(self.attachments),
            "attachment bytes": int(self.attachments["size"].fillna(0).sum()),
            "third-party items to review": len(self.third_party),
            "possible mentions to review": len(self.possible_mentions),
        }

    def counts_table(self) -> pd.DataFrame:
        """:meth:`counts` as a two-column table (``found``, ``count``) for a report."""
        return pd.DataFrame(list(self.counts().items()), columns=["found", "count"])

    def third_party_summary(self) -> pd.DataFrame:
        """Third-party findings counted by ticket and kind, for the pre-send check."""
        if self.third_party.empty:
            return pd.DataFrame(columns=["ticket_number", "kind", "whose", "field", "findings"])
        return (
            self.third_party.groupby(["ticket_number", "kind", "whose", "field"], dropna=False)
            .size()
            .rename("findings")
            .reset_index()
        )


ADDED_BY_STAFF = "added by staff"


def find_subject(inventory, emails: Iterable[str], add_articles: Iterable[int] = ()) -> SubjectData:
    """Gather everything the snapshot holds about the person with these addresses.

    Args:
        inventory: an :class:`~mimoto_gov.inventory.Inventory` (anything with the frames
            ``tickets``, ``articles``, ``attachments``, ``users``, ``organizations`` and an
            optional ``snapshot_time``).
        emails: the person's addresses (the request's address plus any others they use).
        add_articles: ids of articles on other tickets that staff decided are about the
            person (for instance from :attr:`SubjectData.possible_mentions`); included with
            ``matched_in`` "added by staff".

    Returns:
        A :class:`SubjectData`; empty frames when nothing is held.

    Raises:
        InputError: no address given, one is not an email address, or an added article
            does not exist.

    """
    wanted = tuple(dict.fromkeys(normalise_email(e) for e in emails))
    if not wanted:
        raise InputError("no email address given for the subject")

    users = _matching_users(inventory.users, wanted)
    organizations = _organizations_of(inventory.organizations, users)

    tickets = inventory.tickets
    articles = inventory.articles
    own_ticket_ids = set(tickets.loc[tickets["customer_id"].isin(users["id"]), "id"])

    own_articles = articles[articles["ticket_id"].isin(own_ticket_ids)].copy()
    own_articles["relation"] = CUSTOMER
    own_articles["matched_in"] = _matched_fields(own_articles, wanted)

    others = articles[~articles["ticket_id"].isin(own_ticket_ids)]
    candidates = others[_contains_any(others, SEARCHED_FIELDS, wanted)].copy()
    candidates["matched_in"] = _matched_fields(candidates, wanted)
    named = candidates[candidates["matched_in"] != ""].copy()
    added = {int(a) for a in add_articles}
    unknown = added - set(articles["id"].dropna().astype(int))
    if unknown:
        raise InputError(f"no article {min(unknown)} in the snapshot")
    extra = others[others["id"].isin(added) & ~others["id"].isin(named["id"])]
    named = pd.concat([named, extra.assign(matched_in=ADDED_BY_STAFF)], ignore_index=True)
    named["relation"] = CORRESPONDENT
    unnamed = others[~others["id"].isin(named["id"])]

    found_articles = pd.concat([own_articles, named], ignore_index=True)
    found_articles = found_articles.sort_values(["ticket_id", "created_at", "id"], kind="stable")
    found_articles = found_articles.reset_index(drop=True)

    own_tickets = tickets[tickets["id"].isin(own_ticket_ids)].assign(relation=CUSTOMER)
    other_tickets = tickets[tickets["id"].isin(set(named["ticket_id"]))].assign(
        relation=CORRESPONDENT
    )
    found_tickets = pd.concat([own_tickets, other_tickets], ignore_index=True)
    found_tickets = found_tickets.iloc[
        found_tickets.assign(_other=found_tickets["relation"] != CUSTOMER)
        .sort_values(["_other", "created_at", "id"], kind="stable")
        .index
    ].reset_index(drop=True)

    attachments = inventory.attachments
    found_attachments = attachments[attachments["article_id"].isin(found_articles["id"])]
    found_attachments = found_attachments.sort_values(["ticket_id", "article_id", "id"])

    subject = SubjectData(
        emails=wanted,
        users=users.reset_index(drop=True),
        organizations=organizations.reset_index(drop=True),
        tickets=found_tickets,
        articles=found_articles,
        attachments=found_attachments.reset_index(drop=True),
        snapshot_time=getattr(inventory, "snapshot_time", None),
    )
    subject.third_party = third_party_findings(subject, known=_known_addresses(inventory))
    subject.possible_mentions = possible_mentions(unnamed, users, tickets)
    return subject


def _lower(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.lower()


def _matching_users(users: pd.DataFrame, wanted: tuple[str, ...]) -> pd.DataFrame:
    # Zammad's login is usually the address too; an account whose email was later changed
    # still carries the old address as its login.
    mask = _lower(users["email"]).isin(wanted).fillna(False)
    if "login" in users:
        mask |= _lower(users["login"]).isin(wanted).fillna(False)
    return users[mask].sort_values("id")


def _organizations_of(organizations: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    ids = set(users["organization_id"].dropna().astype("int64"))
    if "organization_ids" in users:
        for value in users["organization_ids"].dropna():
            # the snapshot stores nested values as JSON text
            listed = json.loads(value) if isinstance(value, str) else value
            ids.update(int(i) for i in listed or ())
    return organizations[organizations["id"].isin(ids)].sort_values("id")


def _contains_any(articles: pd.DataFrame, columns, needles: Iterable[str]) -> pd.Series:
    """Pre-filter fast (vectorised): rows where a column contains a needle, ignoring case."""
    mask = pd.Series(False, index=articles.index)
    for column in columns:
        if column not in articles:
            continue
        text = articles[column].astype("string").str.lower()
        for needle in needles:
            mask |= text.str.contains(needle.lower(), regex=False).fillna(False)
    return mask


def _matched_fields(articles: pd.DataFrame, wanted: tuple[str, ...]) -> pd.Series:
    """For each article, the fields that name one of ``wanted`` (comma-joined)."""
    wanted_set = set(wanted)
    present = [c for c in SEARCHED_FIELDS if c in articles]
    values = []
    for row in articles[present].itertuples(index=False, name=None):
        values.append(
            ",".join(
                c for c, v in zip(present, row, strict=True) if parse_addresses(v) & wanted_set
            )
        )
    return pd.Series(values, index=articles.index, dtype="object")


def _phone_pattern(number: str) -> str | None:
    """Build a regex for a UK number however written (+44 or 0 prefix, any separators)."""
    key = _phone_key(number)
    if not key.startswith("+44") or len(key) < 12:
        return None
    digits = key[3:]
    separated = r"[\s().-]*".join(digits)
    return rf"(?<!\d)(?:(?:\+|00)44[\s().-]*(?:\(0\)[\s().-]*)?|0)[\s().-]*{separated}(?!\d)"


def possible_mentions(
    articles: pd.DataFrame, users: pd.DataFrame, tickets: pd.DataFrame
) -> pd.DataFrame:
    """Articles on other tickets that may be about the person without naming their address.

    A body or subject holding their phone number (from their user records) or their full
    name. Neither proves it is them (an office switchboard, a namesake), so these are listed
    for staff to decide, not put in the package.

    Args:
        articles: the articles not already found (other people's tickets).
        users: the person's user records.
        tickets: every ticket (for the numbers).

    Returns:
        ``ticket_id, ticket_number, article_id, field, by`` ("phone" or "name").

    """
    columns = ["ticket_id", "ticket_number", "article_id", "field", "by"]
    patterns: dict[str, str] = {}
    for column in ("phone", "mobile"):
        for value in users.get(column, pd.Series(dtype=object)).dropna():
            pattern = _phone_pattern(str(value)) if str(value).strip() else None
            if pattern:
                patterns[pattern] = "phone"
    names = {
        f"{first} {last}".strip().lower()
        for first, last in zip(users["firstname"], users["lastname"], strict=True)
        if isinstance(first, str) and isinstance(last, str) and first.strip() and last.strip()
    }
    rows = []
    for column in TEXT_FIELDS:
        if column not in articles:
            continue
        text = articles[column].astype("string")
        hits: dict[str, pd.Series] = {}
        for pattern, by in patterns.items():
            hits[by] = hits.get(by, False) | text.str.contains(pattern, regex=True).fillna(False)
        lowered = text.str.lower()
        for name in names:
            hits["name"] = hits.get("name", False) | lowered.str.contains(name, regex=False)
        for by, mask in hits.items():
            for ticket_id, article_id in articles.loc[
                mask.fillna(False), ["ticket_id", "id"]
            ].values:
                rows.append((ticket_id, article_id, column, by))
    numbers = dict(zip(tickets["id"], tickets["number"], strict=True))
    frame = pd.DataFrame(
        [(t, numbers.get(t), a, f, b) for t, a, f, b in rows], columns=columns
    ).sort_values(["ticket_id", "article_id", "field", "by"], ignore_index=True)
    return frame


def _phone_key(text: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "GB")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", text)


def _known_addresses(inventory) -> dict[str, str]:
    """Whose an address is, as far as the snapshot tells: "staff" or "another user".

    Staff are the accounts :func:`mimoto_gov.retention.customers.staff_user_ids` finds, plus every
    address agents send from (the shared support address is usually no user at all).
    """
    from mimoto_gov.retention.customers import staff_user_ids

    users, articles = inventory.users, inventory.articles
    emails = _lower(users["email"])
    owners = {e: "another user" for e in emails.dropna() if e}
    staff_ids = staff_user_ids(users, articles)
    owners.update({e: "staff" for e in emails[users["id"].isin(staff_ids)].dropna() if e})
    if "sender" in articles:
        agent = articles.loc[_lower(articles["sender"]).eq("agent").fillna(False), "from"]
        for value in agent.dropna().unique():
            owners.update(dict.fromkeys(parse_addresses(value), "staff"))
    return owners


def third_party_findings(subject: SubjectData, known: dict[str, str] | None = None) -> pd.DataFrame:
    """Other people's email addresses and phone numbers in the subject's correspondence.

    Scans the titles of the subject's own tickets and the ``from``, ``to``, ``cc``,
    ``subject`` and ``body`` of every article found, with :func:`mimoto_gov.pii.scan.scan_pii`,
    and keeps the kinds in :data:`THIRD_PARTY_KINDS` that are not the subject's own
    (their addresses, and the phone numbers on their user records).

    Args:
        subject: the gathered data.
        known: lower-cased address -> whose it is ("staff", "another user"), to help the
            reviewer: staff acting for the company usually need no redaction.

    Returns:
        One row per finding: ``ticket_id, ticket_number, article_id, field, kind, whose,
        start, end, masked`` (``article_id`` is missing for a ticket title; ``whose`` is ""
        when the snapshot does not know).

    """
    from mimoto_gov.pii.scan import scan_pii

    known = known or {}
    own_emails = set(subject.emails)
    own_emails |= set(_lower(subject.users["email"]).dropna())
    own_phones = {
        _phone_key(str(v))
        for column in ("phone", "mobile")
        if column in subject.users
        for v in subject.users[column].dropna()
        if str(v).strip()
    }
    numbers = dict(zip(subject.tickets["id"], subject.tickets["number"], strict=True))

    def own(kind: str, value: str) -> bool:
        if kind == "email":
            return value.strip().lower() in own_emails
        return _phone_key(value) in own_phones

    rows = []

    def scan(ticket_id, article_id, field_name, text) -> None:
        if not isinstance(text, str) or not text:
            return
        # Address headers are never HTML; "Name <a@b>" must not be read as a tag. For an HTML
        # body the offsets refer to the body with its tags stripped (scan_pii's rule).
        html = False if field_name in ADDRESS_FIELDS else None
        for finding in scan_pii(text, html=html):
            if finding.kind not in THIRD_PARTY_KINDS or own(finding.kind, finding.value):
                continue
            rows.append(
                {
                    "ticket_id": ticket_id,
                    "ticket_number": numbers.get(ticket_id),
                    "article_id": article_id,
                    "field": field_name,
                    "kind": finding.kind,
                    "whose": known.get(finding.value.strip().lower(), "")
                    if finding.kind == "email"
                    else "",
                    "start": finding.start,
                    "end": finding.end,
                    "masked": finding.masked,
                }
            )

    for ticket in subject.customer_tickets.itertuples(index=False):
        scan(ticket.id, None, "title", ticket.title)
    fields = [c for c in (*ADDRESS_FIELDS, "subject", "body") if c in subject.articles]
    for row in subject.articles[["ticket_id", "id", *fields]].itertuples(index=False, name=None):
        ticket_id, article_id, *values = row
        for name, value in zip(fields, values, strict=True):
            scan(ticket_id, article_id, name, value)
    columns = ["ticket_id", "ticket_number", "article_id", "field", "kind", "whose", "start", "end"]
    frame = pd.DataFrame(rows, columns=[*columns, "masked"])
    frame["article_id"] = frame["article_id"].astype("Int64")
    return frame
