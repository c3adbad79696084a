"""Shaping Zammad records into typed frames, and loading a snapshot back."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mimoto_gov import load_inventory as public_load_inventory
from mimoto_gov.errors import SnapshotError
from mimoto_gov.inventory import TABLES, load_inventory
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.frames import (
    articles_frame,
    attachment_records,
    tickets_frame,
    users_frame,
)
from mimoto_gov.zammad.sync import pull

TICKET = {
    "id": 3,
    "group_id": 1,
    "priority_id": 2,
    "state_id": 4,
    "organization_id": None,
    "number": "53003",
    "title": "Order 787556",
    "customer_id": 7,
    "close_at": None,
    "last_contact_at": "2025-01-24T08:46:58.510Z",
    "preferences": {"channel_id": 1},
    "created_at": "2025-01-22T10:46:58.255Z",
    "updated_at": "2025-06-24T10:46:58.554Z",
    "article_ids": [5, 6],
    "time_unit": None,
    "group": "Sales",
}

ARTICLE = {
    "id": 35,
    "ticket_id": 3,
    "type_id": 10,
    "sender_id": 1,
    "from": "Christopher Miller",
    "to": "",
    "cc": None,
    "subject": "=HYPERLINK(1)",
    "body": "Please see attached file...",
    "content_type": "text/plain",
    "internal": True,
    "created_at": "2021-11-09T12:02:55.434Z",
    "attachments": [
        {
            "id": 17,
            "filename": "portal.txt",
            "size": "19",
            "preferences": {"Mime-Type": "text/plain"},
        }
    ],
}


def test_tickets_are_typed_and_names_filled_from_ids():
    other = dict(TICKET, id=2, number=53002, state_id=2, group=None, organization_id=3)
    df = tickets_frame([TICKET, other])
    assert list(df["id"]) == [2, 3]
    assert str(df["id"].dtype) == "Int64" and str(df["organization_id"].dtype) == "Int64"
    assert df["organization_id"].isna().tolist() == [False, True]
    assert df["number"].tolist() == ["53002", "53003"]  # always text, as Zammad sends it
    assert df["state"].tolist() == ["open", "closed"]  # from Zammad's seeded state ids
    assert df["group"].tolist() == ["Sales", "Sales"]  # learned from the other record
    assert str(df["created_at"].dtype) == "datetime64[us, UTC]"
    assert df.loc[1, "last_contact_at"] == pd.Timestamp("2025-01-24T08:46:58.510Z")
    assert json.loads(df.loc[1, "preferences"]) == {"channel_id": 1}
    assert json.loads(df.loc[1, "article_ids"]) == [5, 6]
    assert df["close_at"].isna().all()


def test_shaping_twice_changes_nothing():
    once = tickets_frame([TICKET, dict(TICKET, id=9, title=None, custom_field=True)])
    pd.testing.assert_frame_equal(tickets_frame(once), once)


def test_articles_and_their_attachment_metadata():
    articles = articles_frame([ARTICLE])
    row = articles.iloc[0]
    assert row["sender"] == "Agent" and row["type"] == "note"
    assert bool(row["internal"]) is True
    assert row["subject"] == "=HYPERLINK(1)"  # kept verbatim; escaping is the renderers' job
    attachments = attachment_records([ARTICLE])
    assert attachments == [
        {
            "id": 17,
            "filename": "portal.txt",
            "size": "19",
            "preferences": {"Mime-Type": "text/plain"},
            "article_id": 35,
            "ticket_id": 3,
            "content_type": "text/plain",
        }
    ]


def test_users_keep_unknown_custom_attributes():
    users = users_frame(
        [
            {"id": 5, "login": "a@x", "active": True, "last_login": None, "newsletter": True},
            {"id": 6, "login": "b@x", "active": False, "last_login": "2026-01-01T00:00:00Z"},
        ]
    )
    assert str(users["active"].dtype) == "boolean"
    assert users["newsletter"].tolist()[0] is True
    assert pd.isna(users["newsletter"].tolist()[1])
    assert str(users["last_login"].dtype) == "datetime64[us, UTC]"
    assert users["email"].isna().all()  # public columns exist even when Zammad omits them


def test_a_missing_snapshot_says_to_pull(tmp_path):
    with pytest.raises(SnapshotError) as caught:
        load_inventory(tmp_path / "nowhere")
    assert str(caught.value) == (
        f"no Zammad snapshot in {tmp_path / 'nowhere' / 'zammad'}: run `mimoto-gov pull` first"
    )


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("inventory") / "data"
    with (
        Sandbox(tickets=50, seed=3) as sandbox,
        ZammadClient(sandbox.url, sandbox.admin_token) as client,
    ):
        pull(client, data_dir, show_progress=False)
    return data_dir


def test_the_default_data_folder_comes_from_the_settings(pulled, monkeypatch):
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(pulled))
    inventory = public_load_inventory()
    assert len(inventory.tickets) == 50
    assert inventory.path == pulled / "zammad"
    assert inventory.sync_state["mode"] == "full"
    assert inventory.snapshot_time.tzinfo is not None
    assert "50 tickets" in repr(inventory)


def test_a_damaged_snapshot_is_a_snapshot_error(pulled, tmp_path):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(pulled, copy)
    (copy / "zammad" / "articles.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(SnapshotError, match=r"articles\.parquet is damaged.*mimoto-gov pull"):
        load_inventory(copy)
    (copy / "zammad" / "sync_state.json").write_text("{")
    with pytest.raises(SnapshotError, match="sync_state.json is damaged"):
        load_inventory(copy)


def test_a_swap_interrupted_between_its_two_renames_still_loads(pulled, tmp_path):
    import shutil

    copy = tmp_path / "data"
    copy.mkdir()
    shutil.copytree(pulled / "zammad", copy / ".zammad.old")
    inventory = load_inventory(copy)
    assert inventory.counts()["tickets"] == 50
    assert set(inventory.counts()) == set(TABLES)
