"""Pulling the sandbox into a snapshot over real HTTP: full, incremental, faults, files."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import select
import stat
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pandas as pd
import pytest

from mimoto_gov.errors import ZammadError
from mimoto_gov.inventory import PUBLIC_COLUMNS, TABLES, load_inventory
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull


def run_pull(sandbox, data_dir, *, token="admin", full=False, **options):
    options.setdefault("backoff", 0.001)
    with ZammadClient(sandbox.url, sandbox.tokens[token], **options) as client:
        return pull(client, data_dir, full=full, show_progress=False)


def frames(data_dir) -> dict[str, pd.DataFrame]:
    inventory = load_inventory(data_dir)
    return {
        table: getattr(inventory, table).sort_values("id", ignore_index=True) for table in TABLES
    }


def assert_same_snapshot(left_dir, right_dir, tables=TABLES):
    left, right = frames(left_dir), frames(right_dir)
    for table in tables:
        pd.testing.assert_frame_equal(left[table], right[table], check_like=True, obj=table)


def digest(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def visible_attachments(ds) -> set[int]:
    """Attachment ids Zammad lists in ``attachments[]`` (inline cid: images are left out)."""
    hidden = set()
    for attachment_id, attachment in ds.attachments.items():
        content_id = (attachment.get("preferences") or {}).get("Content-ID")
        body = ds.articles[attachment["article_id"]].get("body") or ""
        if content_id and f"cid:{content_id.strip('<>')}" in body:
            hidden.add(attachment_id)
    return set(ds.attachments) - hidden


@pytest.fixture(scope="module")
def server():
    with Sandbox(tickets=300, seed=7) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def full_snapshot(server, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("full") / "data"
    result = run_pull(server, data_dir)
    return data_dir, result


# -- the full pull ------------------------------------------------------------------------------


def test_first_pull_is_full_and_counts_match_the_dataset(server, full_snapshot):
    data_dir, result = full_snapshot
    ds = server.dataset
    assert result.mode == "full"
    assert result.article_source == "index"
    assert result.counts == {
        "tickets": len(ds.tickets),
        "articles": len(ds.articles),
        "attachments": len(visible_attachments(ds)),
        "users": len(ds.users),
        "organizations": len(ds.organizations),
    }
    # 300 tickets: 3 full pages and an empty one; articles, users, organisations: one page each.
    assert result.requests == 7
    inventory = load_inventory(data_dir)
    assert inventory.counts() == result.counts
    assert inventory.snapshot_time == result.snapshot_time


def test_ticket_values_equal_the_dataset(server, full_snapshot):
    ds = server.dataset
    tickets = frames(full_snapshot[0])["tickets"]
    records = [ds.tickets[i] for i in sorted(ds.tickets)]
    expected = pd.DataFrame(
        {
            "id": [t["id"] for t in records],
            "number": [t["number"] for t in records],
            "title": [t["title"] for t in records],
            "state": [ds.state_name(t["state_id"]) for t in records],
            "group": [ds.group_name(t["group_id"]) for t in records],
            "customer_id": [t["customer_id"] for t in records],
            "organization_id": [t["organization_id"] for t in records],
        }
        | {
            column: pd.to_datetime([t[column] for t in records], utc=True, format="ISO8601")
            for column in ("created_at", "updated_at", "close_at", "last_contact_at")
        }
    )
    columns = list(PUBLIC_COLUMNS["tickets"])
    expected = expected[columns].astype(tickets[columns].dtypes.to_dict())
    pd.testing.assert_frame_equal(tickets[columns], expected)
    planted = server.dataset.planted["script_ticket"]
    title = tickets.loc[tickets["id"] == planted, "title"].item()
    assert title == "<script>alert(1)</script>"


def test_article_attachment_user_and_organisation_values(server, full_snapshot):
    ds = server.dataset
    snap = frames(full_snapshot[0])
    articles = snap["articles"].set_index("id")
    for article_id, article in ds.articles.items():
        row = articles.loc[article_id]
        assert row["ticket_id"] == article["ticket_id"]
        assert row["subject"] == article["subject"] or pd.isna(row["subject"])
        assert row["from"] == article["from"] or (pd.isna(row["from"]) and not article["from"])
        assert row["sender"] == article["sender"] and row["type"] == article["type"]
        assert bool(row["internal"]) == article["internal"]
        assert row["created_at"] == pd.Timestamp(article["created_at"])
    body_of_card = articles.loc[ds.planted["card_article"], "body"]
    assert body_of_card == ds.articles[ds.planted["card_article"]]["body"]

    attachments = snap["attachments"].set_index("id")
    assert set(attachments.index) == visible_attachments(ds)
    for attachment_id in attachments.index:
        expected = ds.attachments[attachment_id]
        row = attachments.loc[attachment_id]
        assert row["filename"] == expected["filename"]
        assert row["size"] == len(expected["content"])
        assert row["article_id"] == expected["article_id"]
        assert row["ticket_id"] == expected["ticket_id"]

    users = snap["users"].set_index("id")
    for user_id, user in ds.users.items():
        assert users.loc[user_id, "email"] == user["email"] or not user["email"]
        assert users.loc[user_id, "lastname"] == user["lastname"]
        assert bool(users.loc[user_id, "active"]) == user["active"]
    organizations = snap["organizations"].set_index("id")
    assert organizations["name"].to_dict() == {i: o["name"] for i, o in ds.organizations.items()}


def test_public_columns_have_the_promised_types(full_snapshot):
    inventory = load_inventory(full_snapshot[0])
    kinds = {"id": "Int64", "text": "str", "flag": "boolean", "int": "Int64"}
    for table, columns in PUBLIC_COLUMNS.items():
        df = getattr(inventory, table)
        for column, kind in columns.items():
            dtype = df[column].dtype
            if kind == "time":
                assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC", column
            else:
                assert str(dtype) == kinds[kind], (table, column, dtype)
    tickets = inventory.tickets
    assert tickets["number"].map(type).eq(str).all()
    # raw columns are kept as Zammad sends them, nested ones as JSON text
    assert {"priority_id", "owner_id", "article_ids", "preferences"} <= set(tickets.columns)
    assert tickets["article_ids"].str.startswith("[").all()


def test_snapshot_files_are_private_and_hold_no_token(server, full_snapshot):
    data_dir, _ = full_snapshot
    folder = data_dir / "zammad"
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted([f"{t}.parquet" for t in TABLES] + ["sync_state.json"])
    for path in data_dir.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
        if path.is_file():
            content = path.read_bytes()
            for token in server.tokens.values():
                assert token.encode() not in content, path


# -- incremental pulls ------------------------------------------------------------------------


def test_incremental_pull_fetches_only_changes_and_equals_a_full_pull(tmp_path):
    with Sandbox(tickets=300, seed=21) as sandbox:
        data_dir = tmp_path / "data"
        first = run_pull(sandbox, data_dir)
        ds = sandbox.dataset
        ids = sorted(ds.tickets)
        sandbox.touch_ticket(ids[3], title="Renamed by an agent")
        sandbox.touch_ticket(ids[100], state_id=4)
        with_article = ids[200]
        sandbox.add_article(with_article)
        customer = sandbox.dataset.personas["customer"]
        new_ticket = sandbox.add_ticket(customer, "A brand new question", articles=2)
        sandbox.update_user(customer, phone="+44 20 7946 0000")
        sandbox.clear_log()

        second = run_pull(sandbox, data_dir)
        assert second.mode == "incremental"
        assert second.requests < first.requests
        paths = [record.path for record in sandbox.request_log]
        assert not any(p.endswith("/tickets") for p in paths)  # no full ticket listing
        assert sum(p.endswith("/tickets/search") for p in paths) == 1
        # New articles come from one read of the article index, newest first.
        index = [r for r in sandbox.request_log if r.path.endswith("/ticket_articles")]
        assert len(index) == 1
        assert "updated_at" in str(index[0].query)
        assert not any("/by_ticket/" in p for p in paths)
        assert sum(p.endswith("/users/search") for p in paths) == 1  # only changed users
        assert second.requests == 4  # tickets, articles, users, organisations
        new_id = new_ticket
        assert second.fetched["tickets"] >= 4

        inventory = load_inventory(data_dir)
        tickets = inventory.tickets.set_index("id")
        assert tickets.loc[ids[3], "title"] == "Renamed by an agent"
        assert tickets.loc[ids[100], "state"] == "closed"
        assert tickets.loc[new_id, "title"] == "A brand new question"
        assert inventory.users.set_index("id").loc[customer, "phone"] == "+44 20 7946 0000"

        reference = tmp_path / "reference"
        run_pull(sandbox, reference)
        assert_same_snapshot(data_dir, reference)


def test_deletions_leave_only_with_a_full_pull(tmp_path):
    with Sandbox(tickets=120, seed=5) as sandbox:
        data_dir = tmp_path / "data"
        run_pull(sandbox, data_dir)
        gone = sorted(sandbox.dataset.tickets)[10]
        gone_articles = {a["id"] for a in sandbox.dataset.articles_of(gone)}
        sandbox.delete_ticket(gone)

        incremental = run_pull(sandbox, data_dir)
        assert incremental.mode == "incremental"
        assert gone in set(load_inventory(data_dir).tickets["id"])

        full = run_pull(sandbox, data_dir, full=True)
        assert full.mode == "full"
        assert full.removed["tickets"] == 1
        assert full.removed["articles"] == len(gone_articles)
        inventory = load_inventory(data_dir)
        assert gone not in set(inventory.tickets["id"])
        assert not gone_articles & set(inventory.articles["id"])
        assert "Removed what Zammad no longer has: 1 ticket and " in full.summary()


def test_an_agent_token_reads_articles_ticket_by_ticket(tmp_path):
    with Sandbox(tickets=80, seed=9) as sandbox:
        admin_dir, agent_dir = tmp_path / "admin", tmp_path / "agent"
        run_pull(sandbox, admin_dir)
        sandbox.clear_log()
        result = run_pull(sandbox, agent_dir, token="agent")
        assert result.article_source == "by_ticket"
        by_ticket = [r for r in sandbox.request_log if "/by_ticket/" in r.path]
        assert len(by_ticket) == len(sandbox.dataset.tickets)
        assert_same_snapshot(admin_dir, agent_dir, tables=("tickets", "articles", "attachments"))
        admin_users = set(load_inventory(admin_dir).users["id"])
        agent_users = set(load_inventory(agent_dir).users["id"])
        assert agent_users == admin_users

        sandbox.add_article(sorted(sandbox.dataset.tickets)[0])
        again = run_pull(sandbox, agent_dir, token="agent")
        assert again.mode == "incremental"
        assert again.requests < result.requests / 10


def test_the_legacy_search_shape_still_gives_a_correct_incremental_pull(tmp_path):
    with Sandbox(tickets=80, seed=4, legacy_search=True) as sandbox:
        data_dir = tmp_path / "data"
        run_pull(sandbox, data_dir)
        ticket_id = sorted(sandbox.dataset.tickets)[7]
        sandbox.touch_ticket(ticket_id, title="Changed on an old Zammad")
        sandbox.add_article(ticket_id)
        result = run_pull(sandbox, data_dir)
        assert result.mode == "incremental"
        reference = tmp_path / "reference"
        run_pull(sandbox, reference)
        assert_same_snapshot(data_dir, reference)


def test_another_zammad_means_a_full_pull(tmp_path, full_snapshot):
    data_dir = tmp_path / "data"
    with Sandbox(tickets=60, seed=1) as first:
        run_pull(first, data_dir)
    with Sandbox(tickets=50, seed=2) as second:
        result = run_pull(second, data_dir)
        assert result.mode == "full"
        assert "another Zammad" in result.summary()
        assert result.counts["tickets"] == 50


# -- faults -------------------------------------------------------------------------------------


FAULT_RUNS = [
    # seed, retries, full pull?, token
    (1, 5, False, "agent"),
    (2, 5, True, "admin"),
    (3, 5, True, "agent"),
    (4, 5, True, "agent"),
    (5, 0, True, "agent"),
    (6, 1, True, "agent"),
]


def faulty_pull(tmp_path, seed, retries, full, token) -> bool:
    """Pull from a server with 10% 429s, 5% 500s and 5% truncated answers; True if it worked."""
    with Sandbox(tickets=100, seed=seed) as sandbox:
        data_dir = tmp_path / f"data-{seed}"
        run_pull(sandbox, data_dir, token=token)
        folder = data_dir / "zammad"
        before = digest(folder)
        ids = sorted(sandbox.dataset.tickets)
        sandbox.touch_ticket(ids[seed], title=f"Changed {seed}")
        sandbox.add_article(ids[seed + 20])
        sandbox.faults.seed = seed
        sandbox.faults.rate_429 = 0.10
        sandbox.faults.rate_500 = 0.05
        sandbox.faults.rate_truncated = 0.05
        try:
            run_pull(sandbox, data_dir, token=token, full=full, max_retries=retries)
        except ZammadError as error:
            assert "\n" not in str(error)
            assert digest(folder) == before  # the old snapshot, untouched
            assert load_inventory(data_dir).counts()["tickets"] == len(ids)
            worked = False
        else:
            worked = True
        finally:
            sandbox.faults.reset()
        assert sorted(p.name for p in data_dir.iterdir()) == ["zammad"]  # no staging left
        if token == "agent" and full:  # about a hundred requests: some met a fault
            assert any(record.fault for record in sandbox.request_log)
        if worked:
            reference = tmp_path / f"reference-{seed}"
            run_pull(sandbox, reference, token=token)
            assert_same_snapshot(data_dir, reference)
        return worked


def test_a_faulty_server_gives_an_exact_snapshot_or_a_clean_failure(tmp_path):
    outcomes = {run: faulty_pull(tmp_path, *run) for run in FAULT_RUNS}
    with_retries = [worked for (_, retries, _, _), worked in outcomes.items() if retries == 5]
    assert sum(with_retries) >= len(with_retries) - 1  # retries nearly always see it through
    assert not outcomes[FAULT_RUNS[4]]  # without retries, ~100 requests cannot all succeed


def test_a_failed_pull_leaves_the_previous_snapshot(tmp_path, full_snapshot, server):
    data_dir = tmp_path / "data"
    run_pull(server, data_dir)
    before = digest(data_dir / "zammad")
    server.faults.rate_500 = 1.0
    try:
        with pytest.raises(ZammadError, match="500"):
            run_pull(server, data_dir, full=True, max_retries=1)
    finally:
        server.faults.rate_500 = 0
    assert digest(data_dir / "zammad") == before
    assert load_inventory(data_dir).counts()["tickets"] == len(server.dataset.tickets)


# -- progress on a terminal, silence under cron ---------------------------------------------------

ROWS, COLUMNS = 24, 100
_CONTROL = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z]|\r|\n)")


def pull_command(server, tmp_path, token: str) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "ZAMMAD_URL": server.url,
        "ZAMMAD_TOKEN": server.tokens[token],
        "MIMOTO_GOV_DATA": str(tmp_path / "data"),
        "TERM": "xterm",
    }
    return [sys.executable, "-m", "mimoto_gov", "pull", "--full"], env


def run_in_terminal(args, env, cwd) -> str:
    """Run a command with a pseudo-terminal as its stdout and stderr; return what it wrote."""
    main, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=env, cwd=cwd
    )
    os.close(terminal)
    written = bytearray()
    try:
        while select.select([main], [], [], 60)[0]:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
    assert process.returncode == 0, bytes(written).decode("utf-8", "replace")
    return bytes(written).decode("utf-8")


class Screen:
    """What a terminal shows after some output: a minimal VT100 (text, CR, LF, cursor up)."""

    def __init__(self, lines: list[str]):
        # A screen full of earlier output with the cursor on the bottom line, where a pull
        # started from a shell usually begins.
        self.rows = [line.ljust(COLUMNS) for line in lines[-(ROWS - 1) :]]
        self.rows += [" " * COLUMNS] * (ROWS - len(self.rows))
        self.row, self.column, self.wrap_next = ROWS - 1, 0, False

    def _line_feed(self) -> None:
        if self.row == ROWS - 1:
            self.rows = self.rows[1:] + [" " * COLUMNS]  # scroll up
        else:
            self.row += 1

    def _put(self, char: str) -> None:
        if self.wrap_next:  # xterm wraps only when the next character arrives
            self.column, self.wrap_next = 0, False
            self._line_feed()
        line = self.rows[self.row]
        self.rows[self.row] = line[: self.column] + char + line[self.column + 1 :]
        if self.column == COLUMNS - 1:
            self.wrap_next = True
        else:
            self.column += 1

    def feed(self, text: str) -> Screen:
        for part in _CONTROL.split(text):
            if part == "\r":
                self.column, self.wrap_next = 0, False
            elif part == "\n":
                self.wrap_next = False
                self._line_feed()
            elif part.startswith("\x1b["):
                if part.endswith("A"):
                    self.row = max(0, self.row - int(part[2:-1] or 1))
                    self.wrap_next = False
                elif part.endswith("K"):  # erase to the end of the line
                    line = self.rows[self.row]
                    self.rows[self.row] = line[: self.column].ljust(COLUMNS)
            else:
                for char in part:
                    self._put(char)
        return self

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.rows]


@pytest.mark.parametrize("token", ["admin", "agent"])
def test_a_pull_on_a_terminal_shows_progress_and_leaves_it_tidy(server, tmp_path, token):
    args, env = pull_command(server, tmp_path, token)
    written = run_in_terminal(args, env, tmp_path)

    # Bars were shown (a count and the time taken): the listings of tickets, users... then,
    # for an agent token, which may not read the article index, articles ticket by ticket.
    assert re.search(r"tickets[^\r\n]*: \d+ [a-z]+ \[\d\d:\d\d", written)
    if token == "agent":
        assert re.search(r"articles: +\d+%\|", written)

    earlier = [f"$ earlier command {n}" for n in range(ROWS)] + ["$ mimoto-gov pull --full"]
    lines = Screen(earlier).feed(written).lines()
    pieces = _CONTROL.split(written)
    summary = next(piece for piece in pieces if piece.startswith("Full pull"))
    wrapped = [summary[i : i + COLUMNS].rstrip() for i in range(0, len(summary), COLUMNS)]
    # What stays on the screen: the earlier lines, the command, its summary (wrapped), then
    # the line the shell's prompt goes on. No bar, and no blank line where bars were.
    assert not any(a == b == "" for a, b in zip(lines, lines[1:], strict=False)), lines
    assert lines[-1] == ""
    assert lines[-1 - len(wrapped) : -1] == wrapped
    assert lines[-2 - len(wrapped)] == "$ mimoto-gov pull --full"
    assert all(line.startswith("$ earlier command") for line in lines[: -2 - len(wrapped)])


def test_a_pull_off_a_terminal_prints_no_progress(server, tmp_path):
    args, env = pull_command(server, tmp_path, "agent")
    result = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert result.returncode == 0
    assert result.stderr == ""  # cron mails nothing but the result
    assert result.stdout.startswith("Full pull") and result.stdout.count("\n") == 1
    assert "records" not in result.stdout and "\r" not in result.stdout
