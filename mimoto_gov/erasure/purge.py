"""The workbook's own copies of an erased person: find them, then purge them.

The workbook holds personal data itself (DESIGN.md principle 5): the Zammad snapshot, earlier
subject access packages, executed report notebooks with their HTML, PDF and CSV, and the
registers. After Zammad confirms the erasure, every one of those must stop holding the person:

- snapshot tables (Parquet) are rewritten without the person's rows (users, the deleted
  tickets, their articles and attachments) and with the address redacted in the rows that stay
  (what they wrote on other tickets, which Zammad keeps);
- a subject access package that holds them is deleted whole (it exists only to be sent to them);
- other reports have the address redacted; a PDF is re-rendered from its redacted HTML twin,
  since a PDF's text cannot be searched or edited as bytes;
- zip and gzip files are rewritten with their members redacted;
- the registers file is left to the registers (the request entry keeps only the keyed hash);
  it is searched, like every other file, when checking that the person is gone.

Every rewrite is atomic (:mod:`mimoto_gov.support.files`),
and a folder is renamed aside before it is
removed, so an interruption never leaves half a file or half a package.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mimoto_gov.reports.index import write_index
from mimoto_gov.reports.run import render_pdf as render_report_pdf
from mimoto_gov.support.files import write_bytes

REDACTED = "[erased]"
SAR_FOLDER = "sar"
REGISTER_NAMES = ("registers.sqlite",)
# Where older versions kept the keyed hash's secret (now outside the data folder), and the
# data folder's lock: never searched, never touched.
SKIP_NAMES = (".erasure-key", ".mimoto-gov.lock")
TEXT_SUFFIXES = {
    ".html", ".htm", ".csv", ".tsv", ".json", ".jsonl", ".txt", ".md", ".ipynb", ".yml",
    ".yaml", ".log", ".eml", ".xml", ".svg", ".j2",
}  # fmt: skip
BINARY_SKIP_SUFFIXES = {".sqlite", ".sqlite-journal", ".sqlite-wal", ".db", ".pdf"}
# Snapshot tables and how their rows belong to the person.
TABLE_KEYS = {
    "users": ("id", "users"),
    "tickets": ("id", "tickets"),
    "articles": ("ticket_id", "tickets"),
    "attachments": ("ticket_id", "tickets"),
    "organizations": ("id", "organizations"),
}


def variants(emails: Iterable[str]) -> list[str]:
    """List the forms an address takes in files: as written, URL-encoded, HTML-escaped."""
    forms = []
    for email in emails:
        email = email.strip().lower()
        if not email:
            continue
        at = email.index("@") if "@" in email else -1
        forms += [email, quote(email, safe=""), quote_plus(email)]
        if at >= 0:
            local, domain = email[:at], email[at + 1 :]
            forms += [f"{local}&#64;{domain}", f"{local}&#x40;{domain}", f"{local}\\u0040{domain}"]
    return list(dict.fromkeys(forms))


def _pattern(emails: Iterable[str]) -> re.Pattern[bytes]:
    forms = sorted(variants(emails), key=len, reverse=True)
    return re.compile(b"|".join(re.escape(f.encode("ascii", "ignore")) for f in forms), re.I)


@dataclass(frozen=True)
class Needles:
    """What to look for: the person's addresses (in every form) and their Zammad rows."""

    emails: tuple[str, ...]
    user_ids: frozenset[int] = frozenset()
    ticket_ids: frozenset[int] = frozenset()
    organization_ids: frozenset[int] = frozenset()

    @property
    def pattern(self) -> re.Pattern[bytes]:
        """A case-insensitive bytes pattern for every form of every address."""
        return _pattern(self.emails)

    def ids_for(self, table: str) -> frozenset[int]:
        """Return the ids whose rows in a snapshot table belong to the person."""
        return {
            "users": self.user_ids,
            "tickets": self.ticket_ids,
            "organizations": self.organization_ids,
        }[table]


def _parquet_hits(path: Path, needles: Needles) -> tuple[int, int]:
    """(rows to remove, rows to redact) in one Parquet table."""
    table = pq.read_table(path)
    remove = _rows_to_remove(path, table, needles)
    mentioned = _rows_mentioning(table, needles)
    keep = pc.invert(remove)
    return int(pc.sum(remove).as_py() or 0), int(pc.sum(pc.and_(mentioned, keep)).as_py() or 0)


def _rows_to_remove(path: Path, table: pa.Table, needles: Needles) -> pa.ChunkedArray:
    key = TABLE_KEYS.get(path.stem)
    if key is None or key[0] not in table.column_names:
        return pa.chunked_array([pa.array([False] * table.num_rows, pa.bool_())])
    ids = pa.array(sorted(needles.ids_for(key[1])), pa.int64())
    column = table[key[0]]
    if not pa.types.is_integer(column.type):
        column = pc.cast(column, pa.int64(), safe=False)
    return pc.fill_null(pc.is_in(column, value_set=ids), False)


