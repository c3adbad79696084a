"""Changes made through the sandbox's API, as Zammad makes them (zammad-api.md §1.2, §3).

- ``PUT /tickets/:id``: the writable attributes change (association names such as
  ``state``/``group``/``customer`` are turned into ids first); ``number`` never changes; a
  customer token cannot change the owner, customer or organisation. After a change of customer
  the ticket's organisation becomes the new customer's, unless the new customer is also a
  member of the ticket's organisation (Ticket#check_defaults). Each changed attribute gets a
  history entry, the ticket's ``updated_at`` becomes now and ``updated_by_id`` the caller.
- ``POST /users``: a new user; ``roles`` may be names; a login already taken gets a number
  appended, an email already used is refused with 422; no identifier at all is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mimoto_gov.sandbox.synthetic.dataset import iso_now
from mimoto_gov.sandbox.zammad.changes import TICKET_TIME_COLUMNS
from mimoto_gov.sandbox.zammad.query import ApiError, norm_time

if TYPE_CHECKING:
    from mimoto_gov.sandbox.zammad.store import Principal

# Attributes a PUT may change; everything else in the body is ignored, as param_cleanup does.
TICKET_WRITABLE = (
    "title", "group_id", "state_id", "priority_id", "owner_id", "customer_id",
    "organization_id", "pending_time", "type", "note", "time_unit",
)  # fmt: skip
AGENT_ONLY = ("owner_id", "customer_id", "organization_id")
# association name -> (id column, lookup table attribute or "users", the name column)
ASSOCIATIONS = {
    "state": ("state_id", "states", "name"),
    "group": ("group_id", "groups", "name"),
    "priority": ("priority_id", "priorities", "name"),
    "owner": ("owner_id", "users", "login"),
    "customer": ("customer_id", "users", "login"),
    "organization": ("organization_id", "organizations", "name"),
}
USER_WRITABLE = (
    "login", "firstname", "lastname", "email", "web", "phone", "fax", "mobile", "department",
    "street", "zip", "city", "country", "address", "vip", "verified", "active", "note",
    "organization_id",
)  # fmt: skip


def fullname(user: dict | None) -> str | None:
    """Return a user's name as Zammad's history shows it (first and last, else the login)."""
    if not user:
        return None
    name = " ".join(p for p in (user.get("firstname"), user.get("lastname")) if p).strip()
    return name or user.get("login")


class UpdatesMixin:
    """API-made changes for :class:`~mimoto_gov.sandbox.zammad.store.Store`."""

    def _resolve(self, name: str, value: object) -> int | None:
        column, table_name, key = ASSOCIATIONS[name]
        if value is None:
            return None
        table = getattr(self.ds, table_name)
        for record_id, record in table.items():
            if str(record.get(key) or "").lower() == str(value).lower():
                return record_id
        raise ApiError(422, f"No lookup value found for '{name}': {value!r}")

    def update_ticket(self, principal: Principal, ticket: dict, body: dict) -> dict:
        """Apply a ``PUT /tickets/:id`` body to a ticket; return the ticket.

        Raises:
            ApiError: 422 for a missing customer, group, state or other association.

        """
        ds = self.ds
        changes: dict = {}
        for name, (column, _table, _key) in ASSOCIATIONS.items():
            if name in body and column not in body:
                changes[column] = self._resolve(name, body[name])
        changes.update({k: body[k] for k in TICKET_WRITABLE if k in body})
        if not principal.has("ticket.agent"):
            for column in AGENT_ONLY:
                changes.pop(column, None)
        for column, table in (
            ("customer_id", ds.users),
            ("owner_id", ds.users),
            ("group_id", ds.groups),
            ("state_id", ds.states),
            ("priority_id", ds.priorities),
            ("organization_id", ds.organizations),
        ):
            if column not in changes or changes[column] is None:
                continue
            try:
                changes[column] = int(changes[column])
            except (TypeError, ValueError):
                raise ApiError(422, f"{column} {changes[column]!r} is not an id") from None
            if changes[column] not in table:
                model = column[:-3].capitalize()
                raise ApiError(422, f"{model} can't be blank")
        if "title" in changes:
            changes["title"] = " ".join(str(changes["title"] or "").split())
            if not changes["title"]:
                raise ApiError(422, "Title can't be blank")
        for column in TICKET_TIME_COLUMNS & changes.keys():
            changes[column] = norm_time(changes[column])
        self._default_organization(ticket, changes)
        now = iso_now()
        for column, value in changes.items():
            if ticket.get(column) != value:
                self._record_change(ticket, column, value, principal.user_id, now)
                ticket[column] = value
        ticket["updated_at"] = now
        ticket["updated_by_id"] = principal.user_id
        return ticket

    def _default_organization(self, ticket: dict, changes: dict) -> None:
        """Set the organisation from the customer, as Ticket#check_defaults does."""
        customer_id = changes.get("customer_id", ticket.get("customer_id"))
        customer = self.ds.users.get(customer_id) if customer_id else None
        if customer is None:
            return
        org_id = changes.get("organization_id", ticket.get("organization_id"))
        mine = {customer.get("organization_id"), *(customer.get("organization_ids") or [])}
        if org_id is not None and org_id in mine:
            return
        changes["organization_id"] = customer.get("organization_id")

    def _record_change(self, ticket: dict, column: str, value, actor: int, now: str) -> None:
        ds = self.ds
        old = ticket.get(column)
        if column.endswith("_id"):
            name, (_, table_name, key) = column[:-3], ASSOCIATIONS.get(column[:-3], (0, "", ""))
            table = getattr(ds, table_name, {}) if table_name else {}

            def label(record_id):
                record = table.get(record_id) if record_id is not None else None
                if record is None:
                    return None
                return fullname(record) if table_name == "users" else record.get(key)

            self._history(
                ticket["id"], type_name="updated", attribute=name, value_from=label(old),
                value_to=label(value), id_from=old, id_to=value, created_by_id=actor,
                created_at=now,
            )  # fmt: skip
            return
        self._history(
            ticket["id"], type_name="updated", attribute=column,
            value_from=None if old is None else str(old),
            value_to=None if value is None else str(value), created_by_id=actor, created_at=now,
        )  # fmt: skip

    def create_user(self, principal: Principal, body: dict) -> dict:
        """Create a user from a ``POST /users`` body; return it.

        Raises:
            ApiError: 422 for no identifier at all or an email already used.

        """
        ds = self.ds
        fields = {k: body[k] for k in USER_WRITABLE if k in body}
        if not any(
            str(fields.get(k) or "").strip()
            for k in ("login", "firstname", "lastname", "email", "phone")
        ):
            raise ApiError(
                422,
                "Minimum one identifier (login, firstname, lastname, phone or email) for user "
                "is required.",
            )
        email = str(fields.get("email") or "").strip().lower()
        if email and any(str(u.get("email") or "").lower() == email for u in ds.users.values()):
            raise ApiError(422, f"Email address '{email}' is already used for another user.")
        roles = body.get("role_ids")
        if roles is None and body.get("roles") is not None:
            names = body["roles"] if isinstance(body["roles"], list) else [body["roles"]]
            roles = [self._role_id(name) for name in names]
        fields["role_ids"] = [int(r) for r in (roles or [3])]
        fields["login"] = self._free_login(str(fields.get("login") or email or ""))
        fields["email"] = email or None
        fields.setdefault("firstname", "")
        fields.setdefault("lastname", "")
        fields["created_by_id"] = fields["updated_by_id"] = principal.user_id
        user_id = self.add_user(fields)
        return ds.users[user_id]

    def _role_id(self, name: object) -> int:
        for role_id, role in self.ds.roles.items():
            if str(role.get("name") or "").lower() == str(name).lower():
                return role_id
        raise ApiError(422, f"No lookup value found for 'roles': {name!r}")

    def _free_login(self, login: str) -> str:
        """Return the login, made unique by a number as Zammad does (``auto-...`` if blank)."""
        base = login.strip().lower() or f"auto-{self.next_id('user')}"
        taken = {str(u.get("login") or "").lower() for u in self.ds.users.values()}
        for suffix in ["", *range(1, 21)]:
            if f"{base}{suffix}" not in taken:
                return f"{base}{suffix}"
        raise ApiError(422, "This object already exists.")
