"""The Zammad inventory as pandas frames, loaded from the local snapshot without the network.

``mimoto-gov pull`` writes the snapshot (:mod:`mimoto_gov.zammad.sync`); this module turns
Zammad's raw records into typed frames (the ``*_frame`` functions, used by the pull) and
loads a snapshot back (:func:`load_inventory`).

Every frame keeps the columns Zammad sent, plus these public ones, which other modules and
the notebooks rely on:

- tickets: ``id, number, title, state, group, customer_id, organization_id, created_at,
  updated_at, close_at, last_contact_at``
- articles: ``id, ticket_id, from, to, cc, subject, body, content_type, internal, sender,
  type, created_at``
- attachments (metadata only): ``id, article_id, ticket_id, filename, size, content_type``
- users: ``id, login, email, firstname, lastname, phone, mobile, organization_id, active,
  created_at, updated_at, last_login``
- organizations: ``id, name, created_at, updated_at``

Types: ids are nullable ``Int64``; timestamps are tz-aware UTC; text is ``str`` (ticket
``number`` stays the string Zammad sends); attachment ``size`` is an ``Int64`` (Zammad sends
it as a string); flags are nullable ``boolean``. Nested values (lists, dicts) are stored as
JSON strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api.types import infer_dtype

from mimoto_gov.errors import SnapshotError
from mimoto_gov.zammad import seeds

SCHEMA_VERSION = 1
TABLES = ("tickets", "articles", "attachments", "users", "organizations")
STATE_FILE = "sync_state.json"

ID, TEXT, TIME, FLAG, INT = "id", "text", "time", "flag", "int"

PUBLIC_COLUMNS: dict[str, dict[str, str]] = {
    "tickets": {
        "id": ID,
        "number": TEXT,
        "title": TEXT,
        "state": TEXT,
        "group": TEXT,
        "customer_id": ID,
        "organization_id": ID,
        "created_at": TIME,
        "updated_at": TIME,
        "close_at": TIME,
        "last_contact_at": TIME,
    },
    "articles": {
        "id": ID,
        "ticket_id": ID,
        "from": TEXT,
        "to": TEXT,
        "cc": TEXT,
        "subject": TEXT,
        "body": TEXT,
        "content_type": TEXT,
        "internal": FLAG,
        "sender": TEXT,
        "type": TEXT,
        "created_at": TIME,
    },
    "attachments": {
        "id": ID,
        "article_id": ID,
        "ticket_id": ID,
        "filename": TEXT,
        "size": INT,
        "content_type": TEXT,
    },
    "users": {
        "id": ID,
        "login": TEXT,
        "email": TEXT,
        "firstname": TEXT,
        "lastname": TEXT,
        "phone": TEXT,
        "mobile": TEXT,
        "organization_id": ID,
        "active": FLAG,
        "created_at": TIME,
        "updated_at": TIME,
        "last_login": TIME,
    },
    "organizations": {"id": ID, "name": TEXT, "created_at": TIME, "updated_at": TIME},
}

# Zammad's seeded ids (db/seeds): used only when a record carries the id but not the name.
DEFAULT_NAMES = {
    "tickets": {
        ("state_id", "state"): seeds.STATES,
        ("priority_id", "priority"): seeds.PRIORITIES,
        ("group_id", "group"): {},
    },
    "articles": {
        ("sender_id", "sender"): seeds.SENDERS,
        ("type_id", "type"): seeds.ARTICLE_TYPES,
    },
}

# Raw timestamp columns that do not end in "_at".
EXTRA_TIME_COLUMNS = frozenset({"last_login", "pending_time"})


# -- shaping ------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _nested_as_json(series: pd.Series) -> pd.Series:
    """Store nested values (lists, dicts) of an object column as JSON text."""
    values = series.tolist()
    if not any(isinstance(v, dict | list | tuple) for v in values):
        return series
    return pd.Series(
        [_json(v) if isinstance(v, dict | list | tuple) else v for v in values],
        index=series.index,
        dtype=object,
    )


def _text(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool | int | float | str):
        return str(value)
    return _json(value)


def _as_ids(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.Int64Dtype):
        return series
    return pd.to_numeric(series, errors="coerce").astype("Int64")


def _as_text(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.StringDtype):
        return series.astype("str")
    if infer_dtype(series, skipna=True) in {"string", "empty"}:
        return series.astype("str")
    # numbers (a ticket number sent as an integer) or mixed values
    return series.map(_text).astype("str")


def _as_time(series: pd.Series, *, strict: bool = False) -> pd.Series | None:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.as_unit("us")
    parsed = pd.to_datetime(series, utc=True, format="ISO8601", errors="coerce")
    if strict and parsed.isna().sum() > series.isna().sum():
        return None
    return parsed.dt.as_unit("us")


def _as_flag(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.BooleanDtype):
        return series
    if series.dtype == bool or infer_dtype(series, skipna=True) in {"boolean", "empty"}:
        return series.astype("boolean")
    words = {"true": True, "false": False, "1": True, "0": False}

    def flag(value: Any) -> Any:
        if _is_missing(value):
            return None
        if isinstance(value, str):
            return words.get(value.strip().lower())
        return bool(value)

    return series.map(flag).astype("boolean")


_CASTS = {
    ID: _as_ids,
    TEXT: _as_text,
    TIME: _as_time,
    FLAG: _as_flag,
    INT: _as_ids,
}


def _tidy_extra(name: str, series: pd.Series) -> pd.Series:
    """Give a raw (non-public) column one consistent type so Parquet can store it."""
    if name.endswith("_at") or name in EXTRA_TIME_COLUMNS:
        parsed = _as_time(series, strict=True)
        if parsed is not None:
            return parsed
    if name.endswith(("_id", "_count")) and series.dtype.kind in "fiO":
        numeric = pd.to_numeric(series, errors="coerce")
        if numeric.notna().sum() == series.notna().sum() and (numeric.dropna() % 1 == 0).all():
            return numeric.astype("Int64")
    if series.dtype != object:
        return series
    kind = infer_dtype(series, skipna=True)
    if kind == "boolean":
        return series.astype("boolean")
    if kind in {"integer", "floating", "mixed-integer-float"}:
        return pd.to_numeric(series, errors="coerce")
    if kind in {"string", "empty"}:
        return series.astype("str")
    # Mixed types (a custom field that changed type): keep everything as text.
    return series.map(_text).astype("str")


def _fill_names(table: str, df: pd.DataFrame) -> None:
    """Fill name columns (``state``...) from their id columns where a record lacks the name."""
    for (id_column, name_column), defaults in DEFAULT_NAMES.get(table, {}).items():
        if id_column not in df:
            continue
        ids = _as_ids(df[id_column])
        if name_column not in df:
            df[name_column] = None
        names = df[name_column]
        known = dict(defaults)
        seen = pd.DataFrame({"id": ids, "name": names}).dropna().drop_duplicates("id", keep="last")
        known.update(zip(seen["id"].astype(int), seen["name"], strict=True))
        missing = names.isna() & ids.notna()
        if missing.any():
            df.loc[missing, name_column] = ids[missing].astype("int64").map(known)


def frame(table: str, data: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """Shape Zammad records (or an already shaped frame) into the typed frame of ``table``.

    Applying it to its own output changes nothing, so merged snapshots are re-shaped safely.

    Args:
        table: one of :data:`TABLES`.
        data: raw records as Zammad sends them, or a frame.

    Returns:
        The frame, public columns first, sorted by ``id``.

    """
    public = PUBLIC_COLUMNS[table]
    df = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame.from_records(list(data))
    for column in df.columns:
        if df[column].dtype == object:
            df[column] = _nested_as_json(df[column])
    _fill_names(table, df)
    for column in public:
        if column not in df:
            df[column] = None
    columns = {}
    for column in df.columns:
        kind = public.get(column)
        columns[column] = _CASTS[kind](df[column]) if kind else _tidy_extra(column, df[column])
    extras = [column for column in df.columns if column not in public]
    shaped = pd.DataFrame(columns, index=df.index)[list(public) + extras]
    return shaped.sort_values("id", kind="stable", ignore_index=True)


def tickets_frame(records: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """Shape ticket records into the typed tickets frame."""
    return frame("tickets", records)


def articles_frame(records: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """Shape article records into the typed articles frame."""
    return frame("articles", records)


def users_frame(records: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """Shape user records into the typed users frame."""
    return frame("users", records)


def organizations_frame(records: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """Shape organisation records into the typed organizations frame."""
    return frame("organizations", records)


def attachment_records(articles: Iterable[dict]) -> list[dict]:
    """List the attachment metadata carried inside raw article records.

    Each entry of an article's ``attachments`` list (``{id, filename, size, preferences}``)
    becomes one record with its ``article_id`` and ``ticket_id``; ``content_type`` comes from
    the preferences (``Content-Type``, else ``Mime-Type``).
    """
    rows = []
    for article in articles:
        attachments = article.get("attachments") or []
        if isinstance(attachments, str):
            attachments = json.loads(attachments)
        for attachment in attachments:
            preferences = attachment.get("preferences") or {}
            content_type = (
                preferences.get("Content-Type")
                or preferences.get("Mime-Type")
                or preferences.get("content_type")
            )
            rows.append(
                {
                    **attachment,
                    "article_id": article.get("id"),
                    "ticket_id": article.get("ticket_id"),
                    "content_type": content_type,
                }
            )
    return rows


def attachments_frame(records: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """Shape attachment records (see :func:`attachment_records`) into the typed frame."""
    return frame("attachments", records)


# -- loading -------------------------------------------------------------------------------


@dataclass
class Inventory:
    """Everything the Zammad snapshot holds, as pandas frames.

    Attributes:
        tickets: one row per ticket.
        articles: one row per article (bodies included).
        attachments: one row per attachment (metadata; contents are fetched on demand).
        users: one row per user (customers and staff).
        organizations: one row per organisation.
        snapshot_time: when the pull that made the snapshot started (UTC).
        sync_state: the pull's bookkeeping (watermark, last full pull, counts...).
        path: the snapshot folder.

    """

    tickets: pd.DataFrame
    articles: pd.DataFrame
    attachments: pd.DataFrame
    users: pd.DataFrame
    organizations: pd.DataFrame
    snapshot_time: datetime
    sync_state: dict = field(default_factory=dict)
    path: Path | None = None

    def counts(self) -> dict[str, int]:
        """Return the number of rows of each table."""
        return {table: len(getattr(self, table)) for table in TABLES}

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {table}" for table, n in self.counts().items())
        return f"<Inventory {counts}; as of {self.snapshot_time:%Y-%m-%d %H:%M} UTC>"


def _missing(folder: Path) -> SnapshotError:
    return SnapshotError(f"no Zammad snapshot in {folder}: run `mimoto-gov pull` first")


def read_snapshot(folder: Path) -> Inventory:
    """Load the snapshot stored in ``folder`` (``<data>/zammad``).

    Raises:
        SnapshotError: the folder holds no complete, readable snapshot.

    """
    folder = Path(folder)
    state_path = folder / STATE_FILE
    if not state_path.is_file():
        raise _missing(folder)
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        snapshot_time = datetime.fromisoformat(state["snapshot_time"]).astimezone(UTC)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(
            f"no readable Zammad snapshot in {folder} ({STATE_FILE} is damaged: "
            f"{type(exc).__name__}): run `mimoto-gov pull --full`"
        ) from None
    if state.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotError(
            f"the Zammad snapshot in {folder} was written by another version of mimoto-gov: "
            "run `mimoto-gov pull --full`"
        )
    frames = {}
    for table in TABLES:
        path = folder / f"{table}.parquet"
        if not path.is_file():
            raise _missing(folder)
        try:
            frames[table] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types for bad files
            raise SnapshotError(
                f"no readable Zammad snapshot in {folder} ({path.name} is damaged: "
                f"{type(exc).__name__}): run `mimoto-gov pull --full`"
            ) from None
    return Inventory(**frames, snapshot_time=snapshot_time, sync_state=state, path=folder)


def load_inventory(data_dir: Path | str | None = None) -> Inventory:
    """Load the Zammad inventory from the local snapshot (no network).

    Args:
        data_dir: the workbook's data folder (default: ``MIMOTO_GOV_DATA``, else ``./data``);
            the snapshot is its ``zammad`` sub-folder.

    Returns:
        An :class:`Inventory` with the frames ``tickets``, ``articles``, ``attachments``,
        ``users`` and ``organizations``.

    Raises:
        SnapshotError: there is no snapshot yet, or it is unreadable.

    """
    if data_dir is None:
        from mimoto_gov.settings import load_settings

        data_dir = load_settings().data_dir
    folder = Path(data_dir) / "zammad"
    if not folder.exists():
        # A crash between the two renames of a snapshot swap leaves the previous copy here.
        previous = folder.with_name(f".{folder.name}.old")
        if (previous / STATE_FILE).is_file():
            return read_snapshot(previous)
    return read_snapshot(folder)
