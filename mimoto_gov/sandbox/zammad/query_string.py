"""The ``query`` parameter: a subset of Elasticsearch's ``query_string`` (zammad-api.md §3.7).

``AND`` is the default operator: ``field:value``, ``field:(a OR b)``, ``field:[a TO b]``,
``field:>value``, quotes, parentheses, ``AND``/``OR``/``NOT``/``!``. Text fields match whole
words ignoring case; a query without ``:`` matches word prefixes (Zammad appends ``*``).
Every ``*`` is stripped first (by the store), so ``*`` alone means "everything".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from mimoto_gov.sandbox.synthetic.dataset import parse_iso
from mimoto_gov.sandbox.zammad.query import parse_time

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
