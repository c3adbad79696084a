"""``mimoto-gov retention``: approve the schedule, plan and carry it out, read the log."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mimoto_gov.commands._arguments import number_at_least
from mimoto_gov.commands._register_helpers import output_csv, print_table, verbs
from mimoto_gov.formats import month_label, parse_month
from mimoto_gov.inventory import load_inventory
from mimoto_gov.registers import open_registers, provenance
from mimoto_gov.retention.apply import RetentionRefused as Refused
from mimoto_gov.retention.apply import execute_plan
from mimoto_gov.retention.approval import approve_schedule, load_approved_schedule
from mimoto_gov.retention.plan import DONE_BEFORE, EXCLUDED, KEPT, make_plan
from mimoto_gov.settings import load_settings
from mimoto_gov.support.confirm import typed_confirmation
from mimoto_gov.support.lock import DEFAULT_WAIT, data_folder_lock
from mimoto_gov.views.retention_plan import write_plan
from mimoto_gov.zammad.client import client_from_settings
from mimoto_gov.zammad.desk import ensure_same_desk
from mimoto_gov.zammad.sync import pull

DESCRIPTION = """\
The retention schedule (data/policy/retention.yml) says how long every store of personal data
is kept and what happens at the end. `approve` records that the data protection lead approved
it as it now reads; any later change to it needs a new approval. `apply` works out what the
schedule does for a month from the local Zammad snapshot and writes the plan to
reports/retention/YYYY-MM/plan.{html,pdf,csv}; with --execute it carries the plan out in
Zammad, reads each change back, logs every action in the retention log and pulls Zammad in
full. `log` lists the retention log."""

APPLY = """\
Plan (by default a dry run: nothing in Zammad changes) or carry out the retention schedule
for a month (default: the previous calendar month), as at its end. The plan names every ticket
and account the schedule acts on and why: tickets to delete (through Zammad data-privacy
tasks), tickets to anonymise (moved to an anonymous placeholder customer with a neutral title),
unused accounts to delete, items for a person to review, and what is left alone and why (a
legal hold, an open ticket, an update in the last 90 days). With --execute, which needs an
approved schedule and a snapshot of the same Zammad as ZAMMAD_URL, it asks you to type DELETE
(--yes for scripts), leaves alone anything changed in Zammad since the snapshot, acts, reads
each change back, records each action in the retention log (a failure is recorded and the run
carries on), pulls Zammad in full and rewrites the plan with what happened. --limit N acts on
at most N tickets and accounts, for batches; running it again continues, and a month already
carried out has nothing left to do."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``retention`` with its verbs ``approve``, ``apply`` and ``log``."""
    parser = subparsers.add_parser(
        "retention",
        help="approve the retention schedule, plan and carry it out, read its log",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verb = verbs(parser)
    approve = verb("approve", "record that NAME approves the schedule as it now reads", _approve)
    approve.add_argument("--by", required=True, metavar="NAME", help="who approves it")
    apply = verb("apply", "plan (dry run) or carry out the schedule for a month", _apply)
    apply.description = APPLY
    apply.formatter_class = argparse.RawDescriptionHelpFormatter
    apply.add_argument("--month", metavar="YYYY-MM", help="default: the previous month")
    apply.add_argument(
        "--execute", action="store_true", help="act in Zammad (without it, a dry run)"
    )
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    apply.add_argument(
        "--limit",
        type=number_at_least(1),
        metavar="N",
        help="act on at most N tickets and accounts this run",
    )
    apply.add_argument(
        "--wait",
        type=number_at_least(0, float),
        default=None,
        metavar="SECONDS",
        help="with --execute: how long to wait for another destructive command to finish with "
        "the data folder (default 30)",
    )
    apply.add_argument(
        "--timeout",
        type=number_at_least(0.1, float),
        default=1200.0,
        metavar="SECONDS",
        help="how long to wait for Zammad's deletion tasks (default 1200; Zammad runs them "
        "every 10 minutes)",
    )
    log = verb("log", "list the retention log (or write it as CSV with --out)", _log)
    log.add_argument("--month", metavar="YYYY-MM", help="only this month's runs")
    log.add_argument("--out", metavar="FILE", help="write CSV to FILE (default: print a table)")


def _approve(args: argparse.Namespace) -> int:

    settings = load_settings()
    # The approver is the actor of the trail's event, as for every register change.
    who = provenance(actor=args.by, command=getattr(args, "trail_command", None))
    with open_registers(settings.registers_path, who=who) as registers:
        schedule, recorded = approve_schedule(registers, args.by)
    approval = schedule.approval
    when = f"{approval.approved_at:%Y-%m-%d %H:%M} UTC"
    if recorded:
        print(f"Approved retention schedule {schedule.version} ({schedule.source}): by {args.by}")
        print(f"recorded {when}, fingerprint {schedule.digest[:12]}")
    else:
        print(
            f"Retention schedule {schedule.version} as it now reads was already approved by "
            f"{approval.approved_by} ({when}): nothing recorded"
        )
    return 0


def _log(args: argparse.Namespace) -> int:

    month = parse_month(args.month) if args.month else None
    with open_registers(load_settings().registers_path) as registers:
        log = registers.retention_log(month)
    if args.out:
        output_csv(log, args.out)
        return 0
    columns = ["run_id", "target", "zammad_id", "ticket_number", "action", "outcome", "reason"]
    print_table(log, columns, empty="no retention actions recorded")
    return 0


def ask(plan) -> bool:
    """Ask the person at the terminal to type DELETE."""
    todo = plan.to_do()
    acting = int((todo["action"] != "review").sum())
    return typed_confirmation(
        f"This changes {acting:,} ticket(s) and account(s) in Zammad ({plan.zammad_url}) for "
        f"{plan.month}: deletions cannot be undone."
    )


def _apply(args: argparse.Namespace) -> int:

    result = apply_month(
        load_settings(),
        month=args.month,
        execute=args.execute,
        yes=args.yes,
        confirm=ask if sys.stdin.isatty() else None,
        limit=args.limit,
        timeout=args.timeout,
        wait=args.wait,
    )
    print(result.message)
    for path in result.paths:
        print(path)
    if result.problems:
        print(f"mimoto-gov: {result.problems}", file=sys.stderr)
        return 4
    return 0


@dataclass
class MonthResult:
    """What :func:`apply_month` did: the message, the documents, the run, any failures."""

    message: str
    paths: list[Path] = field(default_factory=list)
    plan: object = None
    applied: object = None
    problems: str = ""


def apply_month(
    settings,
    *,
    month: str | None = None,
    execute: bool = False,
    yes: bool = False,
    confirm=None,
    limit: int | None = None,
    timeout: float = 1200.0,
    interval: float | None = None,
    client=None,
    wait: float | None = None,
) -> MonthResult:
    """Make the month's plan, write it, and with ``execute`` carry it out (see ``APPLY``).

    Raises:
        MimotoGovError: no snapshot, a malformed schedule, or (with ``execute``) an
            unapproved schedule, another desk, no confirmation, another destructive command
            holding the data folder (``FolderBusy``); Zammad unreachable.

    """
    month = parse_month(month)
    options = (yes, confirm, limit, timeout, interval, client)
    if not execute:
        return _month(settings, month, False, *options)
    # One destructive command at a time on the data folder; the plan is made under it.
    what = f"retention apply --execute {month}"
    with data_folder_lock(settings.data_dir, what, wait=DEFAULT_WAIT if wait is None else wait):
        return _month(settings, month, True, *options)


def _month(settings, month, execute, yes, confirm, limit, timeout, interval, client):

    schedule = load_approved_schedule(settings.data_dir)
    inventory = load_inventory(settings.data_dir)
    registers = None
    if execute or settings.registers_path.exists():
        registers = open_registers(settings.registers_path)
    try:
        held = registers.held_subject_hashes() if registers else set()
        plan = make_plan(
            schedule,
            inventory,
            month,
            held=held,
            hasher=registers.hash if held else None,
            log=registers.retention_log() if registers else None,
        )
        label = f"{month_label(month)} (schedule {schedule.version}, {schedule.status})"
        month_log = registers.retention_log(month) if registers else None
        if not execute:
            report = write_plan(plan, settings.reports_dir, log=month_log)
            return MonthResult(
                f"Dry run for {label}: {_plan_text(plan)}. Nothing was changed in Zammad.",
                [report.html, report.pdf, report.folder / "plan.csv"],
                plan,
            )
        _check_before_execute(plan, settings, client, Refused)
        if plan.to_do().empty:
            report = write_plan(
                plan, settings.reports_dir, note="Nothing left to do.", log=month_log
            )
            return MonthResult(
                f"Nothing to do for {label}: {_plan_text(plan)}.",
                [report.html, report.pdf, report.folder / "plan.csv"],
                plan,
            )
        if not yes:
            if confirm is None:
                raise Refused("--execute needs --yes when nobody is at a terminal to confirm")
            if not confirm(plan):
                raise Refused("not confirmed: nothing was changed")
        return _execute(settings, plan, registers, client, label, limit, timeout, interval)
    finally:
        if registers is not None:
            registers.close()


def _check_before_execute(plan, settings, client, refused) -> None:
    """Refuse an unapproved schedule or a snapshot of another desk, before any request."""
    schedule = plan.schedule
    if not schedule.approved:
        raise refused(
            f"the retention schedule {schedule.version} is not approved as it now reads: "
            "approve it with `mimoto-gov retention approve --by NAME`; nothing was changed"
        )
    ensure_same_desk(
        settings.data_dir, client.url if client is not None else settings.require("ZAMMAD_URL")
    )


def _execute(settings, plan, registers, client, label, limit, timeout, interval) -> MonthResult:

    own = client is None
    client = client or client_from_settings(settings)
    try:
        applied = execute_plan(
            plan, client, registers, limit=limit, timeout=timeout, interval=interval
        )
        pulled = pull(client, settings.data_dir, full=True, show_progress=False)
    finally:
        if own:
            client.close()
    failed = applied.count("failed") + applied.count("timed out")
    note = f"Carried out as run {applied.run_id}: {_outcome_text(applied)}."
    report = write_plan(
        plan,
        settings.reports_dir,
        applied.outcomes,
        note=note,
        level="warning" if failed else "info",
        log=registers.retention_log(plan.month),
    )
    message = (
        f"Carried out {label} as run {applied.run_id}: {_outcome_text(applied)}; "
        f"{applied.requests:,} request(s) to Zammad, then a full pull ({pulled.requests:,})."
    )
    if applied.left:
        message += f" {applied.left:,} item(s) left for the next run (--limit)."
    problems = (
        f"{failed:,} action(s) failed or timed out and were recorded with the reason: see "
        f"`mimoto-gov retention log` and {report.html}"
        if failed
        else ""
    )
    return MonthResult(
        message, [report.html, report.pdf, report.folder / "plan.csv"], plan, applied, problems
    )


def _plan_text(plan) -> str:

    todo = plan.to_do()

    def n(target, action):
        return int(((todo["target"] == target) & (todo["action"] == action)).sum())

    items = plan.items
    return (
        f"{n('ticket', 'delete'):,} ticket(s) to delete, {n('ticket', 'anonymise'):,} to "
        f"anonymise, {n('account', 'delete'):,} account(s) to delete, "
        f"{int((todo['action'] == 'review').sum()):,} for review; "
        f"{int(items['status'].isin((EXCLUDED, KEPT)).sum()):,} left alone, "
        f"{int((items['status'] == DONE_BEFORE).sum()):,} done before"
    )


def _outcome_text(applied) -> str:
    counts: dict[str, int] = {}
    for outcome in applied.outcomes:
        key = f"{outcome.target} {outcome.action} {outcome.outcome}"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n:,} {key}" for key, n in sorted(counts.items())) or "nothing"
