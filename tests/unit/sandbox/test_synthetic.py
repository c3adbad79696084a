"""The synthetic Zammad dataset: deterministic, believable, and carrying its planted items."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from stdnum import iban, luhn

from mimoto_gov.sandbox.synthetic.dataset import MIN_TICKETS, make_dataset, parse_iso

NOW = datetime(2026, 3, 15, tzinfo=UTC)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
NI = re.compile(r"^(?![DFIQUV])[A-Z](?![DFIOQUV])[A-Z] \d{2} \d{2} \d{2} [A-D]$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")


@pytest.fixture(scope="module")
def ds():
    return make_dataset(seed=7, tickets=300, now=NOW)


def addresses(article):
    return " ".join(article.get(k) or "" for k in ("from", "to", "cc")).lower()


def test_same_arguments_give_identical_data(ds):
    again = make_dataset(seed=7, tickets=300, now=NOW)
    assert again == ds
    other = make_dataset(seed=8, tickets=300, now=NOW)
    assert other.tickets != ds.tickets
    assert [u["email"] for u in other.users.values()] != [u["email"] for u in ds.users.values()]


def test_now_defaults_to_today_midnight_utc():
    built = make_dataset(tickets=MIN_TICKETS)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert built.now == today


def test_too_few_tickets_is_refused():
    with pytest.raises(ValueError, match="at least 40"):
        make_dataset(tickets=10)
    with pytest.raises(ValueError, match="articles_per_ticket"):
        make_dataset(tickets=40, articles_per_ticket=0)


def test_tickets_span_ten_years_with_recent_activity(ds):
    created = [parse_iso(t["created_at"]) for t in ds.tickets.values()]
    assert len(ds.tickets) == 300
    assert min(created) >= NOW - timedelta(days=3660)
    assert max(created) < NOW
    assert min(created) < NOW - timedelta(days=8 * 365)
    recent = [c for c in created if c > NOW - timedelta(days=60)]
    assert len(recent) >= 10
    ids = sorted(ds.tickets)
    assert [ds.tickets[i]["created_at"] for i in ids] == sorted(
        t["created_at"] for t in ds.tickets.values()
    )


def test_records_have_zammad_shapes(ds):
    for ticket in ds.tickets.values():
        assert isinstance(ticket["number"], str) and ticket["number"].isdigit()
        assert STAMP.match(ticket["created_at"]) and STAMP.match(ticket["updated_at"])
        assert ticket["updated_at"] >= ticket["created_at"]
        assert ticket["state_id"] in ds.states and ticket["group_id"] in ds.groups
        if ds.state_name(ticket["state_id"]) in ("closed", "merged"):
            assert STAMP.match(ticket["close_at"])
        assert ticket["article_count"] == len(ds.articles_of(ticket["id"]))
    assert {ds.group_name(t["group_id"]) for t in ds.tickets.values()} == {
        "Support",
        "Sales",
        "Billing",
    }
    assert ds.users[1]["login"] == "-"
    assert ds.users[ds.personas["admin"]]["role_ids"] == [1, 2]
    assert ds.users[ds.personas["agent"]]["group_ids"] == {
        "1": ["full"],
        "2": ["full"],
        "3": ["full"],
    }


def test_articles_mix_channels_and_senders(ds):
    per_ticket = len(ds.articles) / len(ds.tickets)
    assert 2.5 < per_ticket < 4
    assert {a["type"] for a in ds.articles.values()} >= {"email", "phone", "note", "web"}
    assert {a["sender"] for a in ds.articles.values()} == {"Customer", "Agent", "System"}
    assert {a["content_type"] for a in ds.articles.values()} == {"text/plain", "text/html"}
    notes = [a for a in ds.articles.values() if a["type"] == "note"]
    assert notes and all(a["internal"] for a in notes)
    for article in ds.articles.values():
        assert ds.article_types[article["type_id"]]["name"] == article["type"]
        assert ds.article_senders[article["sender_id"]]["name"] == article["sender"]


def test_articles_per_ticket_knob():
    built = make_dataset(tickets=100, now=NOW, articles_per_ticket=6)
    assert 5 < len(built.articles) / len(built.tickets) < 7.5


def test_attachments_are_small_real_files(ds):
    assert len(ds.attachments) >= 20
    kinds = {a["content_type"] for a in ds.attachments.values()}
    assert kinds == {"text/plain", "application/pdf", "image/png"}
    for attachment in ds.attachments.values():
        assert attachment["size"] == len(attachment["content"]) < 4000
        article = ds.articles[attachment["article_id"]]
        assert article["ticket_id"] == attachment["ticket_id"]
        if attachment["content_type"] == "image/png":
            assert attachment["content"].startswith(b"\x89PNG\r\n\x1a\n")
        if attachment["content_type"] == "application/pdf":
            assert attachment["content"].startswith(b"%PDF-") and b"%%EOF" in attachment["content"]


def test_hostile_text_is_planted(ds):
    assert ds.tickets[ds.planted["script_ticket"]]["title"] == "<script>alert(1)</script>"
    onerror = ds.articles[ds.planted["onerror_article"]]
    assert "<img src=x onerror=alert(1)>" in onerror["body"]
    assert onerror["content_type"] == "text/html"
    assert ds.articles[ds.planted["formula_article"]]["subject"].startswith("=HYPERLINK(")
    assert ds.tickets[ds.planted["formula_ticket"]]["title"].startswith("=HYPERLINK(")
    assert ds.users[ds.planted["formula_user"]]["lastname"].startswith("@")
    inline = ds.articles[ds.planted["inline_image_article"]]
    attachment = ds.attachments[ds.planted["inline_attachment"]]
    assert f"cid:{attachment['preferences']['Content-ID']}" in inline["body"]


def test_planted_personal_data_is_valid_and_in_the_bodies(ds):
    kinds = {p.kind for p in ds.pii}
    assert kinds == {"card", "ni", "iban", "phone", "postcode"}
    for kind in ("card", "ni", "iban", "phone", "postcode"):
        assert sum(p.kind == kind for p in ds.pii) >= 2
        assert ds.planted[f"{kind}_article"] in {p.article_id for p in ds.pii if p.kind == kind}
    for item in ds.pii:
        article = ds.articles[item.article_id]
        assert article["ticket_id"] == item.ticket_id
        assert item.value in article["body"] or item.value in article["body"].replace("&#x27;", "'")
        compact = item.value.replace(" ", "")
        if item.kind == "card":
            assert len(compact) == 16 and luhn.is_valid(compact)
        elif item.kind == "ni":
            assert NI.match(item.value) and item.value[:2] not in {
                "BG",
                "GB",
                "NK",
                "KN",
                "TN",
                "NT",
                "ZZ",
            }
        elif item.kind == "iban":
            assert compact.startswith("GB") and iban.is_valid(compact)
        elif item.kind == "phone":
            assert phonenumbers.is_possible_number(phonenumbers.parse(item.value, "GB"))
        else:
            assert POSTCODE.match(item.value)


def test_subject_persona(ds):
    subject = ds.personas["subject"]
    email = ds.users[subject]["email"].lower()
    own = [t for t in ds.tickets.values() if t["customer_id"] == subject]
    assert len(own) >= 3
    elsewhere = [
        a
        for a in ds.articles.values()
        if ds.tickets[a["ticket_id"]]["customer_id"] != subject and email in addresses(a)
    ]
    assert len(elsewhere) >= 2
    assert len({a["ticket_id"] for a in elsewhere}) >= 2
    for key, field in (
        ("subject_from_article", "from"),
        ("subject_to_article", "to"),
        ("subject_cc_article", "cc"),
    ):
        assert email in (ds.articles[ds.planted[key]][field] or "").lower()
    mention = ds.articles[ds.planted["subject_mention_article"]]
    assert ds.users[subject]["lastname"] in mention["body"] and email not in addresses(mention)
    own_ids = {t["id"] for t in own}
    assert any(a["ticket_id"] in own_ids for a in ds.attachments.values())


def test_organisation_personas(ds):
    sole = ds.personas["sole_member"]
    org = ds.users[sole]["organization_id"]
    assert org == ds.planted["sole_org"]
    assert [u["id"] for u in ds.users.values() if u["organization_id"] == org] == [sole]
    org_tickets = [t for t in ds.tickets.values() if t["organization_id"] == org]
    customers = {t["customer_id"] for t in org_tickets}
    assert len(org_tickets) == 3 and customers == {sole, ds.personas["former_member"]}
    member = ds.personas["org_member"]
    shared = ds.users[member]["organization_id"]
    assert sum(u["organization_id"] == shared for u in ds.users.values()) >= 2
    assert any(t["customer_id"] == member for t in ds.tickets.values())


def test_dormant_empty_and_duplicate_customers(ds):
    five_years_ago = (NOW - timedelta(days=5 * 365)).isoformat()
    for name, user_id in ds.personas.items():
        if name.startswith("dormant"):
            tickets = [t for t in ds.tickets.values() if t["customer_id"] == user_id]
            assert tickets and max(t["updated_at"] for t in tickets) < five_years_ago
            assert ds.users[user_id]["last_login"] is None
            assert ds.users[user_id]["updated_at"] < five_years_ago
        if name.startswith("no_tickets"):
            assert not any(t["customer_id"] == user_id for t in ds.tickets.values())
    assert any(not ds.users[u]["active"] for n, u in ds.personas.items() if n.startswith("dormant"))
    a, b = ds.users[ds.personas["duplicate_a"]], ds.users[ds.personas["duplicate_b"]]
    assert a["email"] != b["email"] and a["email"].lower() == b["email"].lower()
    assert a["login"] != b["login"]
    assert {u["id"] for u in ds.user_by_email(a["email"].upper())} == {a["id"], b["id"]}


def test_emails_and_logins_are_unique_apart_from_the_planted_pair(ds):
    logins = [u["login"] for u in ds.users.values()]
    assert len(logins) == len(set(logins))
    emails = [u["email"].lower() for u in ds.users.values() if u["email"]]
    assert len(emails) - len(set(emails)) == 1


def test_history_lists_ticket_and_article_events(ds):
    ticket = next(t for t in ds.tickets.values() if ds.state_name(t["state_id"]) == "closed")
    history = ds.ticket_history(ticket["id"])
    assert [h["created_at"] for h in history] == sorted(h["created_at"] for h in history)
    assert history[0]["type"] == "created" or history[0]["created_at"] == ticket["created_at"]
    article_entries = [h for h in history if h["object"] == "Ticket::Article"]
    assert {h["o_id"] for h in article_entries} == {a["id"] for a in ds.articles_of(ticket["id"])}
    assert all(h["related_o_id"] == ticket["id"] for h in article_entries)
    closing = [h for h in history if h["attribute"] == "state" and h["value_to"] == "closed"]
    assert closing and closing[0]["id_to"] == 4


def test_tags_and_jobs(ds):
    tagged = [t for t in ds.tags.values() if t]
    assert len(tagged) > len(ds.tickets) / 4
    assert all(isinstance(tag, str) for tags in tagged for tag in tags)
    assert ds.jobs and all(
        "data_privacy_deletion_task" not in str(j["perform"]) for j in ds.jobs.values()
    )
