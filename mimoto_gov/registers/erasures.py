"""The erasure register (append-only) and forgetting an erased person's address.

Each erasure attempt, completed or failed, is one entry: the request, the keyed hash of the
person's address (never the address), the Zammad task ids and ticket numbers, timestamps, the
outcome and reason, whether it was verified against Zammad afterwards, and what was kept and
why (JSON, e.g. ``[{"what": "articles on other customers' tickets", "why": "..."}]``), the
Zammad users deleted, the checks made when Zammad was read back, and the checklist's lines as
they stood (``erasure_steps``). SQLite triggers reject any UPDATE or DELETE of the table and
any INSERT over an id already recorded (``INSERT OR REPLACE`` included): a mistake is
corrected by a new entry. Zammad forgets its own task records after 12 months; this register
does not. Steps finished later, keep decisions and the tasks themselves are in
:mod:`mimoto_gov.registers.erasure_steps`.

Once an erasure is completed, :meth:`ErasuresMixin.forget_subject_email` removes the person's
addresses from every register (the keyed hash stays, so their entries remain linked) and
rewrites the file so the old values do not linger in free pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import optional_text
from mimoto_gov.registers.db import next_id, now_utc, transaction
from mimoto_gov.registers.erasure_steps import ErasureStepsMixin
from mimoto_gov.registers.trail import owners_of, track

track("erasures", "erasures", children=(("erasure_steps", "erasure_id"),))

OUTCOMES = ("completed", "failed")
ERASED_MARK = "[erased]"
ERASURE_COLUMNS = [
    "id", "request_id", "subject_hash", "task_ids", "ticket_numbers", "started_at",
    "finished_at", "outcome", "reason", "verified", "kept", "recorded_at", "user_ids", "checks",
]  # fmt: skip
# Tables holding an address next to its keyed hash.
_EMAIL_TABLES = (
    "request_subjects", "holds", "law_enforcement_subjects", "consents", "mailing_list",
    "suppressions", "complaints", "request_candidates",
)  # fmt: skip
# Columns naming the person beside their address, emptied with it.
_NAME_COLUMNS = {"request_candidates": ("customer",)}
# The request's own columns naming the person (or whoever asked for them).
_REQUEST_NAME_COLUMNS = ("requester_name", "on_behalf_of")
# Free-text columns someone may have typed an address into (append-only tables excluded:
# their text is scrubbed when written).
_TEXT_COLUMNS = {
    "requests": (
        "notes",
        "outcome",
        "evidence_seen",
        "verify_method",
        "extension_reason",
        "authority_evidence",
        "exemption",
    ),  # fmt: skip
    "request_candidates": ("phrase", "dismissed_reason"),
    "request_pauses": ("reason",),
    "holds": ("reason",),
    "law_enforcement": ("scope", "disclosed", "notes", "not_told_basis"),
    "consents": ("source",),
    "suppressions": ("reason",),
    "complaints": ("summary", "outcome"),
    "breaches": ("description", "measures", "reason_not_reported"),
}


def _timestamp(value: datetime | str | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(f"{name}: {value!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def scrub(text: str | None, emails: Iterable[str]) -> str | None:
    """Replace every occurrence of each address in ``text`` (any case) with ``[erased]``."""
    if text is None:
        return None
    for email in emails:
        text = re.sub(re.escape(email), ERASED_MARK, text, flags=re.IGNORECASE)
    return text


class ErasuresMixin(ErasureStepsMixin):
    """The erasure register (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def record_erasure(
        self,
        request_id: str,
        *,
        outcome: str,
        started_at: datetime | str,
        finished_at: datetime | str | None = None,
        task_ids: Iterable[int | str] = (),
        ticket_numbers: Iterable[str] = (),
        reason: str | None = None,
        verified: bool = False,
        kept: object = None,
        email: str | None = None,
        subject_hash: str | None = None,
        user_ids: Iterable[int] = (),
        checks: Iterable[str] = (),
        steps: Iterable[dict] = (),
    ) -> str:
        """Append an erasure attempt to the register; return its id (``E-<year>-<nnnn>``).

        Args:
            request_id: the erasure request in the request register.
            outcome: "completed" or "failed".
            started_at: when the erasure started (naive times are UTC).
            finished_at: when it finished (or gave up).
            task_ids: Zammad data-privacy task ids.
            ticket_numbers: the ticket numbers deleted (or meant to be).
            reason: why it failed, or remarks; required when it failed.
            verified: whether Zammad was re-read afterwards and the data found gone.
            kept: what was kept and why, JSON-serialisable.
            email: the address erased (hashed; never stored); default: the request's first.
            subject_hash: the keyed hash instead of ``email``.
            user_ids: the Zammad users the erasure deleted (or meant to).
            checks: what was read back from Zammad to verify it, one sentence each.
            steps: the checklist's lines as they stood (dicts with ``step, place, held,
                action, owner, state, why, items``), stored with the entry.

        Raises:
            InputError: a bad outcome, a failure without reason, unserialisable ``kept``.
            RegisterError: an unknown request.

        """
        request = self.get_request(request_id)
        if outcome not in OUTCOMES:
            raise InputError(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
        reason = optional_text(reason)
        if outcome == "failed" and not reason:
            raise InputError("a failed erasure needs its reason")
        if email is not None and subject_hash is not None:
            raise InputError("give the email or its keyed hash, not both")
        if email is not None:
            subject_hash = self.hash(email)
        subject_hash = subject_hash or request.subject_hash
        emails = set(request.emails) | ({email.strip().lower()} if email else set())
        try:
            kept_json = json.dumps(kept if kept is not None else [], ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise InputError(f"kept: not JSON-serialisable ({error})") from None
        started = _timestamp(started_at, "started at")
        with transaction(self.conn) as conn:
            erasure_id = next_id(conn, "erasures", "E", datetime.fromisoformat(started).year)
            conn.execute(
                "INSERT INTO erasures (id, request_id, subject_hash, task_ids, ticket_numbers,"
                " started_at, finished_at, outcome, reason, verified, kept, recorded_at,"
                " user_ids, checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    erasure_id,
                    request.id,
                    subject_hash,
                    json.dumps([str(t) for t in task_ids]),
                    json.dumps([str(n) for n in ticket_numbers]),
                    started,
                    _timestamp(finished_at, "finished at"),
                    outcome,
                    scrub(reason, emails),
                    int(bool(verified)),
                    scrub(kept_json, emails),
                    now_utc(),
                    json.dumps([int(u) for u in user_ids]),
                    json.dumps([self._scrub_for(request, str(c)) for c in checks]),
                ),
            )
            self._insert_step_lines(conn, request, erasure_id, list(steps))
            self.record_change(
                conn, "erasures", erasure_id, f"record ({outcome})", datetime.fromisoformat(started)
            )
        return erasure_id

    def erasures(self) -> pd.DataFrame:
        """Return the erasure register as a table (task ids, ticket numbers, kept decoded)."""
        rows = []
        for r in self.conn.execute("SELECT * FROM erasures ORDER BY recorded_at, id"):
            row = {c: r[c] for c in ERASURE_COLUMNS}
            row["task_ids"] = json.loads(r["task_ids"])
            row["ticket_numbers"] = json.loads(r["ticket_numbers"])
            row["kept"] = json.loads(r["kept"])
            row["user_ids"] = json.loads(r["user_ids"])
            row["checks"] = json.loads(r["checks"])
            row["verified"] = bool(r["verified"])
            rows.append(row)
        return pd.DataFrame(rows, columns=ERASURE_COLUMNS)

    def erased_hashes(self) -> set[str]:
        """Return the keyed hashes of every erased person (all addresses of their request)."""
        hashes = {
            r[0]
            for r in self.conn.execute(
                "SELECT subject_hash FROM erasures WHERE outcome = 'completed'"
            )
        }
        hashes |= {
            r[0]
            for r in self.conn.execute(
                "SELECT s.subject_hash FROM request_subjects s JOIN erasures e"
                " ON e.request_id = s.request_id WHERE e.outcome = 'completed'"
            )
        }
        return hashes

    def forget_subject_email(self, request_id: str) -> int:
        """Remove an erased person's addresses from every register, keeping the keyed hash.

        Every row naming one of the request's addresses (by keyed hash) loses the address,
        and the addresses are replaced with ``[erased]`` in free text. The file is then
        rewritten (VACUUM) so that the old values are gone from it. Safe to run again.

        Returns:
            How many rows changed.

        Raises:
            RegisterError: the request has no completed erasure in the erasure register.

        """
        request = self.get_request(request_id)
        done = self.conn.execute(
            "SELECT 1 FROM erasures WHERE request_id = ? AND outcome = 'completed'", (request.id,)
        ).fetchone()
        if not done:
            raise RegisterError(
                f"request {request.id} has no completed erasure: record it before forgetting"
            )
        emails = list(request.emails)
        hashes = sorted({s.subject_hash for s in request.subjects})
        marks = ", ".join("?" for _ in hashes)
        touched: set[tuple[str, str]] = set()
        changed = 0
        with transaction(self.conn) as conn:
            for table in _EMAIL_TABLES:
                rowids = [
                    row[0]
                    for row in conn.execute(
                        f"SELECT rowid FROM {table}"  # noqa: S608 - our own table names
                        f" WHERE email IS NOT NULL AND subject_hash IN ({marks})",
                        hashes,
                    )
                ]
                blank = ", ".join(f"{c} = NULL" for c in ("email", *_NAME_COLUMNS.get(table, ())))
                for rowid in rowids:
                    conn.execute(f"UPDATE {table} SET {blank} WHERE rowid = ?", (rowid,))  # noqa: S608
                touched |= owners_of(conn, table, rowids)
                changed += len(rowids)
            changed += self._forget_names(conn, request.id)
            for email in emails:
                changed += self._scrub_text(conn, email, touched)
            for register, record_id in sorted(touched):
                self.record_change(conn, register, record_id, "forget address")
        if changed:
            self.conn.execute("VACUUM")
        return changed

    def _forget_names(self, conn, request_id: str) -> int:
        names = " OR ".join(f"{c} IS NOT NULL" for c in _REQUEST_NAME_COLUMNS)
        sets = ", ".join(
            f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE '{ERASED_MARK}' END"
            for c in _REQUEST_NAME_COLUMNS
        )
        cursor = conn.execute(
            f"UPDATE requests SET {sets} WHERE id = ? AND ({names})",  # noqa: S608 - our names
            (request_id,),
        )
        return cursor.rowcount

    def _scrub_text(self, conn, email: str, touched: set[tuple[str, str]]) -> int:
        changed = 0
        for table, columns in _TEXT_COLUMNS.items():
            for column in columns:
                rows = conn.execute(
                    f"SELECT rowid, {column} FROM {table}"  # noqa: S608 - our own names
                    f" WHERE instr(lower({column}), ?) > 0",
                    (email.lower(),),
                ).fetchall()
                for rowid, text in rows:
                    conn.execute(
                        f"UPDATE {table} SET {column} = ? WHERE rowid = ?",  # noqa: S608
                        (scrub(text, [email]), rowid),
                    )
                    changed += 1
                touched |= owners_of(conn, table, [rowid for rowid, _ in rows])
        return changed
