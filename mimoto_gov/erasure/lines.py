"""The lines of the deletion checklist, built from an :class:`~mimoto_gov.erasure.plan.ErasurePlan`.

Each line says where the person's data is, what is held there, what the erasure does about
it, who owns that step and its state. The same lines, with their states moved on by the
execution, make the certificate of erasure; there ``identify=False`` leaves out anything that
would identify the person (addresses, names, logins), keeping only ids and ticket numbers.
"""

from __future__ import annotations

import pandas as pd

from mimoto_gov.erasure.keep import keep_lines
from mimoto_gov.erasure.model import (
    BLOCKED,
    BY_HAND,
    CLEAR,
    DONE,
    FAILED,
    KEPT,
    NOT_RUN,
    NOTHING,
    OWNER_DPO,
    OWNER_MARKETING,
    OWNER_SUPPORT,
    OWNER_TOOL,
    TO_DELETE,
    VERIFIED,
    ChecklistLine,
    ErasurePlan,
    count,
)
from mimoto_gov.erasure.notify import confirmation_line, notify_lines
from mimoto_gov.formats import format_uk_date as uk_date

GAUGES_WHY = (
    "the policy: Gaug.es records aggregated, anonymous browser information without IP "
    "addresses or user details; the analytics audit checks it"
)
BACKUP_WHY = (
    "a backup cannot be edited: it is put beyond use until it ages out (see the statement "
    "on backups)"
)
PROVIDER_LOG_WHY = (
    "the policy's caveat: \"logging information will remain on the third-party service that "
    'provides our servicedesk"'
)


def checklist_lines(
    plan: ErasurePlan, *, identify: bool = True, basis: str = ""
) -> list[ChecklistLine]:
    """Every place the person's data lives, in reading order.

    Args:
        plan: the erasure plan.
        identify: show addresses, names and logins (the staff checklist); False for the
            certificate, which must not identify the person it certifies as erased.
        basis: the legal ground for keeping records (``erasure.yml``), shown on kept tickets.

    """
    return [
        _identity_line(plan),
        _holds_line(plan),
        *keep_lines(plan, basis),
        _users_line(plan, identify),
        _customer_tickets_line(plan),
        *_organization_lines(plan, identify),
        _kept_articles_line(plan),
        ChecklistLine(
            key="mailboxes",
            place="Support mailboxes and staff email accounts",
            held="messages to and from the person outside Zammad (not visible to the workbook)",
            action="search the support mailbox and staff accounts for the address; delete the "
            "messages, including sent items and deleted-items folders",
            owner=OWNER_SUPPORT,
            state=BY_HAND,
        ),
        *_retained_lines(plan),
        ChecklistLine(
            key="gauges",
            place="Gaug.es website analytics",
            held="nothing personal",
            action="nothing to delete",
            owner=OWNER_DPO,
            state=NOTHING,
            why=GAUGES_WHY,
        ),
        ChecklistLine(
            key="suppression",
            place="Marketing suppression list",
            held="nothing yet",
            action="the keyed hash of the address is added, so the address is never mailed, "
            "imported or re-added to the mailing list",
            owner=OWNER_TOOL,
            state=TO_DELETE,
        ),
        ChecklistLine(
            key="mailing-list",
            place="Mailing-list service",
            held="the address, if they ever opted in to marketing",
            action="remove the address from the mailing-list service and its exports (this "
            "also tells the service of the erasure, Art. 19)",
            owner=OWNER_MARKETING,
            state=BY_HAND,
        ),
        *notify_lines(plan),
        confirmation_line(plan),
        *_local_lines(plan),
    ]


def _identity_line(plan: ErasurePlan) -> ChecklistLine:
    return ChecklistLine(
        key="identity",
        place="Identity of the requester",
        held=f"request {plan.request_id}",
        action=plan.identity or "no identity check recorded in the request register",
        owner=OWNER_DPO,
        state=CLEAR if plan.identity_verified else BLOCKED,
        why=""
        if plan.identity_verified
        else "the policy may require proof of identity before deletion: record the check with "
        "`mimoto-gov requests verify` before --execute",
    )


