"""The monthly retention review: months, the scan cache, the command, and the whole report.

The report tests pull the sandbox over HTTP once per module, render the review for two
months with papermill, and check the HTML against figures computed here straight from the
sandbox's dataset, with their own date arithmetic.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

from mimoto_gov.errors import InputError
from mimoto_gov.pii.scan import scan_pii
from mimoto_gov.views.review import build as review_module
from mimoto_gov.views.review.build import (
    build_review,
    month_bounds,
    parse_month,
    previous_month,
    run_review,
    scan_inventory,
)
from tests.helpers.commands import commands_in, parse_error
from tests.helpers.paths import ROOT

NOTEBOOK = ROOT / "notebooks" / "retention_review.ipynb"
UK = ZoneInfo("Europe/London")

# Hostile text planted in what the review shows from data: a Zammad group's name (Zammad
# admins type it) and a rule's name and reason (staff edit the schedule).
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HOSTILE_GROUP = f"Billing {HOSTILE}"
HOSTILE_RULE = f"Stalled {HOSTILE}"
HOSTILE_REASON = f"abandoned {HOSTILE}"

# The tests' own schedule, so that staff editing data/policy/retention.yml cannot break them.
SCHEDULE = textwrap.dedent(
    """
    version: "test-1"
    status: proposed
    published_policy: The published policy says "stored indefinitely".
    rules:
      - name: Merged and removed
        match: {state: [merged, removed]}
        period: 3 months
        action: delete
        reason: copies and spam
      - name: Sales
        match: {group: Sales, state: closed}
        period: 2 years
        action: delete
        reason: no contract
      - name: Closed
        match: {state: closed}
        period: 6 years
        action: anonymise
        reason: Limitation Act
        text_left: keep
        text_reason: figures by topic
      - name: "Stalled <script>alert(1)</script><img src=x onerror=alert(1)>"
        match: {state: [new, open, pending reminder, pending close]}
        period: 2 years
        action: review
        reason: "abandoned <script>alert(1)</script><img src=x onerror=alert(1)>"
    default: {period: 6 years, action: review, reason: longest}
    customers: {inactive_after: 3 years}
    """
)


# -- months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 31), "2026-02"),  # "a month ago" would still be March
        (date(2026, 1, 1), "2025-12"),
        (date(2026, 12, 31), "2026-11"),
        (date(2024, 3, 1), "2024-02"),
    ],
)
def test_the_default_month_is_the_previous_calendar_month(today, expected):
    assert previous_month(today) == expected
    assert parse_month("", today) == expected
    assert parse_month(None, today) == expected


@pytest.mark.parametrize(
    "bad", ["2026-13", "2026-00", "2026-1", "26-10", "October", "2026/10", "1969-12"]
)
def test_a_bad_month_is_one_line(bad):
    with pytest.raises(InputError) as caught:
        parse_month(bad)
    assert str(caught.value) == f"month {bad!r} is not a month like 2026-10 (YYYY-MM)"


def test_a_month_that_has_not_begun_is_refused():
    today = date(2026, 11, 26)
    assert parse_month("2026-11", today) == "2026-11"  # the current month, so far
    with pytest.raises(InputError, match="month 2026-12 has not begun yet"):
        parse_month("2026-12", today)


def test_months_start_at_uk_midnight():
    # June is in British Summer Time: the month starts at 23:00 UTC the day before.
    start, end = month_bounds("2026-06")
    assert start == pd.Timestamp("2026-05-31T23:00:00Z")
    assert end == pd.Timestamp("2026-06-30T23:00:00Z")
    start, end = month_bounds("2026-12")
    assert (start, end) == (
        pd.Timestamp("2026-12-01T00:00:00Z"),
        pd.Timestamp("2027-01-01T00:00:00Z"),
    )


# -- the scan cache -------------------------------------------------------------------------

CARD = "4111 1111 1111 1111"


def small_frames():
    tickets = pd.DataFrame(
        {
            "id": pd.array([1, 2], dtype="Int64"),
            "title": ["Refund for order 12345", "Call me on 020 7946 0018"],
            "updated_at": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True),
        }
    )
    articles = pd.DataFrame(
        {
            "id": pd.array([10, 11, 12], dtype="Int64"),
            "ticket_id": pd.array([1, 1, 2], dtype="Int64"),
            "subject": ["Refund", "Re: Refund", None],
            "body": [f"My card is {CARD}, thanks", "<p>Postcode SW1A 1AA</p>", "nothing here"],
            "created_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True),
        }
    )
    return tickets, articles


def test_the_scan_reuses_earlier_findings_and_rescans_only_changes(tmp_path):
    tickets, articles = small_frames()
    cache = tmp_path / "cache"
    first, stats = scan_inventory(tickets, articles, cache)
    assert stats == {"scanned": 5, "reused": 0}
    assert sorted(first["kind"]) == ["card_number", "phone", "postcode"]
    assert set(first.loc[first["kind"] == "card_number", "ticket_id"]) == {1}
    assert set(first.loc[first["kind"] == "phone", "ticket_id"]) == {2}

    again, stats = scan_inventory(tickets, articles, cache)
    assert stats == {"scanned": 0, "reused": 5}
    columns = ["source", "id", "column", "kind", "masked"]
    key = ["source", "id", "kind"]
    pd.testing.assert_frame_equal(
        again[columns].sort_values(key).reset_index(drop=True),
        first[columns].sort_values(key).reset_index(drop=True),
    )

    # An edited article (a newer updated_at) is scanned again; the rest are reused.
    articles["updated_at"] = articles["created_at"]
    articles.loc[1, "body"] = "no postcode any more"
    articles.loc[1, "updated_at"] = pd.Timestamp("2026-02-01", tz="UTC")
    found, stats = scan_inventory(tickets, articles, cache)
    assert stats == {"scanned": 1, "reused": 4}
    assert "postcode" not in set(found["kind"])
    assert "card_number" in set(found["kind"])


def test_the_cache_is_private_and_holds_only_masked_values(tmp_path):
    tickets, articles = small_frames()
    cache = tmp_path / "cache"
    scan_inventory(tickets, articles, cache)
    files = sorted(cache.iterdir())
    assert {f.name for f in files} == {
        "pii-cache.json",
        "pii-findings.parquet",
        "pii-scanned.parquet",
    }
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    for path in files:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        data = path.read_bytes()
        assert b"4111 1111 1111 1111" not in data
        assert b"7946 0018" not in data
    stored = pd.read_parquet(cache / "pii-findings.parquet")
    assert "**** **** **** 1111" in set(stored["masked"])


def test_a_damaged_cache_costs_only_a_full_scan(tmp_path):
    tickets, articles = small_frames()
    cache = tmp_path / "cache"
    scan_inventory(tickets, articles, cache)
    (cache / "pii-findings.parquet").write_bytes(b"not parquet")
    _, stats = scan_inventory(tickets, articles, cache)
    assert stats == {"scanned": 5, "reused": 0}


def test_a_past_month_does_not_evict_later_scans(tmp_path):
    tickets, articles = small_frames()
    cache = tmp_path / "cache"
    scan_inventory(tickets, articles, cache)
    early = articles[articles["id"] == 10]
    _, stats = scan_inventory(tickets, early, cache, keep=(tickets, articles))
    assert stats == {"scanned": 0, "reused": 3}
    _, stats = scan_inventory(tickets, articles, cache)
    assert stats == {"scanned": 0, "reused": 5}


# -- the command ----------------------------------------------------------------------------


def run_cli(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mimoto_gov", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,
    )


def test_review_with_a_bad_month_is_a_one_line_error():
    result = run_cli("review", "--month", "2026-13")
    assert result.returncode != 0
    assert result.stdout == ""
    assert (
        result.stderr
        == "mimoto-gov: error: month '2026-13' is not a month like 2026-10 (YYYY-MM)\n"
    )


def test_review_without_a_snapshot_is_a_one_line_error(tmp_path):
    env = {
        **os.environ,
        "MIMOTO_GOV_DATA": str(tmp_path / "data"),
        "MIMOTO_GOV_REPORTS": str(tmp_path / "r"),
    }
    result = run_cli("review", "--month", "2026-10", env=env, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mimoto-gov: error: no Zammad snapshot")
    assert "Traceback" not in result.stderr


def test_review_with_a_malformed_schedule_is_a_one_line_error(tmp_path):
    bad = tmp_path / "retention.yml"
    bad.write_text(
        "version: 1\nrules: [{name: A, match: {state: closed}, period: forever, action: delete}]\n"
    )
    result = run_cli("review", "--month", "2026-10", "--schedule", str(bad), cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "retention.yml: rule 1 ('A'): period 'forever'" in result.stderr


# -- the whole report, on the sandbox -------------------------------------------------------


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    """Pull a 400-ticket sandbox over HTTP once; keep its dataset and token for checks."""
    from mimoto_gov.sandbox.synthetic.dataset import make_dataset
    from mimoto_gov.sandbox.zammad.server import Sandbox
    from mimoto_gov.zammad.client import ZammadClient
    from mimoto_gov.zammad.sync import pull

    root = tmp_path_factory.mktemp("review")
    data_dir = root / "data"
    dataset = make_dataset(seed=7, tickets=400)
    billing = next(g for g in dataset.groups.values() if g["name"] == "Billing")
    billing["name"] = HOSTILE_GROUP
    with Sandbox(dataset, task_tick_seconds=None) as sandbox:
        with ZammadClient(sandbox.url, sandbox.admin_token) as client:
            result = pull(client, data_dir, full=True)
        token = sandbox.admin_token
        dataset = sandbox.dataset
    schedule = root / "retention.yml"
    schedule.write_text(SCHEDULE)
    return {
        "root": root,
        "data_dir": data_dir,
        "dataset": dataset,
        "token": token,
        "schedule": schedule,
        "snapshot_time": pd.Timestamp(result.snapshot_time),
    }


def moment(month: str) -> datetime:
    year, number = map(int, month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime(year, number, 1, tzinfo=UK).astimezone(UTC)


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def expected_figures(dataset, month: str) -> dict:
    """Compute the review's headline figures from the raw dataset, independently."""
    as_of = moment(month)
    rules = [
        (lambda s, g: s in ("merged", "removed"), relativedelta(months=3), "delete"),
        (lambda s, g: s == "closed" and g == "Sales", relativedelta(years=2), "delete"),
        (lambda s, g: s == "closed", relativedelta(years=6), "anonymise"),
        (
            lambda s, g: s in ("new", "open", "pending reminder", "pending close"),
            relativedelta(years=2),
            "review",
        ),
        (lambda s, g: True, relativedelta(years=6), "review"),
    ]
    tickets = [t for t in dataset.tickets.values() if when(t["created_at"]) < as_of]
    past = {"delete": 0, "anonymise": 0, "review": 0}
    for ticket in tickets:
        state = dataset.state_name(ticket["state_id"])
        group = dataset.group_name(ticket["group_id"])
        dates = [when(ticket.get(k)) for k in ("last_contact_at", "close_at")]
        dates = [min(d, as_of) for d in dates if d is not None]
        reference = max(dates) if dates else when(ticket["created_at"])
        for matches, period, action in rules:
            if matches(state, group):
                if reference + period <= as_of:
                    past[action] += 1
                break
    articles = [a for a in dataset.articles.values() if when(a["created_at"]) < as_of]
    kinds: dict[str, int] = {}
    texts = [t.get("title") for t in tickets]
    texts += [a.get(k) for a in articles for k in ("subject", "body")]
    for text in texts:
        for finding in scan_pii(text or ""):
            kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    return {
        "tickets": len(tickets),
        "articles": len(articles),
        "past": past,
        "past_total": sum(past.values()),
        "kinds": kinds,
    }


