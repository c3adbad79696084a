"""What a subject access package needs from Zammad beyond the snapshot.

The snapshot keeps no attachment contents, ticket history or tags, so the package asks Zammad
for them, for the person's own tickets and the attachments of the messages found: attachment
contents byte for byte (a file Zammad no longer has is recorded, not fatal), and the inline
images an HTML body references by URL that Zammad leaves out of the attachment list
(zammad-api.md §3.5). The desk is checked first (:mod:`mimoto_gov.zammad.desk`).
"""

from __future__ import annotations

import re

import pandas as pd

from mimoto_gov.errors import NotFound
from mimoto_gov.sar.model import LiveData
from mimoto_gov.subject import SubjectData
from mimoto_gov.support.progress import progress

_INLINE_IMAGE_RE = re.compile(r"/api/v1/ticket_attachment/(\d{1,18})/(\d{1,18})/(\d{1,18})")


def needs_live_calls(subject: SubjectData) -> bool:
    """Tell whether building the package calls Zammad (own tickets or attachments found)."""
    return bool(
        len(subject.customer_tickets) or len(subject.attachments) or len(inline_images(subject))
    )


def fetch_live(client, subject: SubjectData, *, download: bool = True) -> LiveData:
    """Fetch attachment contents, and the history and tags of the person's own tickets.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient` (unused when nothing is
            needed).
        subject: the gathered person.
        download: fetch attachment contents (the benchmark leaves them out).

    Raises:
        ZammadError: Zammad refused or failed; a missing attachment (404) is recorded
            instead, as it may have been deleted since the snapshot.

    """
    history_rows: list[dict] = []
    tag_rows: list[dict] = []
    own = subject.customer_tickets
    for ticket in progress(
        list(own[["id", "number"]].itertuples(index=False)), desc="history", unit="ticket"
    ):
        for entry in client.ticket_history(int(ticket.id)):
            history_rows.append(
                {"ticket_id": int(ticket.id), "ticket_number": ticket.number, **entry}
            )
        for tag in client.ticket_tags(int(ticket.id)):
            tag_rows.append(
                {"ticket_id": int(ticket.id), "ticket_number": ticket.number, "tag": tag}
            )
    inline = inline_images(subject)
    files: dict[int, bytes] = {}
    missing: dict[int, str] = {}
    if download:
        wanted = pd.concat(
            [subject.attachments[["ticket_id", "article_id", "id"]], inline], ignore_index=True
        )
        for row in progress(list(wanted.itertuples(index=False)), desc="attachments"):
            try:
                files[int(row.id)] = client.download_attachment(
                    int(row.ticket_id), int(row.article_id), int(row.id)
                )
            except NotFound:
                missing[int(row.id)] = "no longer in Zammad"
    history = pd.DataFrame(history_rows)
    if not history.empty and "created_at" in history:
        history["created_at"] = pd.to_datetime(history["created_at"], utc=True, errors="coerce")
        history = history.sort_values(["ticket_id", "created_at"], kind="stable")
    if history.empty:
        history = LiveData.empty().history
    return LiveData(
        history=history.reset_index(drop=True),
        tags=pd.DataFrame(tag_rows, columns=["ticket_id", "ticket_number", "tag"]),
        files=files,
        missing=missing,
        inline=inline,
    )


def inline_images(subject: SubjectData) -> pd.DataFrame:
    """Images an HTML body references by URL that the attachment list leaves out (§3.5)."""
    known = set(subject.attachments["id"])
    rows = []
    html = subject.articles[subject.articles["content_type"].fillna("") == "text/html"]
    for body in html["body"].dropna():
        for ticket_id, article_id, attachment_id in _INLINE_IMAGE_RE.findall(body):
            if int(attachment_id) not in known:
                known.add(int(attachment_id))
                rows.append((int(ticket_id), int(article_id), int(attachment_id)))
    return pd.DataFrame(rows, columns=["ticket_id", "article_id", "id"], dtype="int64")
