"""The anonymity audit of the Gaug.es exports (gauges-api.md §10).

The privacy policy promises "aggregated, anonymous browser information without IP addresses
or user details". Gaug.es only ever returns aggregates, but its free-text dimensions (page
paths and titles, referrer URLs, search terms) and its small counts can still point at a
person. The audit runs the §10 checklist over every loaded table and returns findings, each
with a severity, the number of rows and files concerned, masked examples and what to do.

Severities: ``high`` is personal data or a secret in the exports (an email address, a reset
token, an IP address, staff data); ``medium`` is something that could identify a person in
context (a small count below 5, a webmail or helpdesk referrer, a possible name);
``low`` is worth knowing (counts from 5 to 9, flagged rather than suppressed).

Examples are always masked (see :mod:`.redact`): an audit report never shows a full value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import pandas as pd

from mimoto_gov.gauges.frames import GaugesData
from mimoto_gov.gauges.redact import (
    decode,
    decode_term,
    identifying_params,
    long_tokens,
    mask_text,
    query_params,
    split_query,
)
from mimoto_gov.pii.scan import scan_pii

SUPPRESS_BELOW = 5
FLAG_BELOW = 10
SEVERITIES = ("high", "medium", "low")
MAX_EXAMPLES = 3

# rule -> (title shown to readers, checklist item of gauges-api.md §10, what to do)
RULES: dict[str, tuple[str, str, str]] = {
    "email": (
        "Email address",
        "§10.2",
        "Strip or hash the query string or path segment; delete the raw file after import.",
    ),
    "phone": (
        "Phone number",
        "§10.4",
        "Remove the row from published tables; keep the raw export under restricted retention.",
    ),
    "ip_address": (
        "IP address",
        "§10.6",
        "The policy promises no IP addresses: remove the value and find the page that sends it.",
    ),
    "postcode": (
        "Postcode",
        "§10.4",
        "Remove the row from published tables; a postcode can narrow to a few households.",
    ),
    "financial_or_id_number": (
        "Card, bank or National Insurance number",
        "§10.4",
        "Remove at once and check where the number came from.",
    ),
    "identifier_in_query": (
        "Identifier or secret in a query string",
        "§10.1",
        "Strip or hash query strings before tables are kept; fix the link that carries it.",
    ),
    "token": (
        "Long random token (session, reset or API key)",
        "§10.6",
        "Treat as a leaked secret: expire it and strip it from the export.",
    ),
    "private_referrer": (
        "Referrer from webmail, a helpdesk or a private system",
        "§10.3",
        "Keep the host only; drop path and query of such referrers.",
    ),
    "search_query_in_referrer": (
        "Search query carried in a referrer",
        "§10.3",
        "Keep the search engine's host only.",
    ),
    "possible_name": (
        "Possible personal name",
        "§10.4",
        "Check the value; remove it from published tables if it names a person.",
    ),
    "customer_reference": (
        "Order, invoice, ticket or account reference",
        "§10.4",
        "Remove from published tables: a reference number links to one customer.",
    ),
    "personal_title": (
        "Personalised page title",
        "§10.5",
        "Stop personalised pages sending their title to analytics.",
    ),
    "small_cell": (
        "Small count that could single someone out",
        "§10.7",
        "Suppress counts below 5 in published tables and bucket rare values; counts of 5 to 9 "
        "are flagged for care when combined with other tables.",
    ),
    "staff_data": (
        "Staff personal data in an export",
        "§10.8",
        "Staff names and emails (/me, /shares) do not belong in analytics: delete the file.",
    ),
    "api_keys": (
        "Live API keys in an export",
        "§10.8",
        "The /clients export holds API tokens: rotate the keys and delete the file.",
    ),
}

PII_RULES = {
    "email": ("email", "high"),
    "phone": ("phone", "high"),
    "ip_address": ("ip_address", "high"),
    "postcode": ("postcode", "medium"),
    "card_number": ("financial_or_id_number", "high"),
    "iban": ("financial_or_id_number", "high"),
    "ni_number": ("financial_or_id_number", "high"),
}

# (table, column, kind of text) checked for personal data; host columns included (§10)
TEXT_COLUMNS = (
    ("content", "path", "own_path"),
    ("content", "title", "title"),
    ("content", "host", "host"),
    ("referrers", "url", "referrer"),
    ("terms", "term", "term"),
)

# (table, label columns) checked for small counts
COUNT_TABLES = {
    "countries": ("key", "title"),
    "regions": ("country_key", "title"),
    "browsers": ("title",),
    "browser_versions": ("browser_key", "version"),
    "platforms": ("title",),
    "resolutions": ("dimension", "bucket"),
    "engines": ("title",),
    "content": ("path",),
    "referrers": ("url",),
    "terms": ("term",),
    "traffic_daily": ("date",),
}

_WEBMAIL = re.compile(
    r"^(?:mail\.google\.com|outlook\.(?:live|office|office365)\.com|mail\.yahoo\.com|"
    r"(?:[\w-]+\.)*(?:webmail|mail|owa|roundcube)\.[\w.-]+|mail\.[\w.-]+)$"
)
_HELPDESK = re.compile(r"(?:^|\.)(?:zammad\.com|zendesk\.com|freshdesk\.com|helpscoutdocs\.com)$")
_PRIVATE_HOST = re.compile(
    r"^(?:localhost|(?:admin|intranet|staging|stage|dev|test|crm|internal|backoffice)\.[\w.-]+"
    r"|[\w.-]+\.(?:local|internal|lan|corp|intranet|test))$"
)
_PROFILE_PATH = re.compile(r"^/(?:in|u|user|users|profile|people|pub)/[^/]+", re.IGNORECASE)
_SEARCH_HOST = re.compile(r"(?:^|\.)(?:google|bing|duckduckgo|yahoo|ecosia|yandex|baidu)\.")
_TICKET_PATH = re.compile(r"ticket/zoom/\d+|/tickets?/\d+", re.IGNORECASE)
_REFERENCE = re.compile(
    r"\b(?:order|invoice|inv|ticket|ref|reference|account|acct|customer|booking)\b"
    r"\s*(?:no\.?|number|#)?\s*[:#-]?\s*[A-Z0-9-]*\d{4,}",
    re.IGNORECASE,
)
_TITLE_GREETING = re.compile(
    r"\b(?i:welcome back|welcome|hello|hi|dear|signed in as|logged in as)\b[ ,:]+"
    r"[A-Z][a-z]+",
)
_POSSESSIVE = re.compile(r"\b[A-Z][a-z]+'s (?:account|profile|dashboard|orders?|basket)\b")


@dataclass(frozen=True)
class Finding:
    """One audit finding: a rule that fired on some rows of one table column.

    Attributes:
        rule: key of :data:`RULES`.
        severity: ``high``, ``medium`` or ``low``.
        table: the table (``content``, ``referrers``, ``regions``...).
        column: the column checked.
        rows: rows concerned.
        files: source files those rows came from.
        examples: up to three masked examples; never a full value.

    """

    rule: str
    severity: str
    table: str
    column: str
    rows: int
    files: tuple[str, ...]
    examples: tuple[str, ...]

    @property
    def title(self) -> str:
        """The rule's title."""
        return RULES[self.rule][0]

    @property
    def checklist(self) -> str:
        """The gauges-api.md §10 item the rule comes from."""
        return RULES[self.rule][1]

    @property
    def advice(self) -> str:
        """What to do about it."""
        return RULES[self.rule][2]


