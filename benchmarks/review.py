"""Benchmark the monthly retention review on a large synthetic inventory.

Builds a Zammad snapshot of 100,000 tickets and about 500,000 articles straight from
:mod:`mimoto_gov.sandbox.synthetic.dataset`
(no HTTP: the pull has its own benchmark), then runs the whole
review twice, each in a fresh process as cron would: the month before last with an empty
personal-data cache, then last month, which only scans what is new. For each run: wall time
(load, compute, papermill, HTML and PDF), the notebook's own execution time, and the peak
memory of the largest process (the notebook kernel). Then scan_pii's throughput side by side
with presidio-analyzer's recognisers for the same seven kinds on the same texts.

Run: .venv/bin/python benchmarks/review.py [--tickets 100000] [--articles-per-ticket 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from mimoto_gov import inventory as inv
from mimoto_gov.pii.scan import scan_pii
from mimoto_gov.sandbox.synthetic import dataset as synthetic
from mimoto_gov.views.review.build import month_before, previous_month

# Nested values the snapshot keeps as JSON text; the review never reads them.
_NESTED = {"attachments", "preferences", "role_ids", "organization_ids", "group_ids", "member_ids"}


def build_snapshot(data_dir: Path, tickets: int, articles_per_ticket: int, seed: int) -> dict:
    """Write a snapshot in the layout `mimoto-gov pull` writes, from the synthetic dataset."""
    started = time.perf_counter()
    dataset = synthetic.make_dataset(seed, tickets, articles_per_ticket=articles_per_ticket)
    made = time.perf_counter() - started
    groups = {gid: group["name"] for gid, group in dataset.groups.items()}

    def records(rows, **extra):
        frame = pd.DataFrame.from_records(list(rows))
        for column in _NESTED & set(frame.columns):
            frame[column] = frame[column].map(json.dumps)
        for column, values in extra.items():
            frame[column] = values
        return frame

    ticket_rows = records(dataset.tickets.values())
    ticket_rows["group"] = ticket_rows["group_id"].map(groups)
    attachments = pd.DataFrame.from_records(
        [
            {key: value for key, value in a.items() if key not in ("content", "preferences")}
            | {"id": aid}
            for aid, a in dataset.attachments.items()
        ]
    )
    frames = {
        "tickets": inv.tickets_frame(ticket_rows),
        "articles": inv.articles_frame(records(dataset.articles.values())),
        "attachments": inv.attachments_frame(attachments),
        "users": inv.users_frame(records(dataset.users.values())),
        "organizations": inv.organizations_frame(records(dataset.organizations.values())),
    }
    folder = data_dir / "zammad"
    folder.mkdir(parents=True)
    for table, frame in frames.items():
        frame.to_parquet(folder / f"{table}.parquet", index=False)
    state = {
        "schema_version": inv.SCHEMA_VERSION,
        "snapshot_time": pd.Timestamp.now("UTC").isoformat(),
    }
    (folder / inv.STATE_FILE).write_text(json.dumps(state))
    counts = {table: len(frame) for table, frame in frames.items()}
    return {
        "counts": counts,
        "make_seconds": made,
        "total_seconds": time.perf_counter() - started,
    }


def build_in_child(data_dir: Path, tickets: int, articles_per_ticket: int, seed: int) -> dict:
    """Build the snapshot in another process.

    Linux carries a process's peak RSS across fork and exec, so the review runs must be
    started from a process that never held the multi-gigabyte dataset.
    """
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--build-only",
            str(data_dir),
            "--tickets",
            str(tickets),
            "--articles-per-ticket",
            str(articles_per_ticket),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_month(month: str, data_dir: Path, reports_dir: Path) -> dict:
    """Run `run_review` in a new process; return wall time and the peak RSS of its processes."""
    code = (
        "import sys; from mimoto_gov.views.review.build import run_review; "
        "r = run_review(sys.argv[1], data_dir=sys.argv[2], reports_dir=sys.argv[3]); "
        "print(r.folder)"
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, month, str(data_dir), str(reports_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait4 gives this child's resource use; Linux folds in the largest waited-for descendant
    # (the notebook kernel) for ru_maxrss.
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"review of {month} failed: {err.strip()}")
    folder = Path(out.strip().splitlines()[-1])
    executed = json.loads((folder / "retention-review.ipynb").read_text())
    durations = [
        c.get("metadata", {}).get("papermill", {}).get("duration") or 0 for c in executed["cells"]
    ]
    summary = json.loads((folder / "summary.json").read_text())
    scan_note = next(
        (
            "".join(o.get("data", {}).get("text/plain", ""))
            for c in executed["cells"]
            for o in c.get("outputs", [])
            if "texts were new or changed" in "".join(o.get("data", {}).get("text/plain", ""))
        ),
        "",
    )
    return {
        "month": month,
        "wall": wall,
        "notebook": sum(durations),
        "build": max(durations),
        "peak_mb": usage.ru_maxrss / 1024,
        "pdf_kb": (folder / "retention-review.pdf").stat().st_size / 1024,
        "past": summary["tickets_past_period"],
        "redact": summary["tickets_to_redact"],
        "scan_note": scan_note,
    }


def presidio_recognisers():
    """Presidio's recognisers for the same seven kinds, used directly (no spaCy model)."""
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    return [
        EmailRecognizer(),
        PhoneRecognizer(supported_regions=["GB"]),
        CreditCardRecognizer(),
        IbanRecognizer(),
        UkNinoRecognizer(),
        UkPostcodeRecognizer(),
        IpRecognizer(),
    ]


