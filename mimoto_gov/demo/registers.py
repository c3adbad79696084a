"""Example register entries for the demo pack, so every register and promise has something to show.

:func:`seed_demo_registers` records, relative to a day: access and erasure requests (one
overdue, one open, one answered on time), a UK law-enforcement request with a warrant and the
user told, a refused one from outside the UK, marketing consents (one withdrawn) and a
mailing list of the live ones, a complaint acknowledged in time, a breach not reported with
its reason, and attestations (no service access logs, no marketing for others, no other
sharing). The attestation that Gaug.es does not share the statistics is left out on purpose:
the pack then shows what "evidence missing" looks like.

Every entry is marked as an example (:mod:`mimoto_gov.support.examples`: the commitments
checks refuse marked entries as evidence outside the demo's folder) and uses ``@example.com``
addresses. Seeding is idempotent: each kind of entry is added only when no example of that
kind is there yet.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.files import COMMITMENTS_FILE, load_commitments, policy_file
from mimoto_gov.registers import open_registers, provenance
from mimoto_gov.settings import load_settings
from mimoto_gov.support.examples import (
    EXAMPLE_CASE_NOTE,
    EXAMPLE_MAILING_FILE,
    EXAMPLE_MARK,
    EXAMPLE_NOTE,
    EXAMPLE_PERSON,
    EXAMPLE_SOURCE,
    is_demo_folder,
)
from mimoto_gov.support.files import private_dir, write_text

DEMO_NOTE = EXAMPLE_NOTE
DEMO_CASE_NOTE = EXAMPLE_CASE_NOTE
DEMO_MARK = EXAMPLE_MARK
DEMO_PERSON = EXAMPLE_PERSON
# Attested well before last month ended, so the monthly review (as at that day) counts them.
ATTESTED_DAYS_AGO = 60
DEMO_SOURCE = EXAMPLE_SOURCE
DEMO_HISTORY = "example history for the demo pack, dated in the past"
DEMO_WORDING = "newsletter-2026-01"
DEMO_ATTESTATIONS = {
    "no-access-logs": "Mimoto's own services record no access logs.",
    "no-third-party-marketing": "Every marketing mailing was about Mimoto products only.",
    "no-other-sharing": "No information about users was given to third parties beyond the "
    "law-enforcement register.",
}


@dataclass(frozen=True)
class SeedResult:
    """What :func:`seed_demo_registers` added, by kind of entry (zero when already there)."""

    path: Path
    added: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many entries were added in all."""
        return sum(self.added.values())

    def summary(self) -> str:
        """One line for the demo's output."""
        if not self.total:
            return f"Example register entries already in {self.path}"
        parts = ", ".join(f"{n:,} {_noun(kind, n)}" for kind, n in self.added.items() if n)
        return f"Example register entries added to {self.path}: {parts}"


def _noun(plural: str, count: int) -> str:
    if count == 1:
        return plural[:-2] if plural.endswith("ches") else plural[:-1]
    return plural


def _statements(data_dir: Path) -> dict[str, str]:
    """Return the attestation statements as commitments.yml words them (else short ones)."""
    texts = dict(DEMO_ATTESTATIONS)
    try:
        for item in load_commitments(policy_file(COMMITMENTS_FILE, data_dir)):
            key, text = item.params.get("attestation"), item.params.get("statement")
            if key in texts and text:
                texts[key] = " ".join(str(text).split())
    except Exception:  # noqa: BLE001 - the demo still seeds with the short statements
        pass
    return texts


def _requests(reg, day: date) -> int:
    if any(r.notes == DEMO_NOTE for r in reg.list_requests()):
        return 0
    how, who = "request came from the account's registered address", DEMO_PERSON
    seen = "request sent from the address on the Zammad account"
    # Answered on time.
    done = reg.add_request("access", "alex.example@example.com", day - timedelta(70), DEMO_NOTE)
    reg.verify_identity(done.id, how, who, seen, verified_at=day - timedelta(69))
    reg.close_request(done.id, "package sent (HTML, PDF and CSV)", day - timedelta(60))
    # Overdue: received six weeks ago, still open.
    late = reg.add_request("access", "robin.example@example.com", day - timedelta(45), DEMO_NOTE)
    reg.verify_identity(late.id, how, who, seen, verified_at=day - timedelta(44))
    # Open and on time.
    fresh = reg.add_request("erasure", "sam.example@example.com", day - timedelta(10), DEMO_NOTE)
    reg.verify_identity(fresh.id, how, who, seen, verified_at=day - timedelta(9))
    return 3


