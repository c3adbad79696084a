"""How the sandbox renders records, following Zammad's shapes (zammad-api.md §3).

- *bare*: the model's columns only (``GET /tickets`` and ``/tickets/:id`` without flags);
- *ids*: columns plus ``<assoc>_ids`` arrays (search results, users, organizations);
- *names* (``expand=true``): ids plus association names, users named by login;
- *assets* (``full=true``): ``{Model: {"<id>": record with ids}}`` for a record and the
  records it refers to.

Articles always carry ``attachments[]`` (size as a string); inline images referenced by
``cid:`` in an HTML body are left out of it and their ``src`` points at the download URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mimoto_gov.sandbox.zammad.store import Store

# Keys the dataset keeps beside the columns; never rendered as columns.
ARTICLE_NAME_KEYS = ("type", "sender")
USER_ASSOC_KEYS = ("role_ids", "organization_ids", "group_ids")
TICKET_EMPTY_IDS = ("referencing_checklist_ids",)
TICKET_EMPTY_IDS_AFTER = ("ticket_time_accounting_ids", "ai_stored_result_ids")


def ticket_columns(ticket: dict) -> dict:
    """Return the ticket's columns (the bare model)."""
    return dict(ticket)


def ticket_ids(store: Store, ticket: dict) -> dict:
    """Return the ticket with association ids, ``article_ids`` included."""
    out = dict(ticket)
    out["referencing_checklist_ids"] = []
    out["article_ids"] = list(store.article_ids(ticket["id"]))
    out["ticket_time_accounting_ids"] = []
    out["ai_stored_result_ids"] = []
    return out


def ticket_names(store: Store, ticket: dict) -> dict:
    """Return the ticket with association ids and names (``expand=true``)."""
    out = ticket_ids(store, ticket)
    ds = store.ds
    out.update(
        {
            "referencing_checklists": [],
            "group": _name(ds.groups, ticket["group_id"]),
            "organization": _name(ds.organizations, ticket["organization_id"]),
            "ticket_time_accounting": [],
            "state": _name(ds.states, ticket["state_id"]),
            "priority": _name(ds.priorities, ticket["priority_id"]),
            "owner": store.login(ticket["owner_id"]),
            "customer": store.login(ticket["customer_id"]),
            "created_by": store.login(ticket["created_by_id"]),
            "updated_by": store.login(ticket["updated_by_id"]),
            "create_article_type": _name(ds.article_types, ticket["create_article_type_id"]),
            "create_article_sender": _name(ds.article_senders, ticket["create_article_sender_id"]),
            "ai_stored_results": [],
        }
    )
    return out


def user_ids(user: dict) -> dict:
    """Return the user with association ids, as the default user render."""
    out = {k: v for k, v in user.items() if k not in USER_ASSOC_KEYS}
    out.pop("password", None)
    out["role_ids"] = list(user.get("role_ids", []))
    out["two_factor_preference_ids"] = []
    out["organization_ids"] = list(user.get("organization_ids", []))
    out["authorization_ids"] = []
    out["overview_sorting_ids"] = []
    out["group_ids"] = dict(user.get("group_ids", {}))
    return out


def user_names(store: Store, user: dict) -> dict:
    """Return the user with association ids and names (``expand=true``)."""
    ds = store.ds
    out = user_ids(user)
    out.update(
        {
            "roles": [_name(ds.roles, r) for r in user.get("role_ids", [])],
            "two_factor_preferences": [],
            "organizations": [_name(ds.organizations, o) for o in user.get("organization_ids", [])],
            "authorizations": [],
            "overview_sortings": [],
            "organization": _name(ds.organizations, user.get("organization_id")),
            "groups": {
                _name(ds.groups, int(g)): access for g, access in user.get("group_ids", {}).items()
            },
            "created_by": store.login(user.get("created_by_id")),
            "updated_by": store.login(user.get("updated_by_id")),
        }
    )
    return out


def organization_ids(store: Store, org: dict) -> dict:
    """Return the organization with ``member_ids`` and ``secondary_member_ids``."""
    out = dict(org)
    out["member_ids"] = store.member_ids(org["id"])
    out["secondary_member_ids"] = store.secondary_member_ids(org["id"])
    return out


