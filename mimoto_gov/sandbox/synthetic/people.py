"""Building the people of the synthetic dataset: staff, organisations, customers, personas.

:class:`PeopleBuilder` holds the seeded generators and the pools drawn from Faker's ``en_GB``
locale; :class:`~mimoto_gov.sandbox.synthetic.tickets.Builder` adds the tickets on top of it. See
:mod:`mimoto_gov.sandbox.synthetic.dataset` for what the dataset holds and what is planted.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime

from faker import Faker

from mimoto_gov.sandbox.synthetic.model import (
    ARTICLE_TYPES,
    DAY_MS,
    GROUPS,
    PERSONAL_DOMAINS,
    PRIORITIES,
    ROLES,
    SENDERS,
    STATES,
    ZammadDataset,
    iso_ms,
    parse_iso,
)


class PeopleBuilder:
    """Creates the users and organisations; every random choice comes from ``self.rng``."""

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
