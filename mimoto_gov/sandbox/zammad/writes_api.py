"""The sandbox's endpoints that change tickets and users (zammad-api.md §1.2, §3.2, §3.3).

``PUT /tickets/:id`` needs an agent with access to the ticket's group (a customer token may
only change its own ticket's title, state and the like) and answers the ticket with
association names, as Zammad's controller does. ``POST /users`` needs ``admin.user`` and
answers 201 with the user and its association ids.
"""

from __future__ import annotations

from mimoto_gov.sandbox.zammad import render as render
from mimoto_gov.sandbox.zammad.response import Response, flag, json_response, parse_id
from mimoto_gov.sandbox.zammad.store import Principal


class WriteEndpoints:
    """Ticket and user changes of :class:`~mimoto_gov.sandbox.zammad.api.Api`."""

    def ticket_update(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """PUT /tickets/:id: change the writable attributes; answer with names."""
        self.require(principal, "ticket.agent", "ticket.customer")
        ticket = self.store.ticket_for(principal, parse_id(raw_id, "Ticket"))
        ticket = self.store.update_ticket(principal, ticket, params)
        return json_response(render.ticket_names(self.store, ticket))

    def user_create(self, principal: Principal, params: dict) -> Response:
        """POST /users (admin.user): 201 with the new user."""
        self.require(principal, "admin.user")
        user = self.store.create_user(principal, params)
        if flag(params, "expand"):
            return json_response(render.user_names(self.store, user), 201)
        return json_response(render.user_ids(user), 201)
