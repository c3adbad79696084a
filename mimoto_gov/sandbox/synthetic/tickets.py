"""Building the tickets of the synthetic dataset: articles, attachments, history and tags.

Each ticket is planned first (:class:`Spec`: customer, time, topic, planted items), the plans
are sorted by time so ids follow creation order, then each is written out as a short support
conversation. See :mod:`mimoto_gov.sandbox.synthetic.dataset` for what is planted where.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from mimoto_gov.sandbox.synthetic import text as text
from mimoto_gov.sandbox.synthetic.model import (
    DAY_MS,
    EXTRA_TAGS,
    SENDER_IDS,
    STATES,
    SUPPORT_ADDRESS,
    TYPE_IDS,
    PlantedPII,
    ZammadDataset,
    history_entry,
    iso_ms,
    luhn_card,
    ni_number,
    parse_iso,
    pdf_bytes,
    png_bytes,
    text_to_html,
    uk_date,
    uk_iban,
)
from mimoto_gov.sandbox.synthetic.people import PeopleBuilder


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


class Builder(PeopleBuilder):
    """Builds one dataset: the people, then the tickets in order of creation."""

    # Planted items, each in a random regular ticket.
    PLANTS = (
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
    )

    def _random_time(self) -> int:
        rng = self.rng
        if rng.random() < 0.08:
            return self.now_ms - rng.randrange(DAY_MS // 2, 60 * DAY_MS)
        span = 3650 * DAY_MS - 60 * DAY_MS
        return self.now_ms - 60 * DAY_MS - int(span * rng.random() ** 1.3)

    def _specs(self) -> list[Spec]:
        rng, ds, personas = self.rng, self.ds, self.ds.personas
        topics = sorted(text.TOPICS)
        specs: list[Spec] = []
        day = DAY_MS

        def spec(customer: int, age_days: float, topic: str, **extra) -> Spec:
            created = self.now_ms - int(age_days * day) - rng.randrange(3_600_000)
            item = Spec(customer, created, topic, **extra)
            specs.append(item)
            return item

        subject = personas["subject"]
        spec(subject, 20, "bug", attachment=True)
        spec(subject, 210, "invoice")
        spec(subject, 520, "delivery")
        spec(subject, 930, "privacy", script=text.REQUEST_SCRIPTS[0])
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
        # Requests and decoys in plain words, as many as leave room for the planted items.
        room = self.n_tickets - len(specs) - len(self.PLANTS) - 2
        scripted = [(kind, title, body) for kind, title, body in text.REQUEST_SCRIPTS[1:]]
        scripted += [("none", title, body) for title, body in text.DECOY_SCRIPTS]
        for index, script in enumerate(scripted[: max(0, room)]):
            topic = "feature" if script[0] == "none" else "privacy"
            customer = self.regular[index % len(self.regular)]
            spec(customer, 25 + 53 * index, topic, script=script)
        weights = [1.0 / (1 + i) ** 0.6 for i in range(len(self.regular))]
        regular_count = self.n_tickets - len(specs)
        customers = rng.choices(self.regular, weights=weights, k=regular_count)
        for customer in customers:
            specs.append(Spec(customer, self._random_time(), rng.choice(topics)))
        plants = list(self.PLANTS)
        hosts = rng.sample(specs[len(specs) - regular_count :], len(plants))
        for host, plant in zip(hosts, plants, strict=True):
            host.plants.append(plant)
        specs.sort(key=lambda s: s.created_ms)
        return specs

    def _fill(self, spec: Spec, agent: int) -> dict:
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
            "date": uk_date(spec.created_ms - rng.randrange(0, 20 * DAY_MS)),
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

    def _ticket(self, ticket_id: int, spec: Spec) -> None:
        """Write one ticket: its title, a conversation of articles, then the ticket record."""
        rng, ds = self.rng, self.ds
        topic = text.TOPICS[spec.topic]
        agent = rng.choice(self.agents)
        fill = self._fill(spec, agent)
        title = rng.choice(topic["titles"]).format(**fill)
        if spec.script is not None:
            title = spec.script[1].format(**fill)
            self._note_script(ticket_id, spec)

        if "script_ticket" in spec.plants:
            title = "<script>alert(1)</script>"
            ds.planted["script_ticket"] = ticket_id
        if "formula_ticket" in spec.plants:
            title = '=HYPERLINK("http://example.com/claim","Claim your refund")'
            ds.planted["formula_ticket"] = ticket_id
        story = Story(ticket_id, spec, agent, fill, title, self._display(spec.customer_id))
        count = spec.articles or rng.randint(1, 2 * self.apt - 1)
        limit = self.now_ms - 60_000
        channel = rng.choices(("email", "phone", "web"), weights=(65, 15, 20))[0]
        if spec.script is not None:
            channel = "email"
        # A random privacy ticket is a request, unless a planted title replaced its title and
        # a phone call (a summary, not the customer's words) its message.
        title_kept = not {"script_ticket", "formula_ticket"} & set(spec.plants)
        if spec.topic == "privacy" and spec.script is None and (title_kept or channel != "phone"):
            ds.rights_requests[ticket_id] = "privacy"
        if {"onerror_article", "inline_image_article"} & set(spec.plants):
            channel = "email"
        articles = [self._opening(story, channel)]
        ms = spec.created_ms
        if channel == "email" and rng.random() < 0.25:
            ms = min(limit, ms + rng.randrange(5_000, 60_000))
            auto = self._article(ticket_id, ms, type="email", sender="System", created_by_id=1)
            auto.update(
                {
                    "from": SUPPORT_ADDRESS,
                    "to": story.customer_display,
                    "subject": f"[Ticket#{31000 + ticket_id}] {title}",
                    "body": text.SYSTEM_REPLY,
                }
            )
            articles.append(auto)
        gap = DAY_MS if self.now_ms - spec.created_ms > 60 * DAY_MS else DAY_MS // 4
        for index in range(1, count):
            ms = min(limit, ms + int(rng.expovariate(1 / gap)) + 60_000)
            articles.append(self._follow_up(story, index, ms))
        if "formula_ticket" in spec.plants:
            ds.planted["formula_article"] = articles[0]["id"]
        for plant in spec.plants:
            if plant.startswith("subject_"):
                ms = min(limit, ms + rng.randrange(3_600_000, 3 * DAY_MS))
                articles.append(
                    self._subject_article(plant, spec, ticket_id, ms, fill, title, agent)
                )
        self._ticket_record(ticket_id, spec, title, agent, articles)

    def _note_script(self, ticket_id: int, spec: Spec) -> None:
        """Record what a scripted ticket is: a request of a kind, or a decoy."""
        kind = spec.script[0]
        if kind == "none":
            self.ds.decoys.append(ticket_id)
            return
        self.ds.rights_requests[ticket_id] = kind
        if spec.customer_id == self.ds.personas["subject"]:
            self.ds.planted["deletion_request_ticket"] = ticket_id

    def _opening(self, story: Story, channel: str) -> dict:
        """Write the customer's first message, with the ticket's planted items."""
        rng, ds, spec, fill = self.rng, self.ds, story.spec, story.fill
        ticket_id, ms = story.ticket_id, spec.created_ms
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
            body = rng.choice(text.PHONE_SUMMARIES).format(**fill)
            for kind, value in pii:
                body += '\n\nCaller said: "' + text.PII_SENTENCES[kind].format(value=value) + '"'
            first = self._article(
                ticket_id, ms, type="phone", sender="Customer", created_by_id=story.agent
            )
            first.update(
                {"from": story.customer_display, "to": "", "subject": story.title, "body": body}
            )
        else:
            topic = text.TOPICS[spec.topic]
            opening = rng.choice(topic["openings"])
            if spec.script is not None:
                opening = spec.script[2]
            body = self._customer_body(opening, fill, pii, spec.customer_id)
            html_body = channel == "web" or rng.random() < 0.3
            first = self._article(
                ticket_id,
                ms,
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
        for kind, value in pii:
            ds.pii.append(PlantedPII(kind, value, ticket_id, first["id"]))
            ds.planted.setdefault(f"{kind}_article", first["id"])
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

    def _follow_up(self, story: Story, index: int, ms: int) -> dict:
        """Write the next message: an agent's reply or internal note, or the customer's answer."""
        rng, ds, fill, agent = self.rng, self.ds, story.fill, story.agent
        ticket_id, customer = story.ticket_id, story.spec.customer_id
        agent_name = f"{ds.users[agent]['firstname']} {ds.users[agent]['lastname']}"
        if index % 2 == 1 and (rng.random() < 0.22 or (story.spec.internal_note and index == 1)):
            note = self._article(
                ticket_id,
                ms,
                type="note",
                sender="Agent",
                internal=True,
                created_by_id=agent,
                content_type="text/html",
            )
            body = text_to_html(rng.choice(text.NOTES).format(**fill))
            note.update({"from": agent_name, "to": "", "cc": "", "body": body})
            return note
        if index % 2 == 1:
            reply = self._article(ticket_id, ms, type="email", sender="Agent", created_by_id=agent)
            reply.update(
                {
                    "from": f"{agent_name} via Mimoto Support <support@mimoto.example>",
                    "to": story.customer_display,
                    "subject": f"RE: {story.title}",
                    "body": rng.choice(text.AGENT_REPLIES).format(**fill),
                }
            )
            if rng.random() < 0.04:
                self._attach(reply, "pdf", fill)
            return reply
        follow = self._article(
            ticket_id, ms, type="email", sender="Customer", created_by_id=customer
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

    def _subject_article(
        self, plant: str, spec: Spec, ticket_id: int, ms: int, fill: dict, title: str, agent: int
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
        self, ticket_id: int, spec: Spec, title: str, agent: int, articles: list[dict]
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
