"""The Zammad client against the sandbox over real HTTP (and one tiny local server)."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from mimoto_gov.errors import (
    AuthError,
    ConfigError,
    NotFound,
    NotZammad,
    PermissionDenied,
    ServerError,
    TaskTimeout,
    Unreachable,
    ZammadError,
)
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.settings import load_settings
from mimoto_gov.zammad.client import ZammadClient, client_from_settings

FAST = {"backoff": 0.001}


@pytest.fixture(scope="module")
def server():
    with Sandbox(tickets=260, seed=11) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(server):
    server.faults.rate_429 = server.faults.rate_500 = 0
    server.faults.rate_truncated = server.faults.rate_drop = 0
    server.clear_log()
    yield server
    server.faults.rate_429 = server.faults.rate_500 = 0
    server.faults.rate_truncated = server.faults.rate_drop = 0


@pytest.fixture
def admin(sandbox):
    with ZammadClient(sandbox.url, sandbox.admin_token, **FAST) as client:
        yield client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- paging ----------------------------------------------------------------------------------


def test_tickets_arrive_whole_through_the_100_clamp(sandbox, admin):
    tickets = list(admin.iter_tickets())
    assert sorted(t["id"] for t in tickets) == sorted(sandbox.dataset.tickets)
    pages = [r for r in sandbox.request_log if r.path.endswith("/tickets")]
    # 260 tickets: pages of 100, 100, 60 and no extra request.
    assert len(pages) == 3
    assert admin.request_count == 3


def test_asking_for_more_than_the_maximum_still_pages_by_the_clamped_size(sandbox, admin):
    tickets = list(admin.iter_pages("tickets", per_page=1000))
    assert len({t["id"] for t in tickets}) == len(sandbox.dataset.tickets) == len(tickets)


def test_expanded_tickets_carry_names_and_string_numbers(sandbox, admin):
    ticket = next(admin.iter_tickets())
    expected = sandbox.dataset.tickets[ticket["id"]]
    assert isinstance(ticket["number"], str) and ticket["number"] == expected["number"]
    assert ticket["state"] == sandbox.dataset.state_name(expected["state_id"])


def test_users_organizations_and_the_article_index_are_complete(sandbox, admin):
    assert {u["id"] for u in admin.iter_users()} == set(sandbox.dataset.users)
    assert {o["id"] for o in admin.iter_organizations()} == set(sandbox.dataset.organizations)
    assert {a["id"] for a in admin.iter_articles()} == set(sandbox.dataset.articles)


def test_articles_by_ticket_match_the_index(sandbox, admin):
    ticket_id = next(iter(sandbox.dataset.tickets))
    by_ticket = admin.articles_by_ticket(ticket_id)
    expected = sorted(a["id"] for a in sandbox.dataset.articles_of(ticket_id))
    assert sorted(a["id"] for a in by_ticket) == expected
    assert all(a["ticket_id"] == ticket_id for a in by_ticket)


def test_condition_search_finds_recent_tickets_in_updated_order(sandbox, admin):
    tickets = sandbox.dataset.tickets.values()
    cutoff = sorted(t["updated_at"] for t in tickets)[-30]
    condition = {"ticket.updated_at": {"operator": "after (absolute)", "value": cutoff}}
    found = list(
        admin.search_tickets(condition=condition, sort_by="updated_at,id", order_by="asc,asc")
    )
    expected = {t["id"] for t in tickets if t["updated_at"] >= cutoff}
    assert {t["id"] for t in found} == expected
    stamps = [t["updated_at"] for t in found]
    assert stamps == sorted(stamps)


def test_a_blank_search_pages_through_everything_at_200(sandbox, admin):
    found = list(admin.search_tickets(query=""))
    assert {t["id"] for t in found} == set(sandbox.dataset.tickets)
    assert len(found) == len(sandbox.dataset.tickets)


@pytest.mark.parametrize("flags", [{}, {"full": "true"}, {"with_total_count": "true"}])
def test_every_search_response_shape_gives_the_same_tickets(sandbox, admin, flags):
    params = {"query": "", **flags}
    found = list(admin.iter_pages("tickets/search", per_page=200, params=params))
    assert sorted(t["id"] for t in found) == sorted(sandbox.dataset.tickets)
    assert all("title" in t for t in found)


def test_the_legacy_search_shape_is_understood():
    with (
        Sandbox(tickets=60, seed=3, legacy_search=True) as legacy,
        ZammadClient(legacy.url, legacy.admin_token, **FAST) as client,
    ):
        found = list(client.search_tickets(query=""))
        full = list(client.iter_pages("tickets/search", per_page=200, params={"query": ""}))
        assert sorted(t["id"] for t in found) == sorted(legacy.dataset.tickets)
        assert sorted(t["id"] for t in full) == sorted(legacy.dataset.tickets)


def test_a_server_that_ignores_paging_cannot_loop_forever(sandbox, admin):
    ticket_id = max(sandbox.dataset.articles_of(t) and t for t in sandbox.dataset.tickets)
    expected = sorted(a["id"] for a in sandbox.dataset.articles_of(ticket_id))
    # by_ticket answers every article whatever page is asked for
    found = list(admin.iter_pages(f"ticket_articles/by_ticket/{ticket_id}", per_page=1))
    assert sorted(a["id"] for a in found) == expected
    assert admin.request_count == 2  # the second page brought nothing new: stop


def test_users_can_be_searched_by_field(sandbox, admin):
    user = sandbox.dataset.users[sandbox.dataset.personas["subject"]]
    found = list(admin.search_users(f"email:{user['email']}"))
    assert [u["id"] for u in found] == [user["id"]]
    assert "roles" not in found[0]  # as /users renders them: ids, no names


# -- errors -----------------------------------------------------------------------------------


def test_a_bad_token_is_an_auth_error_that_does_not_show_the_token(sandbox):
    token = "not-a-real-token-abc123"
    with ZammadClient(sandbox.url, token, **FAST) as client, pytest.raises(AuthError) as caught:
        client.me()
    message = str(caught.value)
    assert message.startswith("Zammad refused the token (401: Can't find User for Token)")
    assert "ZAMMAD_TOKEN" in message
    assert token not in message
    assert client.request_count == 1  # not retried


def test_no_token_at_all_is_an_auth_error(sandbox):
    with ZammadClient(sandbox.url, "", **FAST) as client:
        client.session.headers.pop("Authorization")
        with pytest.raises(AuthError, match="Authentication required"):
            client.me()


def test_an_agent_may_not_read_the_article_index(sandbox):
    with (
        ZammadClient(sandbox.url, sandbox.tokens["agent"], **FAST) as client,
        pytest.raises(PermissionDenied) as caught,
    ):
        list(client.iter_articles())
    assert "admin" in str(caught.value)
    assert "/api/v1/ticket_articles" in str(caught.value)
    assert sandbox.tokens["agent"] not in str(caught.value)


def test_a_missing_ticket_is_not_found(admin):
    with pytest.raises(NotFound, match="999999"):
        admin.ticket(999999)


def test_a_url_answering_html_is_not_zammad(sandbox):
    with (
        ZammadClient(sandbox.url + "/html", sandbox.admin_token, **FAST) as client,
        pytest.raises(NotZammad, match="does not look like Zammad's REST API"),
    ):
        client.me()


def test_a_closed_port_is_unreachable_at_once():
    port = closed_port()
    started = time.monotonic()
    with (
        ZammadClient(f"http://127.0.0.1:{port}", "secret-token") as client,
        pytest.raises(Unreachable) as caught,
    ):
        client.me()
    assert time.monotonic() - started < 3
    assert str(caught.value).startswith(f"cannot reach Zammad at http://127.0.0.1:{port}")
    assert "secret-token" not in str(caught.value)


def test_settings_must_name_url_and_token():
    with pytest.raises(ConfigError, match="ZAMMAD_URL"):
        client_from_settings(load_settings(env={}))
    with pytest.raises(ConfigError, match="ZAMMAD_TOKEN"):
        client_from_settings(load_settings(env={"ZAMMAD_URL": "https://desk.example.com"}))
    client = client_from_settings(
        load_settings(env={"ZAMMAD_URL": "https://desk.example.com/api/v1/", "ZAMMAD_TOKEN": "t"})
    )
    assert client.api_url == "https://desk.example.com/api/v1"
    assert client.session.headers["Authorization"] == "Token token=t"
    assert client.session.headers["Accept"] == "application/json"


# -- retries ----------------------------------------------------------------------------------


def test_throttling_and_server_errors_are_retried(sandbox, admin):
    sandbox.faults.seed = 3
    sandbox.faults.rate_429 = 0.3
    sandbox.faults.rate_500 = 0.2
    tickets = list(admin.iter_tickets())
    assert sorted(t["id"] for t in tickets) == sorted(sandbox.dataset.tickets)
    statuses = [r.status for r in sandbox.request_log]
    assert 429 in statuses or 500 in statuses
    assert admin.request_count == len(sandbox.request_log) > 3


def test_truncated_and_dropped_answers_are_retried(sandbox, admin):
    sandbox.faults.seed = 3
    sandbox.faults.rate_truncated = 0.3
    sandbox.faults.rate_drop = 0.2
    articles = list(admin.iter_articles())
    assert sorted(a["id"] for a in articles) == sorted(sandbox.dataset.articles)
    assert {r.fault for r in sandbox.request_log} - {None}
    assert admin.request_count == len(sandbox.request_log) > 1


def test_retries_run_out_with_a_clear_error(sandbox):
    sandbox.faults.rate_429 = 1.0
    with (
        ZammadClient(sandbox.url, sandbox.admin_token, max_retries=2, **FAST) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.me()
    assert caught.value.status == 429
    assert "gave up after 3 attempts" in str(caught.value)
    assert client.request_count == 3


def test_a_deletion_task_is_not_repeated_after_a_server_error(sandbox):
    sandbox.faults.rate_500 = 1.0
    user_id = sandbox.dataset.personas["org_member"]
    with (
        ZammadClient(sandbox.url, sandbox.admin_token, **FAST) as client,
        pytest.raises(ServerError),
    ):
        client.create_deletion_task(user_id)
    assert client.request_count == 1


class _RetryAfterHandler(http.server.BaseHTTPRequestHandler):
    """Answers 503 with ``Retry-After: 1`` once, then JSON."""

    calls: list[float] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.calls.append(time.monotonic())
        if len(self.calls) == 1:
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>busy</html>")
            return
        body = b'{"id": 1, "login": "-"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_retry_after_header_is_honoured():
    _RetryAfterHandler.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RetryAfterHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with ZammadClient(url, "t", **FAST) as client:
            assert client.me()["id"] == 1
    finally:
        server.shutdown()
        server.server_close()
    first, second = _RetryAfterHandler.calls
    assert second - first >= 0.9


# -- other reads and writes -------------------------------------------------------------------


def test_history_tags_and_attachment_downloads(sandbox, admin):
    ds = sandbox.dataset
    ticket_id = next(t for t in ds.tags if ds.tags[t])
    assert admin.ticket_tags(ticket_id) == ds.tags[ticket_id]
    history = admin.ticket_history(ticket_id)
    assert history and all(entry["o_id"] for entry in history)
    attachment = next(iter(ds.attachments.values()))
    content = admin.download_attachment(
        attachment["ticket_id"], attachment["article_id"], attachment["id"]
    )
    assert content == attachment["content"]


def test_schedulers_are_listed(admin):
    jobs = admin.jobs()
    assert isinstance(jobs, list) and jobs
    assert all("perform" in job for job in jobs)


def test_deleting_a_ticket_and_a_user():
    with (
        Sandbox(tickets=60, seed=5, task_tick_seconds=0.1) as sandbox,
        ZammadClient(sandbox.url, sandbox.admin_token, **FAST) as client,
    ):
        ticket_id = max(sandbox.dataset.tickets)
        client.delete_ticket(ticket_id)
        with pytest.raises(NotFound):
            client.ticket(ticket_id)
        with pytest.raises(NotFound):
            client.delete_ticket(ticket_id)  # never existed (any more) on the first attempt

        user_id = sandbox.dataset.personas["org_member"]
        task = client.create_deletion_task(user_id)
        assert task["state"] == "in process"
        with pytest.raises(ZammadError, match="already queued"):
            client.create_deletion_task(user_id)
        done = client.wait_for_task(task["id"], timeout=30, interval=0.2)
        assert done["state"] == "completed"
        with pytest.raises(NotFound):
            client.user(user_id)


def test_a_task_that_does_not_finish_or_fails():
    with (
        Sandbox(tickets=60, seed=6, task_tick_seconds=0.1) as sandbox,
        ZammadClient(sandbox.url, sandbox.admin_token, **FAST) as client,
    ):
        sandbox.hold_tasks = True
        task = client.create_deletion_task(sandbox.dataset.personas["org_member"])
        with pytest.raises(TaskTimeout, match="still 'in process'"):
            client.wait_for_task(task["id"], timeout=0.3, interval=0.1)
        sandbox.fail_next_task()
        sandbox.hold_tasks = False
        done = client.wait_for_task(task["id"], timeout=30, interval=0.1)
        assert done["state"] == "failed"
        assert done["preferences"]["error"]
