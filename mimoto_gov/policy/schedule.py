"""The retention schedule: one file, ``data/policy/retention.yml``, for every store.

The schedule says how long each store of personal data is kept, what starts the clock, what
happens at the end (delete, anonymise, review or keep) and why. Its sections:

- ``tickets``: rules matching Zammad tickets by state, group or type, first match wins, and a
  ``default`` for the rest (carried out by ``mimoto-gov retention apply``);
- ``accounts``: Zammad customer accounts without login or ticket activity (the same command);
- ``stores``: the marketing list, each register, the Gaug.es tables, the Zammad snapshot;
- ``own_copies``: the workbook's own copies (carried out by ``mimoto-gov tidy``);
- ``backups``: backups and the provider's logs, a manual line on every deletion checklist.

This module only reads and checks the file; it changes nothing and needs no data. Approval is
not kept in the file: it is a recorded act (``mimoto-gov retention approve``), bound to the
schedule's :attr:`Schedule.digest`, so any change to what the file says needs a new approval.
See :mod:`mimoto_gov.retention.approval`.

Files of the earlier, ticket-only shape (``rules``, ``default`` and ``customers`` at the top)
are still read: they are the ``tickets`` and ``accounts`` sections without the others.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.errors import ConfigError
from mimoto_gov.formats import UK_TIME
from mimoto_gov.policy.files import read_yaml
from mimoto_gov.policy.schedule_sections import (
    KEEP,
    RULE_ACTIONS,
    BackupPolicy,
    CopyRule,
    Fail,
    Period,
    RetainedCopy,
    StoreLine,
    check_keys,
    parse_backups,
    parse_own_copies,
    parse_period,
    parse_stores,
    reason_text,
)
from mimoto_gov.settings import POLICY_DIR, load_settings

__all__ = [
    "ACTIONS",
    "MATCH_KEYS",
    "MEASURES",
    "RULE_ACTIONS",
    "SCHEDULE_FILE",
    "STATUSES",
    "TEXT_LEFT",
    "AccountsRule",
    "Approval",
    "BackupPolicy",
    "CopyRule",
    "Period",
    "RetainedCopy",
    "Rule",
    "Schedule",
    "StoreLine",
    "default_schedule_path",
    "load_schedule",
    "parse_schedule",
    "repository_schedule_path",
]

# What a ticket past its period gets; ``keep`` rules never come due.
ACTIONS = ("delete", "anonymise", "review")
ACCOUNT_ACTIONS = ("delete", "review", KEEP)
MEASURES = {
    "last_activity": "last activity",
    "closed": "closing date",
    "created": "creation date",
}
MATCH_KEYS = ("state", "group", "type")
STATUSES = ("proposed", "approved")
TEXT_LEFT = (KEEP, "delete")
SCHEDULE_FILE = "retention.yml"

_SECTIONS = {
    "version", "owner", "published_policy", "tickets", "accounts", "stores", "own_copies",
    "backups",
}  # fmt: skip
# The earlier ticket-only shape, still read.
_TOP_KEYS = _SECTIONS | {"status", "approved_on", "rules", "default", "customers"}
_RULE_KEYS = {"name", "match", "period", "from", "action", "reason", "text_left", "text_reason"}
_ACCOUNT_KEYS = {"period", "action", "reason"}


@dataclass(frozen=True)
class Rule:
    """One line of the ticket schedule: which tickets, how long, counted from what, then what.

    ``period`` is None only for ``keep``. ``text_left`` (anonymise rules) says what happens to
    the text Zammad's API cannot scrub: ``keep`` it, or ``delete`` the ticket instead.
    """

    name: str
    period: Period | None
    action: str
    measure_from: str = "last_activity"
    match: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reason: str = ""
    text_left: str = ""
    text_reason: str = ""

    def matches(self, tickets: pd.DataFrame) -> pd.Series:
        """Return a mask of the tickets this rule's ``match`` selects (all for no match)."""
        mask = pd.Series(True, index=tickets.index)
        for key, values in self.match:
            column = tickets[key] if key in tickets.columns else pd.Series("", index=tickets.index)
            wanted = {v.casefold() for v in values}
            mask &= column.fillna("").astype(str).str.casefold().isin(wanted)
        return mask

    def describe_match(self) -> str:
        """Describe the match in words, e.g. ``state closed; group Sales``."""
        if not self.match:
            return "every other ticket"
        return "; ".join(f"{key} {', '.join(values)}" for key, values in self.match)


@dataclass(frozen=True)
class AccountsRule:
    """How long an unused Zammad customer account is kept, and what happens then."""

    period: Period | None
    action: str
    reason: str = ""


@dataclass(frozen=True)
class Approval:
    """A recorded approval of one version of the schedule (who, when, what exactly)."""

    approved_by: str
    approved_at: datetime
    version: str
    digest: str


