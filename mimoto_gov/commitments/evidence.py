"""Small helpers the checks share: listing ids, selecting rows, judging, reading attestations."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from mimoto_gov.commitments.examples import refusal_note, without_examples
from mimoto_gov.commitments.model import CheckContext, Outcome, met, missing, not_met
from mimoto_gov.deadlines import uk_date
from mimoto_gov.policy.files import Commitment


def listing(items: list[str], limit: int = 3) -> str:
    """List the first ``limit`` items, then how many more: "a, b, c and 4 more"."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


def where(frame: pd.DataFrame, mask: list[bool]) -> pd.DataFrame:
    """Return the rows of ``frame`` where ``mask`` (one bool per row) is true."""
    # A plain list would select columns when empty; a boolean Series of the index never does.
    return frame[pd.Series(mask, index=frame.index, dtype=bool)]


def no_registers(ctx: CheckContext) -> Outcome:
    """Return the outcome of a register-based check when there is no registers file."""
    return missing(
        f"no registers file at {ctx.registers_path}: nothing has been recorded yet",
        "Record requests and register entries (mimoto-gov requests, mimoto-gov register)",
    )


def judge(problems: list[str], gaps: list[str], facts: list[str]) -> Outcome:
    """Not met if any problem, else evidence missing if any gap, else met."""
    if problems:
        return not_met("; ".join(problems + gaps))
    if gaps:
        return missing("; ".join(gaps + facts))
    return met("; ".join(facts))


def attested(ctx: CheckContext, key: str, valid_days: int | None = None) -> tuple[bool, str]:
    """Whether a current attestation of ``key`` exists, and a sentence saying so."""
    registers = ctx.registers()
    if registers is None:
        return False, f"no attestation '{key}' (no registers file)"
    valid_days = int(valid_days or ctx.attestation_valid_days)
    frame = registers.attestations(on=ctx.today)
    frame = frame[(frame["statement_key"] == key) & (frame["attested_on"] <= ctx.today)]
    frame, examples = without_examples(ctx.data_dir, frame, "attested_by")
    if frame.empty:
        note = refusal_note(examples, "attestation(s)")
        return False, f"no attestation '{key}' recorded" + (f"; {note}" if note else "")
    latest = frame.sort_values(["attested_on", "id"]).iloc[-1]
    lapses = min(latest["expires_on"], latest["attested_on"] + timedelta(days=valid_days))
    who, when = latest["attested_by"], uk_date(latest["attested_on"])
    if lapses <= ctx.today:
        return False, f"attestation '{key}' by {who} on {when} lapsed on {uk_date(lapses)}"
    return True, f"attested by {who} on {when}, valid to {uk_date(lapses)}"


def attest_action(item: Commitment, key: str) -> str:
    """Return the commitment's action, with the attest command's arguments when it lacks them."""
    if key in item.action and "--text" not in item.action:
        return f'{item.action} --text "..." --by "NAME"'
    return item.action
