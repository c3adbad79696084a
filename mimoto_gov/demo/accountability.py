"""The demo's accountability steps: requests found in the pulled tickets, and what is due.

:func:`candidates_step` scans the sandbox snapshot for rights requests written in plain words,
as ``mimoto-gov requests candidates`` does (the ``subject`` persona's deletion request of May
2024 is among them, never recorded); :func:`due_step` lists what is due across the registers
and opens ``reports/index.html`` with it, as ``mimoto-gov due`` does.
"""

from __future__ import annotations

from datetime import date, datetime

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.intake.candidates import scan_tickets
from mimoto_gov.inventory import load_inventory
from mimoto_gov.registers import open_registers, provenance
from mimoto_gov.registers.due import DEFAULT_WITHIN_DAYS, collect_due
from mimoto_gov.views.front_page import due_summary, refresh_index


def candidates_step(run) -> None:
    """Find the rights requests sitting in the sandbox's tickets; keep them as candidates."""
    settings = run.settings
    who = provenance(command="demo")
    with open_registers(settings.registers_path, who=who) as reg:
        since = reg.last_candidate_scan()
        result = scan_tickets(
            load_inventory(settings.data_dir), since=since, settled=reg.settled_tickets()
        )
        reg.save_candidates(
            result.candidates, since=since, through=result.through, tickets=result.tickets
        )
        table = reg.candidates("open")
    run.results["candidates"] = table
    run.say("")
    run.say(f"Possible rights requests in tickets, not yet recorded: {len(table):,}")
    if len(table):
        oldest = table.iloc[0]
        received = uk_date(oldest["received_at"].astimezone(UK_TIME).date())
        run.say(
            f"  oldest: ticket {oldest['ticket_number']} ({oldest['kind']}), received {received}"
            " (mimoto-gov requests candidates)"
        )


def due_step(run) -> None:
    """List what is due across the registers and open the reports' index with it."""
    settings = run.settings
    today, now = date.today(), datetime.now(UK_TIME)
    with open_registers(settings.registers_path, who=provenance(command="demo")) as reg:
        items = collect_due(reg, today, DEFAULT_WITHIN_DAYS, now)
    index = refresh_index(
        items,
        within=DEFAULT_WITHIN_DAYS,
        data_dir=settings.data_dir,
        reports_dir=settings.reports_dir,
        today=today,
        now=now,
    )
    run.results["due"] = items
    run.say("")
    run.say(f"Due across the registers: {due_summary(items, DEFAULT_WITHIN_DAYS, now)}")
    run.output("Reports index (due list first)", index)