def _law_enforcement(reg, day: date) -> int:
    frame = reg.law_enforcement_requests()
    if (frame["notes"] == DEMO_NOTE).any():
        return 0
    uk = reg.add_law_enforcement(
        authority="Metropolitan Police Service",
        uk=True,
        instrument="production order (PACE 1984 Sch. 1)",
        scope="tickets and contact details of one customer, January to March 2026",
        emails=["jo.example@example.com"],
        received_on=day - timedelta(50),
        reference="EXAMPLE/2026/0412",
        notes=DEMO_NOTE,
    )
    reg.decide_law_enforcement(
        uk, "disclosed", "2 tickets with their articles; the customer's contact details",
        decided_on=day - timedelta(45),
    )  # fmt: skip
    reg.record_user_told(uk, told_on=day - timedelta(40))
    reg.close_law_enforcement(uk, day - timedelta(40))
    abroad = reg.add_law_enforcement(
        authority="Overseas police force (outside the UK)",
        uk=False,
        instrument="emailed request, no UK legal instrument",
        scope="account details of one customer",
        emails=["kai.example@example.com"],
        received_on=day - timedelta(25),
        notes=DEMO_NOTE,
    )
    reg.decide_law_enforcement(abroad, "refused", decided_on=day - timedelta(24))
    reg.record_user_told(abroad, told_on=day - timedelta(20))
    reg.close_law_enforcement(abroad, day - timedelta(20))
    return 2


def _consents(reg, day: date) -> int:
    frame = reg.consents()
    if (frame["source"] == DEMO_SOURCE).any():
        return 0
    live = ["kim.example@example.com", "lee.example@example.com"]
    reg.add_consent(live[0], day - timedelta(200), DEMO_WORDING, source=DEMO_SOURCE)
    reg.add_consent(live[1], day - timedelta(120), DEMO_WORDING, source=DEMO_SOURCE)
    withdrawn = "max.example@example.com"
    reg.add_consent(withdrawn, day - timedelta(150), DEMO_WORDING, source=DEMO_SOURCE)
    reg.withdraw_consent(withdrawn, day - timedelta(30))
    # The mailing tool's export holds the live opt-ins only: the audit then passes.
    folder = private_dir(reg.data_dir / f".demo-{os.getpid()}-{secrets.token_hex(4)}")
    export = folder / EXAMPLE_MAILING_FILE
    try:
        write_text(export, "email\n" + "".join(f"{e}\n" for e in live))
        reg.import_mailing_list(export)
    finally:
        export.unlink(missing_ok=True)
        folder.rmdir()
    return 3


def _complaints(reg, day: date) -> int:
    frame = reg.complaints(today=day)
    if frame["summary"].astype(str).str.endswith(DEMO_MARK).any():
        return 0
    complaint = reg.add_complaint(
        f"The answer to an access request was slow {DEMO_MARK}",
        received_on=day - timedelta(40),
        email="robin.example@example.com",
    )
    reg.acknowledge_complaint(complaint, day - timedelta(35))
    reg.close_complaint(
        complaint,
        "upheld in part: apology sent, the request prioritised; told of the right to "
        "complain to the ICO",
        day - timedelta(20),
    )
    return 1