def _string_columns(table: pa.Table) -> list[str]:
    return [
        name
        for name, typ in zip(table.column_names, table.schema.types, strict=True)
        if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ)
    ]


def _rows_mentioning(table: pa.Table, needles: Needles) -> pa.ChunkedArray:
    mask = pa.chunked_array([pa.array([False] * table.num_rows, pa.bool_())])
    for name in _string_columns(table):
        for form in variants(needles.emails):
            hit = pc.match_substring(table[name], form, ignore_case=True)
            mask = pc.or_(mask, pc.fill_null(hit, False))
    return mask


def _bytes_mention(data: bytes, needles: Needles) -> bool:
    return needles.pattern.search(data) is not None


def file_mentions(path: Path, needles: Needles) -> bool:
    """Whether a file holds the person: their rows (Parquet) or an address in any form.

    Zip and gzip members are searched decompressed. A PDF is judged by its HTML or notebook
    twin (same name), since its text is compressed and glyph-encoded.
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        removed, redacted = _parquet_hits(path, needles)
        return bool(removed or redacted)
    if suffix == ".pdf":
        return any(
            twin.exists() and file_mentions(twin, needles)
            for twin in (path.with_suffix(".html"), path.with_suffix(".ipynb"))
        )
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return any(_bytes_mention(archive.read(info), needles) for info in archive.infolist())
    if suffix == ".gz":
        return _bytes_mention(gzip.decompress(path.read_bytes()), needles)
    return _bytes_mention(path.read_bytes(), needles)


def _files(root: Path) -> Iterable[Path]:
    if not root.exists():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and p.name not in SKIP_NAMES
    )


def _sar_package(path: Path, reports_dir: Path) -> Path | None:
    """Return the subject access package (folder or file) holding ``path``, if any."""
    sar_root = reports_dir / SAR_FOLDER
    try:
        relative = path.relative_to(sar_root)
    except ValueError:
        return None
    return sar_root / relative.parts[0]


def _kind(path: Path, data_dir: Path, reports_dir: Path) -> str:
    if path.name in REGISTER_NAMES or path.name.startswith(tuple(f"{n}-" for n in REGISTER_NAMES)):
        return "register"
    if _sar_package(path, reports_dir) is not None:
        return "sar"
    if path.suffix.lower() == ".parquet" and path.is_relative_to(data_dir):
        return "snapshot"
    if path.is_relative_to(reports_dir):
        return "report"
    return "other"


_ACTIONS = {
    "snapshot": "rewritten without their rows, address redacted in the rest",
    "sar": "package deleted",
    "report": "address redacted",
    "register": "address replaced by its keyed hash",
    "other": "address redacted",
}


def find_local_copies(needles: Needles, data_dir: Path, reports_dir: Path) -> pd.DataFrame:
    """Every file of the workbook that holds the person, with what the purge will do.

    Args:
        needles: their addresses and Zammad ids.
        data_dir: the workbook's data folder.
        reports_dir: the reports folder.

    Returns:
        ``path`` (relative to the data or reports folder's parent), ``kind`` (snapshot, sar,
        report, register, other) and ``action``; a subject access package is one row.

    """
    data_dir, reports_dir = Path(data_dir), Path(reports_dir)
    rows, packages = [], set()
    for root in dict.fromkeys((data_dir, reports_dir)):
        for path in _files(root):
            if not file_mentions(path, needles):
                continue
            kind = _kind(path, data_dir, reports_dir)
            if kind == "sar":
                package = _sar_package(path, reports_dir)
                if package in packages:
                    continue
                packages.add(package)
                path = package
            rows.append({"path": _display(path, root), "kind": kind, "action": _ACTIONS[kind]})
    return pd.DataFrame(rows, columns=["path", "kind", "action"])


def _display(path: Path, root: Path) -> str:
    return str(Path(root.name) / path.relative_to(root))


@dataclass
class PurgeResult:
    """What the purge did (``done``) and the files it could not clean (``left``)."""

    done: pd.DataFrame
    left: list[str]


def purge_local_copies(
    needles: Needles, data_dir: Path, reports_dir: Path, *, render_pdf=None
) -> PurgeResult:
    """Remove the person from the workbook's own files (see the module docstring).

    Args:
        needles: their addresses and Zammad ids.
        data_dir: the workbook's data folder.
        reports_dir: the reports folder.
        render_pdf: ``render_pdf(html, pdf_path)``, used to re-render a PDF from its
            redacted HTML twin (:func:`mimoto_gov.reports.run.render_pdf` by default).

    Returns:
        A :class:`PurgeResult`; ``left`` lists files still holding the person (registers
        are left to :mod:`mimoto_gov.registers`).

    """
    data_dir, reports_dir = Path(data_dir), Path(reports_dir)
    # Everything is found before anything changes: a PDF is judged by its HTML twin, which
    # no longer mentions the person once it is redacted.
    targets = [
        (path, root)
        for root in dict.fromkeys((data_dir, reports_dir))
        for path in _files(root)
        if file_mentions(path, needles)
    ]
    done, rerender = [], []
    for path, root in targets:
        kind = _kind(path, data_dir, reports_dir)
        if kind == "register" or not path.exists():
            continue
        if kind == "sar":
            package = _sar_package(path, reports_dir)
            remove_tree(package)
            done.append(_row(package, root, kind, "package deleted"))
        elif path.suffix.lower() == ".pdf":
            rerender.append((path, root))
        else:
            done.append(_row(path, root, kind, _purge_file(path, needles)))
    for pdf, root in rerender:
        done.append(_row(pdf, root, "report", _rerender_pdf(pdf, render_pdf)))
    if any(row["kind"] == "sar" for row in done):
        # reports/index.html links the deleted packages: list only what is left.
        write_index(reports_dir)
    left = [
        _display(path, root)
        for root in dict.fromkeys((data_dir, reports_dir))
        for path in _files(root)
        if file_mentions(path, needles)
    ]
    return PurgeResult(pd.DataFrame(done, columns=["path", "kind", "done"]), left)


def _row(path: Path, root: Path, kind: str, detail: str) -> dict:
    return {"path": _display(path, root), "kind": kind, "done": detail}


def remove_tree(path: Path) -> None:
    """Remove a file or folder; a folder is first renamed aside, so it goes as a whole."""
    if path.is_dir():
        aside = path.with_name(f".{path.name}.erasing")
        shutil.rmtree(aside, ignore_errors=True)
        path.rename(aside)
        shutil.rmtree(aside)
    elif path.exists():
        path.unlink()


def redact_bytes(data: bytes, needles: Needles) -> bytes:
    """Replace every form of every address with ``[erased]``."""
    return needles.pattern.sub(REDACTED.encode(), data)


def _purge_file(path: Path, needles: Needles) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _purge_parquet(path, needles)
    if suffix == ".zip":
        buffer = io.BytesIO()
        with (
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for info in source.infolist():
                out.writestr(info, redact_bytes(source.read(info), needles))
        write_bytes(path, buffer.getvalue())
        return "address redacted in the archive's files"
    if suffix == ".gz":
        write_bytes(path, gzip.compress(redact_bytes(gzip.decompress(path.read_bytes()), needles)))
        return "address redacted"
    data = path.read_bytes()
    if suffix in TEXT_SUFFIXES or _is_text(data):
        write_bytes(path, redact_bytes(data, needles))
        return "address redacted"
    # An unknown binary format: masking with the same length keeps its offsets valid.
    write_bytes(path, needles.pattern.sub(lambda m: b"x" * len(m.group(0)), data))
    return "address masked"


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def _purge_parquet(path: Path, needles: Needles) -> str:
    table = pq.read_table(path)
    remove = _rows_to_remove(path, table, needles)
    removed = int(pc.sum(remove).as_py() or 0)
    table = table.filter(pc.invert(remove))
    redacted = int(pc.sum(_rows_mentioning(table, needles)).as_py() or 0)
    pattern = "(?i)(?:" + "|".join(re.escape(form) for form in variants(needles.emails)) + ")"
    for name in _string_columns(table):
        column = pc.replace_substring_regex(table[name], pattern, REDACTED)
        table = table.set_column(table.column_names.index(name), name, column)
    buffer = io.BytesIO()
    # Keep the codec the table was written with (zstd, snappy...).
    metadata = pq.read_metadata(path)
    codec = (
        metadata.row_group(0).column(0).compression.lower() if metadata.num_row_groups else "snappy"
    )
    pq.write_table(table, buffer, compression="none" if codec == "uncompressed" else codec)
    write_bytes(path, buffer.getvalue())
    return f"{removed:,} rows removed, {redacted:,} redacted"


def _rerender_pdf(pdf: Path, render_pdf) -> str:
    html = pdf.with_suffix(".html")
    if html.exists():
        (render_pdf or render_report_pdf)(html.read_text(encoding="utf-8"), pdf)
        return "re-rendered from the redacted HTML"
    pdf.unlink()
    return "deleted (no redacted HTML to render it from)"
