"""Other people's identifiers, replaced by a visible marker in everything that is sent.

Correspondence about a person carries other people's data: colleagues copied in, the other
customer of a ticket they were copied on, names and numbers quoted in a body. Disclosing it is
the likeliest way to cause a breach while answering a request (DPA 2018 Sch. 2 para 16), so
every text that goes into ``send/`` passes through a :class:`Redactor` before anything is
rendered: the HTML, the PDF, ``data.json`` and the CSVs are all made from the redacted tables,
so they agree with each other and with the manifest.

What is redacted (replaced by :data:`~mimoto_gov.sar.model.MARKER`):

- email addresses, phone numbers and the other kinds :func:`mimoto_gov.pii.scan.scan_pii`
  finds, unless they are the person's own (their addresses and logins, the numbers on their
  records, values they wrote themselves) or staff's (agents and the addresses agents send
  from: Mimoto acting as a company);
- names of other people: every full name the snapshot knows (users' first and last names,
  display names in ``from``/``to``/``cc``) wherever it appears, and the single first or last
  names of the people on the same ticket ("Hi Olivia,"), see :mod:`mimoto_gov.pii.names`;
- other people's logins that are not addresses.

Every redaction is logged (where, what kind, the masked value, a stable item id) so staff can
review it; an item listed in ``staff/decisions.csv`` with a reason is left as it is on the next
build (``--rebuild``). HTML bodies are first cleaned with nh3 down to plain formatting, then
redacted in their text only, so a marker never breaks a tag.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import getaddresses

import nh3
import pandas as pd

from mimoto_gov.pii.masks import mask
from mimoto_gov.pii.names import NameFinder, name_key
from mimoto_gov.pii.scan import scan_pii
from mimoto_gov.pii.text import phone_key
from mimoto_gov.retention.rules import staff_user_ids
from mimoto_gov.sar.model import MARKER, REDACTION_COLUMNS
from mimoto_gov.subject import ADDRESS_FIELDS, parse_addresses

# Formatting and structure survive; anything that could run, load or link does not.
BODY_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "ul", "ol", "li", "blockquote",
    "pre", "code", "div", "span", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
# Columns that hold Zammad's own vocabulary or the workbook's, never a person.
SAFE_COLUMNS = frozenset(
    {"number", "state", "group", "priority", "type", "sender", "content_type", "relation",
     "matched_in", "kind", "register", "status", "object", "sha256", "saved_as", "note",
     "inline"}
)  # fmt: skip
# Kinds that are the person's own when they wrote them themselves.
_WRITTEN_KINDS = ("card_number", "iban", "ni_number", "postcode", "ip_address")
# A login-shaped token: words joined by dots, never starting or ending with one.
_LOGIN_TOKEN = re.compile(r"(?<![\w.+-])[\w+-]+(?:\.[\w+-]+)*")
_TAG_SPLIT = re.compile(r"(<[^>]*>)")
# Header values longer than this are read for addresses only (getaddresses is not linear).
_HEADER_LIMIT = 4000


def clean_html(body: str) -> str:
    """Return an HTML body cleaned down to plain formatting (no attribute, link or image)."""
    return nh3.clean(
        body,
        tags=BODY_TAGS,
        attributes={},
        clean_content_tags={"script", "style", "template", "noscript"},
        link_rel=None,
    )


def _compact(value: str) -> str:
    return re.sub(r"[\s.:-]", "", value).upper()


@dataclass(frozen=True)
class People:
    """Who is who in the snapshot, as far as redaction needs to know.

    Attributes:
        own_emails, own_phones, own_values: the person's addresses and logins, phone keys
            (E.164) and other values they wrote themselves (compacted, upper-case).
        staff_emails, staff_phones: Mimoto's agents' and the support addresses, numbers.
        logins: other people's logins that are not addresses (lower-case).
        names: the finder of other people's full names.
        participants: ticket id -> first and last names of the other people on it.

    """

    own_emails: frozenset[str]
    own_phones: frozenset[str]
    own_values: frozenset[str]
    staff_emails: frozenset[str]
    staff_phones: frozenset[str]
    logins: frozenset[str]
    names: NameFinder
    participants: dict[int, frozenset[str]] = field(default_factory=dict)

    def keeps(self, kind: str, value: str) -> bool:
        """Tell whether a finding is the person's own or staff's (so it stays)."""
        if kind == "email":
            address = value.strip().lower()
            return address in self.own_emails or address in self.staff_emails
        if kind == "phone":
            key = phone_key(value)
            return key in self.own_phones or key in self.staff_phones
        return _compact(value) in self.own_values


def _words(*names: object) -> set[str]:
    return {w.title() for n in names for w in name_key(n).split() if len(w) > 1}


def _full(first: object, last: object) -> str:
    return " ".join(str(v).strip() for v in (first, last) if isinstance(v, str) and v.strip())


def _full_names(users: pd.DataFrame) -> set[str]:
    return {
        _full(first, last)
        for first, last in zip(users["firstname"], users["lastname"], strict=True)
    }


def _header_people(value: object) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs of a header value (addresses only when it is huge)."""
    if not isinstance(value, str) or not value.strip():
        return []
    if len(value) > _HEADER_LIMIT:
        return [("", a) for a in sorted(parse_addresses(value))]
    return [(name.strip(), address.strip().lower()) for name, address in getaddresses([value])]


