"""Zammad's data-privacy tasks and deletions, as calls of :class:`~.client.ZammadClient`.

A deletion is queued as a data privacy task, which Zammad's scheduler runs within ten
minutes; :meth:`PrivacyTasks.wait_for_task` polls it to its end. Creating a task is never
repeated after a failure that may have reached Zammad (it is not idempotent); a retried
``DELETE`` whose first attempt went through finds nothing, which counts as success.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mimoto_gov.errors import TaskTimeout
from mimoto_gov.zammad.errors import ErrorMapper


class PrivacyTasks:
    """The data-privacy and deletion calls (mixed into the client, which gives ``request``)."""

    errors: ErrorMapper
    request: Callable[..., Any]

    def create_deletion_task(self, user_id: int, *, delete_organization: bool = False) -> dict:
        """Queue the deletion of a user (a data privacy task); Zammad runs it within 10 min.

        Args:
            user_id: the user to delete (with all tickets they are the customer of).
            delete_organization: also delete their organisation (and its tickets) when they
                are its only member. Sent as the string ``"true"``, as Zammad requires.

        Returns:
            The task as Zammad created it (``state`` ``in process``, a ticket preview).

        """
        body: dict[str, Any] = {"deletable_type": "User", "deletable_id": int(user_id)}
        if delete_organization:
            body["preferences"] = {"delete_organization": "true"}
        return self.request("POST", "data_privacy_tasks", json=body, idempotent=False)

    def data_privacy_task(self, task_id: int) -> dict:
        """One data privacy task (``state``: in process, completed or failed)."""
        return self.request("GET", f"data_privacy_tasks/{int(task_id)}")

    def wait_for_task(self, task_id: int, *, timeout: float = 1200, interval: float = 60) -> dict:
        """Poll a data privacy task until it is ``completed`` or ``failed``.

        Returns:
            The finished task (check ``state``; a failure carries ``preferences.error``).

        Raises:
            TaskTimeout: the task was still in process after ``timeout`` seconds.

        """
        deadline = time.monotonic() + timeout
        while True:
            task = self.data_privacy_task(task_id)
            if task.get("state") in {"completed", "failed"}:
                return task
            if time.monotonic() + interval > deadline:
                raise self.errors.make(
                    TaskTimeout,
                    f"data privacy task {task_id} was still '{task.get('state')}' after "
                    f"{timeout:g} s; Zammad runs these tasks every 10 minutes, try again later",
                )
            time.sleep(interval)

    def delete_ticket(self, ticket_id: int) -> None:
        """Delete one ticket at once (admin).

        A retried DELETE whose first attempt went through finds nothing; that 404 counts as
        success. A 404 on the first attempt (no such ticket) is raised.
        """
        self.request("DELETE", f"tickets/{int(ticket_id)}", gone_ok=True)
