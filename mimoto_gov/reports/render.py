"""Render executed notebooks and other documents to HTML and PDF in the house style.

One nbconvert template (``templates/report``) gives every report the same page: the title, a
run box (parameters, data snapshot, policy version, generation time), a table of contents
built from the ``##``/``###`` headings, print CSS for A4 and a Content-Security-Policy that
allows no script and no remote resource. Code is never shown.

Untrusted text is kept inert three times over: the display helpers escape it at the source,
every ``text/html`` output is cleaned again here with an allowlist (no script, no event
attribute, no remote fetch), and the CSP blocks whatever might remain in a browser. The PDF
renderer may only read ``data:`` URLs, so a hostile ``file://`` or ``http://`` reference can
neither be embedded nor fetched.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import html
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import nh3

from mimoto_gov.errors import ReportError
from mimoto_gov.formats import format_uk_date
from mimoto_gov.reports.display import RUN_INFO_MIMETYPE
from mimoto_gov.support.files import write_bytes
from mimoto_gov.support.safe_output import escape

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "report"

#: The Content-Security-Policy every report and the index carry.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

TOC_PLACEHOLDER = "<!--mimoto-gov:toc-->"

# What report outputs may contain after cleaning: document structure, tables, lists and
# images. No script, style, form, frame, object or link element survives, and no on* attribute.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "role", "lang", "dir", "style", "aria-label"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "scope"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
    "time": {"datetime"},
}
_ALLOWED_STYLE_PROPERTIES = {
    "text-align", "vertical-align", "font-weight", "font-style", "color", "background-color",
    "white-space", "width", "min-width", "max-width", "border", "border-bottom", "padding",
}  # fmt: skip
# Links may point at web pages or within the report; images must be embedded.
_URL_SCHEMES = {"http", "https", "mailto", "data"}

_DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/png",
    "image/jpeg",
    "image/svg+xml",
    "text/plain",
]

_HEADING = re.compile(r"<h([23])(\s[^>]*)?>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_H2_START = re.compile(r"<h2[\s>]", re.IGNORECASE)
_ID_ATTRIBUTE = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
_LEADING_H1 = re.compile(r"\A\s*#\s[^\n]*\n?")

# Keys of the run description that have their own place in the run box.
_KNOWN_KEYS = {
    "title", "kind", "run_id", "parameters", "snapshot_time", "policy_version",
    "generated_at", "run_info", "footer", "notebook", "personal_data",
}  # fmt: skip
PERSONAL_DATA_FOOTER = (
    "Contains personal data: keep it private and delete it when the retention schedule says so."
)
NO_PERSONAL_DATA_FOOTER = "Holds no personal data."

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# HTML


def sanitize_html(fragment: str) -> str:
    """Clean an HTML fragment with the report allowlist (tables, text, embedded images).

    Scripts, styles and their content, event attributes, forms, frames, objects and
    ``<link>`` elements are removed; images keep only ``data:`` sources.
    """
    cleaned = nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        filter_style_properties=_ALLOWED_STYLE_PROPERTIES,
        attribute_filter=_drop_remote_images,
        strip_comments=True,
    )
    # An image whose source was refused would only show as a broken icon.
    return _IMG_WITHOUT_SRC.sub("", cleaned)


def _drop_remote_images(tag: str, attribute: str, value: str) -> str | None:
    # Images must be embedded: a remote or local image source would be a fetch.
    if tag == "img" and attribute == "src" and not value.lower().startswith("data:image/"):
        return None
    if attribute == "href" and value.lower().startswith("data:"):
        return None
    return value


def render_html(notebook_node: Any, *, title: str) -> str:
    """Render an executed notebook as a report page: code hidden, outputs cleaned.

    The run box is filled from ``notebook_node.metadata.mimoto_gov`` (set by
    :func:`mimoto_gov.reports.run.run_report`: parameters, kind, run id, generation time) and
    from the values the notebook recorded with :func:`mimoto_gov.reports.display.record_run_info`
    (snapshot time, policy version, ...). Cells tagged ``remove-cell`` are dropped and cells
    tagged ``remove-output`` lose their outputs. A ``# Title`` line at the top of the first
    markdown cell is dropped, because the page header already shows the title.

    Args:
        notebook_node: an nbformat v4 notebook (not modified).
        title: the report title.

    Returns:
        A complete, self-contained HTML document.

    """
    nb = copy.deepcopy(notebook_node)
    report = dict(nb.metadata.get("mimoto_gov", {}))
    recorded = _prepare_cells(nb)
    info = {**recorded, **dict(report.get("run_info") or {})}
    for key in ("snapshot_time", "policy_version"):
        if report.get(key) is not None:
            info[key] = report[key]
    description = {**info, **{k: v for k, v in report.items() if k != "run_info"}}
    description["title"] = title
    resources: dict[str, Any] = {"mimoto_gov": _page_resources(description)}
    input_path = nb.metadata.get("papermill", {}).get("input_path")
    if input_path:
        resources["metadata"] = {
            "path": str(Path(input_path).parent),
            "name": Path(input_path).stem,
        }
    try:
        body, _ = _exporter().from_notebook_node(nb, resources=resources)
    except Exception as exc:  # nbconvert raises many kinds; the caller needs one
        raise ReportError(f"could not render the report {title!r} as HTML: {exc}") from exc
    return _insert_toc(body)


def render_document(title: str, body_html: str, run_info: Mapping[str, Any]) -> str:
    """Wrap an HTML body in the house page (title, run box, contents, CSP, print CSS).

    For documents that are not notebooks, such as an erasure certificate or the index of
    reports. The body is cleaned with the same allowlist as notebook outputs, so it may use
    headings, paragraphs, lists and tables (see :mod:`mimoto_gov.reports.display` for escaped
    builders such as ``table_html``), but no script, style element or remote resource.

    Args:
        title: the document title.
        body_html: the document body (``<h2>`` and ``<h3>`` headings feed the contents).
        run_info: what goes in the run box: ``parameters`` (a dict), ``snapshot_time``,
            ``policy_version``, ``generated_at``, ``kind``, ``run_id`` and any other
            labelled values (``{"request": "SAR-2026-014"}``).

    Returns:
        A complete, self-contained HTML document.

    """
    nb = nbformat.v4.new_notebook()
    output = nbformat.v4.new_output("display_data", data={"text/html": body_html})
    cell = nbformat.v4.new_code_cell(source="", outputs=[output])
    nb.cells = [cell]
    nb.metadata["mimoto_gov"] = dict(run_info)
    return render_html(nb, title=title)


@functools.lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.NbConvertBase.display_data_priority = _DISPLAY_PRIORITY
    return HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def _prepare_cells(nb: Any) -> dict[str, Any]:
    """Clean outputs in place; return the run information the notebook recorded."""
    recorded: dict[str, Any] = {}
    kept_cells = []
    seen_markdown = False
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown" and not seen_markdown:
            seen_markdown = True
            cell.source = _LEADING_H1.sub("", cell.source, count=1)
        if cell.cell_type == "code":
            outputs = [] if "remove-output" in tags else cell.get("outputs", [])
            kept_outputs = []
            for output in outputs:
                data = output.get("data")
                if data is not None:
                    if RUN_INFO_MIMETYPE in data:
                        recorded.update(data[RUN_INFO_MIMETYPE])
                        continue
                    if "text/html" in data:
                        fragment = data["text/html"]
                        if isinstance(fragment, list):
                            fragment = "".join(fragment)
                        data["text/html"] = sanitize_html(fragment)
                kept_outputs.append(output)
            cell.outputs = kept_outputs
        kept_cells.append(cell)
    nb.cells = kept_cells
    return recorded


def _page_resources(description: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a run description into the pre-formatted rows the template prints."""
    generated = description.get("generated_at") or dt.datetime.now(dt.UTC).isoformat()
    rows: list[tuple[str, str]] = []
    if description.get("kind"):
        run = f" (run {description['run_id']})" if description.get("run_id") else ""
        rows.append(("Report", f"{description['kind']}{run}"))
    if description.get("snapshot_time"):
        rows.append(("Data snapshot", _when(description["snapshot_time"])))
    if description.get("policy_version"):
        rows.append(("Policy version", str(description["policy_version"])))
    for key, value in description.items():
        if key in _KNOWN_KEYS or value is None or value == "":
            continue
        rows.append((str(key).replace("_", " ").capitalize(), _text(value)))
    rows.append(("Generated", _when(generated)))
    parameters = [
        (str(name), _text(value)) for name, value in (description.get("parameters") or {}).items()
    ]
    created = _when(generated)
    holds = description.get("personal_data", True)
    return {
        "title": str(description.get("title") or "Report"),
        "rows": rows,
        "parameters": parameters,
        "created": str(generated),
        # Only reports that hold personal data say so (run info ``personal_data``, default
        # true): a warning on every page would teach readers to ignore it.
        "footer": f"Generated by mimoto-gov on {created}. "
        + (PERSONAL_DATA_FOOTER if holds else NO_PERSONAL_DATA_FOOTER),
    }


