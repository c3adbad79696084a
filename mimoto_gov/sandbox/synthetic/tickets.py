"""Building the tickets of the synthetic dataset: the plan of tickets, then each conversation.

Each ticket is planned first (:class:`~mimoto_gov.sandbox.synthetic.model.Spec`: customer,
time, topic, planted items), the plans are sorted by time so ids follow creation order, then
each is written out as a short support conversation (articles by
:mod:`~mimoto_gov.sandbox.synthetic.articles`, the ticket row and history by
:mod:`~mimoto_gov.sandbox.synthetic.ticket_records`). See
:mod:`mimoto_gov.sandbox.synthetic.dataset` for what is planted where.
"""

from __future__ import annotations

from mimoto_gov.sandbox.synthetic import text as text
from mimoto_gov.sandbox.synthetic.articles import ArticleWriter
from mimoto_gov.sandbox.synthetic.model import (
    DAY_MS,
    SUPPORT_ADDRESS,
    Spec,
    Story,
    ZammadDataset,
    uk_date,
)
from mimoto_gov.sandbox.synthetic.ticket_records import TicketRecorder


class Builder(ArticleWriter, TicketRecorder):
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

    def _plan(self, specs: list[Spec], customer: int, age_days: float, topic: str, **extra):
        """Add a planned ticket ``age_days`` old (within the hour) to ``specs``."""
        created = self.now_ms - int(age_days * DAY_MS) - self.rng.randrange(3_600_000)
        specs.append(Spec(customer, created, topic, **extra))

    def _persona_specs(self, specs: list[Spec], topics: list[str]) -> None:
        """Plan the tickets of the personas the tests and the demo look for."""
        rng, personas, plan = self.rng, self.ds.personas, self._plan
        subject = personas["subject"]
        plan(specs, subject, 20, "bug", attachment=True)
        plan(specs, subject, 210, "invoice")
        plan(specs, subject, 520, "delivery")
        plan(specs, subject, 930, "privacy", script=text.REQUEST_SCRIPTS[0])
        plan(specs, personas["customer"], 12, "login", internal_note=True, articles=3)
        plan(specs, personas["customer"], 150, "payment")
        plan(specs, personas["customer"], 800, "feature")
        plan(specs, personas["sole_member"], 40, "invoice")
        plan(specs, personas["sole_member"], 700, "refund")
        org = self.ds.planted["sole_org"]
        plan(specs, personas["former_member"], 1500, "bug", organization_id=org)
        plan(specs, personas["org_member"], 90, "complaint")
        for name, user_id in list(personas.items()):
            if name.startswith("dormant"):
                plan(specs, user_id, rng.uniform(1900, 3300), rng.choice(topics))
            elif name.startswith("duplicate") or name == "formula_user":
                plan(specs, user_id, rng.uniform(100, 1500), rng.choice(topics))

    def _scripted_specs(self, specs: list[Spec]) -> None:
        """Plan requests and decoys in plain words, as many as leave room for the plants."""
        room = self.n_tickets - len(specs) - len(self.PLANTS) - 2
        scripted = [(kind, title, body) for kind, title, body in text.REQUEST_SCRIPTS[1:]]
        scripted += [("none", title, body) for title, body in text.DECOY_SCRIPTS]
        for index, script in enumerate(scripted[: max(0, room)]):
            topic = "feature" if script[0] == "none" else "privacy"
            customer = self.regular[index % len(self.regular)]
            self._plan(specs, customer, 25 + 53 * index, topic, script=script)

    def _specs(self) -> list[Spec]:
        """Plan every ticket, plant the planted items in random regular ones, sort by time."""
        rng = self.rng
        topics = sorted(text.TOPICS)
        specs: list[Spec] = []
        self._persona_specs(specs, topics)
        self._scripted_specs(specs)
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

    def _ticket(self, ticket_id: int, spec: Spec) -> None:
        """Write one ticket: its title, a conversation of articles, then the ticket record."""
        rng = self.rng
        agent = rng.choice(self.agents)
        fill = self._fill(spec, agent)
        title = self._title(ticket_id, spec, fill)
        story = Story(ticket_id, spec, agent, fill, title, self._display(spec.customer_id))
        count = spec.articles or rng.randint(1, 2 * self.apt - 1)
        channel = self._channel(ticket_id, spec)
        articles = self._conversation(story, channel, count)
        self._ticket_record(ticket_id, spec, title, agent, articles)

    def _title(self, ticket_id: int, spec: Spec, fill: dict) -> str:
        """Return the ticket's title: the topic's, the script's, or a planted hostile one."""
        title = self.rng.choice(text.TOPICS[spec.topic]["titles"]).format(**fill)
        if spec.script is not None:
            title = spec.script[1].format(**fill)
            self._note_script(ticket_id, spec)
        if "script_ticket" in spec.plants:
            title = "<script>alert(1)</script>"
            self.ds.planted["script_ticket"] = ticket_id
        if "formula_ticket" in spec.plants:
            title = '=HYPERLINK("http://example.com/claim","Claim your refund")'
            self.ds.planted["formula_ticket"] = ticket_id
        return title

    def _channel(self, ticket_id: int, spec: Spec) -> str:
        """Draw how the ticket arrived (email, phone, web); note a random privacy request."""
        channel = self.rng.choices(("email", "phone", "web"), weights=(65, 15, 20))[0]
        if spec.script is not None:
            channel = "email"
        # A random privacy ticket is a request, unless a planted title replaced its title and
        # a phone call (a summary, not the customer's words) its message.
        title_kept = not {"script_ticket", "formula_ticket"} & set(spec.plants)
        if spec.topic == "privacy" and spec.script is None and (title_kept or channel != "phone"):
            self.ds.rights_requests[ticket_id] = "privacy"
        if {"onerror_article", "inline_image_article"} & set(spec.plants):
            channel = "email"
        return channel

    def _conversation(self, story: Story, channel: str, count: int) -> list[dict]:
        """Write the opening, an automatic reply perhaps, the follow-ups and planted messages."""
        rng, spec, ticket_id = self.rng, story.spec, story.ticket_id
        limit = self.now_ms - 60_000
        articles = [self._opening(story, channel)]
        ms = spec.created_ms
        if channel == "email" and rng.random() < 0.25:
            ms = min(limit, ms + rng.randrange(5_000, 60_000))
            articles.append(self._auto_reply(story, ms))
        gap = DAY_MS if self.now_ms - spec.created_ms > 60 * DAY_MS else DAY_MS // 4
        for index in range(1, count):
            ms = min(limit, ms + int(rng.expovariate(1 / gap)) + 60_000)
            articles.append(self._follow_up(story, index, ms))
        if "formula_ticket" in spec.plants:
            self.ds.planted["formula_article"] = articles[0]["id"]
        for plant in spec.plants:
            if plant.startswith("subject_"):
                ms = min(limit, ms + rng.randrange(3_600_000, 3 * DAY_MS))
                articles.append(
                    self._subject_article(
                        plant, spec, ticket_id, ms, story.fill, story.title, story.agent
                    )
                )
        return articles

    def _auto_reply(self, story: Story, ms: int) -> dict:
        """Write the desk's automatic acknowledgement of an email."""
        auto = self._article(story.ticket_id, ms, type="email", sender="System", created_by_id=1)
        auto.update(
            {
                "from": SUPPORT_ADDRESS,
                "to": story.customer_display,
                "subject": f"[Ticket#{31000 + story.ticket_id}] {story.title}",
                "body": text.SYSTEM_REPLY,
            }
        )
        return auto

    def _note_script(self, ticket_id: int, spec: Spec) -> None:
        """Record what a scripted ticket is: a request of a kind, or a decoy."""
        kind = spec.script[0]
        if kind == "none":
            self.ds.decoys.append(ticket_id)
            return
        self.ds.rights_requests[ticket_id] = kind
        if spec.customer_id == self.ds.personas["subject"]:
            self.ds.planted["deletion_request_ticket"] = ticket_id

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
