"""The ids Zammad seeds on every install: ticket states, priorities, article types, senders.

An instance with custom states or types has more; a record's own name wins wherever it
carries one, and these tables only name what comes as a bare id.
"""

from __future__ import annotations

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
SENDERS = {1: "Agent", 2: "Customer", 3: "System"}

STATE_IDS = {name: state_id for state_id, name in STATES.items()}
ARTICLE_TYPE_IDS = {name: type_id for type_id, name in ARTICLE_TYPES.items()}
SENDER_IDS = {name: sender_id for sender_id, name in SENDERS.items()}
