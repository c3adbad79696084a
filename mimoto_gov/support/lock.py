"""One destructive command at a time on a data folder.

``erase --execute``, ``tidy --execute`` and the retention actions delete things and rewrite the
snapshot, the registers and the reports. Two of them at once trip over each other's staging
folders and can leave one of them half done, so each takes :func:`data_folder_lock` first.

The lock is ``flock`` on ``<data>/.mimoto-gov.lock``: the operating system releases it when
the process ends, however it ends, so a crash never leaves a stale lock behind. The holder
writes what it is doing into the file (never personal data: a command and a request id), so a
second command that has waited its while can say who holds the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.support.files import PRIVATE_FILE_MODE, private_dir

LOCK_NAME = ".mimoto-gov.lock"
# Long enough for a short command to finish, short enough that cron does not pile up.
DEFAULT_WAIT = 30.0
POLL = 0.2


class FolderBusy(MimotoGovError):
    """Another destructive command holds the data folder."""

    exit_code = 75  # EX_TEMPFAIL: try again later


def lock_path(data_dir: Path | str) -> Path:
    """Return the lock file of a data folder."""
    return Path(data_dir) / LOCK_NAME


def _describe(fd: int) -> str:
    """Say who holds the lock, from what the holder wrote into the file."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        holder = json.loads(text) if text else {}
    except (OSError, ValueError):
        holder = {}
    if not isinstance(holder, dict) or not holder.get("what"):
        return "another mimoto-gov command"
    since = holder.get("since")
    try:
        when = datetime.fromisoformat(since).astimezone(UK_TIME).strftime("%-d %b %Y %H:%M:%S")
    except (TypeError, ValueError):
        when = "an unknown time"
    return (
        f"`mimoto-gov {holder['what']}` (process {holder.get('pid', '?')} on "
        f"{holder.get('host', 'this computer')}, since {when})"
    )


@contextlib.contextmanager
def data_folder_lock(
    data_dir: Path | str, what: str, *, wait: float = DEFAULT_WAIT
) -> Iterator[Path]:
    """Hold the data folder's lock for a destructive command.

    Args:
        data_dir: the workbook's data folder (created if needed, private).
        what: the command, as a person would recognise it (``erase --execute R-2026-0001``);
            never personal data: it is written into the lock file.
        wait: seconds to wait for another holder to finish before refusing.

    Yields:
        The lock file's path.

    Raises:
        FolderBusy: another command still held the folder after ``wait`` seconds (one line
            naming the holder).

    """
    folder = private_dir(Path(data_dir))
    path = lock_path(folder)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    locked = False
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FolderBusy(
                        f"the data folder {folder} is busy: {_describe(fd)} holds it; "
                        f"waited {wait:g} s; run this again when it has finished"
                    ) from None
                time.sleep(min(POLL, remaining))
        holder = {
            "what": what,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
        yield path
    finally:
        if locked:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
