"""The synthetic dataset's types, constants and value makers (see :mod:`.dataset`)."""

from __future__ import annotations

import html
import random
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from mimoto_gov.zammad.seeds import (  # noqa: F401 (re-exported for the sandbox)
    ARTICLE_TYPE_IDS,
    ARTICLE_TYPES,
    PRIORITIES,
    SENDER_IDS,
    SENDERS,
    STATES,
)

DAY_MS = 86_400_000
SUPPORT_ADDRESS = "Mimoto Support <support@mimoto.example>"
PERSONAL_DOMAINS = ("example.com", "example.org", "example.net")
MIN_TICKETS = 40
# The most the command line builds: large enough for the benchmarks, small enough to finish.
MAX_TICKETS = 100_000

TYPE_IDS = ARTICLE_TYPE_IDS
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
class Spec:
    """A ticket to build: who, when, what about, and what to plant in it."""

    customer_id: int
    created_ms: int
    topic: str
    organization_id: int | None = None
    plants: list[str] = field(default_factory=list)
    articles: int | None = None
    internal_note: bool = False
    attachment: bool = False
    # A fixed (kind, title, message) instead of the topic's random ones; kind "none": a decoy.
    script: tuple[str, str, str] | None = None


@dataclass
class Story:
    """What the articles of one ticket share."""

    ticket_id: int
    spec: Spec
    agent: int
    fill: dict
    title: str
    customer_display: str


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
    rights_requests: dict[int, str] = field(default_factory=dict)
    decoys: list[int] = field(default_factory=list)
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


def png_bytes(rng: random.Random) -> bytes:
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


def pdf_bytes(lines: list[str]) -> bytes:
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


def text_to_html(body: str) -> str:
    """Render a plain-text body as the simple HTML an email client would send."""
    paragraphs = body.split("\n\n")
    inner = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return f"<div>{inner}</div>"


def uk_date(ms: int) -> str:
    """Format epoch milliseconds as a UK date, e.g. ``14 March 2024``."""
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment.day} {moment:%B %Y}"
