"""Changes to the sandbox's state, made the way Zammad makes them.

Used by the test helpers of :class:`~mimoto_gov.sandbox.zammad.server.Sandbox` and by the
API's writes. ``updated_at`` becomes the wall clock; adding an article bumps its ticket;
deleting a ticket takes its articles, attachments, history and tags with it; giving a ticket
another customer moves it to that customer's organisation unless it names one of theirs
(Zammad's ``Ticket#check_defaults``), and records the change in the ticket's history.
"""

from __future__ import annotations

from mimoto_gov.sandbox.synthetic.dataset import (
    SENDER_IDS,
    SUPPORT_ADDRESS,
    TYPE_IDS,
    history_entry,
    iso_now,
)
from mimoto_gov.sandbox.zammad.query import ApiError, norm_time

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


class ChangesMixin:
    """State changes for :class:`~mimoto_gov.sandbox.zammad.store.Store`."""

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

    def update_ticket(self, ticket_id: int, changes: dict, actor: int) -> dict:
        """Apply an agent's ``PUT /tickets/:id`` (``customer_id``, ``organization_id``...).

        Raises:
            ApiError: 422 for a customer or organisation that does not exist.

        """
        ds = self.ds
        ticket = ds.tickets[ticket_id]
        changes = dict(changes)
        if "customer_id" in changes or "organization_id" in changes:
            customer_id = _record_id(changes.get("customer_id", ticket["customer_id"]), ds.users)
            if customer_id is None:
                raise ApiError(422, f"Couldn't find User with 'id'={changes.get('customer_id')}")
            org = changes.get("organization_id", ticket["organization_id"])
            customer = ds.users[customer_id]
            theirs = {customer.get("organization_id"), *(customer.get("organization_ids") or [])}
            # The ticket keeps an organisation only if it is one of its customer's.
            org = _record_id(org, ds.organizations)
            changes["organization_id"] = (
                org if org in theirs - {None} else customer.get("organization_id")
            )
            changes["customer_id"] = customer_id
            if customer_id != ticket["customer_id"]:
                old = ds.users.get(ticket["customer_id"], {})
                self._history(
                    ticket_id,
                    type_name="updated",
                    attribute="customer",
                    value_from=_fullname(old),
                    value_to=_fullname(customer),
                    id_from=ticket["customer_id"],
                    id_to=customer_id,
                    created_by_id=actor,
                    created_at=iso_now(),
                )
        if "title" in changes and changes["title"] != ticket["title"]:
            # Zammad keeps the old title in the history: an API client cannot scrub it.
            self._history(
                ticket_id,
                type_name="updated",
                attribute="title",
                value_from=ticket["title"],
                value_to=changes["title"],
                created_by_id=actor,
                created_at=iso_now(),
            )
        return self.touch_ticket(ticket_id, {**changes, "updated_by_id": actor})

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
                        "to": display(customer),
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
            "from": display(customer) if customer else "",
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


def _fullname(user: dict) -> str:
    return f"{user.get('firstname') or ''} {user.get('lastname') or ''}".strip()


def _record_id(value, table: dict) -> int | None:
    """Return ``value`` as the id of a record in ``table``, or None (no such record)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if value in table else None


def display(user: dict) -> str:
    """Return ``First Last <email>`` as Zammad writes a person in ``from``/``to``."""
    return f"{user.get('firstname', '')} {user.get('lastname', '')} <{user.get('email', '')}>"
