"""``mimoto-gov doctor``: what a real deployment still needs, one line each."""

from __future__ import annotations

import argparse

from mimoto_gov.audits.deployment import check_deployment
from mimoto_gov.settings import PROJECT_DIR, env_file_path, load_settings, project_root
from mimoto_gov.zammad.client import client_from_settings

DESCRIPTION = """\
Check, one line each, what a real deployment needs before its first review: .env at the
project root and private; Zammad answering with a token that holds what each job needs (read
from Zammad: one harmless read per permission); the policy files staff fill in (ropa.yml and
the backups in retention.yml, article15.yml and ropa.yml agreeing where Zammad hosts the desk,
the policy's public repository in commitments.yml); the retention schedule approved; the
erasure key present; no demo data in the real folders; and, with --scheduling, the scheduled
jobs' recipes installed.

Each line starts with ok, todo (blocks a real review) or note. The exit status is 1 while
anything is todo, 0 otherwise. Nothing is written or changed, here or in Zammad."""


def _run(args: argparse.Namespace) -> int:

    settings = load_settings()
    result = check_deployment(
        settings,
        env_file=env_file_path(),
        connect=lambda s: client_from_settings(s, max_retries=1, timeout=(10, 30)),
        recipes_dir=PROJECT_DIR / "docs" / "scheduling" if args.scheduling else None,
        project=project_root(),
    )
    for line in result.lines():
        print(line)
    return 0 if result.ready else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``doctor`` to the command line."""
    parser = subparsers.add_parser(
        "doctor",
        help="check what a real deployment still needs (exit 1 while anything blocks a review)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scheduling",
        action="store_true",
        help="also check that the scheduled jobs' recipes (docs/scheduling) are installed",
    )
    parser.set_defaults(handler=_run)
