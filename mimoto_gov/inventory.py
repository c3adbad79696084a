"""The Zammad inventory as pandas frames, loaded from the local snapshot without the network.

``mimoto-gov pull`` writes the snapshot (:mod:`mimoto_gov.zammad.sync`);
:func:`load_inventory` loads it back. The frames' columns and types are described in
:mod:`mimoto_gov.zammad.frames`; the names below are re-exported from there and from
:mod:`mimoto_gov.zammad.snapshot` for the jobs and notebooks.
"""

from __future__ import annotations

from pathlib import Path

from mimoto_gov.settings import load_settings
from mimoto_gov.zammad.frames import PUBLIC_COLUMNS, TABLES, attachment_records, frame
from mimoto_gov.zammad.snapshot import (
    SCHEMA_VERSION,
    STATE_FILE,
    Inventory,
    read_snapshot,
)

__all__ = [
    "PUBLIC_COLUMNS",
    "SCHEMA_VERSION",
    "STATE_FILE",
    "TABLES",
    "Inventory",
    "attachment_records",
    "frame",
    "load_inventory",
    "read_snapshot",
]


def load_inventory(data_dir: Path | str | None = None) -> Inventory:
    """Load the Zammad inventory from the local snapshot (no network).

    Args:
        data_dir: the workbook's data folder (default: ``MIMOTO_GOV_DATA``, else ``./data``);
            the snapshot is its ``zammad`` sub-folder.

    Returns:
        An :class:`Inventory` with the frames ``tickets``, ``articles``, ``attachments``,
        ``users`` and ``organizations``.

    Raises:
        SnapshotError: there is no snapshot yet, or it is unreadable.

    """
    if data_dir is None:
        data_dir = load_settings().data_dir
    folder = Path(data_dir) / "zammad"
    if not folder.exists():
        # A crash between the two renames of a snapshot swap leaves the previous copy here.
        previous = folder.with_name(f".{folder.name}.old")
        if (previous / STATE_FILE).is_file():
            return read_snapshot(previous)
    return read_snapshot(folder)