@dataclass(frozen=True)
class AuditResult:
    """All findings of one audit, with the rows checked per table."""

    findings: tuple[Finding, ...]
    checked: dict[str, int] = field(default_factory=dict)
    period: str = ""

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    @property
    def clean(self) -> bool:
        """True when nothing of high or medium severity was found."""
        counts = self.counts
        return counts["high"] == 0 and counts["medium"] == 0

    def rules(self, severity: str | None = None) -> set[str]:
        """Return the rules that fired (optionally only at one severity)."""
        return {f.rule for f in self.findings if severity is None or f.severity == severity}

    def headline(self) -> str:
        """One sentence for the top of a report."""
        checked = sum(self.checked.values())
        if not self.findings:
            return (
                f"No personal data, secrets or small counts found in {checked:,} rows checked: "
                "the exports hold anonymous aggregates only."
            )
        counts = self.counts
        parts = [f"{counts[s]:,} {s}" for s in SEVERITIES if counts[s]]
        verdict = (
            "The exports hold more than anonymous aggregates: act on the high findings."
            if counts["high"]
            else "No personal data found; small counts must stay suppressed in reports."
        )
        return f"{', '.join(parts)} severity finding(s) in {checked:,} rows checked. {verdict}"

    def table(self) -> pd.DataFrame:
        """Return every finding, most severe first, with masked examples (safe to publish)."""
        rows = [
            {
                "Severity": f.severity,
                "Check": f"{f.title} ({f.checklist})",
                "Where": f"{f.table}.{f.column}",
                "Rows": f.rows,
                "Examples (masked)": "; ".join(f.examples),
                "What to do": f.advice,
            }
            for f in self.findings
        ]
        columns = ["Severity", "Check", "Where", "Rows", "Examples (masked)", "What to do"]
        return pd.DataFrame(rows, columns=columns)

    def by_file(self, *, small_cells: bool = False) -> pd.DataFrame:
        """Return the flagged rows per source file and rule (§10.12).

        Args:
            small_cells: include small-count findings too (they touch most daily files, so
                they are left out by default: :meth:`table` counts them per table).

        """
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        for f in self.findings:
            if f.rule == "small_cell" and not small_cells:
                continue
            for name in f.files:
                counts[(name, f.table, f.title)] += 1
        rows = [
            {"File": _short(name), "Table": table, "Check": title, "Findings": n}
            for (name, table, title), n in sorted(counts.items())
        ]
        return pd.DataFrame(rows, columns=["File", "Table", "Check", "Findings"])


