"""Subject access export for one person on a 100,000-ticket snapshot (target: under 30 s).

Builds a Parquet snapshot directly (no HTTP) shaped like a real one: 100,000 tickets with
about four articles each, 30,000 customers, attachments on one article in ten. One person is
planted: customer of 6 tickets, copied in on 4 other people's tickets with assorted address
formatting, 3 attachments. Then it times the export the way `mimoto-gov sar` runs it, minus
the live calls (attachment downloads, ticket history and tags), which depend on Zammad:

- open: the request register lookup, loading the snapshot, gathering the person, the
  third-party scan and the register entries (``mimoto_gov.sar.case.open_case``);
- write: the whole package (attachments written from bytes standing in for the downloads,
  CSV, JSON, HTML, PDF, manifest, zip) (``mimoto_gov.sar.case.write_package``).

Run: .venv/bin/python benchmarks/sar.py [--tickets N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from mimoto_gov.inventory import SCHEMA_VERSION, STATE_FILE, frame
from mimoto_gov.registers import open_registers
from mimoto_gov.sar.case import LiveData, open_case, verify_manifest, write_package

SUBJECT = "Pat.Subject@Example.org"
OWN_TICKETS = 6
CC_TICKETS = 4
OWN_ATTACHMENTS = 3
TARGET_SECONDS = 30


def build_snapshot(data_dir: Path, tickets: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2016-01-01", tz="UTC")
    n_customers = 30_000
    n_orgs = 3_000
    user_ids = np.arange(1, n_customers + 21)
    users = pd.DataFrame(
        {
            "id": user_ids,
            "login": [f"user{i}@example.com" for i in user_ids],
            "email": [f"user{i}@example.com" for i in user_ids],
            "firstname": "First",
            "lastname": [f"Last{i}" for i in user_ids],
            "phone": "",
            "mobile": "",
            "organization_id": rng.integers(1, n_orgs + 1, len(user_ids)),
            "active": True,
            "created_at": start,
            "updated_at": start,
            "last_login": pd.NaT,
        }
    )
    subject_id = n_customers + 20
    users.loc[users["id"] == subject_id, ["login", "email"]] = SUBJECT.lower(), SUBJECT
    users.loc[users["id"] == subject_id, "phone"] = "+44 7700 900456"
    organizations = pd.DataFrame(
        {
            "id": np.arange(1, n_orgs + 1),
            "name": [f"Org {i}" for i in range(1, n_orgs + 1)],
            "created_at": start,
            "updated_at": start,
        }
    )

    ticket_ids = np.arange(1, tickets + 1)
    created = start + pd.to_timedelta(rng.integers(0, 3650 * 86400, tickets), unit="s")
    customers = rng.integers(1, n_customers + 1, tickets)
    own = rng.choice(ticket_ids, OWN_TICKETS + CC_TICKETS, replace=False)
    customers[own[:OWN_TICKETS] - 1] = subject_id
    ticket_frame = pd.DataFrame(
        {
            "id": ticket_ids,
            "number": [str(100000 + i) for i in ticket_ids],
            "title": [f"Question {i} about an order" for i in ticket_ids],
            "state": rng.choice(["new", "open", "closed"], tickets),
            "group": "Users",
            "customer_id": customers,
            "organization_id": rng.integers(1, n_orgs + 1, tickets),
            "created_at": created,
            "updated_at": created + pd.Timedelta(days=2),
            "close_at": pd.NaT,
            "last_contact_at": created + pd.Timedelta(days=1),
        }
    )

    per_ticket = rng.integers(1, 8, tickets)  # 1..7, four on average
    article_ticket = np.repeat(ticket_ids, per_ticket)
    n_articles = len(article_ticket)
    customer_of = dict(zip(ticket_ids, customers, strict=True))
    sender = np.where(rng.random(n_articles) < 0.5, "Customer", "Agent")
    customer_address = np.array([f"user{customer_of[t]}@example.com" for t in article_ticket])
    from_field = np.where(
        sender == "Customer", "Some Customer <" + customer_address + ">", "Mimoto Support"
    )
    to_field = np.where(sender == "Customer", "support@mimoto.co.uk", customer_address)
    body = [
        f"Hello, about order {i}: could you check the delivery date? Thanks, a customer."
        for i in range(n_articles)
    ]
    articles = pd.DataFrame(
        {
            "id": np.arange(1, n_articles + 1),
            "ticket_id": article_ticket,
            "from": from_field,
            "to": to_field,
            "cc": "",
            "subject": "Re: your question",
            "body": body,
            "content_type": "text/plain",
            "internal": sender == "Agent",
            "sender": sender,
            "type": "email",
            "created_at": pd.Series(created).repeat(per_ticket).to_numpy(),
        }
    )
    # The subject is copied in on other people's tickets, written every way mail clients do.
    ccs = [
        '"Subject, Pat" <PAT.SUBJECT@example.org>',
        "pat.subject@example.org; x@y.org",
        "Someone <s@example.com>, Pat <pat.subject@EXAMPLE.org>",
        "pat.subject@example.org",
    ]
    for ticket, cc in zip(own[OWN_TICKETS:], ccs, strict=True):
        first = articles.index[articles["ticket_id"] == ticket][0]
        articles.loc[first, "cc"] = cc
    # Look-alikes that must not match.
    articles.loc[5, "cc"] = "xpat.subject@example.org"
    articles.loc[6, "to"] = "pat.subject@example.org.evil"

    with_file = articles.sample(frac=0.1, random_state=seed)
    attachments = pd.DataFrame(
        {
            "id": np.arange(1, len(with_file) + 1),
            "article_id": with_file["id"].to_numpy(),
            "ticket_id": with_file["ticket_id"].to_numpy(),
            "filename": "scan.pdf",
            "size": rng.integers(1_000, 500_000, len(with_file)),
            "content_type": "application/pdf",
        }
    )
    own_articles = articles[articles["ticket_id"].isin(own[:OWN_TICKETS])]
    attachments = attachments[~attachments["ticket_id"].isin(own)]
    planted = pd.DataFrame(
        {
            "id": attachments["id"].max() + np.arange(1, OWN_ATTACHMENTS + 1),
            "article_id": own_articles["id"].to_numpy()[:OWN_ATTACHMENTS],
            "ticket_id": own_articles["ticket_id"].to_numpy()[:OWN_ATTACHMENTS],
            "filename": ["../../etc/passwd", "scan.pdf", "SCAN.pdf"],
            "size": 5_000,
            "content_type": "application/pdf",
        }
    )
    attachments = pd.concat([attachments, planted], ignore_index=True)

    folder = data_dir / "zammad"
    folder.mkdir(parents=True)
    tables = {
        "tickets": ticket_frame,
        "articles": articles,
        "attachments": attachments,
        "users": users,
        "organizations": organizations,
    }
    for name, df in tables.items():
        frame(name, df).to_parquet(folder / f"{name}.parquet", index=False)
    state = {"schema_version": SCHEMA_VERSION, "snapshot_time": datetime.now(UTC).isoformat()}
    (folder / STATE_FILE).write_text(json.dumps(state))
    expected_articles = int((articles["ticket_id"].isin(own[:OWN_TICKETS])).sum())
    return {
        "tickets": tickets,
        "articles": n_articles,
        "attachments": len(attachments),
        "users": len(users),
        "own_articles": expected_articles,
        "planted_attachments": planted["id"].tolist(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mimoto-sar-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        t0 = time.perf_counter()
        sizes = build_snapshot(data_dir, args.tickets)
        built = time.perf_counter() - t0
        with open_registers(data_dir / "registers.sqlite") as registers:
            request = registers.add_request(
                "access", [SUBJECT], received_on=date.today() - timedelta(days=3)
            )

        t1 = time.perf_counter()
        case = open_case(request.id, SUBJECT, data_dir=data_dir)
        t2 = time.perf_counter()
        live = LiveData.empty()
        live.files = {i: b"%PDF-1.4 stand-in\n" * 200 for i in sizes["planted_attachments"]}
        folder = write_package(case, live, Path(tmp) / "reports" / "sar")
        t3 = time.perf_counter()

        counts = case.subject.counts()
        problems = verify_manifest(folder)
        ok = (
            counts["tickets as customer"] == OWN_TICKETS
            and counts["other people's tickets naming them"] == CC_TICKETS
            and counts["articles on those tickets"] == sizes["own_articles"]
            and counts["attachments"] == OWN_ATTACHMENTS
            and not problems
        )
        total = t3 - t1
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"snapshot: {sizes['tickets']:,} tickets, {sizes['articles']:,} articles, "
            f"{sizes['attachments']:,} attachments, {sizes['users']:,} users "
            f"(built in {built:.1f} s, not timed)"
        )
        print(f"found: {counts}")
        print(f"open (register, load, gather, scan): {t2 - t1:6.2f} s")
        print(f"write package (CSV, JSON, HTML, PDF, zip): {t3 - t2:6.2f} s")
        print(f"total: {total:6.2f} s (target < {TARGET_SECONDS} s); peak memory {peak_mb:,.0f} MB")
        print(
            f"| {sizes['tickets']:,} | {sizes['articles']:,} | {t2 - t1:.1f} s | "
            f"{t3 - t2:.1f} s | {total:.1f} s | {peak_mb:,.0f} MB |"
        )
        if not ok:
            print(f"WRONG RESULT: {counts}, manifest problems {problems}", file=sys.stderr)
            return 1
        return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
