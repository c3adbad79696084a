"""Gathering one person from hand-made snapshot frames (the sandbox tests are in test_sar)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mimoto_gov.errors import InputError
from mimoto_gov.inventory import frame
from mimoto_gov.subject import find_subject, normalise_email, parse_addresses


def ts(text):
    return pd.Timestamp(text, tz="UTC")


def frames(typed=True):
    users = pd.DataFrame(
        [
            # the subject: two accounts, one matched by email case, one by login only
            dict(id=1, login="alice@example.com", email="Alice@Example.COM", firstname="Alice",
                 lastname="Able", phone="+44 7700 900123", mobile=None, organization_id=10),
            dict(id=2, login="a.able@work.example", email=None, firstname="Alice",
                 lastname="Able", phone=None, mobile=None, organization_id=None),
            dict(id=3, login="bob@example.com", email="bob@example.com", firstname="Bob",
                 lastname="Baker", phone=None, mobile=None, organization_id=11),
            dict(id=4, login="malice@example.com", email="malice@example.com", firstname="Mal",
                 lastname="Ice", phone=None, mobile=None, organization_id=10),
        ]
    )  # fmt: skip
    # newer Zammad lists secondary organisations; the snapshot keeps nested values as JSON
    users["organization_ids"] = ["[10]", "[12]", None, None]
    organizations = pd.DataFrame(
        [dict(id=10, name="Able Ltd"), dict(id=11, name="Baker plc"), dict(id=12, name="Other")]
    )
    tickets = pd.DataFrame(
        [
            dict(id=100, number="1100", title="Alice's printer", customer_id=1,
                 created_at=ts("2024-01-01")),
            dict(id=101, number="1101", title="Work laptop", customer_id=2,
                 created_at=ts("2024-02-01")),
            dict(id=200, number="1200", title="Bob's order", customer_id=3,
                 created_at=ts("2024-03-01")),
            dict(id=201, number="1201", title="Bob again", customer_id=3,
                 created_at=ts("2024-04-01")),
            dict(id=300, number="1300", title="Malice", customer_id=4,
                 created_at=ts("2024-05-01")),
        ]
    )  # fmt: skip
    articles = pd.DataFrame(
        [
            # alice's own tickets: every article, named or not
            dict(id=1, ticket_id=100, **{"from": "Alice Able <alice@example.com>"},
                 to="support@mimoto.co.uk", cc=None, subject="Printer",
                 body="Call me on 07700 900123 or my colleague Carol on 020 7946 0018.",
                 content_type="text/plain", internal=False, created_at=ts("2024-01-01 10:00")),
            dict(id=2, ticket_id=100, **{"from": "Agent Smith"}, to="", cc="",
                 subject="note", body="Spoke to carol@able.example about it.",
                 content_type="text/plain", internal=True, created_at=ts("2024-01-02 10:00")),
            dict(id=3, ticket_id=101, **{"from": "a.able@work.example"}, to="support@mimoto.co.uk",
                 cc=np.nan, subject="Laptop", body="<p>Hello</p>", content_type="text/html",
                 internal=False, created_at=ts("2024-02-01 10:00")),
            # bob's tickets: alice copied in with odd formatting on one, named in to on another
            dict(id=4, ticket_id=200, **{"from": "Bob <bob@example.com>"},
                 to="support@mimoto.co.uk",
                 cc='"Able, Alice" <ALICE@example.com>; dave@example.com',
                 subject="Order", body="Order 12345678", content_type="text/plain",
                 internal=False, created_at=ts("2024-03-01 10:00")),
            dict(id=5, ticket_id=200, **{"from": "support@mimoto.co.uk"}, to="bob@example.com",
                 cc=None, subject="Re: Order", body="Done", content_type="text/plain",
                 internal=False, created_at=ts("2024-03-02 10:00")),
            dict(id=6, ticket_id=201, **{"from": "bob@example.com"},
                 to="alice@example.com,support@mimoto.co.uk", cc=None, subject="FYI",
                 body="See attached", content_type="text/plain", internal=False,
                 created_at=ts("2024-04-01 10:00")),
            # her address in the text of someone else's ticket names her too
            dict(id=8, ticket_id=201, **{"from": "bob@example.com"}, to="support@mimoto.co.uk",
                 cc=None, subject="Fwd", body="Forwarding the note from ALICE@example.com.",
                 content_type="text/plain", internal=False, created_at=ts("2024-04-02 10:00")),
            # her phone and name without her address: only possibly her
            dict(id=9, ticket_id=200, **{"from": "Agent Smith"}, to="", cc="",
                 subject="call", body="Alice Able rang from +44 (0)7700-900-123.",
                 content_type="text/plain", internal=True, created_at=ts("2024-03-03 10:00")),
            # look-alike addresses must not match
            dict(id=7, ticket_id=300, **{"from": "malice@example.com"},
                 to="alice@example.com.evil, xalice@example.com", cc="", subject="x", body="x",
                 content_type="text/plain", internal=False, created_at=ts("2024-05-01 10:00")),
        ]
    )  # fmt: skip
    articles["sender"] = ["Customer", "Agent", "Customer", "Customer", "Agent", "Customer"] + [
        "Customer",
        "Agent",
        "x",
    ]
    attachments = pd.DataFrame(
        [
            dict(id=50, article_id=1, ticket_id=100, filename="photo.jpg", size=2048,
                 content_type="image/jpeg"),
            dict(id=51, article_id=6, ticket_id=201, filename="list.csv", size=100,
                 content_type="text/csv"),
            dict(id=52, article_id=5, ticket_id=200, filename="bob.pdf", size=10,
                 content_type="application/pdf"),
        ]
    )  # fmt: skip
    raw = dict(
        users=users,
        organizations=organizations,
        tickets=tickets,
        articles=articles,
        attachments=attachments,
    )
    if typed:  # as the snapshot loads them: nullable Int64 ids, string text, boolean flags
        raw = {table: frame(table, df) for table, df in raw.items()}
    return SimpleNamespace(**raw, snapshot_time=ts("2024-06-01"))


@pytest.fixture(params=[True, False], ids=["typed", "plain"])
def inventory(request):
    return frames(typed=request.param)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Alice Able <Alice@Example.com>", {"alice@example.com"}),
        ("a@b.com, C <c@d.org>", {"a@b.com", "c@d.org"}),
        ('"Smith, John" <j@x.co.uk>, k@x.co.uk', {"j@x.co.uk", "k@x.co.uk"}),
        ("x@y.com; z@w.com", {"x@y.com", "z@w.com"}),
        ("<bob@example.com>", {"bob@example.com"}),
        ("Christopher Miller", set()),
        ("", set()),
        (None, set()),
        (np.nan, set()),
    ],
)
def test_parse_addresses(value, expected):
    assert parse_addresses(value) == expected


def test_normalise_email_refuses_non_addresses():
    assert normalise_email("  Bob@Example.COM ") == "bob@example.com"
    with pytest.raises(InputError, match="not an email address"):
        normalise_email("bob.example.com")


def test_find_subject_gathers_everything_and_nothing_else(inventory):
    found = find_subject(
        inventory,
        ["alice@EXAMPLE.com", "a.able@work.example"],
        user_ids={2: "her work account: she signed in with it, confirmed by phone"},
    )

    assert found.emails == ("alice@example.com", "a.able@work.example")
    assert list(found.users["id"]) == [1, 2]
    why = dict(zip(found.identity.why["user_id"], found.identity.why["why"], strict=True))
    assert why[1] == "current email is alice@example.com"
    assert why[2].startswith("added by staff: her work account")
    assert list(found.organizations["name"]) == ["Able Ltd", "Other"]
    assert list(found.customer_tickets["id"]) == [100, 101]
    assert list(found.correspondent_tickets["id"]) == [200, 201]

    articles = found.articles.set_index("id")
    assert sorted(articles.index) == [1, 2, 3, 4, 6, 8]
    assert (articles.loc[[1, 2, 3], "relation"] == "customer").all()
    assert (articles.loc[[4, 6, 8], "relation"] == "correspondent").all()
    assert articles.loc[4, "matched_in"] == "cc"
    assert articles.loc[6, "matched_in"] == "to"
    assert articles.loc[8, "matched_in"] == "body"
    assert articles.loc[1, "matched_in"] == "from"
    assert articles.loc[2, "matched_in"] == ""  # an agent's note on her ticket, still hers

    assert list(found.attachments["id"]) == [50, 51]  # not bob.pdf on bob's own reply
    counts = found.counts()
    assert counts["tickets as customer"] == 2
    assert counts["articles on those tickets"] == 3
    assert counts["of which internal notes"] == 1
    assert counts["articles naming them on those tickets"] == 3
    mentions = found.possible_mentions
    assert set(zip(mentions["article_id"], mentions["by"], strict=True)) == {
        (9, "phone"),
        (9, "name"),
    }
    assert set(mentions["ticket_number"]) == {"1200"}
    assert counts["attachment bytes"] == 2148
    assert not found.is_empty


def test_a_login_alone_is_a_near_match_never_included(inventory):
    # user 2's login is the address but its email is not: listed for staff, not included,
    # and neither is the ticket it is the customer of, nor its message naming the address
    found = find_subject(inventory, ["alice@example.com", "a.able@work.example"])
    assert list(found.users["id"]) == [1]
    assert list(found.customer_tickets["id"]) == [100]
    assert 3 not in set(found.articles["id"])
    near = found.near_matches
    account = near[near["what"] == "account"].iloc[0]
    assert (account["user_id"], account["address"]) == (2, "a.able@work.example")
    assert "login is the address" in account["reason"]
    message = near[near["what"] == "message"].iloc[0]
    assert (message["user_id"], message["article_id"], message["ticket_number"]) == (2, 3, "1101")
    assert found.counts()["near-matches to review"] == 2


def moved_address():
    """Alex once signed in as a.quill@old.example; it is now Carys's email."""
    users = pd.DataFrame(
        [
            dict(id=1, login="a.quill@old.example", email="alex@new.example", firstname="Alex",
                 lastname="Quill", phone=None, mobile=None, organization_id=None),
            dict(id=2, login="carys.jones", email="A.Quill@old.example",
                 firstname="Carys", lastname="Jones", phone=None, mobile=None,
                 organization_id=None),
            dict(id=3, login="carys2", email="a.quill@OLD.example", firstname="Carys",
                 lastname="Jones", phone=None, mobile=None, organization_id=None),
        ]
    )  # fmt: skip
    tickets = pd.DataFrame(
        [
            dict(id=10, number="10", title="Alex's old order", customer_id=1,
                 created_at=ts("2020-01-01")),
            dict(id=20, number="20", title="Carys's question", customer_id=2,
                 created_at=ts("2025-01-01")),
        ]
    )  # fmt: skip
    articles = pd.DataFrame(
        [
            dict(id=100, ticket_id=10, **{"from": "Alex Quill <a.quill@old.example>"},
                 to="support@mimoto.co.uk", cc=None, subject="Order", body="Alex",
                 content_type="text/plain", internal=False, created_at=ts("2020-01-01"),
                 created_by_id=1, sender="Customer"),
            dict(id=101, ticket_id=10, **{"from": "support@mimoto.co.uk"},
                 to="a.quill@old.example", cc=None, subject="Re: Order", body="Done",
                 content_type="text/plain", internal=False, created_at=ts("2020-01-02"),
                 created_by_id=5, sender="Agent"),
            dict(id=200, ticket_id=20, **{"from": "Carys Jones <a.quill@old.example>"},
                 to="support@mimoto.co.uk", cc=None, subject="Question", body="Hi",
                 content_type="text/plain", internal=False, created_at=ts("2025-01-01"),
                 created_by_id=2, sender="Customer"),
        ]
    )  # fmt: skip
    empty = pd.DataFrame(columns=["id", "article_id", "ticket_id", "filename", "size"])
    return SimpleNamespace(
        users=users,
        organizations=pd.DataFrame(columns=["id", "name"]),
        tickets=tickets,
        articles=articles,
        attachments=empty,
        snapshot_time=ts("2025-06-01"),
    )


