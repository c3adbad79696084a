"""The local snapshot of Zammad: ``<data>/zammad/*.parquet`` plus ``sync_state.json``.

:func:`read_snapshot` loads one folder back into an :class:`Inventory` without the network;
the pull (:mod:`mimoto_gov.zammad.sync`) writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import SnapshotError
from mimoto_gov.zammad.frames import TABLES

SCHEMA_VERSION = 1
STATE_FILE = "sync_state.json"


@dataclass
class Inventory:
    """Everything the Zammad snapshot holds, as pandas frames.

    Attributes:
        tickets: one row per ticket.
        articles: one row per article (bodies included).
        attachments: one row per attachment (metadata; contents are fetched on demand).
        users: one row per user (customers and staff).
        organizations: one row per organisation.
        snapshot_time: when the pull that made the snapshot started (UTC).
        sync_state: the pull's bookkeeping (watermark, last full pull, counts...).
        path: the snapshot folder.

    """

    tickets: pd.DataFrame
    articles: pd.DataFrame
    attachments: pd.DataFrame
    users: pd.DataFrame
    organizations: pd.DataFrame
    snapshot_time: datetime
    sync_state: dict = field(default_factory=dict)
    path: Path | None = None

    def counts(self) -> dict[str, int]:
        """Return the number of rows of each table."""
        return {table: len(getattr(self, table)) for table in TABLES}

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {table}" for table, n in self.counts().items())
        return f"<Inventory {counts}; as of {self.snapshot_time:%Y-%m-%d %H:%M} UTC>"


def _missing(folder: Path) -> SnapshotError:
    return SnapshotError(f"no Zammad snapshot in {folder}: run `mimoto-gov pull` first")


def read_snapshot(folder: Path) -> Inventory:
    """Load the snapshot stored in ``folder`` (``<data>/zammad``).

    Raises:
        SnapshotError: the folder holds no complete, readable snapshot.

    """
    folder = Path(folder)
    state_path = folder / STATE_FILE
    if not state_path.is_file():
        raise _missing(folder)
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        snapshot_time = datetime.fromisoformat(state["snapshot_time"]).astimezone(UTC)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(
            f"no readable Zammad snapshot in {folder} ({STATE_FILE} is damaged: "
            f"{type(exc).__name__}): run `mimoto-gov pull --full`"
        ) from None
    if state.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotError(
            f"the Zammad snapshot in {folder} was written by another version of mimoto-gov: "
            "run `mimoto-gov pull --full`"
        )
    frames = {}
    for table in TABLES:
        path = folder / f"{table}.parquet"
        if not path.is_file():
            raise _missing(folder)
        try:
            frames[table] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types for bad files
            raise SnapshotError(
                f"no readable Zammad snapshot in {folder} ({path.name} is damaged: "
                f"{type(exc).__name__}): run `mimoto-gov pull --full`"
            ) from None
    return Inventory(**frames, snapshot_time=snapshot_time, sync_state=state, path=folder)
