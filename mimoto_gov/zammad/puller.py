"""The fetching half of a pull: listings drained with progress bars, some side by side.

:class:`Puller` talks to Zammad through a :class:`~mimoto_gov.zammad.client.ZammadClient` and
returns raw records; :mod:`mimoto_gov.zammad.pull_steps` decides what to fetch and
:mod:`mimoto_gov.zammad.sync` writes the snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from mimoto_gov.errors import NotFound, PermissionDenied
from mimoto_gov.support.progress import progress
from mimoto_gov.zammad.client import ZammadClient

WORKERS = 4


class _Stopped(Exception):
    """A listing gave up because another one running beside it failed."""


class Puller:
    """One pull's fetching: talks to Zammad, returns raw records, counts nothing itself."""

    def __init__(self, client: ZammadClient, show_progress: bool | None):
        self.client = client
        self.show_progress = show_progress
        self.server_start: datetime | None = None
        self.fetched_users = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # While listings run side by side (together) they share one bar: bars on lines below
        # the first leave blank lines behind on the terminal when they close.
        self._shared = None
        self._running: list[str] = []

    def _bar(self, **kwargs):
        # Always on the cursor's line, one at a time; cleared when done (progress: leave=False).
        if self.show_progress is not None:
            kwargs["disable"] = not self.show_progress
        return progress(**kwargs)

    @contextmanager
    def _counter(self, what: str) -> Iterator[Callable[[], None]]:
        """Yield a function counting one record of the listing ``what`` on a progress bar.

        Inside :meth:`together` the listings count on the shared bar, whose label names the
        listings still running; otherwise the listing has a bar of its own.
        """
        shared = self._shared
        if shared is None:
            with self._bar(desc=what, unit=f" {what}") as bar:
                yield bar.update
            return

        def label() -> None:
            running = ", ".join(self._running)
            shared.set_description_str(f"listing {running}" if running else "listed")

        def count() -> None:
            with self._lock:
                shared.update()

        with self._lock:
            self._running.append(what)
            label()
        try:
            yield count
        finally:
            with self._lock:
                self._running.remove(what)
                label()

    def _note_start(self) -> None:
        # Zammad's clock at its first answer: changes made while this pull runs are newer
        # than this, whatever the local clock says.
        date = self.client.server_date
        with self._lock:
            if date is not None and (self.server_start is None or date < self.server_start):
                self.server_start = date

    def listing(self, records: Iterable[dict], what: str) -> list[dict]:
        """Drain a paginated listing into a list, with a progress bar on a terminal."""
        rows = []
        with self._counter(what) as count:
            for record in records:
                if not rows:
                    self._note_start()
                if self._stop.is_set():
                    raise _Stopped
                rows.append(record)
                count()
        self._note_start()
        return rows

    def together(self, **jobs: Callable[[], Any]) -> dict[str, Any]:
        """Run independent listings at the same time; the first failure stops the others."""
        results: dict[str, Any] = {}
        bar = self._bar(desc="listing", unit=" records")
        self._shared, self._running = bar, []
        pool = ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="zammad-list")
        try:
            futures = {pool.submit(job): name for name, job in jobs.items()}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    if future.exception() is not None and not isinstance(
                        future.exception(), _Stopped
                    ):
                        self._stop.set()
                        raise future.exception()
                    results[futures[future]] = future.result()
        finally:
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self._stop.clear()
            self._shared = None
            bar.close()
        return results

    def articles_of(self, ticket_ids: list[int]) -> tuple[dict[int, list[dict]], set[int]]:
        """Articles of each ticket (a few threads); also the tickets Zammad no longer has."""
        found: dict[int, list[dict]] = {}
        gone: set[int] = set()
        if not ticket_ids:
            return found, gone

        def fetch(ticket_id: int) -> tuple[int, list[dict] | None]:
            try:
                return ticket_id, self.client.articles_by_ticket(ticket_id)
            except NotFound:
                return ticket_id, None

        pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="zammad-articles")
        try:
            with self._bar(total=len(ticket_ids), desc="articles", unit=" tickets") as bar:
                pending = {pool.submit(fetch, ticket_id) for ticket_id in ticket_ids}
                while pending:
                    done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for future in done:
                        ticket_id, articles = future.result()  # re-raises a failure
                        if articles is None:
                            gone.add(ticket_id)
                        else:
                            found[ticket_id] = articles
                        bar.update()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return found, gone

    def users(self) -> tuple[list[dict], str]:
        """Every user: the admin list, else (an agent token) a blank search by id."""
        try:
            return self.listing(self.client.iter_users(), "users"), "list"
        except PermissionDenied:
            search = self.client.search_users(None, sort_by="id", order_by="asc")
            return self.listing(search, "users"), "search"
