"""Which desk: a command about data in a snapshot calls only the Zammad it was pulled from.

A snapshot records the URL it was pulled from (``zammad_url`` in ``sync_state.json``, written
by :func:`mimoto_gov.zammad.sync.pull`). A subject access package or an erasure that works
from that snapshot and then calls Zammad (ticket history, attachments, deletion tasks) must
call the same desk: ticket and user ids mean different people on another one. So every such
command asks :func:`ensure_same_desk` first, before anything is sent or written.

URLs are compared normalised (:func:`normalise_url`): scheme and host in lower case, the
default port dropped, a trailing ``/`` or ``/api/v1`` dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from mimoto_gov.errors import WrongDesk

API_PREFIX = "/api/v1"
# Where zammad.sync keeps the pull's bookkeeping (inventory.STATE_FILE), and the copy a crash
# between the two renames of a snapshot swap can leave.
SNAPSHOT_FOLDERS = ("zammad", ".zammad.old")
STATE_FILE = "sync_state.json"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Return a Zammad URL in the one form used to compare desks.

    ``HTTPS://Desk.Example.com:443/api/v1/`` and ``https://desk.example.com`` give the same
    text. Credentials in the URL are dropped.
    """
    parts = urlsplit(str(url or "").strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    if path.lower().endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)].rstrip("/")
    return f"{scheme}://{host}{path}"


def recorded_url(data_dir: Path | str) -> str | None:
    """Return the Zammad URL the snapshot in ``data_dir`` was pulled from (None: no snapshot)."""
    for name in SNAPSHOT_FOLDERS:
        state = Path(data_dir) / name / STATE_FILE
        if not state.is_file():
            continue
        try:
            url = json.loads(state.read_text(encoding="utf-8")).get("zammad_url")
        except (OSError, ValueError, AttributeError):
            return None  # unreadable: loading the snapshot reports it
        return str(url) if url else None
    return None


def check_desk(snapshot_url: str | None, zammad_url: str | None) -> None:
    """Refuse, in one line naming both, when the snapshot came from another desk.

    Nothing to compare (no snapshot yet, or no Zammad configured) is not a mismatch.

    Raises:
        WrongDesk: the normalised URLs differ.

    """
    if not snapshot_url or not zammad_url:
        return
    pulled, configured = normalise_url(snapshot_url), normalise_url(zammad_url)
    if pulled != configured:
        raise WrongDesk(
            f"the Zammad snapshot was pulled from {pulled} but ZAMMAD_URL is {configured}: "
            "nothing was sent or written; set ZAMMAD_URL to the snapshot's desk, or pull "
            f"{configured} into its own data folder (MIMOTO_GOV_DATA) first"
        )


def ensure_same_desk(data_dir: Path | str, zammad_url: str | None) -> None:
    """Check the snapshot in ``data_dir`` against the Zammad about to be called.

    Args:
        data_dir: the workbook's data folder (the snapshot is its ``zammad`` folder).
        zammad_url: the desk the command will call (``ZAMMAD_URL``, or its client's URL).

    Raises:
        WrongDesk: the snapshot was pulled from another URL.

    """
    check_desk(recorded_url(data_dir), zammad_url)
