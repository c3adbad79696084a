"""The workbook's own copies: what is past its period, dry runs, deleting, the index after.

A real data and reports folder is built in the layout the workbook writes (subject access
packages, erasure folders, monthly reviews, raw analytics responses, failed notebooks) with
modification times set in the past, and a real registers file holding closed requests.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from mimoto_gov.audits.own_copies import COLUMNS, own_copies_due
from mimoto_gov.audits.own_copies_schedule import load_own_copies_schedule
from mimoto_gov.audits.own_copies_tidy import tidy_own_copies
from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.files import repository_policy_dir
from mimoto_gov.policy.schedule import load_schedule, repository_schedule_path
from mimoto_gov.policy.schedule_sections import parse_own_copies
from mimoto_gov.reports.index import write_index
from tests.helpers.inprocess import history, run

TODAY = datetime.now(UK_TIME).date()  # the command judges on the real day
DEFAULT = "default: {period: 6 years, action: review}"


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def write(path: Path, text: str = "x", *, age: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stamp = datetime.combine(days_ago(age), time(12), UK_TIME).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def run_json(folder: Path, kind: str, files: dict, *, age: int) -> None:
    description = {
        "kind": kind,
        "run_id": folder.name,
        "title": f"{kind} {folder.name}",
        "generated_at": f"{days_ago(age).isoformat()}T12:00:00+00:00",
        "files": files,
    }
    write(folder / "run.json", json.dumps(description), age=age)


def request(regs, kind: str, *, received: int, closed: int | None = None) -> str:
    item = regs.add_request(kind, f"{kind}-{received}@example.org", received_on=days_ago(received))
    if closed is not None:
        regs.close_request(item.id, "done", closed_on=days_ago(closed))
    return item.id


@pytest.fixture
def workbook(tmp_path):
    data, reports = tmp_path / "data", tmp_path / "reports"
    with history(data / "registers.sqlite") as regs:
        ids = {
            "sar_old": request(regs, "access", received=230, closed=200),
            "sar_recent": request(regs, "access", received=70, closed=60),
            "sar_open": request(regs, "access", received=5),
            "erase_cert": request(regs, "erasure", received=110, closed=100),
            "erase_done": request(regs, "erasure", received=50, closed=40),
            "erase_recent": request(regs, "erasure", received=20, closed=10),
            "erase_open": request(regs, "erasure", received=300),
        }
    sar = reports / "sar"
    for key in ("sar_old", "sar_recent", "sar_open"):
        write(sar / ids[key] / "index.html", age=300)
        write(sar / ids[key] / "csv" / "tickets.csv", age=300)
    write(sar / "R-2019-0042" / "index.html", age=2000)  # not in the register: never due

    erasure = reports / "erasure"
    cert = erasure / ids["erase_cert"]
    for name in ("checklist.html", "checklist.pdf"):
        write(cert / name, age=120)
    for name in ("certificate.html", "certificate.pdf"):
        write(cert / name, age=100)
    # As if a dry run had been rendered again after the erasure: the run points at the checklist.
    run_json(cert, "erasure", {"html": "checklist.html", "pdf": "checklist.pdf"}, age=100)
    for key in ("erase_done", "erase_recent", "erase_open"):
        write(erasure / ids[key] / "checklist.html", age=250)
        run_json(erasure / ids[key], "erasure", {"html": "checklist.html"}, age=250)
    old_cert = erasure / "R-2019-0007"
    write(old_cert / "certificate.html", age=7 * 366)
    run_json(old_cert, "erasure", {"html": "certificate.html"}, age=7 * 366)

    review = reports / "retention-review"
    files = {"html": "retention-review.html", "pdf": "retention-review.pdf"}
    for month, age in (("2023-10", 800), ("2026-01", 300)):
        for name in files.values():
            write(review / month / name, age=age)
        run_json(review / month, "retention-review", files, age=age)
    write(review / "2023-10" / "retention-review.failed.ipynb", age=810)  # goes with its folder
    write(review / "2026-10" / "retention-review.failed.ipynb", age=45)
    write(review / "2026-11" / "retention-review.failed.ipynb", age=5)
    plans = reports / "retention"
    for month, age in (("2024-09", 760), ("2026-10", 30)):
        for name in ("plan.html", "plan.pdf", "plan.csv"):
            write(plans / month / name, age=age)

    raw = data / "gauges" / "raw"
    write(raw / "g1" / "traffic" / "old.json", age=500)
    write(raw / "g2" / "content" / "old_p2.json", age=450)
    write(raw / "g1" / "traffic" / "recent.json", age=100)
    write(data / "gauges" / "tables" / "traffic.parquet", age=900)  # tables have no period here
    write_index(reports)
    return data, reports, ids


def expected_due(ids) -> set[str]:
    return {
        f"sar/{ids['sar_old']}/",
        f"erasure/{ids['erase_cert']}/checklist.html",
        f"erasure/{ids['erase_cert']}/checklist.pdf",
        f"erasure/{ids['erase_done']}/",
        "erasure/R-2019-0007/",
        "retention-review/2023-10/",
        "retention-review/2026-10/retention-review.failed.ipynb",
        "retention/2024-09/",
        "gauges/raw/g1/traffic/old.json",
        "gauges/raw/g2/content/old_p2.json",
    }


def tree(*roots: Path) -> set[str]:
    return {str(p) for root in roots for p in root.rglob("*")}


def test_lists_exactly_what_is_past_its_period(workbook):
    data, reports, ids = workbook
    due = own_copies_due(data_dir=data, reports_dir=reports, today=TODAY)
    assert list(due.columns) == COLUMNS
    assert set(due["Path"]) == expected_due(ids)
    assert len(due) == len(expected_due(ids))  # nothing listed twice
    rows = due.set_index("Path")
    sar = rows.loc[f"sar/{ids['sar_old']}/"]
    assert sar["What"] == "Subject access package"
    assert sar["Period"] == "6 months"
    closed = days_ago(200)
    assert sar["Kept since"] == f"{closed.day} {closed:%b %Y}"  # the closing day, UK style
    assert rows.loc[f"erasure/{ids['erase_cert']}/checklist.html", "Action"] == (
        "delete the file (the certificate stays)"
    )
    assert rows.loc["erasure/R-2019-0007/", "Period"] == "6 years"
    assert rows.loc["gauges/raw/g1/traffic/old.json", "Period"] == "14 months"
    assert rows.loc["retention/2024-09/", "What"] == "Monthly retention plan"
    assert all(due["Reason"].str.len() > 20)
    version = load_schedule(repository_schedule_path()).version
    assert due.attrs["schedule"] == f"retention.yml {version} (proposed)"


def test_a_dry_run_deletes_nothing(workbook):
    data, reports, ids = workbook
    before = tree(data, reports)
    index = (reports / "index.html").read_text()
    result = tidy_own_copies(data_dir=data, reports_dir=reports, today=TODAY)
    assert not result.executed and result.deleted == [] and result.index is None
    assert set(result.due["Path"]) == expected_due(ids)
    assert tree(data, reports) == before
    assert (reports / "index.html").read_text() == index


def test_execute_deletes_exactly_what_is_listed_and_the_index_forgets_it(workbook):
    data, reports, ids = workbook
    before = tree(data, reports)
    index = (reports / "index.html").read_text()
    assert 'href="retention-review/2023-10/retention-review.html"' in index
    assert f'href="erasure/{ids["erase_cert"]}/checklist.html"' in index

    result = tidy_own_copies(data_dir=data, reports_dir=reports, today=TODAY, execute=True)

    assert set(result.deleted) == expected_due(ids) and result.failed == []
    gone = before - tree(data, reports)
    for path in expected_due(ids):
        root = data if path.startswith("gauges/") else reports
        assert not (root / path).exists()
        assert str(root / path.rstrip("/")) in gone
    # Nothing else went: every path that disappeared was under a listed one...
    listed = [
        str((data if p.startswith("gauges/") else reports) / p.rstrip("/"))
        for p in expected_due(ids)
    ]
    # ...or is a folder the deletion left empty.
    emptied = {
        str(data / "gauges" / "raw" / "g2"),
        str(data / "gauges" / "raw" / "g2" / "content"),
        str(reports / "retention-review" / "2026-10"),
    }
    assert {g for g in gone if not any(g == p or g.startswith(p + "/") for p in listed)} == emptied
    assert (reports / "erasure" / ids["erase_cert"] / "certificate.pdf").is_file()
    assert (reports / "sar" / ids["sar_recent"] / "index.html").is_file()
    assert (data / "gauges" / "raw" / "g1" / "traffic" / "recent.json").is_file()
    assert not (data / "gauges" / "raw" / "g2").exists()  # emptied folders go too

    index = (reports / "index.html").read_text()
    assert result.index == reports / "index.html"
    assert "retention-review/2023-10" not in index and "R-2019-0007" not in index
    assert f"erasure/{ids['erase_done']}" not in index
    assert f'href="erasure/{ids["erase_cert"]}/certificate.html"' in index
    assert f"erasure/{ids['erase_cert']}/checklist" not in index
    assert f'href="erasure/{ids["erase_open"]}/checklist.html"' in index
    assert 'href="retention-review/2026-01/retention-review.html"' in index

    again = own_copies_due(data_dir=data, reports_dir=reports, today=TODAY)
    assert again.empty


def test_the_command_dry_runs_then_executes(workbook, capsys, monkeypatch):
    data, reports, ids = workbook
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(reports))
    before = tree(data, reports)
    code, out, err = run(capsys, "tidy")
    assert code == 0 and err == ""
    assert f"sar/{ids['sar_old']}/" in out and "Dry run: 10 item(s) would be deleted" in out
    assert "proposals" in out
    assert tree(data, reports) == before

    code, out, err = run(capsys, "tidy", "--execute")
    assert code == 0 and err == ""
    assert "deleted retention-review/2023-10/" in out and "Deleted 10 item(s)" in out
    assert not (reports / "retention-review" / "2023-10").exists()
    code, out, _ = run(capsys, "tidy")
    assert code == 0 and "Nothing is past its period." in out


def test_a_missing_registers_file_is_not_created(workbook, capsys, monkeypatch):
    data, reports, ids = workbook
    (data / "registers.sqlite").unlink()
    due = own_copies_due(data_dir=data, reports_dir=reports, today=TODAY)
    # Without the register nothing says when a request closed: packages and checklists stay.
    assert not any(p.startswith("sar/") for p in due["Path"])
    assert "erasure/R-2019-0007/" in set(due["Path"])
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(reports))
    code, _, _ = run(capsys, "tidy", "--execute")
    assert code == 0
    assert not (data / "registers.sqlite").exists()
    assert (reports / "sar" / ids["sar_old"]).is_dir()


def test_empty_folders_get_nothing_created(tmp_path):
    data, reports = tmp_path / "data", tmp_path / "reports"
    result = tidy_own_copies(data_dir=data, reports_dir=reports, today=TODAY, execute=True)
    assert result.due.empty and result.index is None
    assert not data.exists() and not reports.exists()


def test_the_data_folders_copy_of_the_periods_wins(workbook):
    data, reports, _ = workbook
    write(
        data / "policy" / "retention.yml",
        f"version: local\n{DEFAULT}\nown_copies:\n  failed_notebooks:\n    period: 90 days\n",
        age=0,
    )
    due = own_copies_due(data_dir=data, reports_dir=reports, today=TODAY)
    assert "retention-review/2026-10/retention-review.failed.ipynb" not in set(due["Path"])
    # An entry left out keeps the built-in period.
    assert "retention-review/2023-10/" in set(due["Path"])
    assert due.attrs["schedule"] == "retention.yml local (proposed)"


def test_the_repository_periods_are_proposals_with_reasons():
    schedule = load_own_copies_schedule(repository_policy_dir().parent)
    assert schedule.status == "proposed" and not schedule.approved
    assert str(schedule.rules["subject_access_packages"].period) == "6 months"
    assert str(schedule.rules["erasure_certificates"].period) == "6 years"
    assert str(schedule.rules["monthly_reviews"].period) == "24 months"
    assert str(schedule.rules["analytics_raw"].period) == "14 months"
    assert str(schedule.rules["failed_notebooks"].period) == "30 days"
    assert str(schedule.rules["retention_plans"].period) == "24 months"
    assert all(len(rule.reason) > 60 for rule in schedule.rules.values())
    built_in = parse_own_copies(None, ConfigError)
    assert built_in.keys() == schedule.rules.keys()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("own_copies:\n  sar: 6 months\n", "unknown kind 'sar'"),
        ("own_copies:\n  monthly_reviews:\n    period: forever\n", "monthly_reviews: period"),
        ("status: approved\n", "retention approve"),
        ("own_copies: [1]\n", "'own_copies' must be a mapping"),
    ],
)
def test_a_malformed_file_is_one_line_naming_the_entry(
    tmp_path, capsys, monkeypatch, text, message
):
    data = tmp_path / "data"
    write(data / "policy" / "retention.yml", f"version: t\n{DEFAULT}\n{text}", age=0)
    with pytest.raises(ConfigError, match=message):
        own_copies_due(data_dir=data, reports_dir=tmp_path / "reports", today=TODAY)
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data))
    code, out, err = run(capsys, "tidy")
    assert code != 0 and out == ""
    assert err.startswith("mimoto-gov: error: retention.yml:") and err.count("\n") == 1


def fail_naming(source: str):
    return lambda message: ConfigError(f"{source}: {message}")


def test_one_copy_rule_from_a_period_a_mapping_or_nothing():
    fail = fail_naming("retention.yml")
    rules = parse_own_copies(
        {
            "failed_notebooks": "14 days",
            "monthly_reviews": {"period": "3 years", "reason": " Audit  trail. "},
        },
        fail,
    )
    short = rules["failed_notebooks"]
    assert (short.what, str(short.period)) == ("Failed-run notebook", "14 days")
    assert short.reason.startswith("Kept only to find the fault")
    reasoned = rules["monthly_reviews"]
    assert (str(reasoned.period), reasoned.reason) == ("3 years", "Audit trail.")
    assert str(rules["analytics_raw"].period) == "14 months"
    with pytest.raises(
        ConfigError, match=r"^retention.yml: own_copies: analytics_raw: unknown key"
    ):
        parse_own_copies({"analytics_raw": {"keep": "1 year"}}, fail)
    with pytest.raises(ConfigError, match="expected 'period' and 'reason'"):
        parse_own_copies({"analytics_raw": ["1 year"]}, fail)
