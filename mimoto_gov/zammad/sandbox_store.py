"""The sandbox's live state: indexes over the dataset, access rules, searches and changes.

Everything here runs under :attr:`Store.lock`; the HTTP handlers and the test helpers of
:class:`~mimoto_gov.zammad.sandbox.Sandbox` both go through it. Changes bump ``updated_at``
to the wall clock, as Zammad would.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from mimoto_gov.synthetic import (
    SENDER_IDS,
    SUPPORT_ADDRESS,
    TYPE_IDS,
    ZammadDataset,
    history_entry,
    iso_now,
)
from mimoto_gov.zammad.sandbox_query import ApiError, Query, condition_predicate, norm_time
from mimoto_gov.zammad.sandbox_tasks import TaskMixin

TICKET_TIME_COLUMNS = {
    "created_at",
    "updated_at",
    "close_at",
    "last_close_at",
    "last_contact_at",
    "last_contact_agent_at",
    "last_contact_customer_at",
    "last_owner_update_at",
    "first_response_at",
    "pending_time",
    "escalation_at",
    "first_response_escalation_at",
    "close_escalation_at",
    "update_escalation_at",
}
USER_TIME_COLUMNS = {
    "created_at",
    "updated_at",
    "last_login",
    "out_of_office_start_at",
    "out_of_office_end_at",
}
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


class Store(TaskMixin):
    """Indexes and operations over one :class:`~mimoto_gov.synthetic.ZammadDataset`."""

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

    # -- changes (used by the test helpers and the API) --------------------------------

    def touch_ticket(self, ticket_id: int, changes: dict) -> dict:
        """Change a ticket like an agent would; ``updated_at`` becomes now."""
        ds = self.ds
        ticket = ds.tickets.get(ticket_id)
        if ticket is None:
            raise KeyError(f"no ticket {ticket_id}")
        now = iso_now()
        changes = dict(changes)
        for name, table in (
            ("state", ds.states),
            ("group", ds.groups),
            ("priority", ds.priorities),
        ):
            if name in changes:
                wanted = changes.pop(name)
                ids = [i for i, row in table.items() if row["name"] == wanted]
                if not ids:
                    raise KeyError(f"no {name} named {wanted!r}")
                changes[f"{name}_id"] = ids[0]
        actor = changes.pop("updated_by_id", 2)
        if "state_id" in changes and changes["state_id"] != ticket["state_id"]:
            old, new = ticket["state_id"], changes["state_id"]
            self._history(
                ticket_id,
                type_name="updated",
                attribute="state",
                value_from=ds.states[old]["name"],
                value_to=ds.states[new]["name"],
                id_from=old,
                id_to=new,
                created_by_id=actor,
                created_at=now,
            )
            if ds.states[new]["name"] in ("closed", "merged"):
                changes.setdefault("close_at", now)
                changes.setdefault("last_close_at", now)
        for column in TICKET_TIME_COLUMNS & changes.keys():
            changes[column] = norm_time(changes[column])
        ticket.update(changes)
        ticket["updated_by_id"] = actor
        ticket["updated_at"] = changes.get("updated_at") or now
        return ticket

    def _history(self, ticket_id: int, **fields) -> None:
        entry = history_entry(
            self.next_id("history"), o_id=ticket_id, object_name="Ticket", **fields
        )
        self.ds.history.setdefault(ticket_id, []).append(entry)

    def add_ticket(self, customer_id: int, title: str, articles: int, fields: dict) -> int:
        """Create a ticket with ``articles`` articles (customer first, then an agent)."""
        ds = self.ds
        customer = ds.users[customer_id]
        ticket_id = self.next_id("ticket")
        now = iso_now()
        ticket = {column: None for column in next(iter(ds.tickets.values()), {})}
        ticket.update(
            {
                "id": ticket_id,
                "group_id": 1,
                "priority_id": 2,
                "state_id": 1,
                "organization_id": customer.get("organization_id"),
                "number": str(31000 + ticket_id),
                "title": title,
                "owner_id": 1,
                "customer_id": customer_id,
                "create_article_type_id": TYPE_IDS["email"],
                "create_article_sender_id": SENDER_IDS["Customer"],
                "article_count": 0,
                "preferences": {},
                "updated_by_id": customer_id,
                "created_by_id": customer_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        for column in TICKET_TIME_COLUMNS & fields.keys():
            fields[column] = norm_time(fields[column])
        ticket.update(fields)
        ds.tickets[ticket_id] = ticket
        self._history(
            ticket_id,
            type_name="created",
            created_by_id=customer_id,
            created_at=ticket["created_at"],
        )
        for index in range(articles):
            if index % 2 == 0:
                self.add_article(ticket_id, {"subject": title if index == 0 else f"Re: {title}"})
            else:
                agent = ds.personas.get("agent", 2)
                self.add_article(
                    ticket_id,
                    {
                        "sender": "Agent",
                        "created_by_id": agent,
                        "from": "Mimoto Support <support@mimoto.example>",
                        "to": _display(customer),
                        "subject": f"RE: {title}",
                        "body": f"Dear {customer['firstname']},\n\nThank you, we are on it.",
                    },
                )
        ticket["updated_at"] = fields.get("updated_at") or ticket["updated_at"]
        return ticket_id

    def add_article(self, ticket_id: int, fields: dict) -> int:
        """Add an article to a ticket and bump the ticket, as Zammad does."""
        ds = self.ds
        ticket = ds.tickets.get(ticket_id)
        if ticket is None:
            raise KeyError(f"no ticket {ticket_id}")
        fields = dict(fields)
        if "from_" in fields:
            fields["from"] = fields.pop("from_")
        attachments = fields.pop("attachments", [])
        customer = ds.users.get(ticket["customer_id"], {})
        kind = fields.pop("type", "email")
        sender = fields.pop("sender", "Customer")
        now = norm_time(fields.pop("created_at", None)) or iso_now()
        article_id = self.next_id("article")
        article = {
            "id": article_id,
            "ticket_id": ticket_id,
            "type_id": TYPE_IDS[kind],
            "sender_id": SENDER_IDS[sender],
            "from": _display(customer) if customer else "",
            "to": SUPPORT_ADDRESS,
            "cc": None,
            "subject": f"Re: {ticket['title']}",
            "reply_to": None,
            "message_id": None,
            "message_id_md5": None,
            "in_reply_to": None,
            "content_type": "text/plain",
            "references": None,
            "body": "Hello,\n\nAny news on this?\n\nThanks",
            "internal": kind == "note",
            "preferences": {},
            "updated_by_id": ticket["customer_id"],
            "created_by_id": ticket["customer_id"],
            "origin_by_id": None,
            "created_at": now,
            "updated_at": now,
            "type": kind,
            "sender": sender,
        }
        article.update(fields)
        if "updated_by_id" not in fields:
            article["updated_by_id"] = article["created_by_id"]
        ds.articles[article_id] = article
        self._articles.setdefault(ticket_id, []).append(article_id)
        self._articles[ticket_id].sort(key=lambda a: (ds.articles[a]["created_at"], a))
        for item in attachments:
            self.add_attachment(article, item)
        ticket["article_count"] = len(self._articles[ticket_id])
        ticket["updated_at"] = max(iso_now(), now)
        ticket["updated_by_id"] = article["created_by_id"]
        if not article["internal"]:
            ticket["last_contact_at"] = now
            role = "customer" if sender == "Customer" else "agent"
            ticket[f"last_contact_{role}_at"] = now
        return article_id

    def add_attachment(self, article: dict, item: dict) -> int:
        """Store an attachment given as ``{filename, content, content_type}``."""
        content = item["content"]
        if isinstance(content, str):
            content = content.encode()
        ctype = item.get("content_type", "application/octet-stream")
        attachment_id = self.next_id("attachment")
        self.ds.attachments[attachment_id] = {
            "id": attachment_id,
            "article_id": article["id"],
            "ticket_id": article["ticket_id"],
            "filename": item.get("filename", f"file{attachment_id}"),
            "size": len(content),
            "content_type": ctype,
            "content": content,
            "preferences": dict(
                item.get("preferences") or {"Content-Type": ctype, "Mime-Type": ctype}
            ),
            "created_at": article["created_at"],
        }
        self._attachments[article["id"]].append(attachment_id)
        return attachment_id

    def delete_ticket(self, ticket_id: int) -> None:
        """Remove a ticket with its articles, attachments, history and tags."""
        ds = self.ds
        if ticket_id not in ds.tickets:
            raise KeyError(f"no ticket {ticket_id}")
        del ds.tickets[ticket_id]
        for article_id in self._articles.pop(ticket_id, []):
            ds.articles.pop(article_id, None)
            for attachment_id in self._attachments.pop(article_id, []):
                ds.attachments.pop(attachment_id, None)
        ds.history.pop(ticket_id, None)
        ds.tags.pop(ticket_id, None)

    def update_user(self, user_id: int, changes: dict) -> dict:
        """Change a user; ``updated_at`` becomes now."""
        user = self.ds.users.get(user_id)
        if user is None:
            raise KeyError(f"no user {user_id}")
        changes = dict(changes)
        for column in USER_TIME_COLUMNS & changes.keys():
            changes[column] = norm_time(changes[column])
        user.update(changes)
        user["updated_at"] = changes.get("updated_at") or iso_now()
        self.users_changed()
        return user

    def add_user(self, fields: dict) -> int:
        """Create a user (a customer unless ``role_ids`` say otherwise)."""
        ds = self.ds
        user_id = self.next_id("user")
        template = ds.users.get(max(ds.users)) if ds.users else {}
        user = {column: None for column in template}
        first = fields.get("firstname", "New")
        last = fields.get("lastname", f"Customer{user_id}")
        email = fields.get("email", f"{first}.{last}@example.com".lower())
        now = iso_now()
        user.update(
            {
                "id": user_id,
                "login": (fields.get("login") or email or f"user{user_id}").lower(),
                "firstname": first,
                "lastname": last,
                "email": email,
                "web": "",
                "phone": "",
                "fax": "",
                "mobile": "",
                "street": "",
                "zip": "",
                "city": "",
                "country": "",
                "address": "",
                "vip": False,
                "verified": False,
                "active": True,
                "note": "",
                "login_failed": 0,
                "out_of_office": False,
                "preferences": {"locale": "en-gb"},
                "updated_by_id": 2,
                "created_by_id": 2,
                "created_at": now,
                "updated_at": now,
                "role_ids": [3],
                "organization_ids": [],
                "group_ids": {},
            }
        )
        for column in USER_TIME_COLUMNS & fields.keys():
            fields[column] = norm_time(fields[column])
        user.update(fields)
        ds.users[user_id] = user
        self.users_changed()
        return user_id

    def add_organization(self, fields: dict) -> int:
        """Create an organization."""
        org_id = self.next_id("organization")
        now = iso_now()
        org = {
            "id": org_id,
            "name": f"Organisation {org_id}",
            "shared": True,
            "domain": "",
            "domain_assignment": False,
            "active": True,
            "vip": False,
            "note": "",
            "updated_by_id": 2,
            "created_by_id": 2,
            "created_at": now,
            "updated_at": now,
        }
        org.update(fields)
        self.ds.organizations[org_id] = org
        return org_id


def _kind(column: str) -> str:
    if column.endswith("_at") or column in ("pending_time", "last_login"):
        return "date"
    if column == "id" or column.endswith("_id") or column in ("article_count", "login_failed"):
        return "number"
    if column in ("number", "active", "vip", "verified", "internal", "shared"):
        return "exact"
    return "text"


def _display(user: dict) -> str:
    return f"{user.get('firstname', '')} {user.get('lastname', '')} <{user.get('email', '')}>"
