"""Private, atomic file handling for the workbook's own copies of personal data.

The workbook holds personal data itself, so its folders are private to the user (0700) and
its files 0600, and every write is atomic: a reader sees the old file or the new one, never
half of one. Whole folders (a snapshot, a report run) are replaced by renaming a finished
sibling folder into place.

Folders the workbook writes into are never followed through symbolic links: a link where a
folder should be (``reports/retention-review`` pointing elsewhere) is refused in one line
naming it, rather than written through and chmodded. Paths built from names that come from
outside (a gauge id from a server, an attachment's file name, a request id, a report kind)
are built by :func:`safe_path`, which refuses any name that is not one plain file name and
any result resolving outside the folder it belongs to.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mimoto_gov.errors import UnsafePath

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_BAD_NAME_CHARACTERS = ("/", "\\", "\x00")


def refuse_link(path: Path) -> Path:
    """Return ``path``, or refuse it when it is a symbolic link (the workbook never follows one).

    Raises:
        UnsafePath: one line naming the link.

    """
    path = Path(path)
    if path.is_symlink():
        raise UnsafePath(
            f"{path} is a symbolic link: the workbook does not write through links; "
            "make it a real folder (or point MIMOTO_GOV_DATA / MIMOTO_GOV_REPORTS at the target)"
        )
    return path


def safe_path(root: Path, *names: str) -> Path:
    """Return ``root/name/...`` built from plain names, refusing anything that could escape.

    Each name must be one file name: not empty, not ``.`` or ``..``, without a slash, a backslash
    or NUL. The result must resolve inside ``root``, and no component below ``root`` may be a
    symbolic link. Nothing is created.

    Args:
        root: the folder the path belongs to.
        *names: the folder and file names below it, outermost first.

    Raises:
        UnsafePath: one line naming the bad name or the link.

    """
    root = Path(root)
    path = root
    for name in names:
        text = str(name)
        if text in ("", ".", "..") or any(c in text for c in _BAD_NAME_CHARACTERS):
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise UnsafePath(f"{shown!r} cannot be used as a name inside {root}")
        path = refuse_link(path / text)
    if not path.resolve().is_relative_to(root.resolve()):
        raise UnsafePath(f"{path} would be outside {root}")
    return path


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it private to the user.

    Raises:
        UnsafePath: ``path`` is a symbolic link (it is neither followed nor chmodded).

    """
    path = refuse_link(Path(path))
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
    target = refuse_link(Path(target))
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
    """Make every folder under ``root`` 0700 and every file 0600; links are left alone.

    A chmod through a link would change its target, wherever that is, so links are skipped
    (and folders behind them are not entered).
    """
    root = refuse_link(Path(root))
    if not root.exists():
        return
    root.chmod(PRIVATE_DIR_MODE)
    for path in root.rglob("*"):
        if path.is_symlink():
            continue
        path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
