"""Redaction of other people in what is sent, on hand-made snapshot frames."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from mimoto_gov.errors import InputError
from mimoto_gov.sar.model import MARKER, Decisions
from mimoto_gov.sar.redact import Redactor, people_from
from mimoto_gov.subject import find_subject

R = MARKER


def ts(text):
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture
def inventory():
    users = pd.DataFrame(
        [
            dict(id=1, login="alice@example.com", email="alice@example.com", firstname="Alice",
                 lastname="Able", phone="+44 7700 900123", mobile=None, role_ids="[3]",
                 organization_id=None),
            dict(id=3, login="bbaker", email="bob@example.com", firstname="Bob",
                 lastname="Baker", phone=None, mobile=None, role_ids="[3]", organization_id=None),
            dict(id=5, login="smith", email="agent.smith@mimoto.co.uk", firstname="Agent",
                 lastname="Smith", phone="020 7946 0999", mobile=None, role_ids="[2]",
                 organization_id=None),
            dict(id=6, login="carol@cole.example", email="carol@cole.example",
                 firstname="Carol", lastname="Cole", phone=None, mobile=None, role_ids="[3]",
                 organization_id=None),
        ]
    )  # fmt: skip
    tickets = pd.DataFrame(
        [
            dict(id=100, number="1100", title="Printer for Carol Cole", customer_id=1,
                 organization_id=None, created_at=ts("2024-01-01")),
            dict(id=200, number="1200", title="Bob's order", customer_id=3,
                 organization_id=None, created_at=ts("2024-02-01")),
        ]
    )  # fmt: skip
    articles = pd.DataFrame(
        [
            dict(id=1, ticket_id=100, **{"from": "Alice Able <alice@example.com>"},
                 to="support@mimoto.co.uk", cc=None, subject="Printer",
                 body="Call me on 07700 900123 or Carol Cole on 020 7946 0018. My IBAN is "
                 "BE68539007547034. Ask bbaker.", content_type="text/plain", internal=False,
                 sender="Customer", created_by_id=1, created_at=ts("2024-01-01 10:00")),
            dict(id=2, ticket_id=100,
                 **{"from": "Agent Smith via Mimoto Support <support@mimoto.co.uk>"},
                 to="Alice Able <alice@example.com>", cc=None, subject="Re: Printer",
                 body="Dear Alice,\n\nBob Baker will call you (020 7946 0999).\n\nAgent Smith",
                 content_type="text/plain", internal=False, sender="Agent", created_by_id=5,
                 created_at=ts("2024-01-02 10:00")),
            dict(id=4, ticket_id=200, **{"from": "Bob <bob@example.com>"},
                 to="support@mimoto.co.uk",
                 cc='"Able, Alice" <ALICE@example.com>; dave@example.com', subject="Order",
                 body="<p>Dear Bob,</p><p>Carol <i>Cole</i> has it: call 020 7946 0018.</p>",
                 content_type="text/html", internal=False, sender="Customer", created_by_id=3,
                 created_at=ts("2024-02-01 10:00")),
        ]
    )  # fmt: skip
    return SimpleNamespace(
        users=users,
        organizations=pd.DataFrame(columns=["id", "name"]),
        tickets=tickets,
        articles=articles,
        attachments=pd.DataFrame(columns=["id", "article_id", "ticket_id", "filename", "size"]),
        snapshot_time=ts("2024-06-01"),
    )


def redactor(inventory, release=None) -> Redactor:
    subject = find_subject(inventory, ["alice@example.com"])
    return Redactor(people_from(inventory, subject), release)


def article(inventory, article_id: int) -> dict:
    return inventory.articles.set_index("id").loc[article_id].to_dict()


def redact(r: Redactor, inventory, article_id: int, field: str) -> str:
    row = article(inventory, article_id)
    where = dict(table="articles", reference=f"article {article_id}", field=field)
    if field == "body" and row["content_type"] == "text/html":
        return r.html(row[field], ticket_id=row["ticket_id"], **where)
    return r.text(row[field], ticket_id=row["ticket_id"], **where)


def test_other_people_go_the_person_and_staff_stay(inventory):
    r = redactor(inventory)
    # her own number and the IBAN she wrote herself stay; Carol, her number and a login go
    assert redact(r, inventory, 1, "body") == (
        f"Call me on 07700 900123 or {R} on {R}. My IBAN is BE68539007547034. Ask {R}."
    )
    # the agent's name and number stay (staff act for the company); Bob goes
    assert redact(r, inventory, 2, "body") == (
        f"Dear Alice,\n\n{R} will call you (020 7946 0999).\n\nAgent Smith"
    )
    assert redact(r, inventory, 2, "from") == article(inventory, 2)["from"]
    # on Bob's ticket "Bob" alone is his name too; her own address stays in any case
    assert redact(r, inventory, 4, "from") == f"{R} <{R}>"
    assert redact(r, inventory, 4, "cc") == f'"Able, Alice" <ALICE@example.com>; {R}'
    # an HTML body is cleaned and redacted in its text; a name across a tag is one redaction
    assert redact(r, inventory, 4, "body") == (
        f"<p>Dear {R},</p><p>{R}<i></i> has it: call {R}.</p>"
    )
    log = r.log()
    assert set(log["kind"]) == {"name", "phone", "login", "email"}
    assert not log["masked"].str.contains("Carol|bob@|7946 0018|bbaker", regex=True).any()
    assert not log["released"].any()


def test_items_are_stable_and_a_released_one_stays(inventory):
    first = redactor(inventory)
    redact(first, inventory, 1, "body")
    again = redactor(inventory)
    redact(again, inventory, 1, "body")
    assert list(first.log()["item"]) == list(again.log()["item"])
    carol = first.log()[first.log()["kind"] == "name"].iloc[0]["item"]
    released = redactor(inventory, {carol: "she asked us to pass it on"})
    assert "or Carol Cole on" in redact(released, inventory, 1, "body")
    log = released.log()
    row = log[log["item"] == carol].iloc[0]
    assert bool(row["released"]) and row["reason"] == "she asked us to pass it on"
    assert released.unknown_items([carol, "nope"]) == ["nope"]


def test_a_whole_table_is_redacted_but_its_vocabulary_kept(inventory):
    r = redactor(inventory)
    tickets = inventory.tickets.assign(state="open", relation="customer")
    out = r.frame(tickets, "tickets", reference=lambda row: f"ticket {row['number']}")
    assert list(out["title"]) == [f"Printer for {R}", "Bob's order"]
    assert list(out["number"]) == ["1100", "1200"] and list(out["state"]) == ["open", "open"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("item,decision,reason\nabc,release,\n", "needs its reason"),
        ("item,decision,reason\nabc,publish,why\n", "the decision release or withhold"),
        ("item,reason\nabc,why\n", "needs the columns"),
    ],
)
def test_a_decisions_file_is_read_strictly(tmp_path, text, problem):
    path = tmp_path / "decisions.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=problem):
        Decisions.read(path)


def test_decisions_are_read_and_kept_as_written(tmp_path):
    assert Decisions.read(tmp_path / "absent.csv").blank() == "item,decision,reason\n"
    path = tmp_path / "decisions.csv"
    text = "item,decision,reason\nabc,release,agreed\nattachment:7,withhold,a CV\n,,\n"
    path.write_text(text)
    decisions = Decisions.read(path)
    assert decisions.release == {"abc": "agreed"}
    assert decisions.withhold == {"attachment:7": "a CV"}
    assert decisions.blank() == text