def _short(name: str) -> str:
    # the last three parts (gauge/endpoint/date.json) say enough and keep home folders out
    return "/".join(name.replace("\\", "/").split("/")[-3:])


# --- text checks ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    # common UK first names and surnames (faker's en_GB lists) for a cheap "is it a name" test
    from faker.providers.person.en_GB import Provider

    first = {n.lower() for n in (*Provider.first_names_female, *Provider.first_names_male)}
    last = {n.lower() for n in Provider.last_names}
    return frozenset(first), frozenset(last)


def _looks_like_name(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    first, last = _name_lists()
    return any(
        a.lower() in first and b.lower() in last for a, b in zip(words, words[1:], strict=False)
    )


def _referrer_hits(url: str, helpdesk_hosts: frozenset[str]) -> list[tuple[str, str]]:
    hits = []
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").removeprefix("www.")
    if host in helpdesk_hosts or _HELPDESK.search(host) or _TICKET_PATH.search(url):
        hits.append(("private_referrer", "high"))
    elif _WEBMAIL.match(host):
        has_ids = bool(long_tokens(url)) or bool(re.search(r"\d{6,}", parts.path + parts.query))
        hits.append(("private_referrer", "high" if has_ids else "medium"))
    elif _PRIVATE_HOST.match(host) or _PROFILE_PATH.match(parts.path):
        hits.append(("private_referrer", "medium"))
    if _SEARCH_HOST.search(host) and any(
        name in ("q", "p", "query", "text", "wd") and value.strip()
        for name, value in query_params(parts.query)
    ):
        hits.append(("search_query_in_referrer", "medium"))
    return hits


@lru_cache(maxsize=65536)
def inspect_text(value: str, kind: str, helpdesk_hosts: frozenset[str] = frozenset()) -> tuple:
    """Run the text rules on one value and return ``(rule, severity)`` pairs.

    Args:
        value: the text as exported.
        kind: ``own_path`` (our page path), ``title``, ``host``, ``referrer`` or ``term``.
        helpdesk_hosts: our own helpdesk's host names (e.g. the Zammad host).

    """
    hits: list[tuple[str, str]] = []
    text = decode_term(value) if kind == "term" else decode(value)
    for finding in scan_pii(text, html=False):
        hits.append(PII_RULES[finding.kind])
    if kind in ("own_path", "referrer"):
        _, query = split_query(value)
        for _, what in identifying_params(query, own_site=kind == "own_path"):
            severity = "high" if what in ("secret", "personal") else "medium"
            hits.append(("identifier_in_query", severity))
        if long_tokens(value):
            hits.append(("token", "high" if query and long_tokens(query) else "medium"))
    if kind == "referrer":
        hits.extend(_referrer_hits(value, helpdesk_hosts))
    if kind == "term":
        if _looks_like_name(text):
            hits.append(("possible_name", "medium"))
        if _REFERENCE.search(text):
            hits.append(("customer_reference", "medium"))
        if long_tokens(text):
            hits.append(("token", "medium"))
    if kind == "title":
        if _TITLE_GREETING.search(text) or _POSSESSIVE.search(text):
            hits.append(("personal_title", "medium"))
        if _REFERENCE.search(text):
            hits.append(("customer_reference", "medium"))
    # one finding per rule: keep the most severe
    best: dict[str, str] = {}
    for rule, severity in hits:
        if rule not in best or SEVERITIES.index(severity) < SEVERITIES.index(best[rule]):
            best[rule] = severity
    return tuple(sorted(best.items()))


# --- the audit ------------------------------------------------------------------------------


class _Collector:
    """Group row-level hits into findings."""

    def __init__(self) -> None:
        self.rows: dict[tuple, int] = defaultdict(int)
        self.files: dict[tuple, set[str]] = defaultdict(set)
        self.examples: dict[tuple, list[str]] = defaultdict(list)

    def add(self, key: tuple, rows: int, files: set[str], example: str) -> None:
        self.rows[key] += rows
        self.files[key].update(files)
        if example and example not in self.examples[key] and len(self.examples[key]) < MAX_EXAMPLES:
            self.examples[key].append(example)

    def findings(self) -> list[Finding]:
        found = [
            Finding(
                rule=rule,
                severity=severity,
                table=table,
                column=column,
                rows=self.rows[key],
                files=tuple(sorted(self.files[key])),
                examples=tuple(self.examples[key]),
            )
            for key in self.rows
            for rule, severity, table, column in [key]
        ]
        return sorted(
            found, key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.table, f.column)
        )


