"""The checks that read the policy files, the retention schedule and attestations.

A promise only a person can vouch for needs a current attestation in the register; the record
of processing must name the service desk's provider as a processor with its agreement and
place; the policy must state a retention period; and its text must be committed and pushed.
"""

from __future__ import annotations

from mimoto_gov.commitments.evidence import attest_action, attested
from mimoto_gov.commitments.model import CheckContext, Outcome, check, met, missing, not_met
from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import ConfigError, RegisterError
from mimoto_gov.policy.files import Commitment
from mimoto_gov.policy.history import GitUnavailable, policy_history
from mimoto_gov.policy.ropa import is_placeholder
from mimoto_gov.retention.approval import load_approved_schedule


@check("attestation")
def attestation(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge a fact only a person can vouch for: a current attestation in the register."""
    key = str(item.params.get("attestation") or item.id)
    ok, sentence = attested(ctx, key, item.params.get("valid_days"))
    return met(sentence) if ok else missing(sentence, attest_action(item, key))


@check("processor_recorded")
def processor_recorded(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the record of processing: the provider a processor, agreement and place known."""
    name = str(item.params.get("recipient") or "Zammad")
    try:
        record = ctx.ropa()
    except ConfigError as error:
        return missing(str(error))
    found = [r for r in record["recipients"] if name.lower() in str(r.get("name", "")).lower()]
    if not found:
        return not_met(f"{name} is not listed as a recipient in the record of processing")
    recipient = found[0]
    label, role = recipient["name"], str(recipient.get("role") or "")
    if "processor" not in role.lower():
        return not_met(f"{label} is recorded as {role!r}, not as a processor")
    unknown = [
        f
        for f in ("agreement", "location")
        if is_placeholder(recipient.get(f)) or not recipient.get(f)
    ]
    if unknown:
        return missing(
            f"{label} recorded as processor; its {' and '.join(unknown)} still to confirm"
        )
    return met(
        f"{label} recorded as processor; agreement: {recipient['agreement']}; "
        f"location: {recipient['location']}"
    )


@check("retention_period")
def retention_period(ctx: CheckContext, item: Commitment) -> Outcome:
    """'Indefinitely' is not a retention period: flag it, with the schedule's state."""
    phrase = str(item.params.get("phrase") or "indefinitely")
    try:
        schedule = load_approved_schedule(ctx.data_dir)
        state = (
            f"schedule {schedule.version} approved on {uk_date(schedule.approved_on)} by "
            f"{schedule.approval.approved_by}"
            if schedule.approved
            else f"schedule {schedule.version} proposed, not yet approved"
        )
    except (ConfigError, RegisterError) as error:
        schedule, state = None, str(error)
    if phrase.lower() in item.clause.lower():
        action = None
        if schedule is not None and schedule.approved:
            action = "Change the policy's 'Information lifetime' section to the approved periods"
        return not_met(
            f"the policy says '{phrase}', which is not a retention period (UK GDPR Art. "
            f"5(1)(e)); {state}",
            action,
        )
    if schedule is not None and schedule.approved:
        return met(f"the policy states a period; {state}")
    return not_met(state)


@check("policy_history")
def policy_history_check(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the policy's git history: committed, no pending edits, pushed to the public copy."""
    try:
        history = policy_history(ctx.policy_path)
    except GitUnavailable as error:
        return missing(f"no version history of the policy: {error}")
    if history.last is None:
        return not_met("the policy text has never been committed")
    last = f"{history.last.short} of {uk_date(history.last.day)}"
    if history.uncommitted:
        return not_met(f"the policy file has edits not committed (last commit {last})")
    public = str(item.params.get("public_repository") or "").strip()
    versions = f"{history.versions:,} version(s) in git, last {last}"
    if not public:
        return missing(f"{versions}; the public repository's address is not recorded")
    if not history.pushed_to:
        return not_met(f"{versions}, not pushed to any remote: push it to {public}")
    return met(f"{versions}, pushed ({history.pushed_to[0]}); public at {public}")
