"""What the snapshot holds about one person (:class:`SubjectData`), and how it relates to them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from mimoto_gov.subject.identity import NEAR_MATCH_COLUMNS, Identity

CUSTOMER = "customer"
CORRESPONDENT = "correspondent"
ADDED_BY_STAFF = "added by staff"


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
