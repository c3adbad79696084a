"""The analytics review notebook under papermill: HTML and PDF, no small cells, nothing raw."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mimoto_gov.cli import main
from tests.helpers.paths import FIXTURES as ALL_FIXTURES
from tests.helpers.paths import ROOT

FIXTURES = ALL_FIXTURES / "gauges"
RAW_VALUES = (
    "jane.doe@example.org",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "203.0.113.45",
    "c0ffee00deadbeef1234567890abcdef",
    "alex.staff@example.com",
)


class Tables(HTMLParser):
    """Collect every table as a list of rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def count_cells(html: str) -> list[tuple[str, str]]:
    """(column header, cell text) of every Views / Unique people cell in the page."""
    parser = Tables()
    parser.feed(html)
    cells = []
    for table in parser.tables:
        header, *rows = table
        for index, name in enumerate(header):
            if name in ("Views", "Unique people"):
                cells.extend((name, row[index]) for row in rows if index < len(row))
    return cells


def assert_no_small_cells(html: str) -> None:
    cells = count_cells(html)
    assert cells, "no count columns found"
    for name, text in cells:
        if re.fullmatch(r"[\d,]+", text):
            assert int(text.replace(",", "")) >= 5, (name, text)
        else:
            assert text in ("fewer than 5", "not exported"), (name, text)
    # nor in prose or examples ("Rutland: 2 views")
    assert not re.search(r"\b[0-4] views?\b", html)


@pytest.mark.slow
def test_review_of_imported_exports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(tmp_path / "reports"))
    assert main(["analytics", "import", str(FIXTURES / "planted")]) == 0
    # a hostile page path and title (text written by outsiders) must stay inert
    hostile = tmp_path / "hostile" / "5f3a1c2b9d8e7f6a5b4c3d21" / "content" / "2026-10-09.json"
    hostile.parent.mkdir(parents=True)
    hostile.write_text(json.dumps({"date": "2026-10-09", "content": [
        {"title": "<img src=x onerror=alert(1)>", "path": "/<script>alert(1)</script>",
         "host": "mimoto.co.uk", "views": 4000},
    ]}))  # fmt: skip
    assert main(["analytics", "import", str(hostile)]) == 0
    capsys.readouterr()
    code = main(["analytics", "review", "--from", "2026-08", "--to", "2026-10"])
    out, err = capsys.readouterr()
    assert code == 0, err
    html_path, pdf_path = (Path(line) for line in out.strip().splitlines())
    assert html_path == tmp_path / "reports" / "analytics" / "2026-08_2026-10" / "analytics.html"
    html = html_path.read_text()
    assert_no_small_cells(html)
    for value in RAW_VALUES:
        assert value not in html
    assert "fewer than 5" in html
    assert "Which pages are popular" in html and "Anonymity audit" in html
    assert "j*******@e******.org" in html  # the planted email, masked, as evidence
    assert "Rutland (fewer than 5 views)" in html
    assert "not exported" in html  # August's people from the CSV
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, escaped
    from pypdf import PdfReader

    reader = PdfReader(pdf_path)
    assert reader.metadata.title == "Analytics review, 2026-08 to 2026-10"
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Anonymity audit" in text
    for value in RAW_VALUES:
        assert value not in text


@pytest.mark.slow
def test_review_runs_on_the_bundled_sample_with_default_parameters(tmp_path, monkeypatch):
    from mimoto_gov.reports.run import run_report

    monkeypatch.setenv("MIMOTO_GOV_DATA", str(tmp_path / "empty"))
    notebook = ROOT / "notebooks" / "analytics_review.ipynb"
    run = run_report("analytics", notebook, "defaults", {}, title="Analytics review (sample)",
                     reports_dir=tmp_path / "reports")  # fmt: skip
    html = run.html.read_text()
    assert "synthetic sample" in html
    assert_no_small_cells(html)
    assert "United Kingdom" in html


def test_review_refuses_a_period_without_imported_data(capsys):
    code = main(["analytics", "review", "--from", "2026-01", "--to", "2026-02"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no imported Gaug.es data covers 2026-01 to 2026-02" in err


@pytest.mark.slow
def test_review_with_relative_folders_uses_the_imported_data(tmp_path, monkeypatch, capsys):
    # The notebook's kernel runs in notebooks/: relative folders must still mean this folder.
    monkeypatch.setenv("MIMOTO_GOV_DATA", "data")
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", "reports")
    assert main(["analytics", "import", str(FIXTURES / "clean")]) == 0
    capsys.readouterr()
    assert main(["analytics", "review", "--from", "2026-09", "--to", "2026-10"]) == 0
    html_path = Path(capsys.readouterr().out.strip().splitlines()[0])
    assert html_path.is_relative_to(Path.cwd() / "reports")
    html = html_path.read_text()
    assert "bundled synthetic sample" not in html
    assert "Gaug.es exports imported into" in html
