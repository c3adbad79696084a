"""Benchmark: the retention schedule planned and carried out on a 5,000-ticket sandbox.

The sandbox serves the synthetic desk (5,000 tickets by default) with a fixed latency per
request (20 ms by default), standing in for a hosted Zammad over the internet. Zammad runs
data-privacy tasks every ten minutes; the sandbox runs them every ``--tick`` seconds, so the
wall times below measure the workbook, not Zammad's scheduler (on a real desk add up to ten
minutes of waiting per run).

Steps, each timed, requests counted by the server:

1. a full pull into a fresh data folder and the schedule approved (set-up, not measured);
2. the dry run: the plan made from the snapshot (``make_plan``) and its documents written
   (HTML, PDF, CSV) as ``mimoto-gov retention apply`` does; it sends no request;
3. the execution in three parts, so that each kind of action has its own count: the tickets
   to delete, then the tickets to anonymise, then the accounts (and the review list);
4. the full pull that follows an execution.

Run: ``.venv/bin/python benchmarks/retention.py`` (``--help`` for the knobs). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mimoto_gov.formats import previous_month  # noqa: E402
from mimoto_gov.inventory import load_inventory  # noqa: E402
from mimoto_gov.registers import open_registers  # noqa: E402
from mimoto_gov.retention.apply import execute_plan  # noqa: E402
from mimoto_gov.retention.approval import approve_schedule, load_approved_schedule  # noqa: E402
from mimoto_gov.retention.plan import make_plan  # noqa: E402
from mimoto_gov.sandbox.zammad.server import Sandbox  # noqa: E402
from mimoto_gov.views.retention_plan import write_plan  # noqa: E402
from mimoto_gov.zammad.client import ZammadClient  # noqa: E402
from mimoto_gov.zammad.sync import pull  # noqa: E402


def part(plan, *keep: tuple[str, str]):
    """The plan with only the items of the given (target, action) pairs."""
    items = plan.items
    mask = items["target"].isna()
    for target, action in keep:
        mask |= (items["target"] == target) & (items["action"] == action)
    return dataclasses.replace(plan, items=items[mask].reset_index(drop=True))


def timed(sandbox, work):
    sandbox.clear_log()
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started, len(sandbox.request_log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per request")
    parser.add_argument("--tick", type=float, default=0.5, help="seconds between task runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--month", default=previous_month())
    args = parser.parse_args()

    print(f"building the sandbox: {args.tickets:,} tickets, {args.latency * 1000:.0f} ms/request")
    with (
        Sandbox(seed=args.seed, tickets=args.tickets, task_tick_seconds=args.tick) as sandbox,
        tempfile.TemporaryDirectory(prefix="bench-retention-") as tmp,
    ):
        data, reports = Path(tmp) / "data", Path(tmp) / "reports"
        client = ZammadClient(sandbox.url, sandbox.admin_token)
        pull(client, data, full=True, show_progress=False)
        sandbox.faults.latency = args.latency
        with open_registers(data / "registers.sqlite") as registers:
            approve_schedule(registers, "Benchmark")
            schedule = load_approved_schedule(data)
            rows = []

            def plan_now():
                return make_plan(
                    schedule,
                    load_inventory(data),
                    args.month,
                    held=registers.held_subject_hashes(),
                    hasher=registers.hash,
                    log=registers.retention_log(),
                )

            plan, seconds, requests = timed(sandbox, plan_now)
            rows.append(("plan (snapshot, schedule, holds, log)", seconds, requests, "", ""))
            _, seconds, requests = timed(sandbox, lambda: write_plan(plan, reports))
            rows.append(("plan documents (HTML, PDF, CSV)", seconds, requests, "", ""))
            print(plan.counts(), file=sys.stderr)

            for label, keep, unit in (
                ("execute: tickets to delete", [("ticket", "delete")], "deleted ticket"),
                ("execute: tickets to anonymise", [("ticket", "anonymise")], "anonymised ticket"),
                (
                    "execute: accounts to delete, review list",
                    [("account", "delete"), ("ticket", "review"), ("account", "review")],
                    "deleted account",
                ),
            ):
                subset = part(plan, *keep)
                result, seconds, requests = timed(
                    sandbox, lambda s=subset: execute_plan(s, client, registers, timeout=600)
                )
                done = sum(
                    1 for o in result.outcomes if o.outcome == "done" and o.action != "review"
                )
                failed = len(result.outcomes) - done - result.count("listed")
                per = f"{requests / done:.2f} per {unit}" if done else ""
                rows.append((label, seconds, requests, f"{done:,} done, {failed} not", per))
            _, seconds, requests = timed(
                sandbox, lambda: pull(client, data, full=True, show_progress=False)
            )
            rows.append(("full pull afterwards", seconds, requests, "", ""))
            second, seconds, requests = timed(sandbox, plan_now)
            left = len(second.to_do()) - int((second.to_do()["action"] == "review").sum())
            rows.append(("second plan over the month", seconds, requests, f"{left} to do", ""))
        client.close()

    ds = sandbox.dataset
    print(
        f"\n{args.tickets:,} tickets at start; after: {len(ds.tickets):,} tickets, "
        f"{len(ds.users):,} users; month {args.month}; tasks run every {args.tick:g} s\n"
    )
    print("| step | wall time | requests | items | requests per item |")
    print("|---|---|---|---|---|")
    for label, seconds, requests, items, per in rows:
        print(f"| {label} | {seconds:,.1f} s | {requests:,} | {items} | {per} |")


if __name__ == "__main__":
    main()