def throughput(texts: list[str]) -> dict:
    """Texts per second for scan_pii and for presidio's recognisers, and what each found."""
    started = time.perf_counter()
    ours = sum(len(scan_pii(text)) for text in texts)
    ours_seconds = time.perf_counter() - started
    result = {
        "texts": len(texts),
        "chars": sum(map(len, texts)),
        "ours_s": ours_seconds,
        "ours_found": ours,
    }
    try:
        recognisers = presidio_recognisers()
    except ImportError as error:
        result["presidio"] = f"not installed ({error})"
        return result
    started = time.perf_counter()
    found = 0
    for text in texts:
        for recogniser in recognisers:
            found += len(recogniser.analyze(text, recogniser.supported_entities, None))
    result["presidio_s"] = time.perf_counter() - started
    result["presidio_found"] = found
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles-per-ticket", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=20_000, help="texts for the scan comparison")
    parser.add_argument("--build-only", metavar="DATA_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        built = build_snapshot(
            Path(args.build_only), args.tickets, args.articles_per_ticket, args.seed
        )
        print(json.dumps(built))
        return

    with tempfile.TemporaryDirectory(prefix="mimoto-review-bench-") as scratch:
        root = Path(scratch)
        data_dir, reports_dir = root / "data", root / "reports"
        print(f"Building a snapshot of {args.tickets:,} tickets ...", flush=True)
        built = build_in_child(data_dir, args.tickets, args.articles_per_ticket, args.seed)
        counts = built["counts"]
        print(
            f"  {counts['tickets']:,} tickets, {counts['articles']:,} articles, "
            f"{counts['users']:,} users in {built['total_seconds']:.0f} s",
            flush=True,
        )
        later = previous_month()
        earlier = month_before(later)
        runs = []
        for month in (earlier, later):
            print(f"Reviewing {month} ...", flush=True)
            runs.append(run_month(month, data_dir, reports_dir))
            print(f"  {runs[-1]}", flush=True)
        articles = pd.read_parquet(data_dir / "zammad" / "articles.parquet", columns=["body"])
        bodies = list(articles["body"].dropna().astype(str))
        del articles
        step = max(1, len(bodies) // args.sample)
        sample = bodies[::step][: args.sample]
        print(f"Scanning {len(sample):,} article bodies with both scanners ...", flush=True)
        speed = throughput(sample)

    print()
    machine = f"{platform.platform()}, {os.cpu_count()} cores"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print(
        f"Snapshot: {counts['tickets']:,} tickets, {counts['articles']:,} articles, "
        f"{counts['attachments']:,} attachments, {counts['users']:,} users"
    )
    print()
    print(
        "| Run | Wall (s) | Notebook (s) | build_review cell (s) | Peak RSS (MB) | PDF (kB) "
        "| Past period | To redact |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, run in zip(("cold cache", "next month, warm cache"), runs, strict=True):
        print(
            f"| {run['month']} ({label}) | {run['wall']:.1f} | {run['notebook']:.1f} "
            f"| {run['build']:.1f} | {run['peak_mb']:,.0f} | {run['pdf_kb']:,.0f} "
            f"| {run['past']:,} | {run['redact']:,} |"
        )
    for run in runs:
        print(f"  {run['month']}: {run['scan_note'].strip()}")
    print()
    print("| Scanner | Texts | Seconds | Texts/s | Findings |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| mimoto_gov.scan_pii | {speed['texts']:,} | {speed['ours_s']:.2f} "
        f"| {speed['texts'] / speed['ours_s']:,.0f} | {speed['ours_found']:,} |"
    )
    if "presidio_s" in speed:
        print(
            f"| presidio-analyzer recognisers | {speed['texts']:,} | {speed['presidio_s']:.2f} "
            f"| {speed['texts'] / speed['presidio_s']:,.0f} | {speed['presidio_found']:,} |"
        )
    else:
        print(f"| presidio-analyzer | {speed['presidio']} | | | |")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n(the benchmark process itself: peak {own:,.0f} MB)")


if __name__ == "__main__":
    main()
