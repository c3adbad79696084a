"""The monthly review's view of erasures: who came back, which requests are late or unfinished.

Zammad re-creates a person who writes again after being deleted (zammad-api.md §5), and the
workbook no longer holds their address, only its keyed hash (:mod:`mimoto_gov.registers`), so
every address in the snapshot is hashed and compared with the erased ones. Open erasure
requests past their ICO due date are flagged too, and so is an erasure done in Zammad whose
steps by hand are not all recorded (:mod:`mimoto_gov.erasure.steps`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.steps import open_erasure_steps
from mimoto_gov.errors import InputError
from mimoto_gov.registers import open_registers
from mimoto_gov.settings import load_settings

FLAG_COLUMNS = ["flag", "request_id", "erasure_id", "user_id", "since", "detail"]


def erasure_flags(
    inventory, data_dir: Path | str | None = None, *, today: date | None = None
) -> pd.DataFrame:
    """List what the monthly review must flag about erasures.

    - an erased person who reappears in Zammad: a user whose address has the keyed hash of
      a completed erasure (Zammad re-creates a person who writes again, zammad-api.md §5);
    - an erasure request still open after its due date;
    - an erasure whose steps by hand are not all recorded (done, or not needed).

    Args:
        inventory: the snapshot (:func:`mimoto_gov.inventory.load_inventory`).
        data_dir: the workbook's data folder (registers and the keyed-hash secret); the
            settings' by default.
        today: the day to judge deadlines on (today by default).

    Returns:
        ``flag, request_id, erasure_id, user_id, since, detail``; one row per finding,
        empty when there is nothing to flag. No address appears in it.

    """
    if data_dir is None:
        data_dir = load_settings().data_dir
    path = Path(data_dir) / "registers.sqlite"
    rows = []
    if path.exists():
        with open_registers(path) as registers:
            rows += _reappeared(inventory, registers)
            rows += _overdue(registers, today or date.today())
            rows += _unfinished(registers, today or date.today())
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def _reappeared(inventory, registers) -> list[dict]:
    erasures = registers.erasures()
    done = erasures[erasures["outcome"] == "completed"]
    # Every address of an erased request counts, not only the one the erasure was run with.
    by_hash: dict[str, dict] = {}
    for entry in done.to_dict("records"):
        by_hash[entry["subject_hash"]] = entry
        for subject in registers.get_request(entry["request_id"]).subjects:
            by_hash.setdefault(subject.subject_hash, entry)
    if not by_hash:
        return []
    rows = []
    for user in inventory.users.itertuples(index=False):
        addresses = {
            str(v).strip().lower()
            for v in (user.email, user.login)
            if isinstance(v, str) and "@" in v
        }
        for address in sorted(addresses):
            try:
                entry = by_hash.get(registers.hash(address))
            except InputError:
                continue  # not an address the registers would accept (a malformed login)
            if entry is None:
                continue
            rows.append(
                {
                    "flag": "erased person reappears in Zammad",
                    "request_id": entry["request_id"],
                    "erasure_id": entry["id"],
                    "user_id": int(user.id),
                    "since": getattr(user, "created_at", None),
                    "detail": f"user #{int(user.id)} has an address erased under {entry['id']}: "
                    "erase again, or find out why it came back",
                }
            )
            break
    return rows


def _overdue(registers, today: date) -> list[dict]:
    open_requests = registers.open_requests_with_deadlines(today)
    late = open_requests[(open_requests["kind"] == "erasure") & open_requests["overdue"]]
    return [
        {
            "flag": "erasure overdue",
            "request_id": row.id,
            "erasure_id": None,
            "user_id": None,
            "since": row.due_on,
            "detail": f"due {row.due_on:%-d %b %Y}, {-int(row.days_left):,} day(s) late",
        }
        for row in late.itertuples(index=False)
    ]


def _unfinished(registers, today: date) -> list[dict]:
    steps = open_erasure_steps(registers, today)
    rows = []
    for request_id, group in steps.groupby("request_id", sort=False):
        first = group.iloc[0]
        rows.append(
            {
                "flag": "erasure steps open",
                "request_id": request_id,
                "erasure_id": first["erasure_id"],
                "user_id": None,
                "since": first["due_on"],
                "detail": f"{len(group):,} step(s) open ({', '.join(group['step'])}): record "
                f"each with `mimoto-gov erasure done {request_id} STEP --by NAME`",
            }
        )
    return rows
