"""Writing a synthetic ticket's record and its history, once its articles are written.

:class:`TicketRecorder` adds to :class:`~mimoto_gov.sandbox.synthetic.people.PeopleBuilder` the
ticket row (state, owner, group, the contact times Zammad derives from the articles) and the
ticket-level history entries (created, owner and state changes, tags).
"""

from __future__ import annotations

from mimoto_gov.sandbox.synthetic import text as text
from mimoto_gov.sandbox.synthetic.model import (
    DAY_MS,
    EXTRA_TAGS,
    STATES,
    Spec,
    history_entry,
    iso_ms,
    parse_iso,
)
from mimoto_gov.sandbox.synthetic.people import PeopleBuilder


class TicketRecorder(PeopleBuilder):
    """Writes ticket records and history; every random choice comes from ``self.rng``."""

    def _state(self, spec: Spec, agent_articles: list[dict]) -> int:
        """Draw the ticket's state: old tickets are mostly closed; answered ones are not new."""
        rng = self.rng
        if self.now_ms - spec.created_ms > 30 * DAY_MS:
            state = rng.choices((4, 5, 2), weights=(92, 3, 5))[0]
        else:
            state = rng.choices((1, 2, 3, 4), weights=(25, 35, 15, 25))[0]
        if state == 1 and agent_articles:
            state = 2
        return state

    def _closing(self, state: int, last_ms: str) -> tuple[str | None, str]:
        """Return when a closed ticket was closed (else None), and its ``updated_at``."""
        if state not in (4, 5):
            return None, last_ms
        close_ms = min(
            self.now_ms - 1000,
            int(parse_iso(last_ms).timestamp() * 1000) + self.rng.randrange(60_000, 2 * DAY_MS),
        )
        close_at = iso_ms(close_ms)
        return close_at, max(last_ms, close_at)

    def _routing(self, topic: str) -> tuple[int, int]:
        """Draw the ticket's group and priority from its topic."""
        rng = self.rng
        group = 3 if topic in ("invoice", "refund", "payment") else 1
        if topic in ("feature", "cancel") and rng.random() < 0.6:
            group = 2
        priority = {"complaint": 3, "feature": 1}.get(topic, 2)
        if rng.random() < 0.05:
            priority = rng.choice((1, 3))
        return group, priority

    def _ticket_record(
        self, ticket_id: int, spec: Spec, title: str, agent: int, articles: list[dict]
    ) -> None:
        """Write the ticket row Zammad would hold after these articles, then its history."""
        first, last = articles[0], articles[-1]
        agent_articles = [a for a in articles if a["sender"] == "Agent"]
        public = [a for a in articles if not a["internal"]]
        replies = [a for a in public if a["sender"] == "Agent"]
        customer_said = [a for a in public if a["sender"] == "Customer"]
        state = self._state(spec, agent_articles)
        owner = agent if (agent_articles or state != 1) else 1
        close_at, updated = self._closing(state, max(a["created_at"] for a in articles))
        group, priority = self._routing(spec.topic)
        org_id = spec.organization_id or self.ds.users[spec.customer_id]["organization_id"]
        pending = iso_ms(self.now_ms + self.rng.randrange(1, 10) * DAY_MS) if state == 3 else None
        self.ds.tickets[ticket_id] = {
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
            "pending_time": pending,
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

    # -- history -----------------------------------------------------------------------

    def _history(
        self, ticket_id: int, topic: str, state: int, owner: int, articles: list[dict], done: str
    ) -> None:
        """Record the ticket-level history: created, owner and state changes, tags."""
        first = articles[0]
        agent_articles = [a for a in articles if a["sender"] == "Agent"]
        changes = [
            {
                "type_name": "created",
                "created_by_id": first["created_by_id"],
                "created_at": first["created_at"],
            }
        ]
        if owner != 1:
            when = agent_articles[0]["created_at"] if agent_articles else first["created_at"]
            changes.append(self._owner_change(owner, when))
        changes.extend(self._state_changes(state, owner, agent_articles, done))
        changes.extend(self._tag_changes(ticket_id, topic, owner, first))
        entries = []
        for fields in changes:
            self.history_id += 1
            entries.append(
                history_entry(self.history_id, o_id=ticket_id, object_name="Ticket", **fields)
            )
        self.ds.history[ticket_id] = entries

    def _owner_change(self, owner: int, when: str) -> dict:
        owner_user = self.ds.users[owner]
        return {
            "type_name": "updated",
            "attribute": "owner",
            "value_from": "- -",
            "value_to": f"{owner_user['firstname']} {owner_user['lastname']}",
            "id_from": 1,
            "id_to": owner,
            "created_by_id": owner,
            "created_at": when,
        }

    def _state_changes(
        self, state: int, owner: int, agent_articles: list[dict], done: str
    ) -> list[dict]:
        """Return new to open (at the first answer), then open to the final state."""
        changes = []
        if state != 1 and agent_articles:
            changes.append(
                {
                    "type_name": "updated",
                    "attribute": "state",
                    "value_from": "new",
                    "value_to": "open",
                    "id_from": 1,
                    "id_to": 2,
                    "created_by_id": agent_articles[0]["created_by_id"],
                    "created_at": agent_articles[0]["created_at"],
                }
            )
        if state not in (1, 2):
            changes.append(
                {
                    "type_name": "updated",
                    "attribute": "state",
                    "value_from": "open",
                    "value_to": STATES[state],
                    "id_from": 2,
                    "id_to": state,
                    "created_by_id": owner,
                    "created_at": done,
                }
            )
        return changes

    def _tag_changes(self, ticket_id: int, topic: str, owner: int, first: dict) -> list[dict]:
        """Tag about half the tickets (one or two tags) and return the ``added`` entries."""
        rng = self.rng
        topic_tags = ()
        if rng.random() < 0.55:
            pool = list(text.TOPICS[topic]["tags"]) + list(EXTRA_TAGS)
            topic_tags = sorted(set(rng.sample(pool, rng.randint(1, 2))), key=pool.index)
            self.ds.tags[ticket_id] = list(topic_tags)
        return [
            {
                "type_name": "added",
                "attribute": "tag",
                "value_to": tag,
                "created_by_id": owner if owner != 1 else first["created_by_id"],
                "created_at": first["created_at"],
            }
            for tag in topic_tags
        ]
