"""Schema migrations for accountability: the trail, the request register's new fields, candidates.

Appended to :data:`mimoto_gov.registers.schema.MIGRATIONS`; kept here so that the database module
stays about opening the file and running migrations.
"""

from __future__ import annotations

import sqlite3

from mimoto_gov.errors import RegisterError

# The trail (see mimoto_gov.registers.trail): one append-only, hash-chained event per change
# to any register. The baseline row tells the workbook to record the rows already there once.
TRAIL = """
CREATE TABLE trail_events (
    seq INTEGER PRIMARY KEY,
    typed_at TEXT NOT NULL,
    claimed_on TEXT,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    action TEXT NOT NULL,
    register TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reason TEXT,
    state_digest TEXT NOT NULL,
    prev_digest TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE
);
CREATE INDEX trail_events_record ON trail_events(register, record_id, seq);
CREATE TABLE trail_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO trail_meta (key, value) VALUES ('baseline', 'pending');
CREATE TRIGGER trail_events_no_update BEFORE UPDATE ON trail_events
BEGIN SELECT RAISE(ABORT, 'the trail is append-only: add a new entry instead'); END;
CREATE TRIGGER trail_events_no_delete BEFORE DELETE ON trail_events
BEGIN SELECT RAISE(ABORT, 'the trail is append-only: entries cannot be deleted'); END;
"""

_REQUEST_KINDS_V1 = "CHECK (kind IN ('access', 'erasure', 'rectification', 'objection'))"
_REQUEST_KINDS = (
    "CHECK (kind IN ('access', 'erasure', 'rectification', 'restriction', 'portability',"
    " 'objection', 'automated-decisions'))"
)
_REQUEST_COLUMNS = (
    "requester_name TEXT",
    "channel TEXT CHECK (channel IS NULL OR channel IN ('email', 'web', 'phone', 'post',"
    " 'in-person', 'social-media', 'other'))",
    "on_behalf_of TEXT",
    "authority_evidence TEXT",
    "ticket_number TEXT",
    "outcome_kind TEXT CHECK (outcome_kind IS NULL OR outcome_kind IN ('answered', 'erased',"
    " 'partly-refused', 'refused', 'withdrawn', 'duplicate'))",
    "exemption TEXT",
    "refusal_grounds TEXT CHECK (refusal_grounds IS NULL OR refusal_grounds IN"
    " ('manifestly-unfounded', 'excessive'))",
    "duplicate_of TEXT REFERENCES requests(id)",
)


def request_register_fits_the_law(conn: sqlite3.Connection) -> None:
    """Widen the request kinds and add requester, channel, authority, outcome columns.

    SQLite cannot change a CHECK constraint in place, so the table is rebuilt from its own
    stored definition with only the kinds changed: columns, indexes and triggers that other
    migrations added to ``requests`` survive. Runs with foreign keys off
    (see :func:`mimoto_gov.registers.db.migrate`).
    """
    table_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'requests'"
    ).fetchone()[0]
    if _REQUEST_KINDS_V1 not in table_sql:
        raise RegisterError("the requests table is not in the expected shape: cannot migrate")
    extras = [
        row[0]
        for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'requests'"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    ]
    columns = ", ".join(f'"{row[1]}"' for row in conn.execute("PRAGMA table_info(requests)"))
    rebuilt = table_sql.replace(_REQUEST_KINDS_V1, _REQUEST_KINDS, 1).replace(
        "CREATE TABLE requests", "CREATE TABLE requests_rebuilt", 1
    )
    conn.execute(rebuilt)
    conn.execute(
        f"INSERT INTO requests_rebuilt ({columns}) SELECT {columns} FROM requests"  # noqa: S608
    )
    conn.execute("DROP TABLE requests")
    conn.execute("ALTER TABLE requests_rebuilt RENAME TO requests")
    for sql in extras:
        conn.execute(sql)
    for column in _REQUEST_COLUMNS:
        conn.execute(f"ALTER TABLE requests ADD COLUMN {column}")
    # Outcomes were free text: keep it as the detail, and name the kind of ending.
    conn.execute(
        "UPDATE requests SET outcome_kind = CASE WHEN status = 'refused' THEN 'refused'"
        " WHEN kind = 'erasure' THEN 'erased' ELSE 'answered' END"
        " WHERE status IN ('closed', 'refused')"
    )
    conn.execute("CREATE INDEX requests_ticket ON requests(ticket_number)")


# Rights requests spotted in tickets, and what was decided about each.
CANDIDATES = """
CREATE TABLE request_candidates (
    ticket_number TEXT PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    article_id INTEGER,
    customer TEXT,
    email TEXT,
    subject_hash TEXT,
    received_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    phrase TEXT NOT NULL,
    found_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recorded', 'dismissed')),
    request_id TEXT REFERENCES requests(id),
    dismissed_reason TEXT,
    decided_at TEXT
);
CREATE INDEX request_candidates_hash ON request_candidates(subject_hash);
CREATE TABLE candidate_scans (
    id INTEGER PRIMARY KEY,
    scanned_at TEXT NOT NULL,
    since TEXT,
    through TEXT,
    tickets INTEGER NOT NULL,
    found INTEGER NOT NULL
);
"""