def organization_names(store: Store, org: dict) -> dict:
    """Return the organization with member logins (``expand=true``)."""
    out = organization_ids(store, org)
    out["members"] = [store.login(m) for m in out["member_ids"]]
    out["secondary_members"] = [store.login(m) for m in out["secondary_member_ids"]]
    out["created_by"] = store.login(org.get("created_by_id"))
    out["updated_by"] = store.login(org.get("updated_by_id"))
    return out


def article_ids(store: Store, article: dict) -> dict:
    """Return the article's columns with ``attachments[]`` and inline URLs rewritten."""
    out = {k: v for k, v in article.items() if k not in ARTICLE_NAME_KEYS}
    listed = []
    body = out.get("body") or ""
    for attachment in store.attachments_of(article["id"]):
        cid = attachment.get("preferences", {}).get("Content-ID")
        if cid and out.get("content_type") == "text/html" and f"cid:{cid}" in body:
            url = (
                f"/api/v1/ticket_attachment/{article['ticket_id']}/{article['id']}/"
                f"{attachment['id']}?view=inline"
            )
            body = body.replace(f"cid:{cid}", url)
            continue
        listed.append(
            {
                "id": attachment["id"],
                "filename": attachment["filename"],
                "size": str(attachment["size"]),
                "preferences": dict(attachment.get("preferences", {})),
            }
        )
    out["body"] = body
    out["attachments"] = listed
    return out


def article_names(store: Store, article: dict) -> dict:
    """Return the article as ``by_ticket`` sends it: ids, attachments and names."""
    ds = store.ds
    out = article_ids(store, article)
    out["type"] = _name(ds.article_types, article.get("type_id"))
    out["sender"] = _name(ds.article_senders, article.get("sender_id"))
    out["created_by"] = store.login(article.get("created_by_id"))
    out["updated_by"] = store.login(article.get("updated_by_id"))
    if article.get("origin_by_id"):
        out["origin_by"] = store.login(article["origin_by_id"])
    out["time_unit"] = None
    return out


def history_entry(entry: dict) -> dict:
    """Return a history entry as History.list sends it: null pairs and nil ids dropped."""
    out = dict(entry)
    out.pop("updated_at", None)
    if out.get("related_o_id") is None:
        out.pop("related_o_id", None)
        out.pop("related_object", None)
    for first, second in (("id_from", "id_to"), ("value_from", "value_to")):
        if out.get(first) is None and out.get(second) is None:
            out.pop(first, None)
            out.pop(second, None)
    return out


class Assets:
    """Collects the ``assets`` hash of a ``full=true`` response."""

    def __init__(self, store: Store):
        self.store = store
        self.data: dict[str, dict[str, dict]] = {}

    def _put(self, model: str, record_id: int, record: dict) -> bool:
        bucket = self.data.setdefault(model, {})
        if str(record_id) in bucket:
            return False
        bucket[str(record_id)] = record
        return True

    def user(self, user_id: int | None) -> None:
        """Add a user and their organization."""
        user = self.store.ds.users.get(user_id) if user_id else None
        if user and self._put("User", user["id"], user_ids(user)):
            self.organization(user.get("organization_id"))

    def organization(self, org_id: int | None) -> None:
        """Add an organization."""
        org = self.store.ds.organizations.get(org_id) if org_id else None
        if org:
            self._put("Organization", org["id"], organization_ids(self.store, org))

    def ticket(self, ticket: dict) -> None:
        """Add a ticket with its group, organization and users."""
        if not self._put("Ticket", ticket["id"], ticket_ids(self.store, ticket)):
            return
        group = self.store.ds.groups.get(ticket["group_id"])
        if group:
            self._put("Group", group["id"], dict(group))
        self.organization(ticket.get("organization_id"))
        for key in ("customer_id", "owner_id", "created_by_id", "updated_by_id"):
            self.user(ticket.get(key))

    def article(self, article: dict) -> None:
        """Add an article and its author."""
        self._put("TicketArticle", article["id"], article_ids(self.store, article))
        self.user(article.get("created_by_id"))

    def task(self, task: dict) -> None:
        """Add a data-privacy task."""
        self._put("DataPrivacyTask", task["id"], dict(task))


def _name(table: dict, key: int | None) -> str | None:
    record = table.get(key) if key is not None else None
    return record.get("name") if record else None
