"""A deterministic synthetic Zammad inventory for the demo, the tests and the benchmarks.

:func:`make_dataset` builds the server-side state of a small UK company's service desk with
Faker's ``en_GB`` locale and one seeded :class:`random.Random`: the same arguments give
identical data. Records are dicts keyed by int id, in the column shapes Zammad stores and
renders (zammad-api.md §3.2-3.6); timestamps are ISO-8601 strings with milliseconds and ``Z``
(as the API sends them) and ticket ``number`` is a string. The local sandbox
(:mod:`mimoto_gov.zammad.sandbox`) serves this state over HTTP.

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

import hashlib
import html
import random
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from faker import Faker
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from mimoto_gov import synthetic_text as text

DAY_MS = 86_400_000
SUPPORT_ADDRESS = "Mimoto Support <support@mimoto.example>"
PERSONAL_DOMAINS = ("example.com", "example.org", "example.net")
MIN_TICKETS = 40

STATES = {
    1: "new",
    2: "open",
    3: "pending reminder",
    4: "closed",
    5: "merged",
    6: "removed",
    7: "pending close",
}
PRIORITIES = {1: "1 low", 2: "2 normal", 3: "3 high"}
ARTICLE_TYPES = {
    1: "email",
    2: "sms",
    3: "chat",
    4: "fax",
    5: "phone",
    6: "twitter status",
    7: "twitter direct-message",
    8: "facebook feed post",
    9: "facebook feed comment",
    10: "note",
    11: "web",
    12: "telegram personal-message",
}
TYPE_IDS = {name: type_id for type_id, name in ARTICLE_TYPES.items()}
SENDERS = {1: "Agent", 2: "Customer", 3: "System"}
SENDER_IDS = {name: sender_id for sender_id, name in SENDERS.items()}
GROUPS = {1: "Support", 2: "Sales", 3: "Billing"}
ROLES = {
    1: ("Admin", ["admin", "user_preferences", "report"]),
    2: ("Agent", ["ticket.agent", "chat.agent", "cti.agent", "user_preferences"]),
    3: ("Customer", ["ticket.customer", "user_preferences"]),
}
EXTRA_TAGS = ("urgent", "follow-up", "vip")
# History ids of derived article entries start here, above any stored entry's id.
ARTICLE_HISTORY_ID_BASE = 1_000_000_000


@dataclass(frozen=True)
class PlantedPII:
    """One piece of personal data deliberately written into an article body."""

    kind: str  # card, ni, iban, phone, postcode
    value: str
    ticket_id: int
    article_id: int


@dataclass
class ZammadDataset:
    """The server-side state of a Zammad instance, as dicts keyed by int id.

    The sandbox serves (and mutates) this object directly; tests read it as the truth.
    """

    seed: int
    now: datetime
    organizations: dict[int, dict] = field(default_factory=dict)
    users: dict[int, dict] = field(default_factory=dict)
    tickets: dict[int, dict] = field(default_factory=dict)
    articles: dict[int, dict] = field(default_factory=dict)
    attachments: dict[int, dict] = field(default_factory=dict)
    history: dict[int, list[dict]] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=dict)
    personas: dict[str, int] = field(default_factory=dict)
    planted: dict[str, int] = field(default_factory=dict)
    pii: list[PlantedPII] = field(default_factory=list)
    groups: dict[int, dict] = field(default_factory=dict)
    roles: dict[int, dict] = field(default_factory=dict)
    states: dict[int, dict] = field(default_factory=dict)
    priorities: dict[int, dict] = field(default_factory=dict)
    article_types: dict[int, dict] = field(default_factory=dict)
    article_senders: dict[int, dict] = field(default_factory=dict)
    jobs: dict[int, dict] = field(default_factory=dict)
    data_privacy_tasks: dict[int, dict] = field(default_factory=dict)

    def articles_of(self, ticket_id: int) -> list[dict]:
        """Return a ticket's articles ordered by ``created_at`` then id (a linear scan)."""
        found = [a for a in self.articles.values() if a["ticket_id"] == ticket_id]
        return sorted(found, key=lambda a: (a["created_at"], a["id"]))

    def attachments_of(self, article_id: int) -> list[dict]:
        """Return an article's attachments ordered by id (a linear scan)."""
        found = [a for a in self.attachments.values() if a["article_id"] == article_id]
        return sorted(found, key=lambda a: a["id"])

    def ticket_history(self, ticket_id: int, articles: list[dict] | None = None) -> list[dict]:
        """Return the ticket's history entries as Zammad lists them, nulls included.

        Args:
            ticket_id: the ticket.
            articles: the ticket's articles, when the caller already has them.

        Returns:
            The stored ticket-level entries plus one ``created`` entry per article, ordered
            by ``created_at`` then id.

        """
        if articles is None:
            articles = self.articles_of(ticket_id)
        entries = list(self.history.get(ticket_id, ()))
        entries.extend(article_history_entry(article) for article in articles)
        return sorted(entries, key=lambda e: (e["created_at"], e["id"]))

    def state_name(self, state_id: int) -> str:
        """Return a ticket state's name."""
        return self.states[state_id]["name"]

    def group_name(self, group_id: int) -> str:
        """Return a group's name."""
        return self.groups[group_id]["name"]

    def priority_name(self, priority_id: int) -> str:
        """Return a ticket priority's name."""
        return self.priorities[priority_id]["name"]

    def user_by_email(self, email: str) -> list[dict]:
        """Return the users whose email matches, ignoring case."""
        wanted = email.strip().lower()
        return [u for u in self.users.values() if (u.get("email") or "").lower() == wanted]


