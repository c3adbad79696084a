"""Every promise of the privacy policy, with its status and evidence.

``data/policy/commitments.yml`` lists the promises, each quoting the policy's clause and
naming a check (:mod:`mimoto_gov.commitments.checks`). :func:`check_commitments` runs them all
and returns the "Commitments at a glance" table of the monthly review: each promise, its
status (met, not met, evidence missing), the evidence in a sentence, what to do and who.

The review also shows :func:`policy_changes` (what changed in the policy text since last
month, from git, and which commitments the change touches) and ends with
:func:`record_of_processing` (the Article 30 record, ``ropa.yml``). Entries the demo marked
as examples are refused as evidence outside the demo's own folder
(:mod:`mimoto_gov.commitments.examples`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.commitments.checks import (
    CHECKS,
    MET,
    MISSING,
    NOT_MET,
    STATUSES,
    CheckContext,
    Outcome,
    missing,
    shorten,
)
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.gauges.analytics_period import desk_hosts
from mimoto_gov.policy.files import (
    COMMITMENTS_FILE,
    POLICY_FILE,
    Commitment,
    Commitments,
    load_commitments,
    policy_file,
    read_policy_text,
)
from mimoto_gov.policy.history import PolicyChange, policy_changes
from mimoto_gov.policy.ropa import record_of_processing
from mimoto_gov.settings import Settings, load_settings

COLUMNS = ["id", "promise", "clause", "status", "evidence", "action", "owner"]
CLAUSE_CHARS = 160
NOTHING_TO_DO = "Nothing to do."


def run_check(ctx: CheckContext, item: Commitment) -> Outcome:
    """Run one commitment's check; a clause gone from the policy or an error is no evidence."""
    if item.clause not in ctx.policy_text:
        return missing(
            "the quoted clause is no longer in the policy text",
            "Update the entry in commitments.yml to the policy's current wording "
            "(or remove it if the promise was dropped)",
        )
    try:
        return CHECKS[item.check](ctx, item)
    except MimotoGovError as error:
        # Damaged evidence (an unreadable snapshot or registers file) is not a pass or a fail.
        return missing(str(error))


def check_commitments(
    *,
    data_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    today: date | None = None,
    policy_path: Path | str | None = None,
    commitments_path: Path | str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Check every promise of the privacy policy against its evidence.

    Args:
        data_dir: the workbook data folder (registers, snapshot, Gaug.es tables); the
            settings' by default.
        reports_dir: the reports folder (the latest site audit); the settings' by default.
        today: the day to judge on (deadlines, attestation expiry); today by default.
        policy_path: the privacy policy text (``<data>/policy/privacy-policy.md`` or the
            repository's ``data/policy/privacy-policy.md``).
        commitments_path: ``commitments.yml`` (found the same way).
        settings: the workbook's settings (the folders' defaults and the service desk's
            host, which the analytics audit needs); read from the environment when None.

    Returns:
        One row per promise, in the policy's order: id, promise, clause (shortened), status
        ("met", "not met" or "evidence missing"), evidence, action (what to do; "Nothing
        to do." when met), owner.

    Raises:
        ConfigError: the policy or the commitments file is missing or malformed.

    """
    settings = load_settings() if settings is None else settings
    data_dir = Path(data_dir) if data_dir is not None else settings.data_dir
    reports_dir = Path(reports_dir) if reports_dir is not None else settings.reports_dir
    policy = Path(policy_path) if policy_path is not None else policy_file(POLICY_FILE, data_dir)
    if commitments_path is None:
        commitments_path = policy_file(COMMITMENTS_FILE, data_dir)
    commitments = load_commitments(commitments_path, checks=CHECKS)
    context = CheckContext(
        data_dir=data_dir,
        reports_dir=reports_dir,
        today=today or date.today(),
        policy_path=policy,
        policy_text=read_policy_text(policy),
        attestation_valid_days=commitments.attestation_valid_days,
        helpdesk_hosts=desk_hosts(settings.zammad_url),
    )
    with context:
        rows = [commitment_row(item, run_check(context, item)) for item in commitments]
    return pd.DataFrame(rows, columns=COLUMNS)


def commitment_row(item: Commitment, outcome: Outcome) -> dict[str, str]:
    """Return one row of the commitments table: the promise, its outcome and what to do."""
    action = NOTHING_TO_DO if outcome.status == MET else outcome.action or item.action
    return {
        "id": item.id,
        "promise": item.title,
        "clause": shorten(item.clause, CLAUSE_CHARS),
        "status": outcome.status,
        "evidence": shorten(outcome.evidence),
        "action": shorten(action),
        "owner": item.owner,
    }


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """Count the promises per status (every status present, in order), for key figures."""
    counts = table["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


__all__ = [
    "CHECKS",
    "COLUMNS",
    "MET",
    "MISSING",
    "NOT_MET",
    "STATUSES",
    "Commitment",
    "Commitments",
    "PolicyChange",
    "check_commitments",
    "load_commitments",
    "policy_changes",
    "record_of_processing",
    "run_check",
    "status_counts",
]
