"""The reports index opens with the sections handed to it, and keeps them between runs."""

from __future__ import annotations

import stat

import pandas as pd

from mimoto_gov.reports.index import FRONT_FILE, FrontSection, write_index


def test_the_front_sections_come_first_escaped_and_are_kept(tmp_path):
    reports = tmp_path / "reports"
    table = pd.DataFrame({"entry": ["R-2026-0001"], "what": ["<script>alert(1)</script>"]})
    front = [
        FrontSection("Due", "1 overdue, 0 due within 14 days.", table, level="action"),
        FrontSection("Commitments", "3 met, 1 not met.", None, level="warning"),
    ]
    page = write_index(reports, front=front).read_text()
    assert page.index(">Due</h2>") < page.index(">Commitments</h2>") < page.index(">Reports</h2>")
    assert "R-2026-0001" in page and "<script>alert" not in page
    assert stat.S_IMODE((reports / FRONT_FILE).stat().st_mode) == 0o600
    # A report run rebuilds the index without sections: the last ones stay on top.
    again = write_index(reports).read_text()
    assert "R-2026-0001" in again and again.index(">Due</h2>") < again.index(">Reports</h2>")


def test_without_sections_the_index_is_the_list_of_reports(tmp_path):
    page = write_index(tmp_path / "reports").read_text()
    assert "No reports yet." in page and ">Due</h2>" not in page


def test_only_an_index_with_sections_warns_of_personal_data(tmp_path):
    bare = write_index(tmp_path / "bare").read_text()
    assert "Holds no personal data" in bare and "Contains personal data" not in bare
    front = [FrontSection("Due", "1 overdue.", None, level="action")]
    opened = write_index(tmp_path / "opened", front=front).read_text()
    assert "Contains personal data" in opened
