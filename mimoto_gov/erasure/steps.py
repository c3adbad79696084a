"""The steps of an erasure: the checklist's lines as recorded, and who finished each one.

Every line of the checklist is a step with an owner and a state. The lines are stored with
each attempt in the erasure register (:meth:`~mimoto_gov.registers.Registers.record_erasure`);
the latest attempt's lines are the request's steps. A step a person finishes (a mailbox
searched, a recipient told, the letter sent) is recorded with who, when and what was done, or
why it was not needed (:func:`record_step`, ``mimoto-gov erasure done``); the tool records its
own steps the same way once it has done them (the purge of the workbook's copies).

An erasure is **complete** when Zammad's deletion was verified and no step is open: each is
done, deleted and verified, kept for a stated reason, not needed, or held nothing. Until then
the certificate is partial and the request stays open; :func:`open_erasure_steps` lists what
is left for the reminders (``mimoto-gov due``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from mimoto_gov.erasure.lines import checklist_lines
from mimoto_gov.erasure.model import (
    DONE,
    FAILED,
    NOT_NEEDED,
    NOT_RUN,
    NOTHING,
    OWNER_TOOL,
    TO_DELETE,
    ChecklistLine,
    ErasurePlan,
)
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.due import DueItem, due_provider

OPEN_STEP_COLUMNS = [
    "request_id", "erasure_id", "step", "place", "owner", "state", "due_on", "days_left",
    "overdue",
]  # fmt: skip
# Lines an attempt could not finish: a rerun tries them again.
_RETRY = (FAILED, NOT_RUN)
ZAMMAD_KEYS = ("zammad-users", "zammad-tickets", "organization-")


def lines_for_register(lines: list[ChecklistLine]) -> list[dict]:
    """Return the lines as the erasure register stores them."""
    return [
        {
            "step": x.key,
            "place": x.place,
            "held": x.held,
            "action": x.action,
            "owner": x.owner,
            "state": x.state,
            "why": x.why,
            "items": list(x.items),
        }
        for x in lines
    ]


def lines_from_register(rows: list[dict]) -> list[ChecklistLine]:
    """Turn the rows the erasure register returns into lines."""
    return [
        ChecklistLine(
            key=r["step"],
            place=r["place"],
            held=r["held"],
            action=r["action"],
            owner=r["owner"],
            state=r["state"],
            why=r["why"],
            items=tuple(r["items"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Step:
    """A step with its current state and, once recorded, who finished it and when."""

    line: ChecklistLine
    done_by: str = ""
    done_on: date | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """The step's name."""
        return self.line.key

    @property
    def open(self) -> bool:
        """Whether someone still has to act."""
        return self.line.open


@dataclass
class ErasureSteps:
    """A request's steps, as its latest erasure attempt recorded them.

    Attributes:
        request_id: the request.
        entry: the latest erasure register entry of the request (a dict).
        steps: the steps in checklist order.

    """

    request_id: str
    entry: dict
    steps: list[Step] = field(default_factory=list)

    @property
    def erased(self) -> bool:
        """Whether Zammad's deletion completed and was verified."""
        return self.entry["outcome"] == "completed"

    @property
    def open_steps(self) -> list[Step]:
        """The steps someone still has to finish."""
        return [s for s in self.steps if s.open]

    @property
    def complete(self) -> bool:
        """Whether the erasure is finished: verified in Zammad and no step open."""
        return self.erased and not self.open_steps

    @property
    def lines(self) -> list[ChecklistLine]:
        """The lines with their current states."""
        return [s.line for s in self.steps]

    def step(self, key: str) -> Step:
        """Return one step by its name.

        Raises:
            InputError: no step of that name (the names are listed).

        """
        wanted = (key or "").strip().lower()
        for step in self.steps:
            if step.key == wanted:
                return step
        names = ", ".join(s.key for s in self.steps)
        raise InputError(f"request {self.request_id} has no step {key!r} (its steps: {names})")


def load_steps(registers, request_id: str) -> ErasureSteps | None:
    """Return a request's steps, or None when no erasure of it was attempted yet."""
    request = registers.get_request(request_id)
    history = registers.erasures()
    history = history[history["request_id"] == request.id]
    if history.empty:
        return None
    entry = history.iloc[-1].to_dict()
    records = registers.erasure_step_records(request.id)
    latest = {r["step"]: r for r in records.to_dict("records")}
    steps = []
    for line in lines_from_register(registers.erasure_step_lines(entry["id"])):
        record = latest.get(line.key)
        if record is None:
            steps.append(Step(line))
            continue
        state = NOT_NEEDED if record["outcome"] == "not needed" else DONE
        note = record["note"] or ""
        steps.append(
            Step(
                line.with_state(state, why=note if state == NOT_NEEDED else line.why),
                done_by=record["done_by"],
                done_on=record["done_on"],
                note=note,
            )
        )
    return ErasureSteps(request.id, entry, steps)


