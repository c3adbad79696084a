"""A deterministic synthetic Zammad inventory for the demo, the tests and the benchmarks.

:func:`make_dataset` builds the server-side state of a small UK company's service desk with
Faker's ``en_GB`` locale and one seeded :class:`random.Random`: the same arguments give
identical data. Records are dicts keyed by int id, in the column shapes Zammad stores and
renders (zammad-api.md §3.2-3.6); timestamps are ISO-8601 strings with milliseconds and ``Z``
(as the API sends them) and ticket ``number`` is a string. The local sandbox
(:mod:`mimoto_gov.sandbox.zammad.server`) serves this state over HTTP.

Shape of the dataset:

- ``users``: id 1 is the system user ``-``; id 2 is the admin agent (the admin token's user);
  ids 3-8 are agents (3 reads every group and owns tickets); customers follow. Users carry
  ``role_ids``, ``organization_ids`` (secondary) and ``group_ids`` like Zammad's default render.
- ``organizations``: customers' companies. ``member_ids`` is derived from users when served.
- ``tickets``: spread over the ten years before ``now`` (about 8% in the last two months),
  ids in order of creation, states from Zammad's defaults, groups Support/Sales/Billing.
- ``articles``: about ``articles_per_ticket`` per ticket: customer emails, phone calls and web
  forms, agent replies, internal notes, automatic System replies. Besides the columns each
  article carries the names ``type`` and ``sender`` (always rendered by ``by_ticket``).
- ``attachments``: id -> ``{article_id, ticket_id, filename, size, content_type, content,
  preferences}``; ``content`` is small bytes (text, a minimal PDF, a tiny PNG).
- ``history``: ticket id -> ticket-level entries (created, owner and state changes, tags).
  Article "created" entries are derived from the articles by :meth:`ZammadDataset.ticket_history`,
  which returns what Zammad's history endpoint lists.
- ``tags``: ticket id -> list of tag names (about half the tickets).
- ``groups``, ``roles``, ``states``, ``priorities``, ``article_types``, ``article_senders``:
  Zammad's lookup tables. ``jobs``: schedulers (one harmless auto-close job, no deletion
  job). ``data_privacy_tasks``: empty at first.

Planted items (``dataset.planted`` names the ids, ``dataset.pii`` lists every planted value):

- ``planted["script_ticket"]``: a ticket titled ``<script>alert(1)</script>``.
- ``planted["onerror_article"]``: an HTML article body containing ``<img src=x onerror=alert(1)>``.
- ``planted["formula_ticket"]`` / ``planted["formula_article"]``: a ticket title and article
  subject starting with ``=HYPERLINK(`` (CSV formula injection).
- ``planted["formula_user"]``: a customer whose last name starts with ``@``.
- ``planted["inline_image_article"]`` / ``planted["inline_attachment"]``: an HTML email whose
  body references an inline image by ``cid:``; the server hides that attachment from
  ``attachments[]`` and rewrites the ``src`` to the download URL, like Zammad.
- ``dataset.pii``: :class:`PlantedPII` records of Luhn-valid card numbers, valid National
  Insurance numbers, valid UK IBANs (mod-97 checked), UK phone numbers (Ofcom drama ranges)
  and postcodes written into article bodies. Each kind has at least two guaranteed
  placements (the first is ``planted["card_article"]``, ``["ni_article"]``, ``["iban_article"]``,
  ``["phone_article"]``, ``["postcode_article"]``) plus a sprinkling at random.
- Customers inactive for years (``personas["dormant"]`` and others: last ticket five to nine
  years old, no recent login; some also ``active: false``); customers with no tickets
  (``personas["no_tickets"]``); one email on two accounts differing only in case
  (``personas["duplicate_a"]`` / ``["duplicate_b"]``).

Rights requests in plain words (``dataset.rights_requests``: ticket id -> kind): one per
:data:`~mimoto_gov.sandbox.synthetic.text.REQUEST_SCRIPTS` entry, the first being the
``subject`` persona's deletion request 930 days before ``now``, plus every ticket of the
random "privacy" topic (kind ``privacy``: its title and message are drawn separately).
``dataset.decoys`` lists tickets of ordinary support worded like a request (``DECOY_SCRIPTS``:
"How do I export my invoices?"); ``planted["deletion_request_ticket"]`` is the persona's.

Personas (``dataset.personas``, user ids that tests rely on):

- ``admin`` (2): the admin agent; ``agent`` (3): an agent owning tickets, all groups.
- ``subject``: customer of four tickets, with an attachment on their own ticket; their address
  is in ``from`` of one article, ``to`` of one and ``cc`` of one on three OTHER customers'
  tickets (``planted["subject_from_article"]``, ``["subject_to_article"]``,
  ``["subject_cc_article"]``), and an internal note on a fourth ticket names them and their
  phone in its body only (``planted["subject_mention_article"]``).
- ``sole_member``: the only member of an organisation (``planted["sole_org"]``) with two
  tickets of theirs, plus one more ticket of that organisation whose customer
  (``personas["former_member"]``) has since left it: deleting the person with
  ``delete_organization`` also deletes that ticket.
- ``org_member``: a customer of an organisation with several members, with tickets.
- ``customer``: the customer token's user: three tickets, one with an internal note.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mimoto_gov.sandbox.synthetic.model import (  # noqa: F401 (re-exported)
    ARTICLE_HISTORY_ID_BASE,
    ARTICLE_TYPE_IDS,
    ARTICLE_TYPES,
    DAY_MS,
    EXTRA_TAGS,
    GROUPS,
    MAX_TICKETS,
    MIN_TICKETS,
    PERSONAL_DOMAINS,
    PRIORITIES,
    ROLES,
    SENDER_IDS,
    SENDERS,
    STATES,
    SUPPORT_ADDRESS,
    TYPE_IDS,
    PlantedPII,
    ZammadDataset,
    article_history_entry,
    history_entry,
    iso_ms,
    iso_now,
    luhn_card,
    ni_number,
    parse_iso,
    pdf_bytes,
    png_bytes,
    text_to_html,
    uk_date,
    uk_iban,
)
from mimoto_gov.sandbox.synthetic.tickets import Builder


def make_dataset(
    seed: int = 7,
    tickets: int = 300,
    now: datetime | None = None,
    *,
    articles_per_ticket: int = 3,
) -> ZammadDataset:
    """Build the synthetic Zammad inventory.

    Args:
        seed: seeds Faker and the random generator; same arguments, same data.
        tickets: how many tickets (at least 40, so every planted item has a home).
        now: the moment the data is "as of"; tickets lie in the ten years before it. Defaults
            to today 00:00 UTC, so runs on the same day agree.
        articles_per_ticket: the mean number of articles per ticket (at least 1).

    Returns:
        The dataset, described in this module's docstring.

    Raises:
        ValueError: when ``tickets`` is out of range or ``articles_per_ticket`` too small.

    """
    if tickets < MIN_TICKETS:
        raise ValueError(f"tickets must be at least {MIN_TICKETS}, got {tickets}")
    if tickets > MAX_TICKETS:
        raise ValueError(f"tickets must be at most {MAX_TICKETS:,}, got {tickets}")
    if articles_per_ticket < 1:
        raise ValueError(f"articles_per_ticket must be at least 1, got {articles_per_ticket}")
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)

    return Builder(seed, tickets, now.astimezone(UTC), articles_per_ticket).build()
