"""The deletion checklist and the local purge, on hand-made snapshot frames."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
import pytest

from mimoto_gov.erasure.lines import checklist_lines
from mimoto_gov.erasure.plan import (
    BLOCKED,
    BY_HAND,
    KEPT,
    TO_DELETE,
    load_backup_policy,
    plan_erasure,
)
from mimoto_gov.erasure.purge import Needles, find_local_copies, purge_local_copies
from mimoto_gov.errors import ConfigError
from mimoto_gov.reports.display import format_uk_date as uk_date

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
T = pd.Timestamp("2026-01-15T09:00:00Z")


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def inventory():
    users = frame(
        [
            (10, "ann@example.com", "Ann@Example.com", "Ann", "Lee", "+44 20 7946 0001", None, 1),
            (11, "bob@example.com", "bob@example.com", "Bob", "Ray", None, None, 2),
            (12, "cat@example.com", "cat@example.com", "Cat", "Moe", None, None, 2),
            (13, "sole@example.com", "sole@example.com", "Sol", "Tary", None, None, 3),
        ],
        ["id", "login", "email", "firstname", "lastname", "phone", "mobile", "organization_id"],
    )
    users["active"] = True
    organizations = frame([(1, "Ann Co"), (2, "Shared Ltd"), (3, "Solo Ltd")], ["id", "name"])
    tickets = frame(
        [
            (100, "10100", "Ann's printer", "open", "Support", 10, 1),
            (101, "10101", "Ann again", "closed", "Support", 10, 1),
            (102, "10102", "Bob's issue", "open", "Support", 11, 2),
            (103, "10103", "Call Ann Lee back", "open", "Support", 12, 2),
            (104, "10104", "Sol's ticket", "open", "Support", 13, 3),
            (105, "10105", "Solo Ltd account", "open", "Support", 11, 3),
        ],
        ["id", "number", "title", "state", "group", "customer_id", "organization_id"],
    )
    for column in ("created_at", "updated_at", "close_at", "last_contact_at"):
        tickets[column] = T
    articles = frame(
        [
            (1000, 100, "Ann Lee <ann@example.com>", "support@mimoto.co.uk", "", "Help", "hi"),
            (1001, 102, "bob@example.com", "support@mimoto.co.uk", "ANN@example.com", "Re", "cc"),
            (1002, 102, "agent@mimoto.co.uk", "bob@example.com", "", "Re", "ring +44 20 7946 0001"),
            (1003, 103, "cat@example.com", "support@mimoto.co.uk", "", "Q", "ask ann lee"),
            (1004, 103, "cat@example.com", "support@mimoto.co.uk", "", "Q", "nothing here"),
            (1005, 104, "sole@example.com", "support@mimoto.co.uk", "", "Q", "mine"),
        ],
        ["id", "ticket_id", "from", "to", "cc", "subject", "body"],
    )
    articles["content_type"] = "text/plain"
    articles["internal"] = [False, False, True, False, False, False]
    articles["sender"] = "Customer"
    articles["type"] = "email"
    articles["created_at"] = T
    attachments = frame(
        [(5000, 1000, 100, "scan.pdf", 10), (5001, 1003, 103, "x.txt", 3)],
        ["id", "article_id", "ticket_id", "filename", "size"],
    )
    return SimpleNamespace(
        users=users,
        organizations=organizations,
        tickets=tickets,
        articles=articles,
        attachments=attachments,
        snapshot_time=T,
    )


def line(plan, key):
    return next(item for item in plan.lines if item.key == key)


def test_plan_lists_the_users_tickets_and_what_zammad_keeps():
    plan = plan_erasure(inventory(), ["ann@example.com"], request_id="R-2026-0001", now=NOW)
    assert plan.user_ids == [10]
    assert list(plan.customer_tickets["number"]) == ["10100", "10101"]
    assert plan.deletion_tasks == [(10, False)]
    users = line(plan, "zammad-users")
    assert users.state == TO_DELETE and users.items[0] == "user #10: Ann Lee <Ann@Example.com>"
    tickets = line(plan, "zammad-tickets")
    assert [i.split(" (")[0] for i in tickets.items] == ["ticket #10100", "ticket #10101"]
    # Org 1 has only Ann, but --delete-organization was not given.
    org = line(plan, "organization-1")
    assert org.state == KEPT and "--delete-organization was not given" in org.why
    kept = plan.kept_articles
    found = dict(zip(kept["article_id"].astype("object"), kept["found"], strict=True))
    assert found[1001] == "email in cc"
    assert found[1002] == "phone in body"
    assert found[1003] == "name in body"
    assert 1004 not in found
    titles = kept[kept["article_id"].isna()]
    assert list(titles["ticket_number"]) == ["10103"]
    assert line(plan, "zammad-other-tickets").state == BY_HAND
    assert line(plan, "legal-holds").state == "clear"


def test_organisation_deleted_only_for_a_sole_member_with_the_flag():
    inv = inventory()
    plan = plan_erasure(
        inv, ["sole@example.com"], request_id="R-1", delete_organization=True, now=NOW
    )
    assert plan.deletion_tasks == [(13, True)]
    assert list(plan.tickets_to_delete["number"]) == ["10104", "10105"]
    org = line(plan, "organization-3")
    assert org.state == TO_DELETE and org.items == ("ticket #10105 (open, opened 15 Jan 2026)",)

    shared = plan_erasure(
        inv, ["bob@example.com"], request_id="R-2", delete_organization=True, now=NOW
    )
    assert shared.deletion_tasks == [(11, False)]
    assert line(shared, "organization-2").state == KEPT
    assert "1 other member" in line(shared, "organization-2").why


SCHEDULE_HEAD = "version: t\ndefault: {period: 6 years, action: review}\n"


def test_backups_age_out_from_the_retention_schedule(tmp_path):
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "retention.yml").write_text(
        SCHEDULE_HEAD + "backups:\n  beyond_use: Kept beyond use.\n"
        "  copies:\n  - {name: Nightly, owner: IT, holds: db, retention_days: 35,"
        " confirmed_on: 2026-01-05}\n"
        "  provider_logs:\n  - {name: Logs, owner: Zammad, holds: logs, retention_days: 14}\n"
    )
    backup_policy = load_backup_policy(policy)
    plan = plan_erasure(
        inventory(), ["ann@example.com"], request_id="R-1", backup_policy=backup_policy, now=NOW
    )
    backup = line(plan, "backup-1")
    assert backup.state == KEPT and "beyond use" in backup.why
    assert backup_policy.beyond_use == "Kept beyond use."
    assert backup.action.endswith(uk_date(date(2026, 4, 6)))
    assert "confirmed 5 Jan 2026" in backup.held
    log = line(plan, "provider-log-2")
    assert "servicedesk" in log.why and log.action.endswith("16 Mar 2026")


def test_the_shipped_backup_policy_loads_and_a_broken_one_is_named(tmp_path):
    shipped = load_backup_policy(None)
    assert shipped.beyond_use.startswith("Backups that still hold")
    assert {c.kind for c in shipped.copies} == {"backup", "provider log"}
    bad = tmp_path / "policy"
    bad.mkdir()
    (bad / "retention.yml").write_text(SCHEDULE_HEAD + "backups: {copies: [{name: x}]}\n")
    with pytest.raises(ConfigError, match="retention.yml: backups: 'beyond_use' is missing"):
        load_backup_policy(bad)
    (bad / "retention.yml").write_text(SCHEDULE_HEAD)
    with pytest.raises(ConfigError, match="retention.yml has no 'backups' section"):
        load_backup_policy(bad)


def test_a_hold_blocks_and_the_certificate_lines_do_not_identify(tmp_path):
    hold = {"source": "hold", "id": 1, "reason": "pending claim", "since": date(2026, 1, 1)}
    plan = plan_erasure(inventory(), ["ann@example.com"], request_id="R-1", holds=[hold], now=NOW)
    assert plan.blocked and line(plan, "legal-holds").state == BLOCKED
    text = repr(checklist_lines(plan, identify=False)).lower()
    assert "ann@example.com" not in text and "ann lee" not in text
    assert "user #10" in text


def write_snapshot(inv, folder):
    folder.mkdir(parents=True)
    for name in ("users", "organizations", "tickets", "articles", "attachments"):
        getattr(inv, name).to_parquet(folder / f"{name}.parquet")


def test_purge_rewrites_the_snapshot_and_reports_and_deletes_sar_packages(tmp_path):
    inv = inventory()
    data, reports = tmp_path / "data", tmp_path / "reports"
    write_snapshot(inv, data / "zammad")
    (data / ".erasure-key").write_text("ab" * 32)
    sar = reports / "sar" / "R-2026-0003"
    sar.mkdir(parents=True)
    (sar / "index.html").write_text("<p>ANN@example.com</p>")
    (reports / "review").mkdir()
    (reports / "review" / "r.html").write_text("<a href='mailto:ann%40example.com'>x</a>")
    (reports / "review" / "r.csv").write_text("who\nann@example.com\n")
    (reports / "review" / "clean.html").write_text("nothing")
    plan = plan_erasure(inv, ["ann@example.com"], request_id="R-1", now=NOW)
    needles = Needles(
        emails=plan.emails,
        user_ids=frozenset(plan.user_ids),
        ticket_ids=frozenset(plan.tickets_to_delete["id"]),
    )
    copies = find_local_copies(needles, data, reports)
    assert dict(zip(copies["path"], copies["kind"], strict=True)) == {
        "data/zammad/articles.parquet": "snapshot",
        "data/zammad/attachments.parquet": "snapshot",
        "data/zammad/tickets.parquet": "snapshot",
        "data/zammad/users.parquet": "snapshot",
        "reports/review/r.csv": "report",
        "reports/review/r.html": "report",
        "reports/sar/R-2026-0003": "sar",
    }
    result = purge_local_copies(needles, data, reports)
    assert result.left == []
    assert not sar.exists()
    assert (reports / "review" / "clean.html").read_text() == "nothing"
    assert "[erased]" in (reports / "review" / "r.html").read_text()
    users = pd.read_parquet(data / "zammad" / "users.parquet")
    assert list(users["id"]) == [11, 12, 13]
    articles = pd.read_parquet(data / "zammad" / "articles.parquet")
    assert 1000 not in set(articles["id"]) and len(articles) == 5
    assert articles.loc[articles["id"] == 1001, "cc"].item() == "[erased]"
    assert pq.read_metadata(data / "zammad" / "articles.parquet").num_rows == 5
    for path in [*data.rglob("*"), *reports.rglob("*")]:
        if path.is_file():
            assert b"ann@example.com" not in path.read_bytes().lower(), path
    # A second purge finds nothing and changes nothing.
    assert find_local_copies(needles, data, reports).empty
    assert purge_local_copies(needles, data, reports).done.empty


def test_a_pdf_is_re_rendered_from_its_redacted_html_twin(tmp_path):
    from pypdf import PdfReader

    from mimoto_gov.reports.run import render_document, render_pdf

    data, reports = tmp_path / "data", tmp_path / "reports"
    data.mkdir()
    folder = reports / "review" / "2026-01"
    folder.mkdir(parents=True)
    page = render_document("Review", "<p>Write to ann@example.com</p>", {"kind": "review"})
    (folder / "review.html").write_text(page)
    render_pdf(page, folder / "review.pdf")
    assert "ann@example.com" in PdfReader(folder / "review.pdf").pages[0].extract_text()
    needles = Needles(emails=("ann@example.com",))
    copies = find_local_copies(needles, data, reports)
    assert set(copies["path"]) == {
        "reports/review/2026-01/review.html",
        "reports/review/2026-01/review.pdf",
    }
    result = purge_local_copies(needles, data, reports)
    assert result.left == []
    text = PdfReader(folder / "review.pdf").pages[0].extract_text()
    assert "ann@example.com" not in text and "[erased]" in text


# -- what must be kept, who is told -------------------------------------------------------


def keep_policy(**changes):
    from dataclasses import replace

    from mimoto_gov.erasure.policy import load_keep_policy

    return replace(load_keep_policy(None), **changes)


def decisions(*rows):
    return pd.DataFrame(
        [
            {"flag": flag, "decision": decision, "reason": reason, "review_on": review,
             "decided_by": "DPL", "decided_on": date(2026, 3, 1)}
            for flag, decision, reason, review in rows
        ]
    )  # fmt: skip


def test_financial_tickets_are_flagged_by_group_and_by_word():
    inv = inventory()
    inv.tickets.loc[inv.tickets["id"] == 100, "group"] = "Billing"
    inv.articles.loc[inv.articles["id"] == 1000, "body"] = "Please REFUNDED twice? prefunded no"
    plan = plan_erasure(
        inv, ["ann@example.com"], request_id="R-1", keep_policy=keep_policy(), now=NOW
    )
    (flag,) = plan.flags
    assert flag.key == "ticket-10100" and flag.decision is None
    assert flag.why == 'in the Billing group; "refunded" in article 1000'
    assert line(plan, "keep-decisions").state == BLOCKED
    assert "erasure decide R-1 ticket-10100" in line(plan, "keep-decisions").why
    # Words are stems at the start of a word: "prefunded" alone flags nothing.
    inv.tickets.loc[inv.tickets["id"] == 100, "group"] = "Support"
    inv.articles.loc[inv.articles["id"] == 1000, "body"] = "prefunded"
    plan = plan_erasure(
        inv, ["ann@example.com"], request_id="R-1", keep_policy=keep_policy(), now=NOW
    )
    assert plan.flags == () and not [x for x in plan.lines if x.key == "keep-decisions"]


def test_a_kept_ticket_is_taken_out_of_the_deletion_and_out_of_the_redaction_list():
    inv = inventory()
    inv.tickets.loc[inv.tickets["id"] == 101, "title"] = "Invoice 7 for Ann Lee"
    kept = decisions(("ticket-10101", "keep", "tax: six years", date(2032, 4, 6)))
    plan = plan_erasure(
        inv, ["ann@example.com"], request_id="R-1", keep_policy=keep_policy(), decisions=kept,
        now=NOW,
    )  # fmt: skip
    assert list(plan.tickets_to_delete["number"]) == ["10100"]
    assert [(f.number, f.ticket_id, f.decision) for f in plan.kept] == [("10101", 101, "keep")]
    assert plan.undecided == [] and line(plan, "keep-decisions").state == "clear"
    kept_line = line(plan, "kept-tickets")
    assert kept_line.state == KEPT and "6 Apr 2032" in kept_line.items[0]
    assert "HMRC" in kept_line.why
    assert "10101" not in set(plan.kept_articles["ticket_number"].astype(str))
    # Erase decided: deleted with the rest, the flag settled.
    erased = decisions(("ticket-10101", "erase", None, None))
    plan = plan_erasure(
        inv, ["ann@example.com"], request_id="R-1", keep_policy=keep_policy(), decisions=erased,
        now=NOW,
    )  # fmt: skip
    assert list(plan.tickets_to_delete["number"]) == ["10100", "10101"] and plan.kept == ()


def test_each_recipient_in_the_record_of_processing_is_a_step_or_says_why_not():
    from mimoto_gov.erasure.model import NOT_NEEDED, Recipient

    recipients = [
        Recipient("Mail Tool Ltd", "processor", "mailing list", told=True),
        Recipient("Gaug.es", "processor", "analytics", told=False, why_not="nothing personal"),
    ]
    plan = plan_erasure(
        inventory(), ["ann@example.com"], request_id="R-1", recipients=recipients, now=NOW
    )
    told = line(plan, "notify-mail-tool-ltd")
    assert told.state == BY_HAND and "Art. 19" in told.action and told.manual
    assert line(plan, "notify-gaug-es").state == NOT_NEEDED
    assert line(plan, "confirm-to-person").state == BY_HAND
    shipped = plan_erasure(inventory(), ["ann@example.com"], request_id="R-1", now=NOW)
    names = {x.key for x in shipped.lines if x.key.startswith("notify-")}
    assert "notify-website-hosting-provider" in names and "notify-gaug-es" in names


def test_a_broken_erasure_policy_is_named(tmp_path):
    from mimoto_gov.erasure.policy import load_keep_policy

    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "erasure.yml").write_text("keep: {basis: x}\n")
    with pytest.raises(ConfigError, match="erasure.yml is malformed"):
        load_keep_policy(policy)
