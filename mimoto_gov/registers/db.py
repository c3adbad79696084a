"""The registers' SQLite file: opening it privately, the schema and its migrations.

One file, ``$MIMOTO_GOV_DATA/registers.sqlite``, holds every register. It contains personal
data, so it is created 0600 in a 0700 folder, and ``secure_delete`` is on so that a value
replaced when a person is erased is overwritten in the file rather than left in a free page.

The schema version is SQLite's ``PRAGMA user_version``. :data:`MIGRATIONS` is an ordered list;
migration N brings a file from version N-1 to N inside one transaction, so a file is always at
a version the code knows. A file written by a newer version of the workbook is refused.

A file that exists is never reset: an empty file, another program's database or a symbolic
link is refused in one line and left as it is (a new registers file is built beside and
renamed into place, so a crash cannot leave an empty one behind). A write that fails (a full
disk, a read-only file) rolls back and is one line too.

Every column that holds an email has a ``subject_hash`` beside it (the keyed hash of the
normalised address, see :mod:`mimoto_gov.registers.subjects`): once a person is erased the
email is set to NULL and the hash alone still links their entries.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from mimoto_gov.errors import RegisterError
from mimoto_gov.registers.schema import MIGRATIONS, Migration
from mimoto_gov.support.files import PRIVATE_FILE_MODE, private_dir, refuse_link

SCHEMA_VERSION = len(MIGRATIONS)


def now_utc() -> str:
    """Return the current UTC time as ISO 8601 text, to the second (``created_at`` columns)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# Tables every registers file has had since the first version: their absence means the
# file belongs to another program.
_FIRST_TABLES = frozenset({"requests", "request_subjects", "holds", "erasures"})


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _create(path: Path) -> None:
    """Build a new, migrated registers file beside ``path`` and link it into place."""
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    # Create with 0600 from the start: chmod after the fact would leave a window.
    os.close(os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    try:
        conn = _open(temporary)
        try:
            migrate(conn)
        finally:
            conn.close()
        # link() never replaces: if another process made the file meanwhile, theirs is kept
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    version = schema_version(conn)
    if (version == 0 and tables) or (version > 0 and not tables >= _FIRST_TABLES):
        others = ", ".join(sorted(tables - _FIRST_TABLES)[:3]) or "none of the registers"
        raise RegisterError(
            f"{path} is not a registers file (its tables: {others}); check MIMOTO_GOV_DATA. "
            "It was left as it is"
        )
    if version == 0:
        raise RegisterError(
            f"{path} is an empty database, not a registers file: restore it from a backup, or "
            "move it away to start new registers. It was left as it is"
        )


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the registers file, migrated to the current schema.

    Raises:
        RegisterError: the file cannot be opened, is empty, is not a registers file (another
            program's database, not SQLite at all), or was written by a newer version. An
            existing file is never changed then.
        UnsafePath: the file is a symbolic link.

    """
    path = refuse_link(Path(path))
    try:
        if not path.exists():
            _create(path)
        elif path.stat().st_size == 0:
            raise RegisterError(
                f"{path} is empty, not a registers file: restore it from a backup, or move it "
                "away to start new registers. It was left as it is"
            )
    except (OSError, sqlite3.DatabaseError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise RegisterError(f"cannot create the registers file {path}: {reason}") from None
    conn = None
    try:
        conn = _open(path)
        _refuse_foreign(conn, path)
        migrate(conn)
    except BaseException as error:
        if conn is not None:
            conn.close()
        if isinstance(error, sqlite3.OperationalError):
            raise RegisterError(f"cannot open the registers file {path}: {error}") from None
        if isinstance(error, sqlite3.DatabaseError):
            raise RegisterError(
                f"{path} is not a usable registers file ({error}); it was left as it is"
            ) from None
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
    if version == SCHEMA_VERSION:
        return version
    # Rebuilding a table (the only way to change a constraint) needs foreign keys off, as
    # SQLite's own procedure says; they are checked before each migration commits instead.
    # The pragma cannot change inside a transaction, so it is set around the loop.
    enforcing = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            _apply(conn, MIGRATIONS[target - 1], target)
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if enforcing else 'OFF'}")
    return schema_version(conn)


def _apply(conn: sqlite3.Connection, migration: Migration, target: int) -> None:
    try:
        if callable(migration):
            conn.execute("BEGIN IMMEDIATE")
            migration(conn)
        else:
            # executescript commits a pending transaction first, so the BEGIN goes inside
            # the script; the transaction stays open until the version is stamped below.
            conn.executescript(f"BEGIN IMMEDIATE;\n{migration}\n")
        broken = conn.execute("PRAGMA foreign_key_check").fetchone()
        if broken is not None:
            raise RegisterError(
                f"migration {target} would leave a {broken[0]} row pointing at a missing "
                f"{broken[2]} row"
            )
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block of writes as one transaction: all of them happen, or none.

    SQLite constraint and trigger failures become :class:`RegisterError` with SQLite's message;
    a write the file refuses (a full disk, a read-only file, a lock held too long) rolls back
    and becomes a one-line :class:`RegisterError` too.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except sqlite3.IntegrityError as error:
        _rollback(conn)
        raise RegisterError(str(error)) from None
    except sqlite3.DatabaseError as error:
        _rollback(conn)
        raise RegisterError(
            f"the registers file {_file_of(conn)} could not be written ({error}); nothing was "
            "changed"
        ) from None
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.DatabaseError):
            conn.execute("ROLLBACK")


def _file_of(conn: sqlite3.Connection) -> str:
    with contextlib.suppress(sqlite3.DatabaseError):
        row = conn.execute("PRAGMA database_list").fetchone()
        if row is not None and row[2]:
            return str(row[2])
    return "registers.sqlite"


def next_id(conn: sqlite3.Connection, table: str, prefix: str, year: int) -> str:
    """Return the next human-friendly id in ``table`` for ``year``, e.g. ``R-2026-0007``."""
    stem = f"{prefix}-{year}-"
    rows = conn.execute(
        f"SELECT id FROM {table} WHERE id LIKE ?",  # noqa: S608 - table names are ours
        (stem + "%",),
    ).fetchall()
    numbers = [int(row[0][len(stem) :]) for row in rows if row[0][len(stem) :].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:04d}"
