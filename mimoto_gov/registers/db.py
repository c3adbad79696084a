"""The registers' SQLite file: opening it privately, the schema and its migrations.

One file, ``$MIMOTO_GOV_DATA/registers.sqlite``, holds every register. It contains personal
data, so it is created 0600 in a 0700 folder, and ``secure_delete`` is on so that a value
replaced when a person is erased is overwritten in the file rather than left in a free page.

The schema version is SQLite's ``PRAGMA user_version``. :data:`MIGRATIONS` is an ordered list;
migration N brings a file from version N-1 to N inside one transaction, so a file is always at
a version the code knows. A file written by a newer version of the workbook is refused.

Every column that holds an email has a ``subject_hash`` beside it (the keyed hash of the
normalised address, see :mod:`mimoto_gov.registers.subjects`): once a person is erased the
email is set to NULL and the hash alone still links their entries.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from mimoto_gov.errors import RegisterError
from mimoto_gov.support.files import PRIVATE_FILE_MODE, private_dir

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

# The retention log (mimoto_gov.registers.retention_log): runs of the schedule, each action
# taken (append-only) and each approval of the schedule (append-only).
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
    for table, label in (
        ("retention_log", "retention log"),
        ("retention_approvals", "register of schedule approvals"),
    )
)

# Ordered: MIGRATIONS[i] takes a file from user_version i to i + 1. Never edit a released
# entry; append a new one.
MIGRATIONS: list[str] = [_V1, _RETENTION_LOG]
SCHEMA_VERSION = len(MIGRATIONS)


def now_utc() -> str:
    """Return the current UTC time as ISO 8601 text, to the second (``created_at`` columns)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _create_private_file(path: Path) -> None:
    private_dir(path.parent)
    # Create with 0600 from the start: chmod after the fact would leave a window.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    path.chmod(PRIVATE_FILE_MODE)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the registers file, migrated to the current schema.

    Raises:
        RegisterError: the file cannot be opened, is not a SQLite database, or was written by
            a newer version.

    """
    path = Path(path)
    try:
        _create_private_file(path)
    except OSError as error:
        raise RegisterError(f"cannot open the registers file {path}: {error.strerror}") from None
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        migrate(conn)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise RegisterError(f"{path} is not a usable registers file: {error}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the file (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the file lacks, each in its own transaction; return the version."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise RegisterError(
            f"the registers file is at schema version {version}, newer than this workbook "
            f"understands ({SCHEMA_VERSION}): upgrade mimoto-gov"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        script = MIGRATIONS[target - 1]
        try:
            # executescript runs the statements as written, so the BEGIN/COMMIT here make the
            # whole migration, version stamp included, one transaction.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block of writes as one transaction: all of them happen, or none.

    SQLite constraint and trigger failures become :class:`RegisterError` with SQLite's message.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except sqlite3.IntegrityError as error:
        conn.execute("ROLLBACK")
        raise RegisterError(str(error)) from None
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def next_id(conn: sqlite3.Connection, table: str, prefix: str, year: int) -> str:
    """Return the next human-friendly id in ``table`` for ``year``, e.g. ``R-2026-0007``."""
    stem = f"{prefix}-{year}-"
    rows = conn.execute(
        f"SELECT id FROM {table} WHERE id LIKE ?",  # noqa: S608 - table names are ours
        (stem + "%",),
    ).fetchall()
    numbers = [int(row[0][len(stem) :]) for row in rows if row[0][len(stem) :].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:04d}"
