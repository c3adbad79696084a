"""Who the person is, and everything the Zammad snapshot holds about them.

**Who the person is** (:func:`identify`): the Zammad users whose *current* ``email`` equals
one of the request's addresses, compared case-insensitively (mail systems treat the case of an
address as meaningless in practice), plus the addresses staff add (``--also``) and the
accounts staff name by id (``--user-id N``, with a reason that is recorded). Nothing else is
included silently:

- a user whose ``login`` is one of the addresses but whose email is another is a
  *near-match*: Zammad keeps the first address as the login when a person changes their email,
  so the address may since have passed to someone else (Alex signed in as
  ``a.quill@old.example``, which is now Carys's email). Near-matches are listed for staff with
  the reason and included only when staff name them;
- messages on a near-match's tickets, or written by them, that name the address are listed
  the same way: they were written when the address was theirs;
- two accounts with the same current address are both included, and a note says so.

Zammad has no per-person export (zammad-api.md §5.6), so the person is then assembled from the
snapshot's tables (:func:`find_subject`):

- their user records and the organisation(s) those records belong to;
- tickets where one of those users is the customer, with every article;
- articles on *other* tickets whose ``from``, ``to`` or ``cc`` names one of their addresses.
  Zammad stores these fields as the raw header text ("David Bell <david@example.com>",
  several addresses separated by commas, sometimes only a display name for notes), so the
  addresses are parsed out rather than compared as strings. An address written in such an
  article's subject or body names them too;
- the metadata of the attachments of all those articles.

Articles on other tickets that hold the person's phone number or full name but not their
address may be about them, or about a namesake or a shared switchboard: they are listed for
staff to decide (``possible_mentions``), never exported on a guess.

Every pass over article text is linear in its length (:func:`mimoto_gov.pii.scan.find_addresses`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.pii.masks import mask
from mimoto_gov.pii.names import possible_mentions
from mimoto_gov.pii.scan import find_addresses
from mimoto_gov.support.bounds import check_email_length

ADDRESS_FIELDS = ("from", "to", "cc")
# An address written in the text of an article on someone else's ticket names the person too.
TEXT_FIELDS = ("subject", "body")
SEARCHED_FIELDS = ADDRESS_FIELDS + TEXT_FIELDS
_VALID_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
CUSTOMER = "customer"
CORRESPONDENT = "correspondent"
ADDED_BY_STAFF = "added by staff"
NEAR_MATCH_COLUMNS = ["what", "user_id", "ticket_number", "article_id", "address", "reason"]
IDENTITY_COLUMNS = ["user_id", "name", "email", "why"]


def normalise_email(address: str) -> str:
    """Return ``address`` stripped and lower-cased, or raise InputError if it is not an address.

    Args:
        address: an email address as typed by a person.

    Raises:
        InputError: the text is not a plausible email address, or is longer than RFC 5321
            allows.

    """
    text = str(address or "").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    check_email_length(text, "email")
    if not _VALID_EMAIL_RE.match(text):
        raise InputError(f"not an email address: {address!r}")
    return text


def parse_addresses(value: object) -> set[str]:
    """Every email address in a raw ``from``/``to``/``cc`` header value (or a body), lower-cased.

    Accepts ``"Name <a@b>"``, bare addresses, comma- or semicolon-separated lists, quoted
    display names containing commas, and missing values (None, NaN), which give no address.
    Linear in the length of the value.

    Args:
        value: the field as stored in the snapshot.

    Returns:
        The set of addresses found.

    """
    if not isinstance(value, str):
        return set()
    return {
        address.lower()
        for _start, _end, address in find_addresses(value)
        if _VALID_EMAIL_RE.match(address)
    }


def _lower(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.lower()


def _name(user) -> str:
    parts = [str(v) for v in (user.get("firstname"), user.get("lastname")) if isinstance(v, str)]
    return " ".join(p.strip() for p in parts if p.strip())


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
    shared = included.assign(_e=email[included.index]).groupby("_e")["id"].apply(list)
    for address, ids in shared.items():
        if address and len(ids) > 1:
            listed = ", ".join(f"#{int(i)}" for i in sorted(ids))
            notes.append(
                f"{len(ids)} accounts share the address {address} ({listed}): all included"
            )

    near = users[login.isin(wanted) & ~by_email & ~by_id]
    near_rows = [
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
    # The person's own older address: their login, when it differs from every address asked.
    for user in included.to_dict("records"):
        own_login = str(user.get("login") or "").strip().lower()
        if "@" in own_login and own_login not in wanted:
            holders = users[email.eq(own_login) & ~users["id"].isin(included["id"])]
            holder = ", ".join(f"#{int(i)}" for i in holders["id"])
            near_rows.append(
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
    return Identity(
        emails=wanted,
        users=included.reset_index(drop=True),
        why=pd.DataFrame(why_rows, columns=IDENTITY_COLUMNS),
        near_matches=pd.DataFrame(near_rows, columns=NEAR_MATCH_COLUMNS),
        notes=tuple(notes),
    )


def _mask_address(value) -> str:
    text = str(value or "").strip()
    return mask(text, "email") if "@" in text else "none"


@dataclass
class SubjectData:
    """What the snapshot holds about one person.

    Attributes:
        emails: the addresses searched for, lower-cased, in the order given.
        users: their user records (the ``users`` columns).
        organizations: the organisations of those users.
        tickets: tickets where they are the customer (``relation`` "customer") and tickets
            where they only appear in an article's from/to/cc (``relation`` "correspondent").
        articles: every article of their customer tickets and the articles naming them on
            other tickets; ``relation`` says which, ``matched_in`` lists the address fields
            that named them ("" on their own tickets when they were not named).
        attachments: metadata of the attachments of those articles.
        possible_mentions: articles on other tickets whose text holds the person's phone
            number or full name but not their address: for staff to decide, not exported.
        near_matches: accounts and messages that match only through an old address or a
            login, left out for staff to decide (:data:`NEAR_MATCH_COLUMNS`).
        identity: how the accounts were chosen (:class:`Identity`).
        snapshot_time: when the snapshot was taken (UTC), if known.

    """

    emails: tuple[str, ...]
    users: pd.DataFrame
    organizations: pd.DataFrame
    tickets: pd.DataFrame
    articles: pd.DataFrame
    attachments: pd.DataFrame
    possible_mentions: pd.DataFrame = field(default_factory=pd.DataFrame)
    near_matches: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=NEAR_MATCH_COLUMNS)
    )
    identity: Identity | None = None
    snapshot_time: object = None

    @property
    def is_empty(self) -> bool:
        """True when the snapshot holds nothing about the person."""
        return not (len(self.users) or len(self.tickets) or len(self.articles))

    @property
    def customer_tickets(self) -> pd.DataFrame:
        """Tickets where the person is the customer."""
        return self.tickets[self.tickets["relation"] == CUSTOMER]

    @property
    def correspondent_tickets(self) -> pd.DataFrame:
        """Other people's tickets on which the person appears in from, to or cc."""
        return self.tickets[self.tickets["relation"] == CORRESPONDENT]

    def counts(self) -> dict[str, int]:
        """Count the records found per source, in reading order."""
        articles = self.articles
        return {
            "user records": len(self.users),
            "organisations": len(self.organizations),
            "tickets as customer": len(self.customer_tickets),
            "articles on those tickets": int((articles["relation"] == CUSTOMER).sum()),
            "of which internal notes": int(
                ((articles["relation"] == CUSTOMER) & articles["internal"].fillna(False)).sum()
            ),
            "other people's tickets naming them": len(self.correspondent_tickets),
            "articles naming them on those tickets": int(
                (articles["relation"] == CORRESPONDENT).sum()
            ),
            "attachments": len(self.attachments),
            "attachment bytes": int(self.attachments["size"].fillna(0).sum()),
            "possible mentions to review": len(self.possible_mentions),
            "near-matches to review": len(self.near_matches),
        }

    def counts_table(self) -> pd.DataFrame:
        """:meth:`counts` as a two-column table (``found``, ``count``) for a report."""
        return pd.DataFrame(list(self.counts().items()), columns=["found", "count"])


