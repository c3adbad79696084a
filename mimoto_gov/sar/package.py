"""Writing a subject access package: the response, its machine-readable twin, the checksums.

The package folder ``reports/sar/<ID>/`` holds:

- ``index.html`` and ``report.pdf``: the response (the house page from
  :func:`mimoto_gov.reports.run.render_document`, with its CSP; the PDF fetches nothing). The body
  comes from ``templates/sar_response.html.j2`` with autoescaping on; HTML article bodies are
  cleaned with nh3 down to plain formatting (no attribute, no link, no image survives);
- ``data.json``: everything, one table per kind, plus the supplementary information;
- ``csv/``: one file per table, written by :func:`mimoto_gov.support.csvout.write_csv`, which
  neutralises every line a spreadsheet would run as a formula and quotes line breaks;
- ``attachments/``: the downloaded files under :func:`safe_filename` names, each path built
  by :func:`mimoto_gov.support.files.safe_path` (nothing can land outside the folder);
- ``manifest.json``: every file above with its size and SHA-256;
- ``sar-<ID>.zip``: the response to send, every file of the manifest plus the manifest, under a
  ``sar-<ID>/`` folder. It lives in the package folder, so it cannot list itself in the
  manifest it contains;
- ``review/``: for staff, never sent, so neither zipped nor in the manifest: ``checks.csv``,
  ``redaction.csv`` (other people's data in the correspondence, masked) and
  ``possible_mentions.csv``.
- ``run.json``: for ``reports/index.html`` (:mod:`mimoto_gov.reports.index`), never sent, so
  neither zipped nor in the manifest: the request id, the title, the time and the two file
  names, nothing else about the person.

Everything is written to a staging folder that replaces the old package only when complete
(:func:`mimoto_gov.support.files.replacing_dir`), with folders 0700 and files 0600.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING

import nh3
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import InputError
from mimoto_gov.formats import uk_date as format_uk_day
from mimoto_gov.reports.render import TEMPLATE_DIR
from mimoto_gov.support.files import (
    private_dir,
    replacing_dir,
    restrict_tree,
    safe_path,
    write_bytes,
    write_text,
)

if TYPE_CHECKING:
    from mimoto_gov.sar.case import LiveData, SarCase
    from mimoto_gov.subject import SubjectData

PACKAGE_FORMAT = "mimoto-gov subject access package"
# The index's description of the package (mimoto_gov.reports.index.RUN_FILE): not sent.
RUN_FILE = "run.json"
FORMAT_VERSION = 1
NO_DATA_STATEMENT = "We hold no personal data about you in our service desk."
ANALYTICS_STATEMENT = (
    "Our website analytics (Gaug.es) record aggregated, anonymous browser information without "
    "IP addresses or user details, so they hold nothing personal about you."
)
# Formatting and structure survive; anything that could run, load or link does not.
_BODY_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "ul", "ol", "li", "blockquote",
    "pre", "code", "div", "span", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
_TEMPLATES = TEMPLATE_DIR


def _register_rows(entries: pd.DataFrame) -> list[list[str]]:
    """Return the register entries as table cells, dates the UK way (data.json keeps ISO)."""
    day = list(entries.columns).index("date")
    rows = []
    for row in entries.itertuples(index=False):
        cells = [_text(v) for v in row]
        cells[day] = format_uk_day(row[day]) if cells[day] else ""
        rows.append(cells)
    return rows


def uk_datetime(value) -> str:
    """Format a timestamp for people as UK time: ``3 Oct 2026 14:05`` (empty if missing)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if stamp is pd.NaT:
        return ""
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    local = stamp.tz_convert(UK_TIME)
    return f"{uk_date(local.date())} {local:%H:%M}"


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}  # fmt: skip
_UNSAFE_CHARS_RE = re.compile(r'[<>:"/\\|?*]')
_MAX_NAME_BYTES = 150


def safe_filename(name: object, taken: set[str], fallback: str = "attachment") -> str:
    """Return a file name safe anywhere and distinct (ignoring case) from ``taken``.

    Keeps only the last path component, drops control and format characters, replaces
    characters Windows forbids, strips leading dots (no hidden files, no ``..``) and trailing
    dots and spaces, shortens long names keeping the extension, and adds `` (2)``, `` (3)``...
    before the extension when the name is taken. The chosen name is added to ``taken``.

    Args:
        name: the stored file name (untrusted).
        taken: lower-cased names already used in the folder; updated.
        fallback: the name used when nothing usable is left.

    """
    text = unicodedata.normalize("NFC", str(name) if isinstance(name, str) else "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    text = _UNSAFE_CHARS_RE.sub("_", text).strip().lstrip(".").rstrip(". ")
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem:
        stem, ext = text, ""
    if len(ext.encode()) > 20:
        stem, ext = text, ""
    if not stem:
        stem = fallback
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    number = 1
    while True:
        tail = f" ({number}){suffix}" if number > 1 else suffix
        room = _MAX_NAME_BYTES - len(tail.encode())
        short = stem.encode()[:room].decode("utf-8", errors="ignore").rstrip(". ")
        candidate = f"{short or fallback}{tail}"
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        number += 1


def _records(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))


