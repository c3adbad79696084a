"""The policy files staff edit: the privacy policy text, its commitments, the ROPA.

They live in ``data/policy/`` of the repository. A workbook whose data folder is elsewhere
(``MIMOTO_GOV_DATA``) may keep its own copy in ``<data>/policy/``; that copy wins when it
exists, as for the retention schedule.

``commitments.yml`` has one entry per promise of the policy, each quoting the clause it comes
from. A clause is compared with the policy's text as a reader sees it: a Markdown link counts
as its words only, and runs of white space as one space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mimoto_gov.errors import ConfigError
from mimoto_gov.settings import POLICY_DIR, load_settings

POLICY_FILE = "privacy-policy.md"
COMMITMENTS_FILE = "commitments.yml"
ROPA_FILE = "ropa.yml"
DEFAULT_VALID_DAYS = 365

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_REQUIRED = ("id", "title", "clause", "check", "evidence", "owner", "action")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def repository_policy_dir() -> Path:
    """Return ``data/policy`` of the repository this package sits in."""
    return POLICY_DIR


def policy_file(name: str, data_dir: Path | str | None = None) -> Path:
    """Return where a policy file is read from: ``<data>/policy/<name>`` or the repository's.

    Args:
        name: the file name (``privacy-policy.md``, ``commitments.yml``, ``ropa.yml``...).
        data_dir: the workbook data folder (the settings' by default).

    """
    if data_dir is None:
        data_dir = load_settings().data_dir
    candidate = Path(data_dir) / "policy" / name
    return candidate if candidate.is_file() else repository_policy_dir() / name


def normalise_text(text: str) -> str:
    """Return text as a reader sees it: Markdown links as their words, white space collapsed."""
    return " ".join(_LINK.sub(r"\1", text or "").split())


def read_policy_text(path: Path | str) -> str:
    """Read the privacy policy and return its normalised text (see :func:`normalise_text`).

    Raises:
        ConfigError: the file is missing or unreadable.

    """
    path = Path(path)
    try:
        return normalise_text(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"privacy policy not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: cannot be read ({error.__class__.__name__})") from None


class _Loader(yaml.SafeLoader):
    """The safe loader, with a date that does not exist (``2026-02-30``) a YAML error."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        # PyYAML lets datetime's ValueError escape; give it the line it was on
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date ({error})", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml_text(text: str) -> Any:
    """Parse YAML as ``yaml.safe_load`` does, an impossible date being a ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def read_yaml(path: Path | str, what: str) -> Any:
    """Read a YAML file staff edit, with a one-line error naming the file and the line.

    Raises:
        ConfigError: missing, unreadable or not valid YAML (a date that does not exist, such
            as ``approved_on: 2026-02-30``, included).

    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: cannot be read ({error.__class__.__name__})") from None
    try:
        return load_yaml_text(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise ConfigError(f"{path.name}: not valid YAML{where}: {problem}") from None


@dataclass(frozen=True)
class Commitment:
    """One promise of the privacy policy and how it is checked.

    Attributes:
        id: short stable name (``no-access-logs``).
        title: the promise in a few words.
        clause: the policy's own words (normalised: one space between words).
        check: the name of the check in :mod:`mimoto_gov.commitments.checks`.
        evidence: what the check looks at, in words.
        owner: who acts when it is not met.
        action: what to do when it is not met or its evidence is missing.
        section: the policy heading the clause sits under.
        params: what the check needs.

    """

    id: str
    title: str
    clause: str
    check: str
    evidence: str
    owner: str
    action: str
    section: str = ""
    params: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Commitments:
    """``commitments.yml`` as loaded: its version, attestation period and entries."""

    version: str
    attestation_valid_days: int
    items: tuple[Commitment, ...]
    source: Path

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, commitment_id: str) -> Commitment:
        """Return the entry with this id (KeyError if there is none)."""
        for item in self.items:
            if item.id == commitment_id:
                return item
        raise KeyError(commitment_id)


def load_commitments(path: Path | str | None = None, *, checks=None) -> Commitments:
    """Read and check ``commitments.yml``.

    Args:
        path: the file (by default :func:`policy_file` ``("commitments.yml")``).
        checks: the known check names; when given, an entry naming another is refused.

    Raises:
        ConfigError: one line naming the file and the faulty entry.

    """
    path = Path(path) if path is not None else policy_file(COMMITMENTS_FILE)
    data = read_yaml(path, "commitments file")
    name = path.name
    if not isinstance(data, dict) or not isinstance(data.get("commitments"), list):
        raise ConfigError(f"{name}: expected a mapping with a 'commitments' list")
    valid_days = data.get("attestation_valid_days", DEFAULT_VALID_DAYS)
    if not isinstance(valid_days, int) or isinstance(valid_days, bool) or valid_days <= 0:
        raise ConfigError(f"{name}: attestation_valid_days must be a whole number of days")
    items = []
    seen: set[str] = set()
    for number, entry in enumerate(data["commitments"], start=1):
        where = f"{name}: entry {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not a mapping")
        missing = [key for key in _REQUIRED if not str(entry.get(key) or "").strip()]
        if missing:
            raise ConfigError(f"{where} lacks {', '.join(missing)}")
        commitment_id = str(entry["id"]).strip()
        where = f"{name}: {commitment_id}"
        if not _ID.match(commitment_id):
            raise ConfigError(f"{where}: an id is lower-case letters, digits and hyphens")
        if commitment_id in seen:
            raise ConfigError(f"{where}: the id is used twice")
        seen.add(commitment_id)
        check = str(entry["check"]).strip()
        if checks is not None and check not in checks:
            raise ConfigError(f"{where}: no check named {check!r}")
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{where}: params must be a mapping")
        items.append(
            Commitment(
                id=commitment_id,
                title=_line(entry["title"]),
                clause=normalise_text(str(entry["clause"])),
                check=check,
                evidence=_line(entry["evidence"]),
                owner=_line(entry["owner"]),
                action=_line(entry["action"]),
                section=_line(entry.get("section") or ""),
                params=params,
            )
        )
    return Commitments(
        version=str(data.get("version") or "unversioned"),
        attestation_valid_days=valid_days,
        items=tuple(items),
        source=path,
    )


def _line(value: Any) -> str:
    return " ".join(str(value).split())
