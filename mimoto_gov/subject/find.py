"""Gather everything the Zammad snapshot holds about a person (:func:`find_subject`).

Their user records and organisations; tickets where they are the customer, with every
article; articles on other tickets whose ``from``, ``to``, ``cc``, subject or body names one of
their addresses; the metadata of those articles' attachments. Articles that only hold their
phone number or full name are listed for staff (``possible_mentions``), never exported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.pii.names import possible_mentions
from mimoto_gov.subject.addresses import SEARCHED_FIELDS, parse_addresses
from mimoto_gov.subject.identity import NEAR_MATCH_COLUMNS, Identity, identify
from mimoto_gov.subject.model import ADDED_BY_STAFF, CORRESPONDENT, CUSTOMER, SubjectData


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
    wanted, users = identity.emails, identity.users
    tickets, articles = inventory.tickets, inventory.articles
    own_ticket_ids = set(tickets.loc[tickets["customer_id"].isin(users["id"]), "id"])

    own_articles = articles[articles["ticket_id"].isin(own_ticket_ids)].copy()
    own_articles["relation"] = CUSTOMER
    own_articles["matched_in"] = _matched_fields(own_articles, wanted)
    others = articles[~articles["ticket_id"].isin(own_ticket_ids)]
    named, old_address = _named_elsewhere(inventory, others, identity, add_articles)
    unnamed = others[~others["id"].isin(named["id"])]

    found_articles = pd.concat([own_articles, named], ignore_index=True)
    found_articles = found_articles.sort_values(["ticket_id", "created_at", "id"], kind="stable")
    found_articles = found_articles.reset_index(drop=True)
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
        organizations=_organizations_of(inventory.organizations, users).reset_index(drop=True),
        tickets=_tickets_found(tickets, own_ticket_ids, set(named["ticket_id"])),
        articles=found_articles,
        attachments=found_attachments.reset_index(drop=True),
        possible_mentions=possible_mentions(unnamed, users, tickets),
        near_matches=near,
        identity=identity,
        snapshot_time=getattr(inventory, "snapshot_time", None),
    )


def _named_elsewhere(
    inventory, others: pd.DataFrame, identity: Identity, add_articles: Iterable[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the articles on other tickets that name the person, and those set apart.

    An article names the person when one of its address or text fields holds one of their
    addresses, or when staff added it by id; messages that name an address while it was a
    near-match's are set apart (the second frame, :data:`NEAR_MATCH_COLUMNS`).
    """
    wanted = identity.emails
    candidates = others[_contains_any(others, SEARCHED_FIELDS, wanted)].copy()
    candidates["matched_in"] = _matched_fields(candidates, wanted)
    named = candidates[candidates["matched_in"] != ""]
    named, old_address = _split_old_address(named, inventory.tickets, identity, inventory.users)
    added = {int(a) for a in add_articles}
    unknown = added - set(inventory.articles["id"].dropna().astype(int))
    if unknown:
        raise InputError(f"no article {min(unknown)} in the snapshot")
    extra = others[others["id"].isin(added) & ~others["id"].isin(named["id"])]
    named = pd.concat([named, extra.assign(matched_in=ADDED_BY_STAFF)], ignore_index=True)
    named["relation"] = CORRESPONDENT
    return named, old_address[~old_address["article_id"].isin(added)]


def _tickets_found(tickets: pd.DataFrame, own_ids: set, other_ids: set) -> pd.DataFrame:
    """Return the person's own tickets, then the others naming them, each by creation."""
    own_tickets = tickets[tickets["id"].isin(own_ids)].assign(relation=CUSTOMER)
    other_tickets = tickets[tickets["id"].isin(other_ids)].assign(relation=CORRESPONDENT)
    found = pd.concat([own_tickets, other_tickets], ignore_index=True)
    return found.iloc[
        found.assign(_other=found["relation"] != CUSTOMER)
        .sort_values(["_other", "created_at", "id"], kind="stable")
        .index
    ].reset_index(drop=True)


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
