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

Every pass over article text is linear in its length
(:func:`mimoto_gov.pii.text.find_addresses`).

The rule lives in :mod:`.identity`, address parsing in :mod:`.addresses`, what is held about
the person in :mod:`.model` and the gathering in :mod:`.find`.
"""

from mimoto_gov.subject.addresses import ADDRESS_FIELDS, normalise_email, parse_addresses
from mimoto_gov.subject.find import find_subject
from mimoto_gov.subject.identity import IDENTITY_COLUMNS, NEAR_MATCH_COLUMNS, Identity, identify
from mimoto_gov.subject.model import ADDED_BY_STAFF, CORRESPONDENT, CUSTOMER, SubjectData

__all__ = [
    "ADDED_BY_STAFF",
    "ADDRESS_FIELDS",
    "CORRESPONDENT",
    "CUSTOMER",
    "IDENTITY_COLUMNS",
    "NEAR_MATCH_COLUMNS",
    "Identity",
    "SubjectData",
    "find_subject",
    "identify",
    "normalise_email",
    "parse_addresses",
]