def _package_tables(case: SarCase, live: LiveData, saved: pd.DataFrame) -> dict[str, pd.DataFrame]:
    subject = case.subject
    return {
        "users": subject.users,
        "organizations": subject.organizations,
        "tickets": subject.tickets,
        "articles": subject.articles,
        "attachments": saved,
        "ticket_history": live.history,
        "ticket_tags": live.tags,
        "register_entries": case.register_entries,
    }


def _save_attachments(folder: Path, subject: SubjectData, live: LiveData) -> pd.DataFrame:
    """Write each downloaded file under a safe, unique name; return the attachment table."""
    inline = live.inline.assign(filename=lambda f: "inline-image-" + f["id"].astype(str))
    table = pd.concat([subject.attachments, inline.assign(inline=True)], ignore_index=True)
    table["inline"] = table["inline"].fillna(False).astype(bool) if len(table) else []
    taken: set[str] = set()
    saved_as, sha256, note = [], [], []
    for row in table.itertuples(index=False):
        content = live.files.get(int(row.id))
        if content is None:
            saved_as.append(None)
            sha256.append(None)
            note.append(live.missing.get(int(row.id), "not downloaded"))
            continue
        name = safe_filename(row.filename, taken)
        write_bytes(safe_path(folder, name), content)
        saved_as.append(f"attachments/{name}")
        sha256.append(hashlib.sha256(content).hexdigest())
        note.append("")
    return table.assign(saved_as=saved_as, sha256=sha256, note=note)


