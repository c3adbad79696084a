"""The one identity rule: which Zammad accounts are the person, and which only seem to be.

An account is the person's when its *current* ``email`` equals one of the request's
addresses (ignoring case), or when staff name it by id with a reason. An account whose
``login`` is one of the addresses but whose email is another is a near-match: Zammad keeps the
first address as the login when a person changes their email, so the address may since have
passed to someone else. Near-matches are listed for staff, never included silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.pii.masks import mask
from mimoto_gov.subject.addresses import normalise_email

NEAR_MATCH_COLUMNS = ["what", "user_id", "ticket_number", "article_id", "address", "reason"]
IDENTITY_COLUMNS = ["user_id", "name", "email", "why"]


@dataclass(frozen=True)
class Identity:
    """Who the person is: the accounts included and why, and the near-matches left out.

    Attributes:
        emails: the addresses searched for, lower-cased, in the order given (request, then
            ``--also``).
        users: the included user records (the ``users`` columns), sorted by id.
        why: ``user_id, name, email, why``: one row per included account, with the reason.
        near_matches: accounts that match only through their login: ``what`` ("account"),
            ``user_id``, ``address``, ``reason`` (see :data:`NEAR_MATCH_COLUMNS`).
        notes: sentences for staff (two accounts sharing an address, accounts added by id).

    """

    emails: tuple[str, ...]
    users: pd.DataFrame
    why: pd.DataFrame
    near_matches: pd.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def user_ids(self) -> set[int]:
        """Zammad ids of the included accounts."""
        return {int(i) for i in self.users["id"]}


def _lower(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.lower()


def _name(user) -> str:
    parts = [str(v) for v in (user.get("firstname"), user.get("lastname")) if isinstance(v, str)]
    return " ".join(p.strip() for p in parts if p.strip())


def _mask_address(value) -> str:
    text = str(value or "").strip()
    return mask(text, "email") if "@" in text else "none"


def _user_ids(user_ids: Mapping[int, str] | Iterable[int] | None) -> dict[int, str]:
    if not user_ids:
        return {}
    if not isinstance(user_ids, Mapping):
        raise InputError("--user-id needs a reason: say why the account is the person's")
    chosen = {}
    for key, reason in user_ids.items():
        text = " ".join(str(reason or "").split())
        if not text:
            raise InputError(f"--user-id {key} needs a reason: say why it is the person's")
        try:
            chosen[int(key)] = text
        except (TypeError, ValueError):
            raise InputError(f"--user-id: {key!r} is not a Zammad user id") from None
    return chosen


def identify(
    users: pd.DataFrame,
    emails: Iterable[str],
    *,
    user_ids: Mapping[int, str] | None = None,
) -> Identity:
    """Decide which Zammad accounts are the person (the one identity rule).

    Args:
        users: every user of the snapshot.
        emails: the request's addresses plus any staff added (``--also``).
        user_ids: accounts staff include by id, each with the reason (recorded).

    Returns:
        An :class:`Identity`.

    Raises:
        InputError: no address, a malformed one, an id without a reason, or an id the
            snapshot does not hold.

    """
    wanted = tuple(dict.fromkeys(normalise_email(e) for e in emails))
    if not wanted:
        raise InputError("no email address given for the subject")
    chosen = _user_ids(user_ids)
    email = _lower(users["email"]).fillna("")
    login = _lower(users["login"]).fillna("") if "login" in users else email.map(lambda _: "")
    by_email = email.isin(wanted)
    unknown = set(chosen) - {int(i) for i in users["id"].dropna()}
    if unknown:
        raise InputError(f"--user-id {min(unknown)}: no such user in the Zammad snapshot")
    by_id = users["id"].isin(list(chosen))
    included = users[by_email | by_id].sort_values("id")
    why_rows, notes = _reasons(included, wanted, chosen)
    notes += _shared_addresses(included, email)
    near_rows = _near_accounts(users[login.isin(wanted) & ~by_email & ~by_id])
    near_rows += _own_logins(included, users, email, wanted)
    return Identity(
        emails=wanted,
        users=included.reset_index(drop=True),
        why=pd.DataFrame(why_rows, columns=IDENTITY_COLUMNS),
        near_matches=pd.DataFrame(near_rows, columns=NEAR_MATCH_COLUMNS),
        notes=tuple(notes),
    )


def _reasons(
    included: pd.DataFrame, wanted: tuple[str, ...], chosen: dict[int, str]
) -> tuple[list[tuple], list[str]]:
    """Say why each included account is the person's; note those staff added by id."""
    why_rows, notes = [], []
    for user in included.to_dict("records"):
        user_id = int(user["id"])
        address = str(user.get("email") or "").strip().lower()
        if address in wanted:
            reason = f"current email is {address}"
        else:
            reason = f"added by staff: {chosen[user_id]}"
            notes.append(f"user #{user_id} included by staff: {chosen[user_id]}")
        why_rows.append((user_id, _name(user), user.get("email"), reason))
    return why_rows, notes


def _shared_addresses(included: pd.DataFrame, email: pd.Series) -> list[str]:
    """Note every address that two or more included accounts share."""
    notes = []
    shared = included.assign(_e=email[included.index]).groupby("_e")["id"].apply(list)
    for address, ids in shared.items():
        if address and len(ids) > 1:
            listed = ", ".join(f"#{int(i)}" for i in sorted(ids))
            notes.append(
                f"{len(ids)} accounts share the address {address} ({listed}): all included"
            )
    return notes


def _near_accounts(near: pd.DataFrame) -> list[tuple]:
    """List the accounts whose login, not their current email, is one of the addresses."""
    return [
        (
            "account",
            int(user["id"]),
            None,
            None,
            str(user.get("login") or "").lower(),
            f"login is the address but the current email is another "
            f"({_mask_address(user.get('email'))}): an earlier address of theirs, which may "
            "since have passed to the person; include it with --user-id N and a reason only "
            "if it is theirs",
        )
        for user in near.sort_values("id").to_dict("records")
    ]


def _own_logins(
    included: pd.DataFrame, users: pd.DataFrame, email: pd.Series, wanted: tuple[str, ...]
) -> list[tuple]:
    """List the person's own older address: their login, when no address asked equals it."""
    rows = []
    for user in included.to_dict("records"):
        own_login = str(user.get("login") or "").strip().lower()
        if "@" in own_login and own_login not in wanted:
            holders = users[email.eq(own_login) & ~users["id"].isin(included["id"])]
            holder = ", ".join(f"#{int(i)}" for i in holders["id"])
            rows.append(
                (
                    "own login",
                    int(user["id"]),
                    None,
                    None,
                    own_login,
                    "their login, probably an earlier address, was not searched"
                    + (f"; it is now the email of user {holder}" if holder else "")
                    + ": add it with --also only if messages under it are theirs",
                )
            )
    return rows
