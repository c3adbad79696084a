"""A local Zammad-compatible server for the demo, the tests and the benchmarks.

:class:`Sandbox` serves a :class:`~mimoto_gov.sandbox.synthetic.dataset.ZammadDataset` over
real HTTP from a
tornado server running on its own event loop in a background thread. It follows
zammad-api.md §9: token auth and error bodies, per-endpoint page clamps, search shapes and
conditions, ``by_ticket``, attachments, history, tags and the data-privacy task lifecycle.

Example::

    with Sandbox(tickets=60, task_tick_seconds=0.05) as sandbox:
        requests.get(f"{sandbox.url}/api/v1/tickets",
                     headers={"Authorization": f"Token token={sandbox.admin_token}"})

Tokens (random per instance unless given): ``admin`` (``ticket.agent``, ``admin``,
``admin.user``, ``admin.data_privacy``), ``agent`` (``ticket.agent`` only: no article
index, user list or data privacy) and ``customer`` (``ticket.customer``).

Knobs: :attr:`Sandbox.faults` injects latency, 429s, 500s, truncated bodies and dropped
connections, deterministically from a seed; :attr:`Sandbox.request_log` records every
request; :attr:`Sandbox.legacy_search` serves the old ``{tickets, tickets_count, assets}``
search shape. Test helpers change the state as Zammad would (``updated_at`` becomes the wall
clock). Paths under ``/html/`` answer a plain HTML page, for "a URL that is not Zammad".
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading

import tornado.httpserver
import tornado.netutil
import tornado.web
from tornado.ioloop import PeriodicCallback

from mimoto_gov.sandbox.synthetic.dataset import ZammadDataset, make_dataset
from mimoto_gov.sandbox.zammad.api import Api, Token
from mimoto_gov.sandbox.zammad.faults import Faults, RequestRecord
from mimoto_gov.sandbox.zammad.handlers import ApiHandler, HtmlHandler, NotFoundHandler
from mimoto_gov.sandbox.zammad.store import Store

TOKEN_PERMISSIONS = {
    "admin": frozenset({"ticket.agent", "admin", "admin.user", "admin.data_privacy"}),
    "agent": frozenset({"ticket.agent"}),
    "customer": frozenset({"ticket.customer"}),
}
DEFAULT_TASK_ERROR = (
    "ERROR: #<ActiveRecord::InvalidForeignKey: PG::ForeignKeyViolation: ERROR:  update or "
    'delete on table "users" violates foreign key constraint>'
)


class Sandbox:
    """A Zammad-compatible HTTP server on a background thread, with test helpers.

    Args:
        dataset: the state to serve; by default ``make_dataset(seed, tickets)``.
        seed: the dataset's seed when none is given.
        tickets: the dataset's size when none is given.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        task_tick_seconds: how often pending data-privacy tasks are processed; None or 0
            processes them only when :meth:`tick` is called.
        tokens: token strings by name (``admin``, ``agent``, ``customer``); missing ones are
            random.
        legacy_search: serve the legacy ticket search shape.

    """

    def __init__(
        self,
        dataset: ZammadDataset | None = None,
        *,
        seed: int = 7,
        tickets: int = 300,
        host: str = "127.0.0.1",
        port: int = 0,
        task_tick_seconds: float | None = 2.0,
        tokens: dict[str, str] | None = None,
        legacy_search: bool = False,
    ):
        self.dataset = dataset if dataset is not None else make_dataset(seed=seed, tickets=tickets)
        self.store = Store(self.dataset)
        unknown = set(tokens or {}) - set(TOKEN_PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown token names: {', '.join(sorted(unknown))}")
        self.tokens = {name: secrets.token_hex(20) for name in TOKEN_PERMISSIONS}
        self.tokens.update(tokens or {})
        personas = self.dataset.personas
        owners = {
            "admin": personas.get("admin", 2),
            "agent": personas.get("agent", 3),
            "customer": personas.get("customer", self._first_customer()),
        }
        table = {
            self.tokens[name]: Token(owners[name], TOKEN_PERMISSIONS[name])
            for name in TOKEN_PERMISSIONS
        }
        self.api = Api(self.store, table)
        self.api.legacy_search = legacy_search
        self.faults = Faults()
        self.request_log: list[RequestRecord] = []
        self.hold_tasks = False
        self.host = host
        self.port = port
        self.task_tick_seconds = task_tick_seconds
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._ticker: PeriodicCallback | None = None

    def _first_customer(self) -> int:
        customers = [u["id"] for u in self.dataset.users.values() if 3 in u.get("role_ids", [])]
        return min(customers, default=1)

    # -- properties --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (after :meth:`start`)."""
        if self._thread is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def admin_token(self) -> str:
        """The admin token."""
        return self.tokens["admin"]

    @property
    def legacy_search(self) -> bool:
        """Whether ticket search answers in the legacy ``{tickets, tickets_count}`` shape."""
        return self.api.legacy_search

    @legacy_search.setter
    def legacy_search(self, value: bool) -> None:
        self.api.legacy_search = value

    @property
    def search_window(self) -> int | None:
        """Elasticsearch's result window: query searches past it return ``[]`` (None: off)."""
        return self.store.search_window

    @search_window.setter
    def search_window(self, value: int | None) -> None:
        self.store.search_window = value

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> str:
        """Start serving in a background thread and return the base URL."""
        if self._thread is not None:
            return self.url
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(sockets, ready, failure), name="zammad-sandbox", daemon=True
        )
        self._thread.start()
        ready.wait(30)
        if failure:
            self._thread = None
            raise failure[0]
        return self.url

    def _run(self, sockets: list, ready: threading.Event, failure: list) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._setup(sockets))
        except BaseException as error:  # reported to start()
            failure.append(error)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._shutdown())
            for task in asyncio.all_tasks(loop):
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _setup(self, sockets: list) -> None:
        app = tornado.web.Application(
            [
                (r"/api/v1/(.*)", ApiHandler, {"sandbox": self}),
                (r"/|/html(?:/.*)?", HtmlHandler, {"sandbox": self}),
            ],
            default_handler_class=NotFoundHandler,
            default_handler_args={"sandbox": self},
            log_function=lambda handler: None,  # the request log is ours; keep stderr quiet
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        if self.task_tick_seconds:
            self._ticker = PeriodicCallback(self._auto_tick, self.task_tick_seconds * 1000)
            self._ticker.start()

    async def _shutdown(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
        if self._server is not None:
            self._server.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.close_all_connections(), 5)

    def _auto_tick(self) -> None:
        if not self.hold_tasks:
            self.tick()

    def stop(self) -> None:
        """Stop the server and wait for its thread to end."""
        if self._thread is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(15)
        self._thread = None
        self._loop = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- log, tokens -------------------------------------------------------------------

    def clear_log(self) -> None:
        """Forget the recorded requests."""
        self.request_log.clear()

    def add_token(
        self, user_id: int, permissions: set[str] | frozenset[str], token: str = ""
    ) -> str:
        """Create an extra token for a user with the given permissions; returns it."""
        token = token or secrets.token_hex(20)
        self.api.tokens[token] = Token(user_id, frozenset(permissions))
        return token

    # -- helpers that change the state like Zammad would -------------------------------

    def touch_ticket(self, ticket_id: int, **changes) -> dict:
        """Change a ticket (``state="closed"``, ``title=...``); ``updated_at`` becomes now."""
        with self.store.lock:
            return dict(self.store.touch_ticket(ticket_id, changes))

    def add_ticket(self, customer_id: int, title: str, articles: int = 2, **fields) -> int:
        """Create a ticket for a customer with ``articles`` articles; returns its id."""
        with self.store.lock:
            return self.store.add_ticket(customer_id, title, articles, fields)

    def add_article(self, ticket_id: int, **fields) -> int:
        """Add an article (``from_``/``from``, ``body``, ``attachments=[{filename, content,
        content_type}]`` ...) and bump the ticket; returns its id.
        """  # noqa: D205
        with self.store.lock:
            return self.store.add_article(ticket_id, fields)

    def delete_ticket(self, ticket_id: int) -> None:
        """Remove a ticket with its articles, attachments, history and tags."""
        with self.store.lock:
            self.store.delete_ticket(ticket_id)

    def update_user(self, user_id: int, **changes) -> dict:
        """Change a user; ``updated_at`` becomes now."""
        with self.store.lock:
            return dict(self.store.update_user(user_id, changes))

    def add_user(self, **fields) -> int:
        """Create a user (a customer by default); returns its id."""
        with self.store.lock:
            return self.store.add_user(fields)

    def add_organization(self, **fields) -> int:
        """Create an organization; returns its id."""
        with self.store.lock:
            return self.store.add_organization(fields)

    def reindex(self) -> None:
        """Rebuild the indexes after changing :attr:`dataset` directly."""
        self.store.reindex()

    # -- data privacy controls ---------------------------------------------------------

    def tick(self) -> int:
        """Process every data-privacy task in process now; returns how many."""
        with self.store.lock:
            return self.store.tick()

    def fail_next_task(self, error: str = DEFAULT_TASK_ERROR) -> None:
        """Make the next processed task end ``failed`` with ``preferences.error``."""
        with self.store.lock:
            self.store.fail_next_task(error)

    def keep_ticket_on_delete(self, ticket_id: int) -> None:
        """Let a ticket survive deletion, so verification has something to catch."""
        with self.store.lock:
            self.store.keep_ticket_on_delete(ticket_id)