def find_subject(
    inventory,
    emails: Iterable[str],
    add_articles: Iterable[int] = (),
    *,
    user_ids: Mapping[int, str] | None = None,
) -> SubjectData:
    """Gather everything the snapshot holds about the person with these addresses.

    Args:
        inventory: an :class:`~mimoto_gov.inventory.Inventory` (anything with the frames
            ``tickets``, ``articles``, ``attachments``, ``users``, ``organizations`` and an
            optional ``snapshot_time``).
        emails: the person's addresses (the request's addresses plus any staff added).
        add_articles: ids of articles on other tickets that staff decided are about the
            person (for instance from :attr:`SubjectData.possible_mentions`); included with
            ``matched_in`` "added by staff".
        user_ids: accounts staff include by id, with the reason (see :func:`identify`).

    Returns:
        A :class:`SubjectData`; empty frames when nothing is held.

    Raises:
        InputError: no address given, one is not an email address, an id without a reason,
            or an added article or account does not exist.

    """
    identity = identify(inventory.users, emails, user_ids=user_ids)
    wanted = identity.emails
    users = identity.users
    organizations = _organizations_of(inventory.organizations, users)

    tickets = inventory.tickets
    articles = inventory.articles
    own_ticket_ids = set(tickets.loc[tickets["customer_id"].isin(users["id"]), "id"])

    own_articles = articles[articles["ticket_id"].isin(own_ticket_ids)].copy()
    own_articles["relation"] = CUSTOMER
    own_articles["matched_in"] = _matched_fields(own_articles, wanted)

    others = articles[~articles["ticket_id"].isin(own_ticket_ids)]
    candidates = others[_contains_any(others, SEARCHED_FIELDS, wanted)].copy()
    candidates["matched_in"] = _matched_fields(candidates, wanted)
    named = candidates[candidates["matched_in"] != ""]
    named, old_address = _split_old_address(named, tickets, identity, inventory.users)
    added = {int(a) for a in add_articles}
    unknown = added - set(articles["id"].dropna().astype(int))
    if unknown:
        raise InputError(f"no article {min(unknown)} in the snapshot")
    extra = others[others["id"].isin(added) & ~others["id"].isin(named["id"])]
    named = pd.concat([named, extra.assign(matched_in=ADDED_BY_STAFF)], ignore_index=True)
    named["relation"] = CORRESPONDENT
    old_address = old_address[~old_address["article_id"].isin(added)]
    unnamed = others[~others["id"].isin(named["id"])]

    found_articles = pd.concat([own_articles, named], ignore_index=True)
    found_articles = found_articles.sort_values(["ticket_id", "created_at", "id"], kind="stable")
    found_articles = found_articles.reset_index(drop=True)

    own_tickets = tickets[tickets["id"].isin(own_ticket_ids)].assign(relation=CUSTOMER)
    other_tickets = tickets[tickets["id"].isin(set(named["ticket_id"]))].assign(
        relation=CORRESPONDENT
    )
    found_tickets = pd.concat([own_tickets, other_tickets], ignore_index=True)
    found_tickets = found_tickets.iloc[
        found_tickets.assign(_other=found_tickets["relation"] != CUSTOMER)
        .sort_values(["_other", "created_at", "id"], kind="stable")
        .index
    ].reset_index(drop=True)

    attachments = inventory.attachments
    found_attachments = attachments[attachments["article_id"].isin(found_articles["id"])]
    found_attachments = found_attachments.sort_values(["ticket_id", "article_id", "id"])

    near = pd.concat(
        [frame for frame in (identity.near_matches, old_address) if len(frame)]
        or [identity.near_matches],
        ignore_index=True,
    )
    return SubjectData(
        emails=wanted,
        users=users.reset_index(drop=True),
        organizations=organizations.reset_index(drop=True),
        tickets=found_tickets,
        articles=found_articles,
        attachments=found_attachments.reset_index(drop=True),
        possible_mentions=possible_mentions(unnamed, users, tickets),
        near_matches=near,
        identity=identity,
        snapshot_time=getattr(inventory, "snapshot_time", None),
    )


