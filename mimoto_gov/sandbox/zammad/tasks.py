"""The sandbox's data-privacy tasks (zammad-api.md §5.1-§5.3).

Creating a task validates it like DataPrivacyTaskValidator and stores the preview
(pseudonymised user, ticket numbers newest first, capped at 1,000, with true counts). A
scheduler tick then deletes, like DataPrivacyTaskJob: the user and the tickets they are the
customer of; their organisation too (with every ticket of it) only when
``preferences.delete_organization`` is the string ``"true"`` and they were its only member.
Other references to the user are re-pointed to the system user 1. A failure can be injected,
and a ticket can be made to survive, so verification code has something to catch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mimoto_gov.sandbox.synthetic.dataset import iso_now
from mimoto_gov.sandbox.zammad.query import ApiError

if TYPE_CHECKING:
    from mimoto_gov.sandbox.zammad.store import Principal

MAX_PREVIEW_TICKETS = 1000
REFERENCE_COLUMNS = (
    "created_by_id",
    "updated_by_id",
    "origin_by_id",
    "owner_id",
    "out_of_office_replacement_id",
)


def pseudonymise(value: str | None) -> str:
    """Keep each word's first and last letter and star the rest, like Zammad."""
    if not value:
        return ""
    words = []
    for word in str(value).split():
        words.append(f"{word[0]}*{word[-1]}" if len(word) > 1 else "*")
    return " ".join(words)


def pseudonymise_email(email: str | None) -> str:
    """Pseudonymise an email's local part and domain name, keeping the top-level domain."""
    if not email or "@" not in email:
        return pseudonymise(email)
    local, _, domain = email.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        return f"{pseudonymise(local)}@{pseudonymise(domain)}"
    return f"{pseudonymise(local)}@{pseudonymise(name)}.{tld}"


