"""The policy files an erasure reads: the backups of retention.yml, erasure.yml, the recipients.

Each is read from the workbook's policy folder (``$MIMOTO_GOV_DATA/policy``) when it has its
own copy, else from the repository's ``data/policy/``. The backups and the provider's logs are
the ``backups`` section of the retention schedule (``retention.yml``), the one source for every
store's retention. A missing or malformed file is one line naming it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from mimoto_gov.erasure.model import BackupPolicy, KeepPolicy, Recipient
from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.ropa import load_ropa
from mimoto_gov.policy.schedule import (
    default_schedule_path,
    load_schedule,
    repository_schedule_path,
)
from mimoto_gov.settings import POLICY_DIR

ERASURE_FILE = "erasure.yml"
ROPA_FILE = "ropa.yml"
_REPO_POLICY_DIR = POLICY_DIR


def policy_path(policy_dir: Path | None, name: str, what: str) -> Path:
    """Return the policy file to read: the workbook's copy, else the repository's.

    Raises:
        ConfigError: neither exists.

    """
    candidates = [Path(policy_dir) / name] if policy_dir else []
    candidates.append(_REPO_POLICY_DIR / name)
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ConfigError(f"{candidates[0]} is missing: {what}")
    return path


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is malformed: {' '.join(str(error).split())}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is malformed: expected a mapping")
    return data


def load_backup_policy(policy_dir: Path | None = None) -> BackupPolicy:
    """Read the ``backups`` section of the retention schedule (the policy folder's copy first).

    Args:
        policy_dir: the folder holding ``retention.yml`` (``$MIMOTO_GOV_DATA/policy``); the
            repository's schedule is read when it has none.

    Raises:
        ConfigError: the schedule is malformed or has no ``backups`` section.

    """
    path = default_schedule_path(Path(policy_dir)) if policy_dir else repository_schedule_path()
    policy = load_schedule(path).backups
    if policy is None:
        raise ConfigError(
            f"{path.name} has no 'backups' section: it lists the backups an erasure leaves"
        )
    return policy


def _words(value, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name} must be a list of words")
    return tuple(" ".join(v.split()) for v in value)


def load_keep_policy(policy_dir: Path | None = None) -> KeepPolicy:
    """Read ``erasure.yml``: what may have to be kept, the placeholder customer, who is told.

    Raises:
        ConfigError: the file is missing or malformed (names the file and the problem).

    """
    path = policy_path(policy_dir, ERASURE_FILE, "it says what an erasure must ask to keep")
    data = _read(path)
    try:
        keep = data["keep"]
        customer = data["kept_tickets_customer"]
        not_notified = data.get("not_notified") or {}
        if not isinstance(not_notified, dict):
            raise ValueError("not_notified must map a recipient's name to the reason")
        years = int(keep.get("keep_years", 6))
        if years < 1:
            raise ValueError("keep_years must be at least 1")
        policy = KeepPolicy(
            basis=" ".join(str(keep["basis"]).split()),
            groups=_words(keep.get("groups") or [], "keep.groups"),
            words=_words(keep["words"], "keep.words"),
            keep_years=years,
            customer_email=str(customer["email"]).strip().lower(),
            customer_firstname=str(customer.get("firstname") or "Kept"),
            customer_lastname=str(customer.get("lastname") or "records"),
            not_notified={str(k): " ".join(str(v).split()) for k, v in not_notified.items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"{path} is malformed: {error}") from None
    if "@" not in policy.customer_email:
        raise ConfigError(f"{path} is malformed: kept_tickets_customer.email is not an address")
    return policy


def load_recipients(
    policy_dir: Path | None = None, keep_policy: KeepPolicy | None = None
) -> tuple[Recipient, ...]:
    """Read the record of processing's recipients, each told of an erasure or not (and why).

    Args:
        policy_dir: the workbook's policy folder.
        keep_policy: for its ``not_notified`` list (read from ``erasure.yml`` when None).

    Raises:
        ConfigError: the record of processing is missing or malformed.

    """
    keep_policy = keep_policy or load_keep_policy(policy_dir)
    ropa = load_ropa(policy_path(policy_dir, ROPA_FILE, "the record of processing"))
    recipients = []
    for entry in ropa["recipients"]:
        name = " ".join(str(entry["name"]).split())
        why_not = keep_policy.not_notified.get(name, "")
        recipients.append(
            Recipient(
                name=name,
                role=" ".join(str(entry.get("role") or "").split()),
                service=" ".join(str(entry.get("service") or "").split()),
                told=not why_not,
                why_not=why_not,
            )
        )
    return tuple(recipients)