def _when(value: Any) -> str:
    text = format_uk_date(value, with_time=True)
    return f"{text} (UK time)" if text != str(value) else text


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def _insert_toc(page: str) -> str:
    head, marker, body = page.partition(TOC_PLACEHOLDER)
    if not marker:
        return page
    entries: list[tuple[int, str, str]] = []

    def add_anchor(match: re.Match[str]) -> str:
        level, attributes, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        found = _ID_ATTRIBUTE.search(attributes)
        if found:
            anchor = found.group(1) if found.group(1) is not None else found.group(2)
        else:
            anchor = f"mg-section-{len(entries) + 1}"
            attributes = f'{attributes} id="{anchor}"'
        text = html.unescape(_ANY_TAG.sub("", inner)).replace("\u00b6", "").strip()
        entries.append((level, anchor, text))
        return f"<h{level}{attributes}>{inner}</h{level}>"

    body = _HEADING.sub(add_anchor, body)
    if len(entries) < 2:
        return head + body
    items = "".join(
        f'<li class="mg-toc-{level}"><a href="#{anchor}">{escape(text)}</a></li>'
        for level, anchor, text in entries
    )
    toc = (
        '<nav class="mg-toc" aria-label="Contents"><p class="mg-toc-title">Contents</p>'
        f"<ol>{items}</ol></nav>"
    )
    # A report's first section is its summary: it stays on the first page, with the contents
    # after it (before the second top-level section) rather than pushing it onto page two.
    sections = [match.start() for match in _H2_START.finditer(body)]
    if len(sections) >= 2:
        return head + body[: sections[1]] + toc + body[sections[1] :]
    return head + toc + body