def people_from(inventory, subject) -> People:
    """Work out whose identifiers stay and whose are redacted, for one person's package.

    Args:
        inventory: the snapshot (every user and article).
        subject: the person (:class:`mimoto_gov.subject.SubjectData`).

    """
    users = inventory.users
    own = users[users["id"].isin(subject.users["id"])]
    staff = users[
        users["id"].isin(staff_user_ids(users, inventory.articles)) & ~users["id"].isin(own["id"])
    ]
    others = users[~users["id"].isin(own["id"]) & ~users["id"].isin(staff["id"])]

    def lowered(frame: pd.DataFrame, column: str) -> set[str]:
        if column not in frame:
            return set()
        return {str(v).strip().lower() for v in frame[column].dropna() if str(v).strip()}

    def phones(frame: pd.DataFrame) -> set[str]:
        return {phone_key(str(v)) for c in ("phone", "mobile") for v in lowered(frame, c)}

    own_emails = set(subject.emails) | lowered(own, "email") | lowered(own, "login")
    staff_emails = lowered(staff, "email")
    articles = inventory.articles
    if "sender" in articles:
        agent_from = articles.loc[
            articles["sender"].astype("string").str.lower().eq("agent").fillna(False), "from"
        ]
        for value in agent_from.dropna().unique():
            staff_emails |= parse_addresses(value)
    staff_emails -= own_emails
    own_full = _full_names(own)
    own_words = _words(*own_full)
    staff_full = _full_names(staff)
    full_names = _full_names(others)
    by_email = {
        str(e).strip().lower(): (first, last)
        for e, first, last in zip(
            others["email"], others["firstname"], others["lastname"], strict=True
        )
        if isinstance(e, str) and e.strip()
    }
    customer_names = {
        int(i): (first, last)
        for i, first, last in zip(
            others["id"], others["firstname"], others["lastname"], strict=True
        )
    }
    participants: dict[int, set[str]] = {}
    for ticket in subject.tickets[["id", "customer_id"]].itertuples(index=False):
        words = participants.setdefault(int(ticket.id), set())
        if pd.notna(ticket.customer_id) and int(ticket.customer_id) in customer_names:
            words |= _words(*customer_names[int(ticket.customer_id)])
    present = [c for c in ADDRESS_FIELDS if c in subject.articles]
    for row in subject.articles[["ticket_id", *present]].itertuples(index=False, name=None):
        ticket_id, *headers = row
        words = participants.setdefault(int(ticket_id), set())
        for header in headers:
            for name, address in _header_people(header):
                if address in own_emails or address in staff_emails:
                    own_words |= _words(name) if address in own_emails else set()
                    continue
                if name:
                    words |= _words(name)
                    full_names.add(name)
                if address in by_email:
                    words |= _words(*by_email[address])
    own_values = set()
    for column in ("address", "zip", "street"):
        for value in lowered(own, column):
            own_values |= {_compact(f.value) for f in scan_pii(value, html=False)}
    authored = (
        subject.articles[
            subject.articles["from"].map(lambda v: bool(parse_addresses(v) & own_emails))
        ]
        if "from" in subject.articles and len(subject.articles)
        else subject.articles.iloc[0:0]
    )
    for column in ("subject", "body"):
        for value in authored.get(column, pd.Series(dtype=object)).dropna():
            own_values |= {
                _compact(f.value) for f in scan_pii(str(value)) if f.kind in _WRITTEN_KINDS
            }
    logins = {login for login in lowered(others, "login") if "@" not in login and len(login) >= 3}
    return People(
        own_emails=frozenset(own_emails),
        own_phones=frozenset(phones(own)),
        own_values=frozenset(own_values),
        staff_emails=frozenset(staff_emails),
        staff_phones=frozenset(phones(staff) - phones(own)),
        logins=frozenset(logins),
        names=NameFinder(full_names, ignore=own_full | staff_full),
        participants={t: frozenset(w - own_words) for t, w in participants.items()},
    )


