"""``mimoto-gov register``: the other registers (law enforcement, consents, complaints...).

Each register's verbs live in :mod:`mimoto_gov.commands._register_people` and
:mod:`mimoto_gov.commands._register_records`; every verb that changes a register takes
``--by`` (who) and, where it is dated, ``--reason`` (why a date before today).
"""

from __future__ import annotations

import argparse

from mimoto_gov.commands._register_people import (
    consents_parser,
    holds_parser,
    law_enforcement_parser,
    suppressions_parser,
)
from mimoto_gov.commands._register_records import (
    attestations_parser,
    breaches_parser,
    complaints_parser,
    erasures_parser,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``register`` and its registers to the command line."""
    parser = subparsers.add_parser(
        "register",
        help="the law-enforcement, consent, complaint, breach, attestation and hold registers",
        description="Keep the registers the privacy policy's promises rest on. Each has add/"
        "list/export verbs and its own actions; dates are YYYY-MM-DD, times 'YYYY-MM-DD HH:MM' "
        "UK time.",
    )
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    registers = parser.add_subparsers(dest="register", metavar="REGISTER")
    law_enforcement_parser(registers)
    consents_parser(registers)
    suppressions_parser(registers)
    complaints_parser(registers)
    breaches_parser(registers)
    attestations_parser(registers)
    holds_parser(registers)
    erasures_parser(registers)
