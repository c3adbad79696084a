"""The business-transfer notice list: every user Mimoto can and may still contact.

The policy promises to notify all users before ownership of the service and its data passes to
someone else. A user is on the list when they are active in Zammad, have an email address,
were not erased (their address's keyed hash is not in the erasure register) and are not on the
suppression list. Withdrawn marketing consent does not take anyone off: the notice is a legal
notice, not marketing. Addresses are compared case-insensitively and listed once.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

NOTICE_COLUMNS = ["email", "firstname", "lastname", "user_ids"]
_TRUE_TEXT = {"true", "t", "1", "yes", "y"}


def _is_active(value: object) -> bool:
    # The snapshot stores booleans, but a hand-made or CSV-loaded frame may hold text.
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_TEXT
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return bool(value)


def select_contactable(
    users: pd.DataFrame,
    hasher: Callable[[str], str],
    excluded_hashes: set[str],
) -> pd.DataFrame:
    """Select the users to notify from a users table.

    Args:
        users: at least the columns id, email, firstname, lastname, active (as in
            ``load_inventory().users``).
        hasher: the keyed hash of an address (e.g. ``Registers.hash``).
        excluded_hashes: keyed hashes of erased and suppressed people.

    Returns:
        Columns email (lower-cased), firstname, lastname, user_ids (every Zammad user id with
        that address, "; "-joined), sorted by email.

    """
    missing = [c for c in ("id", "email", "active") if c not in users.columns]
    if missing:
        raise ValueError(f"the users table lacks the column(s) {', '.join(missing)}")
    excluded: dict[str, bool] = {}
    chosen: dict[str, dict] = {}
    for user in users.to_dict("records"):
        raw = user.get("email")
        email = raw.strip().lower() if isinstance(raw, str) else ""
        if "@" not in email or not _is_active(user.get("active")):
            continue
        if email not in excluded:
            excluded[email] = hasher(email) in excluded_hashes
        if excluded[email]:
            continue
        entry = chosen.setdefault(
            email,
            {
                "email": email,
                "firstname": _text(user.get("firstname")),
                "lastname": _text(user.get("lastname")),
                "user_ids": [],
            },
        )
        entry["user_ids"].append(str(user.get("id")))
    rows = [
        {**entry, "user_ids": "; ".join(entry["user_ids"])} for _, entry in sorted(chosen.items())
    ]
    return pd.DataFrame(rows, columns=NOTICE_COLUMNS)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
