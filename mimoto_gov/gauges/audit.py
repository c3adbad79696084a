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
The rules for one text value are in :mod:`.audit_rules`; this module runs them over the
tables, adds the small-count and account-file checks, and groups the hits into findings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from mimoto_gov.gauges.audit_rules import RULES, SEVERITIES, inspect_text
from mimoto_gov.gauges.frames import GaugesData
from mimoto_gov.gauges.redact import mask_text

SUPPRESS_BELOW = 5
FLAG_BELOW = 10
MAX_EXAMPLES = 3

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
        """Return the verdict first, then what it rests on (for the top of a report)."""
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
        return f"{verdict} {', '.join(parts)} severity finding(s) in {checked:,} rows checked."

    @property
    def level(self) -> str:
        """The callout for :meth:`headline`: ``action`` only when there is something to do."""
        return "action" if self.counts["high"] else "info"

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
