"""The sandbox's ticket endpoints: tickets, articles, attachments, history and tags."""

from __future__ import annotations

from urllib.parse import quote

from mimoto_gov.sandbox.zammad import render as render
from mimoto_gov.sandbox.zammad.query import ApiError, paginate, sort_records
from mimoto_gov.sandbox.zammad.response import (
    NO_CACHE,
    Response,
    flag,
    json_response,
    parse_id,
)
from mimoto_gov.sandbox.zammad.store import Principal

ID_ASC = [("id", "asc")]
# What an agent may change through PUT /tickets/:id (the sandbox's subset).
TICKET_UPDATABLE = (
    "title", "group_id", "state_id", "priority_id", "owner_id", "customer_id", "organization_id",
)  # fmt: skip


class TicketEndpoints:
    """Ticket, article, attachment, history and tag endpoints of :class:`~.sandbox_api.Api`."""

    def _ticket_shapes(self):
        store = self.store
        return (
            lambda t: render.ticket_ids(store, t),
            lambda t: render.ticket_names(store, t),
            lambda a, t: a.ticket(t),
        )

    def tickets_index(self, principal: Principal, params: dict) -> Response:
        """GET /tickets: 100 per page at most, fixed id order, bare columns."""
        self.require(principal, "ticket.agent", "ticket.customer")
        tickets = paginate(self.store.visible_tickets(principal), params, 100, 100)
        _plain, expanded, add = self._ticket_shapes()
        return self._index_shape(tickets, params, render.ticket_columns, expanded, add, None)

    def tickets_search(self, principal: Principal, params: dict) -> Response:
        """GET/POST /tickets/search: query, condition, sorting and every response shape."""
        if not (principal.has("ticket.agent") or principal.has("ticket.customer")):
            return json_response([])
        tickets = self.store.visible_tickets(principal)
        columns = next(iter(self.store.ds.tickets.values()), {"id": 0}).keys()
        return self._search(
            tickets,
            params,
            self.store.ticket_resolver,
            columns,
            *self._ticket_shapes(),
            legacy_key="tickets",
        )

    def ticket_show(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /tickets/:id with ``expand``, ``full`` or ``all``."""
        ticket = self.store.ticket_for(principal, parse_id(raw_id, "Ticket"))
        _plain, expanded, add = self._ticket_shapes()
        if flag(params, "all"):
            return json_response(self._assets_all(principal, ticket))
        if flag(params, "full"):
            assets = render.Assets(self.store)
            add(assets, ticket)
            return json_response({"id": ticket["id"], "assets": assets.data})
        if flag(params, "expand"):
            return json_response(expanded(ticket))
        return json_response(render.ticket_columns(ticket))

    def ticket_update(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """PUT /tickets/:id: an agent changes a ticket (customer, organisation, title...)."""
        self.require(principal, "ticket.agent")
        ticket = self.store.ticket_for(principal, parse_id(raw_id, "Ticket"))
        changes = {k: params[k] for k in TICKET_UPDATABLE if k in params}
        updated = self.store.update_ticket(ticket["id"], changes, principal.user_id)
        # Zammad's controller answers with the association names, as expand=true does.
        return json_response(render.ticket_names(self.store, updated))

    def _assets_all(self, principal: Principal, ticket: dict) -> dict:
        assets = render.Assets(self.store)
        assets.ticket(ticket)
        articles = self.store.visible_articles(principal, ticket["id"])
        for article in articles:
            assets.article(article)
        return {
            "ticket_id": ticket["id"],
            "ticket_article_ids": [a["id"] for a in articles],
            "assets": assets.data,
            "links": [],
            "tags": list(self.store.ds.tags.get(ticket["id"], [])),
            "mentions": [],
            "time_accountings": [],
            "form_meta": {},
        }

    def ticket_destroy(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """DELETE /tickets/:id (admin): hard delete, unless the ticket is kept."""
        ticket_id = parse_id(raw_id, "Ticket")
        if ticket_id not in self.store.ds.tickets:
            raise ApiError(404, f"Couldn't find Ticket with 'id'={ticket_id}")
        self.require(principal, "admin")
        if ticket_id not in self.store.kept_tickets:
            self.store.delete_ticket(ticket_id)
        return json_response({})

    # -- articles and attachments ------------------------------------------------------

    def articles_index(self, principal: Principal, params: dict) -> Response:
        """GET /ticket_articles (admin): 500 by default, 1000 at most, sort_by."""
        self.require(principal, "admin")
        store = self.store
        articles = list(store.ds.articles.values())
        columns = [c for c in next(iter(articles), {"id": 0}) if c not in render.ARTICLE_NAME_KEYS]
        ordered = sort_records(articles, params, columns, ID_ASC)
        page = paginate(ordered, params, 500, 1000)
        return self._index_shape(
            page,
            params,
            lambda a: render.article_ids(store, a),
            lambda a: render.article_names(store, a),
            lambda assets, a: assets.article(a),
            len(articles),
        )

    def articles_by_ticket(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /ticket_articles/by_ticket/:id: every article, with names, unpaginated."""
        ticket = self.store.ticket_for(principal, parse_id(raw_id, "Ticket"))
        articles = self.store.visible_articles(principal, ticket["id"])
        return json_response([render.article_names(self.store, a) for a in articles])

    def _article(self, principal: Principal, article_id: int) -> dict:
        article = self.store.ds.articles.get(article_id)
        if article is None:
            raise ApiError(404, f"Couldn't find Ticket::Article with 'id'={article_id}")
        self.store.ticket_for(principal, article["ticket_id"])
        if article.get("internal") and not principal.has("ticket.agent"):
            raise ApiError(403, "Not authorized")
        return article

    def article_show(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /ticket_articles/:id (always with names)."""
        article = self._article(principal, parse_id(raw_id, "Ticket::Article"))
        return json_response(render.article_names(self.store, article))

    def attachment(
        self, principal: Principal, params: dict, raw_ticket: str, raw_article: str, raw_file: str
    ) -> Response:
        """GET /ticket_attachment/:ticket/:article/:file: the bytes, 403 on mismatches."""
        ticket = self.store.ticket_for(principal, parse_id(raw_ticket, "Ticket"))
        article = self._article(principal, parse_id(raw_article, "Ticket::Article"))
        if article["ticket_id"] != ticket["id"]:
            raise ApiError(403, "The article does not belong to the specified ticket.")
        attachment = self.store.ds.attachments.get(parse_id(raw_file, "Store"))
        if attachment is None:
            raise ApiError(404, f"Couldn't find Store with 'id'={raw_file}")
        if attachment["article_id"] != article["id"]:
            raise ApiError(403, "The file does not belong to the specified article.")
        name = attachment["filename"]
        disposition = "inline" if params.get("view") == "inline" else "attachment"
        ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
        return Response(
            200,
            attachment["content"],
            {
                "Content-Type": attachment["content_type"],
                "Content-Disposition": f'{disposition}; filename="{ascii_name}"; '
                f"filename*=UTF-8''{quote(name)}",
                **NO_CACHE,
            },
        )

    def ticket_history(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /ticket_history/:id: ``{history, assets}`` with null pairs left out."""
        ticket = self.store.ticket_for(principal, parse_id(raw_id, "Ticket"))
        entries = self.store.ds.ticket_history(ticket["id"], self.store.articles_of(ticket["id"]))
        assets = render.Assets(self.store)
        assets.ticket(ticket)
        for entry in entries:
            assets.user(entry.get("created_by_id"))
        return json_response(
            {"history": [render.history_entry(e) for e in entries], "assets": assets.data}
        )

    def tags(self, principal: Principal, params: dict) -> Response:
        """GET /tags?object=Ticket&o_id=: ``{"tags": [...]}``."""
        if params.get("object") != "Ticket":
            raise ApiError(422, "Invalid object, only Ticket is supported here")
        ticket = self.store.ticket_for(principal, parse_id(str(params.get("o_id", "")), "Ticket"))
        return json_response({"tags": list(self.store.ds.tags.get(ticket["id"], []))})
