"""The response as the person reads it: the covering letter, "Where we looked", plain CSVs.

- :func:`letter_facts` reads who writes (name, registered address, contact and the signing
  role from ``data/policy/ropa.yml``) and the copies an answer cannot search (backups and the
  provider's logs, the ``backups`` section of ``data/policy/retention.yml``); a field still
  waiting for staff is
  listed in ``gaps`` and the checks ask for it before sending.
- :func:`where_we_looked` lists the same places as the deletion checklist (Zammad's users,
  tickets, organisation and other customers' tickets, the mailboxes, each backup and provider
  log, analytics, the marketing lists, the workbook's own copies and registers), each with
  whether it was searched and why, claiming nothing the record of processing contradicts.
- :func:`letter_context` is the covering letter: the request's dates, what is enclosed, what
  was withheld and why, the person's rights and the ICO complaint route.
- :func:`plain_tables` turns the redacted tables into CSVs with plain headings and UK dates;
  Zammad's raw fields stay in ``data.json`` only.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mimoto_gov.deadlines import uk_date
from mimoto_gov.pii.text import strip_html
from mimoto_gov.policy.files import ROPA_FILE, policy_file
from mimoto_gov.policy.ropa import is_placeholder, load_ropa
from mimoto_gov.policy.schedule import default_schedule_path, load_schedule
from mimoto_gov.sar.model import MARKER, uk_datetime
from mimoto_gov.settings import Settings

EXEMPTION = "Data Protection Act 2018, Schedule 2, paragraph 16 (other people's information)"


def letter_facts(settings: Settings) -> dict:
    """Read who sends the response and the copies it cannot search, from ``data/policy/``.

    Returns:
        ``name, address, contact, signer, copies`` (each copy: ``name, owner, holds, days,
        kind``) and ``gaps``: the fields still marked for staff to fill.

    Raises:
        ConfigError: ``ropa.yml`` or ``retention.yml`` is missing or malformed.

    """
    ropa = load_ropa(policy_file(ROPA_FILE, settings.data_dir))
    controller = ropa["controller"]
    gaps = [
        f"ropa.yml controller.{key}"
        for key in ("registered_address", "contact")
        if not controller.get(key) or is_placeholder(controller.get(key))
    ]
    schedule = load_schedule(default_schedule_path(settings.policy_dir))
    backups = schedule.backups.copies if schedule.backups else ()
    copies = [
        {
            "name": copy.name,
            "owner": copy.owner,
            "holds": copy.holds,
            "days": copy.retention_days,
            "kind": copy.kind.replace(" ", "-"),  # "provider log" -> "provider-log"
        }
        for copy in backups
    ]
    return {
        "name": str(controller.get("name")),
        "address": str(controller.get("registered_address") or ""),
        "contact": str(controller.get("contact") or ""),
        "signer": str(ropa.get("owner") or "Data protection lead"),
        "copies": copies,
        "gaps": gaps,
    }


def where_we_looked(facts: dict) -> list[dict]:
    """Every place the person's data may be, as the deletion checklist lists them.

    Returns:
        Rows ``key, place, searched, detail``; ``key`` matches the checklist line's key (its
        kind, without a number).

    """
    rows = [
        ("zammad-users", "Service desk (Zammad): user accounts", "yes",
         "Accounts whose current email address is one you gave us, or one you told us you use."),
        ("zammad-tickets", "Service desk (Zammad): your tickets", "yes",
         "Every ticket where you are the customer, with all its messages, our staff's internal "
         "notes, attachments, history and tags."),
        ("organization", "Service desk (Zammad): your organisation", "yes",
         "The organisation your account belongs to, if any."),
        ("zammad-other-tickets", "Service desk (Zammad): other customers' tickets", "yes",
         "Messages sent from, to or copied to your address, or writing it in their text."),
        ("mailboxes", "Support mailboxes and staff email accounts", "yes, by hand",
         "Emails reach the service desk through these mailboxes; our support staff searched "
         "them for your address."),
        ("local", "Our working copies of the service desk and earlier reports", "yes",
         "This response is made from our copy of the service desk, refreshed for it."),
        ("suppression", "Marketing consents and the do-not-contact list", "yes",
         "Kept in our registers; anything held is listed under our records."),
        ("mailing-list", "Mailing-list service", "yes, by hand",
         "Holds your address only if you opted in to marketing."),
        ("legal-holds", "Our registers of requests, complaints and erasures", "yes",
         "Every entry recorded under your email address."),
        ("gauges", "Website analytics (Gaug.es)", "no",
         "It holds nothing personal: aggregated, anonymous browser information without IP "
         "addresses or user details, so nothing in it relates to you."),
    ]  # fmt: skip
    for copy in facts.get("copies", []):
        if copy["kind"] == "backup":
            detail = (
                f"Kept by {copy['owner']} only to restore the system after a failure, for "
                f"{copy['days']:,} days ({copy['holds']}); they are not used for anything else, "
                "and data deleted from the live system may remain in them until overwritten."
            )
        else:
            detail = (
                f"Kept by {copy['owner']} for {copy['days']:,} days ({copy['holds']}). Ask us "
                "and we will ask them for what concerns you."
            )
        rows.append((copy["kind"], copy["name"], "no", detail))
    return [dict(zip(("key", "place", "searched", "detail"), r, strict=True)) for r in rows]


def letter_context(
    case,
    *,
    today: date,
    enclosed: list[str],
    redacted: int,
    withheld_files: list[dict],
) -> dict:
    """Return the covering letter's content (see ``templates/sar_response.html.j2``).

    Args:
        case: the :class:`mimoto_gov.sar.model.SarCase`.
        today: the letter's date.
        enclosed: what comes with it, in words.
        redacted: how many identifiers of other people were replaced.
        withheld_files: attachments not sent (``name, when, ticket``).

    """
    facts = case.letter
    users = case.subject.users
    names = [
        " ".join(str(v) for v in (u.get("firstname"), u.get("lastname")) if isinstance(v, str))
        for u in users.to_dict("records")
    ]
    name = next((n.strip() for n in names if n.strip()), "")
    request = case.request
    rights = [
        str(r.get("right")).lower()
        for r in case.article15.get("rights", [])
        if isinstance(r, dict) and r.get("right") and str(r.get("right")).lower() != "access"
    ]
    return {
        "sender": facts,
        "date": uk_date(today),
        "greeting": f"Dear {name}" if name else "Dear Sir or Madam",
        "reference": request["id"],
        "received": uk_date(request["received_on"]),
        "clock_starts": uk_date(request["clock_starts_on"]),
        "due": uk_date(case.due_on),
        "extended": request["extended"],
        "enclosed": enclosed,
        "redacted": redacted,
        "marker": MARKER,
        "exemption": EXEMPTION,
        "withheld_files": withheld_files,
        "correspondent": len(case.subject.correspondent_tickets),
        "rights": rights,
        "complaints": case.article15.get("complaints", {}),
    }


def _text(value) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    return str(value)


def _message_text(article: dict) -> str:
    body = _text(article.get("body"))
    if _text(article.get("content_type")).lower() == "text/html":
        return " ".join(strip_html(body).split())
    return body


def _plain(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def plain_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return the CSVs sent with the response: curated columns, plain headings, UK dates and times.

    Args:
        tables: the redacted raw tables (``users``, ``organizations``, ``tickets``,
            ``articles``, ``attachments``, ``ticket_history``, ``ticket_tags``,
            ``register_entries``).

    Returns:
        File name -> table.

    """
    numbers = dict(zip(tables["tickets"]["id"], tables["tickets"]["number"], strict=True))
    articles = tables["articles"]
    sent = dict(zip(articles["id"], articles["created_at"], strict=True))
    orgs = dict(zip(tables["organizations"]["id"], tables["organizations"]["name"], strict=True))

    def ticket(value) -> str:
        return _text(numbers.get(value, ""))

    def when(value) -> str:
        return uk_datetime(value)

    account = [
        {
            "Name": " ".join(_text(u.get(k)) for k in ("firstname", "lastname")).strip(),
            "Email": _text(u.get("email")),
            "Login": _text(u.get("login")),
            "Phone": _text(u.get("phone")),
            "Mobile": _text(u.get("mobile")),
            "Active": "yes" if u.get("active") is True else "no",
            "Created": when(u.get("created_at")),
            "Last updated": when(u.get("updated_at")),
            "Last sign-in": when(u.get("last_login")),
            "Organisation": _text(orgs.get(u.get("organization_id"), "")),
        }
        for u in tables["users"].to_dict("records")
    ]
    organisations = [
        {"Name": _text(o.get("name")), "Created": when(o.get("created_at")),
         "Last updated": when(o.get("updated_at"))}
        for o in tables["organizations"].to_dict("records")
    ]  # fmt: skip
    tickets = [
        {
            "Ticket": _text(t.get("number")),
            "Your part": "customer" if t.get("relation") == "customer" else "named in a message",
            "Title": _text(t.get("title")) if t.get("relation") == "customer" else "",
            "State": _text(t.get("state")),
            "Group": _text(t.get("group")),
            "Opened": when(t.get("created_at")),
            "Last updated": when(t.get("updated_at")),
            "Closed": when(t.get("close_at")),
        }
        for t in tables["tickets"].to_dict("records")
    ]
    messages = [
        {
            "Ticket": ticket(a.get("ticket_id")),
            "Sent": when(a.get("created_at")),
            "Type": _text(a.get("type")),
            "Sent by": _text(a.get("sender")),
            "From": _text(a.get("from")),
            "To": _text(a.get("to")),
            "Cc": _text(a.get("cc")),
            "Subject": _text(a.get("subject")),
            "Text": _message_text(a),
            "Internal note": "yes" if a.get("internal") is True else "no",
        }
        for a in articles.to_dict("records")
    ]
    attachments = [
        {
            "Ticket": ticket(f.get("ticket_id")),
            "Message sent": when(sent.get(f.get("article_id"))),
            "File name": _text(f.get("filename")),
            "Type": _text(f.get("content_type")),
            "Size (bytes)": _text(f.get("size")),
            "In this package as": _text(f.get("saved_as")),
            "SHA-256": _text(f.get("sha256")),
            "Note": _text(f.get("note")),
        }
        for f in tables["attachments"].to_dict("records")
    ]
    history = [
        {
            "Ticket": ticket(h.get("ticket_id")),
            "When": when(h.get("created_at")),
            "What": " ".join(_text(h.get(k)) for k in ("type", "object")).strip(),
            "Field": _text(h.get("attribute")),
            "From": _text(h.get("value_from")),
            "To": _text(h.get("value_to")),
        }
        for h in tables["ticket_history"].to_dict("records")
    ]
    tags = [
        {"Ticket": ticket(t.get("ticket_id")), "Tag": _text(t.get("tag"))}
        for t in tables["ticket_tags"].to_dict("records")
    ]
    records = [
        {
            "Register": _text(r.get("register")),
            "Reference": _text(r.get("reference")),
            "What": _text(r.get("what")),
            "Date": uk_date(date.fromisoformat(r["date"])) if r.get("date") else "",
            "Status": _text(r.get("status")),
            "Details": _text(r.get("details")),
        }
        for r in tables["register_entries"].to_dict("records")
    ]
    columns = {
        "account.csv": (account, ["Name", "Email", "Login", "Phone", "Mobile", "Active",
                                  "Created", "Last updated", "Last sign-in", "Organisation"]),
        "organisations.csv": (organisations, ["Name", "Created", "Last updated"]),
        "tickets.csv": (tickets, ["Ticket", "Your part", "Title", "State", "Group", "Opened",
                                  "Last updated", "Closed"]),
        "messages.csv": (messages, ["Ticket", "Sent", "Type", "Sent by", "From", "To", "Cc",
                                    "Subject", "Text", "Internal note"]),
        "attachments.csv": (attachments, ["Ticket", "Message sent", "File name", "Type",
                                          "Size (bytes)", "In this package as", "SHA-256",
                                          "Note"]),
        "ticket_history.csv": (history, ["Ticket", "When", "What", "Field", "From", "To"]),
        "ticket_tags.csv": (tags, ["Ticket", "Tag"]),
        "our_records.csv": (records, ["Register", "Reference", "What", "Date", "Status",
                                      "Details"]),
    }  # fmt: skip
    return {name: _plain(rows, cols) for name, (rows, cols) in columns.items()}