# ---------------------------------------------------------------------------------------------
# PDF


def render_pdf(html: str, pdf_path: str | Path) -> Path:
    """Render a report page to PDF with WeasyPrint, reading nothing but ``data:`` URLs.

    Local files and remote URLs referenced by the page are neither fetched nor embedded
    (no attachment, no image, no stylesheet), so hostile text cannot pull a file into the
    PDF. The PDF takes its title from the page's ``<title>``.

    Args:
        html: a complete HTML document, normally from :func:`render_html`.
        pdf_path: where to write the PDF (atomically, mode 0600).

    Returns:
        The path written.

    Raises:
        ReportError: when WeasyPrint fails.

    """
    from weasyprint import HTML

    _quiet_weasyprint()
    try:
        document = HTML(string=html, base_url=None, url_fetcher=_data_only_fetcher())
        data = document.write_pdf()
    except Exception as exc:  # WeasyPrint has no common error base class
        raise ReportError(f"could not render the PDF {Path(pdf_path).name}: {exc}") from exc
    return write_bytes(Path(pdf_path), data)


def _data_only_fetcher():
    from weasyprint import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Allow only ``data:`` URLs holding images, fonts or CSS.

        Since WeasyPrint 70 a fetcher must be a URLFetcher; a plain function crashes.
        """

        def fetch(self, url, headers=None):
            scheme, _, rest = url.partition(":")
            if scheme.lower() != "data":
                raise ValueError(f"{scheme or 'relative'} URLs are not fetched in reports")
            mime = rest.split(",", 1)[0].split(";", 1)[0].strip().lower()
            if not mime.startswith(("image/", "font/")) and mime not in _DATA_TYPES:
                raise ValueError(f"data URLs of type {mime or 'text/plain'} are not used")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols={"data"}, timeout=1, allow_redirects=False)


_DATA_TYPES = {
    "text/css",
    "application/font-woff",
    "application/x-font-ttf",
    "application/font-sfnt",
}


@functools.cache
def _quiet_weasyprint() -> None:
    # The lab CSS and refused fetches make WeasyPrint chatty; only real errors matter.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
