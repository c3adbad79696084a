"""The plain-words request detector against the labelled ticket texts, and its edges."""

from __future__ import annotations

import pytest
import yaml

from mimoto_gov.intake.detect import DETECTED_KINDS, detect, message_text
from tests.helpers.paths import FIXTURES

SETS = ("labelled", "heldout", "fresh")


def load(name: str) -> list[dict]:
    return yaml.safe_load((FIXTURES / "intake" / f"{name}.yml").read_text(encoding="utf-8"))


def test_the_labelled_sets_are_large_enough_and_cover_every_kind():
    items = [item for name in SETS for item in load(name)]
    assert len(items) >= 100
    kinds = {item["kind"] for item in items}
    assert kinds == {*DETECTED_KINDS, "none"}
    assert sum(item["kind"] == "none" for item in items) >= 60


@pytest.mark.parametrize("name", SETS)
def test_no_plain_request_is_missed_and_few_false_alarms(name):
    items = load(name)
    missed = [i["text"] for i in items if i["kind"] != "none" and detect(i["text"]) is None]
    alarms = [i["text"] for i in items if i["kind"] == "none" and detect(i["text"]) is not None]
    wrong_kind = [
        i["text"]
        for i in items
        if i["kind"] != "none" and (found := detect(i["text"])) and found.kind != i["kind"]
    ]
    ordinary = sum(i["kind"] == "none" for i in items)
    assert missed == []
    assert len(alarms) <= 0.05 * ordinary, alarms
    assert wrong_kind == []


def test_the_phrase_is_the_sentence_that_asked_and_kinds_are_in_order():
    found = detect(
        "Hello. I have used Mimoto for years. Please delete my account and all my data, and "
        "before that send me a copy of my data."
    )
    assert found.kind == "erasure"
    assert found.phrase.startswith("Please delete my account and all my data")
    assert found.kinds[:2] == ("erasure", "access")
    assert found.register_kind == "erasure"
    assert detect("Please take me off your marketing list.").register_kind == "objection"


@pytest.mark.parametrize(
    "text",
    [
        "How do I delete my account?",
        "Do not delete my account, I still need it.",
        "I can't see my data after the update.",
        "Please delete the old project.",
    ],
)
def test_how_to_questions_negations_and_business_objects_are_not_requests(text):
    assert detect(text) is None


def test_quoted_earlier_mail_and_html_are_handled():
    reply = (
        "Thanks, that fixed it.\n\nOn Tue, 3 Mar 2026 at 10:02, Mimoto Support wrote:\n"
        "> Please delete my account and all my data."
    )
    assert detect(message_text(reply)) is None
    html_body = "<div><p>Hi,</p><p>Please <b>erase</b> all my personal information.</p></div>"
    assert detect(message_text(html_body)).kind == "erasure"
    assert detect(message_text("See below", subject="Unsubscribe me")).kind == "unsubscribe"
