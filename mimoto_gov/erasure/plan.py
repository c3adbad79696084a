"""The deletion checklist: every place a person's data lives and what an erasure does to it.

Zammad's data-privacy task deletes a user and the tickets they are the *customer* of, and with
``delete_organization`` their organisation (and every ticket of it) when they are its only
member (zammad-api.md §5.3). It keeps what they wrote on other customers' tickets and any
mention of their address, name or phone number in other people's correspondence, and the
person's data also lives outside Zammad: mailboxes, backups, the provider's logs, the mailing
list and the workbook's own copies. The plan lists each of those as one :class:`ChecklistLine`
with an owner and a state, so that nothing is forgotten and nothing is claimed that is not
done.

Planning is pure: it reads the snapshot frames and the facts gathered by the caller (holds,
local copies, the backup policy) and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.schedule import (
    BackupPolicy,
    default_schedule_path,
    load_schedule,
    repository_schedule_path,
)

# States of a checklist line. A plan uses the first group; an execution moves automatic lines
# to the second.
TO_DELETE = "to delete"
BY_HAND = "to do by hand"
KEPT = "kept"
NOTHING = "nothing held"
CLEAR = "clear"
BLOCKED = "blocked"
DONE = "done"
VERIFIED = "deleted, verified"
FAILED = "failed"
NOT_RUN = "not run"

# Who does what (roles, not people: staff names change).
OWNER_TOOL = "mimoto-gov erase"
OWNER_SUPPORT = "Support lead"
OWNER_DPO = "Data protection lead"
OWNER_MARKETING = "Marketing lead"
OWNER_ZAMMAD = "Zammad GmbH (processor)"


@dataclass(frozen=True)
class ChecklistLine:
    """One place the person's data lives and what happens to it.

    Attributes:
        key: a stable identifier (``zammad-users``, ``backup-1``...).
        place: where the data is.
        held: what is held there (counts, numbers; never the person's address).
        action: what the erasure does about it.
        owner: the role (or the tool) responsible.
        state: one of the module's state constants.
        why: the reason something is kept, blocked or failed.
        items: the detail rows (ticket numbers, files...), shown under the table.

    """

    key: str
    place: str
    held: str
    action: str
    owner: str
    state: str
    why: str = ""
    items: tuple[str, ...] = ()

    def with_state(self, state: str, why: str | None = None) -> ChecklistLine:
        """Return a copy with a new state (and reason, when given)."""
        return replace(self, state=state, why=self.why if why is None else why)


def load_backup_policy(policy_dir: Path | None = None) -> BackupPolicy:
    """Read the ``backups`` section of the retention schedule (the policy folder's copy first).

    Args:
        policy_dir: the folder holding ``retention.yml`` (``$MIMOTO_GOV_DATA/policy``); the
            repository's schedule is read when it has none.

    Raises:
        ConfigError: the schedule is malformed or has no ``backups`` section.

    """
    path = default_schedule_path(Path(policy_dir)) if policy_dir else repository_schedule_path()
    policy = load_schedule(path).backups
    if policy is None:
        raise ConfigError(
            f"{path.name} has no 'backups' section: it lists the backups an erasure leaves"
        )
    return policy


@dataclass
class ErasurePlan:
    """What an erasure of one person will delete, keep and ask staff to do.

    Attributes:
        request_id: the request register's id.
        emails: the person's addresses (lower-cased).
        planned_at: when the plan was made (UTC).
        delete_organization: whether ``--delete-organization`` was given.
        users: their Zammad user records (the ``users`` columns).
        customer_tickets: tickets they are the customer of (deleted with them).
        organizations: their organisations with ``members`` (count in the snapshot),
            ``sole_member`` and ``deleted`` (True when the task deletes it).
        organization_tickets: other tickets of a deleted organisation (deleted with it).
        kept_articles: articles on tickets that stay, naming them: ``ticket_id,
            ticket_number, article_id, created_at, internal, found`` (what was found where).
        local_copies: the workbook's own files that hold them (``path, kind, action``).
        holds: active legal holds and open law-enforcement requests naming them.
        backup_policy: the backups and provider logs that keep the data for a while.
        snapshot_time: when the snapshot the plan was made from was taken.
        identity: how the requester's identity was verified (method, by whom, when), or why
            it was not.
        identity_verified: whether the request register records a verified identity.
        lines: the checklist.

    """

    request_id: str
    emails: tuple[str, ...]
    planned_at: datetime
    delete_organization: bool
    users: pd.DataFrame
    customer_tickets: pd.DataFrame
    organizations: pd.DataFrame
    organization_tickets: pd.DataFrame
    kept_articles: pd.DataFrame
    local_copies: pd.DataFrame
    holds: tuple[dict, ...]
    backup_policy: BackupPolicy
    snapshot_time: object = None
    identity: str = ""
    identity_verified: bool = False
    lines: list[ChecklistLine] = field(default_factory=list)

    @property
    def user_ids(self) -> list[int]:
        """Zammad ids of the users to delete."""
        return [int(i) for i in self.users["id"]]

    @property
    def tickets_to_delete(self) -> pd.DataFrame:
        """Every ticket the tasks delete (``id``, ``number``), customer and organisation."""
        frames = [
            self.customer_tickets[["id", "number"]],
            self.organization_tickets[["id", "number"]],
        ]
        both = pd.concat(frames, ignore_index=True).drop_duplicates("id")
        return both.sort_values("id").reset_index(drop=True)

    @property
    def deletion_tasks(self) -> list[tuple[int, bool]]:
        """``(user_id, delete_organization)`` per task, in the order to create them.

        Zammad deletes an organisation only when the user is its sole member *when the task
        runs*, so with several records in one organisation only the last one asks for it.
        """
        deleted_orgs = set(self.organizations.loc[self.organizations["deleted"], "id"])
        tasks: list[tuple[int, bool]] = []
        last_of_org: dict[int, int] = {}
        for row in self.users.itertuples(index=False):
            org = _int_or_none(row.organization_id)
            if org in deleted_orgs:
                last_of_org[org] = int(row.id)
        for user_id in self.user_ids:
            tasks.append((user_id, user_id in last_of_org.values()))
        return tasks

    @property
    def blocked(self) -> bool:
        """True when a legal hold forbids the erasure."""
        return bool(self.holds)


def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)


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
    now: datetime | None = None,
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
        now: the planning time (UTC now by default).

    Returns:
        An :class:`ErasurePlan` whose ``lines`` are the checklist.

    """
    from mimoto_gov.subject import CUSTOMER, find_subject

    subject = find_subject(inventory, emails)
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

    deleted_ticket_ids = set(customer["id"]) | set(org_tickets["id"])
    kept = kept_mentions(inventory, users, subject.emails, deleted_ticket_ids)

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
    )
    from mimoto_gov.erasure.lines import checklist_lines

    plan.lines = checklist_lines(plan)
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
