"""The erasure's shared types: checklist lines and their states, the plan, flags, policies.

The plan (:mod:`mimoto_gov.erasure.plan`), its lines (:mod:`mimoto_gov.erasure.lines`), the
keep decisions (:mod:`mimoto_gov.erasure.keep`), the recipients to tell
(:mod:`mimoto_gov.erasure.notify`) and the steps (:mod:`mimoto_gov.erasure.steps`) all speak
of these; they live here so that none of those modules needs another's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd

from mimoto_gov.policy.schedule import BackupPolicy, RetainedCopy  # noqa: F401 (re-exported)

# States of a checklist line. A plan uses the first group; an execution moves automatic lines
# to the second; staff move manual lines to "done" or "not needed".
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
NOT_NEEDED = "not needed"
# A line in one of these states still needs someone to act: the erasure is not complete.
OPEN_STATES = frozenset({TO_DELETE, BY_HAND, BLOCKED, FAILED, NOT_RUN})

# Who does what (roles, not people: staff names change).
OWNER_TOOL = "mimoto-gov erase"
OWNER_SUPPORT = "Support lead"
OWNER_DPO = "Data protection lead"
OWNER_MARKETING = "Marketing lead"
OWNER_ZAMMAD = "Zammad GmbH (processor)"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """Count things in words: ``"1 ticket"``, ``"1,234 tickets"``."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


@dataclass(frozen=True)
class ChecklistLine:
    """One place the person's data lives and what happens to it: a step of the erasure.

    Attributes:
        key: a stable identifier (``zammad-users``, ``backup-1``, ``mailboxes``...): the
            step's name in ``mimoto-gov erasure done``.
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

    @property
    def open(self) -> bool:
        """Whether someone still has to act on this line."""
        return self.state in OPEN_STATES

    @property
    def manual(self) -> bool:
        """Whether a person does this step (the tool does its own)."""
        return self.owner != OWNER_TOOL


@dataclass(frozen=True)
class KeepPolicy:
    """What may have to be kept, and how Zammad is made to keep it (from erasure.yml).

    Attributes:
        basis: the legal ground, quoted on flags (UK GDPR Art. 17(3)(b), HMRC's six years).
        groups: Zammad groups whose tickets are financial records.
        words: words (stems) that mark a financial record in a title or an article.
        keep_years: the usual period, to suggest a review date.
        customer_email: the placeholder customer a kept ticket is moved to.
        customer_firstname: its first name.
        customer_lastname: its last name.
        not_notified: ROPA recipients not told of an erasure, with the reason each.

    """

    basis: str
    groups: tuple[str, ...]
    words: tuple[str, ...]
    keep_years: int
    customer_email: str
    customer_firstname: str
    customer_lastname: str
    not_notified: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KeepFlag:
    """A ticket an erasure would delete that may have to be kept, and staff's decision.

    Attributes:
        key: the flag's name for ``mimoto-gov erasure decide`` (``ticket-31046``).
        number: the ticket number.
        ticket_id: its Zammad id (None for a kept ticket no longer the person's: moved).
        why: what marked it (``"refund" in article 123``, ``group Billing``).
        decision: "keep", "erase", or None while undecided.
        reason: why it is kept.
        review_on: when to look at it again.
        decided_by: who decided.
        decided_on: when.

    """

    key: str
    number: str
    ticket_id: int | None
    why: str
    decision: str | None = None
    reason: str = ""
    review_on: date | None = None
    decided_by: str = ""
    decided_on: date | None = None


@dataclass(frozen=True)
class Recipient:
    """A recipient of the person's data from the record of processing (Art. 19)."""

    name: str
    role: str
    service: str
    told: bool
    why_not: str = ""

    @property
    def key(self) -> str:
        """The step's name: ``notify-`` and the name in lower case, words joined by ``-``."""
        words = "".join(c if c.isalnum() else " " for c in self.name.lower()).split()
        return "notify-" + "-".join(words)


@dataclass
class ErasurePlan:
    """What an erasure of one person will delete, keep and ask staff to do.

    Attributes:
        request_id: the request register's id.
        emails: the person's addresses (lower-cased).
        planned_at: when the plan was made (UTC).
        delete_organization: whether ``--delete-organization`` was given.
        users: their Zammad user records (the ``users`` columns).
        customer_tickets: tickets they are the customer of, deleted with them (kept tickets
            are not among them).
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
        flags: tickets that may have to be kept, with staff's decisions.
        kept: every ticket staff decided to keep (moved aside before the user is deleted).
        recipients: who received the data and is told of the erasure (Art. 19).
        basis: the legal ground for keeping records (``erasure.yml``), shown on kept tickets.
        earlier_lines: the checklist an earlier attempt of the request recorded, whose users
            and tickets a rerun must not forget.
        near_matches: accounts and messages matching only through a login or an old
            address, left out (:data:`mimoto_gov.subject.NEAR_MATCH_COLUMNS`).
        account_notes: how the accounts were chosen, for staff (accounts sharing an address).
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
    flags: tuple[KeepFlag, ...] = ()
    kept: tuple[KeepFlag, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    basis: str = ""
    earlier_lines: list[ChecklistLine] = field(default_factory=list)
    near_matches: pd.DataFrame = field(default_factory=pd.DataFrame)
    account_notes: tuple[str, ...] = ()
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
        last_of_org: dict[int, int] = {}
        for row in self.users.itertuples(index=False):
            org = None if pd.isna(row.organization_id) else int(row.organization_id)
            if org in deleted_orgs:
                last_of_org[org] = int(row.id)
        return [(user_id, user_id in last_of_org.values()) for user_id in self.user_ids]

    @property
    def blocked(self) -> bool:
        """True when a legal hold forbids the erasure."""
        return bool(self.holds)

    @property
    def undecided(self) -> list[KeepFlag]:
        """Flags without a decision: ``--execute`` is refused until there is none."""
        return [f for f in self.flags if f.decision is None]
