"""Helpers for the erasure tests: requests, the sandbox's state, what files still hold."""

from __future__ import annotations

import copy
import gzip
import hashlib
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pandas as pd

from mimoto_gov.cli import main
from mimoto_gov.registers import open_registers

DATA, REPORTS = Path("data"), Path("reports")
MUTATING = {"PUT", "PATCH", "DELETE"}
# Zammad re-points these columns to the system user (1) when it deletes a user
# (destroy_move_dependency_ownership, zammad-api.md §9); nothing else in kept records changes.
REPOINTED = (
    "created_by_id", "updated_by_id", "origin_by_id", "owner_id", "out_of_office_replacement_id",
    "archived_by_id", "published_by_id", "internal_by_id",
)  # fmt: skip


def email_of(sandbox, persona="subject"):
    return sandbox.dataset.users[sandbox.dataset.personas[persona]]["email"]


def erasure_request(email, *, verified=True, sandbox=None):
    """Record an erasure request; with ``sandbox``, decide "erase" for each of their tickets."""
    with open_registers(DATA / "registers.sqlite") as registers:
        request = registers.add_request("erasure", [email])
        if verified:
            registers.verify_identity(
                request.id,
                method="reply from the address on file",
                verified_by="Data protection lead",
                evidence_seen="confirmed by email from the registered address",
            )
        for number in tickets_of(sandbox, email) if sandbox is not None else ():
            registers.record_keep_decision(
                request.id, f"ticket-{number}", decision="erase", by="Data protection lead"
            )
    return request.id


def tickets_of(sandbox, email):
    """Numbers of the tickets an erasure of ``email`` deletes (theirs, and their org's)."""
    ds = sandbox.dataset
    user = next(u for u in ds.users.values() if u["email"] == email)
    org = user.get("organization_id")
    return sorted(
        t["number"]
        for t in ds.tickets.values()
        if t["customer_id"] == user["id"] or (org and t["organization_id"] == org)
    )


def state(sandbox):
    ds = sandbox.dataset
    with sandbox.store.lock:
        return {
            "users": copy.deepcopy(ds.users),
            "tickets": copy.deepcopy(ds.tickets),
            "articles": copy.deepcopy(ds.articles),
            "organizations": copy.deepcopy(ds.organizations),
        }


def repointed(record: dict, user_id: int) -> dict:
    """A record as Zammad keeps it once ``user_id`` is deleted: references moved to user 1."""
    return {k: 1 if k in REPOINTED and v == user_id else v for k, v in record.items()}


def mutating(sandbox):
    return [
        (r.method, r.path)
        for r in sandbox.request_log
        if r.method in MUTATING or (r.method == "POST" and not r.path.endswith("/search"))
    ]


def readable_text(path: Path) -> str:
    """What a person could read in a file, lower-cased.

    Raw bytes cannot see text in compressed formats: Parquet is read column by column, a PDF
    through its text layer, SQLite through a dump of every table, zip and gzip decompressed.
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        texts = [
            " ".join(frame[name].map(str))
            for name in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[name])
            and not pd.api.types.is_datetime64_any_dtype(frame[name])
        ]
        return "\n".join(texts).lower()
    if suffix == ".pdf":
        from pypdf import PdfReader

        pages = PdfReader(path).pages
        # Lines wrap inside table cells: an address may be split by a line break.
        return "".join("".join(page.extract_text().split()) for page in pages).lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(
                readable_bytes(archive.read(info)) for info in archive.infolist()
            ).lower()
    if suffix == ".gz":
        return readable_bytes(gzip.decompress(path.read_bytes())).lower()
    head = path.read_bytes()[:16]
    if head.startswith(b"SQLite format 3"):
        uri = f"{path.absolute().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            return "\n".join(conn.iterdump()).lower()
    return readable_bytes(path.read_bytes()).lower()


def readable_bytes(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def files_holding(needle: str) -> list[str]:
    """Files under data/ and reports/ in which a person could read ``needle`` (any case)."""
    needle = needle.lower()
    return [
        str(path)
        for root in (DATA, REPORTS)
        for path in sorted(root.rglob("*"))
        if path.is_file() and needle in readable_text(path)
    ]


def tree_digest() -> dict[str, str]:
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for root in (DATA, REPORTS)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def erase(*argv):
    return main(["erase", *argv])