def _split_old_address(
    named: pd.DataFrame, tickets: pd.DataFrame, identity: Identity, all_users: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set apart messages that name an address while it belonged to a near-match.

    A message on a near-match's own ticket, or written by them, used the address as theirs.
    """
    accounts = identity.near_matches
    accounts = accounts[accounts["what"] == "account"]
    if accounts.empty or named.empty:
        return named, pd.DataFrame(columns=NEAR_MATCH_COLUMNS)
    holders = {int(u): a for u, a in zip(accounts["user_id"], accounts["address"], strict=True)}
    customer = dict(zip(tickets["id"], tickets["customer_id"], strict=True))
    numbers = dict(zip(tickets["id"], tickets["number"], strict=True))
    rows, keep = [], []
    for index, article in named.iterrows():
        authors = {customer.get(article["ticket_id"])}
        for column in ("created_by_id", "origin_by_id"):
            value = article.get(column)
            if value is not None and not pd.isna(value):
                authors.add(int(value))
        holder = next((u for u in holders if u in authors), None)
        if holder is None:
            keep.append(index)
            continue
        rows.append(
            (
                "message",
                holder,
                numbers.get(article["ticket_id"]),
                int(article["id"]),
                holders[holder],
                f"names the address on user #{holder}'s ticket or in their message, from when "
                "it was their login: left out; add it with --add-article only if it is about "
                "the person",
            )
        )
    return named.loc[keep], pd.DataFrame(rows, columns=NEAR_MATCH_COLUMNS)


def _organizations_of(organizations: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    ids = set(users["organization_id"].dropna().astype("int64"))
    if "organization_ids" in users:
        for value in users["organization_ids"].dropna():
            # the snapshot stores nested values as JSON text
            listed = json.loads(value) if isinstance(value, str) else value
            ids.update(int(i) for i in listed or ())
    return organizations[organizations["id"].isin(ids)].sort_values("id")


def _contains_any(articles: pd.DataFrame, columns, needles: Iterable[str]) -> pd.Series:
    """Pre-filter fast (vectorised): rows where a column contains a needle, ignoring case."""
    hit = pd.Series(False, index=articles.index)
    for column in columns:
        if column not in articles:
            continue
        text = articles[column].astype("string").str.lower()
        for needle in needles:
            hit |= text.str.contains(needle.lower(), regex=False).fillna(False)
    return hit


def _matched_fields(articles: pd.DataFrame, wanted: tuple[str, ...]) -> pd.Series:
    """For each article, the fields that name one of ``wanted`` (comma-joined)."""
    wanted_set = set(wanted)
    present = [c for c in SEARCHED_FIELDS if c in articles]
    values = []
    for row in articles[present].itertuples(index=False, name=None):
        values.append(
            ",".join(
                c for c, v in zip(present, row, strict=True) if parse_addresses(v) & wanted_set
            )
        )
    return pd.Series(values, index=articles.index, dtype="object")