class TaskMixin:
    """Data-privacy task operations for :class:`~mimoto_gov.sandbox.zammad.store.Store`."""

    def _numbers(self, tickets: list[dict]) -> list[str]:
        newest = sorted(tickets, key=lambda t: (t["created_at"], t["id"]), reverse=True)
        return [t["number"] for t in newest[:MAX_PREVIEW_TICKETS]]

    def _preview(self, task: dict) -> dict:
        ds = self.ds
        preferences = dict(task.get("preferences") or {})
        if task["deletable_type"] == "Ticket":
            ticket = ds.tickets.get(task["deletable_id"])
            if ticket:
                preferences["ticket"] = {"title": pseudonymise(ticket["title"])}
                preferences["customer_tickets"] = [ticket["number"]]
                preferences["customer_tickets_count"] = 1
            return preferences
        user = ds.users.get(task["deletable_id"])
        if user is None:
            return preferences
        owned = [t for t in ds.tickets.values() if t["owner_id"] == user["id"]]
        customer = [t for t in ds.tickets.values() if t["customer_id"] == user["id"]]
        org = ds.organizations.get(user.get("organization_id"))
        preferences.update(
            {
                "owner_tickets": self._numbers(owned),
                "owner_tickets_count": len(owned),
                "customer_tickets": self._numbers(customer),
                "customer_tickets_count": len(customer),
                "user": {
                    "firstname": pseudonymise(user.get("firstname")),
                    "lastname": pseudonymise(user.get("lastname")),
                    "email": pseudonymise_email(user.get("email")),
                    "organization": pseudonymise(org["name"]) if org else "",
                },
            }
        )
        return preferences

    def create_task(self, principal: Principal, body: dict) -> dict:
        """Validate and store a new task in state ``in process``.

        Raises:
            ApiError: 422 with Zammad's validation messages.

        """
        ds = self.ds
        kind = body.get("deletable_type")
        if kind not in ("User", "Ticket"):
            raise ApiError(422, "Data privacy task allows to delete a user or a ticket only.")
        deletable_id = body.get("deletable_id")
        try:
            deletable_id = int(deletable_id)
        except (TypeError, ValueError):
            raise ApiError(422, "Deletable must exist") from None
        table = ds.users if kind == "User" else ds.tickets
        if deletable_id not in table:
            raise ApiError(422, "Deletable must exist")
        if kind == "User":
            if deletable_id == 1:
                raise ApiError(422, "It is not possible to delete the system user.")
            if deletable_id == principal.user_id:
                raise ApiError(422, "It is not possible to delete your current account.")
            if self._last_admin(deletable_id):
                raise ApiError(
                    422, "It is not possible to delete the last account with admin permissions."
                )
        for task in ds.data_privacy_tasks.values():
            same = task["deletable_type"] == kind and task["deletable_id"] == deletable_id
            if same and task["state"] != "failed":
                raise ApiError(422, "Selected object is already queued for deletion.")
        preferences = body.get("preferences") or {}
        if not isinstance(preferences, dict):
            raise ApiError(422, "Preferences must be a hash")
        now = iso_now()
        task = {
            "id": self.next_id("task"),
            "name": None,
            "state": "in process",
            "deletable_type": kind,
            "deletable_id": deletable_id,
            "preferences": dict(preferences),
            "updated_by_id": principal.user_id,
            "created_by_id": principal.user_id,
            "created_at": now,
            "updated_at": now,
        }
        task["preferences"] = self._preview(task)
        ds.data_privacy_tasks[task["id"]] = task
        return task

    def _last_admin(self, user_id: int) -> bool:
        ds = self.ds
        if 1 not in ds.users[user_id].get("role_ids", []):
            return False
        queued = {
            t["deletable_id"]
            for t in ds.data_privacy_tasks.values()
            if t["deletable_type"] == "User" and t["state"] == "in process"
        }
        others = [
            u
            for u in ds.users.values()
            if u["id"] not in (user_id, 1)
            and u.get("active")
            and 1 in u.get("role_ids", [])
            and u["id"] not in queued
        ]
        return not others

    def fail_next_task(self, error: str) -> None:
        """Make the next processed task fail with ``preferences.error = error``."""
        self.failures.append(error)

    def keep_ticket_on_delete(self, ticket_id: int) -> None:
        """Let a ticket survive deletions (data-privacy tasks and ``DELETE /tickets/:id``)."""
        self.kept_tickets.add(ticket_id)

    def tick(self) -> int:
        """Process every task ``in process`` in id order; return how many were processed."""
        pending = [t for t in self.ds.data_privacy_tasks.values() if t["state"] == "in process"]
        for task in sorted(pending, key=lambda t: t["id"]):
            self._perform(task)
        return len(pending)

    def _perform(self, task: dict) -> None:
        ds = self.ds
        task["updated_at"] = iso_now()
        if self.failures:
            task["state"] = "failed"
            task["preferences"] = {**task["preferences"], "error": self.failures.pop(0)}
            return
        table = ds.users if task["deletable_type"] == "User" else ds.tickets
        if task["deletable_id"] not in table:
            task["state"] = "completed"
            return
        task["preferences"] = self._preview(task)
        if task["deletable_type"] == "Ticket":
            self._destroy_ticket(task["deletable_id"])
        else:
            delete_org = task["preferences"].get("delete_organization") == "true"
            self._destroy_user(task["deletable_id"], delete_organization=delete_org)
        task["state"] = "completed"

    def _destroy_ticket(self, ticket_id: int) -> None:
        if ticket_id not in self.kept_tickets and ticket_id in self.ds.tickets:
            self.delete_ticket(ticket_id)

    def _destroy_user(self, user_id: int, *, delete_organization: bool) -> None:
        ds = self.ds
        user = ds.users[user_id]
        org_id = user.get("organization_id")
        doomed_users = {user_id}
        doomed = {t["id"] for t in ds.tickets.values() if t["customer_id"] == user_id}
        drop_org = bool(delete_organization and org_id and self.member_ids(org_id) == [user_id])
        if drop_org:
            doomed |= {t["id"] for t in ds.tickets.values() if t["organization_id"] == org_id}
            doomed_users |= set(self.member_ids(org_id))
        for ticket_id in sorted(doomed):
            self._destroy_ticket(ticket_id)
        for doomed_user in doomed_users:
            self._repoint(doomed_user)
            ds.users.pop(doomed_user, None)
        if drop_org:
            ds.organizations.pop(org_id, None)
            for other in ds.users.values():
                if org_id in (other.get("organization_ids") or []):
                    other["organization_ids"] = [
                        o for o in other["organization_ids"] if o != org_id
                    ]
                if other.get("organization_id") == org_id:
                    other["organization_id"] = None
            for ticket in ds.tickets.values():  # kept tickets lose the link
                if ticket["organization_id"] == org_id:
                    ticket["organization_id"] = None
        self.users_changed()

    def _repoint(self, user_id: int) -> None:
        """Point every ownership reference to the user at the system user, without a touch."""
        ds = self.ds
        tables = [ds.tickets.values(), ds.articles.values(), ds.users.values()]
        tables += [ds.organizations.values(), ds.jobs.values()]
        for table in tables:
            for record in table:
                for column in REFERENCE_COLUMNS:
                    if record.get(column) == user_id:
                        record[column] = 1
        for entries in ds.history.values():
            for entry in entries:
                if entry.get("created_by_id") == user_id:
                    entry["created_by_id"] = 1

    def tasks_by_state(self) -> dict:
        """Return the ``by_state`` view: newest 500 task ids per state, with assets."""
        groups: dict[str, list[int]] = {"in_process": [], "failed": [], "completed": []}
        assets: dict[str, dict] = {}
        for task in sorted(self.ds.data_privacy_tasks.values(), key=lambda t: -t["id"]):
            key = task["state"].replace(" ", "_")
            bucket = groups.setdefault(key, [])
            if len(bucket) < 500:
                bucket.append(task["id"])
                assets[str(task["id"])] = dict(task)
        return {"record_ids": groups, "assets": {"DataPrivacyTask": assets}}