class Tables(HTMLParser):
    """Every table of a report page, by the caption shown above it."""

    def __init__(self, page: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = None
        self._in_caption = False
        self._rows = None
        self._cell = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "p" and "mg-caption" in classes:
            self._in_caption, self._caption = True, ""
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "p" and self._in_caption:
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(self._cell.strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or f"table {len(self.tables)}"] = self._rows
            self._rows, self._caption = None, None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


def row(table: list[list[str]], first: str) -> list[str]:
    return next(r for r in table if r and r[0] == first)


@pytest.fixture(scope="module")
def rendered(pulled):
    """Render the review for the month before last, then last month (which compares with it)."""
    reports = pulled["root"] / "reports"
    later = previous_month()
    earlier = review_module.month_before(later)
    runs = {}
    for month in (earlier, later):
        runs[month] = run_review(
            month,
            data_dir=pulled["data_dir"],
            reports_dir=reports,
            schedule_path=pulled["schedule"],
        )
    return {"reports": reports, "runs": runs, "earlier": earlier, "later": later}


@pytest.mark.slow
def test_the_report_carries_the_right_figures_for_two_months(pulled, rendered):
    dataset = pulled["dataset"]
    for month, run in rendered["runs"].items():
        assert run.folder == rendered["reports"] / "retention-review" / month
        page = run.html.read_text(encoding="utf-8")
        tables = Tables(page).tables
        want = expected_figures(dataset, month)
        label = review_module.month_label(month)
        assert f"<title>Retention review: {label}" in page

        # the first page: headline and actions
        assert (
            f"At the end of {label}, {want['past_total']:,} of {want['tickets']:,} tickets were "
            "past their retention period"
        ) in page
        actions = tables["Most urgent first; the last column names the section with the detail"]
        assert row(actions[1:], "1")[1] == "Approve the retention schedule"
        for line in actions[1:]:
            for command in commands_in(line[3]):
                assert parse_error(command) is None, (command, parse_error(command))
        for action, verb in (
            ("delete", "Delete"),
            ("anonymise", "Anonymise"),
            ("review", "Review"),
        ):
            if want["past"][action]:
                line = next(r for r in actions if r[1] == f"{verb} tickets past their period")
                assert line[2] == f"{want['past'][action]:,}"

        # the inventory, with thousands separators
        inventory = tables["What the Zammad service desk holds"]
        assert row(inventory, "Tickets")[1] == f"{want['tickets']:,}"
        assert row(inventory, "Articles (messages and notes)")[1] == f"{want['articles']:,}"
        assert "," in f"{want['articles']:,}"

        # the schedule applied
        assert f"Tickets past their retention period ({want['past_total']:,})" in tables

        # personal data by kind
        counts = tables["Personal data found, by kind"]
        labels = review_module.KIND_LABELS
        for kind, label_text in labels.items():
            assert row(counts, label_text)[4] == f"{want['kinds'].get(kind, 0):,}", kind
        assert want["kinds"].get("card_number", 0) >= 2  # the sandbox plants at least two

        # the files beside the report
        summary = json.loads((run.folder / "summary.json").read_text())
        assert summary["tickets_past_period"] == want["past_total"]
        assert summary["month"] == month
        past_csv = pd.read_csv(run.folder / "tickets-past-period.csv", dtype=str)
        assert len(past_csv) == want["past_total"]
        # the staff lists carry what staff act on: article ids, account ids and, in the CSV
        # only (private reports folder), the account's address; the page keeps it masked
        redact = pd.read_csv(run.folder / "tickets-to-redact.csv", dtype=str).fillna("")
        assert {"Ticket", "Article ids"} <= set(redact.columns)
        article_ids = {int(a) for cell in redact["Article ids"] if cell for a in cell.split(", ")}
        assert article_ids and article_ids <= set(dataset.articles)
        inactive = pd.read_csv(run.folder / "inactive-customers.csv", dtype=str)
        assert len(inactive) and {"User id", "Email", "Email (masked)"} <= set(inactive.columns)
        for uid, email in zip(inactive["User id"], inactive["Email"], strict=True):
            assert dataset.users[int(uid)]["email"] == email
        shown = next(rows for caption, rows in tables.items()
                     if caption.startswith("Inactive customer accounts"))  # fmt: skip
        assert "Email" not in shown[0] and "Email (masked)" in shown[0]
        assert not any(email in page for email in inactive["Email"])
        jobs = json.loads((run.folder / "zammad-jobs.json").read_text())
        # Only the delete and anonymise rules have a scheduler (a person does the review).
        assert [job["active"] for job in jobs] == [False] * 3
        assert not any("ticket.tags" in job["perform"] for job in jobs)

        # what was carried out, and the schedule for signature
        assert "Carried out, and still overdue" in page
        assert "The retention schedule was not carried out during the month" in page
        assert "Appendix: the retention schedule" in page
        signed = tables["Zammad tickets, by rule (the first rule that matches a ticket applies)"]
        assert [r[0] for r in signed[1:]] == ["Merged and removed", "Sales", "Closed",
                                              HOSTILE_RULE, "Default"]  # fmt: skip

    # The later month compares with the earlier one's saved summary, not a rebuilt one.
    later_page = rendered["runs"][rendered["later"]].html.read_text(encoding="utf-8")
    earlier_label = review_module.month_label(rendered["earlier"])
    assert f"Last month's figures are from the {earlier_label} review." in later_page
    inventory = Tables(later_page).tables["What the Zammad service desk holds"]
    before = expected_figures(dataset, rendered["earlier"])
    now = expected_figures(dataset, rendered["later"])
    assert row(inventory, "Tickets")[2] == f"{before['tickets']:,}"
    assert row(inventory, "Tickets")[3] == (
        f"{now['tickets'] - before['tickets']:+,}"
        if now["tickets"] != before["tickets"]
        else "no change"
    )


@pytest.mark.slow
def test_a_later_month_only_scans_what_is_new(pulled, rendered):
    dataset = pulled["dataset"]
    earlier, later = moment(rendered["earlier"]), moment(rendered["later"])
    new = sum(earlier <= when(t["created_at"]) < later for t in dataset.tickets.values())
    new += sum(earlier <= when(a["created_at"]) < later for a in dataset.articles.values())
    page = rendered["runs"][rendered["later"]].html.read_text(encoding="utf-8")
    assert re.search(
        rf"articles: {new:,} of [\d,]+ texts were new or changed since the last scan", page
    )


def assert_hostile_text_is_inert_and_visible(page: str) -> None:
    """Check a page shows the planted hostile text as text, never as markup."""
    assert "<script" not in page.lower()
    assert "<img src=x" not in page.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page, re.IGNORECASE)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert page.count(escaped) >= 4  # group columns, rule name and reason, the appendix
    tables = Tables(page).tables
    assert HOSTILE_GROUP in tables["Tickets by year created and group"][0]
    assert HOSTILE_GROUP in tables["Tickets by time since last activity and group"][0]
    rules = tables["The retention schedule and the tickets each rule covers"]
    assert row(rules, HOSTILE_RULE)[0] == HOSTILE_RULE
    assert row(tables["Why each period"], HOSTILE_RULE)[1] == HOSTILE_REASON
    signed = tables["Zammad tickets, by rule (the first rule that matches a ticket applies)"]
    assert row(signed, HOSTILE_RULE)[5] == HOSTILE_REASON


