"""Benchmark: our Zammad pull against zammad-py's documented way, on the same sandbox.

The sandbox serves a synthetic inventory (5,000 tickets, about 15,000 articles by default)
with a fixed latency per request (20 ms by default), standing in for a hosted Zammad over
the internet. Each contender runs in its own process, so its peak memory (``ru_maxrss``) is
its own; requests are counted on the server side, retries included.

Contenders:

1. our full pull (``mimoto_gov.zammad.sync.pull``) with the admin token;
2. our incremental pull after 1% of the tickets changed (half of them got a new article,
   half only a state change);
3. the same two with an agent token (no admin article index: articles ticket by ticket);
4. zammad-py (``zammad_py.ZammadAPI``) the way its README shows: ``all()`` then
   ``next_page()`` until ``is_last_page()``, with its default page size, for tickets, users
   and organisations, and ``ticket.articles(id)`` for each ticket. With ``--subset N`` only
   the articles of N tickets are fetched and the time is extrapolated to all tickets.

Run: ``.venv/bin/python benchmarks/pull.py`` (``--help`` for the knobs). Prints a Markdown
table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- workers (run in a child process) ---------------------------------------------------------


def worker_ours(url: str, token: str, data_dir: str, full: bool) -> dict:
    from mimoto_gov.zammad.client import ZammadClient
    from mimoto_gov.zammad.sync import pull

    baseline = _peak_mb()
    started = time.perf_counter()
    with ZammadClient(url, token) as client:
        result = pull(client, data_dir, full=full, show_progress=False)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "client_requests": result.requests,
        "counts": result.counts,
        "mode": result.mode,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
    }


def _drain(pagination) -> list:
    """Follow zammad-py's pages the way its README shows."""
    items = []
    page = pagination
    while True:
        items.extend(page)
        if page.is_last_page():
            return items
        page = page.next_page()


def worker_zammad_py(url: str, token: str, subset: int | None) -> dict:
    from zammad_py import ZammadAPI

    baseline = _peak_mb()
    started = time.perf_counter()
    client = ZammadAPI(url=f"{url}/api/v1/", http_token=token)
    tickets = _drain(client.ticket.all())
    users = _drain(client.user.all())
    organizations = _drain(client.organization.all())
    listing_seconds = time.perf_counter() - started
    chosen = tickets if subset is None else tickets[:subset]
    articles = []
    article_started = time.perf_counter()
    for ticket in chosen:
        articles.extend(client.ticket.articles(ticket["id"]))
    article_seconds = time.perf_counter() - article_started
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "listing_seconds": listing_seconds,
        "article_seconds": article_seconds,
        "tickets_with_articles": len(chosen),
        "counts": {
            "tickets": len(tickets),
            "articles": len(articles),
            "users": len(users),
            "organizations": len(organizations),
        },
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
    }


def worker_main(args: argparse.Namespace) -> None:
    token = os.environ["BENCH_TOKEN"]
    if args.worker == "zammad-py":
        out = worker_zammad_py(args.url, token, args.subset)
    else:
        out = worker_ours(args.url, token, args.data, full=args.worker == "full")
    print(json.dumps(out))


# -- the coordinator ------------------------------------------------------------------------


