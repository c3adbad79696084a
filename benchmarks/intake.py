"""Benchmark: how well ``requests candidates`` finds rights requests written in plain words.

Two measurements, printed as Markdown for ``docs/benchmarks.md``:

1. the labelled sets under ``tests/fixtures/intake/`` (ticket texts written by hand, each
   labelled with the right it asks for or ``none``): ``labelled.yml`` (written with the
   rules), ``heldout.yml`` and ``fresh.yml`` (each written after a round of rule changes and
   first measured untouched; see docs/benchmarks.md for those first figures): precision and
   recall of "is a request", per kind, and how often the kind guessed is the labelled one;
   beside it, a naive keyword rule (any of delete, erase, copy, data, unsubscribe, GDPR...);
2. the synthetic sandbox dataset (``--tickets``, seeded), whose planted requests and decoys
   are known: tickets found against tickets that are requests, and the scan's speed.

Run: ``.venv/bin/python benchmarks/intake.py`` (``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

from mimoto_gov.intake.candidates import scan_tickets
from mimoto_gov.intake.detect import DETECTED_KINDS, detect
from mimoto_gov.inventory import Inventory, articles_frame, tickets_frame, users_frame
from mimoto_gov.sandbox.synthetic.dataset import make_dataset

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "fixtures" / "intake"
NAMES = ("labelled", "heldout", "fresh")
NAIVE = re.compile(
    r"\b(delete|erase|remove|copy|data|information|unsubscribe|gdpr|object|restrict|"
    r"export|correct|portab)",
    re.IGNORECASE,
)


def _ratio(hits: int, total: int) -> str:
    return f"{hits / total:.1%} ({hits}/{total})" if total else "n/a"


def labelled_table(items: list[dict]) -> tuple[str, dict]:
    rows = []
    tp = fp = fn = tn = 0
    naive = Counter()
    kind_right = 0
    per_kind: dict[str, Counter] = {k: Counter() for k in DETECTED_KINDS}
    for item in items:
        truth = item["kind"]
        found = detect(item["text"])
        guess = found.kind if found else "none"
        is_request, flagged = truth != "none", found is not None
        tp += is_request and flagged
        fp += (not is_request) and flagged
        fn += is_request and not flagged
        tn += (not is_request) and not flagged
        naive_flag = bool(NAIVE.search(item["text"]))
        naive["tp"] += is_request and naive_flag
        naive["fp"] += (not is_request) and naive_flag
        naive["fn"] += is_request and not naive_flag
        if is_request:
            per_kind[truth]["total"] += 1
            per_kind[truth]["found"] += flagged
            per_kind[truth]["kind"] += guess == truth
            kind_right += guess == truth
    rows.append(
        "| detector | requests | ordinary | precision | recall | false alarms | kind right |"
    )
    rows.append("|---|---|---|---|---|---|---|")
    requests, ordinary = tp + fn, fp + tn
    rows.append(
        f"| `mimoto_gov.intake.detect` | {requests} | {ordinary} | {_ratio(tp, tp + fp)} | "
        f"{_ratio(tp, requests)} | {_ratio(fp, ordinary)} | {_ratio(kind_right, requests)} |"
    )
    rows.append(
        f"| naive keywords | {requests} | {ordinary} | "
        f"{_ratio(naive['tp'], naive['tp'] + naive['fp'])} | {_ratio(naive['tp'], requests)} | "
        f"{_ratio(naive['fp'], ordinary)} | - |"
    )
    rows.append("")
    rows.append("| kind | texts | found | kind right |")
    rows.append("|---|---|---|---|")
    for kind, counts in per_kind.items():
        if counts["total"]:
            rows.append(
                f"| {kind} | {counts['total']} | {_ratio(counts['found'], counts['total'])} | "
                f"{_ratio(counts['kind'], counts['total'])} |"
            )
    return "\n".join(rows), {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _inventory(dataset) -> Inventory:
    return Inventory(
        tickets=tickets_frame(list(dataset.tickets.values())),
        articles=articles_frame(list(dataset.articles.values())),
        attachments=pd.DataFrame(),
        users=users_frame(list(dataset.users.values())),
        organizations=pd.DataFrame(),
        snapshot_time=pd.Timestamp.now(tz="UTC").to_pydatetime(),
    )


def sandbox_table(tickets: int, seed: int) -> str:
    dataset = make_dataset(seed=seed, tickets=tickets)
    inventory = _inventory(dataset)
    start = time.perf_counter()
    result = scan_tickets(inventory)
    seconds = time.perf_counter() - start
    found = {c.ticket_id for c in result.candidates}
    truth = set(dataset.rights_requests)
    decoys = set(dataset.decoys)
    rows = [
        "| tickets | articles | requests planted | found | missed | false alarms | decoys raised "
        "| scan time |",
        "|---|---|---|---|---|---|---|---|",
        f"| {len(dataset.tickets):,} | {len(dataset.articles):,} | {len(truth)} | "
        f"{len(found & truth)} | {len(truth - found)} | {len(found - truth)} | "
        f"{len(found & decoys)} of {len(decoys)} | {seconds:.2f} s |",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=5000, help="sandbox tickets (5,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    everything = []
    for name in NAMES:
        items = yaml.safe_load((SETS / f"{name}.yml").read_text(encoding="utf-8"))
        everything += items
        table, _ = labelled_table(items)
        print(f"`{name}.yml`: {len(items)} texts (commit {commit}).")
        print()
        print(table.split("\n\n")[0])
        print()
    table, _ = labelled_table(everything)
    print(f"All {len(everything)} texts, by kind:")
    print()
    print(table.split("\n\n")[1])
    print()
    print(f"Sandbox dataset (seed {args.seed}):")
    print()
    print(sandbox_table(args.tickets, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
