"""People in the registers: normalised email addresses and their keyed hashes.

An address is compared lower-cased and stripped. Each register row naming a person also stores
``keyed_hash(email)``: HMAC-SHA256 of the normalised address under a secret kept in
``$MIMOTO_GOV_DATA/.erasure-key`` (32 random bytes, created on first use, 0600). The hash lets
the workbook recognise an erased person again (in a later pull, on the mailing list) without
keeping their address; without the key nobody can test guesses against it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.support.bounds import check_email_length
from mimoto_gov.support.files import PRIVATE_FILE_MODE, private_dir

KEY_FILE = ".erasure-key"
_KEY_BYTES = 32
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")


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


def _key(data_dir: Path) -> bytes:
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        private_dir(path.parent)
        # Write the key to a private temporary file and link it into place: link() fails if
        # another process won the race, and then both use the one that is there.
        tmp = path.with_name(f"{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(_KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise RegisterError(f"{path} is damaged: it should hold {_KEY_BYTES} bytes in hex")
    return key


def keyed_hash(email: str, data_dir: Path) -> str:
    """Return the keyed hash of an email address (hex HMAC-SHA256 of the normalised address).

    Args:
        email: the address; it is stripped and lower-cased first (not validated, so that
            odd addresses found in Zammad hash consistently too).
        data_dir: the workbook's data folder, which holds the secret ``.erasure-key``.

    Returns:
        64 hexadecimal characters; the same address always gives the same hash.

    Raises:
        InputError: the address is empty.

    """
    return keyed_hasher(data_dir)(email)


def keyed_hasher(data_dir: Path) -> Callable[[str], str]:
    """Return a :func:`keyed_hash` function with the key read once, for many addresses."""
    key = _key(data_dir)

    def hash_one(email: str) -> str:
        normalised = (email or "").strip().lower()
        if not normalised:
            raise InputError("cannot hash an empty email address")
        return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()

    return hash_one
