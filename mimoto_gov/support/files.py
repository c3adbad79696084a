"""Private, atomic file handling for the workbook's own copies of personal data.

The workbook holds personal data itself, so its folders are private to the user (0700) and
its files 0600, and every write is atomic: a reader sees the old file or the new one, never
half of one. Whole folders (a snapshot, a report run) are replaced by renaming a finished
sibling folder into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it private to the user."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR_MODE)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically with mode 0600 (the folder is made private)."""
    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(PRIVATE_FILE_MODE)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically with mode 0600."""
    return write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def replacing_dir(target: Path) -> Iterator[Path]:
    """Yield a private staging folder that replaces ``target`` when the block succeeds.

    On an exception the staging folder is removed and ``target`` is untouched. The swap is two
    renames; between them the previous version is kept as ``<target>.old`` so that a crash
    at that moment still leaves a loadable copy.
    """
    target = Path(target)
    private_dir(target.parent)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".new"))
    staging.chmod(PRIVATE_DIR_MODE)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.replace(old)
    staging.replace(target)
    shutil.rmtree(old, ignore_errors=True)


def restrict_tree(root: Path) -> None:
    """Make every folder under ``root`` 0700 and every file 0600."""
    root = Path(root)
    if not root.exists():
        return
    root.chmod(PRIVATE_DIR_MODE)
    for path in root.rglob("*"):
        path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
