"""Zammad's raw records as typed pandas frames: the shaping half of fetch-then-shape.

The client yields raw dicts (:mod:`mimoto_gov.zammad.client`); the pull
(:mod:`mimoto_gov.zammad.sync`) turns them into these frames with :func:`frame` and stores
them as the snapshot (:mod:`mimoto_gov.zammad.snapshot`).

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
from typing import Any

import pandas as pd
from pandas.api.types import infer_dtype

from mimoto_gov.zammad import seeds

TABLES = ("tickets", "articles", "attachments", "users", "organizations")

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