def run_worker(kind: str, url: str, token: str, sandbox, **extra) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--url", url]
    for key, value in extra.items():
        if value is not None:
            command += [f"--{key}", str(value)]
    sandbox.clear_log()
    done = subprocess.run(
        command,
        env={**os.environ, "BENCH_TOKEN": token, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["requests"] = len(sandbox.request_log)
    return out


def change_one_percent(sandbox, seed: int = 1) -> int:
    import random

    rng = random.Random(seed)
    ids = sorted(sandbox.dataset.tickets)
    chosen = rng.sample(ids, max(1, len(ids) // 100))
    for n, ticket_id in enumerate(chosen):
        if n % 2:
            sandbox.add_article(ticket_id)
        else:
            sandbox.touch_ticket(ticket_id, state_id=4)
    return len(chosen)


def row(name: str, out: dict, note: str = "") -> str:
    extra = out["peak_mb"] - out["baseline_mb"]
    return (
        f"| {name} | {out['seconds']:,.1f} s | {out['requests']:,} | "
        f"{out['peak_mb']:,.0f} MB (+{extra:,.0f}) | {note} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per request")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--subset",
        type=int,
        default=None,
        help="zammad-py: fetch articles for only N tickets and extrapolate",
    )
    parser.add_argument("--skip-agent", action="store_true", help="leave out the agent runs")
    parser.add_argument("--skip-zammad-py", action="store_true", help="leave out zammad-py")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return

    sys.path.insert(0, str(ROOT))
    from mimoto_gov.sandbox.zammad.server import Sandbox

    print(f"building the sandbox: {args.tickets:,} tickets, {args.latency * 1000:.0f} ms/request")
    with (
        Sandbox(seed=args.seed, tickets=args.tickets) as sandbox,
        tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp,
    ):
        ds = sandbox.dataset
        print(
            f"dataset: {len(ds.tickets):,} tickets, {len(ds.articles):,} articles, "
            f"{len(ds.users):,} users, {len(ds.organizations):,} organisations"
        )
        sandbox.faults.latency = args.latency
        url, admin, agent = sandbox.url, sandbox.tokens["admin"], sandbox.tokens["agent"]
        results = {}
        results["full"] = run_worker("full", url, admin, sandbox, data=f"{tmp}/admin")
        print("our full pull done", file=sys.stderr)
        if not args.skip_agent:
            results["agent_full"] = run_worker("full", url, agent, sandbox, data=f"{tmp}/agent")
            print("our agent full pull done", file=sys.stderr)
        changed = change_one_percent(sandbox)
        results["incremental"] = run_worker("incremental", url, admin, sandbox, data=f"{tmp}/admin")
        if not args.skip_agent:
            results["agent_incremental"] = run_worker(
                "incremental", url, agent, sandbox, data=f"{tmp}/agent"
            )
        print("our incremental pulls done", file=sys.stderr)
        if not args.skip_zammad_py:
            results["zammad_py"] = run_worker("zammad-py", url, admin, sandbox, subset=args.subset)
            print("zammad-py done", file=sys.stderr)

    full = results["full"]
    zp = results.get("zammad_py")
    note = ""
    if zp is not None:
        zp_seconds, zp_requests = zp["seconds"], zp["requests"]
        if zp["tickets_with_articles"] < zp["counts"]["tickets"]:
            share = zp["counts"]["tickets"] / zp["tickets_with_articles"]
            zp_seconds = zp["listing_seconds"] + zp["article_seconds"] * share
            by_ticket = zp["tickets_with_articles"]
            zp_requests = zp["requests"] - by_ticket + zp["counts"]["tickets"]
            note = (
                f"articles of {by_ticket:,} tickets measured, extrapolated to "
                f"{zp['counts']['tickets']:,}: {zp_seconds:,.0f} s, {zp_requests:,} requests"
            )

    print()
    print(
        f"{len(ds.tickets):,} tickets, {len(ds.articles):,} articles, {len(ds.users):,} users; "
        f"{args.latency * 1000:.0f} ms latency per request; incremental after {changed} tickets "
        "changed (half with a new article)."
    )
    print()
    print("| pull | wall time | requests | peak memory (RSS, +over start) | notes |")
    print("|---|---|---|---|---|")
    print(row("ours, full (admin token)", full, f"{full['counts']['articles']:,} articles"))
    inc = results["incremental"]
    print(
        row(
            "ours, incremental (admin token)",
            inc,
            f"{inc['requests'] / full['requests']:.1%} of full's requests",
        )
    )
    if "agent_full" in results:
        af, ai = results["agent_full"], results["agent_incremental"]
        print(row("ours, full (agent token)", af, "articles ticket by ticket, 4 threads"))
        print(
            row(
                "ours, incremental (agent token)",
                ai,
                f"{ai['requests'] / af['requests']:.1%} of its full pull's requests",
            )
        )
    if zp is not None:
        articles = f"{zp['counts']['articles']:,} articles"
        print(row("zammad-py, documented way", zp, note or articles))
        print()
        print(
            f"Full pull speed-up over zammad-py: {zp_seconds / full['seconds']:,.0f}x "
            f"({zp_requests:,} requests against {full['requests']:,})."
        )


if __name__ == "__main__":
    main()
