"""A local Gaug.es-compatible API server for tests and rehearsals.

It follows the contract of gauges-api.md: the ``X-Gauges-Token`` header on every call, JSON
everywhere, ``{"status": "fail", "message": "Authentication required"}`` with 401 and
``{"status": "fail", "message": "Not found"}`` with 404, envelopes per endpoint, ``page`` /
``per_page`` / ``urls.next_page`` pagination on ``content``, ``referrers``, ``terms`` and
``/gauges``, and the date semantics of §4 (``content`` and ``referrers`` answer for one day,
the other stats endpoints for the month containing ``date``). The data is the synthetic site
of :mod:`.synthetic`.

Run it from Python with :func:`running_sandbox` (a thread on 127.0.0.1, random port)::

    with running_sandbox(token="t", per_page=5) as server:
        client = GaugesClient("t", server.url)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import tornado.httpserver
import tornado.netutil
import tornado.web

from mimoto_gov.sandbox.gauges.synthetic import SyntheticSite

STATS = ("traffic", "content", "referrers", "terms", "technology", "resolutions", "engines",
         "locations")  # fmt: skip


@dataclass
class SandboxState:
    """What the sandbox serves and what it has seen."""

    token: str
    site: SyntheticSite
    per_page: int = 50
    today: date = field(default_factory=date.today)
    base_url: str = ""
    # every request: path, query and whether the token header was right
    requests: list[dict] = field(default_factory=list)
    # answer the next N requests with this status (to rehearse retries and outages)
    fail_next: int = 0
    fail_status: int = 503
    # account data the sandbox can serve (staff personal data: never pulled by the client)
    shares: list[dict] = field(
        default_factory=lambda: [
            {
                "id": "5f3a1c2b9d8e7f6a5b4c3d02",
                "type": "user",
                "email": "staff.member@example.com",
                "name": "Staff Member",
                "first_name": "Staff",
                "last_name": "Member",
                "urls": {"remove": ""},
            }
        ]
    )


class _Handler(tornado.web.RequestHandler):
    def initialize(self, state: SandboxState) -> None:
        self.state = state

    def prepare(self) -> None:
        supplied = self.request.headers.get("X-Gauges-Token")
        ok = supplied == self.state.token
        self.state.requests.append(
            {"path": self.request.path, "query": self.request.query, "token_ok": ok}
        )
        if self.state.fail_next > 0:
            self.state.fail_next -= 1
            self.fail(self.state.fail_status, "Temporarily unavailable")
        elif not ok:
            self.fail(401, "Authentication required")

    def fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.reply({"status": "fail", "message": message})

    def reply(self, body) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs) -> None:
        messages = {404: "Not found", 401: "Authentication required"}
        self.reply({"status": "fail", "message": messages.get(status_code, "Server error")})

    def gauge_or_404(self, gauge_id: str) -> bool:
        if gauge_id != self.state.site.gauge_id:
            self.fail(404, "Not found")
            return False
        return True

    def day_param(self) -> date | None:
        raw = self.get_query_argument("date", None)
        if raw is None:
            return self.state.today
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.fail(404, "Not found")
            return None

    def page_param(self) -> int:
        try:
            return max(1, int(self.get_query_argument("page", "1")))
        except ValueError:
            return 1


class _Me(_Handler):
    def get(self) -> None:
        self.reply(
            {
                "user": {
                    "id": self.state.site.gauge["creator_id"],
                    "email": "owner@example.com",
                    "name": "Site Owner",
                    "first_name": "Site",
                    "last_name": "Owner",
                    "urls": {"self": f"{self.state.base_url}/me"},
                }
            }
        )


class _Gauges(_Handler):
    def get(self) -> None:
        page = self.page_param()
        gauges = [self.state.site.gauge_document(self.state.base_url, self.state.today)]
        chunk = gauges[(page - 1) * self.state.per_page : page * self.state.per_page]
        more = page * self.state.per_page < len(gauges)
        link = f"{self.state.base_url}/gauges?page="
        self.reply(
            {
                "gauges": chunk,
                "page": page,
                "per_page": self.state.per_page,
                "urls": {
                    "previous_page": f"{link}{page - 1}" if page > 1 else None,
                    "next_page": f"{link}{page + 1}" if more else None,
                },
            }
        )


class _Gauge(_Handler):
    def get(self, gauge_id: str) -> None:
        if self.gauge_or_404(gauge_id):
            self.reply(
                {"gauge": self.state.site.gauge_document(self.state.base_url, self.state.today)}
            )


class _Stats(_Handler):
    def get(self, gauge_id: str, endpoint: str) -> None:
        if not self.gauge_or_404(gauge_id):
            return
        if endpoint == "shares":
            self.reply({"shares": self.state.shares})
            return
        if endpoint not in STATS:
            self.fail(404, "Not found")
            return
        day = self.day_param()
        if day is None:
            return
        body = self.state.site.document(
            endpoint,
            day,
            base_url=self.state.base_url,
            today=self.state.today,
            page=self.page_param(),
            per_page=self.state.per_page,
        )
        self.reply(body)


class _NotFound(_Handler):
    def get(self, *args) -> None:
        self.fail(404, "Not found")


def make_app(state: SandboxState) -> tornado.web.Application:
    """Return the tornado application serving ``state``."""
    kwargs = {"state": state}
    return tornado.web.Application(
        [
            (r"/me", _Me, kwargs),
            (r"/gauges", _Gauges, kwargs),
            (r"/gauges/([^/]+)", _Gauge, kwargs),
            (r"/gauges/([^/]+)/([a-z_]+)", _Stats, kwargs),
            (r"/(.*)", _NotFound, kwargs),
        ],
        log_function=lambda handler: None,  # quiet: tests and rehearsals read state.requests
    )


@dataclass
class RunningSandbox:
    """A sandbox listening on 127.0.0.1; ``url`` is its API root."""

    url: str
    state: SandboxState


@contextlib.contextmanager
def running_sandbox(
    token: str = "sandbox-token",
    *,
    per_page: int = 50,
    planted: bool = False,
    today: date | None = None,
) -> Iterator[RunningSandbox]:
    """Serve a sandbox in a background thread for the duration of the ``with`` block."""
    state = SandboxState(
        token=token,
        site=SyntheticSite(planted=planted),
        per_page=per_page,
        today=today or date.today(),
    )
    ready = threading.Event()
    holder: dict = {}

    def serve() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(make_app(state))
        server.add_sockets(sockets)
        holder.update(loop=loop, server=server, port=sockets[0].getsockname()[1])
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.stop()
            loop.run_until_complete(server.close_all_connections())
            loop.close()

    thread = threading.Thread(target=serve, name="gauges-sandbox", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the Gaug.es sandbox did not start")
    state.base_url = f"http://127.0.0.1:{holder['port']}"
    try:
        yield RunningSandbox(url=state.base_url, state=state)
    finally:
        holder["loop"].call_soon_threadsafe(holder["loop"].stop)
        thread.join(10)
