"""Paging, sorting, query strings and conditions as Zammad applies them (zammad-api.md §2, §3.7).

- Page sizes: ``per_page`` (alias ``limit``) read with Ruby's ``to_i``, clamped to the
  endpoint's maximum; the offset uses the clamped size.
- ``sort_by``/``order_by``: comma-separated, paired by position; an unpaired column is
  dropped; an unknown column or direction is a server error (500), as in SqlHelper.
- ``query``: a subset of Elasticsearch's ``query_string`` with ``AND`` as default operator:
  ``field:value``, ``field:(a OR b)``, ``field:[a TO b]``, ``field:>value``, quotes,
  parentheses, ``AND``/``OR``/``NOT``/``!``. Text fields match whole words ignoring case;
  a query without ``:`` matches word prefixes (Zammad appends ``*``). Every ``*`` is
  stripped first, so ``*`` alone means "everything".
- ``condition``: a selector hash (``{"ticket.updated_at": {"operator": ..., "value": ...}}``)
  or the expert form (``{"operator": "AND", "conditions": [...]}``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
_RANGE_UNITS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
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


# -- query strings -----------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(\(|\)|"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|(?:[^\s()"\\]|\\.)+)')


def _tokens(query: str) -> list[str]:
    tokens, position = [], 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if not match:
            break
        if match.group(1):
            tokens.append(match.group(1))
        position = match.end()
    # a field followed by a quoted value or a group: "field:" "(...)" -> keep as is
    return tokens


class Query:
    """A parsed query string; ``matches(resolve)`` tests one record.

    ``resolve(field)`` returns ``(kind, values)`` for a field name (``None`` for the
    default fields of a bare term): kind is ``text``, ``exact``, ``number`` or ``date``.
    """

    def __init__(self, query: str):
        self.simple = ":" not in query
        self.tokens = _tokens(query)
        self.position = 0
        self.tree = self._or() if self.tokens else ("all",)

    # grammar: or := and ("OR" and)*; and := unary (["AND"] unary)*; unary := NOT unary | atom
    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _or(self) -> tuple:
        parts = [self._and()]
        while self._peek() in ("OR", "||"):
            self._next()
            parts.append(self._and())
        return ("or", parts) if len(parts) > 1 else parts[0]

    def _and(self) -> tuple:
        parts = [self._unary()]
        while self._peek() not in (None, ")", "OR", "||"):
            if self._peek() in ("AND", "&&"):
                self._next()
                if self._peek() in (None, ")"):
                    break
            parts.append(self._unary())
        return ("and", parts) if len(parts) > 1 else parts[0]

    def _unary(self) -> tuple:
        token = self._peek()
        if token == "NOT":
            self._next()
            return ("not", self._unary())
        if token and token.startswith(("!", "-")) and len(token) > 1 and token != "-":
            self.tokens[self.position] = token[1:]
            return ("not", self._unary())
        return self._atom()

    def _atom(self) -> tuple:
        token = self._next()
        if token == "(":
            inner = self._or() if self._peek() not in (None, ")") else ("all",)
            if self._peek() == ")":
                self._next()
            return inner
        field, colon, value = _split_field(token)
        if not colon:
            return ("term", None, _unquote(token))
        if value == "" and self._peek() == "(":
            self._next()
            values = []
            while self._peek() not in (None, ")"):
                item = self._next()
                if item not in ("OR", "||", "AND", "&&"):
                    values.append(("term", field, _unquote(item)))
            if self._peek() == ")":
                self._next()
            return ("or", values) if values else ("none",)
        if value == "" and self._peek() is not None and self._peek().startswith('"'):
            value = self._next()
        return ("term", field, _unquote(value))

    def matches(self, resolve: Callable[[str | None], tuple[str, list]]) -> bool:
        """Return whether the record that ``resolve`` describes matches the query."""
        return self._eval(self.tree, resolve)

    def _eval(self, node: tuple, resolve) -> bool:
        kind = node[0]
        if kind == "all":
            return True
        if kind == "none":
            return False
        if kind == "and":
            return all(self._eval(n, resolve) for n in node[1])
        if kind == "or":
            return any(self._eval(n, resolve) for n in node[1])
        if kind == "not":
            return not self._eval(node[1], resolve)
        _, field, value = node
        if value == "":
            return True
        field_kind, values = resolve(field)
        return any(
            _match_value(field_kind, v, value, prefix=self.simple) for v in values if v is not None
        )


def _split_field(token: str) -> tuple[str, bool, str]:
    if token.startswith('"'):
        return "", False, token
    index = 0
    while index < len(token):
        if token[index] == "\\":
            index += 2
            continue
        if token[index] == ":":
            return token[:index].replace("\\", ""), True, token[index + 1 :]
        index += 1
    return token, False, ""


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value)


def word_match(needle: str, haystack: str, *, prefix: bool = False) -> bool:
    """Return whether ``needle`` occurs in ``haystack`` on word boundaries, ignoring case."""
    needle, haystack = needle.lower(), haystack.lower()
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        before = start == 0 or not haystack[start - 1].isalnum()
        after = prefix or end == len(haystack) or not haystack[end].isalnum()
        if before and after:
            return True
        start = haystack.find(needle, start + 1)
    return False


def _match_value(kind: str, actual: object, wanted: str, *, prefix: bool) -> bool:
    operator, operand = "", wanted
    match = re.match(r"^(>=|<=|>|<)(.*)$", wanted)
    if match:
        operator, operand = match.group(1), match.group(2)
    if wanted[:1] in "[{" and wanted[-1:] in "]}":
        return _match_range(kind, actual, wanted)
    if kind == "date":
        return _compare_time(str(actual), operator, operand)
    if kind == "number":
        try:
            left, right = float(actual), float(operand)
        except (TypeError, ValueError):
            return False
        return _compare(left, operator, right)
    if kind == "exact":
        if operator:
            return _compare(str(actual), operator, operand)
        return str(actual).lower() == operand.lower()
    return word_match(operand, str(actual), prefix=prefix)


def _compare(left, operator: str, right) -> bool:
    if operator == ">":
        return left > right
    if operator == ">=":
        return left >= right
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    return left == right


def _compare_time(actual: str, operator: str, operand: str) -> bool:
    try:
        moment = parse_iso(actual)
        wanted, whole_day = parse_time(operand)
    except ValueError:
        return False
    if whole_day and not operator:
        return wanted <= moment < wanted + timedelta(days=1)
    if whole_day and operator in (">", "<="):
        wanted += timedelta(days=1)  # "after the day" means from the next midnight
        operator = ">=" if operator == ">" else "<"
    return _compare(moment, operator, wanted)


def _match_range(kind: str, actual: object, wanted: str) -> bool:
    low_inclusive, high_inclusive = wanted[0] == "[", wanted[-1] == "]"
    parts = re.split(r"\s+TO\s+", wanted[1:-1].strip())
    low = parts[0].strip() if parts else ""
    high = parts[1].strip() if len(parts) > 1 else ""
    checks = []
    if low:
        checks.append((">=" if low_inclusive else ">") + low)
    if high:
        checks.append(("<=" if high_inclusive else "<") + high)
    return all(_match_value(kind, actual, check, prefix=False) for check in checks)


# -- conditions --------------------------------------------------------------------------


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

    def when(resolved, low: str | None, high: str | None, strict: bool = False) -> bool:
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
            return name, lambda r: when(r, stamp, None)
        return name, lambda r: when(r, None, stamp)
    if operator.endswith("(relative)"):
        unit = _RANGE_UNITS.get(str(rule.get("range", "day")), timedelta(days=1))
        delta = unit * (ruby_int(value, 0) or 0)
        now = datetime.now(UTC)
        now_s, past, future = norm_time(now), norm_time(now - delta), norm_time(now + delta)
        bounds = {
            "within last (relative)": (past, now_s, False),
            "within next (relative)": (now_s, future, False),
            "before (relative)": (None, past, True),
            "after (relative)": (past, None, True),
            "till (relative)": (None, future, True),
            "from (relative)": (future, None, True),
        }
        if operator in bounds:
            low, high, strict = bounds[operator]
            return name, lambda r: when(r, low, high, strict)
    raise ApiError(500, f"Invalid operator '{operator}' for '{name}'", human=False)
