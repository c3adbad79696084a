"""The ``condition`` parameter of a search: a selector hash or the expert form (zammad-api.md §3.7).

A selector hash is ``{"ticket.updated_at": {"operator": ..., "value": ...}}``; the expert form
is ``{"operator": "AND", "conditions": [...]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mimoto_gov.sandbox.zammad.query import ApiError, norm_time, ruby_int

_RANGE_UNITS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}


def condition_predicate(
    condition: object, resolve_for: Callable[[dict, str], tuple[str, list]]
) -> Callable[[dict], bool]:
    """Build a predicate from a selector hash or expert condition.

    Args:
        condition: the ``condition`` parameter.
        resolve_for: ``(record, "ticket.updated_at") -> (kind, values)``.

    Raises:
        ApiError: 422 for a malformed condition, 500 for an unknown operator.

    """
    rules: list[tuple[str, str, object, object]] = []
    join = "and"
    if isinstance(condition, dict) and "conditions" in condition:
        join = str(condition.get("operator", "AND")).lower()
        items = condition.get("conditions") or []
        for item in items:
            if not isinstance(item, dict) or "name" not in item:
                raise ApiError(422, "Invalid condition")
            rules.append((item["name"], item.get("operator", ""), item.get("value"), item))
    elif isinstance(condition, dict):
        for name, rule in condition.items():
            if not isinstance(rule, dict):
                raise ApiError(422, f"Invalid condition for '{name}'")
            rules.append((name, rule.get("operator", ""), rule.get("value"), rule))
    else:
        raise ApiError(422, "Invalid condition")
    checks = [_rule(name, op, value, rule) for name, op, value, rule in rules]

    def predicate(record: dict) -> bool:
        results = (check(resolve_for(record, name)) for name, check in checks)
        return any(results) if join == "or" else all(results)

    return predicate


def _is_stored_time(value: object) -> bool:
    """Return whether a value is already in the stored format (so it compares as text)."""
    return isinstance(value, str) and len(value) == 24 and value[10] == "T" and value[-1] == "Z"


def _within(resolved, low: str | None, high: str | None, strict: bool = False) -> bool:
    """Return whether a resolved time lies between ``low`` and ``high`` (stored format)."""
    for actual in resolved[1]:
        if actual is None:
            continue
        stamp = actual if _is_stored_time(actual) else norm_time(actual)
        if low is not None and (stamp <= low if strict else stamp < low):
            continue
        if high is not None and (stamp >= high if strict else stamp > high):
            continue
        return True
    return False


def _relative_bounds(
    operator: str, value: object, rule: dict
) -> tuple[str | None, str | None, bool] | None:
    """Return ``(low, high, strict)`` of a relative time operator, counted from now."""
    unit = _RANGE_UNITS.get(str(rule.get("range", "day")), timedelta(days=1))
    delta = unit * (ruby_int(value, 0) or 0)
    now = datetime.now(UTC)
    now_s, past, future = norm_time(now), norm_time(now - delta), norm_time(now + delta)
    return {
        "within last (relative)": (past, now_s, False),
        "within next (relative)": (now_s, future, False),
        "before (relative)": (None, past, True),
        "after (relative)": (past, None, True),
        "till (relative)": (None, future, True),
        "from (relative)": (future, None, True),
    }.get(operator)


def _rule(name: str, operator: str, value: object, rule: dict):
    operator = str(operator).lower()
    values = [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def is_(resolved) -> bool:
        kind, actual = resolved
        if kind == "date":
            wanted = {norm_time(v) for v in values if v}
            return any(a in wanted for a in actual)
        return any(str(a).lower() in {v.lower() for v in values} for a in actual if a is not None)

    def contains(resolved) -> bool:
        return any(
            str(v).lower() in str(a).lower() for a in resolved[1] if a is not None for v in values
        )

    if operator == "is":
        return name, is_
    if operator == "is not":
        return name, lambda r: not is_(r)
    if operator == "contains":
        return name, contains
    if operator == "contains not":
        return name, lambda r: not contains(r)
    if operator in ("after (absolute)", "before (absolute)"):
        stamp = norm_time(value)
        if operator.startswith("after"):
            return name, lambda r: _within(r, stamp, None)
        return name, lambda r: _within(r, None, stamp)
    bounds = _relative_bounds(operator, value, rule) if operator.endswith("(relative)") else None
    if bounds is not None:
        low, high, strict = bounds
        return name, lambda r: _within(r, low, high, strict)
    raise ApiError(500, f"Invalid operator '{operator}' for '{name}'", human=False)