def _text_checks(data: GaugesData, collector: _Collector, helpdesk: frozenset[str]) -> None:
    for table, column, kind in TEXT_COLUMNS:
        frame = data.table(table)
        if frame.empty:
            continue
        values = frame[column].fillna("").astype(str)
        if table == "referrers":
            # a referrer without a full URL (2011-style rows) is checked by host + path
            fallback = frame["host"].fillna("") + frame["path"].fillna("")
            values = values.where(values != "", fallback.astype(str))
        grouped = pd.DataFrame({"value": values, "file": frame["source_file"].astype(str)})
        for value, group in grouped.groupby("value", sort=False):
            if not value:
                continue
            for rule, severity in inspect_text(value, kind, helpdesk):
                collector.add(
                    (rule, severity, table, column),
                    len(group),
                    set(group["file"]),
                    mask_text(value),
                )


def _label(frame: pd.DataFrame, columns: tuple[str, ...], index) -> str:
    parts = []
    for column in columns:
        value = frame.at[index, column]
        if pd.isna(value):
            continue
        if isinstance(value, pd.Timestamp):
            value = value.strftime("%d/%m/%Y")
        parts.append(mask_text(str(value)) if str(value) else "(hidden query)")
    return " / ".join(parts)


def _count_checks(
    data: GaugesData, collector: _Collector, suppress_below: int, flag_below: int
) -> None:
    for table, label_columns in COUNT_TABLES.items():
        frame = data.table(table)
        if frame.empty:
            continue
        views = frame["views"]
        for severity, low, high in (
            ("medium", 1, suppress_below),
            ("low", suppress_below, flag_below),
        ):
            if table == "traffic_daily" and severity == "low":
                continue  # a day's total of 5-9 views is not a small cell worth flagging
            hits = frame[(views >= low).fillna(False) & (views < high).fillna(False)]
            if table == "traffic_daily":
                severity = "low"  # a day's total alone identifies nobody, combined it might
            # the example names the cell but not its exact count: a report that listed
            # "Rutland: 2 views" would publish the very small cell it warns about
            band = f"fewer than {high} views" if low == 1 else f"{low} to {high - 1} views"
            for index in hits.index:
                example = f"{_label(frame, label_columns, index)} ({band})"
                collector.add(
                    ("small_cell", severity, table, "views"),
                    1,
                    {str(hits.at[index, "source_file"])},
                    example,
                )


def _account_checks(data: GaugesData, collector: _Collector) -> None:
    for row in data.account_files.itertuples(index=False):
        rule = "api_keys" if row.kind == "clients" else "staff_data"
        noun = "API key(s)" if row.kind == "clients" else "person(s)"
        example = (
            f"/{row.kind}: {row.records} {noun}, fields {row.fields or 'none'} (values not copied)"
        )
        collector.add(
            (rule, "high", "account_files", row.kind), int(row.records), {row.source_file}, example
        )


def audit(
    data: GaugesData,
    *,
    suppress_below: int = SUPPRESS_BELOW,
    flag_below: int = FLAG_BELOW,
    helpdesk_hosts: tuple[str, ...] | frozenset[str] = (),
    period: str = "",
) -> AuditResult:
    """Run the §10 checklist over loaded Gaug.es tables.

    Args:
        data: the tables (from exports, a pull or the store).
        suppress_below: counts from 1 to this minus one are findings of medium severity.
        flag_below: counts from ``suppress_below`` to this minus one are low severity.
        helpdesk_hosts: our own helpdesk hosts (the Zammad host), whose referrers link a
            ticket, and so a person, to a visit.
        period: a label for the audited period, e.g. ``Jul 2026 to Oct 2026``.

    Returns:
        An :class:`AuditResult`; its examples are masked.

    """
    collector = _Collector()
    helpdesk = frozenset(h.lower().removeprefix("www.") for h in helpdesk_hosts if h)
    _text_checks(data, collector, helpdesk)
    _count_checks(data, collector, suppress_below, flag_below)
    _account_checks(data, collector)
    checked = {name: len(frame) for name, frame in data.items() if not frame.empty}
    return AuditResult(findings=tuple(collector.findings()), checked=checked, period=period)
