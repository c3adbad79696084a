"""Writing a subject access package: what is sent, kept apart from what staff keep.

The package folder ``reports/sar/<ID>/`` holds (names, manifest and zip:
:mod:`mimoto_gov.sar.files`):

- ``send/``: exactly what goes to the person, every file made from the redacted tables
  (:mod:`mimoto_gov.sar.redact`):

  - ``index.html`` and ``report.pdf``: the covering letter, then the response (the house page
    from :func:`mimoto_gov.reports.run.render_document`, with its CSP; the PDF fetches
    nothing);
  - ``data.json``: every table with Zammad's raw fields, plus the supplementary information;
  - ``csv/``: one file per table with plain headings and UK dates
    (:func:`mimoto_gov.sar.letter.plain_tables`), written by
    :func:`mimoto_gov.support.csvout.write_csv`, which neutralises every line a
    spreadsheet would run as a formula and quotes line breaks;
  - ``attachments/``: the files sent, byte for byte, under :func:`safe_filename` names;
    attachments that may hold other people's data are held back and named in the letter;
  - ``manifest.json``: every file above with its size and SHA-256;
  - ``sar-<ID>.zip``: the files of the manifest plus the manifest, built from ``send/`` alone.

- ``staff/``: never sent: ``redactions.csv`` (every redaction: where, what kind, the masked
  value, its item id), ``decisions.csv`` (staff release an item here, with a reason, then
  rebuild; carried into every rebuilt package), ``attachments.csv``, ``near_matches.csv``,
  ``accounts.csv``, ``possible_mentions.csv``, ``checks.csv`` and ``run-details.json``.
- ``run.json``: for ``reports/index.html``: the request id, the title, the time and the two
  file names, nothing else about the person.

Everything is written to a staging folder that replaces the old package only when complete
(:func:`mimoto_gov.support.files.replacing_dir`), with folders 0700 and files 0600.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import InputError
from mimoto_gov.reports.index import write_index
from mimoto_gov.reports.run import render_document, render_pdf
from mimoto_gov.sar.document import body_context, render_body
from mimoto_gov.sar.files import (
    manifest_entries,
    package_id,
    safe_filename,
    sha256_of,
    write_zip,
)
from mimoto_gov.sar.letter import letter_context, plain_tables, where_we_looked
from mimoto_gov.sar.model import (
    DECISIONS_FILE,
    FORMAT_VERSION,
    PACKAGE_FORMAT,
    RUN_DETAILS_FILE,
    RUN_FILE,
    SEND,
    STAFF,
    LiveData,
    SarCase,
)
from mimoto_gov.sar.redact import Redactor
from mimoto_gov.sar.tables import redacted_tables
from mimoto_gov.support.csvout import write_csv
from mimoto_gov.support.files import (
    private_dir,
    replacing_dir,
    restrict_tree,
    safe_path,
    write_bytes,
    write_text,
)

NO_DATA_STATEMENT = "We hold no personal data about you in our service desk."
ANALYTICS_STATEMENT = (
    "Our website analytics (Gaug.es) record aggregated, anonymous browser information without "
    "IP addresses or user details, so they hold nothing personal about you."
)


def _records(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))


def _save_attachments(folder: Path, table: pd.DataFrame, live: LiveData) -> pd.DataFrame:
    """Write each attachment that is sent under a safe, unique name; return the table."""
    taken: set[str] = set()
    saved_as, sha256, note = [], [], []
    for row in table.itertuples(index=False):
        content = live.files.get(int(row.id))
        if row.status != "sent" or content is None:
            saved_as.append(None)
            sha256.append(None)
            note.append(
                live.missing.get(int(row.id), "not downloaded")
                if row.status == "sent"
                else "withheld: it may hold other people's information"
            )
            continue
        name = safe_filename(row.filename, taken)
        write_bytes(safe_path(folder, name), content)
        saved_as.append(f"attachments/{name}")
        sha256.append(hashlib.sha256(content).hexdigest())
        note.append("")
    return table.assign(saved_as=saved_as, sha256=sha256, note=note)


def _data_json(case: SarCase, tables: dict[str, pd.DataFrame], where: list[dict]) -> dict:
    subject = case.subject
    request = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in case.request.items()}
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
        "where_we_looked": where,
        "counts": _counts(case, tables),
        "tables": {
            name: _records(frame.drop(columns=["status", "why"], errors="ignore"))
            for name, frame in tables.items()
        },
    }


def _counts(case: SarCase, tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    counts = {k: v for k, v in case.subject.counts().items() if "review" not in k}
    attachments = tables["attachments"]
    sent = attachments[attachments["status"] == "sent"] if len(attachments) else attachments
    counts["attachments sent"] = int(sent["saved_as"].notna().sum()) if len(sent) else 0
    counts["attachments withheld"] = int(len(attachments) - len(sent))
    return counts


def _index_entry(case: SarCase, name: str, title: str) -> dict:
    """Describe the package for ``reports/index.html``: its id and title, nothing personal."""
    return {
        "kind": "sar",
        "run_id": name,
        "title": title,
        "generated_at": case.generated_at.isoformat(timespec="seconds"),
        "files": {"html": f"{SEND}/index.html", "pdf": f"{SEND}/report.pdf"},
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


def _enclosed(tables: dict[str, pd.DataFrame], csv_names: list[str], zip_name: str) -> list[str]:
    sent = tables["attachments"]
    files = int(sent["saved_as"].notna().sum()) if len(sent) else 0
    return [
        "index.html and report.pdf: this letter and the response",
        "data.json: all of it in one machine-readable file",
        f"csv/: the same as {len(csv_names)} spreadsheet files",
        f"attachments/: {files:,} file{'s' if files != 1 else ''} attached to the messages, "
        "as we hold them",
        "manifest.json: the SHA-256 checksum of every file, to check nothing was changed",
        f"{zip_name}: all of the above in one file",
    ]


def write_package(case: SarCase, live: LiveData, sar_dir: Path) -> Path:
    """Write the package for ``case`` to ``sar_dir/<ID>/``, replacing any earlier one at once.

    Raises:
        InputError: ``staff/decisions.csv`` names an item this package does not have; nothing
            is written then.

    Returns:
        The package folder.

    """
    name = package_id(case.request["id"])
    target = safe_path(Path(sar_dir), name)
    redactor = Redactor(case.people, case.decisions.release)
    tables = redacted_tables(case, live, redactor)
    unknown = redactor.unknown_items(
        item
        for item in [*case.decisions.release, *case.decisions.withhold]
        if not item.startswith("attachment:")
    )
    attachment_items = {f"attachment:{int(i)}" for i in tables["attachments"]["id"]}
    unknown += sorted(
        item
        for item in [*case.decisions.release, *case.decisions.withhold]
        if item.startswith("attachment:") and item not in attachment_items
    )
    if unknown:
        raise InputError(
            f"staff/{DECISIONS_FILE} names {unknown[0]}, which is not an item of this package "
            "(see staff/redactions.csv and staff/attachments.csv): nothing was written"
        )
    case.redactions = redactor.log()
    private_dir(target.parent.parent)  # the reports folder holds personal data too
    private_dir(target.parent)
    title = f"Subject access response, request {name}"
    zip_stem = f"sar-{name}"
    with replacing_dir(target) as stage:
        send, staff = private_dir(stage / SEND), private_dir(stage / STAFF)
        tables["attachments"] = _save_attachments(
            private_dir(send / "attachments"), tables["attachments"], live
        )
        case.attachments = tables["attachments"]
        plain = plain_tables(tables)
        for file_name, frame in plain.items():
            write_csv(frame, private_dir(send / "csv") / file_name)
        where = where_we_looked(case.letter)
        write_text(send / "data.json", json.dumps(_data_json(case, tables, where), indent=2) + "\n")
        withheld = tables["attachments"][tables["attachments"]["status"] != "sent"]
        letter = letter_context(
            case,
            today=datetime.now(UK_TIME).date(),
            enclosed=_enclosed(tables, list(plain), f"{zip_stem}.zip"),
            redacted=int((~case.redactions["released"].astype(bool)).sum()),
            withheld_files=[
                {"name": row["filename"], "ticket": row["ticket_number"], "why": row["why"]}
                for row in withheld.to_dict("records")
            ],
        )
        extra = {
            "letter": letter,
            "where": where,
            "counts": [(k, f"{v:,}") for k, v in _counts(case, tables).items()],
            "csv_files": list(plain),
            "attachment_count": int(tables["attachments"]["saved_as"].notna().sum()),
        }
        html = render_document(
            title, render_body(body_context(case, tables, extra)), _run_info(case)
        )
        write_text(send / "index.html", html)
        render_pdf(html, send / "report.pdf")
        manifest = {
            "package": PACKAGE_FORMAT,
            "request_id": name,
            "generated_at": case.generated_at.isoformat(timespec="seconds"),
            "files": manifest_entries(send),
        }
        write_text(send / "manifest.json", json.dumps(manifest, indent=2) + "\n")
        write_zip(send, zip_stem, [e["path"] for e in manifest["files"]])
        _write_staff(staff, case, tables, sha256_of(send / "manifest.json"))
        write_text(stage / RUN_FILE, json.dumps(_index_entry(case, name, title), indent=2) + "\n")
        restrict_tree(stage)
    write_index(target.parent.parent)
    return target


def _write_staff(staff: Path, case: SarCase, tables: dict, manifest_sha256: str) -> None:
    """Write the staff part: what was redacted, held back and left out, and how it was built."""
    write_csv(case.redactions, staff / "redactions.csv")
    attachments = tables["attachments"].assign(item=lambda f: "attachment:" + f["id"].astype(str))
    columns = ["item", "ticket_number", "article_id", "filename", "content_type", "size",
               "status", "why", "saved_as"]  # fmt: skip
    write_csv(attachments.reindex(columns=columns), staff / "attachments.csv")
    write_csv(case.subject.near_matches, staff / "near_matches.csv")
    write_csv(case.accounts_table(), staff / "accounts.csv")
    write_csv(case.subject.possible_mentions, staff / "possible_mentions.csv")
    write_csv(case.checks(), staff / "checks.csv")
    write_text(staff / DECISIONS_FILE, case.decisions.blank())
    released = int(case.redactions["released"].astype(bool).sum())
    details = {
        "request_id": case.request["id"],
        "generated_at": case.generated_at.isoformat(timespec="seconds"),
        "snapshot_time": (
            pd.Timestamp(case.subject.snapshot_time).isoformat()
            if case.subject.snapshot_time is not None
            else None
        ),
        "zammad_url": case.options.get("zammad_url"),
        "addresses_searched": list(case.emails),
        "options": {
            "also": list(case.options.get("also", ())),
            "user_ids": {str(k): v for k, v in (case.options.get("user_ids") or {}).items()},
            "add_articles": [int(a) for a in case.options.get("add_articles", ())],
        },
        "redactions": len(case.redactions) - released,
        "released": released,
        "attachments_withheld": int((tables["attachments"]["status"] != "sent").sum()),
        "manifest_sha256": manifest_sha256,
    }
    write_text(staff / RUN_DETAILS_FILE, json.dumps(details, indent=2) + "\n")
