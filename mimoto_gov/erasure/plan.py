"""The deletion checklist: every place a person's data lives and what an erasure does to it.

Zammad's data-privacy task deletes a user and the tickets they are the *customer* of, and with
``delete_organization`` their organisation (and every ticket of it) when they are its only
member (zammad-api.md §5.3). It keeps what they wrote on other customers' tickets and any
mention of their address, name or phone number in other people's correspondence, and the
person's data also lives outside Zammad: mailboxes, backups, the provider's logs, the mailing
list, the recipients named in the record of processing and the workbook's own copies. The plan
lists each of those as one :class:`ChecklistLine` with an owner and a state, so that nothing is
forgotten and nothing is claimed that is not done. Tickets that may have to be kept (a refund,
an invoice) are flagged, and those staff decided to keep are taken out of the deletion
(:mod:`mimoto_gov.erasure.keep`).

Planning is pure: it reads the snapshot frames and the facts gathered by the caller (holds,
local copies, the policies, staff's decisions) and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import pandas as pd

from mimoto_gov.erasure.keep import apply_decisions, financial_flags
from mimoto_gov.erasure.lines import checklist_lines
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
    OWNER_ZAMMAD,
    TO_DELETE,
    VERIFIED,
    BackupPolicy,
    ChecklistLine,
    ErasurePlan,
    KeepPolicy,
    Recipient,
    RetainedCopy,
)
from mimoto_gov.erasure.policy import load_backup_policy, load_keep_policy, load_recipients
from mimoto_gov.subject import CUSTOMER, find_subject

# Names other modules imported from here before the model had its own module.
__all__ = [
    "BLOCKED", "BY_HAND", "CLEAR", "DONE", "FAILED", "KEPT", "NOTHING", "NOT_RUN", "OWNER_DPO",
    "OWNER_MARKETING", "OWNER_SUPPORT", "OWNER_TOOL", "OWNER_ZAMMAD", "TO_DELETE", "VERIFIED",
    "BackupPolicy", "ChecklistLine", "ErasurePlan", "RetainedCopy", "kept_mentions",
    "load_backup_policy", "plan_erasure", "subject_patterns",
]  # fmt: skip


def plan_erasure(
    inventory,
    emails: Iterable[str],
    *,
    request_id: str,
    delete_organization: bool = False,
    holds: Iterable[dict] = (),
    local_copies: pd.DataFrame | None = None,
    backup_policy: BackupPolicy | None = None,
    identity: str = "",
    identity_verified: bool = False,
    keep_policy: KeepPolicy | None = None,
    decisions: pd.DataFrame | None = None,
    recipients: Iterable[Recipient] | None = None,
    now: datetime | None = None,
    user_ids: Mapping[int, str] | None = None,
) -> ErasurePlan:
    """Work out what erasing the person with these addresses deletes, keeps and leaves to staff.

    Args:
        inventory: the snapshot (:func:`mimoto_gov.inventory.load_inventory`).
        emails: the person's addresses.
        request_id: the erasure request's id in the request register.
        delete_organization: also delete their organisation when they are its only member
            (with every ticket of that organisation).
        holds: active legal holds and open law-enforcement requests naming them.
        local_copies: the workbook's files holding them
            (:func:`mimoto_gov.erasure.purge.find_local_copies`).
        backup_policy: from :func:`load_backup_policy` (read from the workbook's copy if None).
        identity: how the requester's identity was verified, for the checklist.
        identity_verified: whether it was.
        keep_policy: what may have to be kept (``erasure.yml``; the workbook's copy if None).
        decisions: staff's decisions on flags (``registers.keep_decisions``), or None.
        recipients: who is told of the erasure (the record of processing's recipients; read
            from the workbook's copies when None).
        now: the planning time (UTC now by default).
        user_ids: Zammad accounts staff include by hand (near-matches they decided are the
            person's), each with its reason: recorded in the plan's account notes.

    Returns:
        An :class:`ErasurePlan` whose ``lines`` are the checklist.

    """
    # The one identity rule (mimoto_gov.subject.identify): current email only; logins and old
    # addresses are near-matches, listed and never deleted.
    subject = find_subject(inventory, emails, user_ids=user_ids)
    users = subject.users.reset_index(drop=True)
    customer = subject.tickets[subject.tickets["relation"] == CUSTOMER]
    customer = customer.drop(columns="relation").sort_values("id").reset_index(drop=True)

    organizations = _organizations(inventory, users, delete_organization)
    deleted_orgs = set(organizations.loc[organizations["deleted"], "id"])
    tickets = inventory.tickets
    org_tickets = tickets[
        tickets["organization_id"].isin(deleted_orgs) & ~tickets["id"].isin(customer["id"])
    ]
    org_tickets = org_tickets.sort_values("id").reset_index(drop=True)

    keep_policy = keep_policy or load_keep_policy()
    doomed = pd.concat([customer, org_tickets], ignore_index=True).drop_duplicates("id")
    flags, kept_tickets = apply_decisions(
        financial_flags(inventory, doomed, keep_policy), decisions, doomed
    )
    # A kept ticket is moved aside before the user goes: it is deleted with neither.
    kept_ids = {f.ticket_id for f in kept_tickets if f.ticket_id is not None}
    customer = customer[~customer["id"].isin(kept_ids)].reset_index(drop=True)
    org_tickets = org_tickets[~org_tickets["id"].isin(kept_ids)].reset_index(drop=True)

    deleted_ticket_ids = set(customer["id"]) | set(org_tickets["id"])
    kept = kept_mentions(inventory, users, subject.emails, deleted_ticket_ids)
    # A kept ticket stays whole, by decision: it is not a list of articles to redact.
    kept_numbers = {str(f.number) for f in kept_tickets}
    kept = kept[~kept["ticket_number"].astype(str).isin(kept_numbers)].reset_index(drop=True)
    # Messages from when the address was a near-match's are theirs, not the person's.
    near = subject.near_matches
    theirs = set(near.loc[near["what"] == "message", "article_id"].dropna().astype(int))
    kept = kept[~kept["article_id"].isin(theirs)].reset_index(drop=True)

    plan = ErasurePlan(
        request_id=request_id,
        emails=subject.emails,
        planned_at=now or datetime.now(UTC),
        delete_organization=delete_organization,
        users=users,
        customer_tickets=customer,
        organizations=organizations,
        organization_tickets=org_tickets,
        kept_articles=kept,
        local_copies=local_copies if local_copies is not None else _no_local_copies(),
        holds=tuple(holds),
        backup_policy=backup_policy or load_backup_policy(),
        snapshot_time=subject.snapshot_time,
        identity=identity,
        identity_verified=identity_verified,
        flags=flags,
        kept=kept_tickets,
        recipients=tuple(
            recipients if recipients is not None else load_recipients(keep_policy=keep_policy)
        ),
        basis=keep_policy.basis,
        near_matches=subject.near_matches,
        account_notes=subject.identity.notes if subject.identity else (),
    )
    plan.lines = checklist_lines(plan, basis=keep_policy.basis)
    return plan


def _no_local_copies() -> pd.DataFrame:
    return pd.DataFrame(columns=["path", "kind", "action"])


def _organizations(inventory, users: pd.DataFrame, delete_organization: bool) -> pd.DataFrame:
    """List the primary organisations of the users, with membership and whether they go."""
    columns = ["id", "name", "members", "sole_member", "deleted"]
    ids = sorted({int(v) for v in users["organization_id"].dropna()})
    if not ids:
        return pd.DataFrame(columns=columns).astype({"sole_member": bool, "deleted": bool})
    all_users = inventory.users
    subject_ids = set(users["id"])
    rows = []
    names = dict(zip(inventory.organizations["id"], inventory.organizations["name"], strict=True))
    for org in ids:
        members = set(all_users.loc[all_users["organization_id"] == org, "id"])
        sole = members <= subject_ids
        rows.append(
            {
                "id": org,
                "name": names.get(org, ""),
                "members": len(members),
                "sole_member": sole,
                "deleted": bool(sole and delete_organization),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _word_pattern(text: str) -> str:
    # Letters or digits either side would make it part of another word or address.
    return rf"(?<![\w.+-]){re.escape(text)}(?![\w-])"


def _phone_pattern(number: str) -> str | None:
    """Build a pattern for a phone number however it is spaced or punctuated (7+ digits)."""
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return None
    variants = {digits}
    # A UK number is written both ways: +44 20 7946 0000 and 020 7946 0000.
    if digits.startswith("44"):
        variants.add("0" + digits[2:])
    elif digits.startswith("0"):
        variants.add("44" + digits[1:])
    separators = r"[\s().-]*"
    alternatives = [separators.join(v) for v in sorted(variants)]
    return rf"(?<!\d)\+?(?:{'|'.join(alternatives)})(?!\d)"


def subject_patterns(users: pd.DataFrame, emails: Iterable[str]) -> dict[str, str]:
    """Regular expressions (case-insensitive) for the person's email, name and phone numbers.

    Returns:
        ``{"email": ..., "name": ..., "phone": ...}``, a kind missing when nothing is known.

    """
    patterns: dict[str, str] = {}
    addresses = sorted(set(emails) | set(users["email"].dropna().str.lower()) - {""})
    if addresses:
        patterns["email"] = "|".join(_word_pattern(a) for a in addresses)
    names = set()
    for row in users.itertuples(index=False):
        first = str(getattr(row, "firstname", "") or "").strip()
        last = str(getattr(row, "lastname", "") or "").strip()
        if first and last:
            names.add(f"{first} {last}")
    if names:
        patterns["name"] = "|".join(_word_pattern(n).replace(r"\ ", r"\s+") for n in sorted(names))
    phones = set()
    for column in ("phone", "mobile"):
        if column in users:
            phones |= {p for v in users[column].dropna() if (p := _phone_pattern(str(v)))}
    if phones:
        patterns["phone"] = "|".join(sorted(phones))
    return patterns


def kept_mentions(
    inventory, users: pd.DataFrame, emails: Iterable[str], deleted_ticket_ids: set
) -> pd.DataFrame:
    """Articles and titles on tickets that stay in Zammad and name the person.

    Zammad keeps these when it deletes the user (zammad-api.md §5.3): what they wrote on
    other customers' tickets (``from``), what was sent to them (``to``/``cc``), and any
    mention of their address, full name or phone number in a body, subject or ticket title.

    Returns:
        One row per article (or title) with ``ticket_id, ticket_number, article_id,
        created_at, internal, found``; ``found`` lists what was found where, e.g.
        ``"email in from; name in body"``; ``article_id`` is missing for a title.

    """
    columns = ["ticket_id", "ticket_number", "article_id", "created_at", "internal", "found"]
    patterns = subject_patterns(users, emails)
    tickets = inventory.tickets
    numbers = dict(zip(tickets["id"], tickets["number"], strict=True))
    rows = []
    if patterns:
        articles = inventory.articles[~inventory.articles["ticket_id"].isin(deleted_ticket_ids)]
        text_fields = [c for c in ("from", "to", "cc", "subject", "body") if c in articles]
        found = _found(articles, text_fields, patterns)
        for index in found.index[found != ""]:
            article = articles.loc[index]
            rows.append(
                {
                    "ticket_id": int(article["ticket_id"]),
                    "ticket_number": numbers.get(article["ticket_id"]),
                    "article_id": int(article["id"]),
                    "created_at": article["created_at"],
                    "internal": bool(article["internal"])
                    if pd.notna(article["internal"])
                    else False,
                    "found": found[index],
                }
            )
        kept_tickets = tickets[~tickets["id"].isin(deleted_ticket_ids)]
        titles = _found(kept_tickets, ["title"], patterns)
        for index in titles.index[titles != ""]:
            ticket = kept_tickets.loc[index]
            rows.append(
                {
                    "ticket_id": int(ticket["id"]),
                    "ticket_number": ticket["number"],
                    "article_id": None,
                    "created_at": ticket["created_at"],
                    "internal": False,
                    "found": titles[index],
                }
            )
    frame = pd.DataFrame(rows, columns=columns)
    frame["article_id"] = frame["article_id"].astype("Int64")
    return frame.sort_values(["ticket_id", "article_id"], na_position="first").reset_index(
        drop=True
    )


def _found(frame: pd.DataFrame, fields: list[str], patterns: dict[str, str]) -> pd.Series:
    """Per row, "kind in field" for every pattern that matches (``""`` when none)."""
    result = pd.Series("", index=frame.index, dtype="object")
    for column in fields:
        text = frame[column].astype("string").fillna("")
        for kind, pattern in patterns.items():
            hit = text.str.contains(pattern, case=False, regex=True).fillna(False).astype(bool)
            label = f"{kind} in {column}"
            result[hit] = result[hit].map(lambda s, label=label: f"{s}; {label}" if s else label)
    return result
