"""What would enforce the ticket schedule inside Zammad: scheduler (job) bodies.

The monthly review proposes these as an alternative to ``mimoto-gov retention apply``: one
inactive Zammad scheduler per rule that Zammad can carry out by itself, for staff to check and
switch on in Admin > Scheduler. A scheduler deletes through data-privacy tasks, and anonymises
with attribute changes (the placeholder customer, a neutral title). It cannot see the legal
holds kept in the workbook's registers, leave recently updated tickets alone, delete the
person's account afterwards or keep a record of what it did: ``retention apply`` does all of
that, which is why it is the way the schedule is carried out and these are only an alternative.
Review and keep rules get no scheduler: a person decides.
"""

from __future__ import annotations

import pandas as pd

from mimoto_gov.policy.schedule import Rule, Schedule
from mimoto_gov.zammad import seeds
from mimoto_gov.zammad.writes import ANONYMISED_TITLE

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
    placeholder_id: int | None = None,
) -> dict | None:
    """Build the Zammad scheduler (``POST /api/v1/jobs``) that would enforce one rule.

    The job is created inactive: staff check its preview in Admin > Scheduler before switching
    it on. Deletion goes through data-privacy tasks rather than "delete immediately" so that
    Zammad logs each one; an anonymise rule whose text may not stay (``text_left: delete``)
    deletes too. Anonymising sets the placeholder customer and the neutral title, on tickets
    not already anonymised. Names without a known id are kept in ``note`` so nothing is
    silently dropped.

    Args:
        rule: the rule (the default rule works too: it matches on time alone).
        state_ids: state name -> Zammad id (by default Zammad's seeded ids).
        group_ids: group name -> Zammad id (from the snapshot when it has them).
        type_ids: article type name -> Zammad id (by default Zammad's seeded ids).
        placeholder_id: the anonymous placeholder customer's id, once it exists.

    Returns:
        The JSON body as a dict, with an extra ``note`` key for people; None for a review or
        keep rule, which no scheduler carries out.

    """
    if rule.action in ("review", "keep") or rule.period is None:
        return None
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
    perform = _perform(rule, condition, notes, placeholder_id)
    notes.append(
        "a scheduler cannot see the workbook's legal holds, leave recently updated tickets "
        "alone or record what it did: `mimoto-gov retention apply` does"
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


def _perform(rule: Rule, condition: dict, notes: list[str], placeholder_id: int | None) -> dict:
    """Return what the job does: a data-privacy task, or the anonymising changes."""
    if rule.action == "delete" or rule.text_left == "delete":
        if rule.action == "anonymise":
            notes.append("anonymising would leave the article text, so the schedule deletes")
        return {"ticket.action": {"value": "data_privacy_deletion_task"}}
    placeholder = "" if placeholder_id is None else str(int(placeholder_id))
    if placeholder:
        condition["ticket.customer_id"] = {
            "operator": "is not",
            "pre_condition": "specific",
            "value": [placeholder],
        }
    else:
        notes.append(
            "the placeholder customer does not exist yet: `retention apply --execute` creates "
            "it; put its id in ticket.customer_id"
        )
    notes.append(
        "the article text and the ticket history stay, and the person's account is not deleted"
    )
    return {
        "ticket.customer_id": {"pre_condition": "specific", "value": placeholder},
        "ticket.title": {"value": ANONYMISED_TITLE},
    }


def describe_perform(job: dict) -> str:
    """Say in words what a scheduler from :func:`zammad_job` does."""
    perform = job["perform"]
    if "ticket.action" in perform:
        return "creates a data-privacy task per ticket (deletes it, logged)"
    return (
        "moves the ticket to the anonymous placeholder customer and replaces its title "
        f"({perform['ticket.title']['value']!r})"
    )


def _fold(mapping: dict[str, int] | None) -> dict[str, int]:
    return {str(k).casefold(): int(v) for k, v in (mapping or {}).items()}


def zammad_jobs(
    schedule: Schedule, tickets: pd.DataFrame | None = None, placeholder_id: int | None = None
) -> list[dict]:
    """Build an inactive Zammad scheduler per rule Zammad can carry out, ids from the snapshot.

    When ``tickets`` has ``state_id`` / ``group_id`` columns beside the names, those ids are
    used; otherwise states fall back to Zammad's seeded ids and groups are left to a note.
    Review and keep rules get none (a person decides).
    """
    ids: dict[str, dict[str, int]] = {}
    if tickets is not None:
        for key in ("state", "group"):
            if f"{key}_id" in tickets.columns:
                pairs = tickets[[key, f"{key}_id"]].dropna().drop_duplicates(key)
                ids[key] = dict(zip(pairs[key].astype(str), pairs[f"{key}_id"], strict=True))
    jobs = [
        zammad_job(
            rule,
            state_ids=ids.get("state"),
            group_ids=ids.get("group"),
            placeholder_id=placeholder_id,
        )
        for rule in schedule.all_rules
    ]
    return [job for job in jobs if job is not None]


def privacy_task_bodies(due: pd.DataFrame, schedule: Schedule | None = None) -> list[dict]:
    """Build the data-privacy task bodies (``POST /api/v1/data_privacy_tasks``) to delete.

    With the schedule, tickets of an anonymise rule whose text may not stay are deleted too.
    """
    deleting = due["action"] == "delete"
    if schedule is not None:
        whole = {r.name for r in schedule.all_rules if r.text_left == "delete"}
        deleting |= due["rule"].isin(whole)
    rows = due[deleting]
    return [{"deletable_type": "Ticket", "deletable_id": int(i)} for i in rows["id"]]
