"""The Zammad sandbox over real HTTP: the contract of zammad-api.md §9, knobs and helpers."""

from __future__ import annotations

import concurrent.futures
import re
import threading
import time
from argparse import Namespace
from datetime import UTC, datetime, timedelta

import pytest
import requests

from mimoto_gov.cli import main
from mimoto_gov.commands import sandbox as sandbox_command
from mimoto_gov.sandbox.synthetic.dataset import make_dataset
from mimoto_gov.sandbox.zammad.server import Sandbox

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def call(sandbox, path, who="admin", method="GET", **kwargs):
    headers = {"Accept": "application/json"}
    if who:
        headers["Authorization"] = f"Token token={sandbox.tokens[who]}"
    return requests.request(
        method, f"{sandbox.url}/api/v1/{path}", headers=headers, timeout=10, **kwargs
    )


def ok(sandbox, path, who="admin", method="GET", **kwargs):
    response = call(sandbox, path, who, method, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture(scope="module")
def big():
    """A read-only sandbox big enough to show every page-size clamp (1,000+ users and orgs)."""
    with Sandbox(tickets=3100, task_tick_seconds=None) as running:
        for index in range(900):
            running.add_organization(name=f"Extra Organisation {index:03d}")
        yield running


# -- authentication and errors -----------------------------------------------------------


def test_no_credentials_is_403_authentication_required(sandbox):
    response = call(sandbox, "tickets", who=None)
    assert response.status_code == 403
    assert response.json() == {
        "error": "Authentication required",
        "error_human": "Authentication required",
    }
    assert response.headers["X-Failure"] == "Authentication required"


def test_unknown_token_is_401_with_failure_header(sandbox):
    response = requests.get(
        f"{sandbox.url}/api/v1/users/me", headers={"Authorization": "Token token=wrong"}, timeout=5
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "Can't find User for Token",
        "error_human": "Can't find User for Token",
    }
    assert response.headers["X-Failure"] == "Can't find User for Token"
    bearer = requests.get(
        f"{sandbox.url}/api/v1/users/me", headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert bearer.status_code == 401


def test_inactive_token_user_is_401(sandbox):
    sandbox.update_user(sandbox.dataset.personas["agent"], active=False)
    assert call(sandbox, "users/me", "agent").status_code == 401


def test_me_and_response_headers(sandbox):
    response = call(sandbox, "users/me")
    me = response.json()
    assert me["id"] == sandbox.dataset.personas["admin"] and me["role_ids"] == [1, 2]
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-cache, no-store, max-age=0, must-revalidate"
    assert response.headers["Pragma"] == "no-cache" and response.headers["Expires"] == "-1"
    assert "password" not in me


def test_missing_records_are_404_with_zammad_bodies(sandbox):
    for path, model in (
        ("tickets/999999", "Ticket"),
        ("users/999999", "User"),
        ("organizations/999999", "Organization"),
        ("ticket_articles/999999", "Ticket::Article"),
        ("data_privacy_tasks/999999", "DataPrivacyTask"),
    ):
        response = call(sandbox, path)
        assert response.status_code == 404
        message = f"Couldn't find {model} with 'id'=999999"
        assert response.json() == {"error": message, "error_human": message}
    assert call(sandbox, "no_such_thing").status_code == 404


def test_agent_token_lacks_admin_endpoints(sandbox):
    for path in ("ticket_articles", "users", "data_privacy_tasks", "jobs"):
        response = call(sandbox, path, "agent")
        assert response.status_code == 403, path
        assert response.json() == {"error": "Not authorized", "error_human": "Not authorized"}
        assert response.headers["X-Failure"] == "Not authorized"
    assert len(ok(sandbox, "tickets", "agent")) == 60
    email = sandbox.dataset.users[sandbox.dataset.personas["subject"]]["email"]
    assert ok(sandbox, "users/search", "agent", params={"query": email})
    created = call(
        sandbox,
        "data_privacy_tasks",
        "agent",
        "POST",
        json={"deletable_type": "User", "deletable_id": 20},
    )
    assert created.status_code == 403


def test_customer_sees_only_own_and_organisation_tickets(sandbox):
    ds = sandbox.dataset
    me = ds.users[ds.personas["customer"]]
    mine = {
        t["id"]
        for t in ds.tickets.values()
        if t["customer_id"] == me["id"] or t["organization_id"] == me["organization_id"]
    }
    assert {t["id"] for t in ok(sandbox, "tickets", "customer")} == mine
    searched = ok(sandbox, "tickets/search", "customer", params={"query": "*", "per_page": 200})
    assert {t["id"] for t in searched} == mine
    other = next(t for t in ds.tickets.values() if t["id"] not in mine)
    assert call(sandbox, f"tickets/{other['id']}", "customer").status_code == 403
    with_note = next(
        t["id"]
        for t in ds.tickets.values()
        if t["customer_id"] == me["id"] and any(a["internal"] for a in ds.articles_of(t["id"]))
    )
    seen = ok(sandbox, f"ticket_articles/by_ticket/{with_note}", "customer")
    assert seen and not any(a["internal"] for a in seen)
    assert len(seen) < len(ds.articles_of(with_note))
    assert call(sandbox, "users", "customer").status_code == 403


# -- paging ------------------------------------------------------------------------------


def test_ticket_index_clamps_to_100_and_pages_by_clamped_size(big):
    assert len(ok(big, "tickets")) == 100
    first = ok(big, "tickets", params={"per_page": 1000})
    second = ok(big, "tickets", params={"per_page": 1000, "page": 2})
    assert [t["id"] for t in first] == list(range(1, 101))
    assert [t["id"] for t in second] == list(range(101, 201))
    assert [t["id"] for t in ok(big, "tickets", params={"limit": 7, "page": 3})] == list(
        range(15, 22)
    )
    assert ok(big, "tickets", params={"per_page": 0}) == []
    assert ok(big, "tickets", params={"per_page": "abc"}) == []
    assert call(big, "tickets", params={"page": 0}).status_code == 422
    assert "article_ids" not in first[0]


def test_search_defaults_to_50_and_clamps_to_200(big):
    assert len(ok(big, "tickets/search", params={"query": "*"})) == 50
    page1 = ok(big, "tickets/search", params={"query": "*", "per_page": 500})
    page2 = ok(big, "tickets/search", params={"query": "", "per_page": 500, "page": 2})
    assert len(page1) == len(page2) == 200
    both = ok(
        big,
        "tickets/search",
        params={"per_page": 200, "page": 1, "sort_by": "updated_at", "order_by": "desc"},
    )
    assert [t["id"] for t in page1] == [t["id"] for t in both]
    ordered = sorted(big.dataset.tickets.values(), key=lambda t: t["id"])
    ordered.sort(key=lambda t: t["updated_at"], reverse=True)
    assert [t["id"] for t in page2] == [t["id"] for t in ordered[200:400]]


def test_users_index_clamps_to_1000_by_id(big):
    ids = sorted(big.dataset.users)
    assert len(ids) > 1000
    assert [u["id"] for u in ok(big, "users")] == ids[:100]
    assert [u["id"] for u in ok(big, "users", params={"per_page": 5000})] == ids[:1000]
    assert [u["id"] for u in ok(big, "users", params={"per_page": 5000, "page": 2})] == ids[
        1000:2000
    ]


def test_organizations_default_500_max_1000_and_sort(big):
    ids = sorted(big.dataset.organizations)
    assert len(ids) > 1000
    assert [o["id"] for o in ok(big, "organizations")] == ids[:500]
    assert len(ok(big, "organizations", params={"per_page": 5000})) == 1000
    page2 = ok(
        big,
        "organizations",
        params={"per_page": 5000, "page": 2, "sort_by": "id", "order_by": "asc"},
    )
    assert [o["id"] for o in page2] == ids[1000:]
    by_name = ok(
        big, "organizations", params={"sort_by": "name", "order_by": "desc", "per_page": 1000}
    )
    names = [o["name"] for o in by_name]
    assert (
        names
        == sorted((o["name"] for o in big.dataset.organizations.values()), reverse=True)[:1000]
    )
    assert "member_ids" in by_name[0] and "secondary_member_ids" in by_name[0]


def test_article_index_default_500_max_1000_with_attachments(big):
    ids = sorted(big.dataset.articles)
    assert [a["id"] for a in ok(big, "ticket_articles")] == ids[:500]
    page = ok(
        big,
        "ticket_articles",
        params={"per_page": 5000, "page": 3, "sort_by": "id", "order_by": "asc"},
    )
    assert [a["id"] for a in page] == ids[2000:3000]
    with_files = [a for a in page if a["attachments"]]
    assert with_files and all(
        isinstance(f["size"], str) for a in with_files for f in a["attachments"]
    )
    assert "type" not in page[0] and "type_id" in page[0]
    expanded = ok(big, "ticket_articles", params={"per_page": 2, "expand": "true"})
    assert expanded[0]["type"] in ("email", "phone", "web", "note")


def test_sorting_rules(sandbox):
    unknown = call(sandbox, "organizations", params={"sort_by": "nope", "order_by": "asc"})
    assert unknown.status_code == 500
    assert unknown.json() == {"error": "Can't find sort_by column 'nope'"}
    hidden = call(
        sandbox,
        "tickets/search",
        "agent",
        params={"query": "*", "sort_by": "nope", "order_by": "asc"},
    )
    assert hidden.status_code == 500
    assert re.fullmatch(
        r"Error ID \w+: Please contact your administrator\.", hidden.json()["error"]
    )
    assert (
        call(sandbox, "organizations", params={"sort_by": "id", "order_by": "up"}).status_code
        == 500
    )
    unpaired = ok(sandbox, "organizations", params={"sort_by": "name"})
    assert [o["id"] for o in unpaired] == sorted(sandbox.dataset.organizations)
    pairs = ok(
        sandbox,
        "tickets/search",
        params={"query": "*", "sort_by": "state_id,id", "order_by": "asc,desc", "per_page": 200},
    )
    keys = [(t["state_id"], -t["id"]) for t in pairs]
    assert keys == sorted(keys)


# -- search ------------------------------------------------------------------------------


def test_search_response_shapes(sandbox):
    plain = ok(sandbox, "tickets/search", params={"query": "state.name:closed"})
    assert isinstance(plain, list) and plain
    assert all(
        t["article_ids"] == [a["id"] for a in sandbox.dataset.articles_of(t["id"])] for t in plain
    )
    expanded = ok(
        sandbox, "tickets/search", params={"query": "state.name:closed", "expand": "true"}
    )
    assert {t["state"] for t in expanded} == {"closed"} and "customer" in expanded[0]
    full = ok(sandbox, "tickets/search", params={"query": "state.name:closed", "full": "true"})
    assert set(full) == {"record_ids", "assets", "total_count"}
    assert full["record_ids"] == [t["id"] for t in plain]
    assert set(full["assets"]["Ticket"]) == {str(t["id"]) for t in plain}
    assert "User" in full["assets"] and "Group" in full["assets"]
    counted = ok(
        sandbox,
        "tickets/search",
        params={"query": "state.name:closed", "with_total_count": "1", "per_page": 3},
    )
    closed = sum(
        sandbox.dataset.state_name(t["state_id"]) == "closed"
        for t in sandbox.dataset.tickets.values()
    )
    assert len(counted["records"]) == 3 and counted["total_count"] == closed
    assert ok(
        sandbox, "tickets/search", params={"query": "state.name:closed", "only_total_count": "true"}
    ) == {"total_count": closed}
    sandbox.legacy_search = True
    legacy = ok(sandbox, "tickets/search", params={"query": "state.name:closed"})
    assert set(legacy) == {"tickets", "tickets_count", "assets"}
    assert legacy["tickets"] == [t["id"] for t in plain] and legacy["tickets_count"] == closed
    assert isinstance(ok(sandbox, "tickets/search", params={"query": "*", "expand": "true"}), list)


def test_search_fields_match_the_dataset(sandbox):
    ds = sandbox.dataset
    subject = ds.personas["subject"]
    email = ds.users[subject]["email"]

    def ids(query, method="GET"):
        if method == "POST":
            return {
                t["id"]
                for t in ok(
                    sandbox, "tickets/search", method="POST", json={"query": query, "per_page": 200}
                )
            }
        return {
            t["id"] for t in ok(sandbox, "tickets/search", params={"query": query, "per_page": 200})
        }

    own = {t["id"] for t in ds.tickets.values() if t["customer_id"] == subject}
    assert ids(f"customer_id:{subject}") == own
    assert ids(f"customer.email:{email.upper()}") == own
    for field in ("from", "to", "cc"):
        expected = {
            a["ticket_id"]
            for a in ds.articles.values()
            if email.lower() in (a[field] or "").lower()
        }
        assert expected and ids(f"article.{field}:{email}") == expected
    assert ids(f"article.from:*{email}*", "POST") == ids(f"article.from:{email}")
    ticket = ds.tickets[7]
    assert ids(f"number:{ticket['number']}") == {7}
    open_or_new = {
        t["id"] for t in ds.tickets.values() if ds.state_name(t["state_id"]) in ("open", "new")
    }
    assert ids("state.name:(open OR new)") == open_or_new
    assert ids("alert") >= {ds.planted["script_ticket"]}
    assert ids("*") == ids("") == set(ds.tickets)
    partial = email.split("@")[0][:-1]
    assert ids(f"customer.email:{partial}") == set()


def test_condition_search_after_absolute_is_inclusive(sandbox):
    ds = sandbox.dataset
    pivot = sorted(t["updated_at"] for t in ds.tickets.values())[-10]
    body = {
        "condition": {"ticket.updated_at": {"operator": "after (absolute)", "value": pivot}},
        "sort_by": "updated_at,id",
        "order_by": "asc,asc",
        "per_page": 200,
    }
    found = ok(sandbox, "tickets/search", method="POST", json=body)
    assert [t["updated_at"] for t in found] == sorted(t["updated_at"] for t in ds.tickets.values())[
        -10:
    ]
    customer = ds.personas["subject"]
    body = {"condition": {"ticket.customer_id": {"operator": "is", "value": [str(customer)]}}}
    found = ok(sandbox, "tickets/search", method="POST", json=body)
    assert {t["id"] for t in found} == {
        t["id"] for t in ds.tickets.values() if t["customer_id"] == customer
    }


def test_query_dates_expert_conditions_and_form_posts(sandbox):
    ds = sandbox.dataset
    pivot = sorted(t["updated_at"] for t in ds.tickets.values())[-5]
    newer = {t["id"] for t in ds.tickets.values() if t["updated_at"] > pivot}
    found = ok(sandbox, "tickets/search", params={"query": f"updated_at:>{pivot}", "per_page": 200})
    assert {t["id"] for t in found} == newer
    expert = {
        "condition": {
            "operator": "OR",
            "conditions": [
                {"name": "ticket.state_id", "operator": "is", "value": ["1"]},
                {"name": "ticket.state_id", "operator": "is", "value": ["2"]},
            ],
        },
        "per_page": 200,
    }
    found = ok(sandbox, "tickets/search", method="POST", json=expert)
    assert {t["id"] for t in found} == {
        t["id"] for t in ds.tickets.values() if t["state_id"] in (1, 2)
    }
    form = ok(
        sandbox,
        "tickets/search",
        method="POST",
        data={"query": "state.name:closed", "only_total_count": "true"},
    )
    assert form["total_count"] == sum(t["state_id"] == 4 for t in ds.tickets.values())


def test_user_search_is_case_insensitive(sandbox):
    ds = sandbox.dataset
    a, b = ds.personas["duplicate_a"], ds.personas["duplicate_b"]
    email = ds.users[a]["email"]
    for query in (email, email.upper(), f"email:{email.title()}"):
        assert {u["id"] for u in ok(sandbox, "users/search", params={"query": query})} == {a, b}


# -- tickets, articles, attachments, history, tags ---------------------------------------


def test_ticket_show_flags(sandbox):
    ds = sandbox.dataset
    tagged = next(t for t in ds.tickets if ds.tags.get(t))
    bare = ok(sandbox, f"tickets/{tagged}")
    assert bare == ds.tickets[tagged] and STAMP.match(bare["created_at"])
    assert isinstance(bare["number"], str) and "article_ids" not in bare and "state" not in bare
    expanded = ok(sandbox, f"tickets/{tagged}", params={"expand": "true"})
    assert expanded["state"] == ds.state_name(ds.tickets[tagged]["state_id"])
    assert expanded["customer"] == ds.users[ds.tickets[tagged]["customer_id"]]["login"]
    full = ok(sandbox, f"tickets/{tagged}", params={"full": "true"})
    assert full["id"] == tagged and str(tagged) in full["assets"]["Ticket"]
    bundle = ok(sandbox, f"tickets/{tagged}", params={"all": "true"})
    assert bundle["tags"] == ds.tags[tagged]
    assert bundle["ticket_article_ids"] == [a["id"] for a in ds.articles_of(tagged)]
    assert set(bundle["assets"]["TicketArticle"]) == {str(i) for i in bundle["ticket_article_ids"]}


def test_by_ticket_returns_every_article_with_names(sandbox):
    ticket_id = 3
    for index in range(120):
        sandbox.add_article(ticket_id, body=f"follow-up {index}")
    articles = ok(
        sandbox, f"ticket_articles/by_ticket/{ticket_id}", params={"per_page": 10, "page": 2}
    )
    assert len(articles) == len(sandbox.dataset.articles_of(ticket_id)) >= 121
    assert {"type", "sender", "created_by", "attachments"} <= set(articles[0])
    assert [a["id"] for a in articles] == [a["id"] for a in sandbox.dataset.articles_of(ticket_id)]


def test_attachment_download_and_mismatches(sandbox):
    ds = sandbox.dataset
    attachment = next(a for a in ds.attachments.values() if a["content_type"] == "application/pdf")
    t, a, f = attachment["ticket_id"], attachment["article_id"], attachment["id"]
    response = call(sandbox, f"ticket_attachment/{t}/{a}/{f}")
    assert response.status_code == 200 and response.content == attachment["content"]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{attachment["filename"]}"'
    )
    other_ticket = next(x for x in ds.tickets if x != t)
    wrong_ticket = call(sandbox, f"ticket_attachment/{other_ticket}/{a}/{f}")
    assert wrong_ticket.status_code == 403
    assert wrong_ticket.json()["error"] == "The article does not belong to the specified ticket."
    other_article = (
        next(x for x in ds.articles_of(t) if x["id"] != a) if len(ds.articles_of(t)) > 1 else None
    )
    if other_article:
        wrong_file = call(sandbox, f"ticket_attachment/{t}/{other_article['id']}/{f}")
        assert wrong_file.status_code == 403
        assert wrong_file.json()["error"] == "The file does not belong to the specified article."
    assert call(sandbox, f"ticket_attachment/{t}/{a}/999999").status_code == 404


def test_inline_images_are_hidden_and_rewritten(sandbox):
    ds = sandbox.dataset
    article = ds.articles[ds.planted["inline_image_article"]]
    inline = ds.attachments[ds.planted["inline_attachment"]]
    served = next(
        a
        for a in ok(sandbox, f"ticket_articles/by_ticket/{article['ticket_id']}")
        if a["id"] == article["id"]
    )
    assert inline["id"] not in [f["id"] for f in served["attachments"]]
    url = f"/api/v1/ticket_attachment/{article['ticket_id']}/{article['id']}/{inline['id']}"
    assert url in served["body"] and "cid:" not in served["body"]
    image = requests.get(
        sandbox.url + url + "?view=inline",
        headers={"Authorization": f"Token token={sandbox.admin_token}"},
        timeout=5,
    )
    assert image.content == inline["content"] and image.headers["Content-Disposition"].startswith(
        "inline"
    )


def test_history_omits_null_pairs(sandbox):
    ds = sandbox.dataset
    ticket = next(t for t in ds.tickets.values() if ds.state_name(t["state_id"]) == "closed")
    body = ok(sandbox, f"ticket_history/{ticket['id']}")
    assert set(body) == {"history", "assets"}
    history = body["history"]
    assert len(history) == len(ds.ticket_history(ticket["id"]))
    created = next(h for h in history if h["object"] == "Ticket" and h["type"] == "created")
    assert not {"id_from", "id_to", "value_from", "value_to", "related_o_id", "updated_at"} & set(
        created
    )
    state = next(h for h in history if h.get("attribute") == "state")
    assert {"id_from", "id_to", "value_from", "value_to"} <= set(state)
    article = next(h for h in history if h["object"] == "Ticket::Article")
    assert article["related_o_id"] == ticket["id"] and "id_from" not in article
    assert str(ticket["id"]) in body["assets"]["Ticket"]


def test_tags_endpoint(sandbox):
    ds = sandbox.dataset
    tagged = next(t for t in ds.tickets if ds.tags.get(t))
    untagged = next(t for t in ds.tickets if not ds.tags.get(t))
    assert ok(sandbox, "tags", params={"object": "Ticket", "o_id": tagged}) == {
        "tags": ds.tags[tagged]
    }
    assert ok(sandbox, "tags", params={"object": "Ticket", "o_id": untagged}) == {"tags": []}
    assert call(sandbox, "tags", params={"object": "Ticket", "o_id": 999999}).status_code == 404


def test_delete_ticket_endpoint(sandbox):
    assert call(sandbox, "tickets/4", "agent", "DELETE").status_code == 403
    assert ok(sandbox, "tickets/4", method="DELETE") == {}
    assert call(sandbox, "tickets/4").status_code == 404
    assert not sandbox.dataset.articles_of(4)


def test_jobs_and_lookups(sandbox):
    jobs = ok(sandbox, "jobs")
    assert [j["id"] for j in jobs] == sorted(sandbox.dataset.jobs)
    assert [s["name"] for s in ok(sandbox, "ticket_states", "agent")][:4] == [
        "new",
        "open",
        "pending reminder",
        "closed",
    ]
    assert {g["name"] for g in ok(sandbox, "groups", "agent")} == {"Support", "Sales", "Billing"}


def test_html_page_is_not_zammad(sandbox):
    response = requests.get(f"{sandbox.url}/html/login", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text


# -- data privacy tasks ------------------------------------------------------------------


def create_task(sandbox, user_id, **preferences):
    body = {"deletable_type": "User", "deletable_id": user_id}
    if preferences:
        body["preferences"] = preferences
    return call(sandbox, "data_privacy_tasks", method="POST", json=body)


def test_task_lifecycle_deletes_the_user_and_their_tickets(sandbox):
    ds = sandbox.dataset
    subject = ds.personas["subject"]
    own = sorted(
        (t for t in ds.tickets.values() if t["customer_id"] == subject),
        key=lambda t: t["created_at"],
    )
    elsewhere = ds.planted["subject_from_article"]
    sandbox.hold_tasks = True
    response = create_task(sandbox, subject)
    assert response.status_code == 201
    task = response.json()
    assert task["state"] == "in process" and task["deletable_id"] == subject
    preferences = task["preferences"]
    assert preferences["customer_tickets"] == [t["number"] for t in reversed(own)]
    assert preferences["customer_tickets_count"] == len(own)
    user = ds.users[subject]
    assert preferences["user"]["firstname"] == f"{user['firstname'][0]}*{user['firstname'][-1]}"
    assert "@" in preferences["user"]["email"] and user["email"] not in str(preferences)
    assert ok(sandbox, f"data_privacy_tasks/{task['id']}")["state"] == "in process"
    duplicate = create_task(sandbox, subject)
    assert duplicate.status_code == 422
    assert duplicate.json()["error"] == "Selected object is already queued for deletion."
    assert ok(sandbox, "data_privacy_tasks/by_state")["record_ids"]["in_process"] == [task["id"]]
    sandbox.hold_tasks = False
    assert wait_for(lambda: ok(sandbox, f"data_privacy_tasks/{task['id']}")["state"] == "completed")
    assert call(sandbox, f"users/{subject}").status_code == 404
    for ticket in own:
        assert call(sandbox, f"tickets/{ticket['id']}").status_code == 404
    kept = ds.articles[elsewhere]
    assert kept["created_by_id"] == 1 and user["email"] in kept["from"]
    assert ok(sandbox, "data_privacy_tasks/by_state")["record_ids"]["completed"] == [task["id"]]
    assert ok(sandbox, "data_privacy_tasks")[0]["id"] == task["id"]


def test_task_validation_errors(sandbox):
    ds = sandbox.dataset
    for user_id, message in (
        (1, "It is not possible to delete the system user."),
        (ds.personas["admin"], "It is not possible to delete your current account."),
    ):
        response = create_task(sandbox, user_id)
        assert response.status_code == 422 and response.json()["error"] == message
    wrong = call(
        sandbox,
        "data_privacy_tasks",
        method="POST",
        json={"deletable_type": "Group", "deletable_id": 1},
    )
    assert wrong.status_code == 422
    assert (
        wrong.json()["error_human"] == "Data privacy task allows to delete a user or a ticket only."
    )
    missing = call(
        sandbox,
        "data_privacy_tasks",
        method="POST",
        json={"deletable_type": "User", "deletable_id": 999999},
    )
    assert missing.status_code == 422
    other_admin = sandbox.add_token(ds.personas["agent"], {"admin.data_privacy"})
    last_admin = requests.post(
        f"{sandbox.url}/api/v1/data_privacy_tasks",
        json={"deletable_type": "User", "deletable_id": ds.personas["admin"]},
        headers={"Authorization": f"Token token={other_admin}"},
        timeout=5,
    )
    assert last_admin.status_code == 422
    assert (
        last_admin.json()["error"]
        == "It is not possible to delete the last account with admin permissions."
    )


def test_task_preview_caps_ticket_numbers_at_1000(sandbox):
    customer = sandbox.dataset.personas["no_tickets"]
    for index in range(1005):
        sandbox.add_ticket(customer, f"Bulk {index}", articles=0)
    task = create_task(sandbox, customer).json()
    assert task["preferences"]["customer_tickets_count"] == 1005
    numbers = task["preferences"]["customer_tickets"]
    newest = sorted(
        (t for t in sandbox.dataset.tickets.values() if t["customer_id"] == customer),
        key=lambda t: -t["id"],
    )
    assert numbers == [t["number"] for t in newest[:1000]]


def test_deleting_an_agent_repoints_owned_tickets(sandbox):
    agent = 4
    owned = [t["id"] for t in sandbox.dataset.tickets.values() if t["owner_id"] == agent]
    before = {t: sandbox.dataset.tickets[t]["updated_at"] for t in owned}
    assert owned
    create_task(sandbox, agent)
    assert sandbox.tick() == 1 or wait_for(lambda: agent not in sandbox.dataset.users)
    for ticket_id in owned:
        ticket = ok(sandbox, f"tickets/{ticket_id}")
        assert ticket["owner_id"] == 1 and ticket["updated_at"] == before[ticket_id]


def test_delete_organization_needs_the_string_true_and_a_sole_member(sandbox):
    ds = sandbox.dataset
    sole, former = ds.personas["sole_member"], ds.personas["former_member"]
    org = ds.planted["sole_org"]
    former_ticket = next(t["id"] for t in ds.tickets.values() if t["customer_id"] == former)
    sandbox.hold_tasks = True
    task = create_task(sandbox, sole, delete_organization=True).json()  # a JSON boolean is ignored
    sandbox.tick()
    assert ok(sandbox, f"data_privacy_tasks/{task['id']}")["state"] == "completed"
    assert call(sandbox, f"organizations/{org}").status_code == 200
    assert call(sandbox, f"tickets/{former_ticket}").status_code == 200


def test_delete_organization_with_sole_member_deletes_its_tickets(sandbox):
    ds = sandbox.dataset
    sole, former = ds.personas["sole_member"], ds.personas["former_member"]
    org = ds.planted["sole_org"]
    org_tickets = [t["id"] for t in ds.tickets.values() if t["organization_id"] == org]
    former_ticket = next(t["id"] for t in ds.tickets.values() if t["customer_id"] == former)
    assert former_ticket in org_tickets
    task = create_task(sandbox, sole, delete_organization="true").json()
    assert wait_for(lambda: ok(sandbox, f"data_privacy_tasks/{task['id']}")["state"] == "completed")
    assert call(sandbox, f"organizations/{org}").status_code == 404
    assert all(call(sandbox, f"tickets/{t}").status_code == 404 for t in org_tickets)
    assert call(sandbox, f"users/{former}").status_code == 200


def test_delete_organization_keeps_an_organisation_with_other_members(sandbox):
    ds = sandbox.dataset
    member = ds.personas["org_member"]
    org = ds.users[member]["organization_id"]
    others = [
        t["id"]
        for t in ds.tickets.values()
        if t["organization_id"] == org and t["customer_id"] != member
    ]
    create_task(sandbox, member, delete_organization="true")
    assert wait_for(lambda: member not in ds.users)
    assert call(sandbox, f"organizations/{org}").status_code == 200
    assert all(call(sandbox, f"tickets/{t}").status_code == 200 for t in others)


def test_failed_task_keeps_the_user_and_allows_a_retry(sandbox):
    customer = sandbox.dataset.personas["customer"]
    sandbox.hold_tasks = True
    sandbox.fail_next_task()
    first = create_task(sandbox, customer).json()
    sandbox.tick()
    failed = ok(sandbox, f"data_privacy_tasks/{first['id']}")
    assert failed["state"] == "failed"
    assert failed["preferences"]["error"].startswith("ERROR: #<ActiveRecord::InvalidForeignKey")
    assert call(sandbox, f"users/{customer}").status_code == 200
    assert ok(sandbox, "data_privacy_tasks/by_state")["record_ids"]["failed"] == [first["id"]]
    retry = create_task(sandbox, customer)
    assert retry.status_code == 201
    sandbox.tick()
    assert ok(sandbox, f"data_privacy_tasks/{retry.json()['id']}")["state"] == "completed"


def test_kept_ticket_survives_deletion(sandbox):
    ds = sandbox.dataset
    customer = ds.personas["customer"]
    survivor = next(t["id"] for t in ds.tickets.values() if t["customer_id"] == customer)
    sandbox.keep_ticket_on_delete(survivor)
    task = create_task(sandbox, customer).json()
    assert survivor in [int(n) - 31000 for n in task["preferences"]["customer_tickets"]]
    assert wait_for(lambda: customer not in ds.users)
    assert call(sandbox, f"tickets/{survivor}").status_code == 200
    number = ds.tickets[survivor]["number"]
    assert [
        t["id"] for t in ok(sandbox, "tickets/search", params={"query": f"number:{number}"})
    ] == [survivor]


# -- helpers -----------------------------------------------------------------------------


def test_touch_and_add_show_up_in_a_condition_search(sandbox):
    start = datetime.now(UTC) - timedelta(seconds=1)
    sandbox.touch_ticket(5, state="closed", title="Updated title")
    customer = sandbox.dataset.personas["no_tickets"]
    new_id = sandbox.add_ticket(customer, "Brand new ticket", articles=3)
    article_id = sandbox.add_article(
        9,
        body="See attached",
        attachments=[{"filename": "a.txt", "content": b"hello", "content_type": "text/plain"}],
    )
    body = {
        "condition": {
            "ticket.updated_at": {"operator": "after (absolute)", "value": start.isoformat()}
        },
        "sort_by": "id",
        "order_by": "asc",
    }
    found = ok(sandbox, "tickets/search", method="POST", json=body)
    assert [t["id"] for t in found] == [5, 9, new_id]
    touched = found[0]
    assert touched["title"] == "Updated title" and touched["state_id"] == 4 and touched["close_at"]
    assert len(ok(sandbox, f"ticket_articles/by_ticket/{new_id}")) == 3
    created = ok(sandbox, f"tickets/{new_id}", params={"expand": "true"})
    assert created["customer_id"] == customer and created["number"] == str(31000 + new_id)
    served = ok(sandbox, f"ticket_articles/{article_id}")
    assert served["attachments"][0]["size"] == "5"
    history = ok(sandbox, "ticket_history/5")["history"]
    assert history[-1]["attribute"] == "state" and history[-1]["value_to"] == "closed"


def test_delete_and_user_helpers(sandbox):
    sandbox.delete_ticket(6)
    assert call(sandbox, "tickets/6").status_code == 404
    user_id = sandbox.add_user(firstname="Nora", lastname="Quinn", email="nora.quinn@example.net")
    assert [
        u["id"] for u in ok(sandbox, "users/search", params={"query": "NORA.QUINN@example.net"})
    ] == [user_id]
    old = sandbox.dataset.users[10]["updated_at"]
    sandbox.update_user(10, phone="020 7946 0000")
    assert ok(sandbox, "users/10")["phone"] == "020 7946 0000"
    assert ok(sandbox, "users/10")["updated_at"] > old


# -- knobs -------------------------------------------------------------------------------


def test_fault_429_and_500(sandbox):
    sandbox.faults.rate_429 = 1.0
    limited = call(sandbox, "tickets")
    assert limited.status_code == 429 and limited.text == "Retry later\n"
    assert (
        limited.headers["Content-Type"].startswith("text/plain")
        and "Retry-After" not in limited.headers
    )
    sandbox.faults.rate_429, sandbox.faults.rate_500 = 0.0, 1.0
    failed = call(sandbox, "tickets")
    assert (
        failed.status_code == 500 and "Please contact your administrator" in failed.json()["error"]
    )
    sandbox.faults.reset()
    assert call(sandbox, "tickets").status_code == 200
    assert [(r.status, r.fault) for r in sandbox.request_log] == [
        (429, "429"),
        (500, "500"),
        (200, None),
    ]


def test_fault_truncated_and_dropped(sandbox):
    sandbox.faults.rate_truncated = 1.0
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        call(sandbox, "tickets")
    sandbox.faults.rate_truncated, sandbox.faults.rate_drop = 0.0, 1.0
    with pytest.raises(requests.exceptions.ConnectionError):
        call(sandbox, "tickets")
    sandbox.faults.rate_drop = 0.0
    assert call(sandbox, "tickets").status_code == 200
    assert [r.fault for r in sandbox.request_log] == ["truncated", "drop", None]
    assert sandbox.request_log[1].status is None


def test_faults_are_deterministic_and_can_target_paths(sandbox):
    sandbox.faults.rate_500 = 0.5
    sandbox.faults.seed = 11
    first = [call(sandbox, "users/me").status_code for _ in range(12)]
    sandbox.faults.seed = 11
    second = [call(sandbox, "users/me").status_code for _ in range(12)]
    assert first == second and 500 in first and 200 in first
    sandbox.faults.rate_500 = 1.0
    sandbox.faults.match = r"^ticket_attachment/"
    assert call(sandbox, "users/me").status_code == 200
    attachment = next(iter(sandbox.dataset.attachments.values()))
    path = (
        f"ticket_attachment/{attachment['ticket_id']}/{attachment['article_id']}/{attachment['id']}"
    )
    assert call(sandbox, path).status_code == 500


def test_latency_does_not_block_concurrent_requests(sandbox):
    sandbox.faults.latency = 0.3
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: call(sandbox, "users/me").status_code, range(8)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert 0.3 <= elapsed < 1.5


def test_request_log_records_method_path_and_query(sandbox):
    call(sandbox, "tickets", params={"per_page": 5, "page": 2})
    call(sandbox, "tickets/search", method="POST", json={"query": "x"})
    first, second = sandbox.request_log
    assert (first.method, first.path, first.query, first.status) == (
        "GET",
        "/api/v1/tickets",
        {"per_page": "5", "page": "2"},
        200,
    )
    assert second["method"] == "POST" and second.json == {"query": "x"}
    sandbox.clear_log()
    assert sandbox.request_log == []


# -- construction and the command --------------------------------------------------------


def test_tokens_can_be_given_and_are_random_otherwise():
    dataset = make_dataset(tickets=40)
    with Sandbox(dataset, tokens={"admin": "fixed-admin"}, task_tick_seconds=None) as one:
        assert one.admin_token == "fixed-admin" and one.tokens["agent"] != "fixed-admin"
        assert call(one, "users/me").status_code == 200
        assert one.dataset is dataset
    with Sandbox(dataset, task_tick_seconds=None) as two:
        assert two.admin_token != "fixed-admin" and len(two.admin_token) >= 32
    with pytest.raises(ValueError, match="unknown token names"):
        Sandbox(dataset, tokens={"root": "x"})


def test_stop_releases_the_port():
    running = Sandbox(make_dataset(tickets=40), task_tick_seconds=None)
    url = running.start()
    assert running.start() == url
    running.stop()
    running.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/api/v1/users/me", timeout=2)


def test_sandbox_command_prints_url_and_exports(capsys):
    stop = threading.Event()
    args = Namespace(port=0, host="127.0.0.1", seed=7, tickets=40)
    worker = threading.Thread(target=sandbox_command.run, args=(args,), kwargs={"stop": stop})
    worker.start()
    output = ""
    try:
        deadline = time.monotonic() + 20
        while "ZAMMAD_TOKEN=" not in output and time.monotonic() < deadline:
            output += capsys.readouterr().out
            time.sleep(0.02)
        url = re.search(r"export ZAMMAD_URL=(\S+)", output).group(1)
        token = re.search(r"export ZAMMAD_TOKEN=(\S+)", output).group(1)
        me = requests.get(
            f"{url}/api/v1/users/me", headers={"Authorization": f"Token token={token}"}, timeout=5
        )
        assert me.status_code == 200 and me.json()["id"] == 2
    finally:
        stop.set()
        worker.join(20)
    assert not worker.is_alive()
    assert output.startswith(f"Zammad sandbox at {url}")


def test_sandbox_command_rejects_bad_arguments(capsys):
    assert main(["sandbox", "--tickets", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--tickets must be at least 40" in err
    assert main(["sandbox", "--port", "70000"]) == 2
