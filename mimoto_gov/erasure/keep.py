"""What an erasure may have to keep: flags, staff's decisions, and the checklist lines for them.

Erasure is not absolute (UK GDPR Art. 17(3)): a ticket recording a refund or an invoice may
have to stay for tax law, and data needed for a legal claim may have to stay too. Before
``--execute`` the plan flags every ticket it would delete that sits in a financial group or
whose title or articles use a financial word (``erasure.yml``); the execution is refused until
staff record a decision for each (:meth:`~mimoto_gov.registers.Registers.record_keep_decision`):
keep, with the reason and a review date, or erase. Legal holds are the other kind of flag; a
hold already stops the erasure until it is lifted (:mod:`mimoto_gov.registers.holds`).

Zammad cannot delete a user and keep their customer tickets (zammad-api.md §5.3), so a kept
ticket is moved to a placeholder customer before the user's deletion task is created
(:func:`mimoto_gov.erasure.execute.keep_tickets`); the ticket, its articles and attachments
stay as they are, and the review date says when to look at it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.model import (
    BLOCKED,
    CLEAR,
    KEPT,
    OWNER_DPO,
    ChecklistLine,
    ErasurePlan,
    KeepFlag,
    KeepPolicy,
    count,
)
from mimoto_gov.errors import InputError
from mimoto_gov.formats import format_uk_date as uk_date
from mimoto_gov.inventory import load_inventory
from mimoto_gov.registers import open_registers

FLAG_PREFIX = "ticket-"
# At most this many reasons are quoted per flag: enough to judge it.
MAX_REASONS = 3


def flag_key(number: str) -> str:
    """Return a ticket's flag name (``ticket-31046``)."""
    return f"{FLAG_PREFIX}{number}"


def number_of(flag: str) -> str:
    """Return the ticket number a flag names (``ticket-31046`` -> ``31046``)."""
    return flag.strip().lower().removeprefix(FLAG_PREFIX)


def decide_command(request_id: str, flag: str) -> str:
    """Say how to record a decision on a flag."""
    return (
        f"mimoto-gov erasure decide {request_id} {flag} --by NAME "
        "(--keep --reason TEXT --review-on YYYY-MM-DD | --erase)"
    )


def _word_pattern(words: Iterable[str]) -> re.Pattern | None:
    stems = [r"\s+".join(re.escape(part) for part in w.split()) for w in words]
    if not stems:
        return None
    # A stem at the start of a word: "refund" finds "refunded" and "refunds", not "prefund".
    return re.compile(r"(?<![\w])((?:" + "|".join(stems) + r")\w*)", re.IGNORECASE)


def financial_flags(inventory, tickets: pd.DataFrame, policy: KeepPolicy) -> list[KeepFlag]:
    """Flag the tickets that may be financial records (in a group, or with a word).

    Args:
        inventory: the snapshot (its ``articles`` are searched).
        tickets: the tickets the erasure would delete (``id, number, title, group``).
        policy: the groups and words (``erasure.yml``).

    Returns:
        One undecided :class:`KeepFlag` per ticket that matches, by ticket id.

    """
    pattern = _word_pattern(policy.words)
    groups = {g.lower() for g in policy.groups}
    articles = inventory.articles
    articles = articles[articles["ticket_id"].isin(set(tickets["id"]))]
    by_ticket = {int(k): v for k, v in articles.groupby("ticket_id")} if len(articles) else {}
    flags = []
    for ticket in tickets.sort_values("id").itertuples(index=False):
        reasons = []
        group = getattr(ticket, "group", None)
        if isinstance(group, str) and group.lower() in groups:
            reasons.append(f"in the {group} group")
        if pattern is not None:
            found = pattern.search(str(getattr(ticket, "title", "") or ""))
            if found:
                reasons.append(f'"{found.group(1).lower()}" in the title')
            rows = by_ticket.get(int(ticket.id))
            for article in [] if rows is None else rows.sort_values("id").itertuples(index=False):
                text = f"{getattr(article, 'subject', '') or ''}\n{article.body or ''}"
                found = pattern.search(text)
                if found:
                    reasons.append(f'"{found.group(1).lower()}" in article {int(article.id)}')
        if reasons:
            more = len(reasons) - MAX_REASONS
            why = "; ".join(reasons[:MAX_REASONS]) + (f"; and {more} more" if more > 0 else "")
            flags.append(
                KeepFlag(flag_key(str(ticket.number)), str(ticket.number), int(ticket.id), why)
            )
    return flags