@dataclass(frozen=True)
class Schedule:
    """The retention schedule as loaded from ``retention.yml``.

    Attributes:
        digest: a fingerprint of what the file says (comments and layout aside); an approval
            holds only for the digest it was given.
        approval: the approval matching :attr:`digest`, once attached
            (:meth:`with_approvals`); None while the schedule is a proposal.

    """

    version: str
    owner: str
    published_policy: str
    rules: tuple[Rule, ...]
    default: Rule
    accounts: AccountsRule
    stores: tuple[StoreLine, ...] = ()
    own_copies: dict[str, CopyRule] = field(default_factory=dict)
    backups: BackupPolicy | None = None
    digest: str = ""
    source: str = SCHEDULE_FILE
    approval: Approval | None = None

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """Return the ticket rules in order, then the default."""
        return (*self.rules, self.default)

    @property
    def approved(self) -> bool:
        """Tell whether this exact schedule was approved (else its periods are proposals)."""
        return self.approval is not None and self.approval.digest == self.digest

    @property
    def status(self) -> str:
        """``approved`` or ``proposed``."""
        return "approved" if self.approved else "proposed"

    @property
    def approved_on(self) -> date | None:
        """The day of the approval (UK calendar), or None."""
        if not self.approved:
            return None
        return self.approval.approved_at.astimezone(UK_TIME).date()

    @property
    def inactive_after(self) -> Period | None:
        """The accounts' period (named as the review has always called it)."""
        return self.accounts.period

    def with_approvals(self, approvals: list[Approval]) -> Schedule:
        """Return the schedule with the newest approval of its own digest attached, if any."""
        mine = [a for a in approvals if a.digest == self.digest]
        return replace(self, approval=max(mine, key=lambda a: a.approved_at) if mine else None)


def repository_schedule_path() -> Path:
    """Return the schedule tracked in the repository (``data/policy/retention.yml``)."""
    return POLICY_DIR / SCHEDULE_FILE


def default_schedule_path(policy_dir: Path | None = None) -> Path:
    """Return where the schedule is read from when no path is given.

    ``<data dir>/policy/retention.yml`` when it exists (the working copy staff edit), else the
    copy tracked in the repository, so a data folder holding only a snapshot still works.
    """
    if policy_dir is None:
        policy_dir = load_settings().policy_dir
    candidate = Path(policy_dir) / SCHEDULE_FILE
    return candidate if candidate.is_file() else repository_schedule_path()


def load_schedule(path: Path | str | None = None) -> Schedule:
    """Read and check the retention schedule.

    Args:
        path: the YAML file; by default :func:`default_schedule_path`.

    Returns:
        The checked :class:`Schedule` (without its approval: see
        :func:`mimoto_gov.retention.approval.load_approved_schedule`).

    Raises:
        ConfigError: the file is missing, is not YAML, or breaks a rule of the format; the
            one-line message names the file and the faulty entry.

    """
    path = Path(path) if path is not None else default_schedule_path()
    return parse_schedule(read_yaml(path, "retention schedule"), source=path.name)


