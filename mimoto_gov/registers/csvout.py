"""CSV exports of the registers, safe to open in a spreadsheet.

Register text comes from people and from Zammad (an authority's name, a complaint summary, an
email address). Every CSV the workbook writes goes through one writer,
:mod:`mimoto_gov.support.csvout`: readable values (yes/no, "; "-joined lists), each line of a
text cell guarded against formulas, and every field holding a line break, a quote or a comma
quoted. These are its register-facing names.
"""

from __future__ import annotations

from mimoto_gov.support.csvout import csv_safe, frame_to_csv_text, presentable, write_frame_csv

neutralise = csv_safe

__all__ = ["frame_to_csv_text", "neutralise", "presentable", "write_frame_csv"]
