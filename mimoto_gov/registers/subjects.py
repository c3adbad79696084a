"""People in the registers: normalised email addresses and their keyed hashes.

An address is compared lower-cased and stripped. Each register row naming a person also stores
``keyed_hash(email)``: HMAC-SHA256 of the normalised address under a secret key (32 random
bytes). The hash lets the workbook recognise an erased person again (in a later pull, on the
mailing list) without keeping their address; without the key nobody can test guesses against
it.

The key lives outside the data folder, so that a copy or backup of the folder (registers and
hashes) does not carry the means to test candidate addresses: ``$MIMOTO_GOV_KEY_FILE``, by
default ``~/.config/mimoto-gov/erasure.key`` (under ``$XDG_CONFIG_HOME`` when set), 0600 in a
0700 folder. It is read from the environment only, never from ``.env``, so its place does not
depend on the folder a command runs in. It is created on first use, but never while the
registers already hold hashes made with a key that has gone missing: that is one line saying
so, since a new key would silently stop recognising everyone recorded. A key left by an older
version in ``<data>/.erasure-key`` is moved out to the key file on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path

from mimoto_gov.errors import ConfigError, InputError, RegisterError
from mimoto_gov.support.bounds import check_email_length
from mimoto_gov.support.files import PRIVATE_FILE_MODE, private_dir

KEY_ENV = "MIMOTO_GOV_KEY_FILE"
KEY_NAME = "erasure.key"
# Where older versions kept the key, inside the data folder.
LEGACY_KEY_FILE = ".erasure-key"
REGISTERS_NAME = "registers.sqlite"
_KEY_BYTES = 32
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")


def erasure_key_path() -> Path:
    """Return where the keyed-hash key lives: ``$MIMOTO_GOV_KEY_FILE`` or the config default."""
    value = os.environ.get(KEY_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config).expanduser() if config else Path.home() / ".config"
    return base / "mimoto-gov" / KEY_NAME


def normalise_email(text: str, name: str = "email") -> str:
    """Return ``text`` stripped and lower-cased, or raise if it is not an email address.

    Raises:
        InputError: ``--email: 'bob.example.com' is not an email address``, or an address
            longer than RFC 5321 allows.

    """
    value = check_email_length((text or "").strip().lower(), name)
    if not _EMAIL_RE.match(value):
        raise InputError(f"{name}: {text!r} is not an email address")
    return value


def registers_hold_hashes(conn: sqlite3.Connection) -> bool:
    """Tell whether a registers database already holds keyed hashes (any ``subject_hash``)."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        columns = {c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')}
        if (
            "subject_hash" in columns
            and conn.execute(
                f'SELECT 1 FROM "{table}" WHERE subject_hash IS NOT NULL LIMIT 1'  # noqa: S608
            ).fetchone()
        ):
            return True
    return False


def _file_holds_hashes(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            return registers_hold_hashes(conn)
        finally:
            conn.close()
    except sqlite3.Error as error:
        # Unsure means no new key: a wrong guess here would silently orphan every hash.
        raise RegisterError(f"cannot tell whether {path} holds keyed hashes: {error}") from None


def _install_key(path: Path, text: str) -> None:
    """Put a key file in place atomically; if another process won the race, keep theirs."""
    private_dir(path.parent)
    # Write to a private temporary file and link it into place: link() fails if another
    # process got there first, and then both use the one that is there.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _parse_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise RegisterError(f"{path} is damaged: it should hold {_KEY_BYTES} bytes in hex")
    return key


def _inside(path: Path, folder: Path) -> bool:
    return path.absolute().resolve().is_relative_to(folder.absolute().resolve())


def load_key(
    data_dir: Path | None = None, *, holds_hashes: Callable[[], bool] | None = None
) -> bytes:
    """Read the keyed-hash key, creating it on first use (see the module docstring).

    Args:
        data_dir: the workbook's data folder: the key must not be inside it, and a key an
            older version left there is moved out.
        holds_hashes: tells whether the registers already hold hashes (by default, read from
            ``<data>/registers.sqlite``); while they do, a missing key is an error, never a
            new key.

    Raises:
        ConfigError: ``MIMOTO_GOV_KEY_FILE`` names a file inside the data folder.
        RegisterError: the key is missing but the registers hold hashes, or it is damaged.

    """
    path = erasure_key_path()
    if data_dir is not None and _inside(path, Path(data_dir)):
        raise ConfigError(
            f"{KEY_ENV} must name a file outside the data folder ({data_dir}): a copy of the "
            "folder must not carry the key to its own hashes"
        )
    if not path.exists():
        legacy = Path(data_dir) / LEGACY_KEY_FILE if data_dir is not None else None
        if legacy is not None and legacy.is_file():
            _parse_key(legacy)
            _install_key(path, legacy.read_text(encoding="ascii").strip())
            legacy.unlink()
        else:
            if holds_hashes is None and data_dir is not None:
                registers = Path(data_dir) / REGISTERS_NAME
                holds_hashes = lambda: _file_holds_hashes(registers)  # noqa: E731
            if holds_hashes is not None and holds_hashes():
                raise RegisterError(
                    f"the erasure key {path} is missing, but the registers already hold "
                    f"keyed hashes made with it: restore the key from its backup (or set "
                    f"{KEY_ENV} to where it is); a new key would recognise nobody recorded"
                )
            _install_key(path, secrets.token_hex(_KEY_BYTES))
    return _parse_key(path)


def secret_key(data_dir: Path | None = None) -> bytes:
    """Return the workbook's secret: the key of every keyed digest (hashes, the trail)."""
    return load_key(data_dir)


def keyed_hash(email: str, data_dir: Path | None = None) -> str:
    """Return the keyed hash of an email address (hex HMAC-SHA256 of the normalised address).

    Args:
        email: the address; it is stripped and lower-cased first (not validated, so that
            odd addresses found in Zammad hash consistently too).
        data_dir: the workbook's data folder (see :func:`load_key`).

    Returns:
        64 hexadecimal characters; the same address always gives the same hash.

    Raises:
        InputError: the address is empty.

    """
    return keyed_hasher(data_dir)(email)


def keyed_hasher(
    data_dir: Path | None = None, *, holds_hashes: Callable[[], bool] | None = None
) -> Callable[[str], str]:
    """Return a :func:`keyed_hash` function with the key read once, for many addresses."""
    key = load_key(data_dir, holds_hashes=holds_hashes)

    def hash_one(email: str) -> str:
        normalised = (email or "").strip().lower()
        if not normalised:
            raise InputError("cannot hash an empty email address")
        return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()

    return hash_one