@pytest.mark.slow
def test_the_report_is_inert_shows_no_code_and_holds_no_token(pulled, rendered):
    run = rendered["runs"][rendered["later"]]
    page = run.html.read_text(encoding="utf-8")
    # Hostile text from the data (a Zammad group's name, a schedule rule's name and reason)
    # reaches the page as visible text, with no <script> element or on* attribute.
    assert_hostile_text_is_inert_and_visible(page)
    # The check itself would catch the same text let through unescaped.
    with pytest.raises(AssertionError):
        assert_hostile_text_is_inert_and_visible(html.unescape(page))
    assert "Content-Security-Policy" in page
    # No code: neither the notebook's calls nor input areas.
    for code in ("build_review(", "show_table(", "review.output.show_list", "import pandas"):
        assert code not in page
    assert "jp-InputArea-editor" not in page
    assert 'class="highlight' not in page
    # The token is in no file the review wrote, nor in the data folder.
    token = pulled["token"].encode()
    for folder in (rendered["reports"], pulled["data_dir"]):
        for path in folder.rglob("*"):
            if path.is_file():
                assert token not in path.read_bytes(), path
    # Private folders and files.
    assert oct(run.folder.stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in run.folder.iterdir()} == {"0o600"}
    assert not list(run.folder.parent.glob(".*")), "no temporary folder is left behind"