def _users_line(plan: ErasurePlan, identify: bool) -> ChecklistLine:
    users = plan.users
    items = []
    for row in users.itertuples(index=False):
        label = f"user #{int(row.id)}"
        if identify:
            name = " ".join(str(v) for v in (row.firstname, row.lastname) if pd.notna(v) and v)
            label += f": {name} <{row.email}>" if name else f": <{row.email}>"
        items.append(label)
    return ChecklistLine(
        key="zammad-users",
        place="Zammad user records",
        held=count(len(users), "user record") if len(users) else "no user record",
        action="deleted by a Zammad data-privacy task (set inactive, then destroyed with its "
        "tokens, sessions, avatar, mentions and notifications)",
        owner=OWNER_TOOL,
        state=TO_DELETE if len(users) else NOTHING,
        items=tuple(items),
    )


def _ticket_label(row) -> str:
    parts = [f"ticket #{row.number}"]
    if pd.notna(getattr(row, "state", None)):
        parts.append(f"({row.state}, opened {uk_date(row.created_at)})")
    return " ".join(parts)


def _customer_tickets_line(plan: ErasurePlan) -> ChecklistLine:
    tickets = plan.customer_tickets
    return ChecklistLine(
        key="zammad-tickets",
        place="Their customer tickets in Zammad",
        held=count(len(tickets), "ticket") + " with every article and attachment",
        action="deleted with the user: Zammad cannot delete a customer and keep their tickets",
        owner=OWNER_TOOL,
        state=TO_DELETE if len(tickets) else NOTHING,
        items=tuple(_ticket_label(row) for row in tickets.itertuples(index=False)),
    )


def _organization_lines(plan: ErasurePlan, identify: bool) -> list[ChecklistLine]:
    lines = []
    for org in plan.organizations.itertuples(index=False):
        label = f"organisation #{int(org.id)}" + (f" ({org.name})" if identify and org.name else "")
        if org.deleted:
            tickets = plan.organization_tickets
            tickets = tickets[tickets["organization_id"] == org.id]
            lines.append(
                ChecklistLine(
                    key=f"organization-{int(org.id)}",
                    place="Their organisation in Zammad",
                    held=f"{label}, of which they are the only member, with "
                    + count(len(tickets), "other ticket"),
                    action="deleted with the user (--delete-organization), with every ticket "
                    "of the organisation",
                    owner=OWNER_TOOL,
                    state=TO_DELETE,
                    items=tuple(_ticket_label(row) for row in tickets.itertuples(index=False)),
                )
            )
            continue
        if org.sole_member:
            why = (
                "they are its only member, but --delete-organization was not given: the "
                "organisation record stays and loses its link to them"
            )
        else:
            others = int(org.members) - int((plan.users["organization_id"] == org.id).sum())
            why = f"it has {count(others, 'other member')}: Zammad deletes only a sole member's"
        lines.append(
            ChecklistLine(
                key=f"organization-{int(org.id)}",
                place="Their organisation in Zammad",
                held=label,
                action="kept",
                owner=OWNER_SUPPORT,
                state=KEPT,
                why=why,
            )
        )
    return lines


def _kept_articles_line(plan: ErasurePlan) -> ChecklistLine:
    kept = plan.kept_articles
    items = []
    for row in kept.itertuples(index=False):
        where = "title" if pd.isna(row.article_id) else f"article {int(row.article_id)}"
        note = " (internal note)" if row.internal else ""
        items.append(
            f"ticket #{row.ticket_number}, {where}{note}, {uk_date(row.created_at)}: {row.found}"
        )
    tickets = kept["ticket_id"].nunique()
    return ChecklistLine(
        key="zammad-other-tickets",
        place="Other customers' tickets in Zammad",
        held=(
            f"{count(len(kept), 'article or title', 'articles or titles')} on "
            f"{count(tickets, 'ticket')} that they wrote, received or are mentioned in "
            "(address, name or phone number)"
            if len(kept)
            else "no article or title on other tickets names them"
        ),
        action="kept by Zammad (it only unlinks the sender): redact the address, name and phone "
        "number by hand in each article listed",
        owner=OWNER_SUPPORT,
        state=BY_HAND if len(kept) else NOTHING,
        why="Zammad keeps articles on other customers' tickets and does not scrub free text"
        if len(kept)
        else "",
        items=tuple(items),
    )