def _body_html(article) -> Markup:
    body = article.get("body")
    if not isinstance(body, str):
        return Markup("")
    if str(article.get("content_type") or "").lower() == "text/html":
        cleaned = nh3.clean(
            body,
            tags=_BODY_TAGS,
            attributes={},
            clean_content_tags={"script", "style", "template", "noscript"},
            link_rel=None,
        )
        return Markup(cleaned)  # noqa: S704 - cleaned by nh3 with no attributes allowed
    return Markup("<br>\n").join(escape(body).split("\n"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def _article_view(article: dict, files_by_article: dict[int, list[dict]]) -> dict:
    kind = " ".join(v for v in (_text(article.get("type")), _text(article.get("sender"))) if v)
    return {
        "when": uk_datetime(article.get("created_at")),
        "kind": kind or "message",
        "internal": bool(article.get("internal")) if pd.notna(article.get("internal")) else False,
        "from": _text(article.get("from")),
        "to": _text(article.get("to")),
        "cc": _text(article.get("cc")),
        "subject": _text(article.get("subject")),
        "body_html": _body_html(article),
        "attachments": files_by_article.get(int(article["id"]), []),
    }


_HISTORY_OBJECTS = {
    "Ticket": "ticket",
    "Ticket::Article": "message",
    "User": "user",
    "Organization": "organisation",
}


def _history_view(entry: dict) -> dict:
    thing = _text(entry.get("object"))
    what = " ".join(v for v in (_text(entry.get("type")), _HISTORY_OBJECTS.get(thing, thing)) if v)
    return {
        "when": uk_datetime(entry.get("created_at")),
        "what": what,
        "attribute": _text(entry.get("attribute")),
        "value_from": _text(entry.get("value_from")),
        "value_to": _text(entry.get("value_to")),
    }


_USER_FIELDS = (
    ("Name", None),
    ("Email", "email"),
    ("Login", "login"),
    ("Phone", "phone"),
    ("Mobile", "mobile"),
    ("Active", "active"),
    ("Created", "created_at"),
    ("Updated", "updated_at"),
    ("Last sign-in", "last_login"),
)


def _user_view(user: dict, org_names: dict) -> list[tuple[str, str]]:
    rows = []
    for label, column in _USER_FIELDS:
        if column is None:
            value = " ".join(_text(user.get(k)) for k in ("firstname", "lastname")).strip()
        elif column.endswith(("_at", "_login")):
            value = uk_datetime(user.get(column))
        elif column == "active":
            value = "yes" if user.get(column) else "no"
        else:
            value = _text(user.get(column))
        if value:
            rows.append((label, value))
    org = user.get("organization_id")
    if org is not None and pd.notna(org):
        rows.append(("Organisation", _text(org_names.get(int(org), ""))))
    return rows


def _body_context(case: SarCase, live: LiveData, saved: pd.DataFrame, csv_files: list[str]):
    subject = case.subject
    files_by_article: dict[int, list[dict]] = {}
    for row in saved.to_dict("records"):
        files_by_article.setdefault(int(row["article_id"]), []).append(
            {
                "name": _text(row.get("filename")) or "attachment",
                "href": row["saved_as"],
                "size": f"{int(row['size']):,} bytes" if pd.notna(row.get("size")) else "",
                "note": row["note"],
            }
        )
    articles_by_ticket: dict[int, list[dict]] = {}
    for article in subject.articles.to_dict("records"):
        view = _article_view(article, files_by_article)
        articles_by_ticket.setdefault(int(article["ticket_id"]), []).append(view)
    history_by_ticket: dict[int, list[dict]] = {}
    for entry in live.history.to_dict("records"):
        history_by_ticket.setdefault(int(entry["ticket_id"]), []).append(_history_view(entry))
    tags_by_ticket: dict[int, list[str]] = {}
    for ticket_id, tag in live.tags[["ticket_id", "tag"]].itertuples(index=False):
        tags_by_ticket.setdefault(int(ticket_id), []).append(str(tag))

    def ticket_view(t: dict) -> dict:
        tid = int(t["id"])
        return {
            "number": _text(t.get("number")),
            "title": _text(t.get("title")),
            "state": _text(t.get("state")),
            "group": _text(t.get("group")),
            "created": uk_datetime(t.get("created_at")),
            "updated": uk_datetime(t.get("updated_at")),
            "closed": uk_datetime(t.get("close_at")),
            "tags": tags_by_ticket.get(tid, []),
            "articles": articles_by_ticket.get(tid, []),
            "history": history_by_ticket.get(tid, []),
        }

    org_names = dict(zip(subject.organizations["id"], subject.organizations["name"], strict=True))
    entries = case.register_entries
    counts = [(label, f"{n:,}") for label, n in subject.counts().items() if "review" not in label]
    return {
        "request": {
            "id": case.request["id"],
            "received_on": uk_date(case.request["received_on"]),
            "due_on": uk_date(case.due_on),
            "extended": case.request["extended"],
            "verification": case.request["verification"],
        },
        "emails": case.emails,
        "snapshot_time": uk_datetime(subject.snapshot_time),
        "generated_on": uk_datetime(case.generated_at),
        "empty": subject.is_empty,
        "counts": counts,
        "a15": case.article15,
        "users": [_user_view(u, org_names) for u in subject.users.to_dict("records")],
        "organizations": [
            {
                "name": _text(o.get("name")),
                "created": uk_datetime(o.get("created_at")),
                "updated": uk_datetime(o.get("updated_at")),
            }
            for o in subject.organizations.to_dict("records")
        ],
        "own_tickets": [ticket_view(t) for t in subject.customer_tickets.to_dict("records")],
        "other_tickets": [ticket_view(t) for t in subject.correspondent_tickets.to_dict("records")],
        "register_columns": list(entries.columns),
        "register_rows": _register_rows(entries),
        "csv_files": csv_files,
        "attachment_count": int(saved["saved_as"].notna().sum()),
    }


def render_body(context: dict) -> str:
    """Render the response body (escaped throughout) from the package context."""
    environment = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("sar_response.html.j2").render(**context)


def _data_json(case: SarCase, tables: dict[str, pd.DataFrame]) -> dict:
    subject = case.subject
    request = {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in case.request.items()
        if k != "raw"
    }
    return {
        "format": PACKAGE_FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": case.generated_at.isoformat(timespec="seconds"),
        "snapshot_time": (
            pd.Timestamp(subject.snapshot_time).isoformat()
            if subject.snapshot_time is not None
            else None
        ),
        "request": request,
        "addresses_searched": list(case.emails),
        "holds_personal_data": not subject.is_empty,
        "statement": NO_DATA_STATEMENT if subject.is_empty else None,
        "analytics": ANALYTICS_STATEMENT,
        "supplementary_information": case.article15,
        "counts": {k: v for k, v in subject.counts().items() if "review" not in k},
        "tables": {name: _records(frame) for name, frame in tables.items()},
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_entries(folder: Path) -> list[dict]:
    """Every file of the response under ``folder`` with its size and SHA-256 (sorted by path).

    Leaves out ``manifest.json`` itself, the zip, the staff-only ``review/`` folder and the
    index's ``run.json``.
    """
    entries = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative in ("manifest.json", RUN_FILE):
            continue
        if relative.startswith("review/"):
            continue
        if relative.endswith(".zip") and "/" not in relative:
            continue
        entries.append({"path": relative, "size": path.stat().st_size, "sha256": _sha256(path)})
    return entries


def package_id(request_id: str) -> str:
    """Return the folder name for a request id, refusing ids unsafe as a file name."""
    text = str(request_id)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", text) or ".." in text:
        raise InputError(f"request id {request_id!r} cannot be used as a folder name")
    return text


def write_package(case: SarCase, live: LiveData, sar_dir: Path) -> Path:
    """Write the package for ``case`` to ``sar_dir/<ID>/``, replacing any earlier one at once.

    Returns:
        The package folder.

    """
    from mimoto_gov.reports import run as reports
    from mimoto_gov.reports.index import write_index
    from mimoto_gov.support.csvout import write_csv

    name = package_id(case.request["id"])
    target = safe_path(Path(sar_dir), name)
    private_dir(target.parent.parent)  # the reports folder holds personal data too
    private_dir(target.parent)
    with replacing_dir(target) as stage:
        saved = _save_attachments(private_dir(stage / "attachments"), case.subject, live)
        tables = _package_tables(case, live, saved)
        csv_dir = private_dir(stage / "csv")
        for table_name, frame in tables.items():
            write_csv(frame, csv_dir / f"{table_name}.csv")
        csv_files = [f"{t}.csv" for t in tables]
        write_text(stage / "data.json", json.dumps(_data_json(case, tables), indent=2) + "\n")
        body = render_body(_body_context(case, live, saved, csv_files))
        title = f"Subject access response, request {name}"
        html = reports.render_document(title, body, _run_info(case))
        write_text(stage / "index.html", html)
        reports.render_pdf(html, stage / "report.pdf")
        review = private_dir(stage / "review")
        write_csv(case.subject.third_party, review / "redaction.csv")
        write_csv(case.subject.possible_mentions, review / "possible_mentions.csv")
        write_csv(case.checks(), review / "checks.csv")
        manifest = {
            "package": PACKAGE_FORMAT,
            "request_id": name,
            "generated_at": case.generated_at.isoformat(timespec="seconds"),
            "files": manifest_entries(stage),
        }
        write_text(stage / "manifest.json", json.dumps(manifest, indent=2) + "\n")
        _write_zip(stage, f"sar-{name}", [e["path"] for e in manifest["files"]])
        entry = _index_entry(case, target.parent.name, name, title)
        write_text(stage / RUN_FILE, json.dumps(entry, indent=2) + "\n")
        restrict_tree(stage)
    write_index(target.parent.parent)
    return target


def _index_entry(case: SarCase, kind: str, name: str, title: str) -> dict:
    """Describe the package for ``reports/index.html``: its id and title, nothing personal."""
    return {
        "kind": kind,
        "run_id": name,
        "title": title,
        "generated_at": case.generated_at.isoformat(timespec="seconds"),
        "files": {"html": "index.html", "pdf": "report.pdf"},
    }


def _run_info(case: SarCase) -> dict:
    snapshot = case.subject.snapshot_time
    return {
        "kind": "subject access response",
        "run_id": case.request["id"],
        "snapshot_time": pd.Timestamp(snapshot).isoformat() if snapshot is not None else None,
        "policy_version": f"Article 15 information {case.article15.get('version', '')}",
        "generated_at": case.generated_at.isoformat(timespec="seconds"),
        "response_due": uk_date(case.due_on),
    }


def _write_zip(folder: Path, stem: str, paths: list[str]) -> Path:
    target = folder / f"{stem}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in [*paths, "manifest.json"]:
            archive.write(folder / relative, f"{stem}/{relative}")
    target.chmod(0o600)
    return target


def verify_manifest(folder: Path) -> list[str]:
    """Check a package against its manifest; return the problems found (empty when it verifies).

    Args:
        folder: a package folder written by :func:`build_sar_package`.

    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in manifest["files"]}
    actual = {e["path"]: e for e in manifest_entries(folder)}
    problems = [f"missing: {p}" for p in sorted(set(listed) - set(actual))]
    problems += [f"not in the manifest: {p}" for p in sorted(set(actual) - set(listed))]
    for path in sorted(set(listed) & set(actual)):
        if listed[path]["sha256"] != actual[path]["sha256"]:
            problems.append(f"changed: {path}")
        elif listed[path]["size"] != actual[path]["size"]:
            problems.append(f"size differs: {path}")
    return problems