def schedule_digest(data: Any) -> str:
    """Return the fingerprint of a schedule's content: SHA-256 of its canonical JSON."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_schedule(data: Any, source: str = SCHEDULE_FILE) -> Schedule:
    """Check a schedule already read from YAML (see :func:`load_schedule`).

    Raises:
        ConfigError: one line naming ``source`` and the faulty entry.

    """

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    if not isinstance(data, dict):
        raise fail("expected a mapping with 'version', 'tickets' and 'accounts'")
    check_keys(data, _TOP_KEYS, "", fail, shown=_SECTIONS)
    version = data.get("version")
    if version is None or not str(version).strip():
        raise fail("'version' is missing: give the schedule a version, e.g. \"2026-12-a\"")
    if str(data.get("status") or "proposed").strip().lower() != "proposed" or data.get(
        "approved_on"
    ):
        raise fail(
            "approval is no longer written in the file (status, approved_on): record it with "
            "`mimoto-gov retention approve --by NAME`"
        )
    tickets = data.get("tickets")
    if tickets is None:
        tickets = {k: data[k] for k in ("rules", "default") if k in data}
    elif any(k in data for k in ("rules", "default")):
        raise fail("give the ticket rules under 'tickets' only, not also at the top")
    if not isinstance(tickets, dict):
        raise fail("'tickets' must be a mapping with 'rules' and 'default'")
    check_keys(tickets, {"rules", "default"}, "tickets: ", fail)
    rules, default = _parse_ticket_rules(tickets, fail)
    return Schedule(
        version=str(version).strip(),
        owner=str(data.get("owner") or "").strip(),
        published_policy=" ".join(str(data.get("published_policy") or "").split()),
        rules=rules,
        default=default,
        accounts=_parse_accounts(data, fail),
        stores=parse_stores(data.get("stores"), fail),
        own_copies=parse_own_copies(data.get("own_copies"), fail),
        backups=parse_backups(data.get("backups"), fail),
        digest=schedule_digest(data),
        source=source,
    )


def _parse_ticket_rules(tickets: dict, fail: Fail) -> tuple[tuple[Rule, ...], Rule]:
    rules_data = tickets.get("rules") or []
    if not isinstance(rules_data, list):
        raise fail("'rules' must be a list of rules")
    rules = []
    names = set()
    for index, item in enumerate(rules_data, start=1):
        rule = _parse_rule(item, f"rule {index}", fail, needs_match=True)
        if rule.name.casefold() in names:
            raise fail(f"rule {index}: the name {rule.name!r} is used twice")
        names.add(rule.name.casefold())
        rules.append(rule)
    if "default" not in tickets:
        raise fail("'default' is missing: it gives the period for tickets no rule matches")
    default_data = tickets["default"]
    if isinstance(default_data, dict):
        default_data = {"name": "Default", **default_data}
    return tuple(rules), _parse_rule(default_data, "default", fail, needs_match=False)


def _parse_rule(item: Any, where: str, fail: Fail, *, needs_match: bool) -> Rule:
    if not isinstance(item, dict):
        raise fail(f"{where}: expected a mapping with name, match, period and action")
    label = f"{where} ({item['name']!r})" if item.get("name") else where
    check_keys(item, _RULE_KEYS, f"{label}: ", fail)
    name = str(item.get("name") or "").strip()
    if not name:
        raise fail(f"{label}: 'name' is missing")
    action = str(item.get("action") or "").strip().lower()
    if action not in RULE_ACTIONS:
        shown = item.get("action")
        raise fail(f"{label}: action {shown!r} must be one of {', '.join(RULE_ACTIONS)}")
    period = parse_period(item, action, label, fail)
    measure = str(item.get("from") or "last_activity").strip().lower()
    if measure not in MEASURES:
        raise fail(f"{label}: from {item.get('from')!r} must be one of {', '.join(MEASURES)}")
    text_left = str(item.get("text_left") or "").strip().lower()
    text_reason = reason_text(item.get("text_reason"))
    if action == "anonymise":
        if text_left not in TEXT_LEFT:
            raise fail(
                f"{label}: an anonymise rule needs text_left (keep or delete): Zammad's API "
                "cannot scrub article text or the ticket history"
            )
        if not text_reason:
            raise fail(f"{label}: text_reason is missing: say why the text is kept or deleted")
    elif text_left or text_reason:
        raise fail(f"{label}: text_left and text_reason belong to anonymise rules only")
    return Rule(
        name,
        period,
        action,
        measure,
        _parse_match(item.get("match"), label, fail, needs_match=needs_match),
        reason_text(item.get("reason")),
        text_left,
        text_reason,
    )


def _parse_match(match_data: Any, label: str, fail: Fail, *, needs_match: bool):
    if not needs_match:
        if match_data:
            raise fail(f"{label}: the default applies to every other ticket and takes no 'match'")
        return ()
    if not isinstance(match_data, dict) or not match_data:
        raise fail(f"{label}: 'match' needs at least one of {', '.join(MATCH_KEYS)}")
    match = []
    for key, values in match_data.items():
        if key not in MATCH_KEYS:
            raise fail(f"{label}: unknown match key {key!r} (use {', '.join(MATCH_KEYS)})")
        values = values if isinstance(values, list) else [values]
        cleaned = tuple(str(v).strip() for v in values if str(v or "").strip())
        if not cleaned:
            raise fail(f"{label}: match {key} is empty")
        match.append((key, cleaned))
    return tuple(match)


def _parse_accounts(data: dict, fail: Fail) -> AccountsRule:
    label = "accounts"
    if "accounts" in data:
        accounts = data["accounts"]
        if not isinstance(accounts, dict):
            raise fail("'accounts' must be a mapping with period, action and reason")
        check_keys(accounts, _ACCOUNT_KEYS, "accounts: ", fail)
    else:
        # The earlier shape: customers.inactive_after, listed for review.
        customers = data.get("customers") or {}
        if not isinstance(customers, dict):
            raise fail("'customers' must be a mapping with 'inactive_after'")
        accounts = {"period": customers.get("inactive_after", "3 years"), "action": "review"}
        label = "customers: inactive_after"
    action = str(accounts.get("action") or "").strip().lower()
    if action not in ACCOUNT_ACTIONS:
        shown = accounts.get("action")
        raise fail(f"accounts: action {shown!r} must be one of {', '.join(ACCOUNT_ACTIONS)}")
    period = parse_period(accounts, action, label, fail)
    return AccountsRule(period, action, reason_text(accounts.get("reason")))
