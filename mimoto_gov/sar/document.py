"""The readable response: ``send/index.html`` and ``send/report.pdf``, from the redacted tables.

The body comes from ``templates/sar_response.html.j2`` with autoescaping on; the covering
letter is its first page. HTML article bodies were cleaned with nh3 down to plain formatting
(no attribute, no link, no image survives) when they were redacted
(:mod:`mimoto_gov.sar.redact`); plain bodies are escaped with their line breaks kept.
"""

from __future__ import annotations

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from mimoto_gov.deadlines import uk_date
from mimoto_gov.reports.render import TEMPLATE_DIR
from mimoto_gov.sar.model import uk_datetime
from mimoto_gov.sar.redact import clean_html

TEMPLATE = "sar_response.html.j2"
_HISTORY_OBJECTS = {
    "Ticket": "ticket",
    "Ticket::Article": "message",
    "User": "user",
    "Organization": "organisation",
}
_USER_FIELDS = (
    ("Name", None),
    ("Email", "email"),
    ("Login", "login"),
    ("Phone", "phone"),
    ("Mobile", "mobile"),
    ("Active", "active"),
    ("Created", "created_at"),
    ("Updated", "updated_at"),
    ("Last sign-in", "last_login"),
)


def text(value) -> str:
    """Return a cell as text, missing values as ``""``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    return str(value)


def _body_html(article: dict) -> Markup:
    body = article.get("body")
    if not isinstance(body, str):
        return Markup("")
    if text(article.get("content_type")).lower() == "text/html":
        return Markup(clean_html(body))  # noqa: S704 - cleaned by nh3, no attributes allowed
    return Markup("<br>\n").join(escape(body).split("\n"))


def _article_view(article: dict, files_by_article: dict[int, list[dict]]) -> dict:
    kind = " ".join(v for v in (text(article.get("type")), text(article.get("sender"))) if v)
    internal = article.get("internal")
    return {
        "when": uk_datetime(article.get("created_at")),
        "kind": kind or "message",
        "internal": bool(internal) if pd.notna(internal) else False,
        "from": text(article.get("from")),
        "to": text(article.get("to")),
        "cc": text(article.get("cc")),
        "subject": text(article.get("subject")),
        "body_html": _body_html(article),
        "attachments": files_by_article.get(int(article["id"]), []),
    }


def _history_view(entry: dict) -> dict:
    thing = text(entry.get("object"))
    what = " ".join(v for v in (text(entry.get("type")), _HISTORY_OBJECTS.get(thing, thing)) if v)
    return {
        "when": uk_datetime(entry.get("created_at")),
        "what": what,
        "attribute": text(entry.get("attribute")),
        "value_from": text(entry.get("value_from")),
        "value_to": text(entry.get("value_to")),
    }


def _user_view(user: dict, org_names: dict) -> list[tuple[str, str]]:
    rows = []
    for label, column in _USER_FIELDS:
        if column is None:
            value = " ".join(text(user.get(k)) for k in ("firstname", "lastname")).strip()
        elif column.endswith(("_at", "_login")):
            value = uk_datetime(user.get(column))
        elif column == "active":
            value = "yes" if user.get(column) else "no"
        else:
            value = text(user.get(column))
        if value:
            rows.append((label, value))
    org = user.get("organization_id")
    if org is not None and pd.notna(org):
        rows.append(("Organisation", text(org_names.get(int(org), ""))))
    return rows


def body_context(case, tables: dict[str, pd.DataFrame], extra: dict) -> dict:
    """Everything the response template shows, from the redacted tables.

    Args:
        case: the :class:`mimoto_gov.sar.model.SarCase`.
        tables: the redacted tables (see :func:`mimoto_gov.sar.letter.plain_tables`).
        extra: the letter, "Where we looked", the file list and counts.

    """
    files_by_article: dict[int, list[dict]] = {}
    for row in tables["attachments"].to_dict("records"):
        size = row.get("size")
        files_by_article.setdefault(int(row["article_id"]), []).append(
            {
                "name": text(row.get("filename")) or "attachment",
                "href": row.get("saved_as") or None,
                "size": f"{int(size):,} bytes" if pd.notna(size) else "",
                "note": text(row.get("note")),
            }
        )
    articles_by_ticket: dict[int, list[dict]] = {}
    for article in tables["articles"].to_dict("records"):
        view = _article_view(article, files_by_article)
        articles_by_ticket.setdefault(int(article["ticket_id"]), []).append(view)
    history_by_ticket: dict[int, list[dict]] = {}
    for entry in tables["ticket_history"].to_dict("records"):
        history_by_ticket.setdefault(int(entry["ticket_id"]), []).append(_history_view(entry))
    tags_by_ticket: dict[int, list[str]] = {}
    for ticket_id, tag in tables["ticket_tags"][["ticket_id", "tag"]].itertuples(index=False):
        tags_by_ticket.setdefault(int(ticket_id), []).append(str(tag))

    def ticket_view(t: dict) -> dict:
        tid = int(t["id"])
        return {
            "number": text(t.get("number")),
            "title": text(t.get("title")),
            "state": text(t.get("state")),
            "group": text(t.get("group")),
            "created": uk_datetime(t.get("created_at")),
            "updated": uk_datetime(t.get("updated_at")),
            "closed": uk_datetime(t.get("close_at")),
            "tags": tags_by_ticket.get(tid, []),
            "articles": articles_by_ticket.get(tid, []),
            "history": history_by_ticket.get(tid, []),
        }

    subject = case.subject
    organizations = tables["organizations"]
    org_names = dict(zip(organizations["id"], organizations["name"], strict=True))
    tickets = tables["tickets"]
    entries = tables["register_entries"]
    return {
        "request": {
            "id": case.request["id"],
            "received_on": uk_date(case.request["received_on"]),
            "due_on": uk_date(case.due_on),
            "extended": case.request["extended"],
            "verification": case.request["verification"],
        },
        "emails": case.emails,
        "snapshot_time": uk_datetime(subject.snapshot_time),
        "generated_on": uk_datetime(case.generated_at),
        "empty": subject.is_empty,
        "a15": case.article15,
        "users": [_user_view(u, org_names) for u in tables["users"].to_dict("records")],
        "organizations": [
            {
                "name": text(o.get("name")),
                "created": uk_datetime(o.get("created_at")),
                "updated": uk_datetime(o.get("updated_at")),
            }
            for o in organizations.to_dict("records")
        ],
        "own_tickets": [
            ticket_view(t) for t in tickets[tickets["relation"] == "customer"].to_dict("records")
        ],
        "other_tickets": [
            ticket_view(t) for t in tickets[tickets["relation"] != "customer"].to_dict("records")
        ],
        "register_columns": ["Register", "Reference", "What", "Date", "Status", "Details"],
        "register_rows": [
            [
                text(r["register"]),
                text(r["reference"]),
                text(r["what"]),
                uk_date(pd.Timestamp(r["date"]).date()) if r.get("date") else "",
                text(r["status"]),
                text(r["details"]),
            ]
            for r in entries.to_dict("records")
        ],
        **extra,
    }


def render_body(context: dict) -> str:
    """Render the response body (escaped throughout) from the package context."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(TEMPLATE).render(**context)