def record_step(
    registers,
    request_id: str,
    key: str,
    *,
    by: str,
    on: date | None = None,
    note: str | None = None,
    not_needed: str | None = None,
) -> ErasureSteps:
    """Record a manual step of an erasure as done, or as not needed with the reason.

    Args:
        registers: the open registers.
        request_id: the erasure request.
        key: the step's name (``mimoto-gov erasure steps ID`` lists them).
        by: who did it.
        on: the day it was done (today by default).
        note: what was done.
        not_needed: instead of done: why the step does not apply.

    Returns:
        The request's steps after recording.

    Raises:
        RegisterError: no erasure attempted yet, or the step is not open.
        InputError: an unknown step, or one the tool does itself.

    """
    steps = load_steps(registers, request_id)
    if steps is None:
        raise RegisterError(
            f"request {request_id} has no erasure yet: `mimoto-gov erase ... --execute` "
            "records its steps"
        )
    step = steps.step(key)
    if not step.line.manual:
        raise InputError(
            f"step {step.key} is done by `mimoto-gov erase` itself: run the same erase "
            "command with --execute again to finish it"
        )
    if not step.open:
        who = f" by {step.done_by} on {step.done_on:%-d %b %Y}" if step.done_by else ""
        raise RegisterError(
            f"step {step.key} of request {steps.request_id} is already {step.line.state}{who}"
        )
    if not_needed is not None and note:
        raise InputError("give the reason with --not-needed, or what was done with --note")
    registers.record_erasure_step(
        steps.request_id,
        step.key,
        outcome="not needed" if not_needed is not None else "done",
        by=by,
        on=on,
        note=not_needed if not_needed is not None else note,
    )
    return load_steps(registers, steps.request_id)


def record_tool_steps(registers, request_id: str, notes: dict[str, str]) -> None:
    """Record the tool's own open steps as done (``{step: what was done}``), once each."""
    steps = load_steps(registers, request_id)
    for step in steps.steps if steps else []:
        if step.open and not step.line.manual and step.key in notes:
            registers.record_erasure_step(
                request_id, step.key, outcome="done", by=OWNER_TOOL, note=notes[step.key]
            )


def merge_earlier(lines: list[ChecklistLine], earlier: list[ChecklistLine]) -> list[ChecklistLine]:
    """Keep what an earlier attempt saw when a rerun's fresh snapshot no longer shows it.

    A rerun plans from a new snapshot: a user or ticket an earlier attempt already deleted is
    gone from it, so the new plan would say "nothing held" and the certificate would forget
    it. Each Zammad line the earlier attempt had with items is kept (its items joined with
    the new ones), as is any line the new plan lacks; what failed or did not run is tried
    again.
    """
    by_key = {x.key: x for x in earlier}
    merged = []
    for line in lines:
        old = by_key.pop(line.key, None)
        if old is None or not old.items or not line.key.startswith(ZAMMAD_KEYS):
            merged.append(line)
        elif line.state == NOTHING or not line.items:
            merged.append(_retry(old))
        else:
            items = tuple(dict.fromkeys([*old.items, *line.items]))
            held = line.held if len(line.items) >= len(old.items) else old.held
            merged.append(replace(line, items=items, held=held))
    anchor = max((i for i, x in enumerate(merged) if x.key.startswith(ZAMMAD_KEYS)), default=-1)
    for old in by_key.values():
        if old.key.startswith(ZAMMAD_KEYS):
            anchor += 1
            merged.insert(anchor, _retry(old))
    return merged


def plan_lines(plan: ErasurePlan, *, identify: bool) -> list[ChecklistLine]:
    """Return the plan's checklist, keeping in what an earlier attempt of the request saw."""
    lines = checklist_lines(plan, identify=identify, basis=plan.basis)
    return merge_earlier(lines, plan.earlier_lines)


def _retry(line: ChecklistLine) -> ChecklistLine:
    return line.with_state(TO_DELETE, "") if line.state in _RETRY else line


def open_erasure_steps(registers, today: date | None = None) -> pd.DataFrame:
    """Every open step of every erasure, with its request's due date, most urgent first.

    For the reminders (``mimoto-gov due``) and the monthly review. A request whose erasure
    was never attempted has no steps yet (its own due date covers it).

    Returns:
        ``request_id, erasure_id, step, place, owner, state, due_on, days_left, overdue``.

    """
    today = today or date.today()
    rows = []
    erasures = registers.erasures()
    for request_id in dict.fromkeys(erasures["request_id"]):
        steps = load_steps(registers, request_id)
        request = registers.get_request(request_id)
        due = registers.due_date_of(request, today)
        for step in steps.open_steps if steps else []:
            rows.append(
                {
                    "request_id": request_id,
                    "erasure_id": steps.entry["id"],
                    "step": step.key,
                    "place": step.line.place,
                    "owner": step.line.owner,
                    "state": step.line.state,
                    "due_on": due,
                    "days_left": (due - today).days,
                    "overdue": today > due,
                }
            )
    frame = pd.DataFrame(rows, columns=OPEN_STEP_COLUMNS)
    if frame.empty:
        return frame.astype({"days_left": "int64", "overdue": "bool"})
    return frame.sort_values(["due_on", "request_id"], kind="stable").reset_index(drop=True)


@due_provider
def erasure_steps_due(registers, today: date) -> list[DueItem]:
    """Every open erasure step, due with its request, for ``mimoto-gov due``."""
    steps = open_erasure_steps(registers, today)
    return [
        DueItem(
            "erasure-steps",
            f"{row.request_id}/{row.step}",
            f"erasure step: {row.place}",
            row.due_on,
            f"owner: {row.owner}",
        )
        for row in steps.itertuples()
    ]
