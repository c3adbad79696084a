"""Who is told of an erasure: the recipients of the data (Art. 19) and the person.

UK GDPR Article 19 asks the controller to tell each recipient to whom the data was disclosed
about the erasure, unless that is impossible or takes disproportionate effort, and to tell the
person about those recipients if they ask. The recipients come from the record of processing
(``ropa.yml``); ``erasure.yml`` names those not told, with the reason. Each recipient is a step
of the checklist: a person tells them and records it (``mimoto-gov erasure done``). The person
who asked is told too: a confirmation letter is written with the certificate
(``reports/erasure/<id>/letter.pdf``), and sending it is a step.
"""

from __future__ import annotations

from mimoto_gov.erasure.model import (
    BY_HAND,
    NOT_NEEDED,
    OWNER_DPO,
    ChecklistLine,
    ErasurePlan,
)

CONFIRM_STEP = "confirm-to-person"
LETTER = "letter"


def notify_lines(plan: ErasurePlan) -> list[ChecklistLine]:
    """One line per recipient of the data: tell them (a step), or why they are not told."""
    lines = []
    for recipient in plan.recipients:
        what = ", ".join(p for p in (recipient.role, recipient.service) if p)
        held = f"a recipient of personal data in the record of processing ({what})"
        if recipient.told:
            lines.append(
                ChecklistLine(
                    key=recipient.key,
                    place=f"Recipient: {recipient.name}",
                    held=held,
                    action=f"tell {recipient.name} that the person's data was erased under "
                    f"request {plan.request_id} and ask them to erase any copy they hold "
                    "(Art. 19); record when and how",
                    owner=OWNER_DPO,
                    state=BY_HAND,
                )
            )
        else:
            lines.append(
                ChecklistLine(
                    key=recipient.key,
                    place=f"Recipient: {recipient.name}",
                    held=held,
                    action="not told",
                    owner=OWNER_DPO,
                    state=NOT_NEEDED,
                    why=recipient.why_not,
                )
            )
    return lines


def confirmation_line(plan: ErasurePlan) -> ChecklistLine:
    """Return the step of telling the person the erasure is done (the confirmation letter)."""
    return ChecklistLine(
        key=CONFIRM_STEP,
        place="The person who asked",
        held=f"their request {plan.request_id}",
        action=f"send them the confirmation letter (reports/erasure/{plan.request_id}/"
        f"{LETTER}.pdf): what was erased, what was kept and why, when the backups age out; "
        "reply to their request before its messages leave the mailboxes",
        owner=OWNER_DPO,
        state=BY_HAND,
    )
