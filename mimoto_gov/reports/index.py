"""The index of every rendered report: ``reports/index.html``.

Each run folder holds a ``run.json`` describing it (kind, run id, title, generation time,
file names, summary). The index is rebuilt from those files after every run, so it never
disagrees with what is on disk, and it is rendered through the house page (CSP included).

The page opens with what needs doing: sections (a heading, a sentence and a table) composed
elsewhere (:mod:`mimoto_gov.views.front_page`) and handed over as plain text and frames.
They are kept beside the index (``.index-front.html``), so that a report run rebuilding the
index keeps them until they are next refreshed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from mimoto_gov.reports.display import callout_html, format_uk_date, table_html
from mimoto_gov.reports.render import render_document
from mimoto_gov.support.files import private_dir, write_text
from mimoto_gov.support.safe_output import escape

RUN_FILE = "run.json"
INDEX_FILE = "index.html"
FRONT_FILE = ".index-front.html"


@dataclass(frozen=True)
class FrontSection:
    """One section at the top of the index: a heading, a sentence, a table.

    ``level`` is ``info``, ``warning`` or ``action`` (how the sentence is shown).
    """

    heading: str
    text: str
    table: pd.DataFrame | None = None
    level: str = "info"


def list_reports(reports_dir: str | Path) -> list[dict[str, Any]]:
    """List the reports under ``reports_dir``, newest run first within each kind.

    Args:
        reports_dir: the reports folder (``reports/``).

    Returns:
        One dict per run, as written to its ``run.json``, with ``folder`` added. Folders
        without a readable ``run.json`` (a failed first run, for instance) are skipped.

    """
    root = Path(reports_dir)
    runs = []
    for run_file in sorted(root.glob(f"*/*/{RUN_FILE}")):
        folder = run_file.parent
        if folder.name.startswith(".") or folder.parent.name.startswith("."):
            continue
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(run, dict):
            continue
        run["folder"] = str(folder)
        runs.append(run)
    runs.sort(key=lambda r: str(r.get("run_id", "")), reverse=True)
    runs.sort(key=lambda r: str(r.get("kind", "")))
    return runs


def write_index(reports_dir: str | Path, front: list[FrontSection] | None = None) -> Path:
    """Rebuild ``reports_dir/index.html`` from the run folders; returns its path.

    Args:
        reports_dir: the reports folder.
        front: the sections to open the page with (the due list, the commitments); when
            None, those last given are kept.

    """
    root = private_dir(Path(reports_dir))
    runs = list_reports(root)
    now = dt.datetime.now(dt.UTC).isoformat()
    if front is not None:
        write_text(root / FRONT_FILE, _front_html(front))
    try:
        opening = (root / FRONT_FILE).read_text(encoding="utf-8")
    except OSError:
        opening = ""
    reports = '<h2 id="reports">Reports</h2>' + _index_body(root, runs) if opening else ""
    body = opening + reports if opening else _index_body(root, runs)
    # The list of runs names nobody (titles, kinds, dates); the opening sections (the due
    # list) may name a request's subject, so only a bare index drops the footer's warning.
    info = {"generated_at": now, "personal_data": bool(opening)}
    page = render_document("Reports", body, info)
    return write_text(root / INDEX_FILE, page)


def _front_html(front: list[FrontSection]) -> str:
    parts = []
    for section in front:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts.append(callout_html(section.text, section.level))
        if section.table is not None and not section.table.empty:
            parts.append(table_html(section.table))
    return "".join(parts)


def _index_body(root: Path, runs: list[dict[str, Any]]) -> str:
    if not runs:
        return '<p class="mg-text">No reports yet.</p>'
    parts = [
        f'<p class="mg-text">{len(runs):,} report{"s" if len(runs) != 1 else ""}, '
        "newest run first within each kind.</p>",
        '<div class="mg-table"><table class="mg-data"><thead><tr>'
        '<th scope="col">Kind</th><th scope="col">Run</th><th scope="col">Title</th>'
        '<th scope="col">Generated</th><th scope="col">Files</th></tr></thead><tbody>',
    ]
    for run in runs:
        folder = Path(run["folder"])
        try:
            relative = folder.relative_to(root).as_posix()
        except ValueError:
            continue
        files = run.get("files", {})
        links = []
        for label, key in (("HTML", "html"), ("PDF", "pdf"), ("notebook", "ipynb")):
            name = files.get(key)
            if name and (folder / name).is_file():
                href = quote(f"{relative}/{name}")
                links.append(f'<a href="{escape(href)}">{label}</a>')
        generated = format_uk_date(run.get("generated_at"), with_time=True)
        parts.append(
            "<tr>"
            f"<td>{escape(run.get('kind', ''))}</td>"
            f"<td>{escape(run.get('run_id', ''))}</td>"
            f"<td>{escape(run.get('title', ''))}</td>"
            f"<td>{escape(generated)}</td>"
            f"<td>{' · '.join(links)}</td>"
            "</tr>"
        )
    parts.append("</tbody></table></div>")
    return "".join(parts)
