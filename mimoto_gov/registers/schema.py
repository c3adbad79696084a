"""The registers' schema: every migration, in order (see :mod:`mimoto_gov.registers.db`).

Migration N takes a file from version N-1 to N. Never edit a released entry; append a new one.
Each is an SQL script or a function of the connection, run in the transaction that also stamps
the version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from mimoto_gov.registers import accountability

_APPEND_ONLY = """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'the {label} is append-only: add a new entry instead'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, 'the {label} is append-only: entries cannot be deleted'); END;
"""

_V1 = """
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'erasure', 'rectification', 'objection')),
    received_on TEXT NOT NULL,
    id_received_on TEXT,
    verified_at TEXT,
    verify_method TEXT,
    verified_by TEXT,
    evidence_seen TEXT,
    extension_decided_on TEXT,
    extension_reason TEXT,
    extension_told_on TEXT,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'paused', 'extended', 'closed', 'refused')),
    closed_on TEXT,
    outcome TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE request_subjects (
    request_id TEXT NOT NULL REFERENCES requests(id),
    position INTEGER NOT NULL,
    email TEXT,
    subject_hash TEXT NOT NULL,
    PRIMARY KEY (request_id, position),
    UNIQUE (request_id, subject_hash)
);
CREATE INDEX request_subjects_hash ON request_subjects(subject_hash);
CREATE TABLE request_pauses (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    asked_on TEXT NOT NULL,
    answered_on TEXT,
    reason TEXT NOT NULL
);
CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    email TEXT,
    subject_hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    lifted_on TEXT,
    lifted_by TEXT
);
CREATE INDEX holds_hash ON holds(subject_hash);
CREATE TABLE erasures (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    subject_hash TEXT NOT NULL,
    task_ids TEXT NOT NULL,
    ticket_numbers TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'failed')),
    reason TEXT,
    verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
    kept TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE law_enforcement (
    id TEXT PRIMARY KEY,
    received_on TEXT NOT NULL,
    authority TEXT NOT NULL,
    uk INTEGER NOT NULL CHECK (uk IN (0, 1)),
    instrument TEXT NOT NULL,
    reference TEXT,
    scope TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('disclosed', 'refused', 'partial')),
    decided_on TEXT,
    disclosed TEXT,
    user_told_on TEXT,
    not_told_basis TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE law_enforcement_subjects (
    law_enforcement_id TEXT NOT NULL REFERENCES law_enforcement(id),
    position INTEGER NOT NULL,
    email TEXT,
    subject_hash TEXT NOT NULL,
    PRIMARY KEY (law_enforcement_id, position)
);
CREATE INDEX law_enforcement_subjects_hash ON law_enforcement_subjects(subject_hash);
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    email TEXT,
    subject_hash TEXT NOT NULL,
    consented_at TEXT NOT NULL,
    wording_version TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'post', 'phone')),
    withdrawn_at TEXT,
    source TEXT
);
CREATE INDEX consents_hash ON consents(subject_hash);
CREATE TABLE mailing_list (
    subject_hash TEXT PRIMARY KEY,
    email TEXT,
    imported_at TEXT NOT NULL,
    source_file TEXT
);
CREATE TABLE suppressions (
    id INTEGER PRIMARY KEY,
    email TEXT,
    subject_hash TEXT NOT NULL UNIQUE,
    reason TEXT,
    added_on TEXT NOT NULL
);
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    received_on TEXT NOT NULL,
    email TEXT,
    subject_hash TEXT,
    summary TEXT NOT NULL,
    acknowledged_on TEXT,
    outcome TEXT,
    closed_on TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE breaches (
    id TEXT PRIMARY KEY,
    found_at TEXT NOT NULL,
    description TEXT NOT NULL,
    people_affected INTEGER CHECK (people_affected IS NULL OR people_affected >= 0),
    measures TEXT,
    reported_to_ico_at TEXT,
    ico_reference TEXT,
    reason_not_reported TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE attestations (
    id INTEGER PRIMARY KEY,
    statement_key TEXT NOT NULL,
    text TEXT NOT NULL,
    attested_by TEXT NOT NULL,
    attested_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX attestations_key ON attestations(statement_key, attested_on);
""" + "".join(
    _APPEND_ONLY.format(table=table, label=label)
    for table, label in (("erasures", "erasure register"), ("attestations", "attestation register"))
)

# An append-only table must also refuse INSERT OR REPLACE, which deletes the old row without
# firing the DELETE trigger: a BEFORE INSERT trigger refuses a key that is already recorded.
_NO_REPLACE = """
CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
WHEN EXISTS (SELECT 1 FROM {table} WHERE {match})
BEGIN SELECT RAISE(ABORT, 'the {label} is append-only: that entry is already recorded'); END;
"""

# The erasure record as evidence: the erasure register refuses a rewrite; each erasure keeps
# its steps (who finished each, when), the decisions on what must be kept, and every Zammad
# task as soon as it is created. All four tables are append-only.
_ERASURE_STEPS = (
    """
ALTER TABLE erasures ADD COLUMN user_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE erasures ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
CREATE TABLE erasure_steps (
    erasure_id TEXT NOT NULL REFERENCES erasures(id),
    position INTEGER NOT NULL,
    step TEXT NOT NULL,
    place TEXT NOT NULL,
    held TEXT NOT NULL,
    action TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    why TEXT NOT NULL,
    items TEXT NOT NULL,
    PRIMARY KEY (erasure_id, step)
) WITHOUT ROWID;
CREATE TABLE erasure_step_records (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    step TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'not needed')),
    done_by TEXT NOT NULL,
    done_on TEXT NOT NULL,
    note TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX erasure_step_records_request ON erasure_step_records(request_id, step);
CREATE TABLE erasure_keep_decisions (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    flag TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('keep', 'erase')),
    reason TEXT,
    review_on TEXT,
    decided_by TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    CHECK (decision = 'erase' OR (reason IS NOT NULL AND review_on IS NOT NULL))
);
CREATE INDEX erasure_keep_decisions_request ON erasure_keep_decisions(request_id, flag);
CREATE TABLE erasure_tasks (
    request_id TEXT NOT NULL REFERENCES requests(id),
    task_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    delete_organization INTEGER NOT NULL CHECK (delete_organization IN (0, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, task_id)
) WITHOUT ROWID;
"""
    + _NO_REPLACE.format(table="erasures", match="id = NEW.id", label="erasure register")
    + "".join(
        _APPEND_ONLY.format(table=table, label=label)
        + _NO_REPLACE.format(table=table, match=match, label=label)
        for table, match, label in (
            (
                "erasure_steps",
                "erasure_id = NEW.erasure_id AND step = NEW.step",
                "erasure steps register",
            ),
            ("erasure_step_records", "id = NEW.id", "erasure steps register"),
            ("erasure_keep_decisions", "id = NEW.id", "register of keep decisions"),
            (
                "erasure_tasks",
                "request_id = NEW.request_id AND task_id = NEW.task_id",
                "register of erasure tasks",
            ),
        )
    )
)

# The retention log (mimoto_gov.registers.retention_log): runs of the schedule, each action
# taken and each approval of the schedule; the last two are append-only.
_RETENTION_LOG = """
CREATE TABLE retention_runs (
    id TEXT PRIMARY KEY,
    month TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    schedule_version TEXT NOT NULL,
    schedule_digest TEXT NOT NULL,
    zammad_url TEXT,
    planned INTEGER NOT NULL CHECK (planned >= 0)
);
CREATE TABLE retention_log (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES retention_runs(id),
    month TEXT NOT NULL,
    target TEXT NOT NULL CHECK (target IN ('ticket', 'account')),
    zammad_id INTEGER NOT NULL,
    ticket_number TEXT,
    rule TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('delete', 'anonymise', 'review')),
    outcome TEXT NOT NULL
        CHECK (outcome IN ('done', 'failed', 'skipped', 'listed', 'already gone', 'timed out')),
    reason TEXT,
    task_id INTEGER,
    verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
    kept TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX retention_log_run ON retention_log(run_id);
CREATE INDEX retention_log_target ON retention_log(target, zammad_id);
CREATE TABLE retention_approvals (
    id INTEGER PRIMARY KEY,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    schedule_version TEXT NOT NULL,
    schedule_digest TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
""" + "".join(
    _APPEND_ONLY.format(table=table, label=label)
    + _NO_REPLACE.format(table=table, match="id = NEW.id", label=label)
    for table, label in (
        ("retention_log", "retention log"),
        ("retention_approvals", "register of schedule approvals"),
    )
)

# A migration is an SQL script or a function of the connection; either runs inside the one
# transaction that also stamps the version.
Migration = str | Callable[[sqlite3.Connection], None]

# Which subject access package was sent for a request: the SHA-256 of its manifest.json,
# which lists the SHA-256 of every file sent, so the record pins the whole response.
_PACKAGES_SENT = """
CREATE TABLE request_packages_sent (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    sent_on TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
    files INTEGER NOT NULL CHECK (files >= 0),
    recorded_at TEXT NOT NULL
);
CREATE INDEX request_packages_sent_request ON request_packages_sent(request_id);
""" + _APPEND_ONLY.format(table="request_packages_sent", label="record of packages sent")

# Ordered: MIGRATIONS[i] takes a file from user_version i to i + 1. Never edit a released
# entry; append a new one.
MIGRATIONS: list[Migration] = [
    _V1,
    accountability.TRAIL,
    accountability.request_register_fits_the_law,
    accountability.CANDIDATES,
    _ERASURE_STEPS,
    _PACKAGES_SENT,
    _RETENTION_LOG,
]