class Redactor:
    """Replace other people's identifiers in text, logging each one.

    Args:
        people: from :func:`people_from`.
        release: item id -> reason, for items staff decided to show.

    """

    def __init__(self, people: People, release: Mapping[str, str] | None = None):
        self.people = people
        self.release = dict(release or {})
        self.rows: list[dict] = []
        self.seen_items: set[str] = set()

    def spans(self, text: str, ticket_id: int | None = None) -> list[tuple[int, int, str, str]]:
        """Other people's identifiers in ``text``: ``(start, end, kind, value)``, in order."""
        if not isinstance(text, str) or not text:
            return []
        people = self.people
        found = [
            (f.start, f.end, f.kind, f.value)
            for f in scan_pii(text, html=False)
            if not people.keeps(f.kind, f.value)
        ]
        words = people.participants.get(ticket_id, frozenset()) if ticket_id is not None else ()
        found += [(s, e, "name", v) for s, e, v in people.names.find(text, words)]
        if people.logins:
            found += [
                (m.start(), m.end(), "login", m.group())
                for m in _LOGIN_TOKEN.finditer(text)
                if m.group().lower() in people.logins
            ]
        found.sort(key=lambda span: (span[0], -(span[1] - span[0])))
        kept: list[tuple[int, int, str, str]] = []
        for span in found:
            if not kept or span[0] >= kept[-1][1]:
                kept.append(span)
        return kept

    def text(
        self, value: object, *, table: str, reference: str, field: str, ticket_id=None
    ) -> object:
        """Return ``value`` with other people's identifiers replaced (non-text unchanged)."""
        if not isinstance(value, str) or not value:
            return value
        parts, position = [], 0
        for start, end, kind, found in self.spans(value, ticket_id):
            released = self._log(table, reference, field, start, end, kind, found)
            parts.append(value[position:start])
            parts.append(found if released else MARKER)
            position = end
        if not parts:
            return value
        parts.append(value[position:])
        return "".join(parts)

    def html(self, value: object, *, table: str, reference: str, field: str, ticket_id=None):
        """Return an HTML body cleaned (:func:`clean_html`) and redacted in its text only."""
        if not isinstance(value, str) or not value:
            return value
        pieces = _TAG_SPLIT.split(clean_html(value))
        texts = [html.unescape(p) for p in pieces[0::2]]
        # The visible text as one string, a space between pieces, so that "<b>Carol</b> Smith"
        # is read as a name; offsets map back to the pieces.
        offsets, joined = [], []
        position = 0
        for text in texts:
            offsets.append(position)
            joined.append(text)
            position += len(text) + 1
        visible = " ".join(joined)
        edits: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        for start, end, kind, found in self.spans(visible, ticket_id):
            if self._log(table, reference, field, start, end, kind, found):
                continue
            first = True
            for index, (offset, text) in enumerate(zip(offsets, texts, strict=True)):
                low, high = max(start, offset), min(end, offset + len(text))
                if low < high:
                    edits[index].append((low - offset, high - offset, MARKER if first else ""))
                    first = False
        out = []
        for index, piece in enumerate(pieces):
            if index % 2:
                out.append(piece)
                continue
            text = texts[index // 2]
            for low, high, replacement in sorted(edits[index // 2], reverse=True):
                text = text[:low] + replacement + text[high:]
            out.append(html.escape(text, quote=False))
        return "".join(out)

    def _log(self, table, reference, field_name, start, end, kind, value) -> bool:
        """Record a redaction; returns True when staff released it (the value stays)."""
        item = hashlib.sha256(
            f"{table}|{reference}|{field_name}|{start}|{value}".encode()
        ).hexdigest()[:12]
        released = item in self.release
        self.seen_items.add(item)
        self.rows.append(
            {
                "item": item,
                "table": table,
                "reference": reference,
                "field": field_name,
                "kind": kind,
                "masked": mask(value, kind),
                "start": start,
                "end": end,
                "released": released,
                "reason": self.release.get(item, ""),
            }
        )
        return released

    def frame(
        self,
        frame: pd.DataFrame,
        table: str,
        *,
        reference: Callable[[dict], str],
        ticket: Callable[[dict], int | None] = lambda row: None,
        html_body: bool = False,
    ) -> pd.DataFrame:
        """Return a copy of ``frame`` with every text cell redacted (safe columns kept).

        Args:
            frame: the table.
            table: its name, for the log.
            reference: where a row is, for the log ("article 12 on ticket 31001").
            ticket: the row's ticket id (for the names of the people on it).
            html_body: the ``body`` of ``text/html`` rows is HTML (cleaned, then redacted).

        """
        if frame.empty:
            return frame.copy()
        columns = [
            c
            for c in frame.columns
            if c not in SAFE_COLUMNS and not c.endswith(("_id", "_at")) and c != "id"
        ]
        records = frame.to_dict("records")
        out = {c: [] for c in columns}
        for row in records:
            where = reference(row)
            ticket_id = ticket(row)
            is_html = html_body and str(row.get("content_type") or "").lower() == "text/html"
            for column in columns:
                value = row[column]
                redact = self.html if is_html and column == "body" else self.text
                out[column].append(
                    redact(value, table=table, reference=where, field=column, ticket_id=ticket_id)
                )
        result = frame.copy()
        for column in columns:
            result[column] = pd.Series(out[column], index=frame.index, dtype=object)
        return result

    def log(self) -> pd.DataFrame:
        """Every redaction made (and released) so far, in the order made."""
        return pd.DataFrame(self.rows, columns=REDACTION_COLUMNS)

    def unknown_items(self, items: Iterable[str]) -> list[str]:
        """Items a decision names that no redaction of this build has."""
        return sorted(set(items) - self.seen_items)
