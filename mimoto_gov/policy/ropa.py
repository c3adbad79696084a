"""The record of processing activities (UK GDPR Article 30), kept by hand in ``ropa.yml``.

Staff write it; the workbook reads it, checks it has what Article 30(1) asks for, prints it
as the monthly review's appendix, and counts the fields still marked ``TO BE FILLED BY
STAFF`` or ``TO BE CONFIRMED BY STAFF`` (a gap is marked, never guessed).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.errors import ConfigError
from mimoto_gov.formats import uk_date
from mimoto_gov.policy.files import ROPA_FILE, policy_file, read_yaml

PLACEHOLDER = re.compile(r"^\s*TO BE (?:FILLED|CONFIRMED) BY STAFF", re.IGNORECASE)
ACTIVITY_FIELDS = (
    "purposes", "lawful_basis", "data_subjects", "data_categories", "recipients", "transfers",
    "retention",
)  # fmt: skip
RECIPIENT_FIELDS = ("role", "service", "data", "agreement", "location")
ROPA_COLUMNS = ["Section", "Item", "Detail"]


def is_placeholder(value: Any) -> bool:
    """Tell whether a field still waits for staff (``TO BE FILLED/CONFIRMED BY STAFF``)."""
    return isinstance(value, str) and bool(PLACEHOLDER.match(value))


def load_ropa(path: Path | str | None = None) -> dict:
    """Read and check ``ropa.yml``.

    Args:
        path: the file; by default ``<data>/policy/ropa.yml`` or the repository's copy.

    Returns:
        The record as a dict (``controller``, ``activities``, ``recipients``, ``transfers``,
        ``security``, plus ``version``, ``last_reviewed``, ``owner``).

    Raises:
        ConfigError: one line naming the file and what is missing.

    """
    path = Path(path) if path is not None else policy_file(ROPA_FILE)
    data = read_yaml(path, "record of processing")
    name = path.name
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: expected a mapping")
    controller = data.get("controller")
    if not isinstance(controller, dict) or not controller.get("name"):
        raise ConfigError(f"{name}: 'controller' needs at least a name")
    for section in ("activities", "recipients", "security"):
        if not isinstance(data.get(section), list) or not data[section]:
            raise ConfigError(f"{name}: '{section}' must be a non-empty list")
    for number, activity in enumerate(data["activities"], start=1):
        if not isinstance(activity, dict) or not activity.get("name"):
            raise ConfigError(f"{name}: activity {number} needs a name")
        missing = [f for f in ACTIVITY_FIELDS if not str(activity.get(f) or "").strip()]
        if missing:
            raise ConfigError(f"{name}: activity {activity['name']!r} lacks {', '.join(missing)}")
    for number, recipient in enumerate(data["recipients"], start=1):
        if not isinstance(recipient, dict) or not recipient.get("name"):
            raise ConfigError(f"{name}: recipient {number} needs a name")
        if not str(recipient.get("role") or "").strip():
            raise ConfigError(f"{name}: recipient {recipient['name']!r} lacks its role")
    if not str(data.get("transfers") or "").strip():
        raise ConfigError(f"{name}: 'transfers' must say where data goes outside the UK, or none")
    data["source"] = str(path)
    return data


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return " ".join(str(value if value is not None else "").split())


# Labels that plain capitalisation would get wrong.
_LABELS = {"ico_registration": "ICO registration"}


def _label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " ").capitalize())


def ropa_rows(data: dict) -> list[tuple[str, str, str]]:
    """Flatten a loaded record into (section, item, detail) rows, in reading order."""
    rows = [
        ("Record", "Version", _text(data.get("version") or "unversioned")),
        ("Record", "Last reviewed", _uk(data.get("last_reviewed"))),
        ("Record", "Owner", _text(data.get("owner") or "")),
    ]
    rows += [("Controller", _label(k), _text(v)) for k, v in data["controller"].items()]
    for activity in data["activities"]:
        section = f"Processing: {_text(activity['name'])}"
        rows += [(section, _label(f), _text(activity[f])) for f in ACTIVITY_FIELDS]
    for recipient in data["recipients"]:
        section = f"Recipient: {_text(recipient['name'])}"
        rows += [
            (section, _label(f), _text(recipient[f])) for f in RECIPIENT_FIELDS if f in recipient
        ]
    rows.append(("Transfers outside the UK", "Transfers", _text(data["transfers"])))
    rows += [("Security measures", "Measure", _text(m)) for m in data["security"]]
    return rows


def _uk(value: Any) -> str:
    if isinstance(value, date):
        return uk_date(value)
    return _text(value or "not recorded")


def record_of_processing(path: Path | str | None = None) -> pd.DataFrame:
    """Return the record of processing as one display-ready table.

    Args:
        path: ``ropa.yml`` (by default the data folder's copy, else the repository's).

    Returns:
        Columns Section, Item, Detail: the record's version and owner, the controller, each
        processing activity (purposes, lawful basis, subjects, data, recipients, transfers,
        retention), each recipient, transfers and security measures. Fields still to be
        filled keep their ``TO BE ... BY STAFF`` text, so the gaps show.

    Raises:
        ConfigError: the file is missing or malformed.

    """
    return pd.DataFrame(ropa_rows(load_ropa(path)), columns=ROPA_COLUMNS)


def ropa_gaps(data: dict) -> list[str]:
    """Return ``Section: Item`` for every field still marked for staff to fill."""
    return [
        f"{section}: {item}" for section, item, detail in ropa_rows(data) if is_placeholder(detail)
    ]