def _breaches(reg, day: date) -> int:
    frame = reg.breaches()
    if frame["description"].astype(str).str.endswith(DEMO_MARK).any():
        return 0
    found = datetime.combine(day - timedelta(30), time(10, 0), tzinfo=UK_TIME)
    breach = reg.add_breach(
        found,
        f"a support reply with one ticket's text was sent to the wrong customer {DEMO_MARK}",
        people_affected=1,
        measures="the recipient deleted it and confirmed the same day; reply templates fixed",
    )
    reg.record_breach_not_reported(
        breach,
        "unlikely to result in a risk to the person (Art. 33(1)): no sensitive data, and "
        "the recipient confirmed deletion the same day",
    )
    return 1


def _attestations(reg, day: date) -> int:
    frame = reg.attestations(on=day)
    if (frame["attested_by"] == DEMO_PERSON).any():
        return 0
    statements = _statements(reg.data_dir)
    for key in DEMO_ATTESTATIONS:
        reg.attest(
            key, statements[key], DEMO_PERSON, attested_on=day - timedelta(ATTESTED_DAYS_AGO)
        )
    return len(DEMO_ATTESTATIONS)


def _demo_registers_path(data_dir: Path | str) -> Path:
    """Return the registers file of a demo data folder; refuse any other folder."""
    if not is_demo_folder(data_dir):
        raise ConfigError(
            f"{data_dir} is not a demo folder: example entries go only into the demo's own "
            "folder (mimoto-gov demo writes demo/data)"
        )
    return Path(data_dir) / "registers.sqlite"


def seed_demo_registers(
    data_dir: Path | str | None = None, today: date | None = None
) -> SeedResult:
    """Add example register entries for the demo pack (idempotent).

    Args:
        data_dir: a demo data folder (one with the demo's marker file; ``$MIMOTO_GOV_DATA``
            by default); the registers file in it is created if needed.
        today: the day the examples are dated from (today by default; not in the future).

    Returns:
        A :class:`SeedResult` with what was added (nothing on a second call).

    Raises:
        ConfigError: ``data_dir`` is not a demo folder (real registers never get examples).

    """
    if data_dir is None:
        data_dir = load_settings().data_dir
    path = _demo_registers_path(data_dir)
    day = today or date.today()
    # The examples tell a history, so their changes are dated in the past: the trail says why.
    who = provenance(DEMO_PERSON, "demo", reason=DEMO_HISTORY)
    with open_registers(path, who=who) as reg:
        added = {
            "requests": _requests(reg, day),
            "law-enforcement requests": _law_enforcement(reg, day),
            "consents": _consents(reg, day),
            "complaints": _complaints(reg, day),
            "breaches": _breaches(reg, day),
            "attestations": _attestations(reg, day),
        }
    return SeedResult(path=path, added=added)


def demo_request(data_dir: Path | str, kind: str, email: str, today: date | None = None) -> str:
    """Return the id of the demo's verified ``kind`` request about ``email``, adding it once.

    The demo answers it from the sandbox (a subject access package, an erasure dry run): a
    request received three days before ``today``, its identity verified the day after. A
    later run finds the same request and adds nothing.

    Args:
        data_dir: a demo data folder (the registers file in it is created if needed).
        kind: ``access`` or ``erasure``.
        email: the sandbox persona's address.
        today: the day the request is dated from (today by default).

    Returns:
        The request's id (``R-<year>-<nnnn>``).

    """
    day = today or date.today()
    who = provenance(DEMO_PERSON, "demo", reason=DEMO_HISTORY)
    with open_registers(_demo_registers_path(data_dir), who=who) as reg:
        for request in reg.requests_about(email):
            if request.kind == kind and request.notes == DEMO_CASE_NOTE:
                return request.id
        request = reg.add_request(kind, email, day - timedelta(3), DEMO_CASE_NOTE)
        reg.verify_identity(
            request.id,
            "request came from the account's registered address",
            DEMO_PERSON,
            "request sent from the address on the Zammad account",
            verified_at=day - timedelta(2),
        )
        return request.id


def demo_step(run) -> None:
    """Seed the registers beside the pulled snapshot and say what was added (a demo step)."""
    result = seed_demo_registers(run.settings.data_dir)
    run.results["registers"] = result
    run.say("")
    run.say(result.summary())
    run.output("Registers (SQLite)", result.path)