def history_entry(
    entry_id: int,
    *,
    o_id: int,
    object_name: str,
    type_name: str,
    created_by_id: int,
    created_at: str,
    attribute: str | None = None,
    value_from: str | None = None,
    value_to: str | None = None,
    id_from: int | None = None,
    id_to: int | None = None,
    related_o_id: int | None = None,
    related_object: str | None = None,
) -> dict:
    """Build one history entry with every key Zammad's History.list can send."""
    return {
        "id": entry_id,
        "o_id": o_id,
        "object": object_name,
        "type": type_name,
        "attribute": attribute,
        "value_from": value_from,
        "value_to": value_to,
        "id_from": id_from,
        "id_to": id_to,
        "related_o_id": related_o_id,
        "related_object": related_object,
        "created_by_id": created_by_id,
        "created_at": created_at,
        "sourceable_type": None,
        "sourceable_id": None,
        "sourceable_name": None,
    }


def article_history_entry(article: dict) -> dict:
    """Return the history entry Zammad records when an article is created."""
    return history_entry(
        ARTICLE_HISTORY_ID_BASE + article["id"],
        o_id=article["id"],
        object_name="Ticket::Article",
        type_name="created",
        created_by_id=article["created_by_id"],
        created_at=article["created_at"],
        related_o_id=article["ticket_id"],
        related_object="Ticket",
    )


def iso_ms(ms: int) -> str:
    """Format epoch milliseconds as Zammad does: ISO-8601 UTC with milliseconds and ``Z``."""
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def iso_now() -> str:
    """Return the wall-clock time in Zammad's timestamp format."""
    return iso_ms(int(datetime.now(UTC).timestamp() * 1000))


def parse_iso(value: str) -> datetime:
    """Parse a Zammad timestamp (or any ISO-8601 string) into an aware UTC datetime."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def luhn_card(rng: random.Random) -> str:
    """Return a Luhn-valid 16-digit Visa-style card number, grouped in fours."""
    digits = "4" + "".join(str(rng.randrange(10)) for _ in range(14))
    digits += luhn.calc_check_digit(digits)
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def ni_number(rng: random.Random) -> str:
    """Return a National Insurance number that follows HMRC's allocation rules."""
    first_letters = "ABCEGHJKLMNOPRSTWXYZ"  # never D F I Q U V
    second_letters = "ABCEGHJKLMNPRSTWXYZ"  # also never O
    banned = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
    while True:
        prefix = rng.choice(first_letters) + rng.choice(second_letters)
        if prefix not in banned:
            break
    digits = f"{rng.randrange(1_000_000):06d}"
    return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {rng.choice('ABCD')}"


def uk_iban(rng: random.Random) -> str:
    """Return a valid UK IBAN (check digits by ISO 7064 mod 97-10), grouped in fours."""
    bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    rest = bank + "".join(str(rng.randrange(10)) for _ in range(14))
    check = mod_97_10.calc_check_digits(rest + "GB")
    number = f"GB{check}{rest}"
    assert stdnum_iban.is_valid(number)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _png(rng: random.Random) -> bytes:
    """Return a tiny valid 4x4 PNG of one random colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    colour = bytes(rng.randrange(256) for _ in range(3))
    raw = b"".join(b"\x00" + colour * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _pdf(lines: list[str]) -> bytes:
    """Return a small one-page PDF showing ``lines``."""
    stream = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def _to_html(body: str) -> str:
    """Render a plain-text body as the simple HTML an email client would send."""
    paragraphs = body.split("\n\n")
    inner = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return f"<div>{inner}</div>"


def _uk_date(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment.day} {moment:%B %Y}"


@dataclass
class _Spec:
    """A ticket to build: who, when, what about, and what to plant in it."""

    customer_id: int
    created_ms: int
    topic: str
    organization_id: int | None = None
    plants: list[str] = field(default_factory=list)
    articles: int | None = None
    internal_note: bool = False
    attachment: bool = False


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
        ValueError: when ``tickets`` or ``articles_per_ticket`` is too small.

    """
    if tickets < MIN_TICKETS:
        raise ValueError(f"tickets must be at least {MIN_TICKETS}, got {tickets}")
    if articles_per_ticket < 1:
        raise ValueError(f"articles_per_ticket must be at least 1, got {articles_per_ticket}")
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return _Builder(seed, tickets, now.astimezone(UTC), articles_per_ticket).build()


