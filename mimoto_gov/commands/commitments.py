"""``mimoto-gov commitments``: every promise of the privacy policy, its status and evidence."""

from __future__ import annotations

import argparse
import textwrap
from datetime import date
from pathlib import Path

from mimoto_gov.commitments.evaluate import (
    COMMITMENTS_FILE,
    check_commitments,
    load_commitments,
    status_counts,
)
from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import InputError
from mimoto_gov.policy.files import policy_file
from mimoto_gov.settings import load_settings
from mimoto_gov.support.csvout import write_frame_csv

DESCRIPTION = """\
Check every promise of the privacy policy (data/policy/commitments.yml, one entry per
clause) against its evidence: the registers, the analytics audit, the latest site audit,
attestations, the policy's git history, the Zammad snapshot. Each promise is "met", "not
met" or "evidence missing", with the evidence in a sentence and what to do. The command
always exits 0 when it could judge; the statuses are the result."""


def _print(table, version: str, today: date) -> None:

    counts = status_counts(table)
    print(f"Commitments of the privacy policy (commitments.yml {version}), on {uk_date(today)}")
    print(", ".join(f"{n:,} {status}" for status, n in counts.items()))
    width = max((len(s) for s in table["status"]), default=0) + 2
    indent = " " * width
    for row in table.itertuples(index=False):
        print()
        print(f"{row.status:<{width}}{row.id}: {row.promise}")
        for label, text in (("evidence", row.evidence), ("action", row.action)):
            wrapped = textwrap.wrap(
                f"{label}: {text}",
                96,
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
                break_long_words=False,
            )
            print("\n".join(wrapped))
        print(f"{indent}owner: {row.owner}")


def _run(args: argparse.Namespace) -> int:

    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise InputError(f"--out: {out} is a folder; give a file name such as commitments.csv")
    settings = load_settings()
    today = date.today()
    table = check_commitments(
        data_dir=settings.data_dir, reports_dir=settings.reports_dir, today=today
    )
    version = load_commitments(policy_file(COMMITMENTS_FILE, settings.data_dir)).version
    _print(table, version, today)
    if out is not None:
        try:
            written = write_frame_csv(table, out)
        except OSError as error:
            raise InputError(f"--out: cannot write {out}: {error.strerror}") from None
        print()
        print(written)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``commitments`` to the command line."""
    parser = subparsers.add_parser(
        "commitments",
        help="every promise of the privacy policy with its status and evidence",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out", metavar="FILE.csv", help="also write the table as CSV (spreadsheet-safe, 0600)"
    )
    parser.set_defaults(handler=_run)
