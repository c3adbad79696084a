"""The sandbox's live state: indexes over the dataset, access rules and searches.

Everything here runs under :attr:`Store.lock`; the HTTP handlers and the test helpers of
:class:`~mimoto_gov.sandbox.zammad.server.Sandbox` both go through it. Changes to the state live in
:mod:`~mimoto_gov.sandbox.zammad.changes`, data-privacy tasks in
:mod:`~mimoto_gov.sandbox.zammad.tasks`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from mimoto_gov.sandbox.synthetic.dataset import ZammadDataset
from mimoto_gov.sandbox.zammad.changes import ChangesMixin
from mimoto_gov.sandbox.zammad.conditions import condition_predicate
from mimoto_gov.sandbox.zammad.query import ApiError
from mimoto_gov.sandbox.zammad.query_string import Query
from mimoto_gov.sandbox.zammad.tasks import TaskMixin

TEXT_USER_COLUMNS = ("login", "firstname", "lastname", "email", "phone", "mobile")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's user and the token's permissions."""

    user_id: int
    permissions: frozenset[str] = field(default_factory=frozenset)

    def has(self, permission: str) -> bool:
        """Return whether the token grants ``permission`` (a parent grants its children)."""
        return any(
            permission == held or permission.startswith(held + ".") for held in self.permissions
        )