def apply_decisions(
    flags: list[KeepFlag], decisions: pd.DataFrame | None, tickets: pd.DataFrame
) -> tuple[tuple[KeepFlag, ...], tuple[KeepFlag, ...]]:
    """Join staff's decisions to the flags.

    Args:
        flags: the flags of this plan.
        decisions: the decision in force per flag (``registers.keep_decisions``), or None.
        tickets: the tickets the erasure would delete (``id, number``), to find a kept
            ticket that was not flagged.

    Returns:
        The flags with their decisions, and every ticket to keep: a kept ticket that is no
        longer the person's (moved aside by an earlier attempt) has no ``ticket_id``.

    """
    if decisions is None or decisions.empty:
        return tuple(flags), ()
    by_flag = {row["flag"]: row for row in decisions.to_dict("records")}
    ids = {str(n): int(i) for i, n in tickets[["id", "number"]].itertuples(index=False)}

    def decided(flag: KeepFlag, row: dict) -> KeepFlag:
        return KeepFlag(
            key=flag.key,
            number=flag.number,
            ticket_id=flag.ticket_id,
            why=flag.why,
            decision=row["decision"],
            reason=row["reason"] or "",
            review_on=row["review_on"],
            decided_by=row["decided_by"],
            decided_on=row["decided_on"],
        )

    flagged = tuple(decided(f, by_flag[f.key]) if f.key in by_flag else f for f in flags)
    known = {f.key: f for f in flagged}
    kept = []
    for key, row in by_flag.items():
        if row["decision"] != "keep":
            continue
        number = number_of(key)
        flag = known.get(key) or KeepFlag(key, number, ids.get(number), "kept by decision")
        kept.append(decided(flag, row))
    return flagged, tuple(sorted(kept, key=lambda f: f.number))


def _decision_text(flag: KeepFlag) -> str:
    if flag.decision is None:
        return "undecided"
    who = f"decided by {flag.decided_by}, {uk_date(flag.decided_on)}"
    if flag.decision == "keep":
        return f"keep: {flag.reason}; review on {uk_date(flag.review_on)} ({who})"
    return f"erase ({who})"


def keep_lines(plan: ErasurePlan, policy_basis: str = "") -> list[ChecklistLine]:
    """Return the checklist's lines for flagged data and for the tickets kept by decision."""
    lines = []
    if plan.flags:
        undecided = plan.undecided
        lines.append(
            ChecklistLine(
                key="keep-decisions",
                place="Records that may have to be kept (tax law, legal claims)",
                held=count(len(plan.flags), "flagged ticket")
                + (f", {len(undecided):,} undecided" if undecided else ", all decided"),
                action="staff decide for each: keep (with the reason and a review date) or "
                "erase; `mimoto-gov erasure decide` records it",
                owner=OWNER_DPO,
                state=BLOCKED if undecided else CLEAR,
                why=(
                    "--execute is refused until each flag has a decision: "
                    + decide_command(plan.request_id, undecided[0].key)
                    if undecided
                    else ""
                ),
                items=tuple(
                    f"ticket #{f.number} ({f.why}): {_decision_text(f)}" for f in plan.flags
                ),
            )
        )
    if plan.kept:
        lines.append(
            ChecklistLine(
                key="kept-tickets",
                place="Tickets kept under a legal obligation or for legal claims",
                held=count(len(plan.kept), "ticket") + " with every article and attachment",
                action="given to the placeholder customer before the user is deleted, so that "
                "Zammad keeps them; looked at again on each review date",
                owner=OWNER_DPO,
                state=KEPT,
                why=policy_basis or "kept by decision (see each ticket)",
                items=tuple(f"ticket #{f.number}: {_decision_text(f)}" for f in plan.kept),
            )
        )
    return lines


def record_decision(
    settings,
    request_id: str,
    flag: str,
    *,
    decision: str,
    by: str,
    reason: str | None = None,
    review_on: date | None = None,
    on: date | None = None,
) -> str:
    """Record staff's decision on a flagged ticket; return one line saying what was recorded.

    Args:
        settings: the workbook's settings (registers and snapshot).
        request_id: the erasure request.
        flag: the flag as the dry run names it (``ticket-31046``).
        decision: "keep" or "erase".
        by: who decided.
        reason: why it is kept (required to keep).
        review_on: when to look at a kept ticket again (required to keep).
        on: the day of the decision (today by default).

    Raises:
        InputError: a flag that names no ticket of the snapshot, or a bad decision.

    """
    key = (flag or "").strip().lower()
    number = number_of(key)
    if not key.startswith(FLAG_PREFIX) or not number.isdigit():
        raise InputError(f"flag {flag!r} is not a flag like ticket-31046 (as the dry run names it)")
    if (Path(settings.data_dir) / "zammad").exists():
        tickets = load_inventory(settings.data_dir).tickets
        if number not in set(tickets["number"].astype(str)):
            raise InputError(f"no ticket #{number} in the snapshot: check the flag's number")
    with open_registers(settings.registers_path) as registers:
        registers.record_keep_decision(
            request_id, key, decision=decision, by=by, reason=reason, review_on=review_on, on=on
        )
        request = registers.get_request(request_id)
    if decision == "keep":
        return (
            f"Recorded for request {request.id}: keep ticket #{number} ({reason}); review on "
            f"{uk_date(review_on)}."
        )
    return f"Recorded for request {request.id}: erase ticket #{number} with the rest."
