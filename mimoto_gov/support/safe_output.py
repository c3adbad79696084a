"""Output helpers that keep untrusted text inert in HTML.

Ticket titles, bodies, customer names and analytics paths are written by outsiders. In HTML
they are escaped here. CSV has its own writer, :mod:`mimoto_gov.support.csvout` (the one every
CSV of the workbook goes through); its names are re-exported for older imports.
"""

from __future__ import annotations

import html
from typing import Any

from mimoto_gov.support.csvout import csv_safe, safe_frame, write_csv


def escape(text: Any) -> str:
    """Escape a value for HTML text or a quoted attribute (``None`` becomes "")."""
    if text is None:
        return ""
    return html.escape(str(text), quote=True)


__all__ = ["csv_safe", "escape", "safe_frame", "write_csv"]
