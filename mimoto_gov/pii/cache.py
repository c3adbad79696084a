"""Personal data in ticket and article text, with a cache of earlier scans.

Scanning every article body for personal data is the slow part of the retention review, so
the findings are kept in the private data folder keyed by article id and date: a later month
only scans what is new or changed, and nothing but masked values is ever stored. A change to
the scanner (:mod:`mimoto_gov.pii.scan`) throws the cache away.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path

import pandas as pd

from mimoto_gov.pii import finders, masks, phones, scan, text
from mimoto_gov.pii.scan import scan_frame
from mimoto_gov.support.files import private_dir, write_bytes, write_text


def _scanner_fingerprint() -> str:
    # A change to the scanner (new kind, better validation) must invalidate cached findings.
    modules = (scan, finders, masks, phones, text)
    source = "".join(inspect.getsource(module) for module in modules)
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def _stamps(frame: pd.DataFrame) -> pd.Series:
    column = "updated_at" if "updated_at" in frame.columns else "created_at"
    stamps = pd.to_datetime(frame[column], utc=True)
    return stamps.astype("int64").where(stamps.notna(), 0).astype("int64")


_FINDING_COLUMNS = ["source", "id", "column", "kind", "start", "end", "masked"]


def scan_inventory(
    tickets: pd.DataFrame,
    articles: pd.DataFrame,
    cache_dir: Path | None = None,
    keep: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Scan ticket titles and article subjects and bodies for personal data, reusing a cache.

    Args:
        tickets: tickets to scan (their ``title``).
        articles: articles to scan (``subject`` and ``body``).
        cache_dir: private folder for the cache; None scans everything and stores nothing.
        keep: the snapshot's whole tickets and articles: their cached findings are kept even
            when this scan does not cover them (reviewing a past month again must not throw
            away the scans of later months). Without it the cache keeps only this scan.

    Returns:
        ``(findings, stats)``: findings with columns ``source, id, column, kind, start, end,
        masked, ticket_id`` (``source`` is ``ticket`` or ``article``) and
        ``{"scanned": n, "reused": m}`` counting texts (rows) scanned now and taken from cache.

    """
    fingerprint = _scanner_fingerprint()
    items = _items(tickets, articles)
    cached_items, cached_findings = _read_cache(cache_dir, fingerprint)
    if cached_items is not None:
        merged = items.merge(cached_items, on=["source", "id", "stamp"], how="left", indicator=True)
        fresh = merged["_merge"].eq("both").to_numpy()
    else:
        fresh = pd.Series(False, index=items.index).to_numpy()
    reuse = items[fresh]
    todo = items[~fresh]

    parts = []
    if cached_findings is not None and not reuse.empty:
        reused = cached_findings.merge(reuse[["source", "id"]], on=["source", "id"])
        parts.append(reused[_FINDING_COLUMNS])
    todo_tickets = tickets[tickets["id"].isin(todo.loc[todo["source"] == "ticket", "id"])]
    todo_articles = articles[articles["id"].isin(todo.loc[todo["source"] == "article", "id"])]
    if not todo_tickets.empty:
        found = scan_frame(todo_tickets, ["title"], "id")
        parts.append(found.assign(source="ticket")[_FINDING_COLUMNS])
    if not todo_articles.empty:
        found = scan_frame(todo_articles, ["subject", "body"], "id")
        parts.append(found.assign(source="article")[_FINDING_COLUMNS])
    findings = _concat_findings(parts)
    if cache_dir is not None:
        stored_items, stored_findings = items, findings
        if keep is not None and cached_items is not None:
            # Cached scans of texts the snapshot still holds, unchanged, outside this scan.
            still = cached_items.merge(_items(*keep), on=["source", "id", "stamp"])
            extra = still.merge(items[["source", "id"]], how="left", indicator=True)
            extra = extra.loc[extra["_merge"] == "left_only", ["source", "id", "stamp"]]
            if not extra.empty:
                stored_items = pd.concat([items, extra], ignore_index=True)
                more = cached_findings.merge(extra[["source", "id"]], on=["source", "id"])
                stored_findings = _concat_findings([findings, more[_FINDING_COLUMNS]])
        _write_cache(cache_dir, fingerprint, stored_items, stored_findings)

    article_ticket = articles.set_index("id")["ticket_id"]
    findings["ticket_id"] = findings["id"].where(
        findings["source"] == "ticket", findings["id"].map(article_ticket)
    )
    stats = {"scanned": int(len(todo)), "reused": int(len(reuse))}
    return findings.reset_index(drop=True), stats


def _items(tickets: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"source": "ticket", "id": tickets["id"], "stamp": _stamps(tickets)}),
            pd.DataFrame({"source": "article", "id": articles["id"], "stamp": _stamps(articles)}),
        ],
        ignore_index=True,
    ).astype({"id": "int64"})


def _concat_findings(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(
            {
                "source": pd.Series(dtype=str),
                "id": pd.Series(dtype="int64"),
                "column": pd.Series(dtype=str),
                "kind": pd.Series(dtype=str),
                "start": pd.Series(dtype="int64"),
                "end": pd.Series(dtype="int64"),
                "masked": pd.Series(dtype=str),
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"id": "int64", "start": "int64", "end": "int64"})


def _read_cache(cache_dir: Path | None, fingerprint: str):
    if cache_dir is None:
        return None, None
    meta_path = Path(cache_dir) / "pii-cache.json"
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("scanner") != fingerprint:
            return None, None
        items = pd.read_parquet(Path(cache_dir) / "pii-scanned.parquet")
        findings = pd.read_parquet(Path(cache_dir) / "pii-findings.parquet")
    except (OSError, ValueError, KeyError):
        # A missing or damaged cache only costs a full scan.
        return None, None
    return items, findings


def _write_cache(cache_dir: Path, fingerprint: str, items: pd.DataFrame, findings) -> None:
    # Only what the snapshot still holds is kept, so a deleted ticket leaves the cache too.
    cache_dir = private_dir(Path(cache_dir))
    for name, frame in (("pii-scanned", items), ("pii-findings", findings[_FINDING_COLUMNS])):
        write_bytes(cache_dir / f"{name}.parquet", frame.to_parquet(index=False))
    write_text(cache_dir / "pii-cache.json", json.dumps({"scanner": fingerprint}))