def _retained_lines(plan: ErasurePlan) -> list[ChecklistLine]:
    erased_on = plan.planned_at.date()
    lines = []
    for number, copy in enumerate(plan.backup_policy.copies, start=1):
        is_backup = copy.kind == "backup"
        confirmed = (
            f"retention confirmed {uk_date(copy.confirmed_on)}"
            if copy.confirmed_on
            else "retention not yet confirmed with the owner"
        )
        lines.append(
            ChecklistLine(
                key=f"{copy.kind.replace(' ', '-')}-{number}",
                place=copy.name,
                held=f"{copy.holds}; kept {count(copy.retention_days, 'day')} ({confirmed})",
                action=(
                    "not removable at once: put beyond use, ages out on "
                    if is_backup
                    else "kept by the provider, ages out on "
                )
                + uk_date(copy.ages_out(erased_on)),
                owner=copy.owner,
                state=KEPT,
                why=BACKUP_WHY if is_backup else PROVIDER_LOG_WHY,
            )
        )
    return lines


_LOCAL_KINDS = (
    (
        "snapshot",
        "Workbook snapshot of Zammad",
        "rewritten without their rows; their address redacted in the rows that stay",
    ),
    ("sar", "Earlier subject access packages", "the package folder is deleted"),
    ("report", "Earlier reports mentioning them", "their address is redacted (PDFs re-rendered)"),
    (
        "register",
        "Workbook registers",
        "the request entry keeps only the keyed hash of the "
        "address; the erasure register records only the keyed hash",
    ),
    ("other", "Other workbook files", "their address is redacted"),
)


def _local_lines(plan: ErasurePlan) -> list[ChecklistLine]:
    copies = plan.local_copies
    lines = []
    for kind, place, action in _LOCAL_KINDS:
        files = copies[copies["kind"] == kind] if len(copies) else copies
        always = kind in ("snapshot", "register")
        if not len(files) and not always:
            continue
        lines.append(
            ChecklistLine(
                key=f"local-{kind}",
                place=place,
                held=count(len(files), "file") + " holding them" if len(files) else NOTHING,
                action=action,
                owner=OWNER_TOOL,
                state=TO_DELETE if len(files) or kind == "register" else NOTHING,
                items=tuple(f"{row.path}: {row.action}" for row in files.itertuples(index=False)),
            )
        )
    return lines


def _holds_line(plan: ErasurePlan) -> ChecklistLine:
    if not plan.holds:
        return ChecklistLine(
            key="legal-holds",
            place="Legal holds and law-enforcement requests",
            held="none naming them",
            action="nothing stops the erasure",
            owner=OWNER_DPO,
            state=CLEAR,
        )
    items = tuple(str(hold.get("label") or hold.get("reason") or hold) for hold in plan.holds)
    return ChecklistLine(
        key="legal-holds",
        place="Legal holds and law-enforcement requests",
        held=count(len(plan.holds), "active hold"),
        action="the erasure is refused until every hold is lifted or the request closed",
        owner=OWNER_DPO,
        state=BLOCKED,
        why="data needed for the establishment, exercise or defence of legal claims, or "
        "requested by a law-enforcement body, is exempt from erasure (Art. 17(3))",
        items=items,
    )


_ZAMMAD_KEYS = ("zammad-users", "zammad-tickets", "organization-")


def executed_lines(
    lines: list[ChecklistLine],
    *,
    succeeded: bool,
    reason: str = "",
    pending: tuple[str, ...] = (),
) -> list[ChecklistLine]:
    """Move the automatic lines of a checklist to their state after an execution.

    Args:
        lines: the checklist as planned.
        succeeded: whether Zammad's deletion was verified (and the local purge ran).
        reason: why it failed (one line), shown on the Zammad lines.
        pending: key prefixes of automatic lines still to do after Zammad (the purge of the
            workbook's own copies): they stay "to delete" until their completion is recorded.

    Returns:
        The lines with "to delete" replaced by "deleted, verified" or "done" on success, by
        "failed" (Zammad) and "not run" (everything after it) on failure.

    """
    moved = []
    for line in lines:
        if line.state != TO_DELETE or (succeeded and line.key.startswith(pending)):
            moved.append(line)
        elif line.key.startswith(_ZAMMAD_KEYS):
            moved.append(
                line.with_state(VERIFIED) if succeeded else line.with_state(FAILED, reason)
            )
        elif succeeded:
            moved.append(line.with_state(DONE))
        else:
            moved.append(line.with_state(NOT_RUN, "not done: the deletion in Zammad failed"))
    return moved
