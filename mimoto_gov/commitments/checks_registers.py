"""The checks that read the registers and the Zammad snapshot.

Requests answered by their due date, erasures done and verified, complaints acknowledged,
breaches decided, law-enforcement disclosures lawful, the mailing list's consents live and
the notice list producible. With no registers file each says "evidence missing".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from mimoto_gov.commitments.evidence import (
    attest_action,
    attested,
    judge,
    listing,
    no_registers,
    where,
)
from mimoto_gov.commitments.examples import examples_count, refusal_note, without_examples
from mimoto_gov.commitments.model import CheckContext, Outcome, check, met, missing, not_met
from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.erasure.run import erasure_flags
from mimoto_gov.errors import ConfigError, SnapshotError
from mimoto_gov.policy.files import Commitment
from mimoto_gov.policy.ropa import ropa_gaps
from mimoto_gov.registers import due_date_of, select_contactable


@check("governance_records")
def governance_records(ctx: CheckContext, item: Commitment) -> Outcome:
    """Record of processing complete; complaints acknowledged in 30 days; breaches decided."""
    problems: list[str] = []
    gaps: list[str] = []
    facts: list[str] = []
    try:
        record = ctx.ropa()
        unfilled = ropa_gaps(record)
        if unfilled:
            gaps.append(f"record of processing has {len(unfilled):,} field(s) still to fill")
        else:
            facts.append(f"record of processing complete (version {record.get('version')})")
    except ConfigError as error:
        gaps.append(str(error))
    registers = ctx.registers()
    if registers is None:
        gaps.append("no registers file: complaints and breaches cannot be shown")
        return judge(problems, gaps, facts)
    start = ctx.window_start(item.params.get("window_months", 12))
    complaints = registers.complaints(today=ctx.today)
    complaints = complaints[(complaints["received_on"] >= start) | (complaints["status"] == "open")]
    complaints, examples = without_examples(ctx.data_dir, complaints, "summary")
    if examples:
        gaps.append(refusal_note(examples, "complaint(s)"))
    late = complaints[complaints["ack_late"].astype(bool)]
    if len(late):
        problems.append(f"complaint(s) {listing(list(late['id']))} not acknowledged in 30 days")
    else:
        facts.append(f"{len(complaints):,} complaint(s), each acknowledged within 30 days")
    breaches = registers.breaches(now=ctx.end_of_today())
    start_at = datetime.combine(start, time(), tzinfo=UK_TIME)
    breaches = where(
        breaches,
        [found >= start_at or status.startswith("decision") for found, status in
         zip(breaches["found_at"], breaches["status"], strict=True)],
    )  # fmt: skip
    breaches, examples = without_examples(ctx.data_dir, breaches, "description")
    if examples:
        gaps.append(refusal_note(examples, "breach(es)"))
    bad = breaches[(breaches["status"] == "decision overdue") | breaches["reported_late"]]
    if len(bad):
        problems.append(
            f"breach(es) {listing(list(bad['id']))} not reported to the ICO within 72 hours "
            "or with no reason recorded"
        )
    else:
        facts.append(f"{len(breaches):,} breach(es), each reported in time or its reason recorded")
    return judge(problems, gaps, facts)


@check("consent_audit")
def consent_audit(ctx: CheckContext, item: Commitment) -> Outcome:
    """Every address on the imported mailing list has a live opt-in (and the list is recent)."""
    registers = ctx.registers()
    if registers is None:
        return no_registers(ctx)
    # The register keeps when the list was imported but has no method for it: read it here.
    count, imported_at = registers.conn.execute(
        "SELECT COUNT(*), MAX(imported_at) FROM mailing_list"
    ).fetchone()
    sources = [row[0] for row in registers.conn.execute("SELECT source FROM consents")]
    sources += [row[0] for row in registers.conn.execute("SELECT source_file FROM mailing_list")]
    examples = examples_count(ctx.data_dir, sources)
    if examples:
        return missing(refusal_note(examples, "consent(s) or mailing-list entries"))
    if not count:
        return missing("no mailing-list export imported")
    imported = datetime.fromisoformat(imported_at).astimezone(UTC).date()
    audit = registers.consent_audit()
    if len(audit):
        people = audit["email"].nunique()
        kinds = ", ".join(f"{n:,} {k}" for k, n in audit["problem"].value_counts().items())
        return not_met(
            f"{people:,} of {count:,} address(es) on the list imported {uk_date(imported)} "
            f"lack a live opt-in ({kinds})"
        )
    max_age = int(item.params.get("max_age_days", 62))
    if (ctx.today - imported).days > max_age:
        return missing(
            f"the mailing list was last imported {uk_date(imported)}, over {max_age} days ago"
        )
    return met(
        f"all {count:,} address(es) on the list imported {uk_date(imported)} have a live "
        "email opt-in"
    )


def _disclosure_problems(frame: pd.DataFrame, informal: list[str]) -> list[str]:
    problems = []
    disclosed = frame[frame["decision"].isin(["disclosed", "partial"])]
    for row in disclosed.itertuples(index=False):
        words = set(str(row.instrument).lower().replace("-", " ").split())
        if not row.uk:
            problems.append(f"{row.id} disclosed to a non-UK authority ({row.authority})")
        elif words & {w.lower() for w in informal}:
            problems.append(f"{row.id} disclosed on '{row.instrument}', not a legal warrant")
        elif pd.isna(row.reference) or not str(row.reference).strip():
            problems.append(f"{row.id} disclosed with no warrant reference recorded")
    return problems


_INFORMAL = ["email", "e-mail", "phone", "telephone", "verbal", "informal", "letter", "none"]


@check("law_enforcement_warrants")
def law_enforcement_warrants(ctx: CheckContext, item: Commitment) -> Outcome:
    """Every disclosure went to a UK authority, against a legal instrument with a reference."""
    registers = ctx.registers()
    if registers is None:
        return no_registers(ctx)
    frame, examples = without_examples(ctx.data_dir, registers.law_enforcement_requests(), "notes")
    if examples:
        return missing(refusal_note(examples, "law-enforcement request(s)"))
    if frame.empty:
        return met("no law-enforcement requests recorded in the register")
    problems = _disclosure_problems(frame, item.params.get("informal_words", _INFORMAL))
    if problems:
        return not_met("; ".join(problems))
    disclosed = int(frame["decision"].isin(["disclosed", "partial"]).sum())
    refused = frame[frame["decision"] == "refused"]
    foreign = int((~refused["uk"].astype(bool)).sum())
    return met(
        f"{len(frame):,} request(s): {disclosed:,} disclosure(s), each against a UK legal "
        f"instrument; {len(refused):,} refused ({foreign:,} from outside the UK)"
    )


@check("sharing_only_lawful")
def sharing_only_lawful(ctx: CheckContext, item: Commitment) -> Outcome:
    """Disclosures only as the law requires (register), and nothing else shared (attestation)."""
    registers = ctx.registers()
    if registers is None:
        return no_registers(ctx)
    frame, examples = without_examples(ctx.data_dir, registers.law_enforcement_requests(), "notes")
    problems = _disclosure_problems(frame, item.params.get("informal_words", _INFORMAL))
    key = str(item.params.get("attestation") or item.id)
    ok, sentence = attested(ctx, key, item.params.get("valid_days"))
    if examples and not problems:
        return missing(refusal_note(examples, "law-enforcement request(s)"))
    disclosed = int(frame["decision"].isin(["disclosed", "partial"]).sum())
    if problems:
        return not_met("; ".join(problems))
    if not ok:
        return missing(sentence, attest_action(item, key))
    return met(
        f"{disclosed:,} disclosure(s), each under a UK legal instrument; other sharing {sentence}"
    )


@check("law_enforcement_users_told")
def law_enforcement_users_told(ctx: CheckContext, item: Commitment) -> Outcome:
    """Each person named in a request was told, or the legal basis for not telling is recorded."""
    registers = ctx.registers()
    if registers is None:
        return no_registers(ctx)
    frame, examples = without_examples(ctx.data_dir, registers.law_enforcement_requests(), "notes")
    if examples:
        return missing(refusal_note(examples, "law-enforcement request(s)"))
    frame = frame[frame["subjects"].fillna("").astype(str).str.strip() != ""]
    if frame.empty:
        return met("no law-enforcement request naming a user recorded")
    grace = timedelta(days=int(item.params.get("grace_days", 30)))
    told = frame["user_told_on"].notna()
    basis = frame["not_told_basis"].notna()
    waiting = frame[~told & ~basis]
    late = where(waiting, [received + grace < ctx.today for received in waiting["received_on"]])
    if len(late):
        return not_met(
            f"{listing(list(late['id']))}: user not told and no legal basis recorded "
            f"{grace.days} days after receipt"
        )
    parts = [f"{int(told.sum()):,} user(s) told"] if told.any() else []
    if basis.any():
        parts.append(f"{int(basis.sum()):,} not told, with the legal basis recorded")
    if len(waiting):
        parts.append(f"{len(waiting):,} received recently, still to tell")
    return met("; ".join(parts))


def _requests_outcome(ctx: CheckContext, item: Commitment, kind: str) -> Outcome:

    registers = ctx.registers()
    if registers is None:
        return no_registers(ctx)
    start = ctx.window_start(item.params.get("window_months", 12))
    requests = [
        r
        for r in registers.list_requests()
        if r.kind == kind and (not r.finished or r.received_on >= start)
    ]
    examples = examples_count(ctx.data_dir, [r.notes for r in requests])
    if examples:
        return missing(refusal_note(examples, f"{kind} request(s)"))
    erased = set()
    if kind == "erasure":
        erasures = registers.erasures()
        erased = set(erasures.loc[erasures["outcome"] == "completed", "request_id"])
    problems: list[str] = []
    on_time = 0
    pending: list[date] = []
    for r in requests:
        if not r.finished:
            due = due_date_of(r, ctx.today)
            if ctx.today > due:
                problems.append(f"{r.id} overdue since {uk_date(due)}")
            else:
                pending.append(due)
            continue
        due = due_date_of(r, r.closed_on)
        if r.closed_on > due:
            problems.append(f"{r.id} answered {uk_date(r.closed_on)}, after {uk_date(due)}")
        else:
            on_time += 1
        if r.status == "closed" and not r.verified:
            problems.append(f"{r.id} closed with no identity decision recorded")
        if kind == "erasure" and r.status == "closed" and r.id not in erased:
            problems.append(f"{r.id} closed without a completed erasure")
    if problems:
        return not_met("; ".join(problems))
    if not requests:
        return met(f"no {kind} requests in the last {item.params.get('window_months', 12)} months")
    parts = [f"{on_time:,} answered on time"] if on_time else []
    if pending:
        parts.append(f"{len(pending):,} open, next due {uk_date(min(pending))}")
    return met(f"{len(requests):,} {kind} request(s): {', '.join(parts)}")


@check("erasure_requests")
def erasure_requests(ctx: CheckContext, item: Commitment) -> Outcome:
    """Erasure requests answered by their due date, identity recorded, each erasure done."""
    return _requests_outcome(ctx, item, "erasure")


@check("access_requests")
def access_requests(ctx: CheckContext, item: Commitment) -> Outcome:
    """Access requests answered by their due date, identity recorded."""
    return _requests_outcome(ctx, item, "access")


@check("erasures_verified")
def erasures_verified(ctx: CheckContext, item: Commitment) -> Outcome:
    """Each completed erasure verified against Zammad; nobody erased is back in the snapshot."""
    registers = ctx.registers()
    if registers is None:
        return no_registers(ctx)
    start = ctx.window_start(item.params.get("window_months", 12))
    frame = registers.erasures()
    frame = where(frame, [datetime.fromisoformat(s).date() >= start for s in frame["started_at"]])
    done = frame[frame["outcome"] == "completed"]
    problems = [f"{e} not verified against Zammad" for e in done.loc[~done["verified"], "id"]]
    gaps: list[str] = []
    months = item.params.get("window_months", 12)
    facts = [
        f"{len(done):,} erasure(s) in {months} months, each verified against Zammad"
        if len(done)
        else f"no erasures in the last {months} months"
    ]
    try:
        inventory = ctx.inventory()
        flags = erasure_flags(inventory, ctx.data_dir, today=ctx.today)
        back = flags[flags["flag"].str.contains("reappears", na=False)]
        if len(back):
            ids = sorted(set(back["erasure_id"].astype(str)))
            problems.append(f"erased person(s) back in Zammad ({listing(ids)})")
        else:
            taken = uk_date(inventory.snapshot_time.date())
            facts.append(f"no erased person in the snapshot of {taken}")
    except SnapshotError:
        gaps.append("no Zammad snapshot to confirm erased people stay gone")
    return judge(problems, gaps, facts)


@check("notice_list")
def notice_list(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge whether the business-transfer notice list can be produced (and is not empty)."""
    try:
        inventory = ctx.inventory()
    except SnapshotError as error:
        return missing(str(error))
    registers = ctx.registers()
    if registers is not None:
        contactable = registers.contactable_users(inventory.users)
    else:
        # Nothing recorded yet: nobody erased or suppressed through the workbook.
        contactable = select_contactable(inventory.users, lambda email: email, set())
    taken = uk_date(inventory.snapshot_time.date())
    if contactable.empty:
        return not_met(f"no contactable user in the snapshot of {taken}")
    return met(
        f"{len(contactable):,} contactable user(s) in the snapshot of {taken} "
        "(mimoto-gov notice-list)"
    )
