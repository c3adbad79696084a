"""Writing the articles of a synthetic ticket: the opening message, replies, notes, attachments.

:class:`ArticleWriter` adds to :class:`~mimoto_gov.sandbox.synthetic.people.PeopleBuilder` what
a ticket's conversation needs; :class:`~mimoto_gov.sandbox.synthetic.tickets.Builder` decides
which articles a ticket gets and in what order.
"""

from __future__ import annotations

import hashlib

from mimoto_gov.sandbox.synthetic import text as text
from mimoto_gov.sandbox.synthetic.model import (
    SENDER_IDS,
    SUPPORT_ADDRESS,
    TYPE_IDS,
    PlantedPII,
    Spec,
    Story,
    iso_ms,
    luhn_card,
    ni_number,
    pdf_bytes,
    png_bytes,
    text_to_html,
    uk_iban,
)
from mimoto_gov.sandbox.synthetic.people import PeopleBuilder

AGENT_FROM = "{} via Mimoto Support <support@mimoto.example>"


class ArticleWriter(PeopleBuilder):
    """Writes articles and attachments into the dataset; every random choice from ``self.rng``."""

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

    def _agent_name(self, agent: int) -> str:
        return f"{self.ds.users[agent]['firstname']} {self.ds.users[agent]['lastname']}"

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
            content, ctype, name = png_bytes(rng), "image/png", "screenshot.png"
        elif kind == "pdf":
            lines = ["Mimoto Ltd", f"Invoice {fill['invoice']}", f"Total {fill['amount']}"]
            content = pdf_bytes([line.replace("£", "GBP ") for line in lines])
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

    # -- the first message -------------------------------------------------------------

    def _opening(self, story: Story, channel: str) -> dict:
        """Write the customer's first message, with the ticket's planted items."""
        rng, ds, spec = self.rng, self.ds, story.spec
        pii = [
            (kind, self._pii_value(kind))
            for plant in spec.plants
            if plant.endswith("_article")
            and (kind := plant.removesuffix("_article")) in text.PII_SENTENCES
        ]
        if not pii and rng.random() < 0.03:
            kind = rng.choice(("card", "ni", "iban", "phone", "postcode"))
            pii.append((kind, self._pii_value(kind)))
        if channel == "phone":
            first = self._phone_opening(story, pii)
        else:
            first = self._written_opening(story, channel, pii)
        for kind, value in pii:
            ds.pii.append(PlantedPII(kind, value, story.ticket_id, first["id"]))
            ds.planted.setdefault(f"{kind}_article", first["id"])
        return first

    def _phone_opening(self, story: Story, pii: list[tuple[str, str]]) -> dict:
        """Write an agent's summary of a phone call, quoting what the caller said."""
        body = self.rng.choice(text.PHONE_SUMMARIES).format(**story.fill)
        for kind, value in pii:
            body += '\n\nCaller said: "' + text.PII_SENTENCES[kind].format(value=value) + '"'
        first = self._article(
            story.ticket_id,
            story.spec.created_ms,
            type="phone",
            sender="Customer",
            created_by_id=story.agent,
        )
        first.update(
            {"from": story.customer_display, "to": "", "subject": story.title, "body": body}
        )
        return first

    def _written_opening(self, story: Story, channel: str, pii: list[tuple[str, str]]) -> dict:
        """Write the customer's email or web form, plain text or HTML."""
        rng, spec = self.rng, story.spec
        opening = rng.choice(text.TOPICS[spec.topic]["openings"])
        if spec.script is not None:
            opening = spec.script[2]
        body = self._customer_body(opening, story.fill, pii, spec.customer_id)
        html_body = channel == "web" or rng.random() < 0.3
        first = self._article(
            story.ticket_id,
            spec.created_ms,
            type=channel,
            sender="Customer",
            created_by_id=spec.customer_id,
            content_type="text/html" if html_body else "text/plain",
        )
        first.update(
            {
                "from": story.customer_display,
                "to": SUPPORT_ADDRESS if channel == "email" else "Support",
                "subject": story.title,
                "body": text_to_html(body) if html_body else body,
            }
        )
        self._plant_in_opening(first, story, body)
        return first

    def _plant_in_opening(self, first: dict, story: Story, body: str) -> None:
        """Add attachments, the hostile image and the inline image to a first message."""
        rng, ds, spec = self.rng, self.ds, story.spec
        if "onerror_article" in spec.plants:
            first["content_type"] = "text/html"
            first["body"] = (
                text_to_html(body)[:-6] + "<p>Screenshot: <img src=x onerror=alert(1)></p></div>"
            )
            ds.planted["onerror_article"] = first["id"]
        if spec.attachment or rng.random() < (0.35 if spec.topic == "bug" else 0.08):
            self._attach(first, rng.choice(("png", "txt", "pdf")), story.fill)
        if "inline_image_article" in spec.plants:
            first["content_type"] = "text/html"
            attachment = self._attach(first, "png", story.fill, inline=True)
            cid = attachment["preferences"]["Content-ID"]
            first["body"] = text_to_html(body)[:-6] + f'<p><img src="cid:{cid}"></p></div>'
            ds.planted["inline_image_article"] = first["id"]
            ds.planted["inline_attachment"] = attachment["id"]

    # -- the conversation that follows -------------------------------------------------

    def _follow_up(self, story: Story, index: int, ms: int) -> dict:
        """Write the next message: an agent's reply or internal note, or the customer's answer."""
        rng = self.rng
        if index % 2 == 1 and (rng.random() < 0.22 or (story.spec.internal_note and index == 1)):
            return self._internal_note(story, ms)
        if index % 2 == 1:
            return self._agent_reply(story, ms)
        return self._customer_answer(story, ms)

    def _internal_note(self, story: Story, ms: int) -> dict:
        note = self._article(
            story.ticket_id,
            ms,
            type="note",
            sender="Agent",
            internal=True,
            created_by_id=story.agent,
            content_type="text/html",
        )
        body = text_to_html(self.rng.choice(text.NOTES).format(**story.fill))
        note.update({"from": self._agent_name(story.agent), "to": "", "cc": "", "body": body})
        return note

    def _agent_reply(self, story: Story, ms: int) -> dict:
        rng, fill = self.rng, story.fill
        reply = self._article(
            story.ticket_id, ms, type="email", sender="Agent", created_by_id=story.agent
        )
        reply.update(
            {
                "from": AGENT_FROM.format(self._agent_name(story.agent)),
                "to": story.customer_display,
                "subject": f"RE: {story.title}",
                "body": rng.choice(text.AGENT_REPLIES).format(**fill),
            }
        )
        if rng.random() < 0.04:
            self._attach(reply, "pdf", fill)
        return reply

    def _customer_answer(self, story: Story, ms: int) -> dict:
        rng, fill = self.rng, story.fill
        follow = self._article(
            story.ticket_id,
            ms,
            type="email",
            sender="Customer",
            created_by_id=story.spec.customer_id,
        )
        body = rng.choice(text.CUSTOMER_FOLLOW_UPS).format(**fill)
        follow.update(
            {
                "from": story.customer_display,
                "to": SUPPORT_ADDRESS,
                "subject": f"Re: {story.title}",
                "body": f"{body}\n\n{fill['cust_name']}",
            }
        )
        if rng.random() < 0.06:
            self._attach(follow, rng.choice(("png", "txt")), fill)
        return follow

    # -- the planted messages that name the subject --------------------------------------

    def _subject_article(
        self, plant: str, spec: Spec, ticket_id: int, ms: int, fill: dict, title: str, agent: int
    ) -> dict:
        """Write a message on someone else's ticket that names the subject (from, to, cc, text)."""
        subject = self.ds.personas["subject"]
        person = self.ds.users[subject]
        name = f"{person['firstname']} {person['lastname']}"
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
            article.update({"from": self._agent_name(agent), "to": "", "cc": "", "body": body})
        else:
            article = self._copied_reply(plant, spec, ticket_id, ms, fill, agent)
        article["subject"] = article["subject"] or (
            None if article["type"] == "note" else f"RE: {title}"
        )
        self.ds.planted[plant] = article["id"]
        return article

    def _copied_reply(
        self, plant: str, spec: Spec, ticket_id: int, ms: int, fill: dict, agent: int
    ) -> dict:
        """Write an agent's reply with the subject in its ``to`` or ``cc``."""
        subject = self.ds.personas["subject"]
        article = self._article(ticket_id, ms, type="email", sender="Agent", created_by_id=agent)
        customer = self._display(spec.customer_id)
        to = f"{customer}, {self._display(subject)}" if plant == "subject_to_article" else customer
        article.update(
            {
                "from": AGENT_FROM.format(self._agent_name(agent)),
                "to": to,
                "cc": self._display(subject) if plant == "subject_cc_article" else None,
                "body": text.AGENT_REPLIES[0].format(**fill),
            }
        )
        return article
