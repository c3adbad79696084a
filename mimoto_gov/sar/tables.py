"""The package's tables, redacted, and the decision on each attachment.

Every table that goes into ``send/`` is made here from the person's data
(:class:`~mimoto_gov.subject.SubjectData`, the live history and tags, the register entries)
through one :class:`~mimoto_gov.sar.redact.Redactor`, so the HTML, the PDF, ``data.json`` and
the CSVs are all made from the same redacted text. Other people's tickets keep only what says
which ticket it was (id, number, date): their titles and customers are theirs.

Attachments are never altered. One is held back (listed for staff, named in the letter) when
it may hold other people's data: it is on another person's ticket, someone other than the
person or staff sent it, or it is text holding other people's identifiers. Staff send one
held back, or hold back one that was going, in ``staff/decisions.csv``.
"""

from __future__ import annotations

import pandas as pd

from mimoto_gov.sar.model import LiveData, SarCase
from mimoto_gov.sar.redact import Redactor
from mimoto_gov.subject import CUSTOMER, parse_addresses

# What says which ticket it was; the rest of another person's ticket is theirs.
OTHER_TICKET_COLUMNS = ("id", "number", "relation", "created_at")
_TEXT_TYPES = ("application/json", "application/xml", "application/csv", "message/rfc822")
_TEXT_SUFFIXES = (".txt", ".csv", ".json", ".xml", ".log", ".eml", ".htm", ".html", ".md")
# Reading more of a text attachment than this would not change the decision.
_SCAN_LIMIT = 4_000_000


def redacted_tables(case: SarCase, live: LiveData, redactor: Redactor) -> dict[str, pd.DataFrame]:
    """Every table of the package, redacted, with the attachments' ``status`` and ``why``.

    Returns:
        ``users, organizations, tickets, articles, attachments, ticket_history, ticket_tags,
        register_entries``.

    """
    subject = case.subject
    numbers = dict(zip(subject.tickets["id"], subject.tickets["number"], strict=True))
    tickets = subject.tickets.copy()
    other = tickets["relation"] != CUSTOMER
    for column in tickets.columns:
        if column not in OTHER_TICKET_COLUMNS and other.any():
            tickets[column] = tickets[column].astype(object).where(~other, None)
    return {
        "users": redactor.frame(subject.users, "users", reference=lambda r: f"user {r['id']}"),
        "organizations": subject.organizations,
        "tickets": redactor.frame(
            tickets,
            "tickets",
            reference=lambda r: f"ticket {r['number']}",
            ticket=lambda r: r["id"],
        ),
        "articles": redactor.frame(
            subject.articles,
            "articles",
            reference=lambda r: f"article {r['id']} on ticket {numbers.get(r['ticket_id'])}",
            ticket=lambda r: r["ticket_id"],
            html_body=True,
        ),
        "attachments": _attachments(case, live, redactor, numbers),
        "ticket_history": redactor.frame(
            live.history,
            "ticket_history",
            reference=lambda r: f"history of ticket {r['ticket_number']}",
            ticket=lambda r: r["ticket_id"],
        ),
        "ticket_tags": redactor.frame(
            live.tags,
            "ticket_tags",
            reference=lambda r: f"tags of ticket {r['ticket_number']}",
            ticket=lambda r: r["ticket_id"],
        ),
        "register_entries": redactor.frame(
            case.register_entries,
            "register_entries",
            reference=lambda r: f"{r['register']} {r['reference']}",
        ),
    }


def _attachments(case: SarCase, live: LiveData, redactor: Redactor, numbers: dict):
    subject = case.subject
    inline = live.inline.assign(filename=lambda f: "inline-image-" + f["id"].astype(str))
    parts = [p for p in (subject.attachments, inline.assign(inline=True)) if len(p)]
    table = pd.concat(parts, ignore_index=True) if parts else subject.attachments.iloc[0:0].copy()
    table["inline"] = table.get("inline", pd.Series(dtype=object)).fillna(False).astype(bool)
    table["ticket_number"] = table["ticket_id"].map(numbers)
    redacted = redactor.frame(
        table,
        "attachments",
        reference=lambda r: f"attachment {r['id']} on ticket {numbers.get(r['ticket_id'])}",
        ticket=lambda r: r["ticket_id"],
    )
    articles = {int(a["id"]): a for a in subject.articles.to_dict("records")}
    decided = [_decide(row, articles, case, live, redactor) for row in table.to_dict("records")]
    return redacted.assign(
        status=[status for status, _ in decided], why=[why for _, why in decided]
    )


def _by_person_or_staff(article: dict, case: SarCase) -> bool:
    if str(article.get("sender") or "").lower() in ("agent", "system"):
        return True
    if parse_addresses(article.get("from")) & set(case.people.own_emails):
        return True
    author = article.get("created_by_id")
    return author is not None and not pd.isna(author) and author in set(case.subject.users["id"])


def _is_text(row: dict) -> bool:
    kind = str(row.get("content_type") or "").lower()
    name = str(row.get("filename") or "").lower()
    return kind.startswith("text/") or kind in _TEXT_TYPES or name.endswith(_TEXT_SUFFIXES)


def _decide(row: dict, articles: dict, case: SarCase, live: LiveData, redactor: Redactor):
    """Whether an attachment is sent or held back, and why (``status``, ``why``)."""
    item = f"attachment:{int(row['id'])}"
    if item in case.decisions.release:
        return "sent", f"released by staff: {case.decisions.release[item]}"
    if item in case.decisions.withhold:
        return "withheld", f"held back by staff: {case.decisions.withhold[item]}"
    reasons = []
    article = articles.get(int(row["article_id"]))
    if article is None or article.get("relation") != CUSTOMER:
        reasons.append("it is on another person's ticket")
    elif not _by_person_or_staff(article, case):
        reasons.append("someone other than the person or our staff sent it")
    content = live.files.get(int(row["id"]))
    if content and _is_text(row):
        text = content[:_SCAN_LIMIT].decode("utf-8", errors="replace")
        found = redactor.spans(text, int(row["ticket_id"]))
        if found:
            reasons.append(f"it holds {len(found):,} identifiers of other people")
    return ("withheld", "; ".join(reasons)) if reasons else ("sent", "")
