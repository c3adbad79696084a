"""The checks behind the policy's commitments: each returns met, not met or evidence missing.

``commitments.yml`` names a check per promise; :data:`CHECKS` maps those names to the small
functions of :mod:`.checks_policy` (attestations, the record of processing, the retention
schedule, the policy's history), :mod:`.checks_registers` (requests, erasures, complaints,
breaches, disclosures, consents, the notice list) and :mod:`.checks_sources` (the analytics
audit, the latest site audit). Importing this module registers them all. Each receives the
:class:`~.model.CheckContext` and its :class:`~mimoto_gov.policy.files.Commitment` (with its
``params``), and returns an :class:`~.model.Outcome`: a status and one short sentence of
evidence a reader can follow.

The rule for every check: a broken promise found in the evidence is "not met"; no evidence,
stale evidence or evidence only a person can give and nobody gave is "evidence missing";
"met" needs evidence. Reading the evidence never creates anything: with no registers file
the register-based checks say "evidence missing". The demo's example entries are refused as
evidence outside the demo's folder (:mod:`mimoto_gov.commitments.examples`): a register
holding any is "evidence missing" until they are removed.
"""

from __future__ import annotations

from mimoto_gov.commitments import checks_policy, checks_registers, checks_sources
from mimoto_gov.commitments.model import (
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

FAMILIES = (checks_policy, checks_registers, checks_sources)

__all__ = [
    "CHECKS",
    "FAMILIES",
    "MET",
    "MISSING",
    "NOT_MET",
    "STATUSES",
    "CheckContext",
    "Outcome",
    "missing",
    "shorten",
]
