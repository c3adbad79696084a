"""Read saved Gaug.es exports, whatever their shape, into the typed tables of ``frames``.

Gaug.es may no longer answer, so saved files are the main input (gauges-api.md §1, §9).
Three shapes are recognised automatically, plus bare row lists:

``api``
    A response body of the REST API, recognised by its envelope key (``traffic``,
    ``content``, ``referrers``, ``terms``, ``browsers``/``platforms``, the resolution lists,
    ``engines``, ``locations``, ``gauges``; ``user``/``shares``/``clients`` are account
    documents, counted but never copied).
``dashboard``
    The web dashboard's traffic document (``data.month.traffic``, ``data.year.traffic``,
    §7.9), as saved by browser-cookie exporters.
``csv``
    The community CSV of daily traffic with the header ``date,views,people``, one file per
    gauge per month, named ``<gauge title>-YYYY-MM.csv``.
``rows``
    A JSON list of rows of one endpoint (§9 shape 4); the endpoint is told by the row keys.

Quirks handled: ``people`` is not additive across days (monthly people come only from a
month total, never from a sum); resolution buckets stay strings; ``content``/``referrers``
are daily while the other stats endpoints are monthly; gauge time zones are Rails names.
Anything else raises :class:`~mimoto_gov.errors.InputError` naming the file and the problem.

This module finds the files and tells their shape; :mod:`.api_export` parses API bodies,
:mod:`.traffic_exports` the dashboard JSON and the CSV, :mod:`.fields` checks each value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from mimoto_gov.errors import InputError
from mimoto_gov.gauges.api_export import ENVELOPES, load_api
from mimoto_gov.gauges.fields import date_from_name
from mimoto_gov.gauges.frames import GaugesData, dedupe, typed_frame
from mimoto_gov.gauges.traffic_exports import csv_rows, load_csv, load_dashboard
from mimoto_gov.support.progress import progress

FORMATS = ("api", "dashboard", "csv", "rows")


def export_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand files and folders into the export files they hold, in a stable order.

    Folders are searched recursively for ``*.json`` and ``*.csv``; the ``.meta.json`` files a
    live pull writes beside each response are skipped.

    Raises:
        InputError: a path does not exist, or a folder holds no export.

    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in (".json", ".csv")
                and not p.name.endswith(".meta.json")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError(f"{path}: no Gaug.es export files (.json or .csv) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def load_exports(paths: Iterable[Path | str]) -> GaugesData:
    """Load every export under ``paths`` (files or folders) into one :class:`GaugesData`.

    Overlapping exports do not double count: a later file's row replaces an earlier row with
    the same key (gauge, period and dimension value).

    Raises:
        InputError: naming the first malformed file; nothing is returned in that case.

    """
    files = export_files(paths)
    rows: dict[str, list[dict]] = {}
    for path in progress(files, desc="Reading exports", unit="file"):
        for name, table_rows in parse_file(path).items():
            rows.setdefault(name, []).extend(table_rows)
    return _build(rows).resolved()


def detect_format(path: Path | str) -> str:
    """Return the shape of one export file: ``api``, ``dashboard``, ``csv`` or ``rows``.

    Raises:
        InputError: the file is unreadable or not a Gaug.es export.

    """
    path = Path(path)
    text = _read_text(path)
    if _looks_like_json(path, text):
        return _json_format(path, _parse_json(path, text))
    csv_rows(path, text)
    return "csv"


def load_file(path: Path | str) -> GaugesData:
    """Load one export file into typed tables.

    Raises:
        InputError: the file is unreadable, malformed or not a Gaug.es export.

    """
    return _build(parse_file(Path(path)))


def parse_file(path: Path) -> dict[str, list[dict]]:
    """Parse one export file into plain rows per table (see :func:`load_file`)."""
    text = _read_text(path)
    if not _looks_like_json(path, text):
        return load_csv(path, text)
    doc = _parse_json(path, text)
    shape = _json_format(path, doc)
    if shape == "dashboard":
        return load_dashboard(path, doc)
    if shape == "rows":
        endpoint = _row_endpoint(path, doc)
        # the envelope key of these four endpoints is the endpoint's own name
        doc = {"date": date_from_name(path), endpoint: doc}
    return load_api(path, doc)


def _build(rows: dict[str, list[dict]]) -> GaugesData:
    return GaugesData(
        **{name: dedupe(name, typed_frame(name, table)) for name, table in rows.items() if table}
    )


# --- reading and detection ------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, so not a Gaug.es export") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _looks_like_json(path: Path, text: str) -> bool:
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() == ".csv":
        return False
    return text.lstrip()[:1] in ("{", "[")


def _parse_json(path: Path, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None


def _json_format(path: Path, doc) -> str:
    if isinstance(doc, dict):
        data = doc.get("data")
        if isinstance(data, dict) and ("month" in data or "year" in data):
            return "dashboard"
        if doc.get("status") == "fail":
            message = str(doc.get("message") or "no message")[:60]
            raise InputError(f"{path}: a saved Gaug.es error response ({message}), not an export")
        if any(key in ENVELOPES for key in doc):
            return "api"
        if _is_browserstats(doc):
            return "api"
    elif isinstance(doc, list) and doc and all(isinstance(row, dict) for row in doc):
        _row_endpoint(path, doc)
        return "rows"
    elif isinstance(doc, list):
        raise InputError(f"{path}: an empty or mixed JSON list, not a Gaug.es export")
    raise InputError(
        f"{path}: unrecognised Gaug.es export (expected an API response such as "
        "{'traffic': [...]}, the dashboard traffic JSON, or a date,views,people CSV)"
    )


def _is_browserstats(doc: dict) -> bool:
    # /browserstats: family -> {major version -> percentage}, derived from technology (§7.8)
    return bool(doc) and all(
        isinstance(versions, dict)
        and all(isinstance(share, int | float) for share in versions.values())
        for versions in doc.values()
    )


def _row_endpoint(path: Path, rows: list[dict]) -> str:
    keys = set(rows[0])
    if {"date", "views"} <= keys and "path" not in keys:
        return "traffic"
    if "term" in keys:
        return "terms"
    if {"path", "title"} <= keys:
        return "content"
    if {"url", "path"} <= keys:
        return "referrers"
    raise InputError(
        f"{path}: unrecognised Gaug.es export (a list of rows with keys "
        f"{', '.join(sorted(keys))[:80]})"
    )
