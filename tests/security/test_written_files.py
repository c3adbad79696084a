"""Files the workbook writes from a real pull: no write through a symlinked folder, no formula
past the CSV guard in a subject access package, no attachment name escaping its folder."""

from __future__ import annotations

import csv
import stat
from datetime import date, timedelta

import pytest

from mimoto_gov.cli import main
from mimoto_gov.registers import open_registers
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.sar.case import build_sar_package
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull

HIDDEN_FORMULA = "late reply\r=cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("written")
    with Sandbox(seed=3, tickets=40, task_tick_seconds=None) as sandbox:
        subject_id = sandbox.dataset.personas["subject"]
        email = sandbox.dataset.users[subject_id]["email"]
        ticket = sandbox.add_ticket(subject_id, "Where is my order", articles=1)
        sandbox.add_article(
            ticket,
            subject=HIDDEN_FORMULA,
            body="first line\n@SUM(1+1)\r\n-2+3",
            attachments=[
                {"filename": "../../../outside.txt", "content": b"x", "content_type": "text/plain"}
            ],
        )
        with ZammadClient(sandbox.url, sandbox.admin_token) as client:
            pull(client, root / "data", full=True, show_progress=False)
            with open_registers(root / "data" / "registers.sqlite") as reg:
                request = reg.add_request("access", [email], date.today() - timedelta(days=2))
                reg.verify_identity(request.id, "from the account's address", "J Bloggs", "headers")
            folder = build_sar_package(
                request.id,
                email,
                data_dir=root / "data",
                reports_dir=root / "reports",
                client=client,
            )
        yield root, folder


@pytest.mark.slow
def test_the_subject_access_articles_csv_keeps_formulas_inert(world):
    _, folder = world
    # The messages as sent to the person (plain headings): send/csv/messages.csv.
    with (folder / "send" / "csv" / "messages.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    tickets = [row["Ticket"] for row in rows]
    assert all(t.isdigit() for t in tickets), "a line break inside a field started a new row"
    subjects = [row["Subject"] for row in rows]
    assert "late reply\r'=cmd|' /C calc'!A0" in subjects
    for row in rows:
        for cell in row.values():
            for line in (cell or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                assert not line.lstrip(" ").startswith(FORMULA_STARTS), repr(cell)


@pytest.mark.slow
def test_an_attachment_name_never_leaves_the_package(world):
    root, folder = world
    names = {p.name for p in (folder / "send" / "attachments").iterdir()}
    assert "outside.txt" in names
    assert not (root / "outside.txt").exists() and not (folder / "outside.txt").exists()


@pytest.mark.slow
def test_review_refuses_a_symlinked_report_folder_in_one_line(world, monkeypatch, capsys):
    root, _ = world
    elsewhere = root / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    reports = root / "reports"
    (reports / "retention-review").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(root / "data"))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(reports))
    code = main(["review", "--month", "2026-01"])
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1, err
    assert "retention-review" in err and "link" in err
    assert list(elsewhere.iterdir()) == []
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755
    (reports / "retention-review").unlink()
