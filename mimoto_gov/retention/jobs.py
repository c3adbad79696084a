"""What would enforce the ticket schedule inside Zammad: scheduler (job) bodies.

The monthly review proposes these as an alternative to ``mimoto-gov retention apply``: one
inactive Zammad scheduler per rule, for staff to check and switch on in Admin > Scheduler.
"""

from __future__ import annotations

import pandas as pd

from mimoto_gov.policy.schedule import Rule, Schedule
from mimoto_gov.zammad import seeds

# Zammad seeds these ids on every install (db/seeds/ticket_states.rb, ticket_article_types.rb);
# an instance with custom states has others, so the snapshot's own ids win when it has them.
ZAMMAD_STATE_IDS = seeds.STATE_IDS
ZAMMAD_ARTICLE_TYPE_IDS = {
    name: type_id
    for name, type_id in seeds.ARTICLE_TYPE_IDS.items()
    if type_id in (1, 2, 3, 4, 5, 10, 11)
}


def zammad_job(
    rule: Rule,
    *,
    state_ids: dict[str, int] | None = None,
    group_ids: dict[str, int] | None = None,
    type_ids: dict[str, int] | None = None,
) -> dict:
    """Build the Zammad scheduler (``POST /api/v1/jobs``) that would enforce one rule.

    The job is created inactive: staff check its preview in Admin > Scheduler before switching
    it on. Deletion goes through data-privacy tasks rather than "delete immediately" so that
    Zammad logs each one. Zammad has no "anonymise" action, so anonymise and review rules tag
    the tickets for the workbook's follow-up instead. Names without a known id are kept in
    ``note`` so nothing is silently dropped.

    Args:
        rule: the rule (the default rule works too: it matches on time alone).
        state_ids: state name -> Zammad id (by default Zammad's seeded ids).
        group_ids: group name -> Zammad id (from the snapshot when it has them).
        type_ids: article type name -> Zammad id (by default Zammad's seeded ids).

    Returns:
        The JSON body as a dict, with an extra ``note`` key for people.

    """
    lookups = {
        "state": ("ticket.state_id", {**ZAMMAD_STATE_IDS, **_fold(state_ids)}),
        "group": ("ticket.group_id", _fold(group_ids)),
        "type": ("ticket.create_article_type_id", {**ZAMMAD_ARTICLE_TYPE_IDS, **_fold(type_ids)}),
    }
    condition: dict[str, dict] = {}
    notes = []
    for key, values in rule.match:
        attribute, ids = lookups[key]
        known = [str(ids[v.casefold()]) for v in values if v.casefold() in ids]
        missing = [v for v in values if v.casefold() not in ids]
        if known:
            condition[attribute] = {"operator": "is", "value": known}
        if missing and key == "type":
            # Not a channel: Zammad's own ticket type attribute, matched by name.
            condition["ticket.type"] = {"operator": "is", "value": missing}
        elif missing:
            notes.append(f"look up the id of {key} {', '.join(missing)} and add it to {attribute}")
    relative = {
        "operator": "before (relative)",
        "value": str(rule.period.amount),
        "range": rule.period.zammad_range,
    }
    if rule.measure_from == "created":
        condition["ticket.created_at"] = relative
    elif rule.measure_from == "closed":
        condition["ticket.close_at"] = relative
    else:
        condition["ticket.last_contact_at"] = dict(relative)
        states = {s.casefold() for s in dict(rule.match).get("state", ())}
        if states == {"closed"}:
            # Zammad conditions are all-of: both dates before the limit is "the latest of them".
            condition["ticket.close_at"] = dict(relative)
        else:
            notes.append(
                "Zammad cannot take the later of two dates: this job counts from the last "
                "contact only, so check its preview before switching it on"
            )
    if rule.action == "delete":
        perform = {"ticket.action": {"value": "data_privacy_deletion_task"}}
    else:
        perform = {"ticket.tags": {"operator": "add", "value": f"retention-{rule.action}"}}
        notes.append(
            f"Zammad cannot {rule.action} by itself: the job tags the tickets "
            f"retention-{rule.action} for the workbook's follow-up"
        )
    return {
        "name": f"Retention: {rule.name} ({rule.period}, {rule.action})",
        "object": "Ticket",
        "condition": condition,
        "perform": perform,
        "disable_notification": True,
        "timeplan": {
            "days": dict.fromkeys(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), True),
            "hours": {"2": True},
            "minutes": {"0": True},
        },
        "active": False,
        "note": "; ".join(notes),
    }


def _fold(mapping: dict[str, int] | None) -> dict[str, int]:
    return {str(k).casefold(): int(v) for k, v in (mapping or {}).items()}


def zammad_jobs(schedule: Schedule, tickets: pd.DataFrame | None = None) -> list[dict]:
    """Build one inactive Zammad scheduler per rule, default included, ids from the snapshot.

    When ``tickets`` has ``state_id`` / ``group_id`` columns beside the names, those ids are
    used; otherwise states fall back to Zammad's seeded ids and groups are left to a note.
    """
    ids: dict[str, dict[str, int]] = {}
    if tickets is not None:
        for key in ("state", "group"):
            if f"{key}_id" in tickets.columns:
                pairs = tickets[[key, f"{key}_id"]].dropna().drop_duplicates(key)
                ids[key] = dict(zip(pairs[key].astype(str), pairs[f"{key}_id"], strict=True))
    return [
        zammad_job(rule, state_ids=ids.get("state"), group_ids=ids.get("group"))
        for rule in schedule.all_rules
        if rule.period is not None  # a kept ticket needs no scheduler
    ]


def privacy_task_bodies(due: pd.DataFrame) -> list[dict]:
    """Build the data-privacy task bodies (``POST /api/v1/data_privacy_tasks``) to delete."""
    rows = due[due["action"] == "delete"]
    return [{"deletable_type": "Ticket", "deletable_id": int(i)} for i in rows["id"]]
