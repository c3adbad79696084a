"""The sandbox's REST endpoints, independent of the HTTP server (zammad-api.md §9).

:class:`Api` turns ``(method, path, params, headers)`` into a :class:`Response`. It checks
the token like Zammad (no credentials: 403 "Authentication required"; unknown token: 401
"Can't find User for Token"; a missing permission: 403 "Not authorized"; 401/403 carry
``X-Failure``), clamps pages per endpoint, sorts and searches through
:mod:`~mimoto_gov.sandbox.zammad.query` and renders through
:mod:`~mimoto_gov.sandbox.zammad.render`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from mimoto_gov.sandbox.zammad import render as render
from mimoto_gov.sandbox.zammad.query import ApiError, page_window, paginate, sort_records
from mimoto_gov.sandbox.zammad.response import (
    Response,
    flag,
    json_response,
    parse_id,
)
from mimoto_gov.sandbox.zammad.store import Principal, Store
from mimoto_gov.sandbox.zammad.tickets_api import TicketEndpoints

SEARCH_DEFAULT, SEARCH_MAX = 50, 200
UPDATED_DESC = [("updated_at", "desc")]
ID_ASC = [("id", "asc")]


@dataclass
class Token:
    """An API token: whose it is and what it may do."""

    user_id: int
    permissions: frozenset[str]


class Api(TicketEndpoints):
    """Zammad's REST endpoints over a :class:`Store`."""

    def __init__(self, store: Store, tokens: dict[str, Token]):
        self.store = store
        self.tokens = tokens
        self.legacy_search = False
        self.routes: list[tuple[str, re.Pattern, Callable]] = []
        for method, pattern, handler in (
            ("GET", r"users/me", self.me),
            ("GET|POST", r"users/search", self.users_search),
            ("GET", r"users", self.users_index),
            ("POST", r"users", self.user_create),
            ("GET", r"users/([^/]+)", self.user_show),
            ("GET|POST", r"organizations/search", self.organizations_search),
            ("GET", r"organizations", self.organizations_index),
            ("GET", r"organizations/([^/]+)", self.organization_show),
            ("GET|POST", r"tickets/search", self.tickets_search),
            ("GET", r"tickets", self.tickets_index),
            ("GET", r"tickets/([^/]+)", self.ticket_show),
            ("PUT", r"tickets/([^/]+)", self.ticket_update),
            ("DELETE", r"tickets/([^/]+)", self.ticket_destroy),
            ("GET", r"ticket_articles", self.articles_index),
            ("GET", r"ticket_articles/by_ticket/([^/]+)", self.articles_by_ticket),
            ("GET", r"ticket_articles/([^/]+)", self.article_show),
            ("GET", r"ticket_attachment/([^/]+)/([^/]+)/([^/]+)", self.attachment),
            ("GET", r"ticket_history/([^/]+)", self.ticket_history),
            ("GET", r"tags", self.tags),
            ("GET", r"data_privacy_tasks/by_state", self.tasks_by_state),
            ("GET", r"data_privacy_tasks", self.tasks_index),
            ("POST", r"data_privacy_tasks", self.task_create),
            ("GET", r"data_privacy_tasks/([^/]+)", self.task_show),
            ("DELETE", r"data_privacy_tasks/([^/]+)", self.task_destroy),
            ("GET", r"jobs", self.jobs),
            ("GET", r"groups", self.lookup("groups")),
            ("GET", r"roles", self.lookup("roles")),
            ("GET", r"ticket_states", self.lookup("states")),
            ("GET", r"ticket_priorities", self.lookup("priorities")),
        ):
            self.routes.append((method, re.compile(pattern + r"(?:\.json)?"), handler))

    # -- dispatch ----------------------------------------------------------------------

    def dispatch(self, method: str, path: str, params: dict, headers: dict) -> Response:
        """Answer one request to ``/api/v1/<path>``."""
        handler, match = self._route(method, path)
        if handler is None or match is None:
            return self.error(ApiError(404, f'No route matches [{method}] "/api/v1/{path}"'))
        principal = None
        try:
            principal = self.authenticate(headers)
            with self.store.lock:
                return handler(principal, params, *match.groups())
        except ApiError as error:
            return self.error(error, principal)

    def _route(self, method: str, path: str) -> tuple[Callable | None, re.Match | None]:
        for allowed, pattern, handler in self.routes:
            match = pattern.fullmatch(path.strip("/"))
            if match and method in allowed.split("|"):
                return handler, match
        return None, None

    def error(self, error: ApiError, principal: Principal | None = None) -> Response:
        """Render an error body as Zammad does, hiding 500 details from non-admins."""
        body = {"error": error.message}
        if error.human:
            body["error_human"] = error.message
        if error.status == 500 and not (principal and principal.has("admin")):
            body = {"error": f"Error ID {secrets.token_hex(4)}: Please contact your administrator."}
        headers = {}
        if error.status in (401, 403):
            headers["X-Failure"] = body.get("error_human", body["error"])
        return json_response(body, error.status, headers)

    def authenticate(self, headers: dict) -> Principal:
        """Check the Authorization header and return the caller.

        Raises:
            ApiError: 403 without credentials, 401 for a bad token or an inactive user.

        """
        value = (headers.get("Authorization") or "").strip()
        if not value:
            raise ApiError(403, "Authentication required")
        scheme, _, rest = value.partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            raise ApiError(401, "The provided token is invalid.")
        if scheme == "basic":
            raise ApiError(401, "Invalid BasicAuth credentials")
        if scheme != "token":
            raise ApiError(403, "Authentication required")
        match = re.match(r'\s*(?:token=)?"?([^",\s]*)"?', rest)
        token = self.tokens.get(match.group(1) if match else "")
        user = self.store.ds.users.get(token.user_id) if token else None
        if token is None or user is None:
            raise ApiError(401, "Can't find User for Token")
        if not user.get("active"):
            raise ApiError(401, "User is inactive.")
        return Principal(token.user_id, token.permissions)

    @staticmethod
    def require(principal: Principal, *permissions: str) -> None:
        """Raise 403 "Not authorized" unless the caller holds one of ``permissions``."""
        if not any(principal.has(p) for p in permissions):
            raise ApiError(403, "Not authorized")

    # -- shapes ------------------------------------------------------------------------

    def _index_shape(
        self,
        records: list[dict],
        params: dict,
        plain: Callable[[dict], dict],
        expanded: Callable[[dict], dict],
        add_asset: Callable[[render.Assets, dict], None],
        total: int | None,
    ) -> Response:
        if flag(params, "full"):
            assets = render.Assets(self.store)
            for record in records:
                add_asset(assets, record)
            payload = {"record_ids": [r["id"] for r in records], "assets": assets.data}
            if total is not None:
                payload["total_count"] = total
            return json_response(payload)
        if flag(params, "expand"):
            return json_response([expanded(r) for r in records])
        return json_response([plain(r) for r in records])

    def _search(
        self,
        records: list[dict],
        params: dict,
        resolver,
        columns,
        plain,
        expanded,
        add_asset,
        legacy_key: str | None = None,
    ) -> Response:
        store = self.store
        matches, on_index = store.search(records, params, resolver)
        total = len(matches)
        if flag(params, "only_total_count"):
            return json_response({"total_count": total})
        ordered = sort_records(matches, params, columns, UPDATED_DESC)
        _page, limit, offset = page_window(params, SEARCH_DEFAULT, SEARCH_MAX)
        window = store.search_window
        if on_index and window is not None:
            total = min(total, window)
        page: list[dict] = []
        if offset < 0 and not on_index:
            paginate(ordered, params, SEARCH_DEFAULT, SEARCH_MAX)  # a database error: 422
        elif offset >= 0 and not (on_index and window is not None and offset + limit > window):
            page = ordered[offset : offset + limit]
        if legacy_key and self.legacy_search and not flag(params, "expand"):
            assets = render.Assets(store)
            for record in page:
                add_asset(assets, record)
            ids = [r["id"] for r in page]
            return json_response(
                {legacy_key: ids, f"{legacy_key}_count": total, "assets": assets.data}
            )
        if flag(params, "full"):
            return self._index_shape(page, params, plain, expanded, add_asset, total)
        items = [expanded(r) for r in page] if flag(params, "expand") else [plain(r) for r in page]
        if flag(params, "with_total_count"):
            return json_response({"records": items, "total_count": total})
        return json_response(items)

    # -- users -------------------------------------------------------------------------

    def me(self, principal: Principal, params: dict) -> Response:
        """GET /users/me."""
        user = self.store.ds.users[principal.user_id]
        if flag(params, "expand"):
            return json_response(render.user_names(self.store, user))
        return json_response(render.user_ids(user))

    def users_index(self, principal: Principal, params: dict) -> Response:
        """GET /users: admin.user; 100 by default, 1000 at most, by id."""
        self.require(principal, "admin.user")
        users = paginate(
            sorted(self.store.ds.users.values(), key=lambda u: u["id"]), params, 100, 1000
        )
        return self._index_shape(
            users,
            params,
            render.user_ids,
            lambda u: render.user_names(self.store, u),
            lambda a, u: a.user(u["id"]),
            None,
        )

    def users_search(self, principal: Principal, params: dict) -> Response:
        """GET/POST /users/search."""
        self.require(principal, "admin.user", "ticket.agent")
        users = list(self.store.ds.users.values())
        columns = [c for c in next(iter(users), {}) if c not in render.USER_ASSOC_KEYS]
        return self._search(
            users,
            params,
            self.store.user_resolver,
            columns,
            render.user_ids,
            lambda u: render.user_names(self.store, u),
            lambda a, u: a.user(u["id"]),
        )

    def user_create(self, principal: Principal, params: dict) -> Response:
        """POST /users: 201 with the new user; an agent without admin.user makes customers."""
        self.require(principal, "admin.user", "ticket.agent")
        ds = self.store.ds
        names = params.get("roles") or ["Customer"]
        role_ids = [i for i, role in ds.roles.items() if role["name"] in names]
        if len(role_ids) != len(set(names)):
            raise ApiError(422, f"Couldn't find Role with 'name'={names}")
        if not principal.has("admin.user") and role_ids != [3]:
            raise ApiError(403, "Not authorized")
        email = str(params.get("email") or "").strip()
        if email and any(
            (u.get("email") or "").lower() == email.lower() for u in ds.users.values()
        ):
            raise ApiError(422, f"Email address '{email.lower()}' is already used for other user.")
        writable = ("firstname", "lastname", "login", "organization_id", "note", "phone", "active")
        fields = {k: params[k] for k in writable if k in params}
        named = ("login", "firstname", "lastname", "phone")
        if not email and not any(str(fields.get(k) or "").strip() for k in named):
            raise ApiError(
                422,
                "Minimum one identifier (login, firstname, lastname, phone or email) for user "
                "is required.",
            )
        # A login already taken gets a number appended, as User#check_login does.
        base = str(fields.get("login") or email).strip().lower()
        taken = {str(u.get("login") or "").lower() for u in ds.users.values()}
        if base:
            fields["login"] = next(
                f"{base}{n}" for n in ["", *range(1, 100)] if f"{base}{n}" not in taken
            )
        fields.update(
            email=email.lower() or None,
            role_ids=role_ids,
            created_by_id=principal.user_id,
            updated_by_id=principal.user_id,
        )
        user_id = self.store.add_user(fields)
        return json_response(render.user_ids(ds.users[user_id]), 201)

    def user_show(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /users/:id."""
        user_id = parse_id(raw_id, "User")
        user = self.store.ds.users.get(user_id)
        if user is None:
            raise ApiError(404, f"Couldn't find User with 'id'={user_id}")
        if user_id != principal.user_id:
            self.require(principal, "admin.user", "ticket.agent")
        if flag(params, "full"):
            assets = render.Assets(self.store)
            assets.user(user_id)
            return json_response({"id": user_id, "assets": assets.data})
        if flag(params, "expand"):
            return json_response(render.user_names(self.store, user))
        return json_response(render.user_ids(user))

    # -- organizations -----------------------------------------------------------------

    def _organizations(self, principal: Principal) -> list[dict]:
        orgs = sorted(self.store.ds.organizations.values(), key=lambda o: o["id"])
        if principal.has("ticket.agent") or principal.has("admin.organization"):
            return orgs
        user = self.store.ds.users.get(principal.user_id, {})
        mine = {user.get("organization_id"), *(user.get("organization_ids") or [])}
        return [o for o in orgs if o["id"] in mine]

    def _org_shapes(self):
        store = self.store
        return (
            lambda o: render.organization_ids(store, o),
            lambda o: render.organization_names(store, o),
            lambda a, o: a.organization(o["id"]),
        )

    def organizations_index(self, principal: Principal, params: dict) -> Response:
        """GET /organizations: 500 by default, 1000 at most, sort_by/order_by."""
        orgs = self._organizations(principal)
        columns = next(iter(self.store.ds.organizations.values()), {"id": 0}).keys()
        ordered = sort_records(orgs, params, columns, ID_ASC)
        page = paginate(ordered, params, 500, 1000)
        return self._index_shape(page, params, *self._org_shapes(), len(orgs))

    def organizations_search(self, principal: Principal, params: dict) -> Response:
        """GET/POST /organizations/search."""
        orgs = self._organizations(principal)
        columns = next(iter(self.store.ds.organizations.values()), {"id": 0}).keys()
        return self._search(
            orgs, params, self.store.organization_resolver, columns, *self._org_shapes()
        )

    def organization_show(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /organizations/:id."""
        org_id = parse_id(raw_id, "Organization")
        org = self.store.ds.organizations.get(org_id)
        if org is None:
            raise ApiError(404, f"Couldn't find Organization with 'id'={org_id}")
        if org not in self._organizations(principal):
            raise ApiError(403, "Not authorized")
        plain, expanded, add = self._org_shapes()
        if flag(params, "full"):
            assets = render.Assets(self.store)
            add(assets, org)
            return json_response({"id": org_id, "assets": assets.data})
        return json_response(expanded(org) if flag(params, "expand") else plain(org))

    # -- data privacy, jobs, lookups ---------------------------------------------------

    def tasks_index(self, principal: Principal, params: dict) -> Response:
        """GET /data_privacy_tasks: 500 by default, 1000 at most."""
        self.require(principal, "admin.data_privacy")
        tasks = list(self.store.ds.data_privacy_tasks.values())
        columns = (
            "id",
            "name",
            "state",
            "deletable_type",
            "deletable_id",
            "created_at",
            "updated_at",
        )
        page = paginate(sort_records(tasks, params, columns, ID_ASC), params, 500, 1000)
        return self._index_shape(page, params, dict, dict, lambda a, t: a.task(t), len(tasks))

    def tasks_by_state(self, principal: Principal, params: dict) -> Response:
        """GET /data_privacy_tasks/by_state."""
        self.require(principal, "admin.data_privacy")
        return json_response(self.store.tasks_by_state())

    def _task(self, raw_id: str) -> dict:
        task_id = parse_id(raw_id, "DataPrivacyTask")
        task = self.store.ds.data_privacy_tasks.get(task_id)
        if task is None:
            raise ApiError(404, f"Couldn't find DataPrivacyTask with 'id'={task_id}")
        return task

    def task_show(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """GET /data_privacy_tasks/:id."""
        self.require(principal, "admin.data_privacy")
        task = self._task(raw_id)
        if flag(params, "full"):
            assets = render.Assets(self.store)
            assets.task(task)
            return json_response({"id": task["id"], "assets": assets.data})
        return json_response(dict(task))

    def task_create(self, principal: Principal, params: dict) -> Response:
        """POST /data_privacy_tasks: 201 with the task in state ``in process``."""
        self.require(principal, "admin.data_privacy")
        return json_response(self.store.create_task(principal, params), 201)

    def task_destroy(self, principal: Principal, params: dict, raw_id: str) -> Response:
        """DELETE /data_privacy_tasks/:id."""
        self.require(principal, "admin.data_privacy")
        task = self._task(raw_id)
        del self.store.ds.data_privacy_tasks[task["id"]]
        return json_response({})

    def jobs(self, principal: Principal, params: dict) -> Response:
        """GET /jobs (admin): the schedulers."""
        self.require(principal, "admin.scheduler")
        jobs = sorted(self.store.ds.jobs.values(), key=lambda j: j["id"])
        return json_response([dict(j) for j in jobs])

    def lookup(self, table: str) -> Callable[[Principal, dict], Response]:
        """Build the handler of a lookup list (groups, roles, states, priorities)."""

        def handler(principal: Principal, params: dict) -> Response:
            rows = getattr(self.store.ds, table)
            return json_response([dict(rows[k]) for k in sorted(rows)])

        return handler
