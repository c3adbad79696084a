"""What the Zammad token may do, read from Zammad itself, job by job.

Zammad checks the user's permissions AND the token's own list (zammad-api.md §1.1), and has
no endpoint that tells a token its effective permissions. So each permission a job needs is
tried with the cheapest read that needs it (one record, nothing changed): a 403 "Not
authorized" means it is missing. ``GET /users/me`` names the token's user and its group
access, compared with Zammad's group list: tickets in a group the user cannot read are
invisible to the pull, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from mimoto_gov.audits.findings import Finding, note, ok, todo
from mimoto_gov.errors import PermissionDenied, ZammadError


@dataclass(frozen=True)
class Need:
    """A permission a job needs, and the read that proves the token has it."""

    permission: str
    jobs: str
    probes: tuple[tuple[str, dict], ...]
    required: bool
    without: str


NEEDS = (
    Need(
        "ticket.agent",
        "pull, monthly review, subject access",
        (("tickets", {"per_page": 1}), ("users/search", {"query": "mimoto-gov", "limit": 1})),
        True,
        "nothing can be pulled: create the token with ticket.agent",
    ),
    Need(
        "admin.data_privacy",
        "erasure",
        (("data_privacy_tasks", {"per_page": 1}),),
        True,
        "erasures cannot be carried out: add admin.data_privacy to the token",
    ),
    Need(
        "admin.user",
        "pull (the user list)",
        (("users", {"per_page": 1}),),
        False,
        "the pull finds users by search instead, which is slower",
    ),
    Need(
        "admin",
        "pull (the global article list)",
        (("ticket_articles", {"per_page": 1}),),
        False,
        "the pull reads articles ticket by ticket, which is slower",
    ),
    Need(
        "admin.scheduler",
        "monthly review (Zammad's own deletion schedulers)",
        (("jobs", {}),),
        False,
        "the review cannot list Zammad's schedulers that delete or close tickets",
    ),
)
READABLE = {"read", "full"}


def _granted(client, need: Need) -> bool:
    try:
        for path, params in need.probes:
            client.request("GET", path, params=params)
    except PermissionDenied:
        return False
    return True


def _groups(client, me: dict) -> Finding | None:
    """Say whether the token's user can read tickets in every group."""
    try:
        groups = client.request("GET", "groups")
    except PermissionDenied:
        return note(
            "Zammad groups",
            "cannot list the groups to confirm the token's user reads every one "
            "(needs admin.group); check it in Zammad",
        )
    access = {str(key): set(value or []) for key, value in (me.get("group_ids") or {}).items()}
    active = [g for g in groups if isinstance(g, dict) and g.get("active", True)]
    hidden = [
        str(g.get("name")) for g in active if not access.get(str(g.get("id")), set()) & READABLE
    ]
    if hidden:
        return todo(
            "Zammad groups",
            f"the token's user cannot read tickets in {len(hidden):,} of {len(active):,} "
            f"group(s) ({', '.join(sorted(hidden))}): they would be missing from every pull; "
            "give the user read access to every group",
        )
    return ok("Zammad groups", f"the token's user reads tickets in all {len(active):,} group(s)")


def zammad_access(client) -> list[Finding]:
    """Check that Zammad answers and the token holds what each job needs.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient` with the configured token.

    Returns:
        One finding for the connection and one per permission (plus the group access).

    """
    try:
        me = client.request("GET", "users/me", params={"expand": "true"})
    except ZammadError as error:
        return [todo("Zammad", str(error))]
    who = me.get("login") or me.get("email") or f"user {me.get('id')}"
    roles = ", ".join(str(r) for r in me.get("roles") or []) or "no role named"
    findings = [ok("Zammad", f"{client.url} answers; the token is {who}'s ({roles})")]
    agent = True
    for need in NEEDS:
        try:
            granted = _granted(client, need)
        except ZammadError as error:
            findings.append(todo(f"token {need.permission}", str(error)))
            continue
        what = f"token {need.permission}"
        if granted:
            findings.append(ok(what, f"granted ({need.jobs})"))
        elif need.required:
            findings.append(todo(what, f"missing ({need.jobs}): {need.without}"))
        else:
            findings.append(note(what, f"missing ({need.jobs}): {need.without}"))
        if need.permission == "ticket.agent":
            agent = granted
    if agent:
        groups = _groups(client, me)
        if groups is not None:
            findings.append(groups)
    return findings
