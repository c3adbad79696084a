"""Paging, sorting and time values as Zammad applies them (zammad-api.md §2, §3.7).

- Page sizes: ``per_page`` (alias ``limit``) read with Ruby's ``to_i``, clamped to the
  endpoint's maximum; the offset uses the clamped size.
- ``sort_by``/``order_by``: comma-separated, paired by position; an unpaired column is
  dropped; an unknown column or direction is a server error (500), as in SqlHelper.
- Times in queries and conditions: ISO, a bare date (the whole day) or ES date math.

:class:`ApiError` is the error the sandbox answers with. The ``query`` parameter is parsed in
:mod:`.query_string`, the ``condition`` parameter in :mod:`.conditions`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from mimoto_gov.sandbox.synthetic.dataset import iso_ms, parse_iso


class ApiError(Exception):
    """An error the sandbox answers with Zammad's JSON error body."""

    def __init__(self, status: int, message: str, *, human: bool = True):
        super().__init__(message)
        self.status = status
        self.message = message
        self.human = human


# -- paging ------------------------------------------------------------------------------


def ruby_int(value: object, default: int | None = None) -> int | None:
    """Convert like Ruby's ``to_i``: leading digits, else 0; None stays ``default``."""
    if value is None:
        return default
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    match = re.match(r"\s*([+-]?\d+)", str(value))
    return int(match.group(1)) if match else 0


def page_window(params: dict, default: int, maximum: int) -> tuple[int, int, int]:
    """Return ``(page, limit, offset)`` with the limit clamped and the offset from it."""
    raw = params.get("per_page")
    if raw is None:
        raw = params.get("limit")
    limit = min(ruby_int(raw, default), maximum)
    page = ruby_int(params.get("page"), 1)
    return page, max(limit, 0), (page - 1) * max(limit, 0)


def paginate(records: list, params: dict, default: int, maximum: int) -> list:
    """Slice an SQL-backed index; a negative offset is a database error (422)."""
    _page, limit, offset = page_window(params, default, maximum)
    if offset < 0:
        raise ApiError(
            422, "PG::InvalidRowCountInResultOffsetClause: ERROR:  OFFSET must not be negative"
        )
    return records[offset : offset + limit]


# -- sorting -----------------------------------------------------------------------------


def _split(value: object) -> list[str]:
    if value is None:
        return []
    items = [str(v) for v in value] if isinstance(value, list | tuple) else str(value).split(",")
    return [item.strip() for item in items if item.strip()]


def sort_records(
    records: list[dict],
    params: dict,
    columns: Iterable[str],
    default: list[tuple[str, str]],
) -> list[dict]:
    """Sort like SqlHelper: validated columns paired with directions, NULLs last ascending.

    Raises:
        ApiError: 500 for an unknown column or direction, as Zammad's RuntimeError.

    """
    known = set(columns)
    sort_by, order_by = _split(params.get("sort_by")), _split(params.get("order_by"))
    for column in sort_by:
        if column not in known:
            raise ApiError(500, f"Can't find sort_by column '{column}'", human=False)
    for direction in order_by:
        if direction.lower() not in ("asc", "desc"):
            raise ApiError(500, f"Found invalid order_by value '{direction}'", human=False)
    pairs = [(c, d.lower()) for c, d in zip(sort_by, order_by, strict=False)] or default
    ordered = sorted(records, key=itemgetter("id"))
    if pairs == [("id", "asc")]:
        return ordered
    for column, direction in reversed(pairs):
        reverse = direction == "desc"
        ordered.sort(key=lambda r, c=column: _sort_key(r.get(c)), reverse=reverse)
    return ordered


def _sort_key(value: object) -> tuple:
    if value is None:
        return (1, 0, "")
    if isinstance(value, bool | int | float):
        return (0, 0, value)
    return (0, 1, str(value))


# -- time values -------------------------------------------------------------------------

_UNITS = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "M": timedelta(days=30),
    "y": timedelta(days=365),
}


def parse_time(value: str) -> tuple[datetime, bool]:
    """Parse a query time: ISO, a bare date or ES date math (``now-7d``).

    Returns:
        The moment, and whether it was a bare date (matched as a whole day).

    """
    value = value.strip().strip('"')
    match = re.fullmatch(r"now(?:([+-])(\d+)([smhdwMy]))?(?:/[smhdwMy])?", value)
    if match:
        moment = datetime.now(UTC)
        if match.group(1):
            delta = int(match.group(2)) * _UNITS[match.group(3)]
            moment = moment + delta if match.group(1) == "+" else moment - delta
        return moment, False
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.fromisoformat(value).replace(tzinfo=UTC), True
    return parse_iso(value), False


def norm_time(value: object) -> str | None:
    """Return a timestamp in the stored format (ISO with milliseconds and Z), or None."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else parse_time(str(value))[0]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso_ms(int(moment.astimezone(UTC).timestamp() * 1000))