class _Builder:
    """Builds one dataset; every random choice comes from ``self.rng`` in a fixed order."""

    def __init__(self, seed: int, tickets: int, now: datetime, articles_per_ticket: int):
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.n_tickets = tickets
        self.apt = articles_per_ticket
        self.now_ms = int(now.timestamp() * 1000)
        self.ds = ZammadDataset(seed=seed, now=now)
        self.emails: set[str] = set()
        self.history_id = 0
        self.article_id = 0
        self.attachment_id = 0
        self.agents: list[int] = []
        self.regular: list[int] = []  # customers that get random tickets
        self.org_members: dict[int, list[int]] = {}
        self.user_phone: dict[int, str] = {}
        self._pools()

    # -- pools and lookups -------------------------------------------------------------

    def _pools(self) -> None:
        fake = self.fake
        self.first_names = sorted({fake.first_name() for _ in range(600)})
        self.last_names = sorted({fake.last_name() for _ in range(800)})
        self.streets = [fake.street_address() for _ in range(300)]
        self.cities = [fake.city() for _ in range(150)]
        self.postcodes = [fake.postcode() for _ in range(600)]
        self.phones = [fake.phone_number() for _ in range(400)]

    def _lookups(self) -> None:
        ds, epoch = self.ds, iso_ms(self.now_ms - 3660 * DAY_MS)
        stamp = {"created_at": epoch, "updated_at": epoch, "created_by_id": 1, "updated_by_id": 1}
        ds.states = {i: {"id": i, "name": n, "active": i != 6, **stamp} for i, n in STATES.items()}
        ds.priorities = {
            i: {"id": i, "name": n, "active": True, **stamp} for i, n in PRIORITIES.items()
        }
        ds.article_types = {
            i: {"id": i, "name": n, "communication": i != 10, "active": True}
            for i, n in ARTICLE_TYPES.items()
        }
        ds.article_senders = {i: {"id": i, "name": n} for i, n in SENDERS.items()}
        ds.groups = {
            i: {"id": i, "name": n, "active": True, "email_address_id": 1, "note": "", **stamp}
            for i, n in GROUPS.items()
        }
        ds.roles = {
            i: {"id": i, "name": n, "permissions": p, "active": True, **stamp}
            for i, (n, p) in ROLES.items()
        }
        ds.jobs = {
            1: {
                "id": 1,
                "name": "Close pending tickets after 14 days",
                "object": "Ticket",
                "timeplan": {"days": {"Mon": True}, "hours": {"2": True}, "minutes": {"0": True}},
                "condition": {"ticket.state_id": {"operator": "is", "value": ["7"]}},
                "perform": {"ticket.state_id": {"value": "4"}},
                "disable_notification": True,
                "note": "",
                "active": True,
                "last_run_at": iso_ms(self.now_ms - 3 * DAY_MS),
                "next_run_at": iso_ms(self.now_ms + 4 * DAY_MS),
                "running": False,
                "processed": 0,
                "matching": 0,
                "pid": "",
                "result": {},
                **stamp,
                "created_by_id": 2,
                "updated_by_id": 2,
            }
        }

    # -- people --------------------------------------------------------------------------

    def _unique_email(self, first: str, last: str, domain: str) -> str:
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = f"{base}@{domain}"
        number = 2
        while email in self.emails:
            email = f"{base}{number}@{domain}"
            number += 1
        self.emails.add(email)
        return email

    def _user(self, user_id: int, first: str, last: str, email: str, **extra) -> dict:
        created = extra.pop("created_ms", self.now_ms - 3650 * DAY_MS)
        user = {
            "id": user_id,
            "organization_id": None,
            "login": email.lower(),
            "firstname": first,
            "lastname": last,
            "email": email,
            "image": None,
            "image_source": None,
            "web": "",
            "phone": "",
            "fax": "",
            "mobile": "",
            "department": None,
            "street": "",
            "zip": "",
            "city": "",
            "country": "",
            "address": "",
            "vip": False,
            "verified": False,
            "active": True,
            "note": "",
            "last_login": None,
            "source": None,
            "login_failed": 0,
            "out_of_office": False,
            "out_of_office_start_at": None,
            "out_of_office_end_at": None,
            "out_of_office_replacement_id": None,
            "preferences": {"locale": "en-gb"},
            "updated_by_id": 1,
            "created_by_id": 1,
            "created_at": iso_ms(created),
            "updated_at": iso_ms(created),
            "role_ids": [3],
            "organization_ids": [],
            "group_ids": {},
        }
        user.update(extra)
        self.ds.users[user_id] = user
        return user

    def _staff(self) -> None:
        self._user(1, "-", "", "", login="-", active=False, preferences={})
        all_groups = {str(g): ["full"] for g in GROUPS}
        for user_id in range(2, 9):
            first = self.rng.choice(self.first_names)
            last = self.rng.choice(self.last_names)
            email = self._unique_email(first, last, "mimoto.example")
            groups = all_groups
            if user_id > 3:
                picked = sorted(self.rng.sample(list(GROUPS), self.rng.randint(1, 3)))
                groups = {str(g): ["full"] for g in picked}
            self._user(
                user_id,
                first,
                last,
                email,
                role_ids=[1, 2] if user_id == 2 else [2],
                group_ids=groups,
                last_login=iso_ms(self.now_ms - self.rng.randrange(DAY_MS, 20 * DAY_MS)),
                verified=True,
                updated_by_id=2,
                created_by_id=1 if user_id == 2 else 2,
            )
            if user_id > 2:
                self.agents.append(user_id)
        self.ds.personas["admin"] = 2
        self.ds.personas["agent"] = 3

    def _organization(self, org_id: int, name: str) -> None:
        slug = "".join(c for c in name.lower() if c.isalnum())[:24] or f"org{org_id}"
        created = self.now_ms - self.rng.randrange(400 * DAY_MS, 3600 * DAY_MS)
        self.ds.organizations[org_id] = {
            "id": org_id,
            "name": name,
            "shared": True,
            "domain": f"{slug}.example",
            "domain_assignment": False,
            "active": True,
            "vip": self.rng.random() < 0.05,
            "note": "",
            "updated_by_id": 2,
            "created_by_id": 2,
            "created_at": iso_ms(created),
            "updated_at": iso_ms(created + self.rng.randrange(0, 300 * DAY_MS)),
        }
        self.org_members[org_id] = []

    def _customer(self, user_id: int, org_id: int | None, **extra) -> dict:
        rng = self.rng
        first = rng.choice(self.first_names)
        last = rng.choice(self.last_names)
        domain = self.ds.organizations[org_id]["domain"] if org_id else rng.choice(PERSONAL_DOMAINS)
        email = self._unique_email(first, last, domain)
        fields: dict = {"organization_id": org_id}
        if rng.random() < 0.6:
            fields["phone"] = rng.choice(self.phones)
        if rng.random() < 0.3:
            fields["mobile"] = f"07700 900{rng.randrange(1000):03d}"
        if rng.random() < 0.35:
            street, city = rng.choice(self.streets), rng.choice(self.cities)
            fields["address"] = f"{street}\n{city} {rng.choice(self.postcodes)}"
            fields["preferences"] = {
                "locale": "en-gb",
                "lat": round(rng.uniform(50.2, 55.8), 7),
                "lng": round(rng.uniform(-4.5, 0.9), 7),
            }
        elif rng.random() < 0.2:
            fields.update(
                street=rng.choice(self.streets),
                city=rng.choice(self.cities),
                zip=rng.choice(self.postcodes),
                country="United Kingdom",
            )
        if rng.random() < 0.2:
            fields["image"] = hashlib.md5(email.encode()).hexdigest()  # noqa: S324 (avatar id)
        fields.update(extra)
        user = self._user(user_id, first, last, email, **fields)
        if org_id:
            self.org_members[org_id].append(user_id)
        self.user_phone[user_id] = user["phone"] or user["mobile"] or rng.choice(self.phones)
        return user

    def _people(self) -> int:
        rng, fake = self.rng, self.fake
        n_orgs = max(6, self.n_tickets // 20)
        names: set[str] = set()
        for org_id in range(1, n_orgs + 1):
            name = fake.company()
            while name in names:
                name = f"{fake.company()} ({rng.choice(self.cities)})"
            names.add(name)
            self._organization(org_id, name)
        n_customers = max(30, self.n_tickets // 3 + 10)
        next_id = 9
        for _ in range(n_customers):
            org_id = rng.randint(1, n_orgs) if rng.random() < 0.55 else None
            self._customer(next_id, org_id)
            self.regular.append(next_id)
            next_id += 1
        return next_id

    def _special_people(self, next_id: int) -> int:
        """Create the personas and planted users; returns the next free user id."""
        ds, rng = self.ds, self.rng
        personas = ds.personas

        def take(name: str, org_id: int | None = None, **extra) -> int:
            nonlocal next_id
            self._customer(next_id, org_id, **extra)
            personas[name] = next_id
            next_id += 1
            return next_id - 1

        take("subject", None, phone=rng.choice(self.phones))
        take("customer", rng.randint(1, len(ds.organizations)))
        sole_org = max(ds.organizations) + 1
        self._organization(sole_org, f"{rng.choice(self.last_names)} Consulting Ltd")
        ds.planted["sole_org"] = sole_org
        take("sole_member", sole_org)
        take("former_member", None)
        # an organisation with several members: use the best-populated one
        shared_org = max(self.org_members, key=lambda o: (len(self.org_members[o]), -o))
        if len(self.org_members[shared_org]) < 2:
            self._customer(next_id, shared_org)
            self.regular.append(next_id)
            next_id += 1
        take("org_member", shared_org)
        for index in range(4):
            old = self.now_ms - rng.randrange(2000 * DAY_MS, 3400 * DAY_MS)
            extra = {"active": index % 2 == 1, "created_ms": old}
            take("dormant" if index == 0 else f"dormant_{index + 1}", None, **extra)
        for index in range(4):
            take("no_tickets" if index == 0 else f"no_tickets_{index + 1}", None)
        dup_a = take("duplicate_a", None)
        dup_b = take("duplicate_b", None)
        first, last = ds.users[dup_a]["firstname"], ds.users[dup_a]["lastname"]
        email = ds.users[dup_a]["email"]
        mixed = email.split("@")[0].title() + "@" + email.split("@")[1].title()
        ds.users[dup_b].update(
            firstname=first, lastname=last, email=mixed, login=f"{first}.{last}.{dup_b}".lower()
        )
        hostile = take("formula_user", None)
        ds.users[hostile]["lastname"] = "@SUM(1+1)*cmd|' /C calc'!A0"
        ds.planted["formula_user"] = hostile
        return next_id

    # -- tickets ---------------------------------------------------------------------------

    def _random_time(self) -> int:
        rng = self.rng
        if rng.random() < 0.08:
            return self.now_ms - rng.randrange(DAY_MS // 2, 60 * DAY_MS)
        span = 3650 * DAY_MS - 60 * DAY_MS
        return self.now_ms - 60 * DAY_MS - int(span * rng.random() ** 1.3)

    def _specs(self) -> list[_Spec]:
        rng, ds, personas = self.rng, self.ds, self.ds.personas
        topics = sorted(text.TOPICS)
        specs: list[_Spec] = []
        day = DAY_MS

        def spec(customer: int, age_days: float, topic: str, **extra) -> _Spec:
            created = self.now_ms - int(age_days * day) - rng.randrange(3_600_000)
            item = _Spec(customer, created, topic, **extra)
            specs.append(item)
            return item

        subject = personas["subject"]
        spec(subject, 20, "bug", attachment=True)
        spec(subject, 210, "invoice")
        spec(subject, 520, "delivery")
        spec(subject, 930, "privacy")
        spec(personas["customer"], 12, "login", internal_note=True, articles=3)
        spec(personas["customer"], 150, "payment")
        spec(personas["customer"], 800, "feature")
        spec(personas["sole_member"], 40, "invoice")
        spec(personas["sole_member"], 700, "refund")
        org = ds.planted["sole_org"]
        spec(personas["former_member"], 1500, "bug", organization_id=org)
        spec(personas["org_member"], 90, "complaint")
        for name, user_id in list(personas.items()):
            if name.startswith("dormant"):
                spec(user_id, rng.uniform(1900, 3300), rng.choice(topics))
            elif name.startswith("duplicate") or name == "formula_user":
                spec(user_id, rng.uniform(100, 1500), rng.choice(topics))
        weights = [1.0 / (1 + i) ** 0.6 for i in range(len(self.regular))]
        regular_count = self.n_tickets - len(specs)
        customers = rng.choices(self.regular, weights=weights, k=regular_count)
        for customer in customers:
            specs.append(_Spec(customer, self._random_time(), rng.choice(topics)))
        plants = [
            "script_ticket",
            "formula_ticket",
            "onerror_article",
            "inline_image_article",
            "card_article",
            "card_article",
            "ni_article",
            "ni_article",
            "iban_article",
            "iban_article",
            "phone_article",
            "postcode_article",
            "phone_article",
            "postcode_article",
            "subject_from_article",
            "subject_to_article",
            "subject_cc_article",
            "subject_mention_article",
        ]
        hosts = rng.sample(specs[len(specs) - regular_count :], len(plants))
        for host, plant in zip(hosts, plants, strict=True):
            host.plants.append(plant)
        specs.sort(key=lambda s: s.created_ms)
        return specs

    def _fill(self, spec: _Spec, agent: int) -> dict:
        rng, user = self.rng, self.ds.users[spec.customer_id]
        address = user["address"].split("\n") if user["address"] else []
        street = address[0] if address else rng.choice(self.streets)
        return {
            "cust_first": user["firstname"],
            "cust_name": f"{user['firstname']} {user['lastname']}",
            "agent_first": self.ds.users[agent]["firstname"],
            "order": f"MIM-{rng.randrange(100000, 999999)}",
            "invoice": f"INV-{rng.randrange(10000, 99999)}",
            "amount": f"£{rng.randrange(5, 900)}.{rng.randrange(100):02d}",
            "date": _uk_date(spec.created_ms - rng.randrange(0, 20 * DAY_MS)),
            "product": rng.choice(text.PRODUCTS),
            "street": street,
            "city": rng.choice(self.cities),
            "postcode": rng.choice(self.postcodes),
        }

    def _pii_value(self, kind: str) -> str:
        if kind == "card":
            return luhn_card(self.rng)
        if kind == "ni":
            return ni_number(self.rng)
        if kind == "iban":
            return uk_iban(self.rng)
        if kind == "phone":
            return self.rng.choice(self.phones)
        return self.rng.choice(self.postcodes)

    def _display(self, user_id: int) -> str:
        user = self.ds.users[user_id]
        return f"{user['firstname']} {user['lastname']} <{user['email']}>"

    def _article(self, ticket_id: int, ms: int, **fields) -> dict:
        self.article_id += 1
        article_id = self.article_id
        kind = fields.pop("type")
        sender = fields.pop("sender")
        message_id = None
        if kind == "email":
            message_id = f"<{ms}.{article_id}@mail.mimoto.example>"
        article = {
            "id": article_id,
            "ticket_id": ticket_id,
            "type_id": TYPE_IDS[kind],
            "sender_id": SENDER_IDS[sender],
            "from": None,
            "to": None,
            "cc": None,
            "subject": None,
            "reply_to": None,
            "message_id": message_id,
            "message_id_md5": hashlib.md5(message_id.encode()).hexdigest() if message_id else None,  # noqa: S324
            "in_reply_to": None,
            "content_type": "text/plain",
            "references": None,
            "body": "",
            "internal": False,
            "preferences": {},
            "updated_by_id": 1,
            "created_by_id": 1,
            "origin_by_id": None,
            "created_at": iso_ms(ms),
            "updated_at": iso_ms(ms),
            "type": kind,
            "sender": sender,
        }
        article.update(fields)
        article["updated_by_id"] = article["created_by_id"]
        self.ds.articles[article_id] = article
        return article

    def _attach(self, article: dict, kind: str, fill: dict, *, inline: bool = False) -> dict:
        rng = self.rng
        self.attachment_id += 1
        if kind == "png":
            content, ctype, name = _png(rng), "image/png", "screenshot.png"
        elif kind == "pdf":
            lines = ["Mimoto Ltd", f"Invoice {fill['invoice']}", f"Total {fill['amount']}"]
            content = _pdf([line.replace("£", "GBP ") for line in lines])
            ctype, name = "application/pdf", f"invoice-{fill['invoice'].lower()}.pdf"
        else:
            content = rng.choice(text.ATTACHMENT_TEXTS).format(**fill).encode()
            ctype, name = "text/plain", rng.choice(("error-log.txt", "notes.txt", "details.txt"))
        preferences = {"Content-Type": ctype, "Mime-Type": ctype}
        if inline:
            preferences["Content-ID"] = f"image{self.attachment_id}@mail.mimoto.example"
            preferences["Content-Disposition"] = "inline"
            name = f"image{self.attachment_id}.png"
        attachment = {
            "id": self.attachment_id,
            "article_id": article["id"],
            "ticket_id": article["ticket_id"],
            "filename": name,
            "size": len(content),
            "content_type": ctype,
            "content": content,
            "preferences": preferences,
            "created_at": article["created_at"],
        }
        self.ds.attachments[self.attachment_id] = attachment
        return attachment

    def _customer_body(self, opening: str, fill: dict, pii: list[tuple[str, str]], user_id: int):
        lines = [opening.format(**fill)]
        lines.extend(text.PII_SENTENCES[kind].format(value=value) for kind, value in pii)
        sign = f"{self.rng.choice(text.CUSTOMER_SIGN_OFFS)},\n{fill['cust_name']}"
        if self.rng.random() < 0.12:
            sign += f"\n{self.user_phone[user_id]}"
        return "\n\n".join([*lines, sign])

    def _ticket(self, ticket_id: int, spec: _Spec) -> None:  # noqa: C901 (one ticket's story)
        rng, ds = self.rng, self.ds
        customer = spec.customer_id
        topic = text.TOPICS[spec.topic]
        agent = rng.choice(self.agents)
        fill = self._fill(spec, agent)
        title = rng.choice(topic["titles"]).format(**fill)
        if "script_ticket" in spec.plants:
            title = "<script>alert(1)</script>"
            ds.planted["script_ticket"] = ticket_id
        if "formula_ticket" in spec.plants:
            title = '=HYPERLINK("http://example.com/claim","Claim your refund")'
            ds.planted["formula_ticket"] = ticket_id
        count = spec.articles or rng.randint(1, 2 * self.apt - 1)
        age = self.now_ms - spec.created_ms
        limit = self.now_ms - 60_000
        ms = spec.created_ms
        articles: list[dict] = []
        channel = rng.choices(("email", "phone", "web"), weights=(65, 15, 20))[0]
        if {"onerror_article", "inline_image_article"} & set(spec.plants):
            channel = "email"
        # planted personal data goes into the customer's first message
        pii = [
            (kind, self._pii_value(kind))
            for plant in spec.plants
            if plant.endswith("_article")
            and (kind := plant.removesuffix("_article")) in text.PII_SENTENCES
        ]
        if not pii and rng.random() < 0.03:
            kind = rng.choice(("card", "ni", "iban", "phone", "postcode"))
            pii.append((kind, self._pii_value(kind)))
        customer_display = self._display(customer)
        if channel == "phone":
            body = rng.choice(text.PHONE_SUMMARIES).format(**fill)
            for kind, value in pii:
                body += '\n\nCaller said: "' + text.PII_SENTENCES[kind].format(value=value) + '"'
            first = self._article(
                ticket_id, ms, type="phone", sender="Customer", created_by_id=agent
            )
            first.update({"from": customer_display, "to": "", "subject": title, "body": body})
        else:
            body = self._customer_body(rng.choice(topic["openings"]), fill, pii, customer)
            html_body = channel == "web" or rng.random() < 0.3
            first = self._article(
                ticket_id,
                ms,
                type=channel,
                sender="Customer",
                created_by_id=customer,
                content_type="text/html" if html_body else "text/plain",
            )
            first.update(
                {
                    "from": customer_display,
                    "to": SUPPORT_ADDRESS if channel == "email" else "Support",
                    "subject": title,
                    "body": _to_html(body) if html_body else body,
                }
            )
            if "onerror_article" in spec.plants:
                first["content_type"] = "text/html"
                first["body"] = (
                    _to_html(body)[:-6] + "<p>Screenshot: <img src=x onerror=alert(1)></p></div>"
                )
                ds.planted["onerror_article"] = first["id"]
            if spec.attachment or rng.random() < (0.35 if spec.topic == "bug" else 0.08):
                self._attach(first, rng.choice(("png", "txt", "pdf")), fill)
            if "inline_image_article" in spec.plants:
                first["content_type"] = "text/html"
                attachment = self._attach(first, "png", fill, inline=True)
                cid = attachment["preferences"]["Content-ID"]
                first["body"] = _to_html(body)[:-6] + f'<p><img src="cid:{cid}"></p></div>'
                ds.planted["inline_image_article"] = first["id"]
                ds.planted["inline_attachment"] = attachment["id"]
        for kind, value in pii:
            ds.pii.append(PlantedPII(kind, value, ticket_id, first["id"]))
            ds.planted.setdefault(f"{kind}_article", first["id"])
        articles.append(first)
        if channel == "email" and rng.random() < 0.25:
            ms = min(limit, ms + rng.randrange(5_000, 60_000))
            auto = self._article(ticket_id, ms, type="email", sender="System", created_by_id=1)
            auto.update(
                {
                    "from": SUPPORT_ADDRESS,
                    "to": customer_display,
                    "subject": f"[Ticket#{31000 + ticket_id}] {title}",
                    "body": text.SYSTEM_REPLY,
                }
            )
            articles.append(auto)
        gap = DAY_MS if age > 60 * DAY_MS else DAY_MS // 4
        for index in range(1, count):
            ms = min(limit, ms + int(rng.expovariate(1 / gap)) + 60_000)
            if index % 2 == 1 and (rng.random() < 0.22 or (spec.internal_note and index == 1)):
                note = self._article(
                    ticket_id,
                    ms,
                    type="note",
                    sender="Agent",
                    internal=True,
                    created_by_id=agent,
                    content_type="text/html",
                )
                note.update(
                    {
                        "from": f"{ds.users[agent]['firstname']} {ds.users[agent]['lastname']}",
                        "to": "",
                        "cc": "",
                        "body": _to_html(rng.choice(text.NOTES).format(**fill)),
                    }
                )
                articles.append(note)
            elif index % 2 == 1:
                reply = self._article(
                    ticket_id, ms, type="email", sender="Agent", created_by_id=agent
                )
                reply.update(
                    {
                        "from": f"{ds.users[agent]['firstname']} {ds.users[agent]['lastname']} "
                        "via Mimoto Support <support@mimoto.example>",
                        "to": customer_display,
                        "subject": f"RE: {title}",
                        "body": rng.choice(text.AGENT_REPLIES).format(**fill),
                    }
                )
                if rng.random() < 0.04:
                    self._attach(reply, "pdf", fill)
                articles.append(reply)
            else:
                follow = self._article(
                    ticket_id, ms, type="email", sender="Customer", created_by_id=customer
                )
                body = rng.choice(text.CUSTOMER_FOLLOW_UPS).format(**fill)
                follow.update(
                    {
                        "from": customer_display,
                        "to": SUPPORT_ADDRESS,
                        "subject": f"Re: {title}",
                        "body": f"{body}\n\n{fill['cust_name']}",
                    }
                )
                if rng.random() < 0.06:
                    self._attach(follow, rng.choice(("png", "txt")), fill)
                articles.append(follow)
        if "formula_ticket" in spec.plants:
            ds.planted["formula_article"] = articles[0]["id"]
        for plant in spec.plants:
            if plant.startswith("subject_"):
                ms = min(limit, ms + rng.randrange(3_600_000, 3 * DAY_MS))
                articles.append(
                    self._subject_article(plant, spec, ticket_id, ms, fill, title, agent)
                )
        self._ticket_record(ticket_id, spec, title, agent, articles)

    def _subject_article(
        self, plant: str, spec: _Spec, ticket_id: int, ms: int, fill: dict, title: str, agent: int
    ) -> dict:
        customer_id = spec.customer_id
        ds = self.ds
        subject = ds.personas["subject"]
        person = ds.users[subject]
        name = f"{person['firstname']} {person['lastname']}"
        agent_name = f"{ds.users[agent]['firstname']} {ds.users[agent]['lastname']}"
        if plant == "subject_from_article":
            article = self._article(
                ticket_id, ms, type="email", sender="Customer", created_by_id=subject
            )
            body = (
                f"Hello,\n\nI am writing on behalf of my colleague {fill['cust_name']} about "
                f"this ticket. Please copy me on replies.\n\nRegards,\n{name}"
            )
            article.update({"from": self._display(subject), "to": SUPPORT_ADDRESS, "body": body})
        elif plant == "subject_mention_article":
            article = self._article(
                ticket_id, ms, type="note", sender="Agent", internal=True, created_by_id=agent
            )
            body = (
                f"Spoke to {name} on {self.user_phone[subject]}, who confirmed the order "
                f"{fill['order']} for {fill['cust_name']}."
            )
            article.update({"from": agent_name, "to": "", "cc": "", "body": body})
        else:
            article = self._article(
                ticket_id, ms, type="email", sender="Agent", created_by_id=agent
            )
            customer = self._display(customer_id)
            to = (
                f"{customer}, {self._display(subject)}"
                if plant == "subject_to_article"
                else customer
            )
            article.update(
                {
                    "from": f"{agent_name} via Mimoto Support <support@mimoto.example>",
                    "to": to,
                    "cc": self._display(subject) if plant == "subject_cc_article" else None,
                    "body": text.AGENT_REPLIES[0].format(**fill),
                }
            )
        article["subject"] = article["subject"] or (
            None if article["type"] == "note" else f"RE: {title}"
        )
        ds.planted[plant] = article["id"]
        return article

    def _ticket_record(
        self, ticket_id: int, spec: _Spec, title: str, agent: int, articles: list[dict]
    ) -> None:
        rng, ds = self.rng, self.ds
        first, last = articles[0], articles[-1]
        last_ms = max(a["created_at"] for a in articles)
        agent_articles = [a for a in articles if a["sender"] == "Agent"]
        public = [a for a in articles if not a["internal"]]
        replies = [a for a in public if a["sender"] == "Agent"]
        customer_said = [a for a in public if a["sender"] == "Customer"]
        age = self.now_ms - spec.created_ms
        if age > 30 * DAY_MS:
            state = rng.choices((4, 5, 2), weights=(92, 3, 5))[0]
        else:
            state = rng.choices((1, 2, 3, 4), weights=(25, 35, 15, 25))[0]
        if state == 1 and agent_articles:
            state = 2
        owner = agent if (agent_articles or state != 1) else 1
        close_at = None
        updated = last_ms
        if state in (4, 5):
            close_ms = min(
                self.now_ms - 1000,
                int(parse_iso(last_ms).timestamp() * 1000) + rng.randrange(60_000, 2 * DAY_MS),
            )
            close_at = iso_ms(close_ms)
            updated = max(updated, close_at)
        group = 3 if spec.topic in ("invoice", "refund", "payment") else 1
        if spec.topic in ("feature", "cancel") and rng.random() < 0.6:
            group = 2
        priority = {"complaint": 3, "feature": 1}.get(spec.topic, 2)
        if rng.random() < 0.05:
            priority = rng.choice((1, 3))
        customer = ds.users[spec.customer_id]
        org_id = spec.organization_id or customer["organization_id"]
        ds.tickets[ticket_id] = {
            "id": ticket_id,
            "group_id": group,
            "priority_id": priority,
            "state_id": state,
            "organization_id": org_id,
            "number": str(31000 + ticket_id),
            "title": title,
            "owner_id": owner,
            "customer_id": spec.customer_id,
            "note": None,
            "first_response_at": replies[0]["created_at"] if replies else None,
            "first_response_escalation_at": None,
            "first_response_in_min": None,
            "first_response_diff_in_min": None,
            "close_at": close_at,
            "close_escalation_at": None,
            "close_in_min": None,
            "close_diff_in_min": None,
            "update_escalation_at": None,
            "update_in_min": None,
            "update_diff_in_min": None,
            "last_close_at": close_at,
            "last_contact_at": max(a["created_at"] for a in public) if public else None,
            "last_contact_agent_at": replies[-1]["created_at"] if replies else None,
            "last_contact_customer_at": customer_said[-1]["created_at"] if customer_said else None,
            "last_owner_update_at": (agent_articles or articles)[0]["created_at"]
            if owner != 1
            else None,
            "create_article_type_id": first["type_id"],
            "create_article_sender_id": first["sender_id"],
            "article_count": len(articles),
            "escalation_at": None,
            "pending_time": iso_ms(self.now_ms + rng.randrange(1, 10) * DAY_MS)
            if state == 3
            else None,
            "type": None,
            "time_unit": None,
            "preferences": {},
            "updated_by_id": last["created_by_id"],
            "created_by_id": first["created_by_id"],
            "created_at": first["created_at"],
            "updated_at": updated,
            "checklist_id": None,
        }
        self._history(ticket_id, spec.topic, state, owner, articles, close_at or updated)

    def _history(
        self, ticket_id: int, topic: str, state: int, owner: int, articles: list[dict], done: str
    ) -> None:
        """Record the ticket-level history: created, owner and state changes, tags."""
        ds, rng = self.ds, self.rng
        first = articles[0]
        agent_articles = [a for a in articles if a["sender"] == "Agent"]
        entries: list[dict] = []

        def add(**fields) -> None:
            self.history_id += 1
            entries.append(
                history_entry(self.history_id, o_id=ticket_id, object_name="Ticket", **fields)
            )

        add(
            type_name="created",
            created_by_id=first["created_by_id"],
            created_at=first["created_at"],
        )
        if owner != 1:
            when = agent_articles[0]["created_at"] if agent_articles else first["created_at"]
            owner_user = ds.users[owner]
            add(
                type_name="updated",
                attribute="owner",
                value_from="- -",
                value_to=f"{owner_user['firstname']} {owner_user['lastname']}",
                id_from=1,
                id_to=owner,
                created_by_id=owner,
                created_at=when,
            )
        if state != 1 and agent_articles:
            add(
                type_name="updated",
                attribute="state",
                value_from="new",
                value_to="open",
                id_from=1,
                id_to=2,
                created_by_id=agent_articles[0]["created_by_id"],
                created_at=agent_articles[0]["created_at"],
            )
        if state not in (1, 2):
            add(
                type_name="updated",
                attribute="state",
                value_from="open",
                value_to=STATES[state],
                id_from=2,
                id_to=state,
                created_by_id=owner,
                created_at=done,
            )
        topic_tags = ()
        if rng.random() < 0.55:
            pool = list(text.TOPICS[topic]["tags"]) + list(EXTRA_TAGS)
            topic_tags = sorted(set(rng.sample(pool, rng.randint(1, 2))), key=pool.index)
            ds.tags[ticket_id] = list(topic_tags)
        for tag in topic_tags:
            add(
                type_name="added",
                attribute="tag",
                value_to=tag,
                created_by_id=owner if owner != 1 else first["created_by_id"],
                created_at=first["created_at"],
            )
        ds.history[ticket_id] = entries

    # -- assembly --------------------------------------------------------------------------

    def _settle_users(self) -> None:
        """Give customers timestamps and logins consistent with their tickets."""
        ds, rng = self.ds, self.rng
        first_seen: dict[int, str] = {}
        last_seen: dict[int, str] = {}
        for ticket in ds.tickets.values():
            customer = ticket["customer_id"]
            if customer not in first_seen or ticket["created_at"] < first_seen[customer]:
                first_seen[customer] = ticket["created_at"]
            if customer not in last_seen or ticket["updated_at"] > last_seen[customer]:
                last_seen[customer] = ticket["updated_at"]
        for user_id, user in ds.users.items():
            if user_id < 9:
                continue
            if user_id in first_seen:
                start = int(parse_iso(first_seen[user_id]).timestamp() * 1000) - rng.randrange(
                    60_000, 3_600_000
                )
                end = max(start, int(parse_iso(last_seen[user_id]).timestamp() * 1000))
            else:
                start = int(parse_iso(user["created_at"]).timestamp() * 1000)
                if user_id not in self._aged:
                    start = self.now_ms - rng.randrange(30 * DAY_MS, 3000 * DAY_MS)
                end = start + rng.randrange(0, 30 * DAY_MS)
            end = min(end, self.now_ms - 1000)
            user["created_at"] = iso_ms(start)
            user["updated_at"] = iso_ms(end)
            if rng.random() < 0.25 and user_id not in self._aged:
                user["last_login"] = iso_ms(rng.randrange(start, max(start + 1, end + 1)))
        for org_id, org in ds.organizations.items():
            members = [ds.users[m]["created_at"] for m in self.org_members[org_id]]
            if members and org["created_at"] > min(members):
                org["created_at"] = min(members)
            if org["updated_at"] < org["created_at"]:
                org["updated_at"] = org["created_at"]
            if org["updated_at"] > iso_ms(self.now_ms):
                org["updated_at"] = iso_ms(self.now_ms - 1000)

    def build(self) -> ZammadDataset:
        """Build and return the dataset."""
        self._lookups()
        self._staff()
        next_id = self._people()
        self._special_people(next_id)
        self._aged = {
            user_id for name, user_id in self.ds.personas.items() if name.startswith("dormant")
        }
        for ticket_id, spec in enumerate(self._specs(), start=1):
            self._ticket(ticket_id, spec)
        self._settle_users()
        return self.ds
