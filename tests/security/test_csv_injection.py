"""Formulas hidden after a line break inside a field do not reach a spreadsheet.

A field holding a CR or LF is quoted, so no reader sees a new row, and the formula guard
applies to the start of every line inside a field, not only to the start of the field.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from mimoto_gov.registers import open_registers
from mimoto_gov.support.safe_output import write_csv
from tests.helpers.inprocess import run

FORMULA_STARTS = ("=", "+", "-", "@")
SUMMARIES = [
    "late reply\r=cmd|' /C calc'!A0",
    "late reply\n=cmd|' /C calc'!A0",
    "late reply\r\n  +SUM(1+1)",
    'said "no"\r@SUM(A1)',
    "a;b,c\r-2+3",
]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if is_number(cell):
                continue  # a number written as a number, not text
            for line in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                assert not line.lstrip(" ").startswith(FORMULA_STARTS), repr(cell)
                assert not line.startswith("\t"), repr(cell)


def test_a_complaint_summary_cannot_start_a_row_in_the_export(tmp_path):
    with open_registers(tmp_path / "registers.sqlite") as reg:
        ids = [reg.add_complaint(s, date(2026, 1, 5)) for s in SUMMARIES]
        path = reg.export_csv("complaints", tmp_path / "complaints.csv")
    rows = rows_of(path.read_bytes().decode("utf-8"))
    assert len(rows) == 1 + len(SUMMARIES)
    header = rows[0]
    by_id = {row[header.index("id")]: row for row in rows[1:]}
    assert set(by_id) == set(ids)
    summary = by_id[ids[0]][header.index("summary")]
    assert summary == "late reply\r'=cmd|' /C calc'!A0"
    assert_inert(rows)


def test_the_export_to_stdout_is_quoted_and_guarded_too(capsys, data_dir):
    with open_registers(data_dir / "registers.sqlite") as reg:
        reg.add_complaint(SUMMARIES[0], date(2026, 1, 5))
    code, out, _ = run(capsys, "register", "complaints", "export")
    assert code == 0
    rows = rows_of(out)
    assert len(rows) == 2
    assert_inert(rows)


@pytest.mark.parametrize("summary", SUMMARIES)
def test_every_csv_the_workbook_writes_uses_the_one_writer(tmp_path, summary):
    frame = pd.DataFrame({"subject": [summary, "plain"], "body": ["ok", summary], "n": [1, -2]})
    path = write_csv(frame, tmp_path / "articles.csv")
    rows = rows_of(path.read_bytes().decode("utf-8"))
    assert len(rows) == 3
    assert rows[2][2] == "-2"  # numbers are numbers, not guarded text
    assert_inert(rows)