@pytest.mark.slow
def test_the_pdf_opens_with_its_title_and_no_embedded_files(rendered):
    from pypdf import PdfReader

    run = rendered["runs"][rendered["later"]]
    reader = PdfReader(run.pdf)
    assert len(reader.pages) > 3
    assert (
        reader.metadata.title == f"Retention review: {review_module.month_label(rendered['later'])}"
    )
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    first_page = reader.pages[0].extract_text()
    assert "This month's actions" in first_page
    assert "Approve the retention schedule" in first_page


@pytest.mark.slow
def test_rerunning_a_month_replaces_its_outputs(pulled, rendered):
    month = rendered["earlier"]
    folder = rendered["reports"] / "retention-review" / month
    (folder / "stale.csv").write_text("old")
    run = run_review(
        month,
        data_dir=pulled["data_dir"],
        reports_dir=rendered["reports"],
        schedule_path=pulled["schedule"],
    )
    assert run.folder == folder
    assert not (folder / "stale.csv").exists()
    assert (folder / "summary.json").is_file()
    index = (rendered["reports"] / "index.html").read_text()
    assert f"retention-review/{month}/retention-review.html" in index


@pytest.mark.slow
def test_the_notebook_runs_with_its_defaults_under_nbval(pulled, tmp_path):
    env = {**os.environ, "MIMOTO_GOV_DATA": str(pulled["data_dir"])}
    env.pop("MIMOTO_GOV_REVIEW_OUTPUT", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            str(NOTEBOOK),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout
    # With no report folder the notebook writes nothing beside itself.
    assert not list(NOTEBOOK.parent.glob("*.csv"))


def test_registers_feed_the_review(pulled, tmp_path):
    """Open requests (overdue first) and an erased person who came back reach the review."""
    import shutil

    from mimoto_gov.intake.candidates import scan_tickets
    from mimoto_gov.inventory import load_inventory
    from mimoto_gov.registers import open_registers

    data_dir = tmp_path / "data"
    shutil.copytree(pulled["data_dir"], data_dir)
    users = pd.read_parquet(data_dir / "zammad" / "users.parquet")
    returning = users.loc[users["email"].fillna("").str.contains("@"), "email"].iloc[-1]
    month = previous_month()
    last_day = (moment(month) - relativedelta(days=1)).date()
    with open_registers(data_dir / "registers.sqlite") as registers:
        old = registers.add_request(
            "access", "late@example.com", received_on=last_day - relativedelta(months=3)
        )
        registers.add_request("access", "fresh@example.com", received_on=last_day)
        erased = registers.add_request(
            "erasure", returning, received_on=last_day - relativedelta(months=2)
        )
        registers.record_erasure(
            erased.id, outcome="completed", started_at="2026-01-01T10:00:00", email=returning
        )
        # Rights requests written in plain words in tickets, found but not yet decided.
        found = scan_tickets(load_inventory(data_dir), settled=registers.settled_tickets())
        registers.save_candidates(found.candidates, since=None, through=None, tickets=0)
    review = build_review(month, data_dir=data_dir, schedule_path=pulled["schedule"])
    candidates = review.governance.request_candidates()
    deletion = pulled["dataset"].tickets[pulled["dataset"].planted["deletion_request_ticket"]]
    assert str(deletion["number"]) in set(candidates["Ticket"])
    assert "Record or dismiss possible requests" in set(review.actions()["What to do"])
    requests = review.governance.open_requests()
    assert list(requests["Request"])[0] == old.id
    assert list(requests["Overdue"])[0] == "OVERDUE"
    reappeared = review.governance.reappeared()
    assert len(reappeared) >= 1
    assert returning not in reappeared.to_string()
    actions = review.actions()
    assert actions.loc[0, "What to do"] == "Answer overdue requests"
    assert "Check people who reappeared" in set(actions["What to do"])


def test_without_registers_the_review_says_so_and_creates_none(pulled):
    review = build_review(
        previous_month(), data_dir=pulled["data_dir"], schedule_path=pulled["schedule"]
    )
    assert review.governance.open_requests() is None
    assert review.governance.reappeared() is None
    assert review.governance.request_candidates() is None
    assert not (pulled["data_dir"] / "registers.sqlite").exists()
    assert review.governance.analytics() is None


def test_relative_defaults_are_found_from_the_notebooks_folder(tmp_path):
    # The kernel of a notebook opened in JupyterLab runs in notebooks/; ./data means the
    # project's data folder there too, unless the working folder has its own.
    assert review_module._project_default(Path("data")) == ROOT / "data"
    (tmp_path / "work" / "data").mkdir()
    assert review_module._project_default(Path("data")) == Path("data")
    assert review_module._project_default(tmp_path / "elsewhere") == tmp_path / "elsewhere"


@pytest.mark.slow
def test_the_first_page_lists_every_promise_with_a_status(rendered):
    from pypdf import PdfReader

    from mimoto_gov.commitments.evaluate import load_commitments

    run = rendered["runs"][rendered["later"]]
    first_page = " ".join(PdfReader(run.pdf).pages[0].extract_text().split())
    assert "Commitments at a glance" in first_page
    for status in ("not met", "evidence missing", "met"):
        assert status in first_page
    for commitment in load_commitments():
        assert " ".join(commitment.title.split()) in first_page, commitment.title
    page = run.html.read_text(encoding="utf-8")
    assert page.index("Commitments at a glance") < page.index("This month's actions")
    assert "Promises and evidence" in page
    assert "Appendix: record of processing (Article 30)" in page


# -- nothing held yet -----------------------------------------------------------------------


def empty_inventory():
    """A new Zammad's snapshot: every frame empty, with the snapshot's own column types."""
    from mimoto_gov.inventory import TABLES, Inventory, frame

    return Inventory(
        **{table: frame(table, []) for table in TABLES},
        snapshot_time=datetime(2026, 11, 3, 6, 15, tzinfo=UTC),
    )


def chart_notes(figure) -> list[str]:
    figure.savefig(io.BytesIO(), format="png")  # what show_chart does with it
    return [text.get_text() for axes in figure.axes for text in axes.texts]


COUNTS = (
    "tickets",
    "articles",
    "attachments",
    "attachment_bytes",
    "users",
    "organisations",
    "tickets_past_period",
    "to_delete",
    "to_anonymise",
    "to_review",
    "pii_findings",
    "tickets_to_redact",
    "inactive_customers",
    "accounts_without_tickets",
    "shared_emails",
)


def test_an_empty_zammad_gets_a_review_saying_nothing_is_held(tmp_path):
    from mimoto_gov.support.files import private_dir

    schedule = tmp_path / "retention.yml"
    schedule.write_text(SCHEDULE)
    output = private_dir(tmp_path / "reports" / "retention-review" / "2026-10")
    review = build_review(
        "2026-10",
        data_dir=tmp_path / "data",
        reports_dir=tmp_path / "reports",
        schedule_path=schedule,
        output_dir=output,
        inventory=empty_inventory(),
    )
    assert review.headline().startswith(
        "At the end of October 2026, the Zammad service desk held nothing yet (no tickets, no "
        "users): nothing was past its retention period and there was no ticket text to check "
        "for personal data."
    )
    summary = review.summary()
    assert {key: summary[key] for key in COUNTS} == dict.fromkeys(COUNTS, 0)
    # Last month is rebuilt from the same (empty) snapshot.
    assert {key: review.previous[key] for key in COUNTS} == dict.fromkeys(COUNTS, 0)
    assert set(review.holdings.changes_table()["Change"]) == {"no change"}
    assert list(review.holdings.inventory_table()["Now"]) == ["0", "0", "0", "0 bytes", "0", "0"]

    # Every section: tables with their columns and no rows, charts that say why they are bare.
    for by in ("state", "group"):
        assert review.holdings.age_by_year(by).empty
        assert review.holdings.age_by_inactivity(by).empty
        assert chart_notes(review.holdings.age_chart(by)) == ["No tickets held yet"] * 2
    applied = review.schedule_applied
    rules = applied.rules_table()
    assert list(rules["Tickets"]) == [0] * 5 and list(rules["Past period"]) == [0] * 5
    assert chart_notes(applied.rules_chart())[-1] == "No tickets held yet"  # after "0 of 0 past"
    assert applied.past_period().empty and "Due since" in applied.past_period().columns
    assert "no data-privacy task is needed" in applied.privacy_tasks_note()
    assert review.scan_stats == {"scanned": 0, "reused": 0} and review.findings.empty
    assert set(review.personal_data.pii_counts()["Findings"]) == {0}
    assert chart_notes(review.personal_data.pii_chart()) == ["No personal data found"]
    assert review.personal_data.tickets_to_redact().empty
    assert "Scanned 0 ticket titles" in review.personal_data.scan_note()
    for listing, column in (
        (review.customers.inactive_customers(), "Inactive for"),
        (review.customers.accounts_without_tickets(), "Last login"),
        (review.customers.shared_emails(), "User ids"),
    ):
        assert listing.empty and column in listing.columns
    actions = set(review.actions()["What to do"])
    assert "Approve the retention schedule" in actions
    assert not {a for a in actions if "tickets" in a or "accounts" in a.lower()}

    review.save()
    saved = json.loads((output / "summary.json").read_text())
    assert saved["month"] == "2026-10" and saved["tickets"] == 0 and saved["pii_by_kind"] == {}
    assert len(json.loads((output / "zammad-jobs.json").read_text())) == 3  # delete, anonymise


@pytest.mark.slow
def test_a_month_before_anything_was_held_renders(pulled, tmp_path):
    dataset = pulled["dataset"]
    first = min(when(u["created_at"]) for u in dataset.users.values())
    month = review_module.month_before(first.astimezone(UK).strftime("%Y-%m"))
    label = review_module.month_label(month)
    run = run_review(
        month,
        data_dir=pulled["data_dir"],
        reports_dir=tmp_path / "reports",
        schedule_path=pulled["schedule"],
    )
    page = run.html.read_text(encoding="utf-8")
    assert (
        f"At the end of {label}, the Zammad service desk held nothing yet (no tickets, no users)"
    ) in page
    tables = Tables(page).tables
    inventory = tables["What the Zammad service desk holds"]
    assert row(inventory, "Tickets")[1:] == ["0", "0", "no change"]
    assert row(inventory, "User accounts")[1:] == ["0", "0", "no change"]
    assert "Tickets past their retention period: none." in page
    assert "Customer accounts without tickets: none." in page
    summary = json.loads((run.folder / "summary.json").read_text())
    assert (summary["month"], summary["tickets"], summary["users"]) == (month, 0, 0)
    assert run.pdf.stat().st_size > 0


@pytest.mark.slow
def test_a_new_zammad_with_accounts_but_no_tickets_renders(tmp_path):
    """A new Zammad: accounts imported, no ticket yet. Pulled over HTTP, then reviewed."""
    from mimoto_gov.sandbox.synthetic.dataset import make_dataset
    from mimoto_gov.sandbox.zammad.server import Sandbox
    from mimoto_gov.zammad.client import ZammadClient
    from mimoto_gov.zammad.sync import pull

    dataset = make_dataset(seed=3, tickets=40)
    for table in (dataset.tickets, dataset.articles, dataset.attachments, dataset.history):
        table.clear()
    dataset.tags.clear()
    data_dir = tmp_path / "data"
    with (
        Sandbox(dataset, task_tick_seconds=None) as sandbox,
        ZammadClient(sandbox.url, sandbox.admin_token) as client,
    ):
        pull(client, data_dir, full=True)
    schedule = tmp_path / "retention.yml"
    schedule.write_text(SCHEDULE)
    month = previous_month()
    run = run_review(
        month, data_dir=data_dir, reports_dir=tmp_path / "reports", schedule_path=schedule
    )

    # The figures, counted here from the dataset: accounts made before the month ended, and
    # those that are not staff (the system user, Admin and Agent roles) are without tickets.
    as_of = moment(month)
    accounts = [u for u in dataset.users.values() if when(u["created_at"]) < as_of]
    customers = [u for u in accounts if u["id"] != 1 and not {1, 2} & set(u.get("role_ids") or [])]
    assert accounts and customers
    page = run.html.read_text(encoding="utf-8")
    assert (
        f"the Zammad service desk held no tickets yet, only {len(accounts):,} user accounts: "
        "nothing was past its retention period"
    ) in page
    tables = Tables(page).tables
    assert row(tables["What the Zammad service desk holds"], "Tickets")[1] == "0"
    assert row(tables["What the Zammad service desk holds"], "User accounts")[1] == (
        f"{len(accounts):,}"
    )
    assert f"Customer accounts without tickets ({len(customers):,})" in tables
    assert "Tickets to redact: none." in page
    assert page.count("No tickets held yet") == 0  # chart notes are drawn, not written
    charts = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,', page)
    assert [alt.split(" (")[0].split(",")[0] for alt in charts] == [
        "Age of the tickets held",
        "Age of the tickets held",
        "Tickets per retention rule: within and past the period",
        "Personal data found in ticket text",
    ]
    summary = json.loads((run.folder / "summary.json").read_text())
    assert (summary["tickets"], summary["users"]) == (0, len(accounts))
    assert summary["accounts_without_tickets"] == len(customers)


@pytest.mark.slow
def test_the_workbooks_own_old_copies_are_listed_and_become_an_action(pulled, tmp_path):
    import os
    import time

    reports = tmp_path / "own-reports"
    failed = reports / "retention-review" / "2026-01" / "retention-review.failed.ipynb"
    failed.parent.mkdir(parents=True)
    failed.write_text("{}")
    old = time.time() - 400 * 86400
    os.utime(failed, (old, old))
    review = build_review(
        None,
        data_dir=pulled["data_dir"],
        reports_dir=reports,
        schedule_path=pulled["schedule"],
    )
    due = review.governance.own_copies()
    assert any("failed.ipynb" in str(path) for path in due["Path"])
    actions = review.actions()
    assert "Delete the workbook's own old copies" in set(actions["What to do"])


def test_the_review_shows_the_schedule_to_sign_and_what_was_carried_out(pulled, tmp_path):
    """The month's runs from the retention log, what is still overdue, and the approval."""
    import shutil

    from mimoto_gov.registers import open_registers
    from mimoto_gov.retention.approval import approve_schedule

    data_dir = tmp_path / "data"
    shutil.copytree(pulled["data_dir"], data_dir)
    month = previous_month()
    review = build_review(month, data_dir=data_dir, schedule_path=pulled["schedule"])
    assert review.signed_schedule.notice()[1] == "warning"
    assert "PROPOSAL" in review.signed_schedule.notice()[0]
    assert review.carried_out.runs().empty and review.carried_out.problems().empty
    overdue = review.carried_out.overdue()
    assert len(overdue) and set(overdue["Status"]) == {"to do"}
    actions = set(review.actions()["What to do"])
    assert "Approve the retention schedule" in actions

    ticket = int(overdue.loc[overdue["Target"] == "ticket", "Zammad id"].iloc[0])
    with open_registers(data_dir / "registers.sqlite") as registers:
        approve_schedule(registers, "Jo Bloggs", path=pulled["schedule"])
        run_id = registers.start_retention_run(
            month, schedule_version="test-1", schedule_digest="x", planned=2
        )
        registers.record_retention_action(
            run_id, target="ticket", zammad_id=ticket, rule="Sales", action="delete",
            outcome="failed", reason="ERROR: task failed", task_id=7,
        )  # fmt: skip
        registers.finish_retention_run(run_id)
        # As if it ran in the middle of the reviewed month.
        middle = review_module.month_bounds(month)[0] + pd.Timedelta(days=14)
        registers.conn.execute(
            "UPDATE retention_runs SET started_at = ? WHERE id = ?", (middle.isoformat(), run_id)
        )
    review = build_review(month, data_dir=data_dir, schedule_path=pulled["schedule"])
    notice, level = review.signed_schedule.notice()
    assert level == "info" and "approved by Jo Bloggs" in notice
    assert list(review.signed_schedule.approvals()["This version"]) == ["yes"]
    assert list(review.carried_out.runs()["Run"]) == [run_id]
    problems = review.carried_out.problems()
    assert list(problems["Zammad id"]) == [ticket] and "task failed" in problems.iloc[0]["Why"]
    assert "1 run(s) of the schedule during the month" in review.carried_out.note()
    actions = set(review.actions()["What to do"])
    assert "Approve the retention schedule" not in actions
    assert "Check retention actions that failed" in actions
    stores = review.signed_schedule.stores()
    assert list(stores["Store"]) == ["Zammad user accounts"]  # the test schedule has no others
    assert len(review.signed_schedule.own_copies()) == 7  # the built-in periods