def test_a_moved_address_reaches_only_its_current_holders():
    found = find_subject(moved_address(), ["a.quill@old.example"])
    # both accounts whose current email is the address, whatever its case, and saying so
    assert list(found.users["id"]) == [2, 3]
    assert found.identity.notes == (
        "2 accounts share the address a.quill@old.example (#2, #3): all included",
    )
    assert list(found.customer_tickets["id"]) == [20]
    assert set(found.articles["id"]) == {200}
    # Alex: his login is the address, and his old ticket's messages name it: near-matches
    near = found.near_matches
    assert set(zip(near["what"], near["user_id"], strict=True)) == {
        ("account", 1),
        ("message", 1),
    }
    assert set(near["article_id"].dropna().astype(int)) == {100, 101}
    assert "a***@n**.example" in near.loc[near["what"] == "account", "reason"].iloc[0]


def test_the_old_holders_own_request_lists_their_login():
    found = find_subject(moved_address(), ["alex@new.example"])
    assert list(found.users["id"]) == [1]
    own = found.near_matches[found.near_matches["what"] == "own login"].iloc[0]
    assert own["address"] == "a.quill@old.example"
    assert "now the email of user #2, #3" in own["reason"]


def test_staff_include_an_account_by_id_only_with_a_reason():
    inventory = moved_address()
    with pytest.raises(InputError, match="needs a reason"):
        find_subject(inventory, ["alex@new.example"], user_ids={2: "  "})
    with pytest.raises(InputError, match="no such user"):
        find_subject(inventory, ["alex@new.example"], user_ids={99: "typo"})
    found = find_subject(inventory, ["alex@new.example"], user_ids={3: "confirmed by phone"})
    assert list(found.users["id"]) == [1, 3]
    assert found.identity.notes == ("user #3 included by staff: confirmed by phone",)


def test_unknown_person_gives_empty_frames(inventory):
    found = find_subject(inventory, ["nobody@example.com"])
    assert found.is_empty
    assert found.users.empty and found.tickets.empty and found.articles.empty
    assert found.attachments.empty and found.possible_mentions.empty
    assert set(found.counts().values()) == {0}


def test_no_address_is_an_input_error(inventory):
    with pytest.raises(InputError):
        find_subject(inventory, [])


def test_staff_can_add_a_possible_mention(inventory):
    found = find_subject(inventory, ["alice@example.com"], add_articles=[9])
    articles = found.articles.set_index("id")
    assert articles.loc[9, "matched_in"] == "added by staff"
    assert articles.loc[9, "relation"] == "correspondent"
    assert found.possible_mentions.empty  # nothing left to decide
    with pytest.raises(InputError, match="no article 999"):
        find_subject(inventory, ["alice@example.com"], add_articles=[999])
