"""Find the demo's example entries in a registers file, without changing it.

The marks themselves are in :mod:`mimoto_gov.support.examples`. :func:`example_entries` opens
the file read-only (never creating or migrating it) and counts the marked entries per
register, for ``mimoto-gov doctor`` and the commitments checks.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from mimoto_gov.errors import RegisterError
from mimoto_gov.support.examples import EXAMPLE_FIELDS, is_example


def example_entries(path: Path | str) -> dict[str, int]:
    """Count the demo's example entries in the registers file at ``path``, per register.

    Returns:
        Register name -> number of example entries (registers without any are left out);
        empty when the file does not exist.

    Raises:
        RegisterError: the file exists but is not a readable SQLite file.

    """
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RegisterError(f"{path}: cannot be read ({error})") from None
    counts: dict[str, int] = {}
    with contextlib.closing(conn):
        for register, (table, column) in EXAMPLE_FIELDS.items():
            try:
                values = conn.execute(f"SELECT {column} FROM {table}").fetchall()  # noqa: S608
            except sqlite3.OperationalError:
                continue  # an older file without this register
            except sqlite3.DatabaseError as error:
                raise RegisterError(f"{path}: not a registers file ({error})") from None
            found = sum(1 for (value,) in values if is_example(value))
            if found:
                counts[register] = found
    return counts