class Store(TaskMixin, ChangesMixin):
    """Indexes and operations over one synthetic ``ZammadDataset``."""

    def __init__(self, dataset: ZammadDataset):
        self.ds = dataset
        self.lock = threading.RLock()
        self.kept_tickets: set[int] = set()
        self.failures: list[str] = []
        self.search_window: int | None = 10_000
        self.reindex()

    # -- indexes -----------------------------------------------------------------------

    def reindex(self) -> None:
        """Rebuild every index from the dataset (after changing it directly)."""
        with self.lock:
            by_ticket: dict[int, list[dict]] = defaultdict(list)
            for article in self.ds.articles.values():
                by_ticket[article["ticket_id"]].append(article)
            self._articles = {
                t: [a["id"] for a in sorted(items, key=lambda a: (a["created_at"], a["id"]))]
                for t, items in by_ticket.items()
            }
            self._attachments: dict[int, list[int]] = defaultdict(list)
            for attachment in sorted(self.ds.attachments.values(), key=lambda a: a["id"]):
                self._attachments[attachment["article_id"]].append(attachment["id"])
            self._members: dict[int, list[int]] | None = None
            self._secondary: dict[int, list[int]] | None = None
            self._next = {
                "ticket": max(self.ds.tickets, default=0) + 1,
                "article": max(self.ds.articles, default=0) + 1,
                "attachment": max(self.ds.attachments, default=0) + 1,
                "user": max(self.ds.users, default=0) + 1,
                "organization": max(self.ds.organizations, default=0) + 1,
                "task": max(self.ds.data_privacy_tasks, default=0) + 1,
                "history": 1
                + max(
                    (e["id"] for entries in self.ds.history.values() for e in entries), default=0
                ),
            }

    def next_id(self, kind: str) -> int:
        """Allocate the next id of a kind (ticket, article, user...)."""
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def article_ids(self, ticket_id: int) -> list[int]:
        """Return a ticket's article ids ordered by ``created_at`` then id."""
        return self._articles.get(ticket_id, [])

    def articles_of(self, ticket_id: int) -> list[dict]:
        """Return a ticket's articles ordered by ``created_at`` then id."""
        articles = self.ds.articles
        return [articles[a] for a in self._articles.get(ticket_id, ()) if a in articles]

    def attachments_of(self, article_id: int) -> list[dict]:
        """Return an article's attachments ordered by id."""
        attachments = self.ds.attachments
        return [attachments[a] for a in self._attachments.get(article_id, ()) if a in attachments]

    def _member_index(self) -> None:
        members: dict[int, list[int]] = defaultdict(list)
        secondary: dict[int, list[int]] = defaultdict(list)
        for user in self.ds.users.values():
            if user.get("organization_id"):
                members[user["organization_id"]].append(user["id"])
            for org_id in user.get("organization_ids") or ():
                secondary[org_id].append(user["id"])
        self._members, self._secondary = members, secondary

    def member_ids(self, org_id: int) -> list[int]:
        """Return the ids of an organization's primary members."""
        if self._members is None:
            self._member_index()
        return list(self._members.get(org_id, []))

    def secondary_member_ids(self, org_id: int) -> list[int]:
        """Return the ids of users holding the organization as a secondary one."""
        if self._secondary is None:
            self._member_index()
        return list(self._secondary.get(org_id, []))

    def users_changed(self) -> None:
        """Forget the membership index after users changed."""
        self._members = self._secondary = None

    def login(self, user_id: int | None) -> str | None:
        """Return a user's login, or None."""
        user = self.ds.users.get(user_id) if user_id else None
        return user["login"] if user else None

    # -- access ------------------------------------------------------------------------

    def can_see(self, principal: Principal, ticket: dict) -> bool:
        """Apply Zammad's ticket policy: agents by group, customers by customer/org."""
        user = self.ds.users.get(principal.user_id)
        if user is None:
            return False
        if principal.has("ticket.agent") and str(ticket["group_id"]) in user.get("group_ids", {}):
            return True
        if principal.has("ticket.customer"):
            if ticket["customer_id"] == user["id"]:
                return True
            org = self.ds.organizations.get(user.get("organization_id"))
            return bool(org and org.get("shared") and ticket["organization_id"] == org["id"])
        return False

    def sees_everything(self, principal: Principal) -> bool:
        """Return whether the caller may read every ticket (an agent in every group)."""
        user = self.ds.users.get(principal.user_id)
        groups = user.get("group_ids", {}) if user else {}
        return principal.has("ticket.agent") and all(str(g) in groups for g in self.ds.groups)

    def visible_tickets(self, principal: Principal) -> list[dict]:
        """Return the tickets the caller may read, ordered by id."""
        tickets = list(self.ds.tickets.values())
        if not self.sees_everything(principal):
            tickets = [t for t in tickets if self.can_see(principal, t)]
        return tickets

    def ticket_for(self, principal: Principal, ticket_id: int) -> dict:
        """Return a ticket the caller may read, else raise 404 or 403 like Zammad."""
        ticket = self.ds.tickets.get(ticket_id)
        if ticket is None:
            raise ApiError(404, f"Couldn't find Ticket with 'id'={ticket_id}")
        if not self.can_see(principal, ticket):
            raise ApiError(403, "Not authorized")
        return ticket

    def visible_articles(self, principal: Principal, ticket_id: int) -> list[dict]:
        """Return a ticket's articles; customers do not see internal ones."""
        articles = self.articles_of(ticket_id)
        if not principal.has("ticket.agent"):
            articles = [a for a in articles if not a.get("internal")]
        return articles

    # -- field resolution for queries and conditions -----------------------------------

    def ticket_resolver(self, ticket: dict) -> Callable[[str | None], tuple[str, list]]:
        """Return ``resolve(field) -> (kind, values)`` for one ticket."""
        ds = self.ds

        def articles() -> list[dict]:
            return self.articles_of(ticket["id"])

        def user_field(user_id: int | None, column: str) -> list:
            user = ds.users.get(user_id) if user_id else None
            return [user.get(column)] if user else []

        def resolve(name: str | None) -> tuple[str, list]:
            if name is None:
                values = [ticket["title"], ticket["number"]]
                customer = ds.users.get(ticket["customer_id"])
                if customer:
                    values += [customer.get(c) for c in TEXT_USER_COLUMNS]
                org = ds.organizations.get(ticket["organization_id"])
                values += [org["name"]] if org else []
                values += ds.tags.get(ticket["id"], [])
                for article in articles():
                    values += [article.get(k) for k in ("from", "to", "cc", "subject", "body")]
                return "text", values
            if name.startswith("ticket."):
                name = name[len("ticket.") :]
            head, _, tail = name.partition(".")
            if name in ("state", "state.name"):
                return "exact", [ds.states.get(ticket["state_id"], {}).get("name")]
            if name in ("group", "group.name"):
                return "exact", [ds.groups.get(ticket["group_id"], {}).get("name")]
            if name in ("priority", "priority.name"):
                return "exact", [ds.priorities.get(ticket["priority_id"], {}).get("name")]
            if name in ("organization", "organization.name"):
                org = ds.organizations.get(ticket["organization_id"])
                return "text", [org["name"]] if org else []
            if name in ("tags", "tag"):
                return "exact", list(ds.tags.get(ticket["id"], []))
            if head in ("customer", "owner", "created_by", "updated_by") and tail:
                return _kind(tail), user_field(ticket.get(f"{head}_id"), tail)
            if head == "article" and tail:
                return _kind(tail), [a.get(tail) for a in articles()]
            if name in ticket:
                return _kind(name), [ticket[name]]
            return "text", []

        return resolve

    def user_resolver(self, user: dict) -> Callable[[str | None], tuple[str, list]]:
        """Return ``resolve(field) -> (kind, values)`` for one user."""
        ds = self.ds

        def resolve(name: str | None) -> tuple[str, list]:
            org = ds.organizations.get(user.get("organization_id"))
            if name is None:
                values = [user.get(c) for c in TEXT_USER_COLUMNS]
                return "text", values + ([org["name"]] if org else [])
            if name.startswith("user."):
                name = name[len("user.") :]
            if name in ("organization", "organization.name"):
                return "text", [org["name"]] if org else []
            if name in ("role_ids", "role_id"):
                return "number", list(user.get("role_ids", []))
            if name in user:
                return _kind(name), [user[name]]
            return "text", []

        return resolve

    def organization_resolver(self, org: dict) -> Callable[[str | None], tuple[str, list]]:
        """Return ``resolve(field) -> (kind, values)`` for one organization."""

        def resolve(name: str | None) -> tuple[str, list]:
            if name is None:
                return "text", [org.get("name"), org.get("domain"), org.get("note")]
            if name.startswith("organization."):
                name = name[len("organization.") :]
            if name in org:
                return _kind(name), [org[name]]
            return "text", []

        return resolve

    def search(self, records: list[dict], params: dict, resolver) -> tuple[list[dict], bool]:
        """Filter records by ``query`` and ``condition``.

        Returns:
            The matches, and whether the query ran on the search index (non-blank query).

        """
        query = str(params.get("query") or params.get("term") or "").replace("*", "").strip()
        matches = records
        if query:
            parsed = Query(query)
            matches = [r for r in matches if parsed.matches(resolver(r))]
        condition = params.get("condition")
        if condition:
            predicate = condition_predicate(condition, lambda r, name: resolver(r)(name))
            matches = [r for r in matches if predicate(r)]
        return matches, bool(query)


def _kind(column: str) -> str:
    if column.endswith("_at") or column in ("pending_time", "last_login"):
        return "date"
    if column == "id" or column.endswith("_id") or column in ("article_count", "login_failed"):
        return "number"
    if column in ("number", "active", "vip", "verified", "internal", "shared"):
        return "exact"
    return "text"
